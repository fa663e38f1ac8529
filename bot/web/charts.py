"""Charts for the coordinators' web console: SVG written on the server, embedded inline.

No JavaScript and no CDN: the console has to work on a coordinator's phone, behind a strict
Content-Security-Policy, so the charts are plain markup. They scale with the page (a viewBox and
width="100%", no pixel width); on a screen reader the <title> and <desc> carry the numbers,
since the drawing itself says nothing to one.

Every piece of text is escaped: labels are municipality names, areas and messenger names that
people typed. Only presentation attributes, no style attributes, so a CSP without
'unsafe-inline' styles does not strip the colours."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

__all__ = ["PALETTE", "bars", "columns", "nice_ticks"]

# A virtual width, not pixels: on a 330 px phone the 13-unit text is still about 10 px
# (a wider box would shrink it below legibility).
WIDTH = 440
PAD = 8
FONT = 13
SMALL = 11
TITLE_FONT = 15
# Average advance of a character in em for a sans-serif font: Cyrillic is wider than Latin, so
# this errs on the wide side; it only decides where columns of text start.
EM_ADVANCE = 0.6
LABEL_CHARS = 28
LEGEND_CHARS = 28
CATEGORY_CHARS = 12

# Text: #1f2937 is 14.7:1 on white, #4b5563 7.6:1 (WCAG AA asks 4.5:1).
TEXT = "#1f2937"
MUTED = "#4b5563"
GRID = "#e5e7eb"
AXIS = "#9ca3af"
BACKGROUND = "#ffffff"
# The Okabe–Ito hues (told apart with every common colour blindness), darkened until each one
# is at least 4.5:1 on white, so a segment reads against the background even as thin as a line.
# Grey last: it stays apart from every hue whatever the colour vision.
PALETTE: tuple[str, ...] = (
    "#0072b2",  # blue 5.2:1
    "#c2410c",  # vermillion 5.2:1
    "#00795c",  # bluish green 5.4:1
    "#a8327e",  # reddish purple 6.1:1
    "#8a6100",  # ochre 5.5:1
    "#4b5563",  # grey 7.6:1
)

BAR_ROW = 22
BAR_HEIGHT = 14
PLOT_HEIGHT = 180
# three weeks of data drawn as three slabs read as a different kind of chart
MAX_COLUMN = 36
EMPTY_HEIGHT = 64

# Characters XML 1.0 forbids (and lone surrogates, which cannot be encoded): a name pasted from
# somewhere can carry one, and a single one makes the whole SVG unreadable to an XML parser.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Ids only need to differ within one page; a counter (unlike a hash of the title) also keeps two
# charts with the same title apart.
_ids = itertools.count(1)


def nice_ticks(top: int) -> list[int]:
    """3 to 5 ticks from 0 in steps of 1, 2 or 5 × 10ⁿ, the last one at or above `top`."""
    top = max(top, 0)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            # The first step needing at most 4 intervals; the one before needed 5 and is at most
            # 2.5 times smaller, so this one still needs 2 unless top <= 1.
            if -(-top // step) <= 4:
                intervals = max(2, -(-top // step))
                return [i * step for i in range(intervals + 1)]
        magnitude *= 10


def bars(
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    unit_label: str = "",
    empty: str,
) -> Markup:
    """Horizontal bars, one per item in the given order: label, bar, value.

    `unit_label` (say "број пријава") is printed under the bars and added to the description.
    `empty` is the translated text shown when there are no items."""
    title = _clean(title)
    if not items:
        return _empty_chart(title, _clean(empty))
    rows = [(_clean(label), int(value)) for label, value in items]
    unit = _clean(unit_label)
    uid = _new_id()

    shown = [_truncate(label, LABEL_CHARS) for label, _ in rows]
    label_w = max(_width(text, FONT) for text in shown)
    value_w = max(_width(str(value), FONT) for _, value in rows) + 4
    bar_x = PAD + label_w + 6
    bar_room = WIDTH - PAD - value_w - bar_x
    top_value = max(max(value for _, value in rows), 1)
    scale = bar_room / top_value

    y = _title_bottom() + 8
    rows_top = y
    body: list[str] = []
    for (label, value), text in zip(rows, shown, strict=True):
        bar_y = y + (BAR_ROW - BAR_HEIGHT) / 2
        baseline = bar_y + BAR_HEIGHT / 2 + 0.35 * FONT
        bar_w = max(value, 0) * scale
        body.append(
            f'<g class="pbc-bar"><title>{_esc(label)}: {value}</title>'
            f'<text x="{_f(bar_x - 6)}" y="{_f(baseline)}" text-anchor="end" fill="{TEXT}">'
            f"{_esc(text)}</text>"
            f'<rect x="{_f(bar_x)}" y="{_f(bar_y)}" width="{_f(bar_w)}" '
            f'height="{BAR_HEIGHT}" fill="{PALETTE[0]}"/>'
            f'<text class="pbc-value" x="{_f(bar_x + bar_w + 4)}" y="{_f(baseline)}" '
            f'fill="{TEXT}">{value}</text></g>'
        )
        y += BAR_ROW
    body.append(
        f'<line x1="{_f(bar_x)}" y1="{_f(rows_top)}" x2="{_f(bar_x)}" y2="{_f(y)}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    if unit:
        y += SMALL + 4
        body.append(
            f'<text class="pbc-unit" x="{_f(bar_x)}" y="{_f(y)}" font-size="{SMALL}" '
            f'fill="{MUTED}">{_esc(_truncate(unit, 48))}</text>'
        )

    desc = "; ".join(f"{label}: {value}" for label, value in rows)
    if unit:
        desc = f"{desc} ({unit})"
    return _svg(uid, y + PAD, title, desc, body)


def columns(
    title: str,
    series: Sequence[tuple[str, Sequence[int]]],
    categories: Sequence[str],
    *,
    empty: str,
) -> Markup:
    """Vertical columns, one per category (a week, a day), each a stack of the series, the first
    series at the bottom, and a legend of the series in the same order.

    Each series has one count per category. `empty` is the translated text shown when there are
    no categories or no series."""
    title = _clean(title)
    if not categories or not series:
        return _empty_chart(title, _clean(empty))
    names = [_clean(name) for name, _ in series]
    cats = [_clean(category) for category in categories]
    counts: list[list[int]] = []
    for name, values in series:
        if len(values) != len(cats):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(cats)} categories")
        # a negative count (never expected) would stack down into the segment below it
        counts.append([max(int(v), 0) for v in values])
    totals = [sum(column) for column in zip(*counts, strict=True)]
    uid = _new_id()
    body: list[str] = []

    y = _legend(names, _title_bottom() + 4, body)
    ticks = nice_ticks(max(totals))
    plot_top = y + 4 + SMALL  # room for the top tick's label, centred on its line
    plot_bottom = plot_top + PLOT_HEIGHT
    scale = PLOT_HEIGHT / ticks[-1]
    plot_x = PAD + _width(str(ticks[-1]), SMALL) + 6
    plot_right = WIDTH - PAD

    for tick in ticks:
        tick_y = round(plot_bottom - tick * scale, 2)
        body.append(
            f'<g class="pbc-tick">'
            f'<line x1="{_f(plot_x)}" y1="{_f(tick_y)}" x2="{_f(plot_right)}" y2="{_f(tick_y)}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="1"/>'
            f'<text x="{_f(plot_x - 4)}" y="{_f(tick_y + 0.35 * SMALL)}" text-anchor="end" '
            f'font-size="{SMALL}" fill="{MUTED}">{tick}</text></g>'
        )

    pitch = (plot_right - plot_x) / len(cats)
    col_w = min(pitch * 0.7, MAX_COLUMN)
    for i, category in enumerate(cats):
        x = plot_x + i * pitch + (pitch - col_w) / 2
        column = [counts[s][i] for s in range(len(names))]
        parts = [
            f'<g class="pbc-column"><title>{_esc(_breakdown(category, names, column))}</title>'
        ]
        below = round(plot_bottom, 2)
        running = 0
        for s, count in enumerate(column):
            if count == 0:
                continue
            running += count
            # Edges rounded from the running total, so the segments add up exactly to the column.
            edge = round(plot_bottom - running * scale, 2)
            parts.append(
                f'<rect class="pbc-segment" x="{_f(x)}" y="{_f(edge)}" width="{_f(col_w)}" '
                f'height="{_f(below - edge)}" fill="{PALETTE[s % len(PALETTE)]}" '
                f'stroke="{BACKGROUND}" stroke-width="0.5"/>'
            )
            below = edge
        parts.append("</g>")
        body.append("".join(parts))

    _category_labels(cats, plot_x, pitch, plot_bottom + 4 + SMALL, body)
    height = plot_bottom + 4 + SMALL + 4 + PAD
    desc = "; ".join(
        _breakdown(category, names, [counts[s][i] for s in range(len(names))])
        for i, category in enumerate(cats)
    )
    # "; " because the names themselves have commas ("Telegram, ћирилица")
    desc = f"{'; '.join(names)}. {desc}"
    return _svg(uid, height, title, desc, body)


def _breakdown(category: str, names: Sequence[str], column: Sequence[int]) -> str:
    total = sum(column)
    if len(names) == 1 or total == 0:
        return f"{category}: {total}"
    # zeros left out: a screen reader would otherwise read 52 weeks of "…: 0"
    parts = "; ".join(
        f"{name}: {count}" for name, count in zip(names, column, strict=True) if count
    )
    return f"{category}: {total} ({parts})"


def _legend(names: Sequence[str], top: float, body: list[str]) -> float:
    """Legend entries flowing into as many rows as the width needs; returns the bottom."""
    x = float(PAD)
    row_y = top
    body.append('<g class="pbc-legend">')
    for s, name in enumerate(names):
        text = _truncate(name, LEGEND_CHARS)
        item_w = 10 + 4 + _width(text, SMALL)
        if x > PAD and x + item_w > WIDTH - PAD:
            x = PAD
            row_y += SMALL + 6
        body.append(
            f"<g><title>{_esc(name)}</title>"
            f'<rect x="{_f(x)}" y="{_f(row_y + 1)}" width="10" height="10" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{_f(x + 14)}" y="{_f(row_y + 10)}" font-size="{SMALL}" fill="{TEXT}">'
            f"{_esc(text)}</text></g>"
        )
        x += item_w + 12
    body.append("</g>")
    return row_y + SMALL + 4


def _category_labels(
    cats: Sequence[str], plot_x: float, pitch: float, baseline: float, body: list[str]
) -> None:
    """Labels under the columns: every k-th one, k chosen so that none overlap."""
    shown = [_truncate(category, CATEGORY_CHARS) for category in cats]
    widest = max(_width(text, SMALL) for text in shown)
    every = max(1, math.ceil((widest + 6) / pitch))
    body.append('<g class="pbc-categories">')
    for i in range(0, len(cats), every):
        half = _width(shown[i], SMALL) / 2
        # kept inside the box: the first and last labels would otherwise hang over its edges
        x = min(max(plot_x + (i + 0.5) * pitch, PAD + half), WIDTH - PAD - half)
        body.append(
            f'<text x="{_f(x)}" y="{_f(baseline)}" text-anchor="middle" font-size="{SMALL}" '
            f'fill="{MUTED}">{_esc(shown[i])}</text>'
        )
    body.append("</g>")


def _empty_chart(title: str, empty: str) -> Markup:
    centre = _title_bottom() + EMPTY_HEIGHT / 2
    body = [
        f'<text class="pbc-empty" x="{WIDTH / 2:g}" y="{_f(centre + 0.35 * FONT)}" '
        f'text-anchor="middle" fill="{MUTED}">{_esc(empty)}</text>'
    ]
    return _svg(_new_id(), _title_bottom() + EMPTY_HEIGHT + PAD, title, empty, body)


def _svg(uid: str, height: float, title: str, desc: str, body: Iterable[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pbc" width="100%" '
        f'viewBox="0 0 {WIDTH} {_f(height)}" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="inherit" font-size="{FONT}">'
        f'<title id="{uid}-title">{_esc(title)}</title>'
        f'<desc id="{uid}-desc">{_esc(desc)}</desc>'
        # the text colours are chosen against white: a dark page must not change that
        f'<rect width="{WIDTH}" height="{_f(height)}" fill="{BACKGROUND}"/>'
        f'<text class="pbc-title" x="{PAD}" y="{PAD + TITLE_FONT}" font-size="{TITLE_FONT}" '
        f'font-weight="bold" fill="{TEXT}">'
        f"{_esc(_truncate(title, int((WIDTH - 2 * PAD) / (EM_ADVANCE * TITLE_FONT))))}</text>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _title_bottom() -> float:
    return PAD + TITLE_FONT + 6


def _new_id() -> str:
    return f"pbc{next(_ids)}"


def _clean(text: str) -> str:
    """One line of text XML can carry: forbidden characters out, runs of whitespace one space."""
    return " ".join(_NOT_XML.sub("", text).split())


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = limit - 1
    # never between a letter and its combining accent (a Latin "č" can come as c + U+030C)
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + "…"


def _width(text: str, size: float) -> float:
    return len(text) * EM_ADVANCE * size


def _esc(text: str) -> str:
    return str(escape(text))


def _f(number: float) -> str:
    """A coordinate with at most two decimals, trailing zeros dropped: a shorter page."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
