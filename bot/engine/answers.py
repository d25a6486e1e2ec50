"""Parse what a person typed into an intake value: dates, numbers, phone numbers, countries.

Every failure is a `Msg` to show (in the person's language) and a repeat of the question — never
an exception, whatever the input.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from rapidfuzz import fuzz, process

from bot.engine.intake import FIELDS
from bot.engine.io import N_, Msg
from bot.engine.model import InputKind, Node
from bot.engine.normalize import ascii_digits, normalize, strip_invisible

PAST_ONLY = frozenset({"entry_date", "duldung_since", "employed_since", "birth_date"})
MAX_TEXT = 500

_FULL = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})$"),
)
_MONTH = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$"),
    re.compile(r"^(?P<m>\d{1,2})[./-](?P<y>\d{4})$"),
)


class Invalid(ValueError):
    """The input does not fit; `msg` says how to write it."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.msgid)
        self.msg = msg


def parse(node: Node, raw: str, today: date, language: str) -> object:
    """The value to store for `raw` typed at question `node` (not for choice inputs)."""
    text = strip_invisible(raw).strip()
    if not text:
        raise Invalid(Msg(N_("Please write an answer, or choose “I'd rather not say”.")))
    if len(text) > MAX_TEXT:
        raise Invalid(Msg(N_("That is too long. Please write a short answer.")))
    kind = node.input
    if kind in (InputKind.DATE, InputKind.MONTH):
        return parse_date(text, node.key, today, month_only=kind is InputKind.MONTH)
    if kind is InputKind.NUMBER:
        return parse_number(text, node.minimum or 0, node.maximum if node.maximum is not None
                            else 999)
    if kind is InputKind.PHONE:
        return parse_phone(text)
    if kind is InputKind.COUNTRY:
        return parse_country(text, language)
    limit = node.max_length or FIELDS[node.key].max_length or 200
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        raise Invalid(Msg(N_("Please write at most {limit} characters."), {"limit": str(limit)}))
    return cleaned


def parse_date(text: str, key: str, today: date, *, month_only: bool) -> str:
    value = ascii_digits(text).strip().replace(" ", "")
    example = Msg(N_("Please write the date like 15.03.2019, or only month and year like "
                     "03/2019."))
    for pattern in _FULL:
        match = pattern.match(value)
        if match:
            day = _make(int(match["y"]), int(match["m"]), int(match["d"]), example)
            _check_range(day, key, today)
            return day.strftime("%Y-%m") if month_only else day.isoformat()
    for pattern in _MONTH:
        match = pattern.match(value)
        if match:
            day = _make(int(match["y"]), int(match["m"]), 1, example)
            _check_range(day, key, today)
            return day.strftime("%Y-%m")
    raise Invalid(example)


def _make(year: int, month: int, day: int, example: Msg) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid(example) from None


def _check_range(day: date, key: str, today: date) -> None:
    if day.year < 1900 or day.year > today.year + 30:
        raise Invalid(Msg(N_("Please check the year.")))
    if key in PAST_ONLY and day > today:
        raise Invalid(Msg(N_("This date cannot be in the future. Please check it.")))


def parse_number(text: str, low: int, high: int) -> int:
    value = ascii_digits(text).strip()
    if not re.fullmatch(r"\d{1,4}", value) or not low <= int(value) <= high:
        raise Invalid(Msg(N_("Please write a number from {low} to {high}."),
                          {"low": str(low), "high": str(high)}))
    return int(value)


def parse_phone(text: str) -> str:
    value = re.sub(r"[\s()./-]", "", ascii_digits(text))
    if value.startswith("00"):
        value = "+" + value[2:]
    if not re.fullmatch(r"\+[1-9]\d{6,14}", value):
        raise Invalid(Msg(N_("Please write the number with the country code, like "
                             "+49 151 1234567.")))
    return value


#: "No nationality" and "I don't know" as people type them, in the supported languages.
STATELESS = frozenset(normalize(w) for w in (
    "staatenlos", "stateless", "no nationality", "apatride", "sans nationalite",
    "без гражданства", "апатрид", "بدون جنسية", "عديم الجنسية", "بی تابعیت", "بدون تابعیت",
    "بې تابعیته", "بے وطن", "بغیر شہریت", "მოქალაქეობის გარეშე", "bê hemwelatî", "vatansiz",
    "bê welat", "بێ ڕەگەزنامە"))
UNKNOWN = frozenset(normalize(w) for w in (
    "weiß nicht", "weiss nicht", "unbekannt", "unknown", "don't know", "dont know",
    "je ne sais pas", "inconnu", "не знаю", "لا أعرف", "نمی دانم", "نمیدانم", "نه پوهېږم",
    "معلوم نہیں", "არ ვიცი", "bilmiyorum", "nizanim", "نازانم"))


def parse_country(text: str, language: str) -> str:
    needle = normalize(text)
    if needle in STATELESS:
        return "stateless"
    if needle in UNKNOWN:
        return "unknown"
    if re.fullmatch(r"[a-z]{2}", needle) and needle.upper() in _names("en").values():
        return needle.upper()
    names = _country_choices(language)
    found = process.extractOne(needle, list(names), scorer=fuzz.WRatio, processor=None,
                               score_cutoff=88)
    if found is None:
        raise Invalid(Msg(N_("I did not recognise this country. Please write its name again, "
                             "or choose a button.")))
    return names[found[0]]


@lru_cache(maxsize=32)
def _names(language: str) -> dict[str, str]:
    """Normalised country name → ISO code, from Babel's CLDR data for `language`."""
    try:
        territories = Locale.parse(language).territories
    except (UnknownLocaleError, ValueError):
        return {}
    return {normalize(name): code for code, name in territories.items()
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO")}


@lru_cache(maxsize=32)
def _country_choices(language: str) -> dict[str, str]:
    choices: dict[str, str] = {}
    for lang in ("de", "en", language):
        choices.update(_names(lang))
    return choices
