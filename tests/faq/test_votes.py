"""The second opinion: the matcher ranks by it too, and answers outright only a topic it backs."""

from __future__ import annotations

import pytest

from bot.faq.knowledge import load
from bot.faq.matching import Decision, Matcher
from bot.faq.scoring import Document
from bot.faq.text import words
from bot.faq.votes import TopicVotes


def _pick(votes: TopicVotes, text: str) -> int | None:
    posterior = votes.posterior(words(text))
    return None if posterior is None else int(posterior.argmax())


def _votes(*topics: tuple[str, ...]) -> TopicVotes:
    docs = [Document(i, tuple(words(q))) for i, qs in enumerate(topics) for q in qs]
    return TopicVotes(docs, len(topics))


def test_a_word_only_one_topic_uses_outweighs_a_word_every_topic_uses() -> None:
    votes = _votes(
        ("Ko finansira program?", "Ko plaća program?", "Odakle novac za program?"),
        ("Šta je program?", "O programu", "Čemu služi program?", "Ciljevi programa"),
    )
    # "program" is four times in the second topic, "finansira" once in the first
    assert _pick(votes, "finansira li neko program") == 0
    assert _pick(votes, "ciljevi programa") == 1


def test_the_probabilities_add_up_to_one() -> None:
    votes = _votes(("Ko finansira program?",), ("Šta je program?",), ("Kada je radionica?",))
    posterior = votes.posterior(words("ko finansira radionicu"))
    assert posterior is not None
    assert posterior.sum() == pytest.approx(1.0)
    assert posterior.argmax() == 0


def test_no_known_word_no_pick() -> None:
    votes = _votes(("Ko finansira program?",), ("Šta je program?",))
    assert _pick(votes, "kakvo je vreme sutra") is None
    assert votes.posterior([]) is None


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load())


@pytest.mark.parametrize(
    "question",
    [
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


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # both got "did you mean" with another topic first (what a partnership brings; how to
        # register), which scored a little higher
        (
            "Radim u Gradskoj opštini Palilula. Čula sam za ICLD partnerstva, ali ne razumem "
            "šta je zapravo partnerstvo u tom smislu. Možete li da objasnite?",
            "partnership.about",
        ),
        (
            "Dobar dan, počeo sam da popunjavam formular pa sam odustao. Šta se dešava sa "
            "podacima koje sam već uneo?",
            "bot.privacy",
        ),
    ],
)
def test_the_second_opinion_ranks_too(matcher: Matcher, question: str, topic: str) -> None:
    match = matcher.match(question)
    assert (match.topic, match.decision) == (topic, Decision.ANSWER), match


@pytest.mark.parametrize(
    ("question", "meant"),
    [
        # ranked first by its words, but the second opinion reads "odgovorš" otherwise
        ("Na šta sve možeš da odgovorš?", "bot.about"),
    ],
)
def test_a_topic_the_second_opinion_does_not_back_is_offered(
    matcher: Matcher, question: str, meant: str
) -> None:
    match = matcher.match(question)
    assert match.decision is Decision.CLARIFY, match
    assert meant in matcher.offer(match)[:3]


@pytest.mark.parametrize(
    "question", ["Колико становника има Шведска?", "What is the population of Sweden?"]
)
def test_out_of_scope_words_one_topic_shares_are_not_answered(
    matcher: Matcher, question: str
) -> None:
    # answered with who may take part: "Sweden" and "population" are in its answer's words
    assert matcher.match(question).decision is not Decision.ANSWER


@pytest.mark.parametrize(
    "question",
    [
        "Колика је плата у општинској управи?",
        "Kako da prijavim prebivalište u novom gradu?",
    ],
)
def test_a_topic_ranked_first_under_the_line_is_not_offered(
    matcher: Matcher, question: str
) -> None:
    # each got "did you mean": a topic scored over the line, but the second opinion ranks
    # one under the line first, so no topic is a good fit
    assert matcher.match(question).decision is Decision.UNKNOWN
