"""Graph and content checks on a loaded flow folder, and the one entry point `load_flows`.

The loader reports what is wrong inside one node; the validator what is wrong between nodes:
targets, reachability, dead loops, the consent gate, the intake contract, outdated legal facts,
and translations that no longer match the German structure.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path

from bot.engine.faq import FaqIndex
from bot.engine.intake import ASKABLE, FIELDS, Kind, check_value
from bot.engine.languages import SOURCE
from bot.engine.loader import Loaded, load_folder
from bot.engine.model import Condition, FlowSet, InputKind, Node, NodeKind, Translation, Where
from bot.engine.problems import FlowError, Problem, Severity, errors
from bot.engine.texts import placeholders_in

MAX_OPTIONS = 20
_INPUTS: dict[Kind, tuple[InputKind, ...]] = {
    Kind.BOOL: (InputKind.CHOICE,), Kind.ENUM: (InputKind.CHOICE,),
    Kind.DATE: (InputKind.DATE, InputKind.MONTH), Kind.INT: (InputKind.NUMBER,),
    Kind.TEXT: (InputKind.TEXT,), Kind.PHONE: (InputKind.PHONE,),
    Kind.COUNTRY: (InputKind.COUNTRY,),
}
_AUTO_ADVANCE = (NodeKind.MESSAGE, NodeKind.HANDOFF)


def load_flows(root: Path, *, today: date, settings: Iterable[str] = (),
               placeholders: Mapping[str, str] | None = None,
               review_max_age_days: int = 180,
               cache_dir: Path | None = None) -> tuple[FlowSet | None, list[Problem]]:
    """Load and check a flow folder; the set is None when there is any error."""
    loaded = load_folder(root, cache_dir)
    problems = list(loaded.problems)
    problems += check(loaded, today=today, review_max_age_days=review_max_age_days)
    problems.sort(key=lambda p: (p.severity != Severity.ERROR, p.where.file, p.where.line))
    if errors(problems):
        return None, problems
    translations = {lang: loaded.translation(lang) for lang in loaded.texts}
    for lang in loaded.topic_texts:
        translations.setdefault(lang, loaded.translation(lang))
    flows = FlowSet(
        nodes=loaded.nodes, start=loaded.start, menu=loaded.menu, privacy=loaded.privacy,
        topics=loaded.topics,
        translations=translations, settings=frozenset(settings),
        placeholders=dict(placeholders or {}),
        faq=_faq_index(loaded, translations),
    )
    return flows, problems


_FAQ: dict[int, tuple[Loaded, FaqIndex]] = {}


def _faq_index(loaded: Loaded, translations: Mapping[str, Translation]) -> FaqIndex:
    """The FAQ index of a folder read before (same `Loaded`) is reused: building it is the
    slow part of a reload, and it depends only on the folder's texts."""
    hit = _FAQ.get(id(loaded))
    if hit is None or hit[0] is not loaded:
        _FAQ.clear()
        hit = (loaded, FaqIndex.build(loaded.topics, translations))
        _FAQ[id(loaded)] = hit
    return hit[1]


def load_or_raise(root: Path, **kwargs: object) -> FlowSet:
    """Like `load_flows`, but raise `FlowError` listing every error (the bot refuses to start)."""
    flows, problems = load_flows(root, **kwargs)  # type: ignore[arg-type]
    if flows is None:
        raise FlowError(errors(problems))
    return flows


def check(loaded: Loaded, *, today: date, review_max_age_days: int) -> list[Problem]:
    found: list[Problem] = []
    found += _entries(loaded)
    found += _targets(loaded)
    for node in loaded.nodes.values():
        found += _node_rules(node)
        found += _legal(node.where, node.id, node.reviewed, node.valid_until, today,
                        review_max_age_days)
    for topic in loaded.topics.values():
        found += _legal(topic.where, topic.id, topic.reviewed, topic.valid_until, today,
                        review_max_age_days)
    if loaded.start in loaded.nodes:
        found += _reachability(loaded)
        found += _consent_gate(loaded)
    found += _message_loops(loaded)
    found += _translations(loaded)
    return found


def _entries(loaded: Loaded) -> list[Problem]:
    where = Where(f"flows/{SOURCE}/main.yaml", 1)
    found = []
    for key in ("start", "menu", "privacy"):
        value = getattr(loaded, key)
        if not value:
            found.append(Problem(where, f"no file sets '{key}:' (main.yaml should)"))
        elif value not in loaded.nodes:
            found.append(Problem(loaded.start_where or where, f"'{key}: {value}' is not a node"))
    for kind in (NodeKind.CONSENT, NodeKind.LANGUAGE, NodeKind.FAQ):
        count = sum(1 for n in loaded.nodes.values() if n.kind is kind)
        if count == 0 and loaded.nodes:
            found.append(Problem(where, f"the flows need a {kind} node"))
        if count > 1 and kind is NodeKind.CONSENT:
            extra = [n for n in loaded.nodes.values() if n.kind is kind][1]
            found.append(Problem(extra.where, "there must be exactly one consent node", extra.id))
    return found


