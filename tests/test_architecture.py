"""The dependency direction of DESIGN §1: the engine is pure."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "bot" / "engine"
FORBIDDEN = ("telegram", "sqlmodel", "sqlalchemy", "alembic", "httpx", "requests", "socket",
             "urllib", "http", "asyncio", "starlette", "uvicorn")


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


def test_engine_imports_nothing_from_telegram_database_or_network() -> None:
    offenders = []
    for path in sorted(ENGINE.glob("*.py")):
        for name in imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN or (top == "bot" and not name.startswith("bot.engine")):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_the_check_itself_sees_imports() -> None:
    assert "bot.engine.model" in imports(ENGINE / "runtime.py")
