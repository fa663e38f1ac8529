"""Inverted lists in flat numpy arrays: term → (row, weight), summed per row in one bincount."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


class Postings:
    """A sparse rows × terms matrix stored by term, for scoring a few query terms fast."""

    def __init__(self, rows: int, entries: Iterable[tuple[int, int, float]], terms: int) -> None:
        """`entries` are (term id, row, weight); a term id must be below `terms`."""
        columns = list(zip(*entries, strict=True)) or [(), (), ()]
        term, row, weight = columns
        self._store(
            rows,
            np.array(term, dtype=np.int64),
            np.array(row, dtype=np.int64),
            np.array(weight, dtype=np.float64),
            terms,
        )

    @classmethod
    def of_arrays(cls, rows: int, term: Ints, row: Ints, weight: Floats, terms: int) -> Postings:
        """The same from three arrays of the entries' parts, for hundreds of thousands."""
        postings = cls.__new__(cls)
        postings._store(rows, term, row, weight, terms)
        return postings

    def _store(self, rows: int, term: Ints, row: Ints, weight: Floats, terms: int) -> None:
        order = np.argsort(term, kind="stable")
        starts = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=terms), out=starts[1:])
        self.rows = rows
        self._starts = starts
        self._row = row[order]
        self._weight = weight[order]

    def row_sums(self, query: Mapping[int, float]) -> Floats:
        """Σ over the query's terms of query weight × stored weight, for every row."""
        if not query:
            return np.zeros(self.rows)
        starts, row, weight = self._starts, self._row, self._weight
        rows = [row[starts[t] : starts[t + 1]] for t in query]
        weights = [weight[starts[t] : starts[t + 1]] * q for t, q in query.items()]
        sums: Floats = np.bincount(
            np.concatenate(rows), np.concatenate(weights), minlength=self.rows
        ).astype(np.float64, copy=False)
        return sums
