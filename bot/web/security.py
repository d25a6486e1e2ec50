"""Cookies, CSRF and response headers for the inbox.

The session cookie is HttpOnly and SameSite=Strict, and Secure (with the `__Host-` prefix)
whenever the inbox is published over https. Every form carries the session's CSRF token; the
login form, before there is a session, uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Cookies:
    def __init__(self, public_url: str) -> None:
        self.secure = public_url.startswith("https://")
        prefix = "__Host-" if self.secure else ""
        self.session, self.login = f"{prefix}lotse_session", f"{prefix}lotse_login"

    def set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", secure=self.secure,
                            httponly=True, samesite="strict")

    def clear(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True,
                               samesite="strict")


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens; empty never matches."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def harden(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def client(request: Request) -> str:
    return request.client.host if request.client else "?"
