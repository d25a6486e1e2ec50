"""Opening hours: parsing, the open/closed queries on the office's wall clock, canonical text."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.handoff.hours import (
    OpeningHours,
    Span,
    closes_at,
    format_hours,
    is_open,
    next_opening,
    parse_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = parse_hours("Mo-Fr 09:00-16:00; Sa 10:00-12:00")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_parse_day_range_and_single_day() -> None:
    nine_to_four = [Span(day, time(9), time(16)) for day in range(5)]
    hours = parse_hours("Mo-Fr 09:00-16:00; Sa 10:00-12:00")
    assert hours == OpeningHours((*nine_to_four, Span(5, time(10), time(12))))


def test_parse_day_list_with_two_time_ranges_and_short_hours() -> None:
    assert parse_hours("Mo,Mi 9:00-12:00, 13:00-16:00").spans == (
        Span(0, time(9), time(12)), Span(0, time(13), time(16)),
        Span(2, time(9), time(12)), Span(2, time(13), time(16)))


def test_parse_single_day() -> None:
    assert parse_hours("Di 14:00-18:00") == OpeningHours((Span(1, time(14), time(18)),))


def test_parse_english_names_any_case_newlines_and_spaces() -> None:
    hours = parse_hours("tu, TH 08:30 - 10:00\nsu 11:00-12:00")
    assert hours.spans == (Span(1, time(8, 30), time(10)), Span(3, time(8, 30), time(10)),
                           Span(6, time(11), time(12)))


def test_parse_range_wrapping_over_sunday() -> None:
    assert [span.weekday for span in parse_hours("Sa-Mo 10:00-11:00").spans] == [0, 5, 6]


@pytest.mark.parametrize("text", ["", "   ", "\n;\n"])
def test_empty_text_means_no_opening_hours(text: str) -> None:
    assert parse_hours(text) == OpeningHours(())


@pytest.mark.parametrize(("text", "message"), [
    ("Mx 09:00-12:00",
     "Öffnungszeiten: unbekannter Wochentag 'Mx' in 'Mx 09:00-12:00'"),
    ("Mo-Fr 09:00-16:00; Mo-Xy 10:00-11:00",
     "Öffnungszeiten: unbekannter Wochentag 'Xy' in 'Mo-Xy 10:00-11:00'"),
    ("Mo 25:00-26:00",
     "Öffnungszeiten: ungültige Uhrzeit '25:00' in 'Mo 25:00-26:00' (erwartet 00:00 bis 23:59)"),
    ("Mo 09:60-10:00",
     "Öffnungszeiten: ungültige Uhrzeit '09:60' in 'Mo 09:60-10:00' (erwartet 00:00 bis 23:59)"),
    ("Mo 9-12",
     "Öffnungszeiten: ungültige Uhrzeit '9' in 'Mo 9-12' (erwartet 00:00 bis 23:59)"),
    ("Mo 14:00-12:00",
     "Öffnungszeiten: Ende '12:00' liegt nicht nach Beginn '14:00' in 'Mo 14:00-12:00'"),
    ("Mo 09:00-09:00",
     "Öffnungszeiten: Ende '09:00' liegt nicht nach Beginn '09:00' in 'Mo 09:00-09:00'"),
    ("Mo 09:00",
     "Öffnungszeiten: Zeitraum '09:00' in 'Mo 09:00' nicht verstanden "
     "(erwartet z. B. '09:00-12:00')"),
    ("Mo-Di-Mi 09:00-10:00",
     "Öffnungszeiten: Tagesbereich 'Mo-Di-Mi' in 'Mo-Di-Mi 09:00-10:00' nicht verstanden"),
    ("Mo-Fr",
     "Öffnungszeiten: keine Uhrzeit in 'Mo-Fr' (z. B. 'Mo-Fr 09:00-16:00; Sa 10:00-12:00')"),
    ("09:00-12:00",
     "Öffnungszeiten: Wochentag fehlt vor '09:00-12:00' "
     "(z. B. 'Mo-Fr 09:00-16:00; Sa 10:00-12:00')"),
    ("immer offen",
     "Öffnungszeiten: 'immer offen' nicht verstanden "
     "(z. B. 'Mo-Fr 09:00-16:00; Sa 10:00-12:00')"),
    ("Mo 09:00-12:00; Mo 11:00-13:00",
     "Öffnungszeiten: am Mo überschneiden sich 09:00–12:00 und 11:00–13:00 in "
     "'Mo 09:00-12:00; Mo 11:00-13:00'"),
])
def test_every_kind_of_mistake_is_named_in_german(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_hours(text)
    assert str(raised.value) == message


def test_is_open_start_inclusive_end_exclusive() -> None:
    assert not is_open(WEEKDAYS, at(2026, 3, 6, 8, 59), BERLIN)
    assert is_open(WEEKDAYS, at(2026, 3, 6, 9), BERLIN)
    assert is_open(WEEKDAYS, at(2026, 3, 6, 15, 59), BERLIN)
    assert not is_open(WEEKDAYS, at(2026, 3, 6, 16), BERLIN)
    assert not is_open(WEEKDAYS, at(2026, 3, 8, 11), BERLIN)  # Sunday


def test_is_open_converts_the_moment_to_the_office_zone() -> None:
    assert is_open(WEEKDAYS, datetime(2026, 3, 6, 8, 0, tzinfo=UTC), BERLIN)  # 09:00 in Berlin
    assert not is_open(WEEKDAYS, datetime(2026, 3, 6, 15, 0, tzinfo=UTC), BERLIN)  # 16:00


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(WEEKDAYS, datetime(2026, 3, 6, 10), BERLIN)


def test_next_opening_while_open_is_the_moment_itself_in_the_office_zone() -> None:
    moment = datetime(2026, 3, 6, 10, 15, tzinfo=UTC)
    result = next_opening(WEEKDAYS, moment, BERLIN)
    assert result == moment
    assert result is not None and result.tzinfo is BERLIN and result.hour == 11


def test_next_opening_friday_evening_is_monday_morning() -> None:
    hours = parse_hours("Mo-Fr 09:00-16:00")
    assert next_opening(hours, at(2026, 3, 6, 18), BERLIN) == at(2026, 3, 9, 9)


def test_next_opening_friday_evening_with_saturday_hours() -> None:
    assert next_opening(WEEKDAYS, at(2026, 3, 6, 18), BERLIN) == at(2026, 3, 7, 10)


def test_next_opening_later_the_same_day_and_a_week_later() -> None:
    hours = parse_hours("Mi 13:00-14:00")
    assert next_opening(hours, at(2026, 3, 4, 9), BERLIN) == at(2026, 3, 4, 13)
    assert next_opening(hours, at(2026, 3, 4, 14), BERLIN) == at(2026, 3, 11, 13)


def test_next_opening_without_spans_is_none() -> None:
    assert next_opening(OpeningHours(()), at(2026, 3, 4, 9), BERLIN) is None


@pytest.mark.parametrize(("before", "utc_hour"), [
    (at(2026, 3, 27, 18), 7),   # spring forward on Sunday 29 March: 09:00 CEST = 07:00 UTC
    (at(2026, 10, 23, 18), 8),  # fall back on Sunday 25 October: 09:00 CET = 08:00 UTC
])
def test_next_opening_across_dst_is_nine_on_the_wall_clock(before: datetime,
                                                             utc_hour: int) -> None:
    hours = parse_hours("Mo-Fr 09:00-16:00")
    result = next_opening(hours, before, BERLIN)
    assert result is not None
    assert (result.tzinfo, result.time(), result.weekday()) == (BERLIN, time(9), 0)
    assert result.astimezone(UTC).hour == utc_hour
    assert result - before == timedelta(days=2, hours=15)  # wall-clock difference


@pytest.mark.parametrize(("month", "day", "utc_hour"), [(3, 29, 1), (10, 25, 2)])
def test_opening_on_the_day_of_the_switch_itself(month: int, day: int, utc_hour: int) -> None:
    hours = parse_hours("So 03:00-05:00")
    result = next_opening(hours, datetime(2026, month, day - 1, 12, tzinfo=UTC), BERLIN)
    assert result is not None
    assert (result.day, result.time(), result.astimezone(UTC).hour) == (day, time(3), utc_hour)


def test_next_opening_inside_the_skipped_spring_hour_is_the_real_instant() -> None:
    hours = parse_hours("So 02:30-04:00")
    result = next_opening(hours, datetime(2026, 3, 28, 12, tzinfo=UTC), BERLIN)
    assert result == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, 02:30 never happens
    assert result is not None and result.time() == time(3, 30)


def utc(moment: datetime | None) -> datetime | None:
    """Ambiguous local times never compare equal across zones (PEP 495): compare in UTC."""
    return None if moment is None else moment.astimezone(UTC)


def test_the_repeated_autumn_hour_opens_twice() -> None:
    hours = parse_hours("So 02:45-02:50")
    first_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second_0230 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, after the first 02:45
    assert utc(next_opening(hours, first_0230, BERLIN)) == datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
    assert utc(next_opening(hours, second_0230, BERLIN)) == datetime(2026, 10, 25, 1, 45,
                                                                     tzinfo=UTC)
    assert is_open(hours, datetime(2026, 10, 25, 1, 46, tzinfo=UTC), BERLIN)


def test_closes_at_in_the_second_pass_of_the_repeated_hour() -> None:
    hours = parse_hours("So 02:00-02:50")
    second_0230 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert utc(closes_at(hours, second_0230, BERLIN)) == datetime(2026, 10, 25, 1, 50, tzinfo=UTC)


def test_closes_at_is_the_end_of_the_open_span() -> None:
    assert closes_at(WEEKDAYS, at(2026, 3, 7, 10), BERLIN) == at(2026, 3, 7, 12)
    assert closes_at(WEEKDAYS, at(2026, 3, 7, 12), BERLIN) is None
    assert closes_at(WEEKDAYS, at(2026, 3, 8, 10), BERLIN) is None


def test_closes_at_follows_a_span_that_starts_when_the_first_ends() -> None:
    hours = parse_hours("Mo 09:00-12:00, 12:00-14:00, 15:00-16:00")
    assert closes_at(hours, at(2026, 3, 2, 11), BERLIN) == at(2026, 3, 2, 14)


def test_closes_at_in_the_office_zone_from_a_utc_moment() -> None:
    result = closes_at(WEEKDAYS, datetime(2026, 7, 1, 12, tzinfo=UTC), BERLIN)
    assert result == at(2026, 7, 1, 16)
    assert result is not None and result.tzinfo is BERLIN


def test_format_merges_consecutive_days_with_equal_times() -> None:
    assert format_hours(WEEKDAYS) == "Mo–Fr 09:00–16:00; Sa 10:00–12:00"


def test_format_lists_separate_days_and_several_ranges() -> None:
    hours = parse_hours("Mo,Mi 9:00-12:00, 13:00-16:00; Di 14:00-18:00; Fr 9:00-12:00, "
                        "13:00-16:00")
    assert format_hours(hours) == "Mo, Mi, Fr 09:00–12:00, 13:00–16:00; Di 14:00–18:00"


def test_format_of_no_hours_is_empty() -> None:
    assert format_hours(OpeningHours(())) == ""


@pytest.mark.parametrize("text", ["Mo-Fr 09:00-16:00; Sa 10:00-12:00", "Sa-Mo 10:00-11:00",
                                  "Mo,Mi,Do 9:00-12:00, 13:00-16:00; Di 14:00-18:00"])
def test_format_reads_back_to_the_same_hours(text: str) -> None:
    hours = parse_hours(text)
    assert parse_hours(format_hours(hours)) == hours
