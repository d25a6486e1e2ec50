"""Opening hours of a counselling office: parse, query and print a weekly schedule.

Operators type the hours once in an OSM-like notation (`Mo-Fr 09:00-16:00; Sa 10:00-12:00`), so
the parser must say in German exactly which part it did not understand. The queries work on the
office's wall clock (`datetime.combine(day, time, tzinfo=zone)`), never by adding hours to an
instant, so that "opens at 09:00" stays 09:00 on the days the clocks change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_DAYS = {"mo": 0, "di": 1, "tu": 1, "mi": 2, "we": 2, "do": 3, "th": 3, "fr": 4, "sa": 5,
         "so": 6, "su": 6}
_DASH = re.compile(r"\s*[-–]\s*")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_EXAMPLE = "z. B. 'Mo-Fr 09:00-16:00; Sa 10:00-12:00'"
_LOOKAHEAD_DAYS = 8  # a weekly schedule repeats after 7 days; one more is a safety margin


@dataclass(frozen=True)
class Span:
    """One opening interval on one weekday; `start` inclusive, `end` exclusive, same day."""

    weekday: int  # 0=Monday
    start: time
    end: time


@dataclass(frozen=True)
class OpeningHours:
    """A weekly schedule; no spans means the office publishes no opening hours."""

    spans: tuple[Span, ...]


def parse_hours(text: str) -> OpeningHours:
    """The schedule an operator wrote, or `ValueError` quoting the part that is wrong."""
    spans: list[Span] = []
    for group in re.split(r"[;\n]", text):
        if group.strip():
            spans += _parse_group(group.strip())
    ordered = sorted(set(spans), key=lambda s: (s.weekday, s.start, s.end))
    _reject_overlaps(ordered, text)
    return OpeningHours(tuple(ordered))


def _parse_group(group: str) -> list[Span]:
    """`Mo,Mi 09:00-12:00, 13:00-16:00` → one span per day and time range."""
    first_digit = re.search(r"\d", group)
    if first_digit is None:
        if all(_is_day_list(part) for part in group.split(",")):
            raise ValueError(f"Öffnungszeiten: keine Uhrzeit in '{group}' ({_EXAMPLE})")
        raise ValueError(f"Öffnungszeiten: '{group}' nicht verstanden ({_EXAMPLE})")
    day_text, time_text = group[:first_digit.start()], group[first_digit.start():]
    if not day_text.strip():
        raise ValueError(f"Öffnungszeiten: Wochentag fehlt vor '{group}' ({_EXAMPLE})")
    days = _parse_days(day_text, group)
    ranges = [_parse_range(part.strip(), group) for part in time_text.split(",")]
    return [Span(day, start, end) for day in days for start, end in ranges]


def _is_day_list(text: str) -> bool:
    """Whether `text` looks like `Mo` or `Mo-Fr` (to tell "times missing" from garbage)."""
    return all(part.strip().lower() in _DAYS for part in _DASH.split(text.strip()))


def _parse_days(text: str, group: str) -> list[int]:
    """`Mo,Mi` or `Mo-Fr` or `Sa-Mo` (wrapping over Sunday) → weekday numbers."""
    days: list[int] = []
    for item in text.split(","):
        ends = [_day(name, group) for name in _DASH.split(item.strip())]
        if len(ends) == 1:
            days.append(ends[0])
        elif len(ends) == 2:
            length = (ends[1] - ends[0]) % 7
            days += [(ends[0] + offset) % 7 for offset in range(length + 1)]
        else:
            raise ValueError(f"Öffnungszeiten: Tagesbereich '{item.strip()}' in '{group}' "
                             "nicht verstanden")
    return days


def _day(name: str, group: str) -> int:
    """A German or English two-letter weekday, any case."""
    try:
        return _DAYS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"Öffnungszeiten: unbekannter Wochentag '{name.strip()}' in '{group}'"
                         ) from None


def _parse_range(text: str, group: str) -> tuple[time, time]:
    """`09:00-12:00` → (start, end), with the end strictly after the start."""
    ends = _DASH.split(text)
    if len(ends) != 2:
        raise ValueError(f"Öffnungszeiten: Zeitraum '{text}' in '{group}' nicht verstanden "
                         "(erwartet z. B. '09:00-12:00')")
    start, end = (_time(part, group) for part in ends)
    if end <= start:
        raise ValueError(f"Öffnungszeiten: Ende '{ends[1]}' liegt nicht nach Beginn "
                         f"'{ends[0]}' in '{group}'")
    return start, end


def _time(text: str, group: str) -> time:
    """`9:00` or `09:00`; 24:00 does not exist here — a span ends at 23:59 at the latest."""
    match = _TIME.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"Öffnungszeiten: ungültige Uhrzeit '{text}' in '{group}' "
                         "(erwartet 00:00 bis 23:59)")
    return time(int(match[1]), int(match[2]))


def _reject_overlaps(spans: list[Span], text: str) -> None:
    """Overlapping spans are a typing mistake, and they would make `closes_at` ambiguous."""
    for before, after in zip(spans, spans[1:], strict=False):
        if before.weekday == after.weekday and after.start < before.end:
            raise ValueError(f"Öffnungszeiten: am {DAY_NAMES[before.weekday]} überschneiden "
                             f"sich {_span_text(before)} und {_span_text(after)} in '{text}'")


def is_open(hours: OpeningHours, moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the office is open at `moment` (any zone), judged by its own wall clock."""
    return _open_span(hours, moment, zone) is not None