def edges(node: Node) -> Iterator[tuple[str, Where]]:
    """Every node id this node can lead to, with where the editor wrote it."""
    for branch in node.next:
        yield branch.target, branch.where
    for option in node.options:
        for branch in option.next:
            yield branch.target, branch.where
    if node.decline_next:
        yield node.decline_next, node.where
    if node.appointment:
        yield node.appointment, node.where


def _targets(loaded: Loaded) -> list[Problem]:
    found = []
    for node in loaded.nodes.values():
        for target, where in edges(node):
            if target not in loaded.nodes:
                found.append(Problem(where, f"unknown target '{target}'"
                                     + _suggest(target, loaded.nodes), node.id))
        for condition, where in _conditions(node):
            for ref in _came_from(condition):
                if ref not in loaded.nodes:
                    found.append(Problem(where, f"'came_from: {ref}' is not a node", node.id))
        for topic in node.featured:
            if topic not in loaded.topics:
                found.append(Problem(node.where, f"featured FAQ topic '{topic}' does not exist",
                                     node.id))
        if len(node.options) > MAX_OPTIONS:
            found.append(Problem(node.where, f"{len(node.options)} options; at most "
                                 f"{MAX_OPTIONS} fit on a phone screen", node.id))
    return found


def _conditions(node: Node) -> Iterator[tuple[Condition, Where]]:
    if node.when is not None:
        yield node.when, node.where
    for branch in (*node.next, *(b for o in node.options for b in o.next)):
        if branch.condition is not None:
            yield branch.condition, branch.where


def _came_from(condition: Condition) -> Iterator[str]:
    if condition.op == "came_from":
        yield condition.key
    for part in condition.parts:
        yield from _came_from(part)


