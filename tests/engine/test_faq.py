"""Normalisation and the FAQ matcher's three decisions."""

from __future__ import annotations

import pytest

from bot.engine import FlowSet
from bot.engine.faq import Decision
from bot.engine.normalize import ascii_digits, normalize


@pytest.mark.parametrize(("raw", "expected"), [
    ("Was ist eine DULDUNG?!", "was ist eine duldung"),
    ("Beschäftigungsduldung", "beschaftigungsduldung"),
    ("مُـــدَّة", "مده"),  # diacritics, tatweel and ta marbuta
    ("كيف يمكنني", "کیف یمکننی"),  # Arabic kaf/yeh → Persian forms
    ("می\u200cخواهم", "میخواهم"),  # zero-width non-joiner
    ("٢٠١٩ ۲۰۱۹", "2019 2019"),
    ("\u202e§ 25b\u2069", "25b"),
    ("ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_ascii_digits_keeps_separators() -> None:
    assert ascii_digits("١٥/٠٣/٢٠١٩") == "15/03/2019"


@pytest.mark.parametrize(("language", "question", "topic"), [
    ("de", "Was ist eine Duldung?", "duldung_what"),
    ("de", "ich hab kein pass", "no_passport"),
    ("de", "wieviel jahre brauch ich", "years_needed"),
    ("de", "brief mit frist was tun", "letter_deadline"),
    ("en", "what is a duldung", "duldung_what"),
    ("en", "can i still apply for chancen aufenthalt", "chancen_expired"),
    ("ar", "duldung", "duldung_what"),  # a German word typed by an Arabic speaker
])
def test_answers_clear_questions(flows: FlowSet, language: str, question: str,
                                 topic: str) -> None:
    assert flows.faq is not None
    match = flows.faq.match(question, language)
    assert match.decision is Decision.ANSWER, match
    assert match.best == topic


@pytest.mark.parametrize("text", ["hallo", "hello", "wie geht es dir", "Einbürgerung",
                                  "🙂", "a", "", "asdf qwer", "x" * 10_000])
def test_no_answer_for_greetings_and_off_topic(flows: FlowSet, text: str) -> None:
    assert flows.faq is not None
    assert flows.faq.match(text, "de").decision is Decision.NONE


def test_suggest_offers_the_top_three(flows: FlowSet) -> None:
    assert flows.faq is not None
    match = flows.faq.match("asyl wechseln arbeit", "de")
    assert match.decision in (Decision.SUGGEST, Decision.ANSWER)
    assert len(match.matches) >= 2
    assert [s for _, s in match.matches] == sorted((s for _, s in match.matches), reverse=True)
