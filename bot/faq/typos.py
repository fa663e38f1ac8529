"""Misspelt words put right before matching: a letter missing, extra, wrong or two swapped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from symspellpy import SymSpell, Verbosity  # type: ignore[import-untyped]

# Shorter words lie a letter apart from too many real ones ("rain", "train").
MIN_LENGTH = 5
# A misspelt function word is dropped like the word itself ("mže" for "može"): these are few
# and long enough that three letters a letter away from one are that word.
MIN_FUNCTION_LENGTH = 3
_MIN_FUNCTION_WORD = 4


class Typos:
    """The knowledge base's own words, to correct a word it knows in no form.

    `known` says whether a word is known by its stem ("radionice" beside "radionica"): such a
    word is no typo, whatever lies a letter away. `function_words` ("moze", "mozete") are what
    a word no content word lies near may be instead.
    """

    def __init__(
        self,
        words: Iterable[str],
        known: Callable[[str], bool],
        function_words: Iterable[str] = (),
    ) -> None:
        self._known = known
        self._words = Counter(words)
        self._index = SymSpell(max_dictionary_edit_distance=1)
        for word, count in self._words.items():
            if len(word) >= MIN_LENGTH - 1:
                self._index.create_dictionary_entry(word, count)
        self._function = SymSpell(max_dictionary_edit_distance=1)
        self._function_words = frozenset(function_words)
        for word in self._function_words:
            if len(word) >= _MIN_FUNCTION_WORD:
                self._function.create_dictionary_entry(word, 1)

    def correct(self, word: str) -> str:
        """The known word one edit away, the commonest in the knowledge base, or `word`."""
        if (
            len(word) < MIN_FUNCTION_LENGTH
            or word in self._words
            or word in self._function_words
            or self._known(word)
        ):
            return word
        if len(word) >= MIN_LENGTH:
            found = self._index.lookup(word, Verbosity.TOP, max_edit_distance=1)
            if found:
                return str(found[0].term)
        elif len(word) == MIN_LENGTH - 1:
            # two letters swapped is the commonest slip on a phone, and seldom makes another
            # word of four letters: "ilcd", "ptuu"
            swapped = [w for w in _swaps(word) if w in self._words]
            if swapped:
                return max(swapped, key=lambda w: self._words[w])
        found = self._function.lookup(word, Verbosity.TOP, max_edit_distance=1)
        return str(found[0].term) if found else word


def _swaps(word: str) -> list[str]:
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]
