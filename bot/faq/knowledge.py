"""The FAQ knowledge base: topics.yaml, one text file per written locale, and the questions
people asked filed by topic (asked.yaml), loaded and checked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bot.core.locales import Locale
from bot.core.script import to_latin
from bot.faq import rules
from bot.faq.text import tokens
from bot.faq.yamlfile import YamlError, read_yaml

FAQ_DIR = Path(__file__).resolve().parents[2] / "locales" / "faq"
STRUCTURE_FILE = "topics.yaml"
# Serbian Latin has no file: it is derived from the Cyrillic one (design.md).
TEXT_FILES = {Locale.SR_CYRL: "sr.yaml", Locale.EN: "en.yaml"}
# Optional: the topics' own ways of asking are enough to answer.
ASKED_FILE = "asked.yaml"

_TOPIC_FIELDS = {"id", "category", "related", "links", "aliases", "live"}
_TOPIC_REQUIRED = {"id", "category"}
_TEXT_FIELDS = {"title", "questions", "answer"}


@dataclass(frozen=True)
class TopicText:
    title: str
    questions: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class _Structure:
    """A topic as topics.yaml describes it, before its texts are read."""

    id: str
    category: str
    related: tuple[str, ...]
    links: tuple[str, ...]
    aliases: tuple[str, ...]
    live: str | None


@dataclass(frozen=True)
class Topic(_Structure):
    texts: dict[Locale, TopicText]

    def text(self, locale: Locale) -> TopicText:
        return self.texts[locale]


@dataclass(frozen=True)
class KnowledgeBase:
    topics: dict[str, Topic]
    categories: list[str]
    category_titles: dict[Locale, dict[str, str]]
    # questions people asked, as they typed them, by the topic that answers them
    asked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # and those no topic answers
    outside: tuple[str, ...] = ()
    _by_alias: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_alias = {alias: t.id for t in self.topics.values() for alias in t.aliases}
        object.__setattr__(self, "_by_alias", by_alias)

    def resolve(self, id_or_alias: str) -> Topic | None:
        """The topic under this id, or the one that used to be called so."""
        topic = self.topics.get(id_or_alias)
        if topic is None and id_or_alias in self._by_alias:
            topic = self.topics[self._by_alias[id_or_alias]]
        return topic

    def in_category(self, category: str) -> list[Topic]:
        return [t for t in self.topics.values() if t.category == category]


class KnowledgeError(Exception):
    """The knowledge base cannot be used; `problems` has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load(directory: Path = FAQ_DIR) -> KnowledgeBase:
    """The knowledge base; KnowledgeError if a file is unusable.

    Content lints (length, stray Latin, …) do not stop loading: `check` reports those.
    """
    reader = _Reader(directory)
    kb = reader.read()
    fatal = [p.line for p in reader.problems if p.fatal]
    if kb is None or fatal:
        raise KnowledgeError(fatal)
    return kb


def check(directory: Path = FAQ_DIR) -> list[str]:
    """Every problem in the knowledge base, one line each; empty when it is valid."""
    reader = _Reader(directory)
    reader.read()
    return [p.line for p in reader.problems]


@dataclass(frozen=True)
class _Problem:
    line: str
    fatal: bool


