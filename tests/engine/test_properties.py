"""Whatever people send, in any order, the engine answers and never leaves a dangling state."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.engine import FlowSet, State, step
from bot.engine.io import (
    Back,
    ChangeLanguage,
    Delete,
    Help,
    Menu,
    Press,
    Privacy,
    Resume,
    Say,
    Start,
    Text,
    Withdraw,
)
from bot.engine.languages import SUPPORTED
from tests.conftest import TODAY

BUTTONS = ["opt:go", "opt:info", "opt:prescreen", "opt:faq", "opt:language", "opt:menu",
           "opt:talk", "opt:young", "opt:old", "opt:yes", "opt:no", "opt:appointment", "accept",
           "decline", "skip", "back", "menu", "appointment", "val:stateless", "val:unknown",
           "faq:duldung_what", "faq:years_needed", "faq:nope", "lang:ar", "lang:xx", "opt:",
           "erase:yes", "erase:no",
           ":", ""]

texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.sampled_from(["\u200f\u202e§ 25b\u2066", "<b>x</b>&", "١٢/٢٠١٩", "03/2019", "9999",
                     "-1", "0", "ja", "Ja", "27 oder älter", "\x00\x01", "🙂" * 50]),
)
events = st.one_of(
    texts.map(Text),
    st.one_of(st.sampled_from(BUTTONS), st.text(max_size=70)).map(Press),
    st.sampled_from([Back(), Menu(), ChangeLanguage(), Resume(), Withdraw(), Delete(), Help(),
                     Privacy()]),
    st.sampled_from([*SUPPORTED, None, "xx"]).map(lambda lang: Start(language=lang)),
)


def run(flows: FlowSet, sequence: list[object]) -> None:
    state = State()
    for event in sequence:
        state, outputs = step(state, event, flows, TODAY)  # type: ignore[arg-type]
        assert state.node in flows.nodes
        assert any(isinstance(o, Say) for o in outputs)
        assert set(state.stack) <= set(flows.nodes)
        if state.consent is None:
            assert not state.answers


@given(st.lists(events, max_size=40))
def test_any_input_sequence_on_the_minimal_flows(minimal: FlowSet, sequence: list[object]) -> None:
    run(minimal, sequence)


@given(st.lists(events, max_size=40))
def test_any_input_sequence_on_the_real_flows(flows: FlowSet, sequence: list[object]) -> None:
    run(flows, sequence)
