"""The overview: who uses the bot, registrations, and what became of people's questions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aiohttp import web
from markupsafe import Markup

from bot.core.dialogs.menu import MESSENGER_NAMES
from bot.core.locales import Locale
from bot.core.script import to_cyrillic
from bot.registration.fields import AREAS
from bot.registration.form import choice_label
from bot.storage import figures
from bot.web import charts

if TYPE_CHECKING:
    from bot.web.console import Console, Page

WEEKS = 12


async def overview(page: Page) -> web.StreamResponse:
    t, services = page.t, page.services
    conn, zone = services.db, services.settings.timezone
    now = datetime.now(UTC)
    empty = t.t("web.overview.empty")

    labels, people = await figures.people_by_week(conn, WEEKS, now, zone)
    series = []
    for (messenger, locale), counts in people.items():
        language = t.t(f"stats.locale.{locale}") if locale else t.t("stats.no_locale")
        name = MESSENGER_NAMES.get(messenger) or t.t("stats.console")
        series.append((t.t("stats.line_short", messenger=name, locale=language), counts))
    people_chart = charts.columns(t.t("web.overview.people"), series, labels, empty=empty)

    labels, registered = await figures.registrations_by_week(conn, WEEKS, now, zone)
    weekly = charts.columns(
        t.t("web.overview.registrations_weekly"),
        [(t.t("web.overview.new_registrations"), registered)] if any(registered) else [],
        labels, empty=empty,
    )  # fmt: skip

    districts = await figures.registrations_by_district(conn)
    by_district = charts.bars(
        t.t("web.overview.by_district"),
        [(_district(t.locale, d), n) for d, n in districts.most_common()],
        empty=empty,
    )
    areas = await figures.registrations_by_area(conn)
    by_area = charts.bars(
        t.t("web.overview.by_area"),
        [(choice_label(t, "area", a), areas[a]) for a in AREAS if areas[a]],
        empty=empty,
    )

    outcomes = await services.asked.outcome_counts()
    handed = await figures.handed_over(conn)
    questions = charts.bars(
        t.t("web.overview.questions"),
        [
            (t.t("web.overview.answered"), outcomes["answered"]),
            (t.t("web.overview.suggested"), outcomes["suggested"]),
            (t.t("web.overview.declined"), outcomes["declined"]),
            (t.t("web.overview.handed_over"), handed),
        ] if any(outcomes.values()) or handed else [],
        empty=empty,
    )  # fmt: skip

    total = sum(sum(counts) for counts in people.values())
    chart_list: list[Markup] = [people_chart, weekly, by_district, by_area, questions]
    return page.render(
        "overview.html", title=t.t("web.nav.overview"), charts=chart_list,
        people=await _people(page), weeks=WEEKS, new_people=total,
    )  # fmt: skip


async def _people(page: Page) -> int:
    return sum(n for _, _, n in await page.services.users.counts())


def _district(locale: Locale, district: str) -> str:
    if not district:
        return "—"
    return to_cyrillic(district) if locale is Locale.SR_CYRL else district


def install(console: Console) -> None:
    console.get("/", overview)
