"""A second opinion on a question's topic: naive Bayes over the stems of the ways of asking.

The matcher ranks topics by how much of a question their best wording covers; this model
weighs each stem by how much more often one topic uses it than the others. The two err on
different questions: the matcher ranks by both, and answers outright only a topic this model
finds probable (matching.Tuning says by how much each helps).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from bot.faq.postings import Floats, Postings
from bot.faq.scoring import Document
from bot.faq.text import Language, stem

# Additive smoothing: small, as a topic's dozens of wordings are a small sample of the ways
# people ask, and a stem no wording of a topic has must not rule it out altogether.
# 0.02–0.1 did the same on the dev sets.
SMOOTHING = 0.05


def _features(words: Sequence[str]) -> Counter[tuple[Language, str]]:
    # A question's language is not known: each word counts by both languages' stems.
    return Counter((language, stem(w, language)) for w in words for language in Language)


class TopicVotes:
    """Multinomial naive Bayes over tf-idf weighted stems (Rennie et al. 2003: the weighting
    makes it a good text classifier), with the sums kept sparse for a fast lookup."""

    def __init__(self, docs: Sequence[Document], topics: int) -> None:
        features = [_features(d.words) for d in docs]
        df: Counter[tuple[Language, str]] = Counter(f for fs in features for f in fs)
        n = len(docs)
        self._ids = {f: i for i, f in enumerate(df)}
        self._idf = np.array([math.log((1 + n) / (1 + df[f])) + 1 for f in df])
        mass: dict[tuple[int, int], float] = {}
        per_topic = np.zeros(topics)
        count = np.zeros(topics)
        for doc, fs in zip(docs, features, strict=True):
            count[doc.topic] += 1
            for fid, weight in self._weights(fs).items():
                mass[fid, doc.topic] = mass.get((fid, doc.topic), 0.0) + weight
                per_topic[doc.topic] += weight
        # log P(f | t) = log(mass + a) - log(topic mass + a·|V|): the first term is stored as
        # log a + log(1 + mass / a), of which only the second part differs between topics
        self._found = Postings(
            topics,
            ((fid, t, math.log1p(m / SMOOTHING)) for (fid, t), m in mass.items()),
            len(self._ids),
        )
        self._norm = np.log(per_topic + SMOOTHING * len(self._ids))
        self._prior = np.log(np.maximum(count, 1) / max(n, 1))

    def _weights(self, features: Counter[tuple[Language, str]]) -> dict[int, float]:
        """Known features' sublinear tf-idf, scaled to unit length."""
        weights = {
            self._ids[f]: (1 + math.log(c)) * float(self._idf[self._ids[f]])
            for f, c in features.items()
            if f in self._ids
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {fid: w / norm for fid, w in weights.items()}

    def posterior(self, words: Sequence[str]) -> Floats | None:
        """Each topic's probability given the words, or None when no word is known."""
        query = self._weights(_features(words))
        if not query:
            return None
        # log-probabilities up to a constant
        scores = self._prior + self._found.row_sums(query) - sum(query.values()) * self._norm
        likely: Floats = np.exp(scores - scores.max())
        posterior: Floats = likely / likely.sum()
        return posterior
