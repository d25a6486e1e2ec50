"""Callback data as an opaque, signed token: `<version>.<button>.<mac>` (≤ 64 bytes).

Telegram's callback data is chosen by the client, not by Telegram, so it is never trusted:
the MAC (keyed, per chat) rejects forged data, and the session version it carries makes every
button valid only on the latest keyboard and only once — any turn moves the version on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

MAX_BYTES = 64
_MAC_BYTES = 6


def sign(key: bytes, chat_key: str, version: int, button: str) -> str:
    token = f"{version}.{button}.{_mac(key, chat_key, version, button)}"
    if len(token.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"button id too long for Telegram's callback data: {button!r}")
    return token


def verify(key: bytes, chat_key: str, token: str) -> tuple[int, str] | None:
    """(version, button) if `token` was issued for this chat by us, else None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(token.encode("utf-8")) > MAX_BYTES:
        return None
    version, button, mac = int(parts[0]), parts[1], parts[2]
    if not hmac.compare_digest(mac, _mac(key, chat_key, version, button)):
        return None
    return version, button


def _mac(key: bytes, chat_key: str, version: int, button: str) -> str:
    digest = hmac.new(key, f"{chat_key}|{version}|{button}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_MAC_BYTES]).decode("ascii").rstrip("=")


def pseudonym(key: bytes, chat_key: str) -> str:
    """A keyed pseudonym for logs: the same person is recognisable, never identifiable."""
    return hmac.new(key, f"log|{chat_key}".encode(), hashlib.sha256).hexdigest()[:12]
