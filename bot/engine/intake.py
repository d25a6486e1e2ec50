"""The intake keys of content/intake.md: what may be stored, its values, which are sensitive.

This table is the data contract shared by the flow validator, the runtime (parsing answers),
`lotse simulate`, the counsellors' summary and the data export. Keys and values are never
translated; the German labels are for the counsellors' summary (`summary_de`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    BOOL = "bool"
    DATE = "date"
    ENUM = "enum"
    INT = "int"
    TEXT = "text"
    PHONE = "phone"
    COUNTRY = "country"
    LANGUAGE = "language"


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    label_de: str
    sensitive: bool
    minimum: bool
    values: tuple[str, ...] = ()  # enum values, or extra string values of a bool field
    max_length: int = 0


def _f(key: str, kind: Kind, label: str, sensitive: bool, minimum: bool,
       values: tuple[str, ...] = (), max_length: int = 0) -> Field:
    return Field(key, kind, label, sensitive, minimum, values, max_length)


B, D, E, I = Kind.BOOL, Kind.DATE, Kind.ENUM, Kind.INT  # noqa: E741

FIELDS: dict[str, Field] = {f.key: f for f in (
    _f("language", Kind.LANGUAGE, "Sprache", False, True),
    _f("interpreter", B, "Dolmetschung gewünscht", False, True),
    _f("contact_name", Kind.TEXT, "Name (oder Pseudonym)", True, True, max_length=80),
    _f("contact_phone", Kind.PHONE, "Telefon", True, False),
    _f("deportation_date_known", B, "Abschiebungstermin bekannt / Polizei da gewesen", True, True),
    _f("in_detention", B, "Person oder Angehörige in Haft/Gewahrsam", True, True),
    _f("letter_with_deadline", B, "Brief mit Frist", True, True),
    _f("duldung_expires", D, "Duldung gültig bis", True, True),
    _f("permit_expires", D, "Aufenthaltserlaubnis gültig bis", True, False),
    _f("paper", E, "Papier", True, True, ("duldung", "duldung_60b", "ausbildungsduldung",
       "beschaeftigungsduldung", "gestattung", "permit_104c", "other", "none", "unknown")),
    _f("duldung_since", D, "Erste Duldung seit", True, True),
    _f("entry_date", D, "Einreise", True, True),
    _f("long_stays_abroad", B, "Auslandsaufenthalte über 3 Monate", True, False),
    _f("birth_date", D, "Geburtsdatum", True, False),
    _f("age_group", E, "Altersgruppe", True, True, ("under_14", "14_17", "18_26", "27_plus")),
    _f("country", Kind.COUNTRY, "Herkunftsland", True, True),
    _f("asylum", E, "Asylverfahren", True, True,
       ("never", "pending", "rejected_final", "court_pending")),
    _f("passport", E, "Pass", True, True, ("valid", "expired", "id_card_only", "none")),
    _f("passport_efforts", B, "Nachgewiesene Passbemühungen", True, False),
    _f("partner", B, "Partner/in", True, True),
    _f("minor_children", I, "Minderjährige Kinder im Haushalt", True, True),
    _f("children_in_school", B, "Kinder besuchen die Schule", True, True, ("not_applicable",)),
    _f("school_years_de", I, "Schuljahre in Deutschland", False, False),
    _f("employed", B, "Beschäftigt", False, True),
    _f("employed_since", D, "Beschäftigt seit", False, True),
    _f("hours_per_week", I, "Wochenstunden", False, True),
    _f("social_insurance", B, "Sozialversicherungspflichtig", False, False, ("unknown",)),
    _f("training", E, "Ausbildung", False, True, ("none", "offer", "in_training",
       "completed_de", "degree_de", "foreign_degree")),
    _f("german_level", E, "Deutschkenntnisse", False, True,
       ("none", "A1", "A2", "B1", "B2_plus", "unknown")),
    _f("lid_test", B, "Test „Leben in Deutschland“ / deutsches Schulzeugnis", False, False),
    _f("livelihood", E, "Lebensunterhalt selbst gesichert", True, False,
       ("all", "most", "part", "none")),
    _f("conviction", E, "Verurteilung (nur ja/nein)", True, False, ("no", "yes", "unknown")),
    _f("lawyer", B, "Anwältin/Anwalt vorhanden", False, True),
    _f("health_to_discuss", B, "Möchte über Gesundheit sprechen", True, False),
    _f("consent", B, "Einwilligung", False, True),
)}

#: Keys a question may store (language and consent are set by the bot itself).
ASKABLE = frozenset(FIELDS) - {"language", "consent"}

_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def parse_date(value: str) -> date:
    """Parse an ISO `YYYY-MM-DD` or `YYYY-MM` answer; a month means its 1st (intake.md)."""
    match = _DATE.match(value)
    if not match:
        raise ValueError(f"not a date: {value!r}")
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    return date(year, month, day)


def check_value(key: str, value: Any) -> str | None:
    """Return why `value` is not allowed under `key`, or None when it is.

    `None` (the person preferred not to say) is allowed for every key.
    """
    spec = FIELDS.get(key)
    if spec is None:
        return f"unknown intake key '{key}'"
    if value is None:
        return None
    kind = spec.kind
    if kind is Kind.BOOL:
        if isinstance(value, bool) or value in spec.values:
            return None
        allowed = ", ".join(["true", "false", *spec.values])
        return f"'{key}' must be one of {allowed}, not {value!r}"
    if kind is Kind.ENUM:
        return None if value in spec.values else (
            f"'{key}' must be one of {', '.join(spec.values)}, not {value!r}")
    if kind is Kind.INT:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else f"'{key}' must be a whole number ≥ 0, not {value!r}"
    if kind is Kind.DATE:
        try:
            parse_date(str(value))
        except ValueError:
            return f"'{key}' must be a date YYYY-MM-DD or YYYY-MM, not {value!r}"
        return None
    if kind is Kind.PHONE:
        return None if isinstance(value, str) and (value == "" or _PHONE.match(value)) else (
            f"'{key}' must be an E.164 phone number such as +4915112345678")
    if kind is Kind.COUNTRY:
        ok = isinstance(value, str) and (
            _COUNTRY.match(value) is not None or value in ("stateless", "unknown"))
        return None if ok else f"'{key}' must be an ISO country code, 'stateless' or 'unknown'"
    if not isinstance(value, str):
        return f"'{key}' must be text"
    if spec.max_length and len(value) > spec.max_length:
        return f"'{key}' is longer than {spec.max_length} characters"
    return None
