"""Per-topic similarity in 0..1: BM25 and coverage over stems, cosine over char n-grams."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.faq.postings import Floats, Postings
from bot.faq.spelling import Spelling
from bot.faq.text import QUESTION_WORDS, Language, char_ngrams, content_words, stem

# Question words count for this much of their idf: enough to break a tie between "who funds"
# and "what is funded", too little to carry a question on their own.
QUESTION_WEIGHT = 0.7
# Misspelt words shorter than this are left alone: too many real words lie a letter apart.
_MIN_FUZZY = 5
_MIN_SIMILARITY = 0.6
# a way of asking of one content word is held by too many messages to tell anything
_MIN_HELD_TERMS = 2


@dataclass(frozen=True)
class Document:
    """One question or title of a topic, as folded words without function words."""

    topic: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class StemScores:
    """Per topic, each 0..1: its best document's BM25, and how much of the query its
    documents cover between them (by idf)."""

    bm25: Floats
    cover: Floats


def topic_starts(docs: Sequence[Document], topics: int) -> npt.NDArray[np.int64]:
    """Where each topic's documents begin: documents come grouped by topic, one or more each."""
    starts = np.zeros(topics, dtype=np.int64)
    expected = 0
    for i, d in enumerate(docs):
        if d.topic == expected:
            starts[expected] = i
            expected += 1
        elif d.topic != expected - 1:
            raise ValueError("documents must be grouped by topic, in topic order")
    if expected != topics:
        raise ValueError("every topic needs at least one document")
    return starts


def _idf(df: int, n: int) -> float:
    # BM25's idf, which stays positive even for words in most documents.
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _word_weight(word: str) -> float:
    return QUESTION_WEIGHT if word in QUESTION_WORDS else 1.0


class StemIndex:
    """Documents of one language, stemmed in that language.

    Every score is divided by the query's own idf total, words the index lacks included
    (as the rarest possible word), so 1 means "all of the question was found" and a question
    about something else stays low even when one of its words is found.
    """

    def __init__(
        self, language: Language, docs: Sequence[Document], topics: int, k1: float, b: float
    ) -> None:
        self.language = language
        self._starts = topic_starts(docs, topics)
        stemmed = [[stem(w, language) for w in d.words] for d in docs]
        df: Counter[str] = Counter()
        for terms in stemmed:
            df.update(set(terms))
        n = len(docs)
        self._ids = {term: i for i, term in enumerate(df)}
        self._idf = [_idf(df[t], n) for t in df]
        self._idf_unknown = _idf(1, n)
        avg = sum(len(t) for t in stemmed) / max(n, 1) or 1.0
        bm25: list[tuple[int, int, float]] = []
        in_topic: dict[tuple[int, int], float] = {}
        for row, (doc, terms) in enumerate(zip(docs, stemmed, strict=True)):
            norm = k1 * (1 - b + b * len(terms) / avg)
            for term, tf in Counter(terms).items():
                tid = self._ids[term]
                idf = self._idf[tid]
                bm25.append((tid, row, idf * tf * (k1 + 1) / (tf + norm)))
                in_topic[tid, doc.topic] = idf
        self._bm25 = Postings(n, bm25, len(self._ids))
        # how much of each document a query holds, by idf: for long messages that hold a way of
        # asking among other words
        recall: list[tuple[int, int, float]] = []
        for row, (doc, terms) in enumerate(zip(docs, stemmed, strict=True)):
            content = {
                self._ids[t]
                for t, w in zip(terms, doc.words, strict=True)
                if w not in QUESTION_WORDS
            }
            if len(content) < _MIN_HELD_TERMS:
                continue
            mass = sum(self._idf[tid] for tid in content)
            recall.extend((tid, row, self._idf[tid] / mass) for tid in content)
        self._recall = Postings(n, recall, len(self._ids))
        self._cover = Postings(topics, ((t, p, w) for (t, p), w in in_topic.items()), len(df))
        vocabulary = sorted({w for d in docs for w in d.words if len(w) >= _MIN_FUZZY})
        self._spelling = Spelling(vocabulary)
        self._vocabulary_terms = [self._ids[stem(w, language)] for w in vocabulary]

    @property
    def terms(self) -> Set[str]:
        """The documents' stems."""
        return self._ids.keys()

    def _query(self, words: Sequence[str]) -> tuple[dict[int, float], float]:
        """Term id → weight (question words weak, misspellings by resemblance), and idf total."""
        query: dict[int, float] = {}
        total = 0.0
        for w in words:
            tid = self._ids.get(stem(w, self.language))
            weight, similarity = _word_weight(w), 1.0
            if tid is None and len(w) >= _MIN_FUZZY:
                near = self._spelling.nearest(w, _MIN_SIMILARITY)
                if near is not None:
                    tid, similarity = self._vocabulary_terms[near[0]], near[1]
            if tid is None:
                total += self._idf_unknown * weight
            else:
                total += self._idf[tid] * weight
                query[tid] = query.get(tid, 0.0) + weight * similarity
        return query, total

    def held(self, words: Sequence[str]) -> Floats:
        """Per topic, the largest share of one of its documents (by idf) the words hold."""
        found = {tid: 1.0 for tid in self._query(content_words(words))[0]}
        if not found:
            return np.zeros(len(self._starts))
        return np.maximum.reduceat(self._recall.row_sums(found), self._starts)

    def scores(self, words: Sequence[str]) -> StemScores:
        query, total = self._query(words)
        if not query:
            zeros = np.zeros(len(self._starts))
            return StemScores(zeros, zeros)
        # A short document can push BM25 past the query's idf total: 1 is "all found".
        bm25 = np.maximum.reduceat(self._bm25.row_sums(query), self._starts) / total
        # Coverage pools a topic's documents, so it looks at content words only: "who" from
        # one question and "funds" from another do not make "who funds".
        content, content_total = self._query(content_words(words))
        found = {tid: min(w, 1.0) for tid, w in content.items()}  # a repeat is not found twice
        cover = self._cover.row_sums(found) / content_total if found else np.zeros_like(bm25)
        return StemScores(np.minimum(bm25, 1.0), np.minimum(cover, 1.0))