def _suggest(target: str, nodes: Mapping[str, Node]) -> str:
    close = difflib.get_close_matches(target, list(nodes), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _node_rules(node: Node) -> list[Problem]:
    if node.kind is not NodeKind.QUESTION:
        return []
    found: list[Problem] = []

    def problem(message: str) -> None:
        found.append(Problem(node.where, message, node.id))

    spec = FIELDS.get(node.key)
    if spec is None or node.key not in ASKABLE:
        problem(f"'key: {node.key}' is not an intake key a question may store "
                "(see shared/content/intake.md)")
        return found
    if node.sensitive is not None and node.sensitive != spec.sensitive:
        problem(f"'{node.key}' is {'sensitive' if spec.sensitive else 'not sensitive'} in the "
                f"intake table: write 'sensitive: {str(spec.sensitive).lower()}'")
    if node.input is not None and node.input not in _INPUTS.get(spec.kind, ()):
        problem(f"'input: {node.input}' does not fit '{node.key}' (use "
                + " or ".join(i.value for i in _INPUTS.get(spec.kind, ())) + ")")
    if node.input is InputKind.CHOICE:
        if not node.options:
            problem("a choice question needs options with values")
        for option in node.options:
            issue = "has no 'value'" if option.value is None else check_value(node.key,
                                                                               option.value)
            if issue:
                found.append(Problem(option.where, f"option '{option.id}': {issue}", node.id))
    elif node.options:
        problem(f"only 'input: choice' questions have options (this one is '{node.input}')")
    if node.key == "conviction" and not _guarded_by_setting(node.when):
        problem("the conviction question must carry 'when: {setting: ask_conviction}' "
                "(GDPR Art. 10: asked only after legal review)")
    return found


def _guarded_by_setting(cond: Condition | None) -> bool:
    if cond is None:
        return False
    if cond.op == "setting":
        return cond.key == "ask_conviction"
    return cond.op == "all" and any(_guarded_by_setting(p) for p in cond.parts)


def _legal(where: Where, subject: str, reviewed: date | None, valid_until: date | None,
           today: date, max_age: int) -> list[Problem]:
    found = []
    if valid_until is not None and valid_until < today:
        found.append(Problem(where, f"valid_until {valid_until.isoformat()} has passed: this "
                             "legal fact is outdated and must be revised", subject))
    if reviewed is not None and reviewed < today - timedelta(days=max_age):
        found.append(Problem(where, f"last reviewed {reviewed.isoformat()}, more than {max_age} "
                             "days ago: please check it against the law", subject,
                             Severity.WARNING))
    return found


def _reachability(loaded: Loaded) -> list[Problem]:
    seen = _walk(loaded, _entry_ids(loaded), through_consent=True)
    return [Problem(n.where, "unreachable: no path leads here from the start or the menu", n.id)
            for n in loaded.nodes.values() if n.id not in seen]


def _entry_ids(loaded: Loaded) -> list[str]:
    special = [n.id for n in loaded.nodes.values()
               if n.kind in (NodeKind.LANGUAGE, NodeKind.FAQ, NodeKind.CONSENT)]
    return [i for i in (loaded.start, loaded.menu, loaded.privacy, *special)
            if i in loaded.nodes]


def _walk(loaded: Loaded, starts: Iterable[str], *, through_consent: bool) -> set[str]:
    seen: set[str] = set()
    queue = deque(starts)
    while queue:
        node_id = queue.popleft()
        if node_id in seen or node_id not in loaded.nodes:
            continue
        seen.add(node_id)
        node = loaded.nodes[node_id]
        if node.kind is NodeKind.CONSENT and not through_consent:
            queue.append(node.decline_next)
            continue
        queue.extend(target for target, _ in edges(node))
    return seen


def _consent_gate(loaded: Loaded) -> list[Problem]:
    """No question that stores an answer may be reached without passing the consent node."""
    starts = [i for i in _entry_ids(loaded) if loaded.nodes[i].kind is not NodeKind.CONSENT]
    before_consent = _walk(loaded, starts, through_consent=False)
    consent = next((n.id for n in loaded.nodes.values() if n.kind is NodeKind.CONSENT), "?")
    return [Problem(n.where, f"stores '{n.key}' but can be reached without passing the "
                    f"consent node '{consent}'", n.id)
            for n in loaded.nodes.values()
            if n.kind is NodeKind.QUESTION and n.id in before_consent]


def _message_loops(loaded: Loaded) -> list[Problem]:
    """Messages that lead only to messages, in a circle, would never wait for the person."""
    found = []
    for node in loaded.nodes.values():
        if node.kind not in _AUTO_ADVANCE:
            continue
        path, current = [node.id], node
        while current.next and current.kind in _AUTO_ADVANCE:
            target = current.next[-1].target
            if target == node.id:
                found.append(Problem(node.where, "endless loop of messages: "
                                     + " → ".join([*path, target]), node.id))
                break
            if target in path or target not in loaded.nodes:
                break
            path.append(target)
            current = loaded.nodes[target]
    return found


def _translations(loaded: Loaded) -> list[Problem]:
    found: list[Problem] = []
    german = loaded.texts.get(SOURCE, {})
    for language, nodes in loaded.texts.items():
        if language == SOURCE:
            continue
        for node_id, texts in nodes.items():
            where = loaded.translation_wheres.get((language, node_id), Where(language, 1))
            if node_id not in german:
                found.append(Problem(where, "translation of a node that no longer exists",
                                     node_id))
                continue
            found += _compare_texts(german[node_id], texts, where, node_id)
    german_topics = loaded.topic_texts.get(SOURCE, {})
    for language, topics in loaded.topic_texts.items():
        for topic_id, topic in topics.items():
            where = loaded.translation_wheres.get((language, f"faq:{topic_id}"),
                                                  Where(language, 1))
            if language != SOURCE and topic_id not in german_topics:
                found.append(Problem(where, "translation of a FAQ topic that no longer exists",
                                     topic_id))
            elif language != SOURCE:
                source = german_topics[topic_id]
                found += _compare_texts({"answer": source.answer, "question": source.question},
                                        {"answer": topic.answer, "question": topic.question},
                                        where, topic_id)
    return found


def _compare_texts(german: Mapping[str, str], texts: Mapping[str, str], where: Where,
                   node_id: str) -> list[Problem]:
    found = []
    for key in texts:
        if key not in german:
            found.append(Problem(where, f"{_describe(key)} does not exist in the German source",
                                 node_id))
    for key, text in german.items():
        if key not in texts:
            found.append(Problem(where, f"{_describe(key)} has no translation", node_id))
        elif placeholders_in(text) != placeholders_in(texts[key]):
            missing = sorted(placeholders_in(text) - placeholders_in(texts[key]))
            extra = sorted(placeholders_in(texts[key]) - placeholders_in(text))
            found.append(Problem(where, f"{_describe(key)}: placeholders differ from the German "
                                 f"(missing: {missing}, extra: {extra})", node_id))
    return found


def _describe(key: str) -> str:
    kind, _, item = key.partition(".")
    return f"{kind} '{item}'" if item else f"'{key}'"

