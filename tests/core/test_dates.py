"""Dates as each locale writes them: Serbian with the month in the genitive."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import I18n
from bot.core.locales import Locale

BELGRADE = ZoneInfo("Europe/Belgrade")


def test_a_moment_in_each_locale(i18n: I18n) -> None:
    moment = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 10:00 in Belgrade
    assert i18n[Locale.SR_CYRL].datetime(moment, BELGRADE) == "27. новембра 2026. у 10:00"
    assert i18n[Locale.SR_LATN].datetime(moment, BELGRADE) == "27. novembra 2026. u 10:00"
    assert i18n[Locale.EN].datetime(moment, BELGRADE) == "27 November 2026, 10:00"
    summer = datetime(2026, 7, 5, 16, 30, tzinfo=UTC)  # daylight saving time: 18:30
    assert i18n[Locale.SR_CYRL].datetime(summer, BELGRADE) == "5. јула 2026. у 18:30"
    assert i18n[Locale.EN].date(summer, BELGRADE) == "5 July 2026"
