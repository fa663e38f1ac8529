"""A letter swapped, dropped, doubled or wrong still finds the word the knowledge base uses."""

from __future__ import annotations

import pytest

from bot.faq.knowledge import load
from bot.faq.matching import Decision, Matcher
from bot.faq.typos import Typos


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load())


def _typos(*words: str) -> Typos:
    return Typos(words, known=lambda word: word.startswith("radionic"))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("korsit", "korist"),  # two letters swapped
        ("radionca", "radionica"),  # one left out
        ("partnerrstvo", "partnerstvo"),  # one doubled
        ("pertnerstvo", "partnerstvo"),  # one wrong
    ],
)
def test_one_edit_away_is_put_right(typed: str, meant: str) -> None:
    assert _typos("korist", "radionica", "partnerstvo").correct(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ilcd", "icld"),  # four letters: two swapped are put right
        ("ptuu", "putu"),
        ("icdl", "icld"),
        ("ilc", "ilc"),  # three are left alone
        ("icle", "icle"),  # and four with a wrong letter
    ],
)
def test_two_swapped_letters_of_a_short_word_are_put_right(typed: str, meant: str) -> None:
    assert _typos("icld", "putu").correct(typed) == meant


def test_the_commoner_word_wins_a_tie() -> None:
    typos = Typos(["kolaci", "koraci", "koraci", "koraci"], known=lambda _: False)
    assert typos.correct("koaci") == "koraci"


@pytest.mark.parametrize(
    "word",
    [
        "rain",  # short words lie a letter from too many others ("train")
        "radionice",  # known by its stem: another form, not a typo
        "accountants",  # nothing near: left as it is, so it counts as unknown
        "korist",  # known as it is
    ],
)
def test_other_words_are_left_alone(word: str) -> None:
    assert _typos("korist", "radionica", "train").correct(word) == word


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("mze", "moze"),  # three letters are enough near a function word
        ("mzemo", "mozemo"),
        ("partnerstov", "partnerstvo"),  # a content word as before
        ("ime", "ime"),  # nothing a letter away
    ],
)
def test_misspelt_function_words_are_put_right(typed: str, meant: str) -> None:
    typos = Typos(["partnerstvo"], known=lambda _: False, function_words=["moze", "mozemo"])
    assert typos.correct(typed) == meant


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # the misspelt "može"/"možete" counted as words the knowledge base lacks
        ("Da li mže SKGO da nam pomogne da nađemo partnera?", "partnership.find_partner"),
        ("Šta radi ilcd?", "icld.about"),
        ("Koja je korsit od partnerstva za opštinu?", "partnership.benefits"),
        ("Koji su kroaci u partnerstvu sa švedskom opštinom?", "partnership.how_it_works"),
        ("Kada je sledeća radionca?", "workshop.upcoming"),
        ("What are the beneifts of a partnership?", "partnership.benefits"),
    ],
)
def test_a_misspelt_question_is_answered(matcher: Matcher, question: str, topic: str) -> None:
    match = matcher.match(question)
    assert (match.topic, match.decision) == (topic, Decision.ANSWER), match


def test_a_misspelt_function_word_is_read_as_the_word(matcher: Matcher) -> None:
    # "mzete" counted as a word the knowledge base lacks
    match = matcher.match("Kako mzete da nam pomognete oko partnera?")
    assert match == matcher.match("Kako možete da nam pomognete oko partnera?")
    assert (match.topic, match.decision) == ("partnership.find_partner", Decision.ANSWER)
