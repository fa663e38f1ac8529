"""Free-text question → FAQ topic, with an honest "I don't know" and "did you mean…"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from bot.core.locales import Locale, detect
from bot.faq.knowledge import KnowledgeBase
from bot.faq.postings import Floats
from bot.faq.scoring import CharIndex, Document, StemIndex
from bot.faq.smalltalk import without_greeting
from bot.faq.text import (
    SERBIAN_FILLER_WORDS,
    SERBIAN_STOP_WORDS,
    STOP_WORDS,
    Language,
    asks,
    content_words,
    question_tails,
    sentences,
    spans,
    stem,
    tokens,
    words,
)
from bot.faq.typos import Typos
from bot.faq.votes import TopicVotes


class Decision(Enum):
    ANSWER = "answer"  # confident: answer with the topic
    CLARIFY = "clarify"  # a close call: offer the topic and its close alternatives as buttons
    UNKNOWN = "unknown"  # nothing fits well enough: say so and offer a coordinator


@dataclass(frozen=True)
class Match:
    topic: str | None
    score: float
    alternatives: tuple[tuple[str, float], ...]
    decision: Decision
    # the topic the second opinion picked instead, when that is why the match is not sure
    contender: str | None = None

    def close_alternatives(self, within: float) -> tuple[str, ...]:
        """The alternatives scoring within `within` of the topic itself."""
        return tuple(t for t, s in self.alternatives if self.score - s <= within)


@dataclass(frozen=True)
class Tuning:
    """Weights and thresholds, chosen on the dev questions plus a set of out-of-scope ones
    (benchmarks/faq_accuracy.py reports how they do)."""

    # BM25's usual saturation and length normalisation
    k1: float = 1.2
    b: float = 0.75
    # weights of the three similarities in the final 0..1 score
    bm25: float = 0.2
    cover: float = 0.4
    chars: float = 0.4
    # below this the best topic is not trusted. Tuned on the three dev sets with their 120
    # out-of-scope questions (benchmarks/data/faq_oos_tuning.tsv among them): from 0.43 to
    # 0.47 answered right stayed at 94.0–94.2 % while out of scope declined rose from 78 to
    # 84 %; 0.48 declines 90 % for two in-scope questions fewer answered (93.5 %), 0.50
    # declines no more
    unknown_below: float = 0.48
    # Topics are ranked by their score plus this much of the second opinion's probability
    # (votes.TopicVotes), as the two err on different questions. The right topic came first
    # by the score alone for 78.4 % of the questions in the cross-validation over the ways
    # of asking, by this ranking for 82.7 % (dev sets 96.8 → 96.8 %, set 4 of stop 18
    # 91.0 → 94.6 %); 0.5 ranked about the same, 1.2 worse on the dev sets.
    second_opinion: float = 0.3
    # Answered outright when the second opinion gives the topic at least this probability
    # (by the whole message or one of its parts) and the topic leads the next by `margin`
    # in the ranking; anything else over the "I don't know" line gets "did you mean".
    probable: float = 0.25
    margin: float = 0.08
    # or when its score is this: every word of the question, or of a sentence of it, is in
    # one of the topic's ways of asking (an exact way of asking is answered anyway)
    certain: float = 0.95
    # a clarifying question offers the alternatives within this distance of the best
    offer_within: float = 0.1


# Serbian Latin folds to the same key as Cyrillic, so indexing Cyrillic covers both scripts.
_SOURCES = ((Locale.SR_CYRL, Language.SERBIAN), (Locale.EN, Language.ENGLISH))
_ALTERNATIVES = 3
# A pasted letter must not cost more than a question: the first words say what it is about.
_MAX_WORDS = 40
# and only its first sentences are looked at one by one
_MAX_SENTENCES = 4
# a message holds a way of asking when it has all of its words (by idf, so rounding aside)
_WHOLE = 0.999
_TAIL_WORDS = 3
_TIE = 0.1
# "what can you do" is "what can you do for me"; "who are they" is not "who are you"
_PHRASE_ALIKE = 0.6
# A message is taken for one outside the programme when the second opinion finds that likelier
# than all the topics together, as a whole and in each part it is scored by. With the questions
# asked that the other dev sets gave (benchmarks/faq_asked.py), each dev set's own questions
# outside the programme were declined 94.8 % of the time (82.2 % before asked.yaml); 0.3
# declined 96.3 % and 0.6 94.2 %, for 0.1 % fewer or as many in scope answered right.
_OUTSIDE = 0.5


@dataclass(frozen=True)
class _Scored:
    """Per topic: the score 0..1 and the second opinion's probability (all 0 when it knows
    none of the words)."""

    scores: Floats
    likely: Floats
    # the second opinion's probability by the whole message or any part of it
    backed: Floats
    # the scores rest only on the text holding a way of asking among other words
    held: bool = False
    # the second opinion finds the words likelier to be like the questions no topic answers
    # (asked.yaml's `outside`) than like all the topics' together
    outside: bool = False

    def beside(self, parts: list[_Scored]) -> _Scored:
        """Each topic scored by the part of the message that suits it best. The second
        opinion ranks by the whole message, whose words add up to more evidence than a part's,
        but a topic one part of it backs is backed."""
        scores = np.maximum.reduce([p.scores for p in parts])
        backed = np.maximum.reduce([p.backed for p in parts])
        outside = all(p.outside for p in parts)
        return _Scored(scores, self.likely, backed, outside=outside)


class Matcher:
    """An index over every topic's title and questions, built once; `match` only reads it.

    The bot reloads the knowledge base by building a new Matcher.
    """

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None) -> None:
        self.tuning = t = tuning or Tuning()
        self._ids = list(kb.topics)
        docs: dict[Language, list[Document]] = {language: [] for _, language in _SOURCES}
        # a question asked exactly as a topic's title or one of its ways of asking is that
        # topic, however close others score (-1: the same words belong to two topics)
        self._exact: dict[tuple[str, ...], int] = {}
        # ways of asking made only of function words ("What can you do for me?"), matched by
        # all their words, as they have no others
        self._phrases: list[tuple[frozenset[str], int]] = []
        for i, topic in enumerate(kb.topics.values()):
            for locale, language in _SOURCES:
                text = topic.texts[locale]
                seen: set[tuple[str, ...]] = set()
                for sentence in (text.title, *text.questions):
                    key = tuple(words(sentence))
                    if key not in seen:
                        seen.add(key)
                        docs[language].append(Document(i, key))
                    if content_words(key):
                        self._claim(key, i)
                    else:
                        self._phrases.append((frozenset(tokens(sentence)), i))
            # what people asked, in the language it reads as (Serbian when unsure)
            for question in kb.asked.get(topic.id, ()):
                key = tuple(words(question))
                english = detect(question) is Locale.EN
                docs[Language.ENGLISH if english else Language.SERBIAN].append(Document(i, key))
                if content_words(key):
                    self._claim(key, i)
        n = len(self._ids)
        self._stems = [StemIndex(lang, d, n, t.k1, t.b) for lang, d in docs.items()]
        everything = sorted((d for ds in docs.values() for d in ds), key=lambda d: d.topic)
        self._chars = CharIndex(everything, n)
        stems = set().union(*(index.terms for index in self._stems))
        self._typos = Typos(
            (w for d in everything for w in d.words),
            lambda w: any(stem(w, index.language) in stems for index in self._stems),
            # English words lie a letter from too many of its function words ("live", "like")
            SERBIAN_STOP_WORDS | SERBIAN_FILLER_WORDS,
        )
        # the questions outside the programme are one more class, after the topics
        outside = [Document(n, tuple(words(q))) for q in kb.outside]
        self._votes = TopicVotes([*everything, *outside], n + bool(outside))

    def _claim(self, key: tuple[str, ...], topic: int) -> None:
        """These words, asked exactly, are this topic's; -1 when two topics have them."""
        self._exact[key] = topic if self._exact.get(key, topic) == topic else -1

    @property
    def topics(self) -> list[str]:
        return list(self._ids)

    def scores(self, text: str) -> Floats:
        """Every topic's score for the text, 0..1, in knowledge-base order."""
        return self._scored(text, self._query(text)).scores

    def _scored(self, text: str, query: list[str]) -> _Scored:
        """Every topic's score and probability, and whether they rest only on the text
        holding a way of asking.

        A message of several sentences scores each topic by the whole or its best sentence
        that asks: "I have just started at the municipality. What is SKGO?" is about SKGO. A single
        sentence that does not match as a whole scores as its best run of clauses: "I am
        preparing a note for the council, which costs does ICLD cover?", and so does the rest
        of a message from a question word on. Failing those, a long message that holds a whole
        way of asking among other words scores by that alone.
        """
        whole = self._judged(query)
        parts = sentences(text)[:_MAX_SENTENCES]
        if len(parts) > 1:
            # "I work in the city administration. Can a city take part?": the sentences that
            # ask are the question, the others about the asker (alone, they may fit a topic)
            parts = [p for p in parts if asks(p)] or parts
            # and an afterthought of a word or two ("Can you help?") says too little alone
            parts = [p for p in parts if len(content_words(words(p))) > 1] or parts
        elif whole.scores.max(initial=0.0) >= self.tuning.unknown_below:
            return whole
        else:
            # One sentence: its clauses, those that hold at least half of its words. A short
            # afterthought alone ("jel to EU?") is close to too many topics to decide.
            n = len(content_words(words(text)))
            parts = [p for p in spans(text) if 2 * len(content_words(words(p))) >= n]
        # and where a question starts, for a message without punctuation; a tail of fewer
        # words is as likely an afterthought ("... kako to ide")
        tails = [p for p in question_tails(text) if len(content_words(words(p))) >= _TAIL_WORDS]
        parts = [*parts, *tails[:_MAX_SENTENCES]]
        if parts:
            judged = [whole, *(self._judged(self._query(p)) for p in parts)]
            whole = whole.beside(judged)
            if whole.scores.max(initial=0.0) >= self.tuning.unknown_below:
                return whole
        held = np.maximum.reduce([index.held(query) for index in self._stems]) >= _WHOLE
        if not held.any():
            return whole
        # just over the "I don't know" line, in the order of their likeness as a whole
        lift = self.tuning.unknown_below + _TIE * whole.scores
        lifted: Floats = np.where(held, lift, whole.scores)
        return replace(whole, scores=lifted, held=True)

    def _phrase(self, text: str) -> tuple[int, float]:
        """The topic of the way of asking made only of function words that shares most of
        its words with the text (-1 if none shares enough, or two topics do alike), and how
        much."""
        said = set(tokens(without_greeting(text)))
        alike = [(len(said & p) / len(said | p), i) for p, i in self._phrases if said | p]
        best = max(alike, default=(0.0, -1))
        if best[0] < _PHRASE_ALIKE or any(s == best[0] and i != best[1] for s, i in alike):
            return -1, 0.0
        return best[1], best[0]

    def _judged(self, query: list[str]) -> _Scored:
        posterior = self._votes.posterior(query)
        scores = self._scores(query)
        if posterior is None:
            likely = np.zeros_like(scores)
            return _Scored(scores, likely, likely)
        n = len(scores)
        # past the topics, the class of questions outside the programme, if there is one
        outside = float(posterior[n:].sum())
        likely = posterior[:n] / (1.0 - outside) if outside < 1.0 else np.zeros_like(scores)
        return _Scored(scores, likely, likely, outside=outside >= _OUTSIDE)

    def _scores(self, query: list[str]) -> Floats:
        t = self.tuning
        if not content_words(query):
            return np.zeros(len(self._ids))
        # The question's language is not known: each language's index has its say.
        per_language = [index.scores(query) for index in self._stems]
        bm25 = np.maximum.reduce([s.bm25 for s in per_language])
        cover = np.maximum.reduce([s.cover for s in per_language])
        combined: Floats = t.bm25 * bm25 + t.cover * cover + t.chars * self._chars.scores(query)
        # rounding can put a full match a hair over 1
        return np.minimum(combined / (t.bm25 + t.cover + t.chars), 1.0)

    def _query(self, text: str) -> list[str]:
        """The text's words as matched: misspellings put right, a long text cut short, and
        misspelt function words ("mže") dropped as the words themselves are."""
        corrected = (self._typos.correct(w) for w in words(without_greeting(text))[:_MAX_WORDS])
        return [w for w in corrected if w not in STOP_WORDS]

    def offer(self, match: Match) -> tuple[str, ...]:
        """The topics to show as "did you mean" buttons: the match's own, the second
        opinion's and close ones."""
        if match.topic is None:
            return ()
        close = match.close_alternatives(self.tuning.offer_within)
        contender = (match.contender,) if match.contender else ()
        return tuple(dict.fromkeys((match.topic, *contender, *close)))

    def match(self, text: str) -> Match:
        t = self.tuning
        query = self._query(text)
        scored = self._scored(text, query)
        scores, likely = scored.scores, scored.likely
        # the two opinions together rank the topics
        ranking = scores + t.second_opinion * likely
        if len(scores) == 0:
            return Match(None, 0.0, (), Decision.UNKNOWN)
        k = min(_ALTERNATIVES + 1, len(scores))
        best = np.argpartition(-ranking, k - 1)[:k]
        order = best[np.argsort(-ranking[best])]
        ranked = [(self._ids[i], round(float(scores[i]), 4)) for i in order]
        (topic, score), rest = ranked[0], ranked[1:]
        exact = self._exact.get(tuple(words(without_greeting(text))), -1)
        if not content_words(query):
            exact, score = self._phrase(text)
        if exact >= 0:
            topic = self._ids[exact]
            others = tuple((tid, s) for tid, s in ranked if tid != topic and s > 0)
            return Match(topic, max(score, float(scores[exact])), others, Decision.ANSWER)
        if scored.outside:
            return Match(None, score, (), Decision.UNKNOWN)
        # The topic ranked first must score over the line itself: a topic only the second
        # opinion brings up is a guess, and a question no topic's words cover is out of scope
        # more often than not.
        if score < t.unknown_below:
            return Match(None, score, (), Decision.UNKNOWN)
        alternatives = tuple((tid, s) for tid, s in rest if s > 0)
        first = int(order[0])
        lead = float(ranking[first] - ranking[order[1]]) if k > 1 else float(ranking[first])
        pick = int(np.argmax(likely)) if likely.any() else None
        backed = scored.backed[first] >= t.probable or score >= t.certain
        sure = backed and lead >= t.margin
        if len(content_words(query)) < 2:
            # one word is one piece of evidence, which both opinions read the same way
            # ("prijava": registering with the bot, or applying to ICLD?): its score alone
            # must lead too
            sure = sure and score - max(scores[order[1:]], default=0.0) >= t.margin
        if scored.held:
            # a way of asking found among other words: sure only when the second opinion agrees
            sure = pick == first
        if sure:
            return Match(topic, score, alternatives, Decision.ANSWER)
        contender = self._ids[pick] if pick is not None and pick != first else None
        return Match(topic, score, alternatives, Decision.CLARIFY, contender)
