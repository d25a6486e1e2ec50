"""ICS import of appointment slots and the ICS feed export."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.handoff.ics import FeedEvent, IcsError, ImportedSlot, read_slots, write_feed

BERLIN = ZoneInfo("Europe/Berlin")


def ics(*events: str) -> bytes:
    """A calendar around `events`, each given as its property lines (without BEGIN/END)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//DE"]
    for event in events:
        props = [line.strip() for line in event.splitlines() if line.strip()]
        lines += ["BEGIN:VEVENT", *props, "END:VEVENT"]
    return "".join(f"{line}\r\n" for line in [*lines, "END:VCALENDAR"]).encode()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def one(data: bytes, zone: ZoneInfo = BERLIN) -> ImportedSlot:
    [slot] = read_slots(data, zone)
    return slot


TZID_EVENT = """UID:tzid@example.org
    SUMMARY:Beratung Asylrecht
    DTSTART;TZID=Europe/Berlin:20260302T090000
    DTEND;TZID=Europe/Berlin:20260302T100000"""
FLOATING_EVENT = """UID:floating@example.org
    SUMMARY:Sprechstunde
    DTSTART:20260303T140000
    DTEND:20260303T143000"""
UTC_EVENT = """UID:utc@example.org
    SUMMARY:Telefontermin
    DTSTART:20260304T100000Z
    DTEND:20260304T110000Z"""
CANCELLED_EVENT = """UID:cancelled@example.org
    SUMMARY:Fällt aus
    STATUS:CANCELLED
    DTSTART:20260305T100000Z
    DTEND:20260305T110000Z"""
WEEKLY_EVENT = """UID:weekly@example.org
    SUMMARY:Offene Beratung
    DTSTART;TZID=Europe/Berlin:20260323T090000
    DTEND;TZID=Europe/Berlin:20260323T100000
    RRULE:FREQ=WEEKLY;COUNT=4"""


def test_a_mixed_calendar_becomes_sorted_utc_slots() -> None:
    data = ics(UTC_EVENT, CANCELLED_EVENT, FLOATING_EVENT, TZID_EVENT)
    assert read_slots(data, BERLIN) == [
        ImportedSlot("tzid@example.org", utc(2026, 3, 2, 8), utc(2026, 3, 2, 9),
                     "Beratung Asylrecht"),
        ImportedSlot("floating@example.org", utc(2026, 3, 3, 13), utc(2026, 3, 3, 13, 30),
                     "Sprechstunde"),
        ImportedSlot("utc@example.org", utc(2026, 3, 4, 10), utc(2026, 3, 4, 11),
                     "Telefontermin"),
    ]


def test_slot_datetimes_are_in_utc() -> None:
    slot = one(ics(TZID_EVENT))
    assert slot.starts_at.tzinfo is UTC and slot.ends_at.tzinfo is UTC


def test_floating_time_is_read_in_the_given_zone() -> None:
    assert one(ics(FLOATING_EVENT), ZoneInfo("Europe/London")).starts_at == utc(2026, 3, 3, 14)


def test_windows_timezone_name_from_outlook_is_understood() -> None:
    data = ics(TZID_EVENT.replace("TZID=Europe/Berlin", "TZID=W. Europe Standard Time"))
    assert one(data).starts_at == utc(2026, 3, 2, 8)


def test_unknown_timezone_is_an_error_not_a_guess() -> None:
    with pytest.raises(IcsError) as raised:
        read_slots(ics(TZID_EVENT.replace("Europe/Berlin", "Mars/Olympus")), BERLIN)
    assert str(raised.value) == ("Termin 'Beratung Asylrecht' (UID tzid@example.org): "
                                 "unbekannte Zeitzone 'Mars/Olympus'")


def test_weekly_event_is_expanded_on_the_wall_clock_across_dst() -> None:
    slots = read_slots(ics(WEEKLY_EVENT), BERLIN)
    assert [(slot.uid, slot.starts_at, slot.ends_at) for slot in slots] == [
        ("weekly@example.org/20260323T080000Z", utc(2026, 3, 23, 8), utc(2026, 3, 23, 9)),
        ("weekly@example.org/20260330T070000Z", utc(2026, 3, 30, 7), utc(2026, 3, 30, 8)),
        ("weekly@example.org/20260406T070000Z", utc(2026, 4, 6, 7), utc(2026, 4, 6, 8)),
        ("weekly@example.org/20260413T070000Z", utc(2026, 4, 13, 7), utc(2026, 4, 13, 8)),
    ]
    assert {slot.summary for slot in slots} == {"Offene Beratung"}


def test_until_as_a_date_includes_that_day_and_exdate_removes_an_occurrence() -> None:
    data = ics(WEEKLY_EVENT.replace("COUNT=4", "UNTIL=20260413") + """
        EXDATE;TZID=Europe/Berlin:20260330T090000""")
    assert [slot.starts_at for slot in read_slots(data, BERLIN)] == [
        utc(2026, 3, 23, 8), utc(2026, 4, 6, 7), utc(2026, 4, 13, 7)]


