"""Misspelt words put right before matching: a letter missing, extra, wrong or two swapped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from symspellpy import SymSpell, Verbosity  # type: ignore[import-untyped]

# Shorter words lie a letter apart from too many real ones ("rain", "train").
MIN_LENGTH = 5


class Typos:
    """The knowledge base's own words, to correct a word it knows in no form.

    `known` says whether a word is known by its stem ("radionice" beside "radionica"): such a
    word is no typo, whatever lies a letter away.
    """

    def __init__(self, words: Iterable[str], known: Callable[[str], bool]) -> None:
        self._known = known
        self._words = Counter(words)
        self._index = SymSpell(max_dictionary_edit_distance=1)
        for word, count in self._words.items():
            if len(word) >= MIN_LENGTH - 1:
                self._index.create_dictionary_entry(word, count)

    def correct(self, word: str) -> str:
        """The known word one edit away, the commonest in the knowledge base, or `word`."""
        if len(word) < MIN_LENGTH or word in self._words or self._known(word):
            return word
        found = self._index.lookup(word, Verbosity.TOP, max_edit_distance=1)
        return found[0].term if found else word
