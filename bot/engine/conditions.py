"""The tiny declarative condition language of flow files (no `eval`): parse and evaluate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.engine.intake import FIELDS, check_value
from bot.engine.model import Condition

SETTINGS = frozenset({"ask_conviction"})
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "gte": lambda a, b: a >= b, "gt": lambda a, b: a > b,
    "lte": lambda a, b: a <= b, "lt": lambda a, b: a < b,
}
_FORMS = "{answer: KEY, is|in|gte|gt|lte|lt|given: …}, {urgent: …}, {consent: …}, " \
         "{came_from: NODE}, {setting: NAME}, {all: […]}, {any: […]}, {not: …}"


class ConditionError(ValueError):
    """A condition an editor wrote that does not follow the documented forms."""


def parse(raw: Any) -> Condition:
    """Turn a YAML condition into a `Condition`, or raise `ConditionError` saying why."""
    if not isinstance(raw, Mapping) or not raw:
        raise ConditionError(f"a condition must be one of {_FORMS}")
    keys = set(raw)
    if len(keys) > 1 and "answer" not in keys:
        raise ConditionError(f"one condition has several forms ({', '.join(sorted(keys))}); "
                             "combine them with all: or any:")
    if keys in ({"all"}, {"any"}):
        op = next(iter(keys))
        parts = raw[op]
        if not isinstance(parts, list) or not parts:
            raise ConditionError(f"'{op}' needs a list of conditions")
        return Condition(op, parts=tuple(parse(p) for p in parts))
    if keys == {"not"}:
        return Condition("not", parts=(parse(raw["not"]),))
    if keys in ({"urgent"}, {"consent"}):
        (op,) = keys
        return Condition(op, value=_bool(raw[op], op))
    if keys == {"came_from"}:
        if not isinstance(raw["came_from"], str):
            raise ConditionError("'came_from' needs a node id")
        return Condition("came_from", key=raw["came_from"])
    if keys == {"setting"}:
        if raw["setting"] not in SETTINGS:
            raise ConditionError(f"unknown setting '{raw['setting']}' (known: "
                                 + ", ".join(sorted(SETTINGS)) + ")")
        return Condition("setting", key=str(raw["setting"]))
    if "answer" in keys:
        return _parse_answer(raw)
    raise ConditionError(f"a condition must be one of {_FORMS}")


def _bool(value: Any, op: str) -> bool:
    if not isinstance(value, bool):
        raise ConditionError(f"'{op}' must be true or false")
    return value


def _parse_answer(raw: Mapping[str, Any]) -> Condition:
    key = str(raw["answer"])
    if key not in FIELDS:
        raise ConditionError(f"unknown intake key '{key}' in condition")
    ops = set(raw) - {"answer"}
    if len(ops) != 1:
        raise ConditionError(
            f"'answer: {key}' needs exactly one of is, in, gte, gt, lte, lt, given")
    (op,) = ops
    operand = raw[op]
    if op == "is":
        _check_domain(key, operand)
    elif op == "in":
        if not isinstance(operand, list) or not operand:
            raise ConditionError("'in' needs a list of values")
        for item in operand:
            _check_domain(key, item)
        operand = tuple(operand)
    elif op in _COMPARE:
        if not isinstance(operand, int) or isinstance(operand, bool):
            raise ConditionError(f"'{op}' needs a whole number")
    elif op == "given":
        operand = _bool(operand, op)
    else:
        raise ConditionError(f"unknown operator '{op}' (use is, in, gte, gt, lte, lt, given)")
    return Condition(op, key=key, value=operand)


def _check_domain(key: str, value: Any) -> None:
    problem = check_value(key, value) if value != "unknown" else None
    if problem:
        raise ConditionError(problem)


@dataclass(frozen=True)
class Context:
    answers: Mapping[str, Any]
    urgent: bool
    consent: bool
    settings: frozenset[str]
    came_from: str = ""  # the node the person was at before the current one


def holds(cond: Condition, ctx: Context) -> bool:
    """Evaluate a parsed condition; a missing or skipped answer makes comparisons false."""
    op = cond.op
    if op == "all":
        return all(holds(p, ctx) for p in cond.parts)
    if op == "any":
        return any(holds(p, ctx) for p in cond.parts)
    if op == "not":
        return not holds(cond.parts[0], ctx)
    if op == "urgent":
        return ctx.urgent is cond.value
    if op == "consent":
        return ctx.consent is cond.value
    if op == "setting":
        return cond.key in ctx.settings
    if op == "came_from":
        return ctx.came_from == cond.key
    answer = ctx.answers.get(cond.key)
    if op == "given":
        return (answer is not None and answer != "unknown") is cond.value
    if op == "is":
        return answer is not None and answer == cond.value and type(answer) is type(cond.value)
    if op == "in":
        return answer is not None and any(
            answer == v and type(answer) is type(v) for v in cond.value)
    if isinstance(answer, int) and not isinstance(answer, bool):
        return _COMPARE[op](answer, int(cond.value))
    return False
