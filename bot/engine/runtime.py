"""The conversation as a pure function: `step(state, event, flows, today) -> (state, outputs)`.

No I/O: the caller loads the state, calls `step`, saves the new state and hands the outputs to a
channel. Whatever the input — any text, any button id, a state pointing at a node that an editor
removed — `step` answers and leaves the state pointing at an existing node.
"""

from __future__ import annotations

from datetime import date

from bot.engine import rules
from bot.engine.answers import Invalid, parse
from bot.engine.conditions import Context, holds
from bot.engine.faq import Decision
from bot.engine.io import (
    N_,
    Back,
    Button,
    ChangeLanguage,
    Delete,
    Erase,
    Event,
    Handoff,
    Help,
    Menu,
    Msg,
    Output,
    Press,
    Privacy,
    RecordConsent,
    Resume,
    Say,
    Start,
    Withdraw,
    WithdrawConsent,
)
from bot.engine.languages import SUPPORTED
from bot.engine.model import Branch, FlowSet, InputKind, Node, NodeKind, source_hash
from bot.engine.similarity import best_label
from bot.engine.state import State
from bot.engine.view import View

MAX_HOPS = 25

OUTDATED = Msg(N_("This button is outdated. Please use the buttons of the latest message."))
HELP = Msg(N_("Lotse gives general information about the right to stay and helps you get an "
              "appointment with a counsellor. Choose with the buttons or write your question.\n\n"
              "/menu – main menu\n/back – one step back\n/language – change language\n"
              "/appointment – your appointment: book, cancel, change\n"
              "/privacy – privacy information\n/mydata – what is stored about you\n"
              "/stop – withdraw consent, answers are deleted\n/delete – delete everything"))
ERASE_YES, ERASE_NO = "erase:yes", "erase:no"


def step(state: State, event: Event, flows: FlowSet, today: date) -> tuple[State, list[Output]]:
    """Apply one event of one person to their state."""
    turn = _Turn(flows, today)
    if state.node not in flows.nodes and not isinstance(event, Start):
        state = state.evolve(node="", stack=(), resume=())
    if isinstance(event, Start):
        language = event.language if event.language in SUPPORTED else state.language
        state = state.evolve(language=language, source=event.source or state.source,
                             stack=(), resume=(), suggestions=())
        return turn.enter(state, flows.start)
    if not state.node:
        return turn.enter(state, flows.start)
    if isinstance(event, Menu):
        return turn.enter(state.evolve(stack=(), resume=(), suggestions=()), flows.menu)
    if isinstance(event, Back):
        return turn.back(state)
    if isinstance(event, ChangeLanguage):
        language_node = next(n.id for n in flows.nodes.values() if n.kind is NodeKind.LANGUAGE)
        return turn.enter(state.evolve(resume=(*state.resume, state.node)[-5:]), language_node)
    if isinstance(event, Withdraw):
        return turn.withdraw(state)
    if isinstance(event, Delete):
        return turn.confirm_erase(state)
    if isinstance(event, Privacy):
        return turn.enter(state.push(state.node), flows.privacy)
    if isinstance(event, Help):
        turn.out.append(Say(HELP, state.language))
        return turn.enter(state, state.node, again=True)
    if isinstance(event, Resume):
        return turn.enter(state, state.node, again=True)
    if isinstance(event, Press):
        return turn.press(state, event.button)
    return turn.text(state.evolve(pending=""), event.text)


