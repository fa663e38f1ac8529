"""Spelling tolerance: the known word closest to a misspelt one, by character trigrams."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.faq.postings import Postings


def trigrams(word: str) -> set[str]:
    padded = f" {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Spelling:
    """Nearest vocabulary word by the Dice overlap of padded trigrams (typos keep most)."""

    def __init__(self, vocabulary: Sequence[str]) -> None:
        grams = [trigrams(w) for w in vocabulary]
        self._size = np.array([len(g) for g in grams], dtype=np.float64)
        self._ids: dict[str, int] = {}
        entries = [
            (self._ids.setdefault(g, len(self._ids)), row, 1.0)
            for row, word_grams in enumerate(grams)
            for g in sorted(word_grams)
        ]
        self._grams = Postings(len(vocabulary), entries, len(self._ids))

    def nearest(self, word: str, at_least: float) -> tuple[int, float] | None:
        """(index in the vocabulary, similarity 0..1) of the closest word, if close enough."""
        grams = trigrams(word)
        query = {self._ids[g]: 1.0 for g in grams if g in self._ids}
        if not query:
            return None
        dice = 2 * self._grams.row_sums(query) / (self._size + len(grams))
        best = int(np.argmax(dice))
        return (best, float(dice[best])) if dice[best] >= at_least else None
