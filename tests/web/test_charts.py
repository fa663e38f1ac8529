"""The console's SVG charts: well-formed, escaped, readable by a screen reader, and honest."""

from __future__ import annotations

import itertools
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from markupsafe import Markup

from bot.web.charts import BACKGROUND, MUTED, PALETTE, TEXT, bars, columns, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
NO_DATA = "Још нема података"
# the "&amp;" must come back as typed, not decoded into "&"
HOSTILE = "<script>x()</script>&amp;\"'"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tag(name: str) -> str:
    return SVG + name


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(tag("text"))]


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def child(element: ET.Element, name: str) -> ET.Element:
    found = element.find(tag(name))
    assert found is not None, f"no <{name}> in <{element.tag}>"
    return found


def desc(root: ET.Element) -> str:
    return child(root, "desc").text or ""


def contrast(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return 1.05 / (luminance + 0.05)


DISTRICTS = [("Чачак", 4), ("Краљево", 2), ("Града Београда", 11), ("Расински округ", 0)]


def test_bars_one_bar_per_item_with_its_value_visible() -> None:
    svg = bars("Регистрације по окрузима", DISTRICTS, empty=NO_DATA)
    assert isinstance(svg, Markup)
    root = parse(svg)
    groups = with_class(root, "pbc-bar")
    assert len(groups) == len(DISTRICTS)
    for group, (label, value) in zip(groups, DISTRICTS, strict=True):
        assert len(group.findall(tag("rect"))) == 1
        shown = ["".join(t.itertext()) for t in group.iter(tag("text"))]
        assert shown == [label, str(value)]


def test_bar_lengths_are_proportional_to_the_values() -> None:
    root = parse(bars("t", DISTRICTS, empty=NO_DATA))
    widths = [float(child(g, "rect").get("width", "")) for g in with_class(root, "pbc-bar")]
    per_unit = widths[2] / 11
    for width, (_, value) in zip(widths, DISTRICTS, strict=True):
        assert width == pytest.approx(value * per_unit, abs=0.01)
    assert widths[3] == 0


def test_values_sit_at_the_end_of_their_bar() -> None:
    root = parse(bars("t", DISTRICTS, empty=NO_DATA))
    for group in with_class(root, "pbc-bar"):
        rect = child(group, "rect")
        value = with_class(group, "pbc-value")[0]
        end = float(rect.get("x", "")) + float(rect.get("width", ""))
        assert end < float(value.get("x", "")) <= end + 8


def test_bars_do_not_leave_the_view_box() -> None:
    items = [("Београд", 99_999), ("А" * 60, 1)]
    root = parse(bars("t", items, empty=NO_DATA))
    width = float(root.get("viewBox", "").split()[2])
    for group in with_class(root, "pbc-bar"):
        rect = child(group, "rect")
        assert float(rect.get("x", "")) + float(rect.get("width", "")) <= width


def assert_only_svg(root: ET.Element) -> None:
    """Nothing smuggled in: an element or handler outside what the charts draw would show here."""
    allowed = {tag(n) for n in ("svg", "title", "desc", "g", "rect", "text", "line")}
    assert {e.tag for e in root.iter()} <= allowed
    assert not any(a.startswith("on") for e in root.iter() for a in e.attrib)


def test_bar_labels_are_escaped() -> None:
    svg = bars(HOSTILE, [(HOSTILE, 3)], unit_label=HOSTILE, empty=NO_DATA)
    assert "<script" not in svg
    root = parse(svg)
    assert_only_svg(root)
    assert child(root, "title").text == HOSTILE
    group = with_class(root, "pbc-bar")[0]
    assert "".join(child(group, "text").itertext()) == HOSTILE
    assert child(group, "title").text == f"{HOSTILE}: 3"
    assert "".join(with_class(root, "pbc-unit")[0].itertext()) == HOSTILE
    assert desc(root) == f"{HOSTILE}: 3 ({HOSTILE})"


def test_series_and_category_names_are_escaped() -> None:
    svg = columns(HOSTILE, [(HOSTILE, [3])], [HOSTILE], empty=NO_DATA)
    assert "<script" not in svg
    root = parse(svg)
    assert_only_svg(root)
    assert child(root, "title").text == HOSTILE
    legend = with_class(root, "pbc-legend")[0]
    assert HOSTILE in ["".join(t.itertext()) for t in legend.iter(tag("text"))]
    assert child(with_class(root, "pbc-column")[0], "title").text == f"{HOSTILE}: 3"
    assert desc(root) == f"{HOSTILE}. {HOSTILE}: 3"


def test_the_empty_text_and_the_title_are_escaped_too() -> None:
    root = parse(bars("a < b & c", [], empty="<b>ништа</b>"))
    assert child(root, "title").text == "a < b & c"
    assert "<b>ништа</b>" in texts(root)


def test_characters_xml_forbids_are_dropped() -> None:
    label = "Ни\x00ш\x1b\ud800 \n\t Пирот"
    root = parse(bars("t", [(label, 1)], empty=NO_DATA))
    assert "Ниш Пирот" in texts(root)


def test_long_labels_are_shortened_but_kept_whole_in_the_tooltip() -> None:
    long = "Општина Сремски Карловци са веома дугачким именом"
    root = parse(bars("t", [(long, 5), ("Чачак", 3)], empty=NO_DATA))
    group = with_class(root, "pbc-bar")[0]
    shown = "".join(child(group, "text").itertext())
    assert shown.endswith("…")
    assert len(shown) <= 28
    assert long.startswith(shown[:-1])
    assert child(group, "title").text == f"{long}: 5"
    assert long in desc(root)


def test_shortening_keeps_an_accent_with_its_letter() -> None:
    label = "a" * 26 + "c\u030c" + "ak"  # "č" spelled as c + combining caron, at the cut
    root = parse(bars("t", [(label, 1)], empty=NO_DATA))
    shown = "".join(child(with_class(root, "pbc-bar")[0], "text").itertext())
    assert shown == "a" * 26 + "…"


def test_bars_desc_has_every_label_and_value() -> None:
    root = parse(bars("t", DISTRICTS, unit_label="број пријава", empty=NO_DATA))
    text = desc(root)
    assert text.startswith("Чачак: 4; Краљево: 2")
    for label, value in DISTRICTS:
        assert f"{label}: {value}" in text
    assert "број пријава" in text
    assert "број пријава" in texts(root)


WEEKS = ["2026-W46", "2026-W47", "2026-W48", "2026-W49"]
SERIES = [
    ("Telegram, ћирилица", [3, 0, 7, 1]),
    ("Telegram, latinica", [1, 2, 0, 0]),
    ("Viber, ћирилица", [0, 4, 5, 0]),
]


def axis(root: ET.Element) -> tuple[list[int], float, float]:
    """The tick values, the y of 0 and the units of height per count."""
    ticks = with_class(root, "pbc-tick")
    values = [int("".join(child(t, "text").itertext())) for t in ticks]
    ys = [float(child(t, "line").get("y1", "")) for t in ticks]
    return values, ys[0], (ys[0] - ys[-1]) / values[-1]


def test_stacked_segments_add_up_to_the_column_total() -> None:
    root = parse(columns("По недељама", SERIES, WEEKS, empty=NO_DATA))
    _, zero, per_count = axis(root)
    groups = with_class(root, "pbc-column")
    assert len(groups) == len(WEEKS)
    for i, group in enumerate(groups):
        rects = group.findall(tag("rect"))
        total = sum(values[i] for _, values in SERIES)
        height = sum(float(r.get("height", "")) for r in rects)
        assert height / per_count == pytest.approx(total, abs=0.01)
        # stacked, not overlapping: each segment starts where the one below ends
        bottom = zero
        for rect in rects:
            y, h = float(rect.get("y", "")), float(rect.get("height", ""))
            assert y + h == pytest.approx(bottom, abs=0.01)
            bottom = y
        # one colour per series, in the legend's order, zeros left out
        colours = [r.get("fill") for r in rects]
        assert colours == [PALETTE[s] for s, (_, v) in enumerate(SERIES) if v[i]]


def test_rounding_never_drifts_over_many_small_segments() -> None:
    series = [(f"s{i}", [1] * 3) for i in range(6)] + [("big", [997] * 3)]
    root = parse(columns("t", series, ["a", "b", "c"], empty=NO_DATA))
    _, _, per_count = axis(root)
    for group in with_class(root, "pbc-column"):
        height = sum(float(r.get("height", "")) for r in group.findall(tag("rect")))
        assert height / per_count == pytest.approx(1003, abs=0.01)


def test_ticks_are_nice_integers_covering_the_maximum() -> None:
    root = parse(columns("t", SERIES, WEEKS, empty=NO_DATA))
    values, _, _ = axis(root)
    assert values == [0, 5, 10, 15]  # the tallest week has 12
    assert "12" not in texts(root)  # the scale, not the data, labels the axis


def test_nice_ticks() -> None:
    for top in range(0, 20_001):
        ticks = nice_ticks(top)
        assert 3 <= len(ticks) <= 5, top
        assert ticks[0] == 0
        assert ticks[-1] >= top
        step = ticks[1]
        assert re.fullmatch(r"[125]0*", str(step)), top
        assert ticks == [i * step for i in range(len(ticks))]
        # not wastefully high: the last tick is the first one at or above the data, unless
        # that would leave fewer than three ticks
        assert ticks[-2] < top or len(ticks) == 3, top
    assert nice_ticks(0) == [0, 1, 2]
    assert nice_ticks(12) == [0, 5, 10, 15]
    assert nice_ticks(81) == [0, 50, 100]


def test_legend_names_every_series_in_order() -> None:
    root = parse(columns("t", SERIES, WEEKS, empty=NO_DATA))
    legend = with_class(root, "pbc-legend")[0]
    entries = legend.findall(tag("g"))
    assert [child(e, "title").text for e in entries] == [name for name, _ in SERIES]
    assert ["".join(child(e, "text").itertext()) for e in entries] == [n for n, _ in SERIES]
    assert [child(e, "rect").get("fill") for e in entries] == list(PALETTE[:3])


def test_a_single_series_still_has_its_name_shown() -> None:
    root = parse(columns("t", [("нове регистрације", [2, 5])], WEEKS[:2], empty=NO_DATA))
    assert "нове регистрације" in texts(root)
    assert desc(root) == "нове регистрације. 2026-W46: 2; 2026-W47: 5"


def test_columns_desc_has_every_category_series_and_value() -> None:
    root = parse(columns("t", SERIES, WEEKS, empty=NO_DATA))
    text = desc(root)
    for name, _ in SERIES:
        assert name in text
    assert "2026-W46: 4 (Telegram, ћирилица: 3; Telegram, latinica: 1)" in text
    assert "2026-W47: 6 (Telegram, latinica: 2; Viber, ћирилица: 4)" in text
    assert "2026-W48: 12 (Telegram, ћирилица: 7; Viber, ћирилица: 5)" in text
    assert "2026-W49: 1 (Telegram, ћирилица: 1)" in text


def test_a_year_of_weeks_labels_only_as_many_as_fit() -> None:
    weeks = [f"2026-W{w:02}" for w in range(1, 53)]
    series = [(f"серија {s}", [(w * s) % 7 for w in range(52)]) for s in range(6)]
    root = parse(columns("t", series, weeks, empty=NO_DATA))
    labels = with_class(root, "pbc-categories")[0].findall(tag("text"))
    assert 3 <= len(labels) < 52
    xs = [float(t.get("x", "")) for t in labels]
    # about 50 units per "2026-W01" at font size 11
    assert all(b - a >= 50 for a, b in itertools.pairwise(xs))
    assert len(with_class(root, "pbc-column")) == 52
    for week in weeks:
        assert week in desc(root)


def test_mismatched_series_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        columns("t", [("a", [1, 2])], ["x", "y", "z"], empty=NO_DATA)


@pytest.mark.parametrize(
    "svg",
    [
        bars("Регистрације", [], empty=NO_DATA),
        columns("Регистрације", [], WEEKS, empty=NO_DATA),
        columns("Регистрације", [("a", [])], [], empty=NO_DATA),
    ],
)
def test_no_data_shows_the_given_text(svg: Markup) -> None:
    root = parse(svg)
    empty = with_class(root, "pbc-empty")
    assert ["".join(e.itertext()) for e in empty] == [NO_DATA]
    assert empty[0].get("text-anchor") == "middle"
    width = float(root.get("viewBox", "").split()[2])
    assert float(empty[0].get("x", "")) == width / 2
    assert desc(root) == NO_DATA
    assert not root.findall(f".//{tag('line')}")


def test_all_zeros_draw_an_axis_without_dividing_by_zero() -> None:
    root = parse(bars("t", [("Чачак", 0)], empty=NO_DATA))
    assert child(with_class(root, "pbc-bar")[0], "rect").get("width") == "0"
    root = parse(columns("t", [("a", [0, 0])], ["x", "y"], empty=NO_DATA))
    values, _, _ = axis(root)
    assert values == [0, 1, 2]
    assert not [r for g in with_class(root, "pbc-column") for r in g.iter(tag("rect"))]


@pytest.mark.parametrize(
    "make",
    [
        lambda: bars("Исти наслов", DISTRICTS, empty=NO_DATA),
        lambda: columns("Исти наслов", SERIES, WEEKS, empty=NO_DATA),
        lambda: bars("Исти наслов", [], empty=NO_DATA),
    ],
)
def test_accessible_and_scalable(make: Callable[[], Markup]) -> None:
    root = parse(make())
    assert root.get("role") == "img"
    title, description = child(root, "title"), child(root, "desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {description.get('id')}"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("preserveAspectRatio") == "xMidYMid meet"
    assert len(root.get("viewBox", "").split()) == 4
    assert root.get("font-family") == "inherit"
    assert "style" not in {a for e in root.iter() for a in e.attrib}


def test_two_charts_on_one_page_have_distinct_ids() -> None:
    charts = [
        bars("Исти", DISTRICTS, empty=NO_DATA),
        columns("Исти", SERIES, WEEKS, empty=NO_DATA),
        bars("Исти", DISTRICTS, empty=NO_DATA),
    ]
    # str(): a Markup would escape the plain "<div>" joined to it
    page = "<div>" + "".join(str(chart) for chart in charts) + "</div>"
    root = parse(page)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == 6
    assert len(set(ids)) == len(ids)
    for svg in root.findall(tag("svg")):
        for ref in svg.get("aria-labelledby", "").split():
            assert svg.find(f".//*[@id='{ref}']") is not None


def test_colours_are_readable_on_white() -> None:
    assert BACKGROUND == "#ffffff"
    assert contrast(TEXT) >= 4.5
    assert contrast(MUTED) >= 4.5
    for colour in PALETTE:
        assert contrast(colour) >= 4.5
    assert len(set(PALETTE)) == len(PALETTE)
    root = parse(columns("t", SERIES, WEEKS, empty=NO_DATA))
    for text in root.iter(tag("text")):
        assert text.get("fill") in {TEXT, MUTED}


def best_of(runs: int, make: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        make()
        best = min(best, time.perf_counter() - start)
    return best
