"""Word-level fuzzy similarity between what a person typed and known texts (FAQ, buttons).

Whole-string scorers treat every word alike, so "wie geht es dir" looked like half the FAQ (the
common words match everywhere). Here each typed word is matched fuzzily (rapidfuzz) against the
known words, and words count by how much they tell apart (inverse document frequency over the
topics): "duldung", "pass", "frist" weigh a lot, "ich", "was", "eine" little, and a word the
corpus has never seen (greetings, other subjects) weighs a lot while matching nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.engine.normalize import normalize

WORD_MATCH = 80.0  # a typed word matches a known word from this similarity on
PART_MATCH = 0.85  # credit when one word contains the other (German compounds)
MIN_PART = 5
QUERY_SHARE = 0.75  # how much covering the typed words counts against covering the phrasing
UNKNOWN_SHARE = 1.0  # a word the corpus never uses weighs like a rare word times this
SHORT_SHARE = 0.3  # one- and two-letter words say little


@dataclass(frozen=True)
class Vocabulary:
    """Known words with their weights; `documents` is how many groups (topics) use each."""

    weights: Mapping[str, float]
    unknown_weight: float

    @classmethod
    def build(cls, groups: Iterable[Iterable[str]]) -> Vocabulary:
        """One group per topic (or per button): the texts that belong together."""
        counts: dict[str, int] = {}
        total = 0
        for group in groups:
            total += 1
            for word in {w for text in group for w in text.split()}:
                counts[word] = counts.get(word, 0) + 1
        weights = {w: _idf(total, n) for w, n in counts.items()}
        return cls(weights, UNKNOWN_SHARE * _idf(total, 1))

    def weight(self, word: str) -> float:
        weight = self.weights.get(word, self.unknown_weight)
        return weight * SHORT_SHARE if len(word) <= 2 else weight


def _idf(total: int, documents: int) -> float:
    return math.log((total + 1) / (documents + 0.5)) + 0.1


def word_similarity(words: Sequence[str],
                    vocabulary: Iterable[str]) -> dict[tuple[str, str], float]:
    """Similarity (0..1) of each typed word with each known word it resembles."""
    known = list(dict.fromkeys(vocabulary))
    found: dict[tuple[str, str], float] = {}
    for word in set(words):
        for other, score, _ in process.extract(word, known, scorer=fuzz.ratio, processor=None,
                                               limit=None, score_cutoff=WORD_MATCH):
            found[(word, other)] = score / 100.0
        if len(word) >= MIN_PART:
            # partial_ratio is 100 exactly when the shorter word occurs inside the longer one.
            for other, _score, _ in process.extract(word, known, scorer=fuzz.partial_ratio,
                                                    processor=None, limit=None,
                                                    score_cutoff=100):
                if (word, other) not in found and len(other) >= MIN_PART:
                    found[(word, other)] = PART_MATCH
    return found


def score(query: Sequence[str], candidate: Sequence[str], sims: Mapping[tuple[str, str], float],
          vocabulary: Vocabulary, query_share: float = QUERY_SHARE) -> float:
    """0..100: how well the typed words and the candidate's words cover each other."""
    if not query or not candidate:
        return 0.0
    query_cover = _cover(query, candidate, sims, vocabulary, forward=True)
    candidate_cover = _cover(candidate, query, sims, vocabulary, forward=False)
    return 100.0 * (query_share * query_cover + (1 - query_share) * candidate_cover)


def _cover(words: Sequence[str], others: Sequence[str], sims: Mapping[tuple[str, str], float],
           vocabulary: Vocabulary, *, forward: bool) -> float:
    total = matched = 0.0
    for word in words:
        weight = vocabulary.weight(word)
        total += weight
        best = max(((sims.get((word, o)) if forward else sims.get((o, word))) or 0.0)
                   for o in others)
        matched += weight * best
    return matched / total if total else 0.0


LABEL_MATCH = 70.0
LABEL_MARGIN = 10.0
LABEL_QUERY_SHARE = 0.9  # people type a piece of a button's label


def best_label(text: str, labels: Sequence[str]) -> int | None:
    """The index of the one label `text` clearly means, or None when unsure."""
    words = normalize(text).split()
    groups = [normalize(label).split() for label in labels]
    if not words or not any(groups):
        return None
    vocabulary = Vocabulary.build([" ".join(g)] for g in groups)
    sims = word_similarity(words, vocabulary.weights)
    scores = sorted(((score(words, g, sims, vocabulary, LABEL_QUERY_SHARE), i)
                     for i, g in enumerate(groups)), reverse=True)
    top, index = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    return index if top >= LABEL_MATCH and top - runner_up >= LABEL_MARGIN else None