class _Turn:
    """One turn's work; collects outputs while moving through nodes."""

    def __init__(self, flows: FlowSet, today: date) -> None:
        self.flows = flows
        self.today = today
        self.out: list[Output] = []

    # --- moving ------------------------------------------------------------------------------

    def enter(self, state: State, node_id: str, *, again: bool = False,
              ) -> tuple[State, list[Output]]:
        """Show `node_id` and every message after it, stopping at the next interactive node."""
        for _ in range(MAX_HOPS):
            node = self.flows.nodes.get(node_id) or self.flows.nodes[self.flows.menu]
            state = state.evolve(node=node.id, suggestions=())
            if node.when is not None and not holds(node.when, self.context(state)):
                node_id = self.next_of(node, state)
                continue
            if node.kind is NodeKind.QUESTION and state.consent is None:
                state = state.evolve(resume=(*state.resume, node.id)[-5:])
                node_id = self.flows.consent_node
                continue
            if node.kind is NodeKind.CONSENT and state.consent is not None and not again:
                state, node_id = self.after_detour(state, node)
                continue
            self.view(state).show(node, self.out)
            if node.kind is NodeKind.HANDOFF:
                self.out.insert(len(self.out) - 1, self.handoff(state, node.reason))
            if node.kind in (NodeKind.MESSAGE, NodeKind.HANDOFF):
                node_id = self.next_of(node, state)
                continue
            return state, self.out
        # Only a flow set that bypassed the validator can loop here; never hang on it.
        self.out.append(Say(Msg(N_("Something went wrong here. Back to the menu.")),
                            state.language))
        return state.evolve(node=self.flows.menu, stack=(), resume=()), self.out

    def move(self, state: State, target: str) -> tuple[State, list[Output]]:
        return self.enter(state.push(state.node), target)

    def back(self, state: State) -> tuple[State, list[Output]]:
        stack = list(state.stack)
        while stack and stack[-1] not in self.flows.nodes:
            stack.pop()
        if not stack:
            return self.enter(state.evolve(stack=()), self.flows.menu)
        target = stack.pop()
        return self.enter(state.evolve(stack=tuple(stack)), target, again=True)

    def next_of(self, node: Node, state: State) -> str:
        return self.pick(node.next, state)

    def pick(self, branches: tuple[Branch, ...], state: State) -> str:
        """The first branch whose condition holds (the validator ensures a last fallback)."""
        ctx = self.context(state)
        for branch in branches:
            if branch.condition is None or holds(branch.condition, ctx):
                return branch.target
        return self.flows.menu

    def after_detour(self, state: State, node: Node) -> tuple[State, str]:
        if state.resume:
            return state.evolve(resume=state.resume[:-1]), state.resume[-1]
        return state, self.next_of(node, state)

    def context(self, state: State) -> Context:
        return Context(state.answers, rules.is_urgent(state.answers, self.today),
                       state.consent is not None, self.flows.settings,
                       state.stack[-1] if state.stack else "")

    def withdraw(self, state: State) -> tuple[State, list[Output]]:
        if state.consent is None and not state.answers:
            self.out.append(Say(Msg(N_("You have not given consent, so no answers are stored. "
                                       "You can still use all information.")), state.language))
        else:
            self.out.append(WithdrawConsent())
            self.out.append(Say(Msg(N_("Your consent is withdrawn and your answers are deleted. "
                                       "You can still read all information, ask questions and "
                                       "ask for an appointment.")), state.language))
        state = state.evolve(consent=None, answers={}, stack=(), resume=())
        return self.enter(state, self.flows.menu)

    def view(self, state: State) -> View:
        return View(self.flows, state, self.today)

    # --- input -------------------------------------------------------------------------------

    def confirm_erase(self, state: State) -> tuple[State, list[Output]]:
        self.out.append(Say(Msg(N_("Delete everything Lotse stores about you: your answers, your "
                                   "consent and your requests? This cannot be undone.")),
                            state.language, buttons=(
                                Button(ERASE_YES, Msg(N_("Yes, delete everything"))),
                                Button(ERASE_NO, Msg(N_("No, keep it"))))))
        return state.evolve(pending="erase"), self.out

    def erase(self, state: State, confirmed: bool) -> tuple[State, list[Output]]:
        if not confirmed:
            self.out.append(Say(Msg(N_("Nothing was deleted.")), state.language))
            return self.enter(state.evolve(pending=""), state.node, again=True)
        self.out.append(Erase())
        self.out.append(Say(Msg(N_("Everything Lotse stored about you is deleted. The messages "
                                   "in this chat are stored by Telegram: you can delete the chat "
                                   "in Telegram too. Write /start to begin again.")),
                            state.language))
        return State(language=state.language, node=self.flows.start), self.out

    def press(self, state: State, button: str) -> tuple[State, list[Output]]:
        if state.pending == "erase" and button in (ERASE_YES, ERASE_NO):
            return self.erase(state, button == ERASE_YES)
        state = state.evolve(pending="")
        node = self.flows.nodes[state.node]
        valid = {b.id for b in self.view(state).buttons(node)}
        valid |= {f"faq:{t}" for t in state.suggestions}
        if button not in valid:
            self.out.append(Say(OUTDATED, state.language))
            return self.enter(state, node.id, again=True)
        return self.choose(state, node, button)

    def choose(self, state: State, node: Node, button: str) -> tuple[State, list[Output]]:
        kind, _, arg = button.partition(":")
        if button == "back":
            return self.back(state)
        if button == "menu":
            return self.enter(state.evolve(stack=(), resume=()), self.flows.menu)
        if kind == "faq":
            return self.faq_answer(state, node, arg)
        if button == "appointment":
            return self.move(state, node.appointment)
        if kind == "lang":
            state = state.evolve(language=arg)
            if state.resume:
                state, target = self.after_detour(state, node)
                return self.enter(state, target, again=True)
            return self.move(state, self.next_of(node, state))
        if node.kind is NodeKind.CONSENT:
            return self.consent(state, node, accepted=button == "accept")
        if node.kind is NodeKind.QUESTION:
            return self.answer(state, node, button)
        option = node.option(arg)
        if option is None:
            return self.enter(state, node.id, again=True)
        return self.move(state, self.pick(option.next or node.next, state))

    def consent(self, state: State, node: Node, *, accepted: bool) -> tuple[State, list[Output]]:
        if not accepted:
            return self.move(state.evolve(resume=()), node.decline_next)
        version = source_hash(self.flows.translations["de"].nodes[node.id])
        self.out.append(RecordConsent(version, state.language))
        state = state.evolve(consent=version, answers={**state.answers, "consent": True})
        state, target = self.after_detour(state, node)
        return self.move(state, target)

    def answer(self, state: State, node: Node, button: str) -> tuple[State, list[Output]]:
        if button == "skip":
            value: object = None
        elif button.startswith("val:"):
            value = button[4:]
        else:
            option = node.option(button.partition(":")[2])
            if option is None:
                return self.enter(state, node.id, again=True)
            return self.store(state, node, option.value, option.next)
        return self.store(state, node, value)

    def store(self, state: State, node: Node, value: object,
              branches: tuple[Branch, ...] = ()) -> tuple[State, list[Output]]:
        if state.consent is None:  # defence in depth: never store without consent
            return self.enter(state, node.id)
        state = state.evolve(answers={**state.answers, node.key: value})
        return self.move(state, self.pick(branches or node.next, state))

    def text(self, state: State, text: str) -> tuple[State, list[Output]]:
        node = self.flows.nodes[state.node]
        if node.kind is NodeKind.QUESTION and node.input is not InputKind.CHOICE:
            try:
                value = parse(node, text, self.today, state.language)
            except Invalid as exc:
                self.out.append(Say(exc.msg, state.language))
                return self.enter(state, node.id, again=True)
            return self.store(state, node, value)
        button = self.match_button(state, node, text)
        if button is not None:
            return self.choose(state, node, button)
        if node.kind is NodeKind.QUESTION:
            self.out.append(Say(Msg(N_("Please choose one of the buttons.")), state.language))
            return self.enter(state, node.id, again=True)
        return self.ask_faq(state, node, text)

    def match_button(self, state: State, node: Node, text: str) -> str | None:
        """A button the person meant by typing its label (or its number)."""
        buttons = [b for b in self.view(state).buttons(node) if isinstance(b.label, str)]
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
            return buttons[int(stripped) - 1].id
        index = best_label(text, [b.label for b in buttons if isinstance(b.label, str)])
        return buttons[index].id if index is not None else None

    # --- FAQ ---------------------------------------------------------------------------------

    def ask_faq(self, state: State, node: Node, text: str) -> tuple[State, list[Output]]:
        assert self.flows.faq is not None
        match = self.flows.faq.match(text, state.language)
        view = self.view(state)
        if match.decision is Decision.ANSWER and match.best:
            return self.faq_answer(state, node, match.best)
        if match.decision is Decision.SUGGEST:
            topics = tuple(t for t, _ in match.matches[:3])
            buttons = tuple(Button(f"faq:{t}", view.topic_question(t)) for t in topics)
            self.out.append(Say(Msg(N_("Did you mean one of these questions?")), state.language,
                                buttons=(*buttons, *view.nav(node))))
            return state.evolve(suggestions=topics), self.out
        if node.kind is NodeKind.FAQ:
            self.out.append(Say(Msg(N_("I could not find an answer to this. A counsellor can "
                                       "help you personally.")), state.language,
                                buttons=(Button("appointment", Msg(N_("Talk to a counsellor"))),
                                         *view.nav(node))))
            return state, self.out
        self.out.append(Say(Msg(N_("Sorry, I did not understand. Please choose one of the "
                                   "buttons.")), state.language))
        return self.enter(state, node.id, again=True)

    def faq_answer(self, state: State, node: Node, topic: str) -> tuple[State, list[Output]]:
        view = self.view(state)
        if topic not in self.flows.topics:
            self.out.append(Say(OUTDATED, state.language))
            return self.enter(state, node.id, again=True)
        self.out.append(view.topic_answer(topic))
        if node.kind is NodeKind.FAQ:
            last = self.out[-1]
            assert isinstance(last, Say)
            self.out[-1] = Say(last.text, last.language, last.unreviewed,
                               (Button("appointment", Msg(N_("Book a counselling appointment"))),
                                *view.nav(node)))
            return state.evolve(suggestions=()), self.out
        return self.enter(state, node.id, again=True)

    # --- handoff -----------------------------------------------------------------------------

    def handoff(self, state: State, reason: str) -> Handoff:
        answers = dict(state.answers) if state.consent is not None else {}
        outcome = rules.evaluate(answers, self.today)
        extra = [f"Anlass: {_REASONS_DE.get(reason, reason)}"]
        if state.source:
            extra.append(f"Kampagne: {state.source}")
        summary = rules.summary_de({**answers, "language": state.language}, outcome, extra)
        return Handoff(reason, state.language, outcome.urgent, outcome.priority, outcome.pathways,
                       answers, summary, state.source)


_REASONS_DE = {"prescreen": "Vorab-Fragebogen", "urgent": "dringende Hilfe",
               "talk": "möchte mit einer Person sprechen"}
