"""Pathway tags, urgency and priority from intake answers — the rules table of content/intake.md.

Every rule leans towards "talk to a counsellor": a condition whose input is missing or `unknown`
never excludes a pathway (three-valued logic: True, False, None = not known), but each pathway's
defining condition must be known and true, so an empty pre-screening tags nothing.
The result is a prompt for a counsellor, never a verdict shown as one to the person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.engine.intake import FIELDS, parse_date

Tri = bool | None
Answers = Mapping[str, Any]

PATHWAYS = ("25a", "25b", "60d", "60c", "16g", "19d", "spurwechsel", "25_5", "104c_followup", "23a")
FLAGS = ("identity_first", "conviction_discuss")
ALL_TAGS = PATHWAYS + FLAGS

SPURWECHSEL_CUTOFF = date(2023, 3, 29)
ENTRY_CUTOFF_60D = date(2022, 12, 31)


@dataclass(frozen=True)
class Outcome:
    pathways: tuple[str, ...]
    urgent: bool
    priority: str  # "urgent" | "high" | "normal"


# --- reading answers -------------------------------------------------------------------------

def value(answers: Answers, key: str) -> Any:
    """The answer under `key`, or None when missing, skipped or `unknown`."""
    raw = answers.get(key)
    return None if raw == "unknown" else raw


def when(answers: Answers, key: str) -> date | None:
    raw = value(answers, key)
    try:
        return parse_date(str(raw)) if raw is not None else None
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def whole_months(start: date, today: date) -> int:
    months = (today.year - start.year) * 12 + today.month - start.month
    return months - 1 if today.day < start.day else months


def whole_years(start: date, today: date) -> int:
    return whole_months(start, today) // 12


def months_since(answers: Answers, key: str, today: date) -> int | None:
    start = when(answers, key)
    return whole_months(start, today) if start else None


def years_in_de(answers: Answers, today: date) -> int | None:
    entry = when(answers, "entry_date")
    return whole_years(entry, today) if entry else None


# --- three-valued logic ----------------------------------------------------------------------

def tri_and(*parts: Tri) -> Tri:
    if any(p is False for p in parts):
        return False
    return None if any(p is None for p in parts) else True


def tri_or(*parts: Tri) -> Tri:
    if any(p is True for p in parts):
        return True
    return None if any(p is None for p in parts) else False


def cmp(number: int | None, test: Callable[[int], bool]) -> Tri:
    return None if number is None else test(number)


def eq(answers: Answers, key: str, *allowed: Any) -> Tri:
    raw = value(answers, key)
    return None if raw is None else raw in allowed


def neq(answers: Answers, key: str, *excluded: Any) -> Tri:
    result = eq(answers, key, *excluded)
    return None if result is None else not result


def under_27(answers: Answers, today: date) -> Tri:
    """With a birth date, "under 27" means the 27th birthday is after today."""
    born = when(answers, "birth_date")
    return None if born is None else add_years(born, 27) > today


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


# --- the rules table -------------------------------------------------------------------------

def _tag(defining: Tri, *further: Tri) -> bool:
    """Tag when the defining condition is known and true and no known answer excludes."""
    return defining is True and tri_and(*further) is not False


def _rule_25a(a: Answers, today: date) -> bool:
    months = months_since(a, "duldung_since", today)
    return _tag(
        tri_or(eq(a, "age_group", "14_17", "18_26"), under_27(a, today)),
        cmp(years_in_de(a, today), lambda y: y >= 3),
        tri_or(cmp(months, lambda m: m >= 12), eq(a, "paper", "permit_104c")),
        tri_or(cmp(value(a, "school_years_de"), lambda y: y >= 3),
               eq(a, "training", "completed_de", "degree_de")),
        neq(a, "paper", "gestattung"),
    )


def _rule_25b(a: Answers, today: date) -> bool:
    years = years_in_de(a, today)
    return _tag(
        tri_or(cmp(years, lambda y: y >= 6),
               tri_and(cmp(years, lambda y: y >= 4),
                       cmp(value(a, "minor_children"), lambda n: n >= 1))),
        neq(a, "age_group", "under_14", "14_17"),
        neq(a, "paper", "gestattung"),
    )


def _rule_60d(a: Answers, today: date) -> bool:
    entry = when(a, "entry_date")
    return _tag(
        eq(a, "employed", True),
        None if entry is None else entry <= ENTRY_CUTOFF_60D,
        cmp(months_since(a, "employed_since", today), lambda m: m >= 12),
        cmp(value(a, "hours_per_week"), lambda h: h >= 20),
        cmp(months_since(a, "duldung_since", today), lambda m: m >= 12),
        neq(a, "paper", "gestattung", "permit_104c"),
    )


def _rule_60c(a: Answers, _today: date) -> bool:
    return _tag(eq(a, "training", "offer", "in_training"), neq(a, "paper", "permit_104c"))


def _rule_16g(a: Answers, _today: date) -> bool:
    return _tag(eq(a, "training", "offer", "in_training"),
                eq(a, "passport", "valid"), neq(a, "paper", "permit_104c"))


def _rule_19d(a: Answers, today: date) -> bool:
    employed = eq(a, "employed", True)
    months = months_since(a, "employed_since", today)
    german_qualification = eq(a, "training", "completed_de", "degree_de")
    foreign_degree = tri_and(eq(a, "training", "foreign_degree"), employed,
                             cmp(months, lambda m: m >= 24))
    long_employment = tri_and(employed, cmp(months, lambda m: m >= 36))
    if german_qualification is True or foreign_degree is True:
        return True
    return _tag(long_employment, eq(a, "livelihood", "all"))


def _rule_spurwechsel(a: Answers, _today: date) -> bool:
    entry = when(a, "entry_date")
    return _tag(
        eq(a, "asylum", "pending", "court_pending"),
        None if entry is None else entry < SPURWECHSEL_CUTOFF,
        tri_or(eq(a, "training", "completed_de", "degree_de", "foreign_degree"),
               eq(a, "employed", True)),
    )


def _rule_25_5(a: Answers, today: date) -> bool:
    return _tag(
        tri_or(eq(a, "health_to_discuss", True),
               tri_and(eq(a, "passport", "none"), eq(a, "passport_efforts", True))),
        cmp(months_since(a, "duldung_since", today), lambda m: m >= 18),
    )


def _rule_104c(a: Answers, _today: date) -> bool:
    return eq(a, "paper", "permit_104c") is True


_PATHWAY_RULES: tuple[tuple[str, Callable[[Answers, date], bool]], ...] = (
    ("25a", _rule_25a), ("25b", _rule_25b), ("60d", _rule_60d), ("60c", _rule_60c),
    ("16g", _rule_16g), ("19d", _rule_19d), ("spurwechsel", _rule_spurwechsel),
    ("25_5", _rule_25_5), ("104c_followup", _rule_104c),
)


def pathways(answers: Answers, today: date) -> tuple[str, ...]:
    """All pathway tags and flags for `answers` on `today`, sorted, without duplicates.

    § 23a (Härtefallkommission) is only a prompt where nothing else fits. Its own condition
    (`years_in_de` ≥ 5) must be known: otherwise an empty pre-screening would be tagged,
    which intake.md rules out ("an empty pre-screening tags nothing").
    """
    tags = {tag for tag, rule in _PATHWAY_RULES if rule(answers, today)}
    if not tags and cmp(years_in_de(answers, today), lambda y: y >= 5) is True:
        tags.add("23a")
    if tri_or(eq(answers, "passport", "none", "expired"),
              eq(answers, "paper", "duldung_60b")) is True:
        tags.add("identity_first")
    if eq(answers, "conviction", "yes") is True:
        tags.add("conviction_discuss")
    return tuple(sorted(tags))


def is_urgent(answers: Answers, today: date) -> bool:
    """Deportation date, detention, a letter with a deadline, or a Duldung ending within 7 days."""
    if any(answers.get(k) is True
           for k in ("deportation_date_known", "in_detention", "letter_with_deadline")):
        return True
    expires = when(answers, "duldung_expires")
    return expires is not None and expires <= today + timedelta(days=7)


def priority(answers: Answers, today: date) -> str:
    """`urgent`, `high` (§ 104c permit ending within 8 weeks or unknown; 27th birthday within
    6 months — the § 25a deadline) or `normal`."""
    if is_urgent(answers, today):
        return "urgent"
    if eq(answers, "paper", "permit_104c") is True:
        ends = when(answers, "permit_expires")
        if ends is None or ends <= today + timedelta(weeks=8):
            return "high"
    born = when(answers, "birth_date")
    if born is not None:
        birthday = add_years(born, 27)
        if today < birthday <= add_months(today, 6):
            return "high"
    return "normal"


def evaluate(answers: Answers, today: date) -> Outcome:
    """Pathways, urgency and priority together, as `lotse simulate` and the result node need."""
    return Outcome(pathways(answers, today), is_urgent(answers, today), priority(answers, today))


def summary_de(answers: Answers, outcome: Outcome, extra: Iterable[str] = ()) -> str:
    """A short German summary for the counsellors: urgency first, then every answer given."""
    lines = [f"Dringlichkeit: {_PRIORITY_DE[outcome.priority]}"]
    if outcome.pathways:
        lines.append("Zu besprechen: " + ", ".join(outcome.pathways))
    lines.extend(extra)
    for key, spec in FIELDS.items():
        if key in answers and key != "consent":
            lines.append(f"{spec.label_de}: {value_de(answers[key])}")
    return "\n".join(lines)


_PRIORITY_DE = {"urgent": "DRINGEND", "high": "hoch", "normal": "normal"}


def value_de(raw: Any) -> str:
    """An answer as the counsellors read it (summary and inbox alike)."""
    if raw is None:
        return "keine Angabe"
    if raw is True:
        return "ja"
    if raw is False:
        return "nein"
    if raw == "unknown":
        return "unbekannt"
    return str(raw)
