"""The rules table of content/intake.md, one table-driven test per row, "today" fixed.

Each row is checked three ways: a persona that is tagged, one excluded by a known answer, and one
where a missing answer must not exclude (only a known answer can exclude).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.engine.rules import evaluate, pathways, priority, whole_months

TODAY = date(2026, 11, 25)

# (row, answers, expected tag present?)
CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    # 25a
    ("25a", "young, 4 years, 2 years Duldung, school", {"age_group": "18_26",
     "entry_date": "2022-09",
     "duldung_since": "2024-01", "school_years_de": 3}, True),
    ("25a", "27 reached", {"age_group": "27_plus", "entry_date": "2015-01",
     "duldung_since": "2016-01", "school_years_de": 5}, False),
    ("25a", "birth date: 27th birthday tomorrow", {"birth_date": "1999-11-26",
     "entry_date": "2015-01"}, True),
    ("25a", "birth date: 27th birthday today", {"birth_date": "1999-11-25",
     "entry_date": "2015-01"}, False),
    ("25a", "only 2 years in Germany", {"age_group": "14_17", "entry_date": "2024-12"}, False),
    ("25a", "Duldung 6 months, no 104c", {"age_group": "18_26", "duldung_since": "2026-05",
     "paper": "duldung"}, False),
    ("25a", "Duldung short but § 104c permit", {"age_group": "18_26",
     "duldung_since": "2026-05", "paper": "permit_104c"}, True),
    ("25a", "no school, no qualification", {"age_group": "18_26", "school_years_de": 1,
     "training": "none"}, False),
    ("25a", "German vocational qualification instead of school", {"age_group": "18_26",
     "school_years_de": 0, "training": "completed_de"}, True),
    ("25a", "asylum pending (Gestattung)", {"age_group": "18_26", "paper": "gestattung"}, False),
    ("25a", "missing answers do not exclude", {"age_group": "14_17"}, True),
    ("25a", "defining condition unknown", {"entry_date": "2015-01"}, False),
    # 25b
    ("25b", "6 years", {"entry_date": "2020-11-25"}, True),
    ("25b", "5 years, no children", {"entry_date": "2021-06", "minor_children": 0}, False),
    ("25b", "4 years with a child", {"entry_date": "2022-11", "minor_children": 1}, True),
    ("25b", "4 years, children unknown", {"entry_date": "2022-11"}, False),
    ("25b", "3 years with children", {"entry_date": "2024-01", "minor_children": 2}, False),
    ("25b", "minor excluded", {"entry_date": "2015-01", "age_group": "14_17"}, False),
    ("25b", "Gestattung excluded", {"entry_date": "2015-01", "paper": "gestattung"}, False),
    ("25b", "month precision counts from the 1st", {"entry_date": "2020-11"}, True),
    # 60d
    ("60d", "employed 2 years, 30 h, entered 2019", {"employed": True,
     "employed_since": "2024-01", "hours_per_week": 30, "entry_date": "2019-05",
     "duldung_since": "2020-01"}, True),
    ("60d", "entered after 31 Dec 2022", {"employed": True, "entry_date": "2023-01"}, False),
    ("60d", "entered on 31 Dec 2022", {"employed": True, "entry_date": "2022-12-31"}, True),
    ("60d", "employed only 6 months", {"employed": True, "employed_since": "2026-06"}, False),
    ("60d", "15 hours a week", {"employed": True, "hours_per_week": 15}, False),
    ("60d", "Duldung only 3 months", {"employed": True, "duldung_since": "2026-09"}, False),
    ("60d", "§ 104c holder", {"employed": True, "paper": "permit_104c"}, False),
    ("60d", "not employed", {"employed": False, "entry_date": "2019-01"}, False),
    ("60d", "employed, rest unknown", {"employed": True}, True),
    # 60c
    ("60c", "training offer", {"training": "offer"}, True),
    ("60c", "in training", {"training": "in_training", "passport": "none"}, True),
    ("60c", "§ 104c holder", {"training": "offer", "paper": "permit_104c"}, False),
    ("60c", "no training", {"training": "none"}, False),
    # 16g
    ("16g", "training offer with valid passport", {"training": "offer", "passport": "valid"},
     True),
    ("16g", "passport expired", {"training": "offer", "passport": "expired"}, False),
    ("16g", "passport unknown does not exclude", {"training": "in_training"}, True),
    ("16g", "§ 104c holder", {"training": "offer", "paper": "permit_104c"}, False),
    # 19d
    ("19d", "German vocational qualification", {"training": "completed_de"}, True),
    ("19d", "German degree", {"training": "degree_de"}, True),
    ("19d", "foreign degree and 2 years of work", {"training": "foreign_degree",
     "employed": True, "employed_since": "2024-10"}, True),
    ("19d", "foreign degree, 1 year of work", {"training": "foreign_degree", "employed": True,
     "employed_since": "2025-10", "livelihood": "part"}, False),
    ("19d", "3 years of work, own livelihood", {"employed": True,
     "employed_since": "2023-09", "livelihood": "all"}, True),
    ("19d", "3 years of work, livelihood partly", {"employed": True,
     "employed_since": "2023-09", "livelihood": "part"}, False),
    ("19d", "3 years of work, livelihood unknown", {"employed": True,
     "employed_since": "2023-09"}, True),
    ("19d", "employed since unknown", {"employed": True}, False),
    # spurwechsel
    ("spurwechsel", "asylum pending, entered 2022, working", {"asylum": "pending",
     "entry_date": "2022-04", "employed": True}, True),
    ("spurwechsel", "court pending, degree", {"asylum": "court_pending",
     "training": "degree_de"}, True),
    ("spurwechsel", "asylum finally rejected", {"asylum": "rejected_final",
     "entry_date": "2018-01", "employed": True}, False),
    ("spurwechsel", "entered 29 March 2023", {"asylum": "pending", "entry_date": "2023-03-29",
     "employed": True}, False),
    ("spurwechsel", "entered March 2023 (month: the 1st)", {"asylum": "pending",
     "entry_date": "2023-03", "employed": True}, True),
    ("spurwechsel", "neither qualification nor work", {"asylum": "pending",
     "training": "none", "employed": False}, False),
    # 25_5
    ("25_5", "health, Duldung 2 years", {"health_to_discuss": True,
     "duldung_since": "2024-10"}, True),
    ("25_5", "no passport despite efforts", {"passport": "none", "passport_efforts": True},
     True),
    ("25_5", "no passport without efforts", {"passport": "none", "passport_efforts": False},
     False),
    ("25_5", "Duldung 12 months", {"health_to_discuss": True, "duldung_since": "2025-11"},
     False),
    # 104c_followup
    ("104c_followup", "§ 104c holder", {"paper": "permit_104c"}, True),
    ("104c_followup", "Duldung", {"paper": "duldung"}, False),
    # 23a
    ("23a", "nothing else fits, 7 years", {"entry_date": "2019-01", "age_group": "14_17",
     "school_years_de": 0,
     "training": "none"}, True),
    ("23a", "something else fits", {"entry_date": "2015-01"}, False),
    ("23a", "only 3 years", {"entry_date": "2023-06", "age_group": "27_plus"}, False),
    ("23a", "years unknown: empty pre-screening tags nothing", {}, False),
    # flags
    ("identity_first", "no passport", {"passport": "none"}, True),
    ("identity_first", "passport expired", {"passport": "expired"}, True),
    ("identity_first", "§ 60b Duldung", {"paper": "duldung_60b"}, True),
    ("identity_first", "valid passport", {"passport": "valid", "paper": "duldung"}, False),
    ("conviction_discuss", "conviction yes", {"conviction": "yes"}, True),
    ("conviction_discuss", "conviction unknown", {"conviction": "unknown"}, False),
]


@pytest.mark.parametrize(("tag", "persona", "answers", "present"), CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_rules_table_row(tag: str, persona: str, answers: dict[str, Any], present: bool) -> None:
    assert (tag in pathways(answers, TODAY)) is present, persona


def test_every_row_of_the_table_is_covered() -> None:
    from bot.engine.rules import ALL_TAGS

    assert {c[0] for c in CASES} == set(ALL_TAGS)
    for tag in ALL_TAGS:
        assert {c[3] for c in CASES if c[0] == tag} == {True, False}, tag


def test_empty_prescreening_tags_nothing() -> None:
    assert pathways({}, TODAY) == ()


def test_pathways_are_sorted_and_unique() -> None:
    tags = pathways({"training": "offer", "passport": "none", "employed": True,
                     "conviction": "yes", "entry_date": "2015-01"}, TODAY)
    assert list(tags) == sorted(set(tags))


URGENCY: list[tuple[str, dict[str, Any], str]] = [
    ("deportation date", {"deportation_date_known": True}, "urgent"),
    ("detention", {"in_detention": True}, "urgent"),
    ("letter with deadline", {"letter_with_deadline": True}, "urgent"),
    ("Duldung expires in 7 days", {"duldung_expires": "2026-12-02"}, "urgent"),
    ("Duldung expires in 8 days", {"duldung_expires": "2026-12-03"}, "normal"),
    ("Duldung already expired", {"duldung_expires": "2026-10-01"}, "urgent"),
    ("expiring month given: counts from the 1st", {"duldung_expires": "2026-12"}, "urgent"),
    ("§ 104c permit ends in 7 weeks", {"paper": "permit_104c",
                                       "permit_expires": "2027-01-13"}, "high"),
    ("§ 104c permit ends in 9 weeks", {"paper": "permit_104c",
                                       "permit_expires": "2027-01-27"}, "normal"),
    ("§ 104c permit end unknown", {"paper": "permit_104c"}, "high"),
    ("27th birthday in 5 months", {"birth_date": "2000-04-20"}, "high"),
    ("27th birthday in 7 months", {"birth_date": "2000-06-30"}, "normal"),
    ("already 27", {"birth_date": "1999-01-01"}, "normal"),
    ("urgent beats high", {"paper": "permit_104c", "in_detention": True}, "urgent"),
    ("all answers false", {"deportation_date_known": False, "in_detention": False,
                           "letter_with_deadline": False}, "normal"),
]


@pytest.mark.parametrize(("case", "answers", "expected"), URGENCY, ids=[u[0] for u in URGENCY])
def test_urgency_and_priority(case: str, answers: dict[str, Any], expected: str) -> None:
    assert priority(answers, TODAY) == expected, case
    assert evaluate(answers, TODAY).urgent is (expected == "urgent")


def test_whole_months() -> None:
    assert whole_months(date(2025, 11, 25), TODAY) == 12
    assert whole_months(date(2025, 11, 26), TODAY) == 11
