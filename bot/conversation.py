"""One conversation turn: load the session, run the engine, save — then the channel sends.

The save checks the session's version, so a turn is applied at most once per version even with
several processes; on a conflict the turn is re-run on the fresh state. Consent records, cases,
bookings and their outbox events are written in the same transaction as the state that
produced them. Events that belong to the counselling side (slot buttons, /appointment, messages
while a counsellor holds the case) are taken by `bot.handoff.chat` before the engine runs.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.engine import FlowSet, load_or_raise, step
from bot.engine.io import Erase, Handoff, Output, RecordConsent, Say, WithdrawConsent
from bot.engine.state import State
from bot.handoff import cases, chat
from bot.handoff.chat import TurnEvent
from bot.handoff.desk import Desk
from bot.i18n import Catalogs
from bot.paths import resolve
from bot.store import db as store_db
from bot.store import rights, sessions
from bot.store.crypto import Vault, keys_from

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Reply:
    """What a turn produced, the person's language after it (for chrome strings) and the
    session version its buttons belong to. `outdated`: a button of an older message was
    pressed and nothing changed; `duplicate`: the update was applied before."""

    language: str
    outputs: list[Output]
    version: int = 0
    outdated: bool = False
    duplicate: bool = False


@dataclass
class Lotse:
    """What every turn needs: the flows, the database, the keys, the counselling desk and a
    clock."""

    flows: FlowSet
    engine: Engine
    vault: Vault
    today: Callable[[], date]
    desk: Desk
    pseudonym_key: bytes = b""

    def turn(self, channel: str, chat_key: str, event: TurnEvent, language: str, *,
             update_id: int | None = None, press_version: int | None = None) -> Reply:
        """Apply `event` to the chat and persist the result; return what to send.

        `update_id` makes the turn happen at most once; `press_version` is the session
        version a pressed button was shown with — a press from any other version is outdated.
        """
        for attempt in range(MAX_ATTEMPTS):
            with Session(self.engine) as db:
                if update_id is not None and not sessions.claim_update(db, update_id):
                    return Reply(language, [], duplicate=True)
                loaded = sessions.load(db, self.vault, channel, chat_key, language)
                if press_version is not None and press_version != loaded.version:
                    return Reply(loaded.state.language, [], loaded.version, outdated=True)
                now = self.desk.clock()
                taken = None if loaded.row_id is None else chat.intercept(
                    db, self.desk, loaded.row_id, loaded.state, event, now)
                if taken is not None:
                    state, outputs = loaded.state, taken
                else:
                    state, outputs = step(loaded.state, event, self.flows,  # type: ignore[arg-type]
                                          self.today())
                try:
                    version, outputs = self._persist(db, channel, chat_key, loaded, state,
                                                     outputs, now)
                    db.commit()
                except sessions.StaleSession:
                    db.rollback()
                    logger.info("turn_retry attempt=%d node=%s", attempt + 1, state.node)
                    continue
            self.desk.notify()
            logger.info("turn event=%s node=%s", type(event).__name__, state.node)
            return Reply(state.language, outputs, version)
        raise sessions.StaleSession(f"gave up after {MAX_ATTEMPTS} attempts")


    def _persist(self, db: Session, channel: str, chat_key: str, loaded: sessions.Loaded,
                 state: State, outputs: list[Output],
                 now: datetime) -> tuple[int, list[Output]]:
        """Save the state and the outputs' side effects in one transaction; return the version
        and the outputs completed by the counselling side (free slots, when to expect an
        answer)."""
        if any(isinstance(o, Erase) for o in outputs):
            if loaded.row_id is not None:
                cases.before_erasure(db, self.desk, loaded.row_id, now)
                rights.erase(db, loaded.row_id)
            return 0, outputs
        row_id = sessions.save(db, self.vault, channel, chat_key, loaded, state)
        done: list[Output] = []
        notes: list[str] = []
        for output in outputs:
            done.append(output)
            if isinstance(output, RecordConsent):
                sessions.record_consent(db, row_id, output.version, output.language)
            elif isinstance(output, WithdrawConsent):
                sessions.withdraw_consent(db, self.vault, row_id)
            elif isinstance(output, Handoff):
                notes = cases.open_case(db, self.desk, row_id, output, now)[1]
            elif isinstance(output, Say) and notes:
                # After the handoff node's own text: when to expect an answer (and, for an
                # urgent case outside opening hours, the emergency contacts).
                done += [Say(html.escape(note), state.language) for note in notes]
                notes = []
        return loaded.version + 1, chat.expand(db, self.desk, row_id, done, now)

    def purge(self, retention_days: int, *, dry_run: bool = False) -> int:
        """Erase what the retention rule says is due (R7); return how many chats."""
        now = self.desk.clock()

        def farewell(db: Session, session_id: int) -> None:
            cases.before_erasure(db, self.desk, session_id, now)

        with Session(self.engine) as db:
            count = rights.purge(db, now=now, retention_days=retention_days,
                                 after_appointment_days=self.desk.settings
                                 .retention_after_appointment_days, dry_run=dry_run,
                                 before=farewell)
            db.commit()
        logger.info("purge chats=%d dry_run=%s", count, dry_run)
        return count

    def export(self, channel: str, chat_key: str) -> dict[str, Any]:
        """Everything stored about a chat (/mydata)."""
        with Session(self.engine) as db:
            return rights.export(db, self.vault, channel, chat_key)


def build(settings: Settings, *, flows_dir: Path | None = None, locales_dir: Path | None = None,
          upgrade_local: bool = True, clock: Callable[[], datetime] | None = None) -> Lotse:
    """Load and check everything; raise with the editors' or operators' message if broken.

    `clock` (aware UTC) drives appointments, reminders and retention; tests pass a fixed one,
    demos can set LOTSE_NOW.
    """
    missing = settings.missing_production_secrets()
    if missing:
        raise SystemExit("production needs " + ", ".join(missing))
    zone = ZoneInfo(settings.timezone)
    now = clock or (lambda: settings.now or datetime.now(UTC))

    def today() -> date:
        return settings.today or now().astimezone(zone).date()

    flows = load_or_raise(resolve(flows_dir or settings.flows_dir, "flows"), today=today(),
                          settings=settings.feature_flags(), placeholders=settings.placeholders(),
                          review_max_age_days=settings.review_max_age_days,
                          cache_dir=settings.cache_dir)
    data_keys, pseudonym = keys_from(settings)
    if upgrade_local and store_db.is_local_sqlite(settings.database_url):
        store_db.upgrade(settings.database_url)
    engine, vault = store_db.make_engine(settings.database_url), Vault(data_keys)
    catalogs = Catalogs(resolve(locales_dir or settings.locales_dir, "locales"))
    desk = Desk(engine, vault, catalogs, settings, now)
    return Lotse(flows, engine, vault, today, desk, pseudonym.encode("utf-8"))
