"""Match a free-text question against the FAQ topics.

Each topic is matched through its question and its phrasings in the person's language and the
languages of its fallback chain (German last, so German words typed inside another language —
"duldung", "ausbildung" — still find their topic), word by word (see `similarity`) and by
character n-grams (see `ngrams`, for inflections and compounds). The combined score per topic
ranks the topics. A confident, clear winner is answered; a plausible one is
offered among the top three; below a floor nothing is guessed and a counsellor is offered —
a wrong answer harms more than none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.engine.languages import fallback_chain
from bot.engine.model import Topic, Translation
from bot.engine.ngrams import NgramIndex
from bot.engine.normalize import normalize
from bot.engine.similarity import Vocabulary, score, word_similarity

ANSWER_AT = 40.0
SUGGEST_AT = 22.0
MARGIN = 5.0
MIN_QUERY = 2
MAX_QUERY = 500
NGRAM_WEIGHT = 2.0  # the n-gram cosine (0..1) against the word score (0..1)
TOPIC_SHARE = 0.7  # a question whose words spread over a topic's phrasings still finds it
#: Words that only say "a paragraph of the law"; the number after them is what matters.
IGNORED = frozenset({"paragraf", "paragraph", "paragraphe", "parag", "par", "пункт",
                     "параграф", "ماده", "مادة", "الفقرة", "بند"})


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
class LanguageIndex:
    candidates: tuple[tuple[str, tuple[str, ...]], ...]  # (topic id, words)
    vocabulary: Vocabulary
    by_word: Mapping[str, tuple[int, ...]]  # word → candidates using it (only those can score)
    topic_words: Mapping[str, tuple[str, ...]]  # every word of a topic's texts
    ngrams: NgramIndex

    @classmethod
    def build(cls, groups: Mapping[str, set[str]]) -> LanguageIndex:
        candidates = tuple(sorted((topic_id, tuple(text.split()))
                                  for topic_id, texts in groups.items() for text in texts))
        by_word: dict[str, list[int]] = {}
        for index, (_topic, words) in enumerate(candidates):
            for word in set(words):
                by_word.setdefault(word, []).append(index)
        topic_words = {topic: tuple(sorted({w for text in texts for w in text.split()}))
                       for topic, texts in groups.items()}
        return cls(candidates, Vocabulary.build(groups.values()),
                   {w: tuple(ids) for w, ids in by_word.items()}, topic_words,
                   NgramIndex.build(groups))


@dataclass(frozen=True)
class FaqIndex:
    """Per language: every matching text of every topic as words, and the word weights."""

    languages: Mapping[str, LanguageIndex]

    @classmethod
    def build(cls, topics: Mapping[str, Topic],
              translations: Mapping[str, Translation]) -> FaqIndex:
        languages: dict[str, LanguageIndex] = {}
        for language, translation in translations.items():
            groups: dict[str, set[str]] = {}
            for topic_id, texts in translation.topics.items():
                if topic_id in topics:
                    groups[topic_id] = {" ".join(w for w in normalize(s).split()
                                                 if w not in IGNORED)
                                        for s in (texts.question, *texts.phrasings)} - {""}
            languages[language] = LanguageIndex.build(groups)
        return cls(languages)

    def match(self, query: str, language: str, limit: int = 5) -> Match:
        """Rank the topics for `query` typed by a person whose language is `language`."""
        words = [w for w in normalize(query[:MAX_QUERY]).split() if w not in IGNORED]
        if len("".join(words)) < MIN_QUERY:
            return Match(Decision.NONE, ())
        best: dict[str, float] = {}
        for lang in fallback_chain(language):
            index = self.languages.get(lang)
            if index is None or not index.candidates:
                continue
            for topic, value in _combined(words, index).items():
                if value > best.get(topic, 0.0):
                    best[topic] = value
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        rounded = tuple((t, round(s, 1)) for t, s in ranked if s > 0)
        return Match(_decide(rounded), rounded)


def _combined(words: list[str], index: LanguageIndex) -> dict[str, float]:
    """Per topic: the word score and the n-gram score together, on a 0..100 scale."""
    words_score = _word_scores(words, index)
    piece_score = index.ngrams.scores(words)
    return {topic: (words_score.get(topic, 0.0) + 100.0 * NGRAM_WEIGHT *
                    piece_score.get(topic, 0.0)) / (1.0 + NGRAM_WEIGHT)
            for topic in set(words_score) | set(piece_score)}


def _word_scores(words: list[str], index: LanguageIndex) -> dict[str, float]:
    """Per topic: its best phrasing, or all its words together (a little discounted)."""
    best: dict[str, float] = {}
    sims = word_similarity(words, index.vocabulary.weights)
    reachable = {i for (_w, known) in sims for i in index.by_word.get(known, ())}
    for position in reachable:
        topic, candidate = index.candidates[position]
        best[topic] = max(best.get(topic, 0.0), score(words, candidate, sims, index.vocabulary))
    for topic in {index.candidates[p][0] for p in reachable}:
        spread = TOPIC_SHARE * score(words, index.topic_words[topic], sims, index.vocabulary,
                                     query_share=1.0)
        best[topic] = max(best[topic], spread)
    return best


def _decide(ranked: tuple[tuple[str, float], ...]) -> Decision:
    if not ranked or ranked[0][1] < SUGGEST_AT:
        return Decision.NONE
    top = ranked[0][1]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if top >= ANSWER_AT and top - runner_up >= MARGIN:
        return Decision.ANSWER
    return Decision.SUGGEST
