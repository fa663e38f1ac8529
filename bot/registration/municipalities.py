"""Serbia's 162 local governments and the 13 city municipalities outside Belgrade."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process, utils

from bot.core.script import fold


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    name_cyrl: str
    name_latn: str
    type: str
    parent_cyrl: str
    parent_latn: str
    district: str = ""  # "Nišavski okrug", as the statistical office writes it (Latin)


@cache
def all_municipalities() -> dict[str, Municipality]:
    text = resources.files("bot.registration").joinpath("local_governments.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        r["code"]: Municipality(
            r["code"],
            r["name_cyrl"],
            r["name_latn"],
            r["type"],
            r["parent_cyrl"],
            r["parent_latn"],
            r["district"],
        )
        for r in rows
    }


_KIND_WORDS = frozenset(
    "opstina opcina grad gradska varos municipality city town of the so go".split()
)


@cache
def _keys() -> dict[str, str]:
    return {code: fold(m.name_latn) for code, m in all_municipalities().items()}


def search(text: str, limit: int = 6) -> list[Municipality]:
    """The local governments whose name matches what was typed, best first.

    Typed in either script, with or without diacritics, with a typo or two: "kragujevac",
    "Краљево", "Knic", "Lazarevac".
    """
    # "opština Kraljevo", "grad Niš": the kind of place is no part of its name
    query = " ".join(w for w in fold(text).split() if w not in _KIND_WORDS)
    if len(query) < 2:
        return []
    everything = all_municipalities()
    exact = [everything[c] for c, key in _keys().items() if key == query]
    if exact:
        return exact
    found = process.extract(
        query, _keys(), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit,
        score_cutoff=75,
    )  # fmt: skip
    if not found:
        return []
    best = found[0][1]
    # a clear winner stands alone; near-equal candidates are all offered
    return [everything[code] for _, score, code in found if score >= best - 10]