def next_opening(hours: OpeningHours, moment: datetime, zone: ZoneInfo) -> datetime | None:
    """`moment` if open, else the next start of a span (in `zone`); None without spans."""
    local = _local(moment, zone)
    if _open_span(hours, moment, zone) is not None:
        return local
    for day in _days_from(local.date()):
        starts = [start for span in _spans_on(hours, day.weekday())
                  if (start := _first_after(day, span.start, zone, moment)) is not None]
        if starts:
            return min(starts, key=lambda start: start.astimezone(UTC))
    return None


def closes_at(hours: OpeningHours, moment: datetime, zone: ZoneInfo) -> datetime | None:
    """When the span open at `moment` ends (following spans that start right then), else None."""
    span = _open_span(hours, moment, zone)
    if span is None:
        return None
    end = span.end
    for later in _spans_on(hours, span.weekday):
        if later.start == end:
            end = later.end
    return _first_after(_local(moment, zone).date(), end, zone, moment)


def format_hours(hours: OpeningHours) -> str:
    """Canonical German text that `parse_hours` reads back to the same schedule ("" if none)."""
    by_day = {day: tuple(_span_text(s) for s in _spans_on(hours, day)) for day in range(7)}
    groups: dict[tuple[str, ...], list[int]] = {}
    for day, times in by_day.items():
        if times:
            groups.setdefault(times, []).append(day)
    return "; ".join(f"{_days_text(days)} {', '.join(times)}" for times, days in groups.items())


def _days_text(days: list[int]) -> str:
    """`[0, 1, 2, 4]` → `Mo–Mi, Fr`: runs of consecutive days become a range."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(DAY_NAMES[run[0]] if len(run) == 1
                     else f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}" for run in runs)


def _span_text(span: Span) -> str:
    return f"{span.start:%H:%M}–{span.end:%H:%M}"


def _open_span(hours: OpeningHours, moment: datetime, zone: ZoneInfo) -> Span | None:
    """The span containing `moment` on the office's wall clock, if any."""
    local = _local(moment, zone)
    now = local.time()
    return next((s for s in _spans_on(hours, local.weekday()) if s.start <= now < s.end), None)


def _spans_on(hours: OpeningHours, weekday: int) -> Iterator[Span]:
    return (s for s in hours.spans if s.weekday == weekday)


def _days_from(first: date) -> Iterator[date]:
    return (first + timedelta(days=offset) for offset in range(_LOOKAHEAD_DAYS))


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` on the office's clock; a naive moment would silently mean the server's zone."""
    if moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got {moment!r}")
    return moment.astimezone(zone)


def _first_after(day: date, at: time, zone: ZoneInfo, moment: datetime) -> datetime | None:
    """The first instant after `moment` at which the office's clock shows `at` on `day`.

    Built on the wall clock, so 09:00 stays 09:00 across DST changes. In autumn 02:00–03:00 is
    shown twice (fold 0, then fold 1) and both count, as in `is_open`; a time skipped in spring
    (02:30) becomes the real instant after the gap (03:30). Compared in UTC, because `>` between
    datetimes of one zone ignores `fold`.
    """
    wall = datetime.combine(day, at, tzinfo=zone)
    for candidate in (wall, wall.replace(fold=1)):
        instant = candidate.astimezone(UTC)
        if instant > moment.astimezone(UTC):
            return instant.astimezone(zone)
    return None
