"""Reading editors' YAML with line numbers (ruamel.yaml round-trip), never raising on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.engine.model import Where
from bot.engine.problems import Problem


class _Constructor(RoundTripConstructor):
    """Reads `18_26` or `25_5` as the text it looks like, never as the number 1826 or 255.

    YAML allows underscores in numbers; in our files they are always ids and values
    (`age_group: 18_26`, pathway `25_5`), and an editor cannot be expected to quote them.
    """

    def construct_yaml_int(self, node: Any) -> Any:
        if "_" in str(node.value):
            return str(node.value)
        return super().construct_yaml_int(node)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


def new_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read(path: Path, label: str) -> tuple[Any, Problem | None]:
    """Load `path`; on a syntax error return (None, problem with the editor's line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem(Where(label, 1), f"cannot read the file: {exc}")
    try:
        return new_yaml().load(text), None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "bad YAML"
        return None, Problem(Where(label, line), f"bad YAML: {what}")
    except YAMLError as exc:
        return None, Problem(Where(label, 1), f"bad YAML: {exc}")


def line_of(container: Any, key: Any = None, default: int = 1) -> int:
    """1-based line of `container[key]` (or of the container itself)."""
    try:
        if key is None:
            return int(container.lc.line) + 1
        if isinstance(container, CommentedMap):
            return int(container.lc.key(key)[0]) + 1
        if isinstance(container, CommentedSeq):
            return int(container.lc.item(key)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        pass
    return default
