"""Personas answer the real pre-screening question by question; the result names the pathways.

Unlike the rules table, these go through the flows: the questions, their `when` conditions and
branches must ask for everything the rules need, and the result shows the right texts.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine import FlowSet, State, step
from bot.engine.io import Handoff, Press, Say, Start, Text
from bot.engine.model import InputKind, NodeKind
from bot.engine.runtime import OUTDATED
from bot.engine.view import text_of
from tests.conftest import TODAY


def answer_as(flows: FlowSet, persona: dict[str, Any],
              language: str = "de") -> tuple[State, list[Any], list[str]]:
    """Walk from the menu through the questionnaire, answering from `persona` (else skip)."""
    state, _ = step(State(), Start(language=language), flows, TODAY)
    for button in ("opt:go", "opt:prescreen", "opt:start", "accept"):
        state, outputs = step(state, Press(button), flows, TODAY)
    asked: list[str] = []
    for _ in range(60):
        node = flows.nodes[state.node]
        if node.kind is not NodeKind.QUESTION:
            if node.id == "prescreen_urgent_info":
                state, outputs = step(state, Press("opt:continue"), flows, TODAY)
                continue
            return state, outputs, asked
        asked.append(node.key)
        value = persona.get(node.key)
        if value is None:
            event: Any = Press("skip")
        elif node.input is InputKind.CHOICE:
            option = next(o for o in node.options if o.value == value)
            event = Press(f"opt:{option.id}")
        elif node.input is InputKind.COUNTRY and value in ("stateless", "unknown"):
            event = Press(f"val:{value}")
        else:
            event = Text(str(value))
        state, outputs = step(state, event, flows, TODAY)
        assert not any(isinstance(o, Say) and o.text == OUTDATED for o in outputs)
        assert state.node != node.id, f"{node.id} did not accept {value!r}"
    raise AssertionError("the questionnaire did not end")


def result_text(outputs: list[Any]) -> str:
    return "\n".join(str(o.text) for o in outputs if isinstance(o, Say))


def pathway_text(flows: FlowSet, tag: str) -> str:
    return text_of(flows, "de", "prescreen_result", f"pathway.{tag}")[0].strip()


PERSONAS: list[tuple[str, dict[str, Any], set[str], set[str]]] = [
    ("young adult, 4 years, school in Germany", {"age_group": "18_26", "entry_date": "09/2022",
     "paper": "duldung", "duldung_since": "01/2024", "school_years_de": 3}, {"25a"}, {"25b"}),
    ("27 reached", {"age_group": "27_plus", "entry_date": "2021-01", "paper": "duldung",
     "duldung_since": "2021-06", "minor_children": 0}, set(), {"25a", "25b"}),
    ("long stay", {"age_group": "27_plus", "entry_date": "2016-08", "paper": "duldung",
     "duldung_since": "2017-01", "passport": "valid"}, {"25b"}, {"identity_first"}),
    ("4 years with children", {"entry_date": "10/2022", "minor_children": 2,
     "children_in_school": True}, {"25b"}, set()),
    ("working since 2023, entered 2019", {"entry_date": "2019-03", "paper": "duldung",
     "duldung_since": "2020-01", "employed": True, "employed_since": "01/2023",
     "hours_per_week": 30}, {"60d", "19d"}, set()),
    ("working, entered after 31 Dec 2022", {"entry_date": "2023-02", "employed": True,
     "employed_since": "2023-06", "hours_per_week": 40, "paper": "duldung",
     "duldung_since": "2023-08"}, set(), {"60d"}),
    ("training offer, passport valid", {"training": "offer", "passport": "valid"},
     {"60c", "16g"}, set()),
    ("asylum pending, degree", {"asylum": "pending", "entry_date": "2021-05",
     "training": "degree_de", "paper": "gestattung"}, {"spurwechsel", "19d"}, {"25a", "25b"}),
    ("asylum finally rejected", {"asylum": "rejected_final", "entry_date": "2021-05",
     "employed": True, "employed_since": "2025-01", "hours_per_week": 20}, set(),
     {"spurwechsel"}),
    ("§ 60b Duldung, no passport", {"paper": "duldung_60b", "passport": "none",
     "passport_efforts": True, "duldung_since": "2023-01"}, {"identity_first", "25_5"}, set()),
    ("§ 104c holder", {"paper": "permit_104c", "permit_expires": "2027-02"},
     {"104c_followup"}, set()),
    ("health", {"health_to_discuss": True, "paper": "duldung", "duldung_since": "2022-01"},
     {"25_5"}, set()),
    ("nothing else, 6 years, teenager", {"age_group": "14_17", "entry_date": "2020-01",
     "school_years_de": 1, "training": "none"}, {"23a"}, {"25a", "25b"}),
]


@pytest.mark.parametrize(("persona", "answers", "expected", "absent"), PERSONAS,
                         ids=[p[0] for p in PERSONAS])
def test_persona(flows: FlowSet, persona: str, answers: dict[str, Any], expected: set[str],
                 absent: set[str]) -> None:
    state, outputs, _asked = answer_as(flows, answers)
    assert state.node == "prescreen_result", persona
    shown = result_text(outputs)
    for tag in expected:
        assert pathway_text(flows, tag) in shown, f"{persona}: {tag} missing"
    for tag in absent:
        assert pathway_text(flows, tag) not in shown, f"{persona}: {tag} shown"
    assert text_of(flows, "de", "prescreen_result", "note")[0].strip() in shown
    state, outputs = step(state, Press("opt:appointment"), flows, TODAY)
    handoff = next(o for o in outputs if isinstance(o, Handoff))
    assert expected <= set(handoff.pathways) and not absent & set(handoff.pathways)


def test_empty_prescreening_names_nothing(flows: FlowSet) -> None:
    _state, outputs, asked = answer_as(flows, {})
    shown = result_text(outputs)
    assert text_of(flows, "de", "prescreen_result", "none")[0].strip() in shown
    assert "conviction" not in asked  # off unless the operator switches it on


def test_conviction_is_asked_only_when_switched_on() -> None:
    from bot.engine import load_or_raise
    from tests.conftest import FLOWS

    with_conviction = load_or_raise(FLOWS, today=TODAY, settings={"ask_conviction"})
    _state, outputs, asked = answer_as(with_conviction, {"conviction": "yes"})
    assert "conviction" in asked
    assert pathway_text(with_conviction, "conviction_discuss") in result_text(outputs)


@pytest.mark.parametrize("trigger", [{"deportation_date_known": True}, {"in_detention": True},
                                     {"letter_with_deadline": True},
                                     {"duldung_expires": "30.11.2026"}])
def test_urgent_triggers_show_guidance_at_once(flows: FlowSet, trigger: dict[str, Any]) -> None:
    state, _ = step(State(), Start(language="de"), flows, TODAY)
    for button in ("opt:go", "opt:prescreen", "opt:start", "accept"):
        state, _ = step(state, Press(button), flows, TODAY)
    seen = []
    for key in ("deportation_date_known", "in_detention", "letter_with_deadline",
                "duldung_expires"):
        node = flows.nodes[state.node]
        assert node.key == key
        value = trigger.get(key)
        event: Any = (Text(str(value)) if key == "duldung_expires" and value else
                      Press("opt:yes") if value else Press("opt:no") if key != "duldung_expires"
                      else Press("skip"))
        state, outputs = step(state, event, flows, TODAY)
        seen += outputs
    assert state.node == "prescreen_urgent_info"
    assert "Notfall: 0351 000000" in result_text(seen)


def test_an_urgent_case_can_be_handed_over_at_once(flows: FlowSet) -> None:
    state, _ = step(State(), Start(language="de"), flows, TODAY)
    for event in (Press("opt:go"), Press("opt:prescreen"), Press("opt:start"), Press("accept"),
                  Press("opt:no"), Press("opt:yes"), Press("opt:no"), Press("skip")):
        state, _ = step(state, event, flows, TODAY)
    assert state.node == "prescreen_urgent_info"
    state, outputs = step(state, Press("opt:handoff_now"), flows, TODAY)
    handoff = next(o for o in outputs if isinstance(o, Handoff))
    assert handoff.urgent and handoff.priority == "urgent" and handoff.reason == "urgent"
    assert handoff.answers == {"consent": True, "deportation_date_known": False,
                               "in_detention": True, "letter_with_deadline": False,
                               "duldung_expires": None}
    assert "DRINGEND" in handoff.summary_de


def test_the_urgent_path_stores_nothing_until_a_counsellor_is_asked_for(
        flows: FlowSet) -> None:
    state, _ = step(State(), Start(language="de"), flows, TODAY)
    state, _ = step(state, Press("opt:go"), flows, TODAY)
    state, outputs = step(state, Press("opt:urgent"), flows, TODAY)
    assert "Notfall: 0351 000000" in result_text(outputs)
    assert state.answers == {} and state.consent is None
    state, _ = step(state, Press("opt:talk"), flows, TODAY)
    assert state.node == "consent"
    state, _ = step(state, Press("accept"), flows, TODAY)
    assert state.node == "urgent_q_deportation"  # straight on where the person wanted to go
