"""Questions the FAQ could not answer, grouped for content editors, ready to paste as YAML."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import yaml

from bot.core.locales import Locale
from bot.faq.gaps import group, yaml_snippet
from bot.storage.asked import AskedRow

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _rows(*texts: str | tuple[str, str, Locale]) -> list[AskedRow]:
    """Newest first, a minute apart; a bare text is a declined Latin question."""
    rows = []
    for i, item in enumerate(texts):
        text, outcome, locale = (
            item if isinstance(item, tuple) else (item, "declined", Locale.SR_LATN)
        )
        topic = "workshop.upcoming" if outcome == "suggested" else ""
        rows.append(AskedRow(i + 1, NOW - timedelta(minutes=i), outcome, topic, locale, text))
    return rows


def test_one_question_in_any_script_and_spelling_is_one_gap() -> None:
    rows = _rows(
        ("Kada je radionica u Čačku?", "declined", Locale.SR_LATN),
        ("kada je radionica u cacku", "suggested", Locale.SR_LATN),
        ("Када је радионица у Чачку?", "declined", Locale.SR_CYRL),
        ("Kada je sledeća radionica u Čačku", "declined", Locale.SR_LATN),
        ("u cacku kada je radionica", "declined", Locale.SR_LATN),
        ("Koliko košta autobuska karta do Niša?", "declined", Locale.SR_LATN),
        ("Koja je najbolja pica u gradu?", "declined", Locale.SR_LATN),
    )
    gaps = group(rows)
    assert [g.count for g in gaps] == [5, 1, 1]
    cacak = gaps[0]
    assert cacak.outcomes == {"declined": 4, "suggested": 1}
    assert cacak.locales == (Locale.SR_LATN, Locale.SR_CYRL)
    assert cacak.topics == ("workshop.upcoming",)
    assert cacak.latest == NOW
    # the three spellings fold to one wording, the most frequent: the newest of it is shown
    assert cacak.text == "Kada je radionica u Čačku?"
    assert cacak.examples == (
        "Kada je radionica u Čačku?", "kada je radionica u cacku", "Када је радионица у Чачку?",
        "Kada je sledeća radionica u Čačku", "u cacku kada je radionica",
    )  # fmt: skip
    # equal counts: the latest first
    assert [g.text for g in gaps[1:]] == [
        "Koliko košta autobuska karta do Niša?", "Koja je najbolja pica u gradu?",
    ]  # fmt: skip


def test_unrelated_questions_stay_apart_and_examples_are_at_most_five() -> None:
    rows = _rows(
        "Šta je ICLD?", "Šta je SKGO?", "Kada je rok za prijavu?", "Kada je radionica?",
        "Koliko je sati?", "Ko je gradonačelnik?",
    )  # fmt: skip
    assert [g.count for g in group(rows)] == [1] * 6
    many = _rows(*[f"radionica u Čačku {'?' * i}" for i in range(7)], "Radionica u Čačku")
    [gap] = group(many)
    assert gap.count == 8 and len(gap.examples) == 5
    assert gap.examples[:2] == ("radionica u Čačku", "radionica u Čačku ?"), "newest first"
    assert group([]) == []
    assert group(_rows("   ")) == [], "a blanked text is nothing to group"


def test_many_rows_all_land_in_some_group() -> None:
    rng = random.Random(7)
    places = ["Čačak", "Niš", "Kraljevo", "Novi Sad", "Subotica", "Zrenjanin", "Pirot", "Vranje"]
    asks = [
        "Kada je radionica u {}?", "Ima li partnerstvo za {}?", "Ko je koordinator za {}?",
        "Koliko novca dobija {}?", "Kako {} da se prijavi?", "Gde je kancelarija u {}?",
    ]  # fmt: skip
    wordings = [a.format(p) for a in asks for p in places]
    wordings += [f"{w} {rng.choice(['hitno', 'molim', 'hvala', 'pozdrav'])}" for w in wordings]
    rows = _rows(*[rng.choice(wordings) for _ in range(1700)])
    rows += _rows(*[f"{rng.choice(places)} {rng.random():.6f} {i}" for i in range(300)])
    gaps = group(rows)
    # its speed is measured by benchmarks/console_pages.py (/asked), not asserted here
    assert sum(g.count for g in gaps) == 2000
    assert len(gaps) < 48 * 2 + 300 + 1  # the repeated wordings grouped, the noise alone


def test_the_yaml_snippet_parses_back_to_the_question() -> None:
    for text in (
        'Kako "ovo": radi?',
        "it's: a 'test' # not a comment",
        "- a dash, {braces} & [brackets] | pipe > more: yes",
        "Шта је „пројекат“ на путу ка ЕУ?",
        "yes",
        "null",
        "100",
        "x" * 500,
    ):
        snippet = yaml_snippet(text)
        assert snippet.startswith('      - "') and "\n" not in snippet
        assert yaml.safe_load(snippet) == [text]
        # pasted under a topic's questions, in the shape of locales/faq/<language>.yaml
        document = "topics:\n  contact:\n    title: T\n    questions:\n" + snippet + "\n"
        assert yaml.safe_load(document)["topics"]["contact"]["questions"] == [text]
    assert yaml.safe_load(yaml_snippet("two\nlines  here ")) == ["two lines here"]
