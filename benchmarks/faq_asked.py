"""What the questions people asked (locales/faq/asked.yaml) do for the answers, measured fairly.

They were taken from the dev question sets, so those sets cannot measure them as they stand.
This leaves one set out at a time: the knowledge base keeps the questions the other sets gave,
and the set left out is asked twice, without any (as before the file existed) and with the rest.

Run: uv run --frozen python -m benchmarks.faq_asked
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.faq_accuracy import DEFAULT_FILES, HELD_OUT_SETS, KINDS
from benchmarks.faq_outcomes import (
    Outcome,
    Question,
    Tally,
    evaluate,
    in_scope_tally,
    merge_by_kind,
    read_questions,
)
from bot.faq.answers import Faq
from bot.faq.knowledge import KnowledgeBase, load, same_question


def without(kb: KnowledgeBase, questions: Sequence[Question]) -> KnowledgeBase:
    """The knowledge base without the asked questions that are among these."""
    own = {same_question(q.text) for q in questions}
    return replace(
        kb,
        asked={
            t: tuple(q for q in qs if same_question(q) not in own) for t, qs in kb.asked.items()
        },
        outside=tuple(q for q in kb.outside if same_question(q) not in own),
    )


def _pct(t: Tally, outcome: Outcome) -> str:
    return f"{100 * t.outcomes[outcome] / t.total:5.1f}" if t.total else "    -"


def _cells(tallies: dict[str, Tally]) -> str:
    inside = in_scope_tally(tallies)
    outside = tallies.get("none", Tally())
    right, wrong = _pct(inside, Outcome.RIGHT), _pct(inside, Outcome.WRONG)
    return f"{right} {wrong} {_pct(outside, Outcome.DECLINED)}"


def main(argv: Sequence[str] | None = None) -> int:
    kb = load()
    dev = [f for f in DEFAULT_FILES if f.exists() and f not in HELD_OUT_SETS]
    before = Faq(kb=replace(kb, asked={}, outside=()))
    totals: tuple[dict[str, Tally], dict[str, Tally]] = ({}, {})
    asked = sum(map(len, kb.asked.values()))
    print(
        f"{asked} questions asked under their topics and {len(kb.outside)} outside the programme;"
        " each dev set asked without any, and with those the other sets gave\n"
        "  right, wrong: % of the questions in scope; declined: % of those out of scope\n"
        f"{'set':<22} {'without: right wrong declined':>29}   {'with the others: same':>29}"
    )
    for path in dev:
        questions = read_questions(path)
        row = []
        for faq, total in ((before, totals[0]), (Faq(kb=without(kb, questions)), totals[1])):
            tallies = evaluate(faq, questions)
            merge_by_kind(total, tallies)
            row.append(_cells(tallies))
        print(f"{Path(path).name:<22} {row[0]:>29}   {row[1]:>29}")
    print(f"{'all':<22} {_cells(totals[0]):>29}   {_cells(totals[1]):>29}")
    print("by kind, all sets (right / wrong; declined out of scope):")
    for kind in (*KINDS, "none"):
        cells = []
        for total in totals:
            t = total.get(kind, Tally())
            shown = (Outcome.DECLINED,) if kind == "none" else (Outcome.RIGHT, Outcome.WRONG)
            cells.append(" / ".join(_pct(t, o).strip() for o in shown))
        print(f"  {kind:<6} {cells[0]:>13} → {cells[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
