"""Cases: created by a handoff, claimed, answered, closed, reopened — and who may see them.

Every change writes its case event to the outbox in the same transaction (the caller commits),
so the counsellors' group and the case webhook hear of exactly the changes that happened.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case as sql_case
from sqlmodel import Session, col, or_, select

from bot.engine.io import Handoff
from bot.handoff import booking
from bot.handoff.desk import Desk
from bot.handoff.texts import CLAIMED, CLOSED, EMERGENCY
from bot.store.models import AuditEntry, Case, CaseMessage, CaseNote, Counsellor

OPEN = ("new", "claimed", "waiting", "booked")
STATUSES = (*OPEN, "closed")
CLOSE_REASONS = ("advised", "referred", "no_response", "withdrawn", "duplicate", "other")


class NotAllowed(Exception):
    """The counsellor may not see or change this case (R19: another office's case)."""


def may_manage(counsellor: Counsellor, office_id: int | None) -> bool:
    """Slots and bookings of an office: its counsellors (or any, for one without an office)
    and admins."""
    return counsellor.role == "admin" or counsellor.office_id is None or \
        counsellor.office_id == office_id


def can_see(counsellor: Counsellor, case: Case) -> bool:
    """Admins see every case; counsellors their office's cases and those not yet assigned."""
    return counsellor.role == "admin" or case.office_id is None or \
        case.office_id == counsellor.office_id


def audit(db: Session, actor: str, action: str, case_id: int | None = None) -> None:
    """Who did what to which case, when — never any content."""
    db.add(AuditEntry(actor=actor[:64], action=action[:32], case_id=case_id))


def payload(desk: Desk, case: Case) -> dict[str, Any]:
    data: dict[str, Any] = desk.vault.decrypt(case.payload_enc)
    return data


def latest(db: Session, session_id: int) -> Case | None:
    return db.exec(select(Case).where(Case.session_id == session_id)
                   .order_by(col(Case.id).desc())).first()


def open_case(db: Session, desk: Desk, session_id: int, handoff: Handoff,
              now: datetime) -> tuple[Case, list[str]]:
    """A new case for the handoff — or the person's existing one, updated or reopened.

    Returns the case and what the person should read on top of the flow's own text (when an
    answer can be expected; for urgent cases outside opening hours the emergency contacts).
    """
    data = {"answers": dict(handoff.answers), "pathways": list(handoff.pathways),
            "summary_de": handoff.summary_de}
    interpreter = bool(handoff.answers.get("interpreter"))
    case = latest(db, session_id)
    if case is not None and case.counsellor_id is not None:
        holder = db.get(Counsellor, case.counsellor_id)
        if holder is None or not holder.active:  # nobody would see it: back to the pool
            case.counsellor_id = None
            if case.status in ("claimed", "waiting"):
                case.status = "new"
    if case is None:
        case = Case(session_id=session_id, reason=handoff.reason, language=handoff.language,
                    interpreter=interpreter, urgent=handoff.urgent, priority=handoff.priority,
                    source=handoff.source, payload_enc=desk.vault.encrypt(data),
                    created_at=now, updated_at=now)
        kind = "case.created"
    else:
        kind = "case.reopened" if case.status == "closed" else "case.updated"
        if case.status == "closed":
            case.status = "claimed" if case.counsellor_id is not None else "new"
            case.close_reason = None
        case.reason, case.language, case.interpreter = handoff.reason, handoff.language, \
            interpreter
        case.urgent, case.priority = handoff.urgent or case.urgent, handoff.priority
        case.payload_enc = desk.vault.encrypt(data)
        case.updated_at = now
    db.add(case)
    db.flush()
    if kind != "case.updated" or handoff.urgent:
        desk.case_event(db, case, kind, now)
        case.notified_at = now
    return case, _what_next(db, desk, case, now)


def _what_next(db: Session, desk: Desk, case: Case, now: datetime) -> list[str]:
    opening = desk.next_opening(db, now)
    notes = [desk.expect(case.language, opening, now)]
    if case.urgent and (opening is None or opening > now):
        notes.append(desk.writer(case.language).t(
            EMERGENCY, contacts=desk.settings.emergency_contacts))
    return notes


def claim(db: Session, desk: Desk, case: Case, counsellor: Counsellor, now: datetime) -> None:
    """The counsellor takes the case: the person's messages now go to them (relay)."""
    _check(counsellor, case)
    first = case.counsellor_id != counsellor.id
    reopen(db, desk, case, now)
    case.counsellor_id, case.relay, case.updated_at = counsellor.id, True, now
    if case.status == "new":
        case.status = "claimed"
    if case.office_id is None:
        case.office_id = counsellor.office_id
    db.add(case)
    if first:
        desk.case_event(db, case, "case.claimed", now)
        desk.tell_person(db, case.session_id, "claimed",
                         html.escape(desk.writer(case.language).t(CLAIMED)), now)


def reply(db: Session, desk: Desk, case: Case, counsellor: Counsellor, body: str,
          now: datetime) -> CaseMessage:
    """A counsellor's message: stored with the case, delivered to the person by the outbox."""
    _check(counsellor, case)
    if case.counsellor_id is None or case.status == "closed":
        claim(db, desk, case, counsellor, now)
    message = CaseMessage(case_id=_id(case), session_id=case.session_id, sender="counsellor",
                          counsellor_id=counsellor.id, body_enc=desk.vault.encrypt(body),
                          created_at=now)
    db.add(message)
    case.relay, case.updated_at = True, now
    if case.status in ("claimed", "new"):
        case.status = "waiting"
    db.add(case)
    desk.tell_person(db, case.session_id, "reply", desk.writer(case.language).counsellor(body),
                     now)
    return message


def from_person(db: Session, desk: Desk, case: Case, text: str, now: datetime) -> None:
    """The person wrote while a counsellor holds the case: it joins the case conversation,
    and the counsellors hear of it (case number only)."""
    db.add(CaseMessage(case_id=_id(case), session_id=case.session_id, sender="person",
                       body_enc=desk.vault.encrypt(text), created_at=now))
    reopen(db, desk, case, now)
    if case.status == "waiting":
        case.status = "claimed"
    case.updated_at = now
    db.add(case)
    desk.case_event(db, case, "case.message", now)


def reopen(db: Session, desk: Desk, case: Case, now: datetime) -> None:
    """A closed case that gets a new message or a claim is open again, and says so."""
    if case.status != "closed":
        return
    case.status = "claimed" if case.counsellor_id is not None else "new"
    case.close_reason, case.updated_at = None, now
    db.add(case)
    desk.case_event(db, case, "case.reopened", now)


def leave_relay(db: Session, case: Case, now: datetime) -> None:
    """/menu: the person talks to the bot again; the counsellor's next message resumes the relay."""
    case.relay, case.updated_at = False, now
    db.add(case)


def close(db: Session, desk: Desk, case: Case, counsellor: Counsellor, reason: str,
          now: datetime) -> None:
    _check(counsellor, case)
    if reason not in CLOSE_REASONS:
        raise ValueError(f"unknown close reason {reason!r}")
    case.status, case.close_reason, case.relay, case.updated_at = "closed", reason, False, now
    db.add(case)
    desk.case_event(db, case, "case.closed", now, {"close_reason": reason})
    desk.tell_person(db, case.session_id, "closed",
                     html.escape(desk.writer(case.language).t(CLOSED)), now)


def note(db: Session, desk: Desk, case: Case, counsellor: Counsellor, body: str,
         now: datetime) -> None:
    _check(counsellor, case)
    db.add(CaseNote(case_id=_id(case), session_id=case.session_id, counsellor_id=counsellor.id,
                    body_enc=desk.vault.encrypt(body), created_at=now))


@dataclass(frozen=True)
class Line:
    """One entry of the case conversation, decrypted for the case page."""

    sender: str
    author: str
    body: str
    at: datetime


def _names(db: Session) -> dict[int | None, str]:
    return {c.id: c.display_name or c.username for c in db.exec(select(Counsellor))}


def conversation(db: Session, desk: Desk, case: Case) -> list[Line]:
    names = _names(db)
    messages = db.exec(select(CaseMessage).where(CaseMessage.case_id == case.id)
                       .order_by(col(CaseMessage.id))).all()
    return [Line(m.sender, names.get(m.counsellor_id, "") if m.counsellor_id else "",
                 desk.vault.decrypt(m.body_enc), m.created_at) for m in messages]


def notes(db: Session, desk: Desk, case: Case) -> list[Line]:
    names = _names(db)
    rows = db.exec(select(CaseNote).where(CaseNote.case_id == case.id)
                   .order_by(col(CaseNote.id))).all()
    return [Line("note", names.get(n.counsellor_id, "") if n.counsellor_id else "",
                 desk.vault.decrypt(n.body_enc), n.created_at) for n in rows]


def listing(db: Session, counsellor: Counsellor | None, *, language: str | None = None,
            status: str | None = None) -> Sequence[Case]:
    """Cases by urgency, then priority, then age (oldest first) — the order to work them in.
    `counsellor=None` is the command line (an operator): every case."""
    query = select(Case)
    if counsellor is not None and counsellor.role != "admin":
        query = query.where(or_(col(Case.office_id).is_(None),
                                col(Case.office_id) == counsellor.office_id))
    if language:
        query = query.where(Case.language == language)
    if status == "open":
        query = query.where(col(Case.status).in_(OPEN))
    elif status:
        query = query.where(Case.status == status)
    rank = sql_case((col(Case.priority) == "urgent", 0), (col(Case.priority) == "high", 1),
                    else_=2)
    return db.exec(query.order_by(col(Case.urgent).desc(), rank, col(Case.created_at))).all()


def unclaimed_urgent(db: Session, desk: Desk, now: datetime) -> int:
    """Notify again of urgent cases nobody claimed for `urgent_renotify_minutes`."""
    cutoff = now - timedelta(minutes=desk.settings.urgent_renotify_minutes)
    due = db.exec(select(Case).where(col(Case.urgent), Case.status == "new",
                                     or_(col(Case.notified_at).is_(None),
                                         col(Case.notified_at) <= cutoff))
                    .with_for_update(skip_locked=True)).all()
    for case in due:
        desk.case_event(db, case, "case.unclaimed", now)
        case.notified_at = now
        db.add(case)
    return len(due)


def _check(counsellor: Counsellor, case: Case) -> None:
    if not counsellor.active or not can_see(counsellor, case):
        raise NotAllowed(f"case {case.id}")


def _id(case: Case) -> int:
    assert case.id is not None
    return case.id


def before_erasure(db: Session, desk: Desk, session_id: int, now: datetime) -> None:
    """/delete: cancel the person's appointments and tell the counsellors and the case system
    — by case number and time only — before the cascade removes everything about them."""
    for held, _slot in booking.open_bookings(db, session_id, now):
        booking.cancel(db, desk, held, now, by="erasure")
    for case in db.exec(select(Case).where(Case.session_id == session_id)):
        desk.case_event(db, case, "case.erased", now)
