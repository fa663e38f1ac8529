"""Random updates through the real handlers, many more of them than the CI run.

The strategies, the property and the harness are those of tests/test_fuzz.py (read its
docstring for what is sent and checked): the real App and TelegramChannel long-polling the
loopback Bot API double, a fresh SQLite file, one person nobody has seen before per example.
CI runs the recipes (explicit examples: a registration to its end, a workshop created and
attended, a question answered, ...) and a few dozen examples with a fixed seed; this runs the
recipes one by one (each reported), then --examples (2000) with a random seed (or --seed), and
prints what it sent, what the bot did and the first failure hypothesis found, shrunk, with its
traceback.

    uv run --frozen python -m benchmarks.fuzz [--examples N] [--seed N] [--known-bugs] [--verbose]

--known-bugs also sends the input classes tests/test_fuzz.py leaves out because of bugs not
fixed yet (KNOWN_BUG_* there) and their recipes: each of them fails until it is fixed (the
exploration then stops at the first such failure, shrunk). --verbose prints every update and
every message the bot sent for it.

Exit status: 0 when the property held for every example, 1 when it did not, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from bot.core.i18n import I18n
from tests.test_fuzz import Action, Harness, Scenario, Sent, explore, recipes, running_bot


def _trace(act: Action, sent: Sequence[Sent]) -> None:
    print(f"  {act!r:.300}")
    for m in sent:
        print(f"    -> {m.method} {m.chat_id}: {m.text!r:.200}")


async def _recipes(harness: Harness, known_bugs: bool) -> int:
    """The explicit examples one by one: each reported, not only the first failure."""
    failed = 0
    for i, recipe in enumerate(recipes(known_bugs), 1):
        try:
            await harness.play(recipe)
        except AssertionError as exc:
            failed += 1
            print(f"recipe {i}: FAIL {_short(recipe)}\n  {str(exc)[:600]}")
        else:
            print(f"recipe {i}: pass {_short(recipe)}")
    return failed


def _short(recipe: Scenario) -> str:
    return f"{recipe.actions!r:.160}"


def _report(harness: Harness, seconds: float) -> None:
    stats = harness.stats
    updates = sum(stats.updates.values())
    print(f"examples:   {stats.examples} in {seconds:.1f} s ({stats.examples / seconds:.1f}/s)")
    print(f"updates:    {updates} ({updates / seconds:.1f}/s)")
    for kind, n in stats.updates.most_common():
        print(f"  {kind:<12}{n:>7}")
    print(f"sent:       {stats.messages} messages, {stats.calls} Bot API calls")
    print(f"longest reaction to one update: {stats.longest_reaction} messages")


async def _run(examples: int, seed: int, known_bugs: bool, verbose: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="partnerbot-fuzz-") as tmp:
        async with running_bot(Path(tmp) / "bot.sqlite3", I18n()) as harness:
            harness.trace = _trace if verbose else None
            loop = asyncio.get_running_loop()
            started = time.monotonic()
            failed = await _recipes(harness, known_bugs) > 0
            try:
                await asyncio.to_thread(
                    explore,
                    harness,
                    loop,
                    examples,
                    seed=seed,
                    known_bugs=known_bugs,
                    explicit=False,
                )
            except Exception as exc:  # hypothesis' failure (shrunk), an ExceptionGroup if several
                failed = True
                print("\nFAILED: the property does not hold. Shrunk input(s) and traceback(s):\n")
                traceback.print_exception(exc, file=sys.stdout)
            print()
            _report(harness, time.monotonic() - started)
            print("result:     " + ("FAIL" if failed else "PASS"))
            return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--examples", type=int, default=2000, help="hypothesis examples (2000)")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run (default: random)")
    parser.add_argument(
        "--known-bugs", action="store_true", help="also send the input classes of known bugs"
    )
    parser.add_argument("--verbose", action="store_true", help="print every update and reply")
    args = parser.parse_args(argv)
    if args.examples < 1:
        parser.error("--examples must be at least 1")
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(
        f"fuzzing the real handlers: {args.examples} examples, seed {seed}"
        + (", known bugs included" if args.known_bugs else "")
    )
    print(f"repeat with: uv run --frozen python -m benchmarks.fuzz --examples {args.examples} "
          f"--seed {seed}" + (" --known-bugs" if args.known_bugs else ""))  # fmt: skip
    return asyncio.run(_run(args.examples, seed, args.known_bugs, args.verbose))


if __name__ == "__main__":
    sys.exit(main())
