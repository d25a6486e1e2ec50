"""Load a flow folder (German structure + every language's texts) into a `FlowSet`.

Nothing an editor writes may crash the bot: every unexpected shape becomes a `Problem` with the
file and line, and loading goes on so that one run of `lotse flows check` lists all mistakes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.engine import conditions, parsecache
from bot.engine.languages import SOURCE, SUPPORTED
from bot.engine.model import (
    SCHEMA_VERSION,
    Branch,
    InputKind,
    Node,
    NodeKind,
    Option,
    Topic,
    TopicTexts,
    Translation,
    Where,
)
from bot.engine.problems import Problem, Severity
from bot.engine.rules import ALL_TAGS
from bot.engine.texts import MAX_MESSAGE_CHARS, check_text, readability
from bot.engine.yamlfile import line_of, read

ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
FAQ_FILE = "faq"

_COMMON = {"id", "kind", "text", "when", "sources", "reviewed", "valid_until"}
_FIELDS: dict[NodeKind, set[str]] = {
    NodeKind.MESSAGE: {"next"},
    NodeKind.CHOICE: {"options"},
    NodeKind.QUESTION: {"key", "sensitive", "input", "options", "next", "min", "max",
                        "max_length"},
    NodeKind.CONSENT: {"accept", "decline", "next", "decline_next"},
    NodeKind.LANGUAGE: {"next"},
    NodeKind.FAQ: {"appointment", "featured"},
    NodeKind.RESULT: {"pathways", "none", "urgent", "note", "options"},
    NodeKind.HANDOFF: {"reason", "next"},
    NodeKind.BOOKING: {"options"},
    NodeKind.END: set(),
}
_REQUIRED: dict[NodeKind, tuple[str, ...]] = {
    NodeKind.MESSAGE: ("next",),
    NodeKind.CHOICE: ("options",),
    NodeKind.QUESTION: ("key", "sensitive", "input", "next"),
    NodeKind.CONSENT: ("accept", "decline", "next", "decline_next"),
    NodeKind.LANGUAGE: ("next",),
    NodeKind.FAQ: ("appointment",),
    NodeKind.RESULT: ("note", "none", "options"),
    NodeKind.HANDOFF: ("reason", "next"),
    NodeKind.BOOKING: ("options",),
    NodeKind.END: (),
}
_PLAIN_TEXTS = ("text", "accept", "decline", "note", "none", "urgent")
_TRANSLATED_NODE_KEYS = {*_PLAIN_TEXTS, "options", "pathways", "source"}
HANDOFF_REASONS = ("prescreen", "urgent", "talk")
CONSENT_CHARS = 2000


@dataclass
class Loaded:
    """What the loader read, before the graph checks of the validator."""

    nodes: dict[str, Node] = field(default_factory=dict)
    texts: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # lang→node→texts
    sources: dict[str, dict[str, str | None]] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    topic_texts: dict[str, dict[str, TopicTexts]] = field(default_factory=dict)
    faq_note: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    reviewed_files: dict[str, set[str]] = field(default_factory=dict)
    files: dict[str, set[str]] = field(default_factory=dict)
    translation_wheres: dict[tuple[str, str], Where] = field(default_factory=dict)
    start: str = ""
    menu: str = ""
    privacy: str = ""
    start_where: Where | None = None
    problems: list[Problem] = field(default_factory=list)

    def translation(self, language: str) -> Translation:
        note = self.faq_note.get(language)
        return Translation(
            language=language,
            nodes=self.texts.get(language, {}),
            node_sources=self.sources.get(language, {}),
            topics=self.topic_texts.get(language, {}),
            faq_note=note[0] if note else None,
            faq_note_source=note[1] if note else None,
            reviewed_files=frozenset(self.reviewed_files.get(language, set())),
            files=frozenset(self.files.get(language, set())),
        )


class _Reader:
    """Reads one folder; helpers append problems instead of raising."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = Loaded()

    def label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, where: Where, message: str, node: str | None = None,
                severity: Severity = Severity.ERROR) -> None:
        self.out.problems.append(Problem(where, message, node, severity))

    def unknown_keys(self, raw: Mapping[str, Any], allowed: Iterable[str], file: str,
                     node: str | None, what: str) -> None:
        allowed = set(allowed)
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problem(Where(file, line_of(raw, key)),
                             f"unknown field '{key}' in {what}{hint}", node)

    def text(self, raw: Any, where: Where, node: str | None, language: str,
             what: str, *, label: bool = False,
             readable_chars: int | None = MAX_MESSAGE_CHARS) -> str | None:
        if not isinstance(raw, str):
            self.problem(where, f"{what} must be text", node)
            return None
        for message in check_text(raw, language, label=label):
            self.problem(where, f"{what}: {message}", node)
        if language == SOURCE and not label and readable_chars:
            for message in readability(raw, max_chars=readable_chars):
                self.problem(where, f"{what}: {message}", node, Severity.WARNING)
        return raw


