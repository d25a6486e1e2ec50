"""Offices and appointment slots: created in the inbox, on the command line or from an ICS
file, and published as an ICS feed per office for the counsellors' calendars."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.engine.languages import SUPPORTED
from bot.handoff import hours, ics
from bot.handoff.booking import KINDS
from bot.store.models import Booking, Case, Office, Slot


class SlotError(ValueError):
    """Wrong input for an office or a slot; the message (German) says what to fix."""


def add_office(db: Session, name: str, *, address: str = "", accessibility: str = "",
               opening_hours: str = "", remote_info: str = "") -> Office:
    if not name.strip():
        raise SlotError("Das Büro braucht einen Namen.")
    hours.parse_hours(opening_hours)  # raises ValueError with the operator's message
    if db.exec(select(Office).where(Office.name == name.strip())).first():
        raise SlotError(f"Ein Büro {name!r} gibt es schon.")
    office = Office(name=name.strip(), address=address.strip(),
                    accessibility=accessibility.strip(), opening_hours=opening_hours.strip(),
                    remote_info=remote_info.strip(), feed_token=secrets.token_urlsafe(24))
    db.add(office)
    return office


def parse_languages(text: str) -> str:
    codes = [c.strip().lower() for c in text.replace(" ", ",").split(",") if c.strip()]
    unknown = [c for c in codes if c not in SUPPORTED]
    if unknown or not codes:
        raise SlotError(f"Unbekannte Sprache(n) {', '.join(unknown) or '(keine)'}; erlaubt: "
                        + ", ".join(SUPPORTED))
    return ",".join(dict.fromkeys(codes))


def add_slot(db: Session, office_id: int, starts_at: datetime, minutes: int, *,
             kind: str = "in_person", languages: str = "de", interpreter: bool = False,
             counsellor_id: int | None = None, uid: str | None = None) -> Slot:
    """One slot; `starts_at` must be timezone-aware."""
    if db.get(Office, office_id) is None:
        raise SlotError(f"Es gibt kein Büro mit der Nummer {office_id}.")
    if kind not in KINDS:
        raise SlotError(f"Terminart {kind!r} unbekannt; erlaubt: {', '.join(KINDS)}.")
    if starts_at.tzinfo is None:
        raise SlotError("Die Uhrzeit braucht eine Zeitzone.")
    if not 5 <= minutes <= 480:
        raise SlotError("Ein Termin dauert 5 bis 480 Minuten.")
    slot = Slot(office_id=office_id, kind=kind, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                languages=parse_languages(languages), interpreter=interpreter,
                counsellor_id=counsellor_id, uid=uid or secrets.token_hex(12))
    db.add(slot)
    return slot


def import_ics(db: Session, office_id: int, data: bytes, zone: ZoneInfo, *,
               kind: str = "in_person", languages: str = "de",
               interpreter: bool = False) -> tuple[int, int]:
    """Add the events of an ICS file as slots; (added, already there). Importing the same
    file again adds nothing: slots are keyed by office and the events' UIDs."""
    added = known = 0
    existing = set(db.exec(select(Slot.uid).where(Slot.office_id == office_id)).all())
    for event in ics.read_slots(data, zone):
        if event.uid in existing:
            known += 1
            continue
        minutes = int((event.ends_at - event.starts_at).total_seconds() // 60)
        add_slot(db, office_id, event.starts_at, minutes, kind=kind, languages=languages,
                 interpreter=interpreter, uid=event.uid)
        existing.add(event.uid)
        added += 1
    return added, known


def cancel_slot(db: Session, slot: Slot) -> None:
    slot.cancelled = True
    db.add(slot)


def feed(db: Session, office: Office, now: datetime) -> bytes:
    """The office's slots from a week ago on, booked ones with the case number only."""
    rows = db.exec(select(Slot).where(Slot.office_id == office.id,
                                      col(Slot.starts_at) >= now - timedelta(days=7))
                   .order_by(col(Slot.starts_at))).all()
    booked = {b.slot_id: b.case_id for b in db.exec(
        select(Booking).where(Booking.status == "booked",
                              col(Booking.slot_id).in_([s.id for s in rows])))}
    events = []
    for slot in rows:
        case_id = booked.get(slot.id) if slot.id is not None else None
        case = db.get(Case, case_id) if case_id else None
        summary = (f"Beratung Fall #{case_id} ({slot.kind}, {case.language if case else ''})"
                   if case_id else f"Freier Termin ({slot.kind}, {slot.languages})")
        events.append(ics.FeedEvent(uid=f"lotse-slot-{slot.id}@{office.feed_token[:8]}",
                                    starts_at=slot.starts_at, ends_at=slot.ends_at,
                                    summary=summary, location=office.address,
                                    status="CANCELLED" if slot.cancelled else "CONFIRMED"))
    return ics.write_feed(f"Lotse – {office.name}", events)
