"""A counselling desk on a real SQLite file with a clock the tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.conversation import Lotse, build
from bot.engine.io import Output, Press, Say, Start
from bot.handoff import accounts, slots
from bot.store.models import Counsellor, OutboxEvent
from tests.conftest import FLOWS, LOCALES, TODAY

#: Wednesday 2026-11-25, 10:00 in Berlin (09:00 UTC): the office is open.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Desk:
    """The running pieces of one test: the bot core, its clock, an office and accounts."""

    lotse: Lotse
    clock: Clock
    office_id: int
    counsellor: Counsellor
    slots: list[int] = field(default_factory=list)

    def turn(self, chat: str, event: Any, language: str = "de") -> list[Output]:
        return self.lotse.turn("test", chat, event, language).outputs

    def add_slot(self, hours_ahead: float, languages: str = "de,ar", kind: str = "in_person",
                 office_id: int | None = None) -> int:
        with self.lotse.desk.session() as db:
            slot = slots.add_slot(db, office_id or self.office_id,
                                  NOW + timedelta(hours=hours_ahead), 60, kind=kind,
                                  languages=languages)
            db.commit()
            assert slot.id is not None
            self.slots.append(slot.id)
            return slot.id

    def outbox(self, destination: str | None = None) -> list[dict[str, Any]]:
        with self.lotse.desk.session() as db:
            rows = db.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()  # type: ignore[arg-type]
            return [{"kind": r.kind, "destination": r.destination,
                     **self.lotse.vault.decrypt(r.payload_enc)} for r in rows
                    if destination is None or r.destination == destination]


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'lotse.db'}", "key_file": tmp_path / "k.json",
        "today": TODAY, "flows_dir": FLOWS, "locales_dir": LOCALES, "counsellor_chat_id": -100,
        "case_webhook_url": "http://127.0.0.1:9/hook", "emergency_contacts": "Notruf 110",
        **extra}
    return Settings(**values)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    clock = Clock()
    lotse = build(settings_for(tmp_path), clock=clock)
    with lotse.desk.session() as db:
        office = slots.add_office(db, "Beratung Mitte", address="Musterstraße 1, Dresden",
                                  accessibility="Rampe am Seiteneingang",
                                  opening_hours="Mo-Fr 09:00-16:00")
        db.flush()
        account = accounts.add(db, "berater", PASSWORD, office_id=office.id,
                               display_name="Frau Berater")
        db.commit()
        assert office.id is not None
        db.refresh(account)
        return Desk(lotse, clock, office.id, account)


def talk(desk: Desk, chat: str, language: str = "de") -> list[Output]:
    """From /start to the handoff 'talk to a person'; returns the last turn's outputs."""
    desk.turn(chat, Start(language=language), language)
    desk.turn(chat, Press("opt:go"), language)
    desk.turn(chat, Press("opt:appointment"), language)
    return desk.turn(chat, Press("opt:talk"), language)


def says(outputs: list[Output]) -> list[Say]:
    return [o for o in outputs if isinstance(o, Say)]


def buttons(outputs: list[Output]) -> list[str]:
    return [b.id for say in says(outputs) for b in say.buttons]
