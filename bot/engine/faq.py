"""Match a free-text question against the FAQ topics with rapidfuzz.

Each topic is matched through its question and its phrasings in the person's language and the
languages of its fallback chain (German last, so German words typed inside another language —
"duldung", "ausbildung" — still find their topic). The best score per topic ranks the topics.
A confident, clear winner is answered; a plausible one is offered among the top three; below a
floor nothing is guessed and a counsellor is offered — a wrong answer harms more than none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.engine.languages import fallback_chain
from bot.engine.model import Topic, Translation
from bot.engine.normalize import normalize

ANSWER_AT = 86.0
SUGGEST_AT = 62.0
MARGIN = 4.0
MIN_QUERY = 3
MAX_QUERY = 500


class Decision(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"


@dataclass(frozen=True)
class Match:
    decision: Decision
    matches: tuple[tuple[str, float], ...]  # (topic id, score), best first

    @property
    def best(self) -> str | None:
        return self.matches[0][0] if self.matches else None


@dataclass(frozen=True)
class FaqIndex:
    """Normalised matching strings per language: parallel lists of text and topic id."""

    texts: Mapping[str, tuple[str, ...]]
    topic_ids: Mapping[str, tuple[str, ...]]

    @classmethod
    def build(cls, topics: Mapping[str, Topic],
              translations: Mapping[str, Translation]) -> FaqIndex:
        texts: dict[str, tuple[str, ...]] = {}
        ids: dict[str, tuple[str, ...]] = {}
        for language, translation in translations.items():
            pairs = sorted({(normalize(s), topic_id)
                            for topic_id, t in translation.topics.items() if topic_id in topics
                            for s in (t.question, *t.phrasings) if normalize(s)})
            texts[language] = tuple(p[0] for p in pairs)
            ids[language] = tuple(p[1] for p in pairs)
        return cls(texts, ids)

    def match(self, query: str, language: str, limit: int = 5) -> Match:
        """Rank the topics for `query` typed by a person whose language is `language`."""
        needle = normalize(query[:MAX_QUERY])
        if len(needle.replace(" ", "")) < MIN_QUERY:
            return Match(Decision.NONE, ())
        best: dict[str, float] = {}
        for lang in fallback_chain(language):
            choices = self.texts.get(lang, ())
            if not choices:
                continue
            for _text, score, index in process.extract(
                    needle, choices, scorer=_score, processor=None, limit=None,
                    score_cutoff=SUGGEST_AT * 0.8):
                topic = self.topic_ids[lang][index]
                best[topic] = max(best.get(topic, 0.0), float(score))
        ranked = tuple(sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit])
        return Match(_decide(ranked), tuple((t, round(s, 1)) for t, s in ranked))


def _score(query: str, choice: str, **_: object) -> float:
    return float(fuzz.WRatio(query, choice, processor=None))


def _decide(ranked: tuple[tuple[str, float], ...]) -> Decision:
    if not ranked or ranked[0][1] < SUGGEST_AT:
        return Decision.NONE
    top = ranked[0][1]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if top >= ANSWER_AT and top - runner_up >= MARGIN:
        return Decision.ANSWER
    return Decision.SUGGEST