def test_floating_recurring_event_with_floating_until() -> None:
    data = ics(FLOATING_EVENT + "\nRRULE:FREQ=DAILY;UNTIL=20260305T140000")
    assert [slot.uid for slot in read_slots(data, BERLIN)] == [
        "floating@example.org/20260303T130000Z", "floating@example.org/20260304T130000Z",
        "floating@example.org/20260305T130000Z"]


def test_modified_and_cancelled_occurrences_replace_the_series_dates() -> None:
    moved = """UID:weekly@example.org
        RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000
        SUMMARY:Offene Beratung (verschoben)
        DTSTART;TZID=Europe/Berlin:20260331T110000
        DTEND;TZID=Europe/Berlin:20260331T120000"""
    cancelled = """UID:weekly@example.org
        RECURRENCE-ID:20260406T070000Z
        STATUS:CANCELLED
        DTSTART:20260406T070000Z
        DTEND:20260406T080000Z"""
    slots = read_slots(ics(WEEKLY_EVENT, moved, cancelled), BERLIN)
    assert [(slot.uid, slot.starts_at, slot.summary) for slot in slots] == [
        ("weekly@example.org/20260323T080000Z", utc(2026, 3, 23, 8), "Offene Beratung"),
        ("weekly@example.org/20260330T070000Z", utc(2026, 3, 31, 9),
         "Offene Beratung (verschoben)"),
        ("weekly@example.org/20260413T070000Z", utc(2026, 4, 13, 7), "Offene Beratung"),
    ]


def test_cancelled_series_is_skipped_with_its_modified_occurrences() -> None:
    moved = """UID:weekly@example.org
        RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000
        DTSTART;TZID=Europe/Berlin:20260331T110000
        DTEND;TZID=Europe/Berlin:20260331T120000"""
    assert read_slots(ics(WEEKLY_EVENT + "\nSTATUS:CANCELLED", moved), BERLIN) == []


def test_endless_series_stops_after_366_days() -> None:
    data = ics(UTC_EVENT + "\nRRULE:FREQ=DAILY")
    slots = read_slots(data, BERLIN)
    assert len(slots) == 367
    assert slots[-1].starts_at == utc(2026, 3, 4, 10) + timedelta(days=366)


def test_dense_series_stops_after_500_occurrences() -> None:
    data = ics(UTC_EVENT.replace("T110000Z", "T101500Z") + "\nRRULE:FREQ=HOURLY")
    slots = read_slots(data, BERLIN)
    assert len(slots) == 500
    assert slots[-1].starts_at == utc(2026, 3, 4, 10) + timedelta(hours=499)


def test_cancelled_events_are_skipped() -> None:
    assert read_slots(ics(CANCELLED_EVENT), BERLIN) == []


def test_all_day_event_is_an_error_naming_it() -> None:
    all_day = """UID:urlaub@example.org
        SUMMARY:Betriebsausflug
        DTSTART;VALUE=DATE:20260306
        DTEND;VALUE=DATE:20260307"""
    with pytest.raises(IcsError) as raised:
        read_slots(ics(TZID_EVENT, all_day), BERLIN)
    assert str(raised.value) == ("Termin 'Betriebsausflug' (UID urlaub@example.org): ein "
                                 "ganztägiger Termin (06.03.2026) kann kein Beratungstermin sein")


def test_duration_stands_in_for_a_missing_end() -> None:
    data = ics(UTC_EVENT.replace("DTEND:20260304T110000Z", "DURATION:PT45M"))
    assert one(data).ends_at == utc(2026, 3, 4, 10, 45)


def test_neither_end_nor_duration_is_an_error() -> None:
    with pytest.raises(IcsError) as raised:
        read_slots(ics(UTC_EVENT.replace("DTEND:20260304T110000Z", "")), BERLIN)
    assert str(raised.value) == ("Termin 'Telefontermin' (UID utc@example.org): weder Ende "
                                 "(DTEND) noch Dauer (DURATION)")


@pytest.mark.parametrize("end", ["20260304T100000Z", "20260304T090000Z"])
def test_end_not_after_start_is_an_error(end: str) -> None:
    with pytest.raises(IcsError) as raised:
        read_slots(ics(UTC_EVENT.replace("20260304T110000Z", end)), BERLIN)
    assert str(raised.value) == ("Termin 'Telefontermin' (UID utc@example.org): das Ende liegt "
                                 "nicht nach dem Beginn")


def test_broken_start_is_an_error() -> None:
    with pytest.raises(IcsError) as raised:
        read_slots(ics(UTC_EVENT.replace("20260304T100000Z", "morgen")), BERLIN)
    assert str(raised.value) == ("Termin 'Telefontermin' (UID utc@example.org): DTSTART fehlt "
                                 "oder ist kein Zeitpunkt")