class CharIndex:
    """TF-IDF cosine over character 3–5-grams of words: survives typos and unstemmed forms."""

    def __init__(self, docs: Sequence[Document], topics: int) -> None:
        self._starts = topic_starts(docs, topics)
        grams = [Counter(char_ngrams(d.words)) for d in docs]
        df: Counter[str] = Counter()
        for g in grams:
            df.update(g.keys())
        n = len(docs)
        self._ids = {g: i for i, g in enumerate(df)}
        self._idf = [math.log((n + 1) / (df[g] + 1)) + 1 for g in df]
        # Grams no document has still count in the query's length, so that a question about
        # something else cannot reach a high cosine through a few shared fragments.
        self._idf_unknown = math.log(n + 1) + 1
        # every document's sublinear tf-idf vector scaled to unit length, all at once: this is
        # most of building the index
        ids = self._ids
        gram = np.fromiter((ids[g] for counts in grams for g in counts), np.int64)
        row = np.repeat(np.arange(n), [len(counts) for counts in grams])
        tf = np.fromiter((c for counts in grams for c in counts.values()), np.float64)
        weight = (1 + np.log(tf)) * np.asarray(self._idf)[gram]
        norm = np.sqrt(np.bincount(row, weight * weight, minlength=n))
        weight /= np.where(norm > 0, norm, 1.0)[row]
        self._docs = Postings.of_arrays(n, gram, row, weight, len(ids))

    def scores(self, words: Sequence[str]) -> Floats:
        """The cosine of each topic's closest document."""
        query: dict[int, float] = {}
        norm2 = 0.0
        for g, c in Counter(char_ngrams(words)).items():
            gid = self._ids.get(g)
            weight = (1 + math.log(c)) * (self._idf_unknown if gid is None else self._idf[gid])
            norm2 += weight * weight
            if gid is not None:
                query[gid] = weight
        if not query:
            return np.zeros(len(self._starts))
        norm = math.sqrt(norm2)
        cosine = self._docs.row_sums({g: w / norm for g, w in query.items()})
        return np.maximum.reduceat(cosine, self._starts)