class _Reader:
    """One pass over the files that both builds the knowledge base and collects problems."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[_Problem] = []

    def problem(self, file: str, topic: str | None, message: str, *, fatal: bool) -> None:
        where = f"{file}: {topic}: " if topic else f"{file}: "
        self.problems.append(_Problem(where + message, fatal))

    def read(self) -> KnowledgeBase | None:
        structure = self._read_structure()
        texts: dict[Locale, dict[str, TopicText]] = {}
        titles: dict[Locale, dict[str, str]] = {}
        for locale, name in TEXT_FILES.items():
            parsed = self._read_texts(name, structure)
            if parsed is not None:
                texts[locale], titles[locale] = parsed
        if structure is None or len(texts) < len(TEXT_FILES):
            return None
        categories, entries = structure
        texts[Locale.SR_LATN] = {k: _latin(v) for k, v in texts[Locale.SR_CYRL].items()}
        titles[Locale.SR_LATN] = {k: to_latin(v) for k, v in titles[Locale.SR_CYRL].items()}
        self._check_lengths(texts)
        topics: dict[str, Topic] = {}
        for e in entries:
            if any(e.id not in texts[loc] for loc in Locale):
                continue  # already reported as missing
            per_locale = {loc: texts[loc][e.id] for loc in Locale}
            described = {f.name: getattr(e, f.name) for f in fields(e)}
            topics[e.id] = Topic(**described, texts=per_locale)
        return KnowledgeBase(topics, categories, titles, *self._read_asked(topics))

    # --- topics.yaml

    def _read_structure(self) -> tuple[list[str], list[_Structure]] | None:
        data = self._read_file(STRUCTURE_FILE)
        if data is None:
            return None
        categories = self._categories(data)
        raw_topics = data.get("topics")
        if not isinstance(raw_topics, list):
            self.problem(STRUCTURE_FILE, None, "`topics` must be a list", fatal=True)
            return None
        entries = [
            e
            for i, raw in enumerate(raw_topics)
            if (e := self._structure_entry(i, raw, categories)) is not None
        ]
        self._check_ids(entries)
        return categories, entries

    def _categories(self, data: dict[str, Any]) -> list[str]:
        for key in data.keys() - {"categories", "topics"}:
            self.problem(STRUCTURE_FILE, None, f"unknown field `{key}`", fatal=False)
        raw = data.get("categories")
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
            self.problem(STRUCTURE_FILE, None, "`categories` must be a list of names", fatal=True)
            return []
        for name in {c for c in raw if raw.count(c) > 1}:
            self.problem(STRUCTURE_FILE, None, f"category `{name}` listed twice", fatal=True)
        return list(dict.fromkeys(raw))

    def _structure_entry(self, index: int, raw: object, categories: list[str]) -> _Structure | None:
        file = STRUCTURE_FILE
        if not isinstance(raw, dict):
            self.problem(file, f"topic #{index + 1}", "must be a mapping", fatal=True)
            return None
        tid = raw.get("id")
        if not isinstance(tid, str) or not tid.strip():
            self.problem(file, f"topic #{index + 1}", "missing field `id`", fatal=True)
            return None
        for key in sorted(_TOPIC_REQUIRED - raw.keys()):
            self.problem(file, tid, f"missing field `{key}`", fatal=True)
        for key in sorted(raw.keys() - _TOPIC_FIELDS):
            self.problem(file, tid, f"unknown field `{key}`", fatal=False)
        category = raw.get("category")
        if "category" in raw and category not in categories:
            self.problem(file, tid, f"unknown category `{category}`", fatal=True)
        live = raw.get("live")
        if live is not None and live not in rules.LIVE_KINDS:
            known = ", ".join(sorted(rules.LIVE_KINDS))
            self.problem(file, tid, f"unknown live value `{live}` (known: {known})", fatal=True)
        links = self._strings(file, tid, raw, "links")
        for link in links:
            if not rules.is_web_link(link):
                self.problem(file, tid, f"link is not http(s): {link}", fatal=False)
        return _Structure(
            tid,
            category if isinstance(category, str) else "",
            self._strings(file, tid, raw, "related"),
            links,
            self._strings(file, tid, raw, "aliases"),
            live if isinstance(live, str) else None,
        )

    def _strings(self, file: str, tid: str, raw: dict[str, Any], key: str) -> tuple[str, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(file, tid, f"`{key}` must be a list of strings", fatal=True)
            return ()
        return tuple(value)

    def _check_ids(self, entries: list[_Structure]) -> None:
        file = STRUCTURE_FILE
        owner: dict[str, tuple[str, str]] = {}  # name → ("id" or "alias", topic id)
        for e in entries:
            for name in (e.id, *e.aliases):
                what = "id" if name == e.id else "alias"
                if name in owner:
                    first_what, first = owner[name]
                    message = f"duplicate {what} `{name}` (already the {first_what} of {first})"
                    self.problem(file, e.id, message, fatal=True)
                else:
                    owner[name] = (what, e.id)
        ids = {e.id for e in entries}
        for e in entries:
            for rel in e.related:
                if rel == e.id:
                    self.problem(file, e.id, "related to itself", fatal=False)
                elif rel not in ids:
                    self.problem(file, e.id, f"unknown related id `{rel}`", fatal=True)
            if len(e.related) > 3:
                self.problem(file, e.id, "more than 3 related topics", fatal=False)

    # --- sr.yaml, en.yaml

    def _read_texts(
        self, file: str, structure: tuple[list[str], list[_Structure]] | None
    ) -> tuple[dict[str, TopicText], dict[str, str]] | None:
        data = self._read_file(file)
        if data is None:
            return None
        categories, entries = structure or ([], [])
        serbian = file == TEXT_FILES[Locale.SR_CYRL]
        for key in data.keys() - {"categories", "topics"}:
            self.problem(file, None, f"unknown field `{key}`", fatal=False)
        titles = self._category_titles(file, data.get("categories"), categories)
        raw_topics = data.get("topics")
        if not isinstance(raw_topics, dict):
            self.problem(file, None, "`topics` must be a mapping of id to texts", fatal=True)
            return None
        texts: dict[str, TopicText] = {}
        for tid, raw in raw_topics.items():
            text = self._topic_text(file, str(tid), raw)
            if text is not None:
                texts[str(tid)] = text
                if serbian:
                    self._check_script(file, str(tid), text)
        known = {e.id for e in entries}
        if structure is not None:
            for e in entries:
                if e.id not in raw_topics:
                    self.problem(file, e.id, "topic missing in this locale", fatal=True)
            for tid in raw_topics:
                if tid not in known:
                    self.problem(file, str(tid), "unknown topic (not in topics.yaml)", fatal=False)
        for e in entries:
            if e.id in texts:
                self._check_placeholders(file, e, texts[e.id])
        return texts, titles

    def _category_titles(self, file: str, raw: object, categories: list[str]) -> dict[str, str]:
        if not isinstance(raw, dict):
            self.problem(file, None, "`categories` must map each category to a title", fatal=True)
            return {}
        titles = {str(k): str(v).strip() for k, v in raw.items() if v is not None}
        for name in categories:
            if not titles.get(name):
                self.problem(file, None, f"category `{name}` has no title", fatal=True)
        for name in titles.keys() - set(categories):
            self.problem(file, None, f"unknown category `{name}`", fatal=False)
        if file == TEXT_FILES[Locale.SR_CYRL]:
            for name, title in titles.items():
                for word in rules.stray_latin(title):
                    self.problem(file, None, f"category `{name}`: Latin word `{word}`", fatal=False)
        return titles

    def _topic_text(self, file: str, tid: str, raw: object) -> TopicText | None:
        if not isinstance(raw, dict):
            self.problem(file, tid, "must be a mapping with title, questions, answer", fatal=True)
            return None
        for key in sorted(_TEXT_FIELDS - raw.keys()):
            self.problem(file, tid, f"missing field `{key}`", fatal=True)
        for key in sorted(raw.keys() - _TEXT_FIELDS):
            self.problem(file, tid, f"unknown field `{key}`", fatal=False)
        title, answer, questions = raw.get("title"), raw.get("answer"), raw.get("questions")
        ok = True
        for key, value in (("title", title), ("answer", answer)):
            if key in raw and not isinstance(value, str | None):
                self.problem(file, tid, f"`{key}` must be text", fatal=True)
                ok = False
        if "questions" in raw and not (
            questions is None
            or (isinstance(questions, list) and all(isinstance(q, str) for q in questions))
        ):
            self.problem(file, tid, "`questions` must be a list of texts", fatal=True)
            ok = False
        if not ok or not raw.keys() >= _TEXT_FIELDS:
            return None
        text = TopicText(
            (title or "").strip(),
            tuple(q.strip() for q in questions or [] if q.strip()),
            (answer or "").strip(),
        )
        if not text.title:
            self.problem(file, tid, "empty title", fatal=False)
        if not text.answer:
            self.problem(file, tid, "empty answer", fatal=False)
        if not text.questions:
            self.problem(file, tid, "no questions", fatal=False)
        return text

    def _check_script(self, file: str, tid: str, text: TopicText) -> None:
        for where, value in _fields(text):
            for word in rules.stray_latin(value):
                self.problem(file, tid, f"Latin word `{word}` in {where}", fatal=False)

    def _check_placeholders(self, file: str, entry: _Structure, text: TopicText) -> None:
        for where, value in _fields(text):
            if entry.live is not None and where == "answer":
                continue
            for ph in rules.placeholders(value):
                self.problem(file, entry.id, f"placeholder {ph} in {where}", fatal=False)

    def _check_lengths(self, texts: dict[Locale, dict[str, TopicText]]) -> None:
        limit = rules.MAX_ANSWER
        for locale, by_topic in texts.items():
            file = TEXT_FILES.get(locale, TEXT_FILES[Locale.SR_CYRL])
            suffix = " in Latin" if locale is Locale.SR_LATN else ""
            for tid, text in by_topic.items():
                if locale is Locale.SR_LATN and len(texts[Locale.SR_CYRL][tid].answer) > limit:
                    continue  # the Cyrillic answer is already reported
                if len(text.answer) > limit:
                    self.problem(
                        file,
                        tid,
                        f"answer{suffix} is {len(text.answer)} characters "
                        f"(at most {rules.MAX_ANSWER})",
                        fatal=False,
                    )

    # --- asked.yaml

    def _read_asked(
        self, topics: dict[str, Topic]
    ) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
        file = ASKED_FILE
        if not (self.directory / file).exists():
            return {}, ()
        data = self._read_file(file, "a mapping with `topics` and `outside`")
        if data is None:
            return {}, ()
        for key in data.keys() - {"topics", "outside"}:
            self.problem(file, None, f"unknown field `{key}`", fatal=False)
        raw_topics = data.get("topics") or {}
        if not isinstance(raw_topics, dict):
            self.problem(file, None, "`topics` must map topic ids to questions", fatal=True)
            raw_topics = {}
        # where each question is filed: a topic's way of asking, or the first place it is listed
        filed = {
            same_question(q): t.id
            for t in topics.values()
            for text in t.texts.values()
            for q in (text.title, *text.questions)
        }
        ways = set(filed)
        asked: dict[str, tuple[str, ...]] = {}
        for tid, raw in raw_topics.items():
            questions = self._questions(file, str(tid), raw)
            if str(tid) not in topics:
                self.problem(file, str(tid), "unknown topic (not in topics.yaml)", fatal=False)
                continue
            asked[str(tid)] = self._filed(file, str(tid), questions, filed, ways)
        outside = self._filed(
            file, "outside", self._questions(file, "outside", data.get("outside")), filed, ways
        )
        return asked, outside

    def _questions(self, file: str, where: str, raw: object) -> tuple[str, ...]:
        raw = raw or []
        if not isinstance(raw, list) or not all(isinstance(q, str) for q in raw):
            self.problem(file, where, "must be a list of questions", fatal=True)
            return ()
        return tuple(q.strip() for q in raw if q.strip())

    def _filed(
        self,
        file: str,
        where: str,
        questions: tuple[str, ...],
        filed: dict[str, str],
        ways: set[str],
    ) -> tuple[str, ...]:
        """The questions not filed before, as a topic's way of asking or in this file; each one
        that was gets a problem, as the bot would learn it twice or two ways."""
        kept = []
        seen: set[str] = set()
        for q in questions:
            key = same_question(q)
            first = filed.setdefault(key, where)
            if key in ways:
                self.problem(file, where, f"`{q}` is a way of asking {first}", fatal=False)
            elif first != where:
                self.problem(file, where, f"`{q}` is filed under {first} too", fatal=False)
            elif key in seen:
                self.problem(file, where, f"`{q}` is listed twice", fatal=False)
            else:
                seen.add(key)
                kept.append(q)
        return tuple(kept)

    def _read_file(
        self, name: str, shape: str = "a mapping with `categories` and `topics`"
    ) -> dict[str, Any] | None:
        path = self.directory / name
        try:
            data = read_yaml(path)
        except FileNotFoundError:
            self.problem(name, None, "file not found", fatal=True)
            return None
        except YamlError as e:
            self.problem(name, None, str(e), fatal=True)
            return None
        if not isinstance(data, dict):
            self.problem(name, None, f"must be {shape}", fatal=True)
            return None
        return data


def _fields(text: TopicText) -> Iterator[tuple[str, str]]:
    yield "title", text.title
    for i, q in enumerate(text.questions, 1):
        yield f"question {i}", q
    yield "answer", text.answer


def same_question(question: str) -> str:
    """A question as the matcher reads it: script, case, diacritics and punctuation aside."""
    return " ".join(tokens(question))


def _latin(text: TopicText) -> TopicText:
    return TopicText(
        to_latin(text.title), tuple(to_latin(q) for q in text.questions), to_latin(text.answer)
    )
