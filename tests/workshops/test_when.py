"""Dates and times typed on a phone in Cyrillic, Latin or English; why others are refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.workshops.when import WhenError, coming_days, parse_when

BELGRADE = ZoneInfo("Europe/Belgrade")
UTC = ZoneInfo("UTC")
# a Monday morning; 5 December is this year, 5 January the next
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=BELGRADE)


def assert_moment(moment: datetime, expected: tuple[int, int, int, int, int]) -> None:
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == expected
    assert isinstance(moment.tzinfo, ZoneInfo)
    assert moment.tzinfo.key == "Europe/Belgrade"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numeric, day.month always
        ("5.12.2026 10:00", (2026, 12, 5, 10, 0)),
        ("5.12.2026. u 10:00", (2026, 12, 5, 10, 0)),
        ("5.12.2026. у 10:00", (2026, 12, 5, 10, 0)),
        ("05.12.2026 10.30", (2026, 12, 5, 10, 30)),
        ("5. 12. u 10", (2026, 12, 5, 10, 0)),
        ("5. 12. у 10", (2026, 12, 5, 10, 0)),
        ("5.12. 10h", (2026, 12, 5, 10, 0)),
        ("5.12. 10х", (2026, 12, 5, 10, 0)),
        ("5/12/2026 10:00", (2026, 12, 5, 10, 0)),
        ("2026-12-05 10:00", (2026, 12, 5, 10, 0)),
        ("2026-12-05T10:00", (2026, 12, 5, 10, 0)),
        ("12.5. u 10", (2027, 5, 12, 10, 0)),
        ("5.12.26 10:00", (2026, 12, 5, 10, 0)),
        ("5.12.10:00", (2026, 12, 5, 10, 0)),
        ("5.12.2026 - 10:00", (2026, 12, 5, 10, 0)),
        # Serbian month names, nominative and genitive, both scripts
        ("5. децембар у 10", (2026, 12, 5, 10, 0)),
        ("5. decembar u 10", (2026, 12, 5, 10, 0)),
        ("5. децембра 2026. у 10:30", (2026, 12, 5, 10, 30)),
        ("5. decembra 2026. u 10:30", (2026, 12, 5, 10, 30)),
        ("5. decembra u 10", (2026, 12, 5, 10, 0)),
        ("5. децембра у 10 часова", (2026, 12, 5, 10, 0)),
        ("5. decembra u 10 časova", (2026, 12, 5, 10, 0)),
        ("5. decembra u 10 casova", (2026, 12, 5, 10, 0)),
        ("5 dec 10:00", (2026, 12, 5, 10, 0)),
        ("5 дец 10:00", (2026, 12, 5, 10, 0)),
        ("5. јануара у 9", (2027, 1, 5, 9, 0)),
        ("5. januara u 9", (2027, 1, 5, 9, 0)),
        ("1. mart u 14h", (2027, 3, 1, 14, 0)),
        ("1. март у 14х", (2027, 3, 1, 14, 0)),
        ("1. марта у 14 ч", (2027, 3, 1, 14, 0)),
        ("20. avgusta u 9.15", (2027, 8, 20, 9, 15)),
        ("20. август у 9.15", (2027, 8, 20, 9, 15)),
        ("5. decembra, 10:00", (2026, 12, 5, 10, 0)),
        # English
        ("December 5 10:00", (2026, 12, 5, 10, 0)),
        ("5 December 10:00", (2026, 12, 5, 10, 0)),
        ("Dec 5, 10am", (2026, 12, 5, 10, 0)),
        ("December 5 at 2pm", (2026, 12, 5, 14, 0)),
        ("5 Dec 2026 14:30", (2026, 12, 5, 14, 30)),
        ("December 5th, 2026 at 2:30 p.m.", (2026, 12, 5, 14, 30)),
        ("5th of December 10:00", (2026, 12, 5, 10, 0)),
        ("December 5 12:00pm", (2026, 12, 5, 12, 0)),
        ("December 5 12am", (2026, 12, 5, 0, 0)),
        ("May 4 9 am", (2027, 5, 4, 9, 0)),
        # relative words
        ("sutra u 10", (2026, 12, 1, 10, 0)),
        ("сутра у 10", (2026, 12, 1, 10, 0)),
        ("tomorrow 10:00", (2026, 12, 1, 10, 0)),
        ("tomorrow at 10am", (2026, 12, 1, 10, 0)),
        ("danas u 18", (2026, 11, 30, 18, 0)),
        ("данас у 18", (2026, 11, 30, 18, 0)),
        ("today 18:00", (2026, 11, 30, 18, 0)),
        ("prekosutra u 9", (2026, 12, 2, 9, 0)),
        ("прекосутра у 9", (2026, 12, 2, 9, 0)),
        ("day after tomorrow at 9", (2026, 12, 2, 9, 0)),
        # case, extra spaces, a trailing dot
        ("  SUTRA   U  10. ", (2026, 12, 1, 10, 0)),
        ("ДАНАС У 18.", (2026, 11, 30, 18, 0)),
        ("5. DECEMBRA U 10h.", (2026, 12, 5, 10, 0)),
        ("5.12.2026 10:00.", (2026, 12, 5, 10, 0)),
        # without a year: today while the time is ahead, else the next such date
        ("30.11. u 10", (2026, 11, 30, 10, 0)),
        ("29.11. u 10", (2027, 11, 29, 10, 0)),
        ("29. februar u 10", (2028, 2, 29, 10, 0)),
    ],
)
def test_readable_moments(text: str, expected: tuple[int, int, int, int, int]) -> None:
    assert_moment(parse_when(text, NOW, BELGRADE), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.12.", (2026, 12, 10, 23, 59)),
        ("10.12.2026", (2026, 12, 10, 23, 59)),
        ("10. децембар", (2026, 12, 10, 23, 59)),
        ("10. decembra", (2026, 12, 10, 23, 59)),
        ("December 10", (2026, 12, 10, 23, 59)),
        ("sutra", (2026, 12, 1, 23, 59)),
        ("сутра", (2026, 12, 1, 23, 59)),
        ("today", (2026, 11, 30, 23, 59)),
        ("30.11.", (2026, 11, 30, 23, 59)),
        ("10.12. u 12", (2026, 12, 10, 12, 0)),
    ],
)
def test_a_deadline_may_be_a_date_alone_meaning_its_last_minute(
    text: str, expected: tuple[int, int, int, int, int]
) -> None:
    assert_moment(parse_when(text, NOW, BELGRADE, need_time=False), expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31.2.2027 10:00", "when.impossible"),
        ("5.12.2026 25:00", "when.impossible"),
        ("30. februar u 10", "when.impossible"),
        ("30. фебруар у 10", "when.impossible"),
        ("February 30 10:00", "when.impossible"),
        ("5.12. 10:60", "when.impossible"),
        ("5.12. 24:00", "when.impossible"),
        ("5.13. u 10", "when.impossible"),
        ("0.12. u 10", "when.impossible"),
        ("December 5 13pm", "when.impossible"),
        ("1.1.2020 10:00", "when.past"),
        ("1. јануар 2020. у 10", "when.past"),
        ("January 1 2020 10am", "when.past"),
        ("1.1.2020", "when.past"),
        ("danas u 8", "when.past"),
        # today without a year at an hour already gone: a slip, not next year
        ("30.11. u 8", "when.past"),
        ("данас у 8", "when.past"),
        ("today 8:00", "when.past"),
        ("5.12.2026", "when.no_time"),
        ("5.12.", "when.no_time"),
        ("5. децембар", "when.no_time"),
        ("5. decembra 2026.", "when.no_time"),
        ("December 5", "when.no_time"),
        ("sutra", "when.no_time"),
        ("сутра", "when.no_time"),
        ("next week", "when.unreadable"),
        ("sledeće nedelje", "when.unreadable"),
        ("следеће недеље", "when.unreadable"),
        ("", "when.unreadable"),
        ("   ", "when.unreadable"),
        ("hello", "when.unreadable"),
        ("now", "when.unreadable"),
        ("10", "when.unreadable"),
        ("10:00", "when.unreadable"),
        ("u 10h", "when.unreadable"),
        ("5. decmbra u 10", "when.unreadable"),
        ("5.12. 10-12h", "when.unreadable"),
        ("5.12. u", "when.unreadable"),
        ("sutra u 10 sala 3", "when.unreadable"),
    ],
)
def test_refusals_say_why(text: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_when(text, NOW, BELGRADE)
    assert refused.value.reason == reason


def test_an_impossible_deadline_is_impossible_not_missing_a_time() -> None:
    with pytest.raises(WhenError) as refused:
        parse_when("31.2.2027", NOW, BELGRADE, need_time=False)
    assert refused.value.reason == "when.impossible"


def test_after_the_spring_change_belgrade_is_two_hours_ahead() -> None:
    before = parse_when("27.3.2027 10:00", NOW, BELGRADE)
    after = parse_when("28. март 2027. у 10", NOW, BELGRADE)
    assert before.utcoffset() == timedelta(hours=1)
    assert_moment(after, (2027, 3, 28, 10, 0))
    assert after.utcoffset() == timedelta(hours=2)


def test_today_is_belgrades_today_whatever_the_zone_of_now() -> None:
    # 23:30 UTC on 30 November is already 1 December in Belgrade
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert_moment(parse_when("danas u 10", late, BELGRADE), (2026, 12, 1, 10, 0))
    assert_moment(parse_when("sutra u 10", late, BELGRADE), (2026, 12, 2, 10, 0))
    # 07:30 UTC is 08:30 in Belgrade: 8 o'clock has passed there
    morning = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    with pytest.raises(WhenError) as refused:
        parse_when("danas u 8", morning, BELGRADE)
    assert refused.value.reason == "when.past"


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_when("sutra u 10", datetime(2026, 11, 30, 9, 0), BELGRADE)


def test_coming_days_start_tomorrow_in_the_zone() -> None:
    assert coming_days(NOW, BELGRADE) == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert coming_days(late, BELGRADE, n=2) == [date(2026, 12, 2), date(2026, 12, 3)]
