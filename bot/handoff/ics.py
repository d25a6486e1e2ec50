"""Appointment slots from an iCalendar file, and booked appointments as an iCalendar feed.

Counselling offices already keep their free slots in some calendar (Nextcloud, Outlook, Google)
and can export it as .ics; importing that beats asking them to type slots twice. The file comes
from an operator, so everything Lotse cannot use is an `IcsError` with a German message that
names the event — never a silent guess about when a person is expected at the office.

Recurring events are expanded with `dateutil.rrule`: python-dateutil is a hard dependency of
icalendar (icalendar imports it itself), so it is always importable where this module is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, takewhile
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr  # type: ignore[import-untyped]
from icalendar import Calendar, Component, Event, vDDDTypes

PRODID = "-//Lotse//Beratungstermine//DE"
MAX_DAYS = 366
MAX_OCCURRENCES = 500
STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})


class IcsError(ValueError):
    """An iCalendar file Lotse cannot use; the German message is meant for the operator."""


@dataclass(frozen=True)
class ImportedSlot:
    """One bookable appointment slot; both datetimes are aware and in UTC."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str


@dataclass(frozen=True)
class FeedEvent:
    """One appointment for the counsellors' calendar feed; datetimes must be aware."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    status: str = "CONFIRMED"


def read_slots(data: bytes, zone: ZoneInfo) -> list[ImportedSlot]:
    """Every usable VEVENT of `data` as a slot, sorted by start; floating times are in `zone`.

    Modified occurrences of a series (RECURRENCE-ID) replace the occurrence they modify, and
    cancelled ones remove it, so that a changed or cancelled date is not offered twice or at all.
    """
    events = [event for calendar in _calendars(data) for event in calendar.walk("VEVENT")]
    masters = [event for event in events if "RECURRENCE-ID" not in event]
    cancelled = {str(event.get("UID")) for event in masters if _cancelled(event)}
    slots: dict[str, ImportedSlot] = {}
    for event in masters:
        if not _cancelled(event):
            for slot in _expand(event, zone):
                _put(slots, slot, event)
    for event in events:
        if "RECURRENCE-ID" in event and str(event.get("UID")) not in cancelled:
            _override(slots, event, zone)
    return sorted(slots.values(), key=lambda slot: (slot.starts_at, slot.uid))


def write_feed(calendar_name: str, events: Iterable[FeedEvent], *,
               stamp: datetime | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per event, all times in UTC; `stamp` is the DTSTAMP (now)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    now = _utc(stamp or datetime.now(UTC), "stamp")
    for event in events:
        calendar.add_component(_vevent(event, now))
    ical: bytes = calendar.to_ical()
    return ical


def _vevent(event: FeedEvent, now: datetime) -> Event:
    """The VEVENT for `event`; empty DESCRIPTION/LOCATION are left out, not written empty."""
    if event.status not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}, got {event.status!r}")
    starts, ends = _utc(event.starts_at, "starts_at"), _utc(event.ends_at, "ends_at")
    if ends <= starts:
        raise ValueError(f"event {event.uid!r} ends at {ends} before it starts at {starts}")
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", starts)
    vevent.add("dtend", ends)
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    vevent.add("status", event.status)
    return vevent


def _utc(moment: datetime, name: str) -> datetime:
    """`moment` in UTC; a naive datetime would be written as a floating time, i.e. wrong."""
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def _calendars(data: bytes) -> list[Component]:
    """The VCALENDARs in `data`; the parser's own English message would not help an operator."""
    if not data.strip():
        raise IcsError("Die Datei ist leer – bitte den Kalender erneut als .ics exportieren.")
    try:
        found = Calendar.from_ical(data, multiple=True)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise IcsError("Die Datei ist keine lesbare iCalendar-Datei (.ics). Bitte den Kalender "
                       "erneut im Format iCalendar exportieren.") from exc
    calendars: list[Component] = [component for component in found if component.name == "VCALENDAR"]
    if not calendars:
        raise IcsError("Die Datei enthält keinen vollständigen Kalender (BEGIN:VCALENDAR … "
                       "END:VCALENDAR fehlt). Bitte den Kalender erneut exportieren.")
    return calendars


def _put(slots: dict[str, ImportedSlot], slot: ImportedSlot, event: Component) -> None:
    """Add `slot`; two different events under one UID would make one of them vanish."""
    if slots.get(slot.uid, slot) != slot:
        raise IcsError(f"Termin {_label(event)}: dieselbe UID gehört zu mehreren Terminen")
    slots[slot.uid] = slot


def _override(slots: dict[str, ImportedSlot], event: Component, zone: ZoneInfo) -> None:
    """Apply a modified (or cancelled) occurrence of a series to the expanded slots."""
    if not event.get("UID"):
        raise IcsError(f"Termin {_label(event)}: geänderter Serientermin ohne UID")
    uid = _occurrence_uid(str(event["UID"]), _moment(event, "RECURRENCE-ID", zone))
    if _cancelled(event):
        slots.pop(uid, None)
        return
    start, end = _bounds(event, zone)
    slots[uid] = _slot(uid, start, end, event)