_CACHE: dict[tuple[object, ...], Loaded] = {}


def load_folder(root: Path, cache_dir: Path | None = None) -> Loaded:
    """Read every language folder under `root` (German first) without judging the graph.

    Parsing with line numbers is slow (pure-Python YAML), so an unchanged folder — same files,
    sizes and modification times — is read once per process, and with `cache_dir` once per
    content across processes (`parsecache`).
    """
    files = sorted(root.glob("*/*.yaml")) if root.is_dir() else []
    key = (str(root.resolve()), *((str(f), f.stat().st_mtime_ns, f.stat().st_size)
                                   for f in files))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _read_cached(root, files, cache_dir)
    return _CACHE[key]


def _read_cached(root: Path, files: list[Path], cache_dir: Path | None) -> Loaded:
    if cache_dir is None:
        return _read_folder(root)
    name = parsecache.key(root, files)
    found = parsecache.read(cache_dir, name)
    if isinstance(found, Loaded):
        return found
    loaded = _read_folder(root)
    parsecache.write(cache_dir, name, loaded)
    return loaded


def _read_folder(root: Path) -> Loaded:
    reader = _Reader(root)
    source_dir = root / SOURCE
    if not source_dir.is_dir():
        reader.problem(Where(str(source_dir), 1), "the German source folder is missing")
        return reader.out
    for path in sorted(source_dir.glob("*.yaml")):
        if path.stem == FAQ_FILE:
            _read_source_faq(reader, path)
        else:
            _read_source_flow(reader, path)
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != SOURCE):
        if lang_dir.name not in SUPPORTED:
            reader.problem(Where(reader.label(lang_dir), 1),
                           f"'{lang_dir.name}' is not a supported language "
                           f"({', '.join(SUPPORTED)})")
            continue
        for path in sorted(lang_dir.glob("*.yaml")):
            _read_translation(reader, path, lang_dir.name)
    return reader.out


# --- German source ---------------------------------------------------------------------------

def _read_source_flow(r: _Reader, path: Path) -> None:
    label = r.label(path)
    data, problem = read(path, label)
    if problem:
        r.out.problems.append(problem)
        return
    if not isinstance(data, Mapping):
        r.problem(Where(label, 1), "a flow file must be a mapping with schema and nodes")
        return
    r.out.files.setdefault(SOURCE, set()).add(path.stem)
    r.out.reviewed_files.setdefault(SOURCE, set()).add(path.stem)
    r.unknown_keys(data, {"schema", "start", "menu", "privacy", "nodes"}, label, None,
                   "the file")
    _check_schema(r, data, label)
    for key in ("start", "menu", "privacy"):
        if key in data:
            if getattr(r.out, key):
                r.problem(Where(label, line_of(data, key)), f"'{key}' is set in two files")
            setattr(r.out, key, str(data[key]))
            if key == "start":
                r.out.start_where = Where(label, line_of(data, key))
    nodes = data.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        r.problem(Where(label, line_of(data, "nodes")), "'nodes' must be a list of nodes")
        return
    for index, raw in enumerate(nodes):
        where = Where(label, line_of(nodes, index))
        if not isinstance(raw, Mapping):
            r.problem(where, "each node must be a mapping with id and kind")
            continue
        _read_node(r, raw, path.stem, where)


def _check_schema(r: _Reader, data: Mapping[str, Any], label: str) -> None:
    schema = data.get("schema")
    if schema != SCHEMA_VERSION:
        r.problem(Where(label, line_of(data, "schema")),
                  f"'schema: {SCHEMA_VERSION}' is required (found {schema!r})")


