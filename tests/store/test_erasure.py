"""Erasure and export are complete by construction: every table about a person hangs off the
chat session with ON DELETE CASCADE, and every encrypted column is found from the schema."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, SQLModel, select

from bot.conversation import build
from bot.engine.io import Delete, Press, Start
from bot.store import rights
from bot.store.models import ChatSession
from bot.store.rotation import encrypted_columns
from tests.store.test_store import answer_prescreen, settings_for

#: Tables that hold nothing about a person (checked: no chat id, no content).
NO_PERSONAL_DATA = {"processed_update", "office", "counsellor", "web_session", "slot",
                    "audit_log"}


def test_every_personal_table_cascades_from_the_chat_session() -> None:
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "chat_session" or table.name in NO_PERSONAL_DATA:
            continue
        keys = [fk for fk in table.foreign_keys if fk.column.table.name == "chat_session"]
        assert keys, f"{table.name} must reference chat_session (erasure, export, purge)"
        assert all(fk.ondelete == "CASCADE" for fk in keys), table.name


def test_encrypted_columns_are_found_from_the_schema() -> None:
    names = {(t.name, c) for t, c in encrypted_columns()}
    assert {("chat_session", "answers_enc"), ("case_file", "payload_enc"),
            ("case_message", "body_enc"), ("case_note", "body_enc"),
            ("outbox", "payload_enc")} <= names


def test_delete_leaves_nothing_of_the_person(tmp_path: Path) -> None:
    lotse = build(settings_for(tmp_path))
    answer_prescreen(lotse, "doomed")
    answer_prescreen(lotse, "kept")
    for event in (Delete(), Press("erase:yes")):
        lotse.turn("test", "doomed", event, "de")
    with Session(lotse.engine) as db:
        for table in SQLModel.metadata.sorted_tables:
            for row in db.execute(select(table)):
                assert "doomed" not in [str(v) for v in row], table.name
        assert db.exec(select(ChatSession)).one().chat_key == "kept"


def test_purge_erases_idle_chats_and_is_idempotent(tmp_path: Path) -> None:
    from datetime import timedelta

    from bot.store.models import utcnow

    lotse = build(settings_for(tmp_path))
    for chat in ("old", "new"):
        lotse.turn("test", chat, Start(language="de"), "de")
    with Session(lotse.engine) as db:
        row = rights.find(db, "test", "old")
        assert row is not None
        row.updated_at = utcnow() - timedelta(days=91)
        db.add(row)
        db.commit()
    assert lotse.purge(90, dry_run=True) == 1
    assert lotse.purge(90) == 1
    assert lotse.purge(90) == 0
    with Session(lotse.engine) as db:
        assert [r.chat_key for r in db.exec(select(ChatSession))] == ["new"]

