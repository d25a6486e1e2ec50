"""The person's data rights: export (/mydata), erasure (/delete) and the retention purge.

Every table that holds something about a person references `chat_session` with ON DELETE
CASCADE, so erasing the session row erases everything — tables added later join in by
declaring that foreign key (tests/store/test_erasure.py checks the schema for it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.store.crypto import Vault
from bot.store.models import (
    Booking,
    Case,
    CaseMessage,
    CaseNote,
    ChatSession,
    ConsentRecord,
    Office,
    OutboxEvent,
    ProcessedUpdate,
    Slot,
    utcnow,
)


def find(db: Session, channel: str, chat_key: str) -> ChatSession | None:
    return db.exec(select(ChatSession).where(ChatSession.channel == channel,
                                             ChatSession.chat_key == chat_key)).first()


def export(db: Session, vault: Vault, channel: str, chat_key: str) -> dict[str, Any]:
    """Everything stored about one chat, decrypted, as JSON-ready data (GDPR Art. 15, 20)."""
    row = find(db, channel, chat_key)
    if row is None or row.id is None:
        return {}
    mine = row.id
    consents = db.exec(select(ConsentRecord).where(ConsentRecord.session_id == mine)).all()
    return {
        "chat": {"channel": row.channel, "chat_id": row.chat_key, "language": row.language,
                 "position": row.node, "created_at": row.created_at.isoformat(),
                 "last_activity": row.updated_at.isoformat()},
        "answers": vault.decrypt(row.answers_enc) if row.answers_enc else {},
        "consents": [{"text_version": c.text_version, "language": c.language,
                      "given_at": c.given_at.isoformat(),
                      "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
                     for c in consents],
        "cases": [_case(db, vault, case) for case in
                  db.exec(select(Case).where(Case.session_id == mine).order_by(col(Case.id)))],
        "pending_messages": [
            {"kind": e.kind, "created_at": e.created_at.isoformat(),
             **vault.decrypt(e.payload_enc)}
            for e in db.exec(select(OutboxEvent).where(OutboxEvent.session_id == mine,
                                                       col(OutboxEvent.delivered_at).is_(None)))],
    }


def _case(db: Session, vault: Vault, case: Case) -> dict[str, Any]:
    messages = db.exec(select(CaseMessage).where(CaseMessage.case_id == case.id)
                       .order_by(col(CaseMessage.id))).all()
    notes = db.exec(select(CaseNote).where(CaseNote.case_id == case.id)
                    .order_by(col(CaseNote.id))).all()
    bookings = db.exec(select(Booking, Slot, Office)
                       .join(Slot, col(Slot.id) == col(Booking.slot_id))
                       .join(Office, col(Office.id) == col(Slot.office_id))
                       .where(Booking.case_id == case.id).order_by(col(Booking.id))).all()
    return {
        "number": case.id, "status": case.status, "reason": case.reason,
        "language": case.language, "urgent": case.urgent, "priority": case.priority,
        "created_at": case.created_at.isoformat(), **vault.decrypt(case.payload_enc),
        "messages": [{"from": m.sender, "at": m.created_at.isoformat(),
                      "text": vault.decrypt(m.body_enc)} for m in messages],
        "counsellor_notes": [{"at": n.created_at.isoformat(), "text": vault.decrypt(n.body_enc)}
                             for n in notes],
        "appointments": [{"starts_at": slot.starts_at.isoformat(),
                          "ends_at": slot.ends_at.isoformat(), "kind": slot.kind,
                          "office": office.name, "address": office.address,
                          "status": booking.status} for booking, slot, office in bookings],
    }


def erase(db: Session, session_id: int) -> None:
    """Delete the session row; the foreign keys cascade to everything about the person."""
    db.execute(delete(ChatSession).where(col(ChatSession.id) == session_id))


def purge(db: Session, *, now: datetime, retention_days: int,
          after_appointment_days: int = 30, dry_run: bool = False,
          before: Callable[[Session, int], None] | None = None) -> int:
    """Erase what the retention rule (R7) says is due; drop old update ids. Idempotent.

    A chat is erased `retention_days` after its last activity — unless an appointment is still
    ahead — and `after_appointment_days` after its last appointment, once nothing happened
    on its case since. `before(db, session_id)` runs before each erasure (the counselling
    side cancels appointments and tells the case system).
    """
    due = set(_idle(db, now, retention_days)) | set(_after_appointment(db, now,
                                                                       after_appointment_days))
    if not dry_run:
        for session_id in sorted(due):
            if before is not None:
                before(db, session_id)
            erase(db, session_id)
        db.execute(delete(ProcessedUpdate).where(
            col(ProcessedUpdate.received_at) < now - timedelta(days=8)))
    return len(due)


def _idle(db: Session, now: datetime, days: int) -> list[int]:
    cutoff = now - timedelta(days=days)
    ahead = select(Booking.session_id).join(Slot, col(Slot.id) == col(Booking.slot_id)).where(
        Booking.status == "booked", col(Slot.ends_at) >= now)
    worked_on = select(Case.session_id).where(Case.status != "closed",
                                              col(Case.updated_at) >= cutoff)
    rows = db.exec(select(ChatSession.id).where(
        col(ChatSession.updated_at) < cutoff, col(ChatSession.id).not_in(ahead),
        col(ChatSession.id).not_in(worked_on))).all()
    return [r for r in rows if r is not None]


def _after_appointment(db: Session, now: datetime, days: int) -> list[int]:
    cutoff = now - timedelta(days=days)
    last = (select(Booking.session_id, func.max(Slot.ends_at).label("ended"))
            .join(Slot, col(Slot.id) == col(Booking.slot_id))
            .where(Booking.status != "cancelled").group_by(col(Booking.session_id)).subquery())
    busy = select(Case.session_id).where(col(Case.updated_at) >= cutoff)
    rows = db.exec(select(last.c.session_id).where(last.c.ended < cutoff,
                                                   last.c.session_id.not_in(busy))).all()
    return [int(r) for r in rows]


__all__ = ["erase", "export", "find", "purge", "utcnow"]
