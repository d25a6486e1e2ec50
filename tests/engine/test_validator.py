"""Every editor error gives `file:line: node 'x': what is wrong` — one broken flow per error."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.engine import FlowError, load_flows, load_or_raise
from bot.engine.problems import Severity
from tests.conftest import MINIMAL, TODAY

CASES: list[dict[str, Any]] = YAML(typ="safe").load(
    (Path(__file__).parent.parent / "fixtures" / "broken_flows.yaml").read_text("utf-8"))


def broken_copy(tmp_path: Path, case: dict[str, Any]) -> Path:
    root = tmp_path / "minimal"
    shutil.copytree(MINIMAL, root)
    target = root / case["file"]
    if "content" in case:
        target.write_text(case["content"], encoding="utf-8")
        return root
    text = target.read_text(encoding="utf-8")
    assert case["find"] in text, f"fixture does not apply: {case['name']}"
    replace = case["replace"].replace("LONGTEXT", "x" * 4100)
    target.write_text(text.replace(case["find"], replace, 1), encoding="utf-8")
    return root


def test_the_minimal_set_is_clean() -> None:
    flows, problems = load_flows(MINIMAL, today=TODAY)
    assert flows is not None
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_flow(tmp_path: Path, case: dict[str, Any]) -> None:
    root = broken_copy(tmp_path, case)
    flows, problems = load_flows(root, today=TODAY)
    messages = [str(p) for p in problems if p.severity is Severity.ERROR]
    assert flows is None
    assert case["expect"] in messages


def test_the_bot_refuses_to_start_with_the_same_message(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, CASES[0])
    with pytest.raises(FlowError) as raised:
        load_or_raise(root, today=TODAY)
    assert CASES[0]["expect"] in str(raised.value).splitlines()


def test_old_review_is_a_warning_not_an_error() -> None:
    flows, problems = load_flows(MINIMAL, today=TODAY, review_max_age_days=10)
    assert flows is not None
    assert [str(p) for p in problems] == [
        "minimal/de/faq.yaml:4: warning: node 'duldung_what': last reviewed 2026-11-01, more "
        "than 10 days ago: please check it against the law",
        "minimal/de/faq.yaml:10: warning: node 'years_needed': last reviewed 2026-11-01, more "
        "than 10 days ago: please check it against the law",
        "minimal/de/main.yaml:29: warning: node 'info_duldung': last reviewed 2026-11-01, more "
        "than 10 days ago: please check it against the law"]
