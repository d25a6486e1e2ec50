"""The person's side of cases and appointments, through real turns on a real SQLite file."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from bot.engine.io import Menu, Press, Start, Text
from bot.handoff import booking, cases, jobs
from bot.handoff.chat import ShowAppointment
from bot.store.models import Booking, Case, CaseMessage
from tests.handoff.conftest import NOW, Desk, buttons, says, talk


def _case(desk: Desk) -> Case:
    with desk.lotse.desk.session() as db:
        return db.exec(select(Case)).one()


def test_talk_handoff_creates_a_case_and_offers_free_slots_in_the_persons_language(
        desk: Desk) -> None:
    mine = desk.add_slot(26, languages="ar,de")
    desk.add_slot(27, languages="ru")  # not in Arabic: not offered
    desk.add_slot(1, languages="ar")  # too soon (2 hours' notice): not offered
    outputs = talk(desk, "p1", "ar")
    assert buttons(outputs)[0] == f"slot:{mine}" and buttons(outputs).count("slot:") == 0
    assert [b for b in buttons(outputs) if b.startswith("slot:")] == [f"slot:{mine}"]
    case = _case(desk)
    assert (case.status, case.language, case.reason) == ("new", "ar", "talk")
    kinds = [(e["destination"], e["kind"]) for e in desk.outbox()]
    assert ("group", "case.created") in kinds and ("webhook", "case.created") in kinds
    group = next(e for e in desk.outbox("group"))["text"]
    assert f"Fall #{case.id}" in group and "Arabisch" in group and "/inbox/cases/" in group


def test_booking_with_one_tap_confirms_with_address_and_what_to_bring(desk: Desk) -> None:
    slot = desk.add_slot(26)
    talk(desk, "p2")
    reply = says(desk.turn("p2", Press(f"slot:{slot}")))
    text = str(reply[0].text)
    assert "Termin ist gebucht" in text and "Musterstraße 1" in text and "Rampe" in text
    assert "Duldung" in text and "/appointment" in text
    assert _case(desk).status == "booked"
    assert ("webhook", "case.booked") in [(e["destination"], e["kind"]) for e in desk.outbox()]
    # A repeated press of the same slot changes nothing (idempotent).
    desk.turn("p2", Press(f"slot:{slot}"))
    with desk.lotse.desk.session() as db:
        assert len(db.exec(select(Booking)).all()) == 1


def test_at_most_the_configured_number_of_open_appointments(desk: Desk) -> None:
    first, second = desk.add_slot(26), desk.add_slot(28)
    talk(desk, "p3")
    desk.turn("p3", Press(f"slot:{first}"))
    desk.turn("p3", ShowAppointment())
    reply = says(desk.turn("p3", Press(f"slot:{second}")))
    assert "schon einen Termin" in str(reply[0].text)
    with desk.lotse.desk.session() as db:
        assert [b.slot_id for b in db.exec(select(Booking))] == [first]


def test_cancel_and_rebook_from_the_chat(desk: Desk) -> None:
    first, second = desk.add_slot(26), desk.add_slot(30)
    talk(desk, "p4")
    desk.turn("p4", Press(f"slot:{first}"))
    overview = desk.turn("p4", ShowAppointment())
    held = next(b for b in buttons(overview) if b.startswith("appt:cancel:"))
    ask = desk.turn("p4", Press(held))
    confirm = next(b for b in buttons(ask) if b.startswith("appt:confirm:"))
    offered = desk.turn("p4", Press(confirm))
    assert "abgesagt" in str(says(offered)[0].text)
    assert f"slot:{second}" in buttons(offered) and f"slot:{first}" not in buttons(offered)
    desk.turn("p4", Press(f"slot:{second}"))
    with desk.lotse.desk.session() as db:
        rows = sorted((b.slot_id, b.status) for b in db.exec(select(Booking)))
    assert rows == [(first, "cancelled"), (second, "booked")]


def test_two_people_pressing_the_last_slot_at_once_exactly_one_wins(desk: Desk) -> None:
    last = desk.add_slot(26)
    talk(desk, "a")
    talk(desk, "b")
    later = desk.add_slot(50)  # published after the offers were shown
    barrier = threading.Barrier(2)
    results: dict[str, list[object]] = {}

    def press(chat: str) -> None:
        barrier.wait()
        results[chat] = desk.turn(chat, Press(f"slot:{last}"))

    threads = [threading.Thread(target=press, args=(c,)) for c in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    texts = {chat: str(says(out)[0].text) for chat, out in results.items()}  # type: ignore[arg-type]
    winners = [c for c, t in texts.items() if "Termin ist gebucht" in t]
    losers = [c for c, t in texts.items() if "gerade schon" in t or "vergeben" in t
              or "jemand anderes" in t.lower()]
    assert len(winners) == 1 and len(losers) == 1, texts
    assert f"slot:{later}" in buttons(results[losers[0]])  # type: ignore[arg-type]
    with desk.lotse.desk.session() as db:
        assert [b.slot_id for b in db.exec(select(Booking))] == [last]


def test_relay_while_a_counsellor_holds_the_case(desk: Desk) -> None:
    talk(desk, "p5", "fa")
    with desk.lotse.desk.session() as db:
        case = db.exec(select(Case)).one()
        cases.claim(db, desk.lotse.desk, case, desk.counsellor, NOW)
        cases.reply(db, desk.lotse.desk, case, desk.counsellor, "Hallo <b>ok</b>?", NOW)
        db.commit()
    pushed = desk.outbox("person")
    assert [e["kind"] for e in pushed] == ["claimed", "reply"]
    assert "Hallo &lt;b&gt;ok&lt;/b&gt;?" in pushed[1]["text"]  # the counsellor's text escaped
    ack = says(desk.turn("p5", Text("سلام، ممنون")))
    assert len(ack) == 1 and "/menu" in str(ack[0].text)
    with desk.lotse.desk.session() as db:
        stored = db.exec(select(CaseMessage).where(CaseMessage.sender == "person")).one()
        assert desk.lotse.vault.decrypt(stored.body_enc) == "سلام، ممنون"
        assert "ممنون" not in stored.body_enc  # encrypted at rest
        assert db.exec(select(Case)).one().status == "claimed"
    desk.turn("p5", Menu())  # back to the bot: free text is the FAQ again
    assert _case(desk).relay is False
    faq = desk.turn("p5", Text("دولدونگ چیست؟"))
    with desk.lotse.desk.session() as db:
        assert len(db.exec(select(CaseMessage).where(CaseMessage.sender == "person")).all()) == 1
    assert faq


def test_closing_tells_the_person_and_a_new_request_reopens(desk: Desk) -> None:
    talk(desk, "p6")
    with desk.lotse.desk.session() as db:
        case = db.exec(select(Case)).one()
        cases.claim(db, desk.lotse.desk, case, desk.counsellor, NOW)
        cases.close(db, desk.lotse.desk, case, desk.counsellor, "advised", NOW)
        db.commit()
    assert desk.outbox("person")[-1]["kind"] == "closed"
    talk(desk, "p6")
    case = _case(desk)
    assert case.status == "claimed" and case.close_reason is None
    assert "case.reopened" in [e["kind"] for e in desk.outbox("webhook")]


def test_urgent_case_outside_opening_hours_shows_emergency_contacts(desk: Desk) -> None:
    desk.clock.now = NOW.replace(hour=21)  # 22:00 in Berlin: closed
    chat = "p7"
    for event in (Start(language="de"), Press("opt:go"), Press("opt:urgent"),
                  Press("opt:talk"), Press("accept"), Press("opt:yes"), Press("opt:no"),
                  Press("opt:no"), Press("skip")):
        desk.turn(chat, event)
    outputs = desk.turn(chat, Text("Anna"))
    texts = " ".join(str(s.text) for s in says(outputs))
    assert "Notruf 110" in texts and "Do., 26. Nov., 09:00" in texts, texts


def test_unclaimed_urgent_case_is_notified_again(desk: Desk) -> None:
    talk(desk, "p8")
    with desk.lotse.desk.session() as db:
        case = db.exec(select(Case)).one()
        case.urgent = True
        db.add(case)
        db.commit()
    assert jobs.tick(desk.lotse.desk) == (0, 0)
    desk.clock.advance(minutes=61)
    assert jobs.tick(desk.lotse.desk) == (0, 1)
    assert jobs.tick(desk.lotse.desk) == (0, 0)
    assert desk.outbox("group")[-1]["kind"] == "case.unclaimed"


def test_reminders_24h_and_2h_are_sent_once_each(desk: Desk) -> None:
    slot = desk.add_slot(48)
    talk(desk, "p9", "ru")
    desk.turn("p9", Press(f"slot:{slot}"), "ru")
    assert jobs.tick(desk.lotse.desk)[0] == 0
    desk.clock.advance(hours=24, minutes=1)
    assert jobs.tick(desk.lotse.desk)[0] == 1
    assert jobs.tick(desk.lotse.desk)[0] == 0
    desk.clock.advance(hours=22)
    assert jobs.tick(desk.lotse.desk)[0] == 1
    desk.clock.advance(hours=1)
    assert jobs.tick(desk.lotse.desk)[0] == 0
    kinds = [e["kind"] for e in desk.outbox("person")]
    assert kinds == ["reminder_24h", "reminder_2h"]
    assert all(e["language"] == "ru" for e in desk.outbox("person"))


def test_free_slots_skip_booked_cancelled_and_past(desk: Desk) -> None:
    a, b, c = desk.add_slot(26), desk.add_slot(27), desk.add_slot(28)
    talk(desk, "p10")
    desk.turn("p10", Press(f"slot:{a}"))
    with desk.lotse.desk.session() as db:
        from bot.store.models import Slot

        slot = db.get(Slot, b)
        assert slot is not None
        slot.cancelled = True
        db.add(slot)
        db.commit()
        free = booking.free_slots(db, desk.lotse.desk, "de", NOW)
        assert [s.id for s in free] == [c]
        later = booking.free_slots(db, desk.lotse.desk, "de", NOW + timedelta(hours=27))
        assert later == []


def test_a_reply_to_a_closed_case_reopens_it_and_person_messages_are_announced(
        desk: Desk) -> None:
    talk(desk, "p11")
    with desk.lotse.desk.session() as db:
        case = db.exec(select(Case)).one()
        cases.claim(db, desk.lotse.desk, case, desk.counsellor, NOW)
        cases.close(db, desk.lotse.desk, case, desk.counsellor, "advised", NOW)
        cases.reply(db, desk.lotse.desk, case, desk.counsellor, "Noch eine Frage?", NOW)
        db.commit()
    case = _case(desk)
    assert case.status == "waiting" and case.relay and case.close_reason is None
    assert "case.reopened" in [e["kind"] for e in desk.outbox("webhook")]
    desk.turn("p11", Text("Ja, bitte"))
    assert desk.outbox("group")[-1]["kind"] == "case.message"
    assert "Ja, bitte" not in str(desk.outbox("group")[-1])


def test_a_booking_in_the_future_cannot_be_marked_attended(desk: Desk) -> None:
    slot = desk.add_slot(26)
    talk(desk, "p12")
    desk.turn("p12", Press(f"slot:{slot}"))
    with desk.lotse.desk.session() as db:
        held = db.exec(select(Booking)).one()
        try:
            booking.mark(db, held, "attended", NOW)
        except booking.BookingError:
            pass
        else:
            raise AssertionError("a future booking was marked")
        booking.mark(db, held, "no_show", NOW + timedelta(hours=27))
        db.commit()
        assert db.exec(select(Booking)).one().status == "no_show"
