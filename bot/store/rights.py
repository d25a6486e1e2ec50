"""The person's data rights: export (/mydata), erasure (/delete) and the retention purge.

Every table that holds something about a person references `chat_session` with ON DELETE
CASCADE, so erasing the session row erases everything — tables added later join in by
declaring that foreign key (tests/store/test_erasure.py checks the schema for it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.store.crypto import Vault
from bot.store.models import (
    ChatSession,
    ConsentRecord,
    HandoffRequest,
    ProcessedUpdate,
    utcnow,
)


def find(db: Session, channel: str, chat_key: str) -> ChatSession | None:
    return db.exec(select(ChatSession).where(ChatSession.channel == channel,
                                             ChatSession.chat_key == chat_key)).first()


def export(db: Session, vault: Vault, channel: str, chat_key: str) -> dict[str, Any]:
    """Everything stored about one chat, decrypted, as JSON-ready data."""
    row = find(db, channel, chat_key)
    if row is None or row.id is None:
        return {}
    consents = db.exec(select(ConsentRecord).where(ConsentRecord.session_id == row.id)).all()
    requests = db.exec(select(HandoffRequest).where(HandoffRequest.session_id == row.id)).all()
    return {
        "chat": {"channel": row.channel, "chat_id": row.chat_key, "language": row.language,
                 "position": row.node, "created_at": row.created_at.isoformat(),
                 "last_activity": row.updated_at.isoformat()},
        "answers": vault.decrypt(row.answers_enc) if row.answers_enc else {},
        "consents": [{"text_version": c.text_version, "language": c.language,
                      "given_at": c.given_at.isoformat(),
                      "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
                     for c in consents],
        "requests": [{"reason": r.reason, "language": r.language, "priority": r.priority,
                      "status": r.status, "created_at": r.created_at.isoformat(),
                      **vault.decrypt(r.payload_enc)} for r in requests],
    }


def erase(db: Session, session_id: int) -> None:
    """Delete the session row; the foreign keys cascade to everything about the person."""
    db.execute(delete(ChatSession).where(col(ChatSession.id) == session_id))


def purge(db: Session, *, now: datetime, retention_days: int, dry_run: bool = False) -> int:
    """Erase chats without activity for `retention_days`; drop old update ids. Idempotent."""
    cutoff = now - timedelta(days=retention_days)
    stale = db.exec(select(ChatSession.id).where(col(ChatSession.updated_at) < cutoff)).all()
    if not dry_run:
        for session_id in stale:
            if session_id is not None:
                erase(db, session_id)
        db.execute(delete(ProcessedUpdate).where(
            col(ProcessedUpdate.received_at) < now - timedelta(days=8)))
    return len(stale)


__all__ = ["erase", "export", "find", "purge", "utcnow"]
