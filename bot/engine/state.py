"""The per-chat conversation state: where the person is, and what they chose to tell us."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

MAX_STACK = 50


@dataclass(frozen=True)
class State:
    language: str = "de"
    node: str = ""  # "" until the conversation starts
    stack: tuple[str, ...] = ()  # interactive nodes visited, for Back
    resume: tuple[str, ...] = ()  # where to go on after a detour (consent, language)
    answers: Mapping[str, Any] = field(default_factory=dict)  # only ever after consent
    consent: str | None = None  # version of the consent text agreed to
    source: str | None = None  # campaign label from a deep link
    suggestions: tuple[str, ...] = ()  # FAQ topics offered as buttons right now
    pending: str = ""  # "erase" while /delete waits for its confirmation

    def evolve(self, **changes: Any) -> State:
        return replace(self, **changes)

    def push(self, node_id: str) -> State:
        stack = (*self.stack, node_id)[-MAX_STACK:]
        return replace(self, stack=stack)

    # The answers are kept out of `position()` so that the store can encrypt them apart.
    def position(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("answers")
        data["stack"] = list(self.stack)
        data["resume"] = list(self.resume)
        data["suggestions"] = list(self.suggestions)
        return data

    @classmethod
    def restore(cls, position: Mapping[str, Any], answers: Mapping[str, Any]) -> State:
        """Rebuild a state from stored data, dropping anything unexpected instead of failing."""
        known = {f: position[f] for f in cls.__dataclass_fields__ if f in position}
        for name in ("stack", "resume", "suggestions"):
            value = known.get(name, ())
            known[name] = tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()
        return cls(**known, answers=dict(answers))