def _read_node(r: _Reader, raw: Mapping[str, Any], flow: str, where: Where) -> None:
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not ID.match(node_id):
        r.problem(where, f"node id {node_id!r} must be lower-case a-z, 0-9 and _, "
                  "start with a letter, at most 32 characters")
        return
    try:
        kind = NodeKind(str(raw.get("kind")))
    except ValueError:
        r.problem(where, f"unknown kind {raw.get('kind')!r} (kinds: "
                  + ", ".join(k.value for k in NodeKind) + ")", node_id)
        return
    if node_id in r.out.nodes:
        r.problem(where, f"duplicate id (first at {r.out.nodes[node_id].where})", node_id)
        return
    r.unknown_keys(raw, _COMMON | _FIELDS[kind], where.file, node_id, f"a {kind} node")
    for key in ("text", *_REQUIRED[kind]):
        if key not in raw:
            r.problem(where, f"a {kind} node needs '{key}'", node_id)
    texts: dict[str, str] = {}
    # The consent text must say everything GDPR Art. 13 asks for: it may be longer.
    chars = CONSENT_CHARS if kind is NodeKind.CONSENT else MAX_MESSAGE_CHARS
    for key in _PLAIN_TEXTS:
        if key in raw and key in _COMMON | _FIELDS[kind]:
            value = r.text(raw[key], Where(where.file, line_of(raw, key, where.line)),
                           node_id, SOURCE, key, readable_chars=chars)
            if value is not None:
                texts[key] = value
    if kind is NodeKind.RESULT:
        _read_pathways(r, raw, node_id, where, texts)
    options = _read_options(r, raw, kind, node_id, where, texts)
    node = Node(
        id=node_id, kind=kind, flow=flow, where=where,
        next=_read_next(r, raw.get("next"), Where(where.file, line_of(raw, "next", where.line)),
                        node_id) if "next" in raw else (),
        options=options,
        when=_read_condition(r, raw, "when", where, node_id),
        **_question_fields(r, raw, kind, node_id, where),
        decline_next=str(raw.get("decline_next", "")),
        appointment=str(raw.get("appointment", "")),
        featured=tuple(str(t) for t in raw.get("featured", []) or []),
        reason=_read_reason(r, raw, kind, node_id, where),
        **_legal_fields(r, raw, node_id, where),
    )
    r.out.nodes[node_id] = node
    r.out.texts.setdefault(SOURCE, {})[node_id] = texts
    r.out.sources.setdefault(SOURCE, {})[node_id] = None


def _read_pathways(r: _Reader, raw: Mapping[str, Any], node_id: str, where: Where,
                   texts: dict[str, str]) -> None:
    pathways = raw.get("pathways")
    if not isinstance(pathways, Mapping):
        r.problem(where, "a result node needs 'pathways': a text for every tag", node_id)
        return
    for tag, value in pathways.items():
        tag_where = Where(where.file, line_of(pathways, tag, where.line))
        if str(tag) not in ALL_TAGS:
            r.problem(tag_where, f"unknown pathway tag '{tag}' (tags: {', '.join(ALL_TAGS)})",
                      node_id)
            continue
        text = r.text(value, tag_where, node_id, SOURCE, f"pathway '{tag}'")
        if text is not None:
            texts[f"pathway.{tag}"] = text
    for tag in ALL_TAGS:
        if str(tag) not in {str(t) for t in pathways}:
            r.problem(where, f"pathway '{tag}' has no text", node_id)


def _read_options(r: _Reader, raw: Mapping[str, Any], kind: NodeKind, node_id: str,
                  where: Where, texts: dict[str, str]) -> tuple[Option, ...]:
    options = raw.get("options")
    if options is None:
        return ()
    line = line_of(raw, "options", where.line)
    if not isinstance(options, list) or not options:
        r.problem(Where(where.file, line), "'options' must be a list of options", node_id)
        return ()
    allowed = {"id", "label", "next"} | ({"value"} if kind is NodeKind.QUESTION else set())
    result: list[Option] = []
    for index, item in enumerate(options):
        at = Where(where.file, line_of(options, index, line))
        if not isinstance(item, Mapping):
            r.problem(at, "each option must be a mapping with id and label", node_id)
            continue
        option_id = item.get("id")
        if not isinstance(option_id, str) or not ID.match(option_id):
            r.problem(at, f"option id {option_id!r} must be lower-case a-z, 0-9 and _, "
                      "start with a letter, at most 32 characters", node_id)
            continue
        if any(o.id == option_id for o in result):
            r.problem(at, f"duplicate option id '{option_id}'", node_id)
            continue
        r.unknown_keys(item, allowed, where.file, node_id, f"option '{option_id}'")
        if "label" not in item:
            r.problem(at, f"option '{option_id}' has no label", node_id)
        else:
            label = r.text(item["label"], at, node_id, SOURCE, f"option '{option_id}'",
                           label=True)
            if label is not None:
                texts[f"option.{option_id}"] = label
        if kind is not NodeKind.QUESTION and "next" not in item:
            r.problem(at, f"option '{option_id}' has no 'next'", node_id)
        branches = _read_next(r, item["next"], at, node_id) if "next" in item else ()
        result.append(Option(option_id, branches, item.get("value"), at))
    return tuple(result)


