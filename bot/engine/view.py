"""How a node looks: its texts in the person's language (with fallback) and its buttons.

Kept apart from the runtime so that "which buttons are valid now" is computed by the very code
that shows them — a press is accepted only if this view would have offered it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.engine import rules
from bot.engine.faq import MAX_QUERY
from bot.engine.io import N_, Button, LanguageName, Msg, Output, Say
from bot.engine.languages import SOURCE, SUPPORTED, fallback_chain
from bot.engine.model import FlowSet, InputKind, Node, NodeKind
from bot.engine.state import State
from bot.engine.texts import fill

SKIP = Msg(N_("I'd rather not say"))
BACK = Msg(N_("« Back"))
MENU = Msg(N_("Menu"))

__all__ = ["MAX_QUERY", "View", "text_of"]


def text_of(flows: FlowSet, language: str, node_id: str, key: str) -> tuple[str, str, bool]:
    """(text, language it is in, unreviewed) for one text of a node, along the fallback chain."""
    flow = flows.nodes[node_id].flow if node_id in flows.nodes else ""
    for lang in fallback_chain(language):
        translation = flows.translations.get(lang)
        texts = translation.nodes.get(node_id) if translation else None
        if translation and texts and key in texts:
            unreviewed = lang != SOURCE and flow not in translation.reviewed_files
            return fill(texts[key], dict(flows.placeholders)), lang, unreviewed
    return "", SOURCE, False


@dataclass(frozen=True)
class View:
    flows: FlowSet
    state: State
    today: date

    def say(self, node: Node, key: str, buttons: tuple[Button, ...] = ()) -> Say:
        text, lang, unreviewed = text_of(self.flows, self.state.language, node.id, key)
        expects = node.input.value if node.kind is NodeKind.QUESTION and node.input and \
            node.input is not InputKind.CHOICE and key == "text" else None
        return Say(text, lang, unreviewed, buttons, expects)

    def label(self, node: Node, option_id: str) -> str:
        return text_of(self.flows, self.state.language, node.id, f"option.{option_id}")[0]

    def nav(self, node: Node) -> tuple[Button, ...]:
        buttons = []
        if self.state.stack:
            buttons.append(Button("back", BACK))
        if node.id not in (self.flows.menu, self.flows.start):
            buttons.append(Button("menu", MENU))
        return tuple(buttons)

    def buttons(self, node: Node) -> tuple[Button, ...]:
        """Every button valid while `node` is shown, in display order."""
        own: list[Button] = [Button(f"opt:{o.id}", self.label(node, o.id)) for o in node.options]
        if node.kind is NodeKind.QUESTION:
            if node.input is InputKind.COUNTRY:
                own += [Button("val:stateless", Msg(N_("Stateless"))),
                        Button("val:unknown", Msg(N_("I don't know")))]
            own.append(Button("skip", SKIP))
        elif node.kind is NodeKind.CONSENT:
            own = [Button("accept", self.text(node, "accept")),
                   Button("decline", self.text(node, "decline"))]
        elif node.kind is NodeKind.LANGUAGE:
            own = [Button(f"lang:{code}", LanguageName(code)) for code in SUPPORTED]
        elif node.kind is NodeKind.FAQ:
            own = [Button(f"faq:{t}", self.topic_question(t)) for t in node.featured]
            own.append(Button("appointment", Msg(N_("Talk to a counsellor"))))
        return (*own, *self.nav(node))

    def text(self, node: Node, key: str) -> str:
        return text_of(self.flows, self.state.language, node.id, key)[0]

    def show(self, node: Node, out: list[Output]) -> None:
        """Append what showing `node` says. Messages that lead straight on carry no buttons:
        only the last message of a turn has a keyboard."""
        passing = node.kind in (NodeKind.MESSAGE, NodeKind.HANDOFF)
        buttons = () if passing else self.buttons(node)
        if node.kind is NodeKind.RESULT:
            out.append(self.result(node, buttons))
            return
        say = self.say(node, "text", buttons)
        if node.kind is NodeKind.BOOKING:
            say = replace(say, offer="slots")
        out.append(say)

    def result(self, node: Node, buttons: tuple[Button, ...]) -> Say:
        outcome = rules.evaluate(self.state.answers, self.today)
        parts = [self.say(node, "text")]
        if outcome.urgent:
            parts.append(self.say(node, "urgent"))
        parts += [self.say(node, f"pathway.{t}") for t in outcome.pathways]
        if not any(t in rules.PATHWAYS for t in outcome.pathways):
            parts.append(self.say(node, "none"))
        parts.append(self.say(node, "note"))
        shown = [p for p in parts if p.text]
        first = shown[0]
        body = "\n\n".join(str(p.text).strip() for p in shown)
        return Say(body, first.language, any(p.unreviewed for p in shown), buttons)

    def topic_question(self, topic: str) -> str:
        for lang in fallback_chain(self.state.language):
            texts = self.flows.translations.get(lang)
            if texts and topic in texts.topics:
                return texts.topics[topic].question
        return topic

    def topic_answer(self, topic: str) -> Say:
        for lang in fallback_chain(self.state.language):
            texts = self.flows.translations.get(lang)
            if texts and topic in texts.topics and texts.faq_note:
                body = f"{texts.topics[topic].answer.strip()}\n\n<i>{texts.faq_note.strip()}</i>"
                unreviewed = lang != SOURCE and "faq" not in texts.reviewed_files
                return Say(fill(body, dict(self.flows.placeholders)), lang, unreviewed)
        return Say(Msg(N_("Sorry, this answer is not available.")), self.state.language)

