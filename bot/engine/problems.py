"""Editors' problems: every mistake in a flow file is reported as `file:line: node 'x': what`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.engine.model import Where


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    where: Where
    message: str
    node: str | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        subject = f"node '{self.node}': " if self.node else ""
        return f"{self.where}: {prefix}{subject}{self.message}"


class FlowError(Exception):
    """Raised when a flow set has errors; the message lists them all, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]