def _read_next(r: _Reader, raw: Any, where: Where, node_id: str) -> tuple[Branch, ...]:
    if isinstance(raw, str):
        return (Branch(raw, None, where),)
    if not isinstance(raw, list) or not raw:
        r.problem(where, "'next' must be a node id or a list of {if: …, go: …} branches", node_id)
        return ()
    branches: list[Branch] = []
    for index, item in enumerate(raw):
        at = Where(where.file, line_of(raw, index, where.line))
        if not isinstance(item, Mapping) or "go" not in item:
            r.problem(at, "each branch needs 'go: NODE' (and 'if:' except the last)", node_id)
            continue
        r.unknown_keys(item, {"if", "go"}, where.file, node_id, "a branch")
        last = index == len(raw) - 1
        if last and "if" in item:
            r.problem(at, "the last branch must have no 'if' (where to go otherwise)", node_id)
        if not last and "if" not in item:
            r.problem(at, "only the last branch may be without 'if'", node_id)
        condition = _read_condition(r, item, "if", at, node_id)
        branches.append(Branch(str(item["go"]), condition, at))
    return tuple(branches)


def _read_condition(r: _Reader, raw: Mapping[str, Any], key: str, where: Where,
                    node_id: str) -> Any:
    if key not in raw:
        return None
    try:
        return conditions.parse(raw[key])
    except conditions.ConditionError as exc:
        r.problem(Where(where.file, line_of(raw, key, where.line)), f"'{key}': {exc}", node_id)
        return None


def _question_fields(r: _Reader, raw: Mapping[str, Any], kind: NodeKind, node_id: str,
                     where: Where) -> dict[str, Any]:
    if kind is not NodeKind.QUESTION:
        return {}
    fields: dict[str, Any] = {"key": str(raw.get("key", ""))}
    sensitive = raw.get("sensitive")
    if "sensitive" in raw and not isinstance(sensitive, bool):
        r.problem(Where(where.file, line_of(raw, "sensitive")), "'sensitive' must be true or false",
                  node_id)
    fields["sensitive"] = sensitive if isinstance(sensitive, bool) else None
    try:
        fields["input"] = InputKind(str(raw.get("input"))) if "input" in raw else None
    except ValueError:
        r.problem(Where(where.file, line_of(raw, "input")), f"unknown input {raw.get('input')!r} "
                  f"(inputs: {', '.join(i.value for i in InputKind)})", node_id)
        fields["input"] = None
    for name, attr in (("min", "minimum"), ("max", "maximum"), ("max_length", "max_length")):
        value = raw.get(name)
        if name in raw and (not isinstance(value, int) or isinstance(value, bool)):
            r.problem(Where(where.file, line_of(raw, name)), f"'{name}' must be a whole number",
                      node_id)
            value = None
        fields[attr] = value
    return fields


def _read_reason(r: _Reader, raw: Mapping[str, Any], kind: NodeKind, node_id: str,
                 where: Where) -> str:
    if kind is not NodeKind.HANDOFF or "reason" not in raw:
        return ""
    reason = str(raw["reason"])
    if reason not in HANDOFF_REASONS:
        r.problem(Where(where.file, line_of(raw, "reason")),
                  f"unknown handoff reason '{reason}' ({', '.join(HANDOFF_REASONS)})", node_id)
    return reason


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _legal_fields(r: _Reader, raw: Mapping[str, Any], node_id: str | None,
                  where: Where) -> dict[str, Any]:
    fields: dict[str, Any] = {"sources": (), "reviewed": None, "valid_until": None}
    if not {"sources", "reviewed", "valid_until"} & set(raw):
        return fields
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources or not all(
            isinstance(s, str) and s.startswith(("https://", "http://")) for s in sources):
        r.problem(Where(where.file, line_of(raw, "sources", where.line)),
                  "legal content needs 'sources': a list of URLs", node_id)
    else:
        fields["sources"] = tuple(sources)
    for key in ("reviewed", "valid_until"):
        if key in raw:
            fields[key] = _as_date(raw[key])
            if fields[key] is None:
                r.problem(Where(where.file, line_of(raw, key)),
                          f"'{key}' must be a date YYYY-MM-DD", node_id)
    if "reviewed" not in raw:
        r.problem(where, "legal content needs 'reviewed: YYYY-MM-DD'", node_id)
    return fields


