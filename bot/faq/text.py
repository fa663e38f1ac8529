"""Text analysis for matching: folded words without function words, their stems, char n-grams."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import Enum

import Stemmer  # type: ignore[import-not-found]

from bot.core.script import fold


class Language(Enum):
    SERBIAN = "serbian"
    ENGLISH = "english"


# Function words, folded (no diacritics, đ/dj → d), as people type them in Serbian
# ("jel", "sto") and English, with every case of the pronouns ("njihove", "ovih"). Question
# words are not among them: "ko finansira" (who funds) and "sta finansira" (what is funded)
# are different topics.
SERBIAN_STOP_WORDS = frozenset(
    """
    a ako ali bas bi bih bila bile bili bilo biti bio da dal do dok e evo ga god i ih ili im
    iz ja je jel jer jesam jesmo jeste jos joj ju k ka kao kod li me mene meni mi mogu moj
    moja moje moji moju mu na nam nama nas nasa nase nasi nasoj nasu ne neka neke neki neko
    nesto ni nije nisam njega njemu njen njih njoj njegov o od oko on ona one oni ono ova
    ovaj ove ovi ovo ovog ovom ovoj ovu pa po pod pre preko pri s sa sam se si smo su ste sto
    svi sve svoj svoja svoje svoju ta taj te ti to tog toga tom tu u uz vam vama vas vasa
    vase vi za zar ce cu ces cemo cete cak vec
    bez bismo biste bude budem budemo budete budu eto isto izmedu jesi jesu kroz mnom mnome
    mog moga mojem mojih mojim mojima mojoj mojom mom mome nad naseg nasem nasih nasim nasom
    nece necemo neces necete necu negde nego nekako nekih nekim nekima nekog nekoj nekom nisi
    nismo niste nisu nje njegova njegove njegovi njegovih njegovim njegovog njegovom njegovu
    njena njene njeni njenih njenim njenog njenom njenu njihov njihova njihove njihovi
    njihovih njihovim njihovog njihovom njihovu njim njima njime njom njome nju onaj onda
    onih onim onima onog onoga onoj onom onu osim ovih ovim ovima ovoga ovome pred prema samo
    sav sebe sebi sobom sva svega svemu svih svim svima svog svoga svoji svojih svojim svojoj
    svojom svom svu tako takode tebe tebi tih tim tima tobom toj tome tvog tvoga tvoj tvoja
    tvoje tvoji tvojih tvojim tvojoj tvojom tvoju tvom umesto vaseg vasem vasi vasih vasim
    vasoj vasom vasu zbog
    zapravo tacno mozda valjda zaista stvarno uopste uopce inace odnosno upravo
    nista nikakav nikakva nikakve nikakvi nikakvih niko nikoga nigde nikad nikada
    """.split()
)
ENGLISH_STOP_WORDS = frozenset(
    """
    a about am an and any are as at be been being but by can could did do does doing for
    from had has have having he her here his i if in into is it its just me my of on or our
    ours out over please s shall she should so some than that the their them then there
    these they this those to too us very was we were will with would you your yours d ll m
    re ve t actually also even exactly maybe only perhaps really still
    """.split()
)
# Question words tell "who funds" from "what is funded", but alone they say nothing about a
# topic: they count, weakly (see scoring), and a question made only of them matches nothing.
QUESTION_WORDS = frozenset(
    """
    ko koga kome kog kom sta kako kada kad gde gdje koliko kolko kolika koliki koji koja koje
    kojim kojima kojoj kojom koju koj zasto kakav kakva kakve kakvi kakvo cemu cime ciji cija
    cije ciju odakle dokle kuda what whats who whom whose when where why how which
    """.split()
)

# Politeness and request verbs ("tell me", "molim vas", "zelim da") frame a question in any
# topic, and out of scope too ("tell me a joke").
SERBIAN_FILLER_WORDS = frozenset(
    """
    molim hvala zdravo cao pozdrav reci recite kazi kazite daj dajte objasni objasnite ima
    imam imamo imate imaju zanima zanimaju zelim zelimo hocu hocemo hteo htela htio moze
    mozete mozes mozemo treba trebam trebalo znam znas znate postovani postovana postovanje
    uvazeni uvazena
    """.split()
)
FILLER_WORDS = SERBIAN_FILLER_WORDS | frozenset(
    "tell give show explain want wanted like know need please hello hi thanks thank".split()
)
STOP_WORDS = SERBIAN_STOP_WORDS | ENGLISH_STOP_WORDS | FILLER_WORDS

_WORD = re.compile(r"[a-z0-9]+")
# The Serbian stemmer cuts short words to nothing useful ("eu" → "e"); short words are
# mostly acronyms and names, kept whole.
_MIN_STEM_LENGTH = 4
NGRAM_SIZES = (3, 4, 5)


# The programme's two countries are named as places and as adjectives alike ("a Serbian
# municipality", "a municipality in Serbia"); stemmers keep them apart, so they meet here.
_COUNTRIES = {
    "serbian": "serbia", "serbians": "serbia", "swedish": "sweden", "swede": "sweden",
    "swedes": "sweden",
}  # fmt: skip


def words(text: str) -> list[str]:
    """Folded words without function words: lower case, Latin, no diacritics."""
    return [
        _COUNTRIES.get(w, w)
        for w in _WORD.findall(fold(text))
        if w not in STOP_WORDS and len(w) > 1
    ]


def tokens(text: str) -> list[str]:
    """Folded words, function words included: for a question made only of them."""
    return _WORD.findall(fold(text))


# A sentence ends at . ! ? or an ellipsis followed by a space; "npr. 5" and "2.5" do too
# sometimes, which only adds a fragment scored on its own.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def sentences(text: str) -> list[str]:
    """The text's sentences, those with a letter in them."""
    return [s for s in _SENTENCE_END.split(text.strip()) if any(ch.isalpha() for ch in s)]


