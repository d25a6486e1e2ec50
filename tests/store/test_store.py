"""The store on real SQLite files: migrations, encryption at rest, concurrency, consent records."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from bot.config import Settings
from bot.conversation import Lotse, build
from bot.engine import FlowSet, State
from bot.engine.io import Press, Start, Text, Withdraw
from bot.store import db as store_db
from bot.store import sessions
from bot.store.crypto import KeysUnavailable, Vault, keys_from
from bot.store.models import Case, ChatSession, ConsentRecord
from tests.conftest import FLOWS, TODAY

CANARY_NAME = "Zyxwvut Canary-Name"


def settings_for(tmp_path: Path, **extra: object) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'lotse.db'}",
                    key_file=tmp_path / "keys.json", today=TODAY, flows_dir=FLOWS, **extra)


def test_migrations_upgrade_an_empty_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store_db.upgrade(url)
    engine = store_db.make_engine(url)
    assert {"chat_session", "consent_record", "case_file", "alembic_version"} <= set(
        inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], "the models and the migrations differ: write a migration"


def test_upgrade_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    store_db.upgrade(url)
    store_db.upgrade(url)


def answer_prescreen(lotse: Lotse, chat: str) -> None:
    for event in (Start(language="de"), Press("opt:go"), Press("opt:prescreen"),
                  Press("opt:start"), Press("accept"),
                  Press("opt:no"), Press("opt:no"), Press("opt:no"),
                  Text("03.2027"), Press("opt:yes"), Text(CANARY_NAME)):
        lotse.turn("test", chat, event, "de")


def test_answers_are_encrypted_at_rest(tmp_path: Path) -> None:
    lotse = build(settings_for(tmp_path))
    answer_prescreen(lotse, "chat-1")
    with Session(lotse.engine) as db:
        loaded = sessions.load(db, lotse.vault, "test", "chat-1", "de")
    assert loaded.state.answers["contact_name"] == CANARY_NAME
    lotse.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("lotse.db*"))
    assert CANARY_NAME.encode() not in raw
    assert b"2027-03" not in raw  # the Duldung expiry typed as 03.2027


def test_consent_is_recorded_with_version_language_and_time(tmp_path: Path) -> None:
    lotse = build(settings_for(tmp_path))
    answer_prescreen(lotse, "chat-2")
    with Session(lotse.engine) as db:
        records = db.exec(select(ConsentRecord)).all()
    assert len(records) == 1
    assert records[0].language == "de" and len(records[0].text_version) == 8
    assert records[0].given_at is not None and records[0].withdrawn_at is None


def test_nothing_is_stored_before_consent(tmp_path: Path) -> None:
    lotse = build(settings_for(tmp_path))
    for event in (Start(language="de"), Press("opt:go"), Press("opt:prescreen"),
                  Press("opt:start")):
        lotse.turn("test", "chat-3", event, "de")
    with Session(lotse.engine) as db:
        row = db.exec(select(ChatSession)).one()
        assert row.answers_enc is None and row.consent_version is None
        assert row.node == "consent"
        assert db.exec(select(ConsentRecord)).all() == []


def test_withdrawal_erases_answers_everywhere(tmp_path: Path) -> None:
    lotse = build(settings_for(tmp_path))
    answer_prescreen(lotse, "chat-4")
    lotse.turn("test", "chat-4", Withdraw(), "de")
    with Session(lotse.engine) as db:
        row = db.exec(select(ChatSession)).one()
        assert row.answers_enc is None and row.consent_version is None
        assert db.exec(select(ConsentRecord)).one().withdrawn_at is not None


def test_a_handoff_creates_an_encrypted_case(tmp_path: Path) -> None:
    lotse = build(settings_for(tmp_path))
    for event in (Start(language="de"), Press("opt:go"), Press("opt:appointment"),
                  Press("opt:talk")):
        lotse.turn("test", "chat-5", event, "de")
    with Session(lotse.engine) as db:
        case = db.exec(select(Case)).one()
    payload = lotse.vault.decrypt(case.payload_enc)
    assert case.reason == "talk" and case.status == "new" and payload["answers"] == {}
    assert "möchte mit einer Person sprechen" in payload["summary_de"]


def test_two_writers_on_one_version_conflict(tmp_path: Path, flows: FlowSet) -> None:
    lotse = build(settings_for(tmp_path))
    lotse.turn("test", "chat-6", Start(language="de"), "de")
    # Both load the same version; on SQLite transactions queue (BEGIN IMMEDIATE), so the
    # second writer's load ends its transaction before the first one writes.
    with Session(lotse.engine) as first, Session(lotse.engine) as second:
        b = sessions.load(second, lotse.vault, "test", "chat-6", "de")
        second.commit()
        a = sessions.load(first, lotse.vault, "test", "chat-6", "de")
        assert a.version == b.version
        sessions.save(first, lotse.vault, "test", "chat-6", a, a.state.evolve(node="main_menu"))
        first.commit()
        with pytest.raises(sessions.StaleSession):
            sessions.save(second, lotse.vault, "test", "chat-6", b, b.state.evolve(node="faq"))
    del flows


def test_new_chats_racing_for_the_first_row_conflict(tmp_path: Path) -> None:
    lotse = build(settings_for(tmp_path))
    with Session(lotse.engine) as first, Session(lotse.engine) as second:
        b = sessions.load(second, lotse.vault, "test", "new", "de")
        second.commit()  # SQLite queues transactions: end the second one's read first
        a = sessions.load(first, lotse.vault, "test", "new", "de")
        sessions.save(first, lotse.vault, "test", "new", a, State(node="welcome"))
        first.commit()
        with pytest.raises(sessions.StaleSession):
            sessions.save(second, lotse.vault, "test", "new", b, State(node="welcome"))


def test_key_rotation_keeps_old_data_readable() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Vault([old]).encrypt({"a": 1})
    both = Vault([new, old])
    assert both.decrypt(token) == {"a": 1}
    assert Vault([new]).decrypt(both.rotate(token)) == {"a": 1}
    with pytest.raises(KeysUnavailable):
        Vault([new]).decrypt(token)


def test_development_generates_a_key_file_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(tmp_path)
    with caplog.at_level(logging.WARNING):
        keys, pseudonym = keys_from(settings)
    assert "development_keys_generated" in caplog.text
    assert (tmp_path / "keys.json").stat().st_mode & 0o077 == 0
    assert keys_from(settings) == (keys, pseudonym)


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="LOTSE_DATA_KEYS"):
        build(settings_for(tmp_path, env="production"))
    assert not (tmp_path / "keys.json").exists()


def test_secrets_never_show_in_a_repr() -> None:
    settings = Settings(telegram_token="123:SECRET-TOKEN", data_keys="k1")
    assert "SECRET-TOKEN" not in repr(settings) and "k1" not in repr(settings)


def test_production_needs_https_and_a_secret_for_the_case_webhook() -> None:
    keys = Fernet.generate_key().decode()
    settings = Settings(env="production", data_keys=keys, pseudonym_key="p" * 32,
                        public_url="http://inbox.example.org",
                        case_webhook_url="http://cases.example.org/hook")
    missing = " ".join(settings.missing_production_secrets())
    assert "LOTSE_CASE_WEBHOOK_SECRET" in missing and "https:// LOTSE_CASE_WEBHOOK_URL" in missing
    assert "https:// LOTSE_PUBLIC_URL" in missing
    fixed = settings.model_copy(update={"public_url": "https://inbox.example.org",
                                        "case_webhook_url": "https://cases.example.org/hook",
                                        "case_webhook_secret": "s" * 32})
    assert fixed.missing_production_secrets() == []


def test_a_fixed_clock_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Settings(now="2026-11-25T09:00:00")
    assert Settings(now="2026-11-25T09:00:00+00:00").now is not None