def _read_source_faq(r: _Reader, path: Path) -> None:
    label = r.label(path)
    data, problem = read(path, label)
    if problem:
        r.out.problems.append(problem)
        return
    if not isinstance(data, Mapping):
        r.problem(Where(label, 1), "the FAQ file must be a mapping with schema, note and topics")
        return
    r.out.files.setdefault(SOURCE, set()).add(FAQ_FILE)
    r.out.reviewed_files.setdefault(SOURCE, set()).add(FAQ_FILE)
    r.unknown_keys(data, {"schema", "note", "topics"}, label, None, "the FAQ file")
    _check_schema(r, data, label)
    note = r.text(data.get("note"), Where(label, line_of(data, "note")), None, SOURCE,
                  "the general-information 'note'")
    if note is not None:
        r.out.faq_note[SOURCE] = (note, None)
    topics = data.get("topics")
    if not isinstance(topics, list):
        r.problem(Where(label, line_of(data, "topics")), "'topics' must be a list of topics")
        return
    for index, raw in enumerate(topics):
        where = Where(label, line_of(topics, index))
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) \
                or not ID.match(raw["id"]):
            r.problem(where, "each topic needs an id: lower-case a-z, 0-9 and _")
            continue
        topic_id = raw["id"]
        if topic_id in r.out.topics:
            r.problem(where, f"duplicate FAQ topic id '{topic_id}' "
                      f"(first at {r.out.topics[topic_id].where})")
            continue
        r.unknown_keys(raw, {"id", "question", "answer", "phrasings", "sources", "reviewed",
                             "valid_until"}, label, topic_id, f"FAQ topic '{topic_id}'")
        texts = _topic_texts(r, raw, where, topic_id, SOURCE, with_source=False)
        legal = _legal_fields(r, raw, topic_id, where)
        if not legal["sources"] and "sources" not in raw:
            r.problem(where, "every FAQ answer needs 'sources' and 'reviewed'", topic_id)
        r.out.topics[topic_id] = Topic(topic_id, where, legal["sources"], legal["reviewed"],
                                       legal["valid_until"])
        if texts:
            r.out.topic_texts.setdefault(SOURCE, {})[topic_id] = texts


def _topic_texts(r: _Reader, raw: Mapping[str, Any], where: Where, topic_id: str,
                 language: str, *, with_source: bool) -> TopicTexts | None:
    values: dict[str, str] = {}
    for key in ("question", "answer"):
        if key not in raw:
            r.problem(where, f"FAQ topic '{topic_id}' needs '{key}'", topic_id)
            continue
        text = r.text(raw[key], Where(where.file, line_of(raw, key, where.line)), topic_id,
                      language, key, label=False)
        if text is not None:
            values[key] = text
    phrasings = raw.get("phrasings", [])
    if not isinstance(phrasings, list) or not all(isinstance(p, str) for p in phrasings):
        r.problem(Where(where.file, line_of(raw, "phrasings", where.line)),
                  "'phrasings' must be a list of texts", topic_id)
        phrasings = []
    if len(values) < 2:
        return None
    source = raw.get("source") if with_source else None
    return TopicTexts(values["question"], values["answer"], tuple(phrasings),
                      str(source) if source is not None else None)


# --- translations ----------------------------------------------------------------------------

