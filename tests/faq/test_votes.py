"""The second opinion: a topic both it and the matcher pick is answered on a smaller lead."""

from __future__ import annotations

import pytest

from bot.faq.knowledge import load
from bot.faq.matching import Decision, Matcher
from bot.faq.scoring import Document
from bot.faq.text import words
from bot.faq.votes import TopicVotes


def _votes(*topics: tuple[str, ...]) -> TopicVotes:
    docs = [Document(i, tuple(words(q))) for i, qs in enumerate(topics) for q in qs]
    return TopicVotes(docs, len(topics))


def test_a_word_only_one_topic_uses_outweighs_a_word_every_topic_uses() -> None:
    votes = _votes(
        ("Ko finansira program?", "Ko plaća program?", "Odakle novac za program?"),
        ("Šta je program?", "O programu", "Čemu služi program?", "Ciljevi programa"),
    )
    # "program" is four times in the second topic, "finansira" once in the first
    assert votes.pick(words("finansira li neko program")) == 0
    assert votes.pick(words("ciljevi programa")) == 1


def test_no_known_word_no_pick() -> None:
    votes = _votes(("Ko finansira program?",), ("Šta je program?",))
    assert votes.pick(words("kakvo je vreme sutra")) is None
    assert votes.pick([]) is None


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load())


@pytest.mark.parametrize(
    "question",
    [
        "pays for the programme?",  # leads partnership.funding by 0.03
        "plaća ovaj program?",  # by 0.04
        "funding of the programme?",
    ],
)
def test_a_close_call_both_agree_on_is_answered(matcher: Matcher, question: str) -> None:
    match = matcher.match(question)
    assert match.score - match.alternatives[0][1] < matcher.tuning.margin
    assert (match.topic, match.decision) == ("programme.funder", Decision.ANSWER), match


def test_a_close_call_they_disagree_on_offers_both(matcher: Matcher) -> None:
    # the matcher leans to who funds SKGO's programme, the second opinion to what ICLD pays
    # for a partnership: the person chooses
    match = matcher.match("Koliko para daje Švedska za ovaj program?")
    assert match.decision is Decision.CLARIFY
    assert set(matcher.offer(match)[:2]) == {"programme.funder", "partnership.funding"}