def test_missing_uid_gets_a_stable_one_from_the_content() -> None:
    data = ics(UTC_EVENT.replace("UID:utc@example.org", ""))
    key = "20260304T100000Z|20260304T110000Z|Telefontermin"
    expected = "sha256-" + hashlib.sha256(key.encode()).hexdigest()
    assert one(data).uid == expected
    assert one(data).uid == expected
    assert one(data.replace(b"Telefontermin", b"Anruf")).uid != expected


def test_one_uid_for_two_different_events_is_an_error() -> None:
    with pytest.raises(IcsError, match="dieselbe UID gehört zu mehreren Terminen"):
        read_slots(ics(UTC_EVENT, UTC_EVENT.replace("T10", "T12").replace("T11", "T13")), BERLIN)


def test_empty_file_is_a_german_error() -> None:
    with pytest.raises(IcsError) as raised:
        read_slots(b" \r\n", BERLIN)
    assert str(raised.value) == ("Die Datei ist leer – bitte den Kalender erneut als .ics "
                                 "exportieren.")


@pytest.mark.parametrize("data", [b"garbage", b"\xff\xfe\x00\x01", b"%PDF-1.4\n1 0 obj",
                                  b"END:VCALENDAR\r\n"])
def test_unreadable_bytes_are_a_german_error(data: bytes) -> None:
    with pytest.raises(IcsError) as raised:
        read_slots(data, BERLIN)
    assert str(raised.value) == ("Die Datei ist keine lesbare iCalendar-Datei (.ics). Bitte den "
                                 "Kalender erneut im Format iCalendar exportieren.")


@pytest.mark.parametrize("data", [
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n",
    b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",
])
def test_truncated_or_calendarless_data_is_an_error(data: bytes) -> None:
    with pytest.raises(IcsError, match=r"^Die Datei enthält keinen vollständigen Kalender"):
        read_slots(data, BERLIN)


def test_empty_calendar_has_no_slots() -> None:
    assert read_slots(ics(), BERLIN) == []


FEED = [
    FeedEvent("b@lotse", datetime(2026, 3, 30, 9, tzinfo=BERLIN),
              datetime(2026, 3, 30, 9, 45, tzinfo=BERLIN), "Beratung: A. (Dari)",
              description="Rückruf erbeten; Nummer im Ticket\nZweite Zeile", location="Raum 2"),
    FeedEvent("a@lotse", utc(2026, 3, 27, 12), utc(2026, 3, 27, 13), "Beratung, Telefon"),
]
STAMP = utc(2026, 3, 1, 6)


def test_feed_round_trips_through_read_slots() -> None:
    slots = read_slots(write_feed("Beratungstermine Dresden", FEED, stamp=STAMP), BERLIN)
    assert slots == [
        ImportedSlot("a@lotse", utc(2026, 3, 27, 12), utc(2026, 3, 27, 13), "Beratung, Telefon"),
        ImportedSlot("b@lotse", utc(2026, 3, 30, 7), utc(2026, 3, 30, 7, 45),
                     "Beratung: A. (Dari)"),
    ]


def test_feed_has_the_calendar_properties_and_utc_times() -> None:
    data = write_feed("Beratungstermine Dresden", FEED, stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert (str(calendar["PRODID"]), str(calendar["VERSION"]), str(calendar["X-WR-CALNAME"])) \
        == ("-//Lotse//Beratungstermine//DE", "2.0", "Beratungstermine Dresden")
    first = calendar.walk("VEVENT")[0]
    assert (str(first["DESCRIPTION"]), str(first["LOCATION"]), str(first["STATUS"])) == (
        "Rückruf erbeten; Nummer im Ticket\nZweite Zeile", "Raum 2", "CONFIRMED")
    assert b"DTSTART:20260330T070000Z\r\n" in data
    assert b"DTEND:20260330T074500Z\r\n" in data
    assert data.count(b"DTSTAMP:20260301T060000Z\r\n") == 2
    assert b"LOCATION" not in data.split(b"UID:a@lotse")[1]  # empty fields are left out


def test_feed_is_deterministic_with_a_stamp() -> None:
    assert write_feed("X", FEED, stamp=STAMP) == write_feed("X", FEED, stamp=STAMP)


def test_cancelled_feed_event_is_written_but_not_imported() -> None:
    cancelled = FeedEvent("c@lotse", utc(2026, 3, 2, 9), utc(2026, 3, 2, 10), "Abgesagt",
                          status="CANCELLED")
    data = write_feed("X", [cancelled], stamp=STAMP)
    assert b"STATUS:CANCELLED\r\n" in data
    assert read_slots(data, BERLIN) == []


def test_feed_refuses_naive_times_unknown_status_and_reversed_times() -> None:
    naive = FeedEvent("n", datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 10), "x")
    with pytest.raises(ValueError, match="timezone-aware"):
        write_feed("X", [naive])
    with pytest.raises(ValueError, match="status must be one of"):
        write_feed("X", [FeedEvent("s", STAMP, STAMP + timedelta(hours=1), "x", status="DONE")])
    with pytest.raises(ValueError, match="before it starts"):
        write_feed("X", [FeedEvent("r", STAMP, STAMP, "x")])
