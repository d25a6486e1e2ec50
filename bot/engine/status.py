"""Per-language translation status of the flows: translated, stale, missing, reviewed.

A translation records the hash of the German text it translates; when the German text changes,
the translation is *stale* (still shown, listed for editors) — like gettext's fuzzy flag.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from bot.engine.languages import SOURCE, SUPPORTED
from bot.engine.loader import Loaded
from bot.engine.model import source_hash


@dataclass
class Counts:
    total: int = 0
    translated: int = 0
    stale: int = 0
    missing: int = 0
    reviewed: bool = False

    def add(self, other: Counts) -> Counts:
        return Counts(self.total + other.total, self.translated + other.translated,
                      self.stale + other.stale, self.missing + other.missing,
                      self.reviewed and other.reviewed)

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


def german_hashes(loaded: Loaded) -> dict[str, str]:
    """Unit id → hash of its German texts: nodes, FAQ topics (`faq:<id>`) and the FAQ note."""
    hashes = {node_id: source_hash(texts)
              for node_id, texts in loaded.texts.get(SOURCE, {}).items()}
    for topic_id, topic in loaded.topic_texts.get(SOURCE, {}).items():
        hashes[f"faq:{topic_id}"] = source_hash({"question": topic.question,
                                                 "answer": topic.answer})
    note = loaded.faq_note.get(SOURCE)
    if note:
        hashes["faq:note"] = source_hash({"note": note[0]})
    return hashes


def recorded_sources(loaded: Loaded, language: str) -> dict[str, str | None]:
    """Unit id → the source hash a translation recorded (None: never stamped)."""
    recorded: dict[str, str | None] = dict(loaded.sources.get(language, {}))
    for topic_id, topic in loaded.topic_texts.get(language, {}).items():
        recorded[f"faq:{topic_id}"] = topic.source
    note = loaded.faq_note.get(language)
    if note:
        recorded["faq:note"] = note[1]
    return recorded


def flow_status(loaded: Loaded) -> dict[str, Counts]:
    hashes = german_hashes(loaded)
    german_files = loaded.files.get(SOURCE, set())
    status: dict[str, Counts] = {}
    for language in SUPPORTED:
        if language == SOURCE:
            status[language] = Counts(len(hashes), len(hashes), 0, 0, True)
            continue
        recorded = recorded_sources(loaded, language)
        counts = Counts(total=len(hashes))
        for unit, current in hashes.items():
            if unit not in recorded:
                counts.missing += 1
            elif recorded[unit] == current:
                counts.translated += 1
            else:
                counts.stale += 1
        counts.reviewed = bool(german_files) and german_files <= loaded.reviewed_files.get(
            language, set())
        status[language] = counts
    return status
