"""FAQ matching quality on a labelled set: top-1 and top-3 accuracy, and false confidence.

The labelled set (`tests/faq_eval/<lang>.yaml`) is written apart from the phrasings in the flow
files, so it measures how the matcher does on questions it has not been tuned to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bot.engine.faq import Decision, FaqIndex


@dataclass
class LanguageScore:
    cases: int = 0
    top1: int = 0
    top3: int = 0
    wrong_answers: int = 0  # answered confidently with the wrong topic: the harmful case
    no_match: int = 0
    false_confident: int = 0  # answered confidently where no topic fits
    misses: list[dict[str, Any]] = field(default_factory=list)

    def rates(self) -> dict[str, float | int]:
        return {
            "cases": self.cases,
            "top1": _rate(self.top1, self.cases),
            "top3": _rate(self.top3, self.cases),
            "wrong_answer_rate": _rate(self.wrong_answers, self.cases),
            "no_match": self.no_match,
            "false_confident_rate": _rate(self.false_confident, self.no_match),
        }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def load_set(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "cases" not in data:
        raise ValueError(f"{path}: expected 'language', 'cases' and 'no_match'")
    return data


def evaluate(index: FaqIndex, folder: Path) -> dict[str, LanguageScore]:
    """Score every `<lang>.yaml` in `folder`; misses are kept for the editors."""
    scores: dict[str, LanguageScore] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = load_set(path)
        language = str(data.get("language", path.stem))
        score = scores.setdefault(language, LanguageScore())
        for topic, questions in (data.get("cases") or {}).items():
            for question in questions or []:
                match = index.match(str(question), language)
                ranked = [t for t, _ in match.matches]
                score.cases += 1
                score.top1 += ranked[:1] == [topic]
                score.top3 += topic in ranked[:3]
                if match.decision is Decision.ANSWER and ranked[:1] != [topic]:
                    score.wrong_answers += 1
                if ranked[:1] != [topic]:
                    score.misses.append({"topic": topic, "question": question,
                                         "got": ranked[:3], "decision": match.decision.value})
        for text in data.get("no_match") or []:
            match = index.match(str(text), language)
            score.no_match += 1
            if match.decision is Decision.ANSWER:
                score.false_confident += 1
                score.misses.append({"topic": None, "question": text, "got": [match.best],
                                     "decision": "answer"})
    return scores


def report(scores: dict[str, LanguageScore]) -> dict[str, Any]:
    """JSON-ready figures per language and over all languages."""
    total = LanguageScore()
    for score in scores.values():
        for name in ("cases", "top1", "top3", "wrong_answers", "no_match", "false_confident"):
            setattr(total, name, getattr(total, name) + getattr(score, name))
    return {"languages": {lang: s.rates() for lang, s in scores.items()},
            "overall": total.rates()}


__all__ = ["LanguageScore", "evaluate", "load_set", "report"]