def _expand(event: Component, zone: ZoneInfo) -> list[ImportedSlot]:
    """The event itself, or each occurrence of its RRULE within the expansion limits."""
    start, end = _bounds(event, zone)
    uid = _uid(event, start, end)
    if "RRULE" not in event:
        return [_slot(uid, start, end, event)]
    length = end.astimezone(UTC) - start.astimezone(UTC)  # RFC 5545: the same exact duration
    return [_slot(_occurrence_uid(uid, occurrence), occurrence, occurrence + length, event)
            for occurrence in _occurrences(event, start)]


def _occurrences(event: Component, start: datetime) -> list[datetime]:
    """Starts of a series, on the wall clock of DTSTART's zone (09:00 stays 09:00 after DST).

    Known cost: a rule no date satisfies (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) makes dateutil
    search up to the year 9999 — seconds of CPU — so callers run `read_slots` off the event loop.
    """
    series = rruleset()
    series.rdate(start)  # RFC 5545: DTSTART is always the first occurrence
    for recur in _as_list(event.get("RRULE")):
        series.rrule(_rule(recur, start, event))
    for excluded in _as_list(event.get("EXDATE")):
        for value in excluded.dts:
            series.exdate(_like(value.dt, start))
    limit = start + timedelta(days=MAX_DAYS)
    return list(islice(takewhile(lambda moment: moment <= limit, series), MAX_OCCURRENCES))


def _rule(recur: Any, start: datetime, event: Component) -> Any:
    """A dateutil rule for `recur`, with UNTIL made UTC as dateutil needs for an aware start."""
    recur = recur.copy()
    if recur.get("UNTIL"):
        until = recur["UNTIL"][0]
        if not isinstance(until, datetime):
            until = datetime.combine(until, time(23, 59, 59))  # a date means "up to that day"
        recur["UNTIL"] = [_like(until, start).astimezone(UTC)]
    text = recur.to_ical().decode()
    try:
        return rrulestr(text, dtstart=start)
    except (ValueError, TypeError) as exc:
        raise IcsError(f"Termin {_label(event)}: Wiederholungsregel '{text}' ist ungültig"
                       ) from exc


def _like(value: date, start: datetime) -> datetime:
    """An EXDATE/UNTIL value comparable with `start`: aware, floating ones in start's zone."""
    if not isinstance(value, datetime):
        return datetime.combine(value, start.timetz())  # a date excludes the day's occurrence
    return value if value.tzinfo is not None else value.replace(tzinfo=start.tzinfo)


def _bounds(event: Component, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end of `event` (end from DTEND or DURATION); the end must follow the start."""
    start = _moment(event, "DTSTART", zone)
    duration = event.get("DURATION")
    if "DTEND" in event:
        end = _moment(event, "DTEND", zone)
    elif isinstance(duration, vDDDTypes) and isinstance(duration.dt, timedelta):
        end = start.astimezone(UTC) + duration.dt
    else:
        raise IcsError(f"Termin {_label(event)}: weder Ende (DTEND) noch Dauer (DURATION)")
    if end <= start:
        raise IcsError(f"Termin {_label(event)}: das Ende liegt nicht nach dem Beginn")
    return start, end


def _moment(event: Component, name: str, zone: ZoneInfo) -> datetime:
    """The aware datetime of property `name`; floating times are taken to be in `zone`."""
    prop = event.get(name)
    value = prop.dt if isinstance(prop, vDDDTypes) else None
    if name == "DTSTART" and isinstance(value, date) and not isinstance(value, datetime):
        raise IcsError(f"Termin {_label(event)}: ein ganztägiger Termin ({value:%d.%m.%Y}) "
                       "kann kein Beratungstermin sein")
    if not isinstance(value, datetime):
        raise IcsError(f"Termin {_label(event)}: {name} fehlt oder ist kein Zeitpunkt")
    if value.tzinfo is not None:
        return value
    if "TZID" in prop.params:
        raise IcsError(f"Termin {_label(event)}: unbekannte Zeitzone '{prop.params['TZID']}'")
    return value.replace(tzinfo=zone)


def _slot(uid: str, start: datetime, end: datetime, event: Component) -> ImportedSlot:
    return ImportedSlot(uid, start.astimezone(UTC), end.astimezone(UTC),
                        str(event.get("SUMMARY", "")))


def _uid(event: Component, start: datetime, end: datetime) -> str:
    """The event's UID, or one derived from its content so that re-imports keep it stable."""
    if event.get("UID"):
        return str(event["UID"])
    key = "|".join((_stamp(start), _stamp(end), str(event.get("SUMMARY", ""))))
    return "sha256-" + hashlib.sha256(key.encode()).hexdigest()


def _occurrence_uid(uid: str, start: datetime) -> str:
    return f"{uid}/{_stamp(start)}"


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _cancelled(event: Component) -> bool:
    return str(event.get("STATUS", "")).upper() == "CANCELLED"


def _label(event: Component) -> str:
    """How an error names the event: its title and, if there is one, its UID."""
    summary = str(event.get("SUMMARY", "")) or "ohne Titel"
    return f"'{summary}' (UID {event['UID']})" if event.get("UID") else f"'{summary}'"


def _as_list(value: Any) -> list[Any]:
    """icalendar gives one value for a property that occurs once, a list if it repeats."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
