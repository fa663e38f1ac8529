"""FAQ retrieval: top-1 accuracy per kind of question, out-of-scope declines, lookup latency.

Run: uv run --frozen python -m benchmarks.faq_accuracy [--questions FILE ...]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.locales import Locale, detect
from bot.core.script import SERBIAN_LATIN_LETTER, fold, has_cyrillic
from bot.faq.knowledge import FAQ_DIR, KnowledgeBase, TopicText, load
from bot.faq.matching import Decision, Matcher

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = (
    ROOT.parent / "shared" / "faq-dev-questions.tsv",
    ROOT / "benchmarks" / "data" / "faq_questions.tsv",
)
OUT_OF_SCOPE = frozenset({"-", "none"})
KINDS = ("cyrl", "latn", "ascii", "typo", "en")
SCALED_ENTRIES = 500
REPEATS = 5


@dataclass(frozen=True)
class Question:
    topic: str | None  # None: out of scope, the right answer is "I don't know"
    kind: str
    text: str


@dataclass
class Tally:
    total: int = 0
    strict: int = 0
    lenient: int = 0
    misses: list[str] = field(default_factory=list)


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
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if number == 1 and parts[0] == "topic":
            continue
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


def evaluate(matcher: Matcher, questions: Sequence[Question]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for q in questions:
        m = matcher.match(q.text)
        tally = tallies[q.kind]
        tally.total += 1
        if q.topic is None:
            declined = m.decision is Decision.UNKNOWN
            tally.strict += declined
            tally.lenient += declined
            if not declined:
                tally.misses.append(f"{q.text!r}: answered {m.topic} ({m.score:.2f})")
            continue
        first = m.topic == q.topic
        tally.strict += first and m.decision is Decision.ANSWER
        tally.lenient += first
        if not (first and m.decision is Decision.ANSWER):
            tally.misses.append(
                f"{q.text!r}: want {q.topic}, got {m.topic} {m.decision.value} ({m.score:.2f})"
            )
    return tallies


def scaled(kb: KnowledgeBase, entries: int, seed: int = 7) -> KnowledgeBase:
    """The knowledge base grown to `entries` topics: copies whose questions are perturbed
    (words dropped, swapped, misspelt), so that vocabulary and index grow as a real one would."""
    rng = random.Random(seed)

    def perturb(sentence: str) -> str:
        ws = sentence.split()
        if len(ws) > 2 and rng.random() < 0.5:
            ws.pop(rng.randrange(len(ws)))
        if len(ws) > 1 and rng.random() < 0.5:
            i = rng.randrange(len(ws) - 1)
            ws[i], ws[i + 1] = ws[i + 1], ws[i]
        for i, w in enumerate(ws):
            if len(w) > 3 and rng.random() < 0.3:
                j = rng.randrange(1, len(w))
                ws[i] = w[:j] + rng.choice("aeiouкрстнмлaeio") + w[j:]
        return " ".join(ws)

    def perturbed(text: TopicText) -> TopicText:
        return TopicText(
            perturb(text.title), tuple(perturb(q) for q in text.questions), text.answer
        )

    originals = list(kb.topics.values())
    topics = dict(kb.topics)
    copy = 0
    while len(topics) < entries:
        source = originals[copy % len(originals)]
        tid = f"{source.id}.copy{copy}"
        texts = {loc: perturbed(text) for loc, text in source.texts.items()}
        topics[tid] = replace(source, id=tid, related=(), aliases=(), texts=texts)
        copy += 1
    return KnowledgeBase(topics, kb.categories, kb.category_titles)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Latency:
    p50_us: float
    p99_us: float
    baseline_p50_us: float
    baseline_p99_us: float


def latency(run: Callable[[str], object], texts: Sequence[str]) -> Latency:
    """Median over REPEATS runs of the p50/p99 of one call, for `run` and for fold() alone."""

    def one_pass(fn: Callable[[str], object]) -> tuple[float, float]:
        samples = []
        for text in texts:
            start = time.perf_counter_ns()
            fn(text)
            samples.append((time.perf_counter_ns() - start) / 1000)
        return percentile(samples, 50), percentile(samples, 99)

    one_pass(run)  # warm caches, as a running bot has them
    runs, base = [], []
    for _ in range(REPEATS):
        gc.collect()
        runs.append(one_pass(run))
        base.append(one_pass(fold))
    return Latency(
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        statistics.median(b[0] for b in base),
        statistics.median(b[1] for b in base),
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def report_accuracy(name: str, tallies: dict[str, Tally], verbose: bool) -> bool:
    print(f"\n{name}")
    print(f"  {'kind':<6} {'n':>4}  {'strict':>7}  {'lenient':>7}")
    ok = True
    for kind in (*KINDS, *sorted(set(tallies) - {*KINDS, "none"})):
        if kind in tallies:
            t = tallies[kind]
            strict, lenient = _pct(t.strict, t.total), _pct(t.lenient, t.total)
            print(f"  {kind:<6} {t.total:>4}  {strict:>7}  {lenient:>7}")
            ok &= t.lenient >= 0.9 * t.total
    if "none" in tallies:
        t = tallies["none"]
        print(f"  {'none':<6} {t.total:>4}  declined {_pct(t.strict, t.total)}")
        ok &= t.strict >= 0.8 * t.total
    if verbose:
        for kind, t in sorted(tallies.items()):
            for miss in t.misses:
                print(f"    {kind}: {miss}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, action="append", help="question file (TSV)")
    parser.add_argument("--faq", type=Path, default=FAQ_DIR, help="knowledge base directory")
    parser.add_argument("--misses", action="store_true", help="list every wrong answer")
    args = parser.parse_args(argv)
    files = args.questions or [f for f in DEFAULT_FILES if f.exists()]

    kb = load(args.faq)
    matcher = Matcher(kb)
    print(f"knowledge base: {len(kb.topics)} topics; thresholds {matcher.tuning}")
    print(
        "strict = answered outright with the right topic; "
        "lenient = right topic first, answered or offered (not 'I don't know')"
    )
    texts: list[str] = []
    met = True
    for path in files:
        questions = read_questions(path)
        texts.extend(q.text for q in questions)
        met &= report_accuracy(str(path), evaluate(matcher, questions), args.misses)
    verdict = "met" if met else "NOT met"
    print(f"\naccuracy targets (lenient >= 90 % per kind, >= 80 % declined): {verdict}")

    big_kb = scaled(kb, SCALED_ENTRIES)
    start = time.perf_counter()
    big = Matcher(big_kb)
    build_ms = (time.perf_counter() - start) * 1000
    print(
        f"\nlookup latency over {len(texts)} questions, median of {REPEATS} runs "
        f"(baseline: fold() of the same text)"
    )
    print(f"  {'knowledge base':<22} {'p50 µs':>8} {'p99 µs':>8} {'p50/base':>9} {'p99/base':>9}")
    for name, m in (
        (f"shipped ({len(kb.topics)})", matcher),
        (f"scaled ({len(big_kb.topics)})", big),
    ):
        lat = latency(m.match, texts)
        print(
            f"  {name:<22} {lat.p50_us:>8.0f} {lat.p99_us:>8.0f} "
            f"{lat.p50_us / lat.baseline_p50_us:>8.0f}x {lat.p99_us / lat.baseline_p99_us:>8.0f}x"
        )
    print(f"  building the index at {len(big_kb.topics)} topics: {build_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
