"""Data rights over everything the counselling side stores: /mydata shows it, /delete erases it
(cancelling the appointment and telling the counsellors without personal data), the retention
purge removes it N days after the appointment."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, SQLModel, select

from bot.engine.io import Delete, Press
from bot.handoff import cases
from bot.store.models import Booking, Case, ChatSession
from bot.store.rotation import encrypted_columns
from tests.handoff.conftest import NOW, Desk, talk


def _full_case(desk: Desk, chat: str) -> int:
    slot = desk.add_slot(30)
    talk(desk, chat)
    desk.turn(chat, Press(f"slot:{slot}"))
    with desk.lotse.desk.session() as db:
        case = db.exec(select(Case).join(ChatSession).where(ChatSession.chat_key == chat)).one()
        cases.claim(db, desk.lotse.desk, case, desk.counsellor, NOW)
        cases.reply(db, desk.lotse.desk, case, desk.counsellor, f"Antwort an {chat}", NOW)
        cases.note(db, desk.lotse.desk, case, desk.counsellor, f"Notiz zu {chat}", NOW)
        db.commit()
        assert case.id is not None
        return case.id


def test_mydata_contains_case_messages_notes_and_appointments(desk: Desk) -> None:
    _full_case(desk, "me")
    data = desk.lotse.export("test", "me")
    case = data["cases"][0]
    assert case["status"] == "booked" and case["reason"] == "talk"
    assert [m["text"] for m in case["messages"]] == ["Antwort an me"]
    assert [n["text"] for n in case["counsellor_notes"]] == ["Notiz zu me"]
    assert case["appointments"][0]["address"] == "Musterstraße 1, Dresden"
    assert any("Antwort an me" in p["text"] for p in data["pending_messages"])
    assert "Antwort an other" not in str(data)


def test_delete_erases_everything_and_frees_the_slot(desk: Desk) -> None:
    _full_case(desk, "doomed")
    _full_case(desk, "kept")
    with desk.lotse.desk.session() as db:
        doomed = db.exec(select(ChatSession).where(ChatSession.chat_key == "doomed")).one()
        doomed_id = doomed.id
        slot_id = db.exec(select(Booking).where(Booking.session_id == doomed_id)).one().slot_id
    for event in (Delete(), Press("erase:yes")):
        desk.turn("doomed", event)
    vault = desk.lotse.vault
    with Session(desk.lotse.engine) as db:
        for table in SQLModel.metadata.sorted_tables:
            for row in db.execute(select(table)):
                values = [str(v) for v in row]
                assert "doomed" not in values, table.name
                if "session_id" in table.c:
                    assert row._mapping["session_id"] != doomed_id, table.name
        for table, column in encrypted_columns():
            for (token,) in db.execute(select(table.c[column]).where(
                    table.c[column].is_not(None))):
                assert "doomed" not in str(vault.decrypt(token)), (table.name, column)
    notices = [e for e in desk.outbox() if e["kind"] in ("case.cancelled", "case.erased")]
    assert {e["kind"] for e in notices} == {"case.cancelled", "case.erased"}
    assert all("doomed" not in str(e) and "Notiz" not in str(e) for e in notices)
    with desk.lotse.desk.session() as db:
        from bot.handoff import booking

        free = [s.id for s in booking.free_slots(db, desk.lotse.desk, "de", NOW)]
    assert slot_id in free  # the appointment was cancelled, the time is free again


def test_retention_after_the_appointment(desk: Desk) -> None:
    _full_case(desk, "seen")
    days = desk.lotse.desk.settings.retention_after_appointment_days
    desk.clock.advance(hours=31)  # the appointment is over
    assert desk.lotse.purge(90) == 0
    desk.clock.now = NOW + timedelta(days=days - 1)
    assert desk.lotse.purge(90) == 0  # 29 days after the appointment: kept
    desk.clock.now = NOW + timedelta(days=days, hours=32)
    assert desk.lotse.purge(90, dry_run=True) == 1
    assert desk.lotse.purge(90) == 1
    assert desk.lotse.purge(90) == 0  # idempotent
    with desk.lotse.desk.session() as db:
        assert db.exec(select(Case)).all() == []


def test_idle_purge_spares_a_chat_with_an_appointment_ahead(desk: Desk) -> None:
    slot = desk.add_slot(24 * 100)
    talk(desk, "patient")
    desk.turn("patient", Press(f"slot:{slot}"))
    desk.clock.now = NOW + timedelta(days=91)
    with desk.lotse.desk.session() as db:
        row = db.exec(select(ChatSession)).one()
        row.updated_at = NOW
        db.add(row)
        db.commit()
    assert desk.lotse.purge(90) == 0


def test_idle_purge_spares_a_case_counsellors_work_on_and_tells_the_case_system(
        desk: Desk) -> None:
    talk(desk, "quiet")
    desk.clock.now = NOW + timedelta(days=91)
    with desk.lotse.desk.session() as db:
        case = db.exec(select(Case)).one()
        cases.note(db, desk.lotse.desk, case, desk.counsellor, "in Arbeit", desk.clock.now)
        case.updated_at = desk.clock.now
        db.add(case)
        db.commit()
    assert desk.lotse.purge(90) == 0  # the person is quiet, but the case is being worked on
    desk.clock.now = NOW + timedelta(days=200)
    assert desk.lotse.purge(90) == 1
    assert desk.outbox("webhook")[-1]["kind"] == "case.erased"
