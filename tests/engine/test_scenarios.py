"""Table-driven engine scenarios (YAML: inputs → expected outputs) on the minimal flow set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.engine import FlowSet, State, step
from bot.engine.io import (
    Back,
    ChangeLanguage,
    Delete,
    Erase,
    Event,
    Handoff,
    Help,
    Menu,
    Msg,
    Press,
    Privacy,
    RecordConsent,
    Resume,
    Say,
    Start,
    Text,
    Withdraw,
    WithdrawConsent,
)
from tests.conftest import TODAY

SCENARIOS: list[dict[str, Any]] = YAML(typ="safe").load(
    (Path(__file__).parent / "scenarios" / "minimal.yaml").read_text("utf-8"))


def event_of(item: dict[str, Any]) -> Event:
    if "start" in item:
        return Start(language=item["start"])
    if "press" in item:
        return Press(str(item["press"]))
    if "text" in item:
        return Text(str(item["text"]))
    name = next(k for k in item if k != "expect")
    return {"back": Back(), "menu": Menu(), "language": ChangeLanguage(), "resume": Resume(),
            "withdraw": Withdraw(), "delete": Delete(), "help": Help(),
            "privacy": Privacy()}[name]


def text(say: Say) -> str:
    return say.text.msgid if isinstance(say.text, Msg) else say.text


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(minimal: FlowSet, scenario: dict[str, Any]) -> None:
    state = State(**scenario.get("state", {}))
    for number, item in enumerate(scenario["steps"], 1):
        state, outputs = step(state, event_of(item), minimal, TODAY)
        check(number, item.get("expect", {}), state, outputs)
        assert state.node in minimal.nodes


def check(number: int, expect: dict[str, Any], state: State, outputs: list[Any]) -> None:
    where = f"step {number}"
    says = [o for o in outputs if isinstance(o, Say)]
    if "node" in expect:
        assert state.node == expect["node"], where
    if "says" in expect:
        joined = [text(s) for s in says]
        position = 0
        for wanted in expect["says"]:
            hits = [i for i, t in enumerate(joined) if wanted in t and i >= position]
            assert hits, f"{where}: {wanted!r} not in {joined}"
            position = hits[0]
    if "buttons" in expect:
        assert [b.id for b in says[-1].buttons] == expect["buttons"], where
    if "answers" in expect:
        assert dict(state.answers) == dict(expect["answers"]), where
    if "consent" in expect:
        assert (state.consent is not None) is expect["consent"], where
    if "record_consent" in expect:
        assert any(isinstance(o, RecordConsent) for o in outputs) is expect["record_consent"]
    if "erase" in expect:
        assert any(isinstance(o, Erase) for o in outputs) is expect["erase"], where
    if "withdraw_consent" in expect:
        assert any(isinstance(o, WithdrawConsent) for o in outputs) is expect["withdraw_consent"]
    if "language" in expect:
        assert state.language == expect["language"], where
    if "unreviewed" in expect:
        assert says[0].unreviewed is expect["unreviewed"], where
    if "handoff" in expect:
        handoffs = [o for o in outputs if isinstance(o, Handoff)]
        assert len(handoffs) == 1, where
        for key, value in expect["handoff"].items():
            got = getattr(handoffs[0], key)
            assert (list(got) if isinstance(got, tuple) else dict(got) if key == "answers"
                    else got) == value, f"{where}: {key}"