# Serbian yes-no questions start so ("Da li ...", "Jel ..."), English ones are left to "?"
_YES_NO = frozenset("da jel je li".split())


def asks(sentence: str) -> bool:
    """Whether the sentence is a question, not a few words about the asker: a question mark,
    a yes-no question's first word, or a question word anywhere ("I need to know how much")."""
    if sentence.rstrip().endswith("?"):
        return True
    found = tokens(sentence)
    return bool(found) and (found[0] in _YES_NO or any(w in QUESTION_WORDS for w in found))


_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def spans(text: str) -> list[str]:
    """The text without its leading clauses, and without its trailing ones."""
    parts = [p for p in _CLAUSE_END.split(text.strip()) if p]
    if len(parts) < 2:
        return []
    return [" ".join(parts[i:]) for i in range(1, len(parts))] + [
        " ".join(parts[:i]) for i in range(1, len(parts))
    ]


def question_tails(text: str) -> list[str]:
    """The text from each of its question words on, the first word aside: where the question
    starts in a message typed without punctuation ("... pa me zanima koliko traje ...")."""
    pieces = text.split()
    return [" ".join(pieces[i:]) for i in range(1, len(pieces)) if _starts_question(pieces[i])]


def _starts_question(piece: str) -> bool:
    found = tokens(piece)
    return bool(found) and found[0] in QUESTION_WORDS


def content_words(words: Iterable[str]) -> list[str]:
    return [w for w in words if w not in QUESTION_WORDS]


def _stemmer(language: Language) -> Callable[[str], str]:
    # PyStemmer keeps its own cache of recent words.
    stem_word: Callable[[str], str] = Stemmer.Stemmer(language.value).stemWord

    def stem(word: str) -> str:
        if len(word) < _MIN_STEM_LENGTH:
            return word
        stemmed = stem_word(word)
        # The Serbian stemmer may write its Latin output with diacritics: fold again.
        return stemmed if stemmed.isascii() else fold(stemmed)

    return stem


_STEMMERS = {language: _stemmer(language) for language in Language}


def stem(word: str, language: Language) -> str:
    return _STEMMERS[language](word)


def char_ngrams(words: Iterable[str]) -> list[str]:
    """Character n-grams of each word with its boundaries marked, as typos leave most intact."""
    grams: list[str] = []
    for w in words:
        padded = f" {w} "
        for n in NGRAM_SIZES:
            if len(padded) < n:
                continue
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams
