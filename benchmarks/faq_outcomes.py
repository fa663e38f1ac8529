"""What a person gets for a question, as the chat would answer it: the four outcomes the
FAQ benchmarks count (benchmarks/faq_accuracy.py, benchmarks/faq_crossval.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from bot.core.locales import Locale, detect
from bot.core.script import SERBIAN_LATIN_LETTER, has_cyrillic
from bot.faq.answers import Faq, offered
from bot.faq.matching import Decision, Match
from bot.faq.smalltalk import small_talk

OUT_OF_SCOPE = frozenset({"-", "none"})


@dataclass(frozen=True)
class Question:
    topic: str | None  # None: out of scope, the right answer is "I don't know"
    kind: str
    text: str


class Outcome(Enum):
    """What a person got for a question."""

    RIGHT = "answered right"
    SUGGESTED = "suggested"
    WRONG = "answered wrong"
    DECLINED = "declined"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    right_first: bool  # suggested, and the first button is the expected topic
    did: str  # what the bot did, in words


@dataclass
class Tally:
    total: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    right_first: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, result: Result) -> None:
        self.total += 1
        self.outcomes[result.outcome] += 1
        self.right_first += result.right_first

    def merge(self, other: Tally) -> None:
        self.total += other.total
        self.outcomes.update(other.outcomes)
        self.right_first += other.right_first
        self.misses.extend(other.misses)


def merge_by_kind(into: dict[str, Tally], tallies: dict[str, Tally]) -> None:
    """Each kind's tally added to the same kind's in `into`."""
    for kind, tally in tallies.items():
        into.setdefault(kind, Tally()).merge(tally)


def in_scope_tally(tallies: dict[str, Tally]) -> Tally:
    """The kinds in scope (all but "none") as one tally."""
    total = Tally()
    for kind, tally in tallies.items():
        if kind != "none":
            total.merge(tally)
    return total


def infer_kind(text: str) -> str:
    """The kind of a question from a file without a kind column."""
    if has_cyrillic(text):
        return "cyrl"
    if SERBIAN_LATIN_LETTER.search(text):
        return "latn"
    return "ascii" if detect(text) is Locale.SR_LATN else "en"


def read_questions(path: Path) -> list[Question]:
    """topic<TAB>question or topic<TAB>kind<TAB>question, with an optional header line."""
    questions: list[Question] = []
    header = True  # the first line that is not a comment may name the columns
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if header and parts[0] == "topic":
            header = False
            continue
        header = False
        if len(parts) == 2:
            topic, text = parts
            kind = None
        elif len(parts) == 3:
            topic, kind, text = parts
        else:
            raise SystemExit(f"{path}:{number}: expected 2 or 3 tab-separated columns")
        if topic in OUT_OF_SCOPE:
            questions.append(Question(None, "none", text))
        else:
            questions.append(Question(topic, kind or infer_kind(text), text))
    return questions


def _next_best(m: Match) -> str:
    return f", next {m.alternatives[0][0]} {m.alternatives[0][1]:.2f}" if m.alternatives else ""


def judge(faq: Faq, question: Question) -> Result:
    """The chat's reply to the question (FaqChat.on_question, answers.render), as an outcome."""
    text = question.text.strip()  # as the dispatcher passes it on
    talk = small_talk(text)
    if talk is not None:
        return Result(Outcome.DECLINED, False, f"small talk ({talk.value})")
    m = faq.match(text)
    topic = faq.kb.resolve(m.topic) if m.topic else None
    if m.decision is Decision.UNKNOWN or topic is None:
        return Result(Outcome.DECLINED, False, f"I don't know (best {m.score:.2f})")
    # ids compared after resolving, so that a renamed topic's old id (an alias) still counts
    wanted = faq.kb.resolve(question.topic) if question.topic else None
    want = wanted.id if wanted else None
    if m.decision is Decision.ANSWER:
        outcome = Outcome.RIGHT if topic.id == want else Outcome.WRONG
        return Result(outcome, False, f"answered {topic.id} ({m.score:.2f}{_next_best(m)})")
    buttons = [t.id for t in offered(faq, m)]
    first = bool(buttons) and buttons[0] == want
    return Result(Outcome.SUGGESTED, first, f"offered {', '.join(buttons)} ({m.score:.2f})")


def _is_miss(question: Question, result: Result) -> bool:
    """In scope: answered wrong, declined, or suggested without the right topic first.
    Out of scope: anything but declined."""
    if question.topic is None:
        return result.outcome is not Outcome.DECLINED
    return result.outcome is not Outcome.RIGHT and not result.right_first


def evaluate(faq: Faq, questions: Sequence[Question]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for q in questions:
        result = judge(faq, q)
        tally = tallies[q.kind]
        tally.add(result)
        if _is_miss(q, result):
            want = f"want {q.topic}, " if q.topic else ""
            tally.misses.append(f"{result.outcome.value}: {q.text!r}: {want}bot {result.did}")
    return tallies
