"""Appointments: the free slots that suit a person, booking, cancelling, reminders.

Double booking is prevented by the database, not by a check before the insert: a partial
unique index allows one *booked* row per slot, so of two people (or two replicas) pressing the
last slot at once exactly one insert succeeds and the other gets `SlotTaken`.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.handoff.desk import Desk
from bot.handoff.texts import BOOKED, CANCELLED_BY_SERVICE, REMIND_2, REMIND_24
from bot.store.models import Booking, Case, Office, Slot

KINDS = ("in_person", "phone", "video")
FINAL = ("cancelled", "no_show", "attended")


class BookingError(Exception):
    """A booking that cannot be made; the person is offered other times."""


class SlotTaken(BookingError):
    """Somebody else booked this slot first."""


class SlotGone(BookingError):
    """The slot was cancelled, lies in the past or too close to now."""


class TooMany(BookingError):
    """The person already has the allowed number of open appointments (R17)."""


def languages_of(slot: Slot) -> list[str]:
    return [code.strip() for code in slot.languages.split(",") if code.strip()]


def free_slots(db: Session, desk: Desk, language: str | None, now: datetime, *,
               limit: int | None = None, office_id: int | None = None) -> list[Slot]:
    """The next free slots, earliest first; with `language`, only slots where the counsellor
    speaks it or an interpreter for it is booked."""
    earliest = now + timedelta(hours=desk.settings.booking_notice_hours)
    booked = select(Booking.slot_id).where(Booking.status == "booked")
    query = (select(Slot).join(Office, col(Office.id) == col(Slot.office_id))
             .where(col(Office.active), col(Slot.cancelled).is_(False),
                    col(Slot.starts_at) >= earliest, col(Slot.id).not_in(booked))
             .order_by(col(Slot.starts_at), col(Slot.id)))
    if office_id is not None:
        query = query.where(Slot.office_id == office_id)
    slots = [s for s in db.exec(query) if language is None or language in languages_of(s)]
    return slots[:limit] if limit else slots


def open_bookings(db: Session, session_id: int, now: datetime) -> list[tuple[Booking, Slot]]:
    """The person's booked appointments that have not ended yet, earliest first."""
    rows = db.exec(select(Booking, Slot).join(Slot, col(Slot.id) == col(Booking.slot_id))
                   .where(Booking.session_id == session_id, Booking.status == "booked",
                          col(Slot.ends_at) > now)
                   .order_by(col(Slot.starts_at))).all()
    return [(b, s) for b, s in rows]


def book(db: Session, desk: Desk, case: Case, slot_id: int, now: datetime) -> Booking:
    """Book `slot_id` for the case's person; idempotent for a repeated press of the same slot."""
    slot = db.get(Slot, slot_id)
    earliest = now + timedelta(hours=desk.settings.booking_notice_hours)
    if slot is None or slot.cancelled or slot.starts_at < earliest:
        raise SlotGone(str(slot_id))
    mine = open_bookings(db, case.session_id, now)
    same = next((b for b, s in mine if s.id == slot_id), None)
    if same is not None:
        return same
    if len(mine) >= desk.settings.max_open_appointments:
        raise TooMany(str(len(mine)))
    assert case.id is not None
    booking = Booking(slot_id=slot_id, case_id=case.id, session_id=case.session_id,
                      created_at=now,
                      reminded_24h_at=now if slot.starts_at - now <= timedelta(hours=24) else None,
                      reminded_2h_at=now if slot.starts_at - now <= timedelta(hours=2) else None)
    try:
        with db.begin_nested():
            db.add(booking)
    except IntegrityError as exc:
        raise SlotTaken(str(slot_id)) from exc
    case.status, case.updated_at = "booked", now
    if case.office_id is None:
        case.office_id = slot.office_id
    db.add(case)
    desk.case_event(db, case, "case.booked", now, {"appointment": slot_facts(slot)})
    return booking


def cancel(db: Session, desk: Desk, booking: Booking, now: datetime, *, by: str) -> None:
    """Cancel a booking; `by` is person, counsellor or erasure. The slot is free again."""
    slot, case = db.get(Slot, booking.slot_id), db.get(Case, booking.case_id)
    booking.status, booking.cancelled_at = "cancelled", now
    db.add(booking)
    if slot is None or case is None:
        return
    if case.status == "booked":
        case.status = "claimed" if case.counsellor_id is not None else "new"
    case.updated_at = now
    db.add(case)
    desk.case_event(db, case, "case.cancelled", now,
                    {"appointment": slot_facts(slot), "cancelled_by": by})
    if by == "counsellor":
        writer = desk.writer(case.language)
        desk.tell_person(db, case.session_id, "cancelled", html.escape(
            writer.t(CANCELLED_BY_SERVICE, when=writer.when(slot.starts_at))), now)


def mark(db: Session, booking: Booking, status: str, now: datetime) -> None:
    """After the appointment has begun: attended or no-show (for retention and statistics).
    A future booking cannot be marked: that would free a slot that is still taken."""
    slot = db.get(Slot, booking.slot_id)
    if status not in ("attended", "no_show") or booking.status != "booked" or \
            slot is None or slot.starts_at > now:
        raise BookingError(status)
    booking.status = status
    db.add(booking)


def slot_facts(slot: Slot) -> dict[str, Any]:
    return {"slot_id": slot.id, "office_id": slot.office_id, "kind": slot.kind,
            "starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat()}


def describe(db: Session, desk: Desk, slot: Slot, language: str, heading: str = BOOKED) -> str:
    """The confirmation text: time, kind, place, accessibility, what to bring, how to cancel."""
    office = db.get(Office, slot.office_id)
    return desk.writer(language).appointment(
        slot.starts_at, slot.kind, office.name if office else "",
        office.address if office else "", office.accessibility if office else "",
        office.remote_info if office else "", heading=heading)


def confirm(db: Session, desk: Desk, case: Case, slot: Slot, now: datetime) -> None:
    """Send the confirmation through the outbox (a booking made in the inbox)."""
    desk.tell_person(db, case.session_id, "booked", describe(db, desk, slot, case.language), now)


def send_reminders(db: Session, desk: Desk, now: datetime) -> int:
    """Queue the 24-hour and 2-hour reminders that are due. Driven by the database, so a
    restart loses none and sends none twice (the reminded_* column is set in the same
    transaction as the message is queued)."""
    sent = 0
    rows = db.exec(select(Booking, Slot, Case)
                   .join(Slot, col(Slot.id) == col(Booking.slot_id))
                   .join(Case, col(Case.id) == col(Booking.case_id))
                   .where(Booking.status == "booked", col(Slot.starts_at) > now,
                          col(Slot.starts_at) <= now + timedelta(hours=24))
                   # another process sending reminders skips the rows this one holds
                   .with_for_update(skip_locked=True, of=Booking)).all()
    for booking, slot, case in rows:
        left = slot.starts_at - now
        if left <= timedelta(hours=2) and booking.reminded_2h_at is None:
            heading, lead = REMIND_2, 2  # also replaces a 24-hour reminder that came too late
            booking.reminded_2h_at = booking.reminded_24h_at = booking.reminded_24h_at or now
        elif left > timedelta(hours=2) and booking.reminded_24h_at is None:
            heading, lead = REMIND_24, 24
            booking.reminded_24h_at = now
        else:
            continue
        booking.reminded_2h_at = now if lead == 2 else booking.reminded_2h_at
        db.add(booking)
        desk.tell_person(db, case.session_id, f"reminder_{lead}h",
                         describe(db, desk, slot, case.language, heading), now)
        sent += 1
    return sent
