"""The FAQ matcher measured on the labelled set (tests/faq_eval), written apart from the
phrasings in the flows. A regression below the targets fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import FlowSet
from bot.evaluation import evaluate, report

EVAL = Path(__file__).parent / "faq_eval"


@pytest.mark.timeout(180)
def test_faq_matching_meets_its_targets(flows: FlowSet) -> None:
    assert flows.faq is not None
    figures = report(evaluate(flows.faq, EVAL))
    overall = figures["overall"]
    assert len(figures["languages"]) >= 6
    assert overall["cases"] >= 6 * 32 * 10
    assert overall["top1"] >= 0.90 and overall["top3"] >= 0.97
    assert overall["false_confident_rate"] <= 0.05
    for language, row in figures["languages"].items():
        # Every language close to the target; a confident wrong answer stays rare.
        assert row["top1"] >= 0.87 and row["top3"] >= 0.96, language
        assert row["wrong_answer_rate"] <= 0.02, language
        assert row["false_confident_rate"] <= 0.05, language
