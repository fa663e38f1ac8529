"""What the FAQ is missing: questions it could not answer outright, alike ones grouped together."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import yaml
from rapidfuzz import fuzz, process

from bot.core.erasure import holds_personal_data
from bot.core.locales import Locale
from bot.core.script import fold
from bot.storage.asked import AskedRow

# similarity (0–100) of two questions' words, in any order, for them to be one gap
THRESHOLD = 80.0
EXAMPLES = 5
# a question under a topic's `questions:` in locales/faq/<language>.yaml
_INDENT = " " * 6
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Gap:
    text: str  # the most frequent wording, as last written
    count: int
    outcomes: dict[str, int]
    locales: tuple[Locale, ...]  # most frequent first
    topics: tuple[str, ...]  # topics suggested for it, most frequent first
    examples: tuple[str, ...]  # distinct wordings, newest first
    latest: datetime


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Words folded (script, case, diacritics) and sorted: word order does not separate two
    questions, and comparing keys with a plain ratio is token_sort_ratio without re-sorting
    at every comparison. Cached: the console groups the same rows at every page load."""
    words = _NON_WORD.sub(" ", fold(text)).split()
    return " ".join(sorted(words)) or fold(text).strip()


holds_personal_data(_key.cache_clear)


def group(rows: Sequence[AskedRow], threshold: float = THRESHOLD) -> list[Gap]:
    """Greedy, in one pass: each wording joins the first group whose representative it
    resembles, else starts one. Frequent wordings go first, so they become representatives.
    Not token_set_ratio: a question of one or two words is a subset of many longer ones and
    would swallow them (and it is slower by an order of magnitude)."""
    buckets: dict[str, list[AskedRow]] = {}
    for row in rows:
        if row.text.strip():
            buckets.setdefault(_key(row.text), []).append(row)
    ordered = sorted(
        buckets.items(), key=lambda kv: (-len(kv[1]), -max(r.at for r in kv[1]).timestamp())
    )
    representatives: list[str] = []
    groups: list[list[AskedRow]] = []
    for key, members in ordered:
        found = process.extractOne(key, representatives, scorer=fuzz.ratio, score_cutoff=threshold)
        if found is None:
            representatives.append(key)
            groups.append(list(members))
        else:
            groups[found[2]].extend(members)
    gaps = [_gap(members) for members in groups]
    gaps.sort(key=lambda g: (-g.count, -g.latest.timestamp()))
    return gaps


def _gap(members: list[AskedRow]) -> Gap:
    # the first bucket, the representative's, is the most frequent wording
    representative = _key(members[0].text)
    newest = sorted(members, key=lambda r: r.at, reverse=True)
    text = next(r.text for r in newest if _key(r.text) == representative)
    examples: list[str] = []
    for row in newest:
        wording = row.text.strip()
        if wording not in examples:
            examples.append(wording)
            if len(examples) == EXAMPLES:
                break
    topics = Counter(r.topic for r in members if r.topic)
    return Gap(
        text=text.strip(),
        count=len(members),
        outcomes=dict(Counter(r.outcome for r in members).most_common()),
        locales=tuple(loc for loc, _ in Counter(r.locale for r in members).most_common()),
        topics=tuple(t for t, _ in topics.most_common()),
        examples=tuple(examples),
        latest=newest[0].at,
    )


def yaml_snippet(text: str) -> str:
    """The line a content editor pastes under a topic's `questions:` in the FAQ file of the
    question's language: quoted by the YAML library, so that any text stays valid YAML."""
    one_line = " ".join(text.split())
    item = yaml.safe_dump(
        [one_line], allow_unicode=True, default_style='"', width=1_000_000, sort_keys=False
    )
    return _INDENT + item.strip()
