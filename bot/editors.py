"""Editors' tools that write files: `lotse flows stamp` records that translations are current."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.engine.loader import FAQ_FILE, load_folder
from bot.engine.status import german_hashes
from bot.engine.yamlfile import new_yaml, read


def stamp(flows_dir: Path, language: str, node: str | None = None) -> int:
    """Write the current German source hash into `language`'s translations; return the count.

    Only texts that exist in the translation are stamped: stamping confirms a translation, it
    never creates one.
    """
    hashes = german_hashes(load_folder(flows_dir))
    count = 0
    for path in sorted((flows_dir / language).glob("*.yaml")):
        data, problem = read(path, str(path))
        if problem or not isinstance(data, Mapping):
            raise ValueError(str(problem) if problem else f"{path}: not a translation file")
        changed = _stamp_file(data, path.stem == FAQ_FILE, hashes, node)
        if changed:
            with path.open("w", encoding="utf-8") as handle:
                new_yaml().dump(data, handle)
            count += changed
    return count


def _stamp_file(data: Any, faq: bool, hashes: Mapping[str, str], only: str | None) -> int:
    changed = 0
    section, prefix = ("topics", "faq:") if faq else ("nodes", "")
    for unit_id, entry in (data.get(section) or {}).items():
        unit = f"{prefix}{unit_id}"
        if only not in (None, unit_id) or unit not in hashes or not isinstance(entry, dict):
            continue
        if entry.get("source") != hashes[unit]:
            entry["source"] = hashes[unit]
            changed += 1
    note = data.get("note") if faq else None
    if isinstance(note, dict) and "faq:note" in hashes and only in (None, "note") \
            and note.get("source") != hashes["faq:note"]:
        note["source"] = hashes["faq:note"]
        changed += 1
    return changed
