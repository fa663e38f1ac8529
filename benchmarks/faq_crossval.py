"""Cross-validation over the knowledge base's own ways of asking.

Each fold leaves a tenth of every topic's ways of asking out of the index and asks them: how
the matcher does on questions no wording of their topic resembles closely, as the question
sets cannot show (their writers read the same answers as the knowledge base's). Titles stay in.
"""

from __future__ import annotations

from dataclasses import replace

from benchmarks.faq_outcomes import Question, Tally, evaluate, merge_by_kind
from bot.core.locales import Locale
from bot.faq.answers import Faq
from bot.faq.knowledge import KnowledgeBase, Topic

FOLDS = 10
# the written locales: Serbian Latin is derived from the Cyrillic, and folds to the same words
_KINDS = {Locale.SR_CYRL: "cyrl", Locale.EN: "en"}


def _in_fold(topic: Topic, index: int, fold: int, folds: int) -> bool:
    # topics start their count at different folds, so that each fold holds some first wordings
    return (index + sum(map(ord, topic.id))) % folds == fold


def _split(kb: KnowledgeBase, fold: int, folds: int) -> tuple[KnowledgeBase, list[Question]]:
    asked: list[Question] = []
    topics: dict[str, Topic] = {}
    for topic in kb.topics.values():
        texts = dict(topic.texts)
        for locale, kind in _KINDS.items():
            text = topic.texts[locale]
            kept: list[str] = []
            for i, question in enumerate(text.questions):
                if _in_fold(topic, i, fold, folds):
                    asked.append(Question(topic.id, kind, question))
                else:
                    kept.append(question)
            texts[locale] = replace(text, questions=tuple(kept))
        topics[topic.id] = replace(topic, texts=texts)
    # Serbian Latin is derived on loading; the index reads only the written locales
    return replace(kb, topics=topics), asked


def cross_validate(kb: KnowledgeBase, folds: int = FOLDS) -> dict[str, Tally]:
    """Each way of asking, asked of the knowledge base without its fold, tallied by locale."""
    tallies: dict[str, Tally] = {}
    for fold in range(folds):
        without, asked = _split(kb, fold, folds)
        merge_by_kind(tallies, evaluate(Faq(kb=without), asked))
    return tallies
