"""The counselling desk: what cases, booking, the inbox and the workers share.

One object carries the database, the keys, the catalogs, the settings and the clock, so every
part of `bot/handoff` works the same under `lotse run`, the CLI and the tests (where the clock
is fixed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.handoff import hours, outbox
from bot.handoff.texts import EXPECT_LATER, EXPECT_OPEN, EXPECT_UNKNOWN, Writer
from bot.i18n import Catalogs
from bot.store.crypto import Vault
from bot.store.models import Case, ChatSession, Office


def _nothing() -> None:
    return None


@dataclass
class Desk:
    engine: Engine
    vault: Vault
    catalogs: Catalogs
    settings: Settings
    clock: Callable[[], datetime]
    notify: Callable[[], None] = field(default=_nothing)  # wakes the outbox worker

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def writer(self, language: str) -> Writer:
        return Writer(self.catalogs, language, self.settings.timezone)

    def session(self) -> Session:
        return Session(self.engine)

    # --- when will someone answer --------------------------------------------------------------

    def next_opening(self, db: Session, now: datetime) -> datetime | None:
        """The earliest moment any active office is open (now, if one is open now)."""
        found: list[datetime] = []
        for office in db.exec(select(Office).where(col(Office.active))):
            try:
                schedule = hours.parse_hours(office.opening_hours)
            except ValueError:
                continue  # checked when the office is saved; never fail a person's turn on it
            opening = hours.next_opening(schedule, now, self.zone)
            if opening is not None:
                found.append(opening)
        return min(found) if found else None

    def expectation(self, db: Session, language: str, now: datetime) -> str:
        """When the person can expect an answer, in their language."""
        return self.expect(language, self.next_opening(db, now), now)

    def expect(self, language: str, opening: datetime | None, now: datetime) -> str:
        writer = self.writer(language)
        if opening is None:
            return writer.t(EXPECT_UNKNOWN)
        if opening <= now:
            return writer.t(EXPECT_OPEN)
        return writer.t(EXPECT_LATER, when=writer.when(opening))

    # --- outgoing ----------------------------------------------------------------------------

    def tell_person(self, db: Session, session_id: int, kind: str, text: str,
                    now: datetime) -> None:
        """Queue a message (HTML, already in the person's language) for the person's chat."""
        chat = db.get(ChatSession, session_id)
        if chat is None:
            return
        outbox.enqueue(db, self.vault, outbox.PERSON, kind,
                       {"channel": chat.channel, "chat_key": chat.chat_key,
                        "language": chat.language, "text": text},
                       now=now, session_id=session_id)

    def case_event(self, db: Session, case: Case, kind: str, now: datetime,
                   extra: dict[str, Any] | None = None) -> None:
        """Queue a case event for the counsellors' group and the case webhook — without any
        personal data: case number, language, urgency, status, appointment time and place."""
        facts = event_facts(case, now, extra or {})
        if self.settings.counsellor_chat_id is not None:
            outbox.enqueue(db, self.vault, outbox.GROUP, kind,
                           {"text": group_text(kind, facts, self.settings.public_url,
                                               self.zone)}, now=now)
        if self.settings.case_webhook_url:
            outbox.enqueue(db, self.vault, outbox.WEBHOOK, kind, facts, now=now)


def event_facts(case: Case, now: datetime, extra: dict[str, Any]) -> dict[str, Any]:
    return {"occurred_at": now.isoformat(),
            "case": {"id": case.id, "status": case.status, "language": case.language,
                     "urgent": case.urgent, "priority": case.priority, "reason": case.reason,
                     "office_id": case.office_id, "source": case.source},
            **extra}


_GROUP_HEADINGS = {
    "case.created": "Neuer Fall", "case.reopened": "Fall wieder geöffnet",
    "case.updated": "Fall ergänzt", "case.message": "Neue Nachricht der Person",
    "case.claimed": "Fall übernommen", "case.booked": "Termin gebucht",
    "case.cancelled": "Termin abgesagt", "case.closed": "Fall geschlossen",
    "case.unclaimed": "Dringender Fall noch nicht übernommen",
    "case.erased": "Person hat ihre Daten gelöscht",
}


def group_text(kind: str, facts: dict[str, Any], public_url: str, zone: ZoneInfo) -> str:
    """The counsellors' group notice (German, plain text): never any intake answer."""
    case = facts["case"]
    language = Locale.parse("de").languages.get(case["language"], case["language"])
    parts = [f"{_GROUP_HEADINGS.get(kind, kind)}: Fall #{case['id']}", f"Sprache: {language}"]
    if case["urgent"]:
        parts.append("DRINGEND")
    appointment = facts.get("appointment")
    if appointment:
        start = datetime.fromisoformat(appointment["starts_at"]).astimezone(zone)
        parts.append(f"Termin {start:%d.%m.%Y %H:%M}")
    text = " · ".join(parts)
    if kind != "case.erased":
        text += f"\n{public_url.rstrip('/')}/inbox/cases/{case['id']}"
    return text