def _read_translation(r: _Reader, path: Path, language: str) -> None:
    label = r.label(path)
    data, problem = read(path, label)
    if problem:
        r.out.problems.append(problem)
        return
    if not isinstance(data, Mapping):
        r.problem(Where(label, 1), "a translation file must be a mapping with meta and nodes")
        return
    if not (r.root / SOURCE / path.name).exists():
        r.problem(Where(label, 1), f"there is no German file {SOURCE}/{path.name} to translate")
        return
    r.out.files.setdefault(language, set()).add(path.stem)
    if _read_meta(r, data, label, language):
        r.out.reviewed_files.setdefault(language, set()).add(path.stem)
    if path.stem == FAQ_FILE:
        r.unknown_keys(data, {"meta", "note", "topics"}, label, None, "the FAQ translation")
        _read_faq_translation(r, data, label, language)
        return
    r.unknown_keys(data, {"meta", "nodes"}, label, None, "a translation file")
    nodes = data.get("nodes") or {}
    if not isinstance(nodes, Mapping):
        r.problem(Where(label, line_of(data, "nodes")), "'nodes' must map node ids to texts")
        return
    for node_id, raw in nodes.items():
        where = Where(label, line_of(nodes, node_id))
        r.out.translation_wheres[(language, str(node_id))] = where
        if not isinstance(raw, Mapping):
            r.problem(where, "a translated node must map text, options … to texts", str(node_id))
            continue
        _read_translated_node(r, raw, str(node_id), where, language)


def _read_meta(r: _Reader, data: Mapping[str, Any], label: str, language: str) -> bool:
    """Check the metadata block; return whether the file is reviewed."""
    meta = data.get("meta")
    where = Where(label, line_of(data, "meta"))
    if not isinstance(meta, Mapping):
        r.problem(where,
                  "a translation file starts with 'meta: {language: …, review: {status: …}}'")
        return False
    if meta.get("language") != language:
        r.problem(where,
                  f"meta.language is {meta.get('language')!r} but the folder is '{language}'")
    review = meta.get("review")
    if not isinstance(review, Mapping) or review.get("status") not in ("machine", "reviewed"):
        r.problem(where, "meta.review.status must be 'machine' or 'reviewed'")
        return False
    status = str(review["status"])
    if status == "reviewed" and not (review.get("by") and review.get("date")):
        r.problem(where, "a reviewed translation names who reviewed it (by) and when (date)")
    return status == "reviewed"


def _read_translated_node(r: _Reader, raw: Mapping[str, Any], node_id: str, where: Where,
                          language: str) -> None:
    r.unknown_keys(raw, _TRANSLATED_NODE_KEYS, where.file, node_id, "a translated node")
    texts: dict[str, str] = {}
    for key in _PLAIN_TEXTS:
        if key in raw:
            value = r.text(raw[key], Where(where.file, line_of(raw, key, where.line)), node_id,
                           language, key)
            if value is not None:
                texts[key] = value
    for group, prefix in (("options", "option"), ("pathways", "pathway")):
        items = raw.get(group)
        if items is None:
            continue
        if not isinstance(items, Mapping):
            r.problem(Where(where.file, line_of(raw, group, where.line)),
                      f"'{group}' must map ids to texts", node_id)
            continue
        for item_id, value in items.items():
            at = Where(where.file, line_of(items, item_id, where.line))
            text = r.text(value, at, node_id, language, f"{prefix} '{item_id}'",
                          label=group == "options")
            if text is not None:
                texts[f"{prefix}.{item_id}"] = text
    r.out.texts.setdefault(language, {})[node_id] = texts
    source = raw.get("source")
    r.out.sources.setdefault(language, {})[node_id] = str(source) if source is not None else None


def _read_faq_translation(r: _Reader, data: Mapping[str, Any], label: str,
                          language: str) -> None:
    note = data.get("note")
    if note is not None:
        where = Where(label, line_of(data, "note"))
        if not isinstance(note, Mapping) or "text" not in note:
            r.problem(where, "'note' must be {text: …, source: …}")
        else:
            text = r.text(note["text"], where, None, language, "the general-information 'note'")
            if text is not None:
                source = note.get("source")
                r.out.faq_note[language] = (text, str(source) if source is not None else None)
    topics = data.get("topics") or {}
    if not isinstance(topics, Mapping):
        r.problem(Where(label, line_of(data, "topics")), "'topics' must map topic ids to texts")
        return
    for topic_id, raw in topics.items():
        where = Where(label, line_of(topics, topic_id))
        r.out.translation_wheres[(language, f"faq:{topic_id}")] = where
        if not isinstance(raw, Mapping):
            r.problem(where, "a translated topic maps question, answer, phrasings", str(topic_id))
            continue
        r.unknown_keys(raw, {"question", "answer", "phrasings", "source"}, label, str(topic_id),
                       f"FAQ topic '{topic_id}'")
        texts = _topic_texts(r, raw, where, str(topic_id), language, with_source=True)
        if texts:
            r.out.topic_texts.setdefault(language, {})[str(topic_id)] = texts
