"""Counsellor accounts and their browser sessions.

Passwords are hashed with Argon2id. Wrong passwords lock the account for a while (throttling
per account, so guessing from many addresses does not help); a locked or deactivated account
gets nothing, not even with the right password. A browser session is a random token in a
cookie, stored only as its SHA-256, with its own CSRF token, an idle timeout and a maximum age.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.store.models import Counsellor, WebSession

ROLES = ("counsellor", "admin")
MIN_PASSWORD = 12
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A wrong command-line or form input about an account (the message says what)."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Das Passwort braucht mindestens {MIN_PASSWORD} Zeichen.")
    return _hasher.hash(password)


def new_password() -> str:
    """A random password for resets, readable aloud (no look-alike characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def add(db: Session, username: str, password: str, *, role: str = "counsellor",
        office_id: int | None = None, display_name: str = "") -> Counsellor:
    if role not in ROLES:
        raise AccountError(f"Unbekannte Rolle {role!r} (erlaubt: {', '.join(ROLES)}).")
    if not username or len(username) > 64 or not username.replace(".", "").replace(
            "-", "").replace("_", "").isalnum():
        raise AccountError("Benutzername: 1–64 Zeichen, Buchstaben, Ziffern, . - _")
    if db.exec(select(Counsellor).where(Counsellor.username == username)).first():
        raise AccountError(f"Den Benutzer {username!r} gibt es schon.")
    account = Counsellor(username=username, password_hash=hash_password(password), role=role,
                         office_id=office_id, display_name=display_name or username)
    db.add(account)
    return account


def by_name(db: Session, username: str) -> Counsellor | None:
    return db.exec(select(Counsellor).where(Counsellor.username == username)).first()


def deactivate(db: Session, account: Counsellor) -> None:
    """The account can no longer sign in; its open sessions end at once."""
    account.active = False
    db.add(account)
    db.execute(delete(WebSession).where(col(WebSession.counsellor_id) == account.id))


def reset_password(db: Session, account: Counsellor, password: str | None = None) -> str:
    """Set a new password (random if none given), unlock, end sessions; returns it."""
    password = password or new_password()
    account.password_hash = hash_password(password)
    account.failed_logins, account.locked_until = 0, None
    account.must_change_password = True
    db.add(account)
    db.execute(delete(WebSession).where(col(WebSession.counsellor_id) == account.id))
    return password


def authenticate(db: Session, settings: Settings, username: str, password: str,
                 now: datetime) -> Counsellor | None:
    """The account if the password is right and the account active and not locked."""
    account = by_name(db, username)
    if account is None:
        _hasher.hash(password)  # the same work as a real check: no timing hint
        return None
    if not account.active or (account.locked_until and account.locked_until > now):
        return None
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        account.failed_logins += 1
        if account.failed_logins >= settings.login_max_failures:
            account.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
            account.failed_logins = 0
        db.add(account)
        return None
    account.failed_logins, account.locked_until = 0, None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    db.add(account)
    return account


@dataclass(frozen=True)
class SignedIn:
    account: Counsellor
    csrf: str


def open_session(db: Session, account: Counsellor, now: datetime) -> tuple[str, str]:
    """A new browser session: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    assert account.id is not None
    db.add(WebSession(token_hash=_digest(token), counsellor_id=account.id, csrf=csrf,
                      created_at=now, last_seen_at=now))
    return token, csrf


def resume(db: Session, settings: Settings, token: str, now: datetime) -> SignedIn | None:
    """The signed-in counsellor for a cookie token, if the session is still valid."""
    if not token:
        return None
    row = db.exec(select(WebSession).where(WebSession.token_hash == _digest(token))).first()
    if row is None:
        return None
    account = db.get(Counsellor, row.counsellor_id)
    idle = now - row.last_seen_at > timedelta(minutes=settings.inbox_session_minutes)
    old = now - row.created_at > timedelta(hours=settings.inbox_session_max_hours)
    if account is None or not account.active or idle or old:
        db.delete(row)
        return None
    row.last_seen_at = now
    db.add(row)
    return SignedIn(account, row.csrf)


def end_other_sessions(db: Session, account: Counsellor, keep_token: str) -> None:
    """After a password change: every other browser of this account is signed out."""
    db.execute(delete(WebSession).where(col(WebSession.counsellor_id) == account.id,
                                        col(WebSession.token_hash) != _digest(keep_token)))


def close_session(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(col(WebSession.token_hash) == _digest(token)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
