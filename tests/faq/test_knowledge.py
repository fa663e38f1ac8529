"""The knowledge base loads, derives Serbian Latin, and `check` names every problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.locales import Locale
from bot.core.script import has_cyrillic
from bot.faq.knowledge import FAQ_DIR, KnowledgeError, check, load

TOPICS = """\
categories: [programme, bot]
topics:
  - id: programme.about
    category: programme
    related: [contact]
    links: ["https://www.skgo.org"]
    aliases: [about]
  - id: contact
    category: bot
    related: []
    links: []
    aliases: []
"""
SR = """\
categories:
  programme: Програм
  bot: Бот
topics:
  programme.about:
    title: О програму
    questions:
      - Шта је програм?
    answer: Програм спроводи СКГО, више на skgo.org и /menu.
  contact:
    title: Контакт
    questions:
      - Коме да се обратим?
    answer: Пишите на euintegracije@skgo.org.
"""
EN = """\
categories:
  programme: The programme
  bot: Bot
topics:
  programme.about:
    title: About the programme
    questions:
      - What is the programme?
    answer: SKGO runs it.
  contact:
    title: Contact
    questions:
      - Whom do I contact?
    answer: Write to euintegracije@skgo.org.
"""


def write_kb(directory: Path, topics: str = TOPICS, sr: str = SR, en: str = EN) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "topics.yaml").write_text(topics, encoding="utf-8")
    (directory / "sr.yaml").write_text(sr, encoding="utf-8")
    (directory / "en.yaml").write_text(en, encoding="utf-8")
    return directory


def test_shipped_knowledge_base_is_valid() -> None:
    assert check(FAQ_DIR) == []


def test_shipped_knowledge_base_covers_required_topics() -> None:
    kb = load()
    required = """programme.about programme.funder skgo.about icld.about partnership.about
        partnership.how_it_works partnership.funding partnership.eligibility
        partnership.find_partner partnership.apply partnership.stakeholders partnership.benefits
        eu_adviser.about strategy.international_cooperation workshop.kragujevac
        workshop.upcoming themes.areas contact bot.register bot.privacy bot.language
        bot.subscribe""".split()
    assert set(required) <= set(kb.topics)
    for topic in kb.topics.values():
        assert set(topic.texts) == set(Locale)
        assert topic.category in kb.categories


def test_serbian_latin_is_derived_without_cyrillic() -> None:
    kb = load()
    for topic in kb.topics.values():
        latin = topic.texts[Locale.SR_LATN]
        for text in (latin.title, latin.answer, *latin.questions):
            assert not has_cyrillic(text), (topic.id, text)
    assert not any(has_cyrillic(t) for t in kb.category_titles[Locale.SR_LATN].values())
    assert kb.topics["skgo.about"].texts[Locale.SR_LATN].title == "Šta je SKGO"


def test_minimal_knowledge_base_loads(tmp_path: Path) -> None:
    kb = load(write_kb(tmp_path))
    assert check(tmp_path) == []
    about = kb.topics["programme.about"]
    assert about.related == ("contact",)
    assert about.links == ("https://www.skgo.org",)
    assert about.live is None
    assert about.texts[Locale.SR_LATN].questions == ("Šta je program?",)
    assert kb.category_titles[Locale.SR_LATN]["programme"] == "Program"
    assert kb.categories == ["programme", "bot"]


def test_resolve_finds_ids_and_aliases(tmp_path: Path) -> None:
    kb = load(write_kb(tmp_path))
    assert kb.resolve("about") is kb.topics["programme.about"]
    assert kb.resolve("contact") is kb.topics["contact"]
    assert kb.resolve("nothing") is None


def test_broken_knowledge_base_gets_one_line_per_problem(tmp_path: Path) -> None:
    topics = TOPICS.replace("related: [contact]", "related: [contact, nowhere]") + (
        "  - id: contact\n    category: bot\n  - id: bot.extra\n    category: bot\n"
    )
    sr = SR.replace("Програм спроводи СКГО", "Program спроводи СКГО" + " и тако даље" * 70)
    problems = check(write_kb(tmp_path, topics=topics, sr=sr))
    expected = [
        ("topics.yaml", "contact", "duplicate id"),
        ("topics.yaml", "programme.about", "unknown related id `nowhere`"),
        ("sr.yaml", "bot.extra", "missing"),
        ("en.yaml", "bot.extra", "missing"),
        ("sr.yaml", "programme.about", "Latin word `Program`"),
        ("sr.yaml", "programme.about", "characters"),
    ]
    for file, topic, words in expected:
        hits = [p for p in problems if p.startswith(f"{file}: {topic}: ") and words in p]
        assert len(hits) >= 1, (file, topic, words, problems)
    assert len(problems) == len(set(problems))
    with pytest.raises(KnowledgeError) as error:
        load(tmp_path)
    assert any("duplicate id" in p for p in error.value.problems)


def test_content_rules(tmp_path: Path) -> None:
    topics = TOPICS.replace('links: ["https://www.skgo.org"]', 'links: ["ftp://skgo.org"]').replace(
        "aliases: [about]", "aliases: [contact]\n    live: weather\n    extra: 1"
    )
    sr = SR.replace("title: Контакт", "title: Контакт {name}").replace(
        "questions:\n      - Коме да се обратим?", "questions: []"
    )
    en = EN.replace("SKGO runs it.", "")
    problems = check(write_kb(tmp_path, topics=topics, sr=sr, en=en))
    for words in (
        "link is not http(s): ftp://skgo.org",
        "duplicate id `contact` (already the alias of programme.about)",
        "unknown live value `weather`",
        "unknown field `extra`",
        "placeholder {name} in title",
        "contact: no questions",
        "en.yaml: programme.about: empty answer",
    ):
        assert any(words in p for p in problems), (words, problems)


def test_allowed_latin_in_serbian(tmp_path: Path) -> None:
    sr = SR.replace(
        "Пишите на euintegracije@skgo.org.",
        "ICLD-ов образац Declaration of Interest, SALAR, Sida, ЕУ и EU, Македонска 22/VIII, "
        "https://icld.se/en/ и /register.",
    )
    assert check(write_kb(tmp_path, sr=sr)) == []


def test_yaml_errors_name_the_file_and_line(tmp_path: Path) -> None:
    write_kb(tmp_path, en=EN.replace("title: Contact", "title: [Contact"))
    problems = check(tmp_path)
    assert len(problems) == 1 and problems[0].startswith("en.yaml: YAML syntax error: line ")
    write_kb(tmp_path, sr=SR + "  contact:\n    title: Опет\n")
    assert any("duplicate key `contact`" in p for p in check(tmp_path))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    shutil.copytree(FAQ_DIR, tmp_path / "faq")
    (tmp_path / "faq" / "en.yaml").unlink()
    assert check(tmp_path / "faq") == ["en.yaml: file not found"]
    with pytest.raises(KnowledgeError):
        load(tmp_path / "faq")


def test_live_topic_answer_may_hold_placeholders(tmp_path: Path) -> None:
    topics = TOPICS.replace("aliases: [about]", "aliases: [about]\n    live: workshops")
    en = EN.replace("SKGO runs it.", '"Next: {date}"')
    assert check(write_kb(tmp_path, topics=topics, en=en)) == []
    kb = load(tmp_path)
    assert kb.topics["programme.about"].live == "workshops"


def test_questions_people_asked_are_read_as_typed(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    assert (load(folder).asked, load(folder).outside) == ({}, ())  # the file is optional
    (folder / "asked.yaml").write_text(
        "topics:\n"
        "  contact:\n    - kome da pisem\n    - '  Who do I write to?  '\n    - ''\n"
        "outside:\n  - Ko je gradonačelnik Niša?\n",
        encoding="utf-8",
    )
    kb = load(folder)
    assert kb.asked == {"contact": ("kome da pisem", "Who do I write to?")}
    assert kb.outside == ("Ko je gradonačelnik Niša?",)
    assert check(folder) == []


def test_a_question_asked_filed_twice_is_named_and_learnt_once(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    (folder / "asked.yaml").write_text(
        "topics:\n"
        # the Latin spelling of a Cyrillic way of asking is the same question
        "  contact:\n    - ŠTA je program?\n    - kome da pisem\n    - Kome da pišem\n"
        "  programme.about:\n    - Kome da pisem?\n"
        "  nowhere:\n    - gde\n"
        "outside:\n  - kome da pisem\n",
        encoding="utf-8",
    )
    kb = load(folder)
    assert kb.asked == {"contact": ("kome da pisem",), "programme.about": ()}
    assert kb.outside == ()
    assert check(folder) == [
        "asked.yaml: contact: `ŠTA je program?` is a way of asking programme.about",
        # without diacritics and with them, the same words
        "asked.yaml: contact: `Kome da pišem` is listed twice",
        "asked.yaml: programme.about: `Kome da pisem?` is filed under contact too",
        "asked.yaml: nowhere: unknown topic (not in topics.yaml)",
        "asked.yaml: outside: `kome da pisem` is filed under contact too",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("outside: Ko je gradonačelnik?\n", "asked.yaml: outside: must be a list of questions"),
        ("topics: [a, b]\n", "asked.yaml: `topics` must map topic ids to questions"),
        ("topics:\n  contact: kome\n", "asked.yaml: contact: must be a list of questions"),
        ("- Ko je gradonačelnik?\n", "asked.yaml: must be a mapping with `topics` and `outside`"),
    ],
)
def test_a_broken_file_of_questions_asked_stops_loading(
    tmp_path: Path, text: str, problem: str
) -> None:
    folder = write_kb(tmp_path)
    (folder / "asked.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load(folder)
    assert error.value.problems == [problem]
