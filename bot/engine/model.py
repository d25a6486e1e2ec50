"""The flow model: one tree of nodes (from the German source) and texts per language.

Structure and texts are kept apart so that a structural change is made once and translations
cannot drift from it (DESIGN §2). Every element remembers where it was written (`Where`), so an
editor's mistake is reported as `file:line: node 'x': what is wrong`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.engine.faq import FaqIndex

SCHEMA_VERSION = 1


class NodeKind(StrEnum):
    MESSAGE = "message"
    CHOICE = "choice"
    QUESTION = "question"
    CONSENT = "consent"
    LANGUAGE = "language"
    FAQ = "faq"
    RESULT = "result"
    HANDOFF = "handoff"
    BOOKING = "booking"  # a choice whose buttons the booking service adds free slots to
    END = "end"


class InputKind(StrEnum):
    CHOICE = "choice"
    DATE = "date"
    MONTH = "month"
    NUMBER = "number"
    TEXT = "text"
    PHONE = "phone"
    COUNTRY = "country"


@dataclass(frozen=True)
class Where:
    """A place in a flow file, for editors' messages."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Condition:
    """A parsed condition (see flows/README.md); `op` is one of the documented forms."""

    op: str
    key: str = ""
    value: Any = None
    parts: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Branch:
    target: str
    condition: Condition | None
    where: Where


@dataclass(frozen=True)
class Option:
    id: str
    next: tuple[Branch, ...]  # empty: the node's own `next`
    value: Any
    where: Where


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    flow: str
    where: Where
    next: tuple[Branch, ...] = ()
    options: tuple[Option, ...] = ()
    when: Condition | None = None
    key: str = ""
    sensitive: bool | None = None
    input: InputKind | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    decline_next: str = ""
    appointment: str = ""
    featured: tuple[str, ...] = ()
    reason: str = ""
    sources: tuple[str, ...] = ()
    reviewed: date | None = None
    valid_until: date | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


#: Texts of one node in one language: "text", "accept", "decline", "note", "none", "urgent",
#: "option.<id>", "pathway.<tag>".
Texts = Mapping[str, str]


def source_hash(texts: Texts) -> str:
    """The short hash of a German text set that a translation records as its `source`."""
    canonical = json.dumps(dict(sorted(texts.items())), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Topic:
    id: str
    where: Where
    sources: tuple[str, ...] = ()
    reviewed: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class TopicTexts:
    question: str
    answer: str
    phrasings: tuple[str, ...]
    source: str | None = None


@dataclass(frozen=True)
class Translation:
    """Texts of one language, with what they translate and their review status per file."""

    language: str
    nodes: Mapping[str, Texts] = field(default_factory=dict)
    node_sources: Mapping[str, str | None] = field(default_factory=dict)
    topics: Mapping[str, TopicTexts] = field(default_factory=dict)
    faq_note: str | None = None
    faq_note_source: str | None = None
    reviewed_files: frozenset[str] = frozenset()  # flow names whose review status is `reviewed`
    files: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FlowSet:
    """A validated set of flows: the structure, every language's texts and the FAQ."""

    nodes: Mapping[str, Node]
    start: str
    menu: str
    privacy: str
    topics: Mapping[str, Topic]
    translations: Mapping[str, Translation]  # includes the German source
    settings: frozenset[str] = frozenset()  # switched-on features, e.g. "ask_conviction"
    placeholders: Mapping[str, str] = field(default_factory=dict)
    faq: FaqIndex | None = None

    @property
    def consent_node(self) -> str:
        return next(n.id for n in self.nodes.values() if n.kind is NodeKind.CONSENT)
