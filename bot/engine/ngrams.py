"""Character n-gram TF-IDF similarity between a question and each FAQ topic.

Word matching misses inflections and compounds ("arbeite" / "Arbeitserlaubnis",
"ausbildungsduldung"); overlapping 3–5 letter pieces catch them, and weighting the pieces by how
few topics use them keeps common endings from counting.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SIZES = (3, 4, 5)


def grams(words: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in words:
        padded = f" {word} "
        for size in SIZES:
            for start in range(max(1, len(padded) - size + 1)):
                counts[padded[start:start + size]] += 1
    return counts


@dataclass(frozen=True)
class NgramIndex:
    vectors: Mapping[str, Mapping[str, float]]  # topic → unit vector
    idf: Mapping[str, float]
    unknown_idf: float

    @classmethod
    def build(cls, topics: Mapping[str, Iterable[str]]) -> NgramIndex:
        """`topics`: each topic's texts, already normalised."""
        documents = {topic: grams(w for text in texts for w in text.split())
                     for topic, texts in topics.items()}
        frequency: Counter[str] = Counter(g for counts in documents.values() for g in counts)
        total = len(documents)
        idf = {g: math.log((total + 1) / (n + 0.5)) for g, n in frequency.items()}
        vectors = {topic: _unit({g: (1 + math.log(c)) * idf[g] for g, c in counts.items()})
                   for topic, counts in documents.items()}
        return cls(vectors, idf, math.log((total + 1) / 0.5))

    def scores(self, words: Iterable[str]) -> dict[str, float]:
        """Cosine similarity (0..1) of the question with every topic."""
        query = _unit({g: (1 + math.log(c)) * self.idf.get(g, self.unknown_idf)
                       for g, c in grams(words).items()})
        if not query:
            return {}
        return {topic: sum(w * vector.get(g, 0.0) for g, w in query.items())
                for topic, vector in self.vectors.items()}


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {g: v / norm for g, v in vector.items()} if norm else {}
