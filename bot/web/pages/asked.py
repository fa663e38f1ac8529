"""What people ask that the knowledge base could not answer outright, grouped, with the line
a content editor pastes into the FAQ file to teach the bot that wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.locales import Locale
from bot.core.script import to_cyrillic
from bot.faq import gaps
from bot.faq.knowledge import TEXT_FILES

if TYPE_CHECKING:
    from bot.web.console import Console, Page

PERIODS = (7, 30, 90)
SHOWN = 100


async def asked(page: Page) -> web.StreamResponse:
    t, services = page.t, page.services
    raw = page.request.query.get("days", "90")
    if raw not in {str(p) for p in PERIODS}:
        return page.console.message(t, 400, "web.bad_form.title", "web.bad_form.text", page)
    days = int(raw)
    rows = await services.asked.unanswered(days=days)
    found = gaps.group(rows)
    outcomes = await services.asked.outcome_counts(datetime.now(UTC) - timedelta(days=days))
    kb = page.console.app.faq.kb
    shown = []
    for gap in found[:SHOWN]:
        topic = kb.resolve(gap.topics[0]) if gap.topics else None
        language = gap.locales[0] if gap.locales else Locale.SR_CYRL
        shown.append({
            "gap": gap,
            "when": t.datetime(gap.latest, services.settings.timezone),
            "topic": topic.text(t.locale).title if topic else "",
            "topic_id": topic.id if topic else "",
            # Serbian in either script goes into the Serbian file: matching reads both
            "file": TEXT_FILES[Locale.EN if language is Locale.EN else Locale.SR_CYRL],
            # the Serbian file is written in Cyrillic
            "snippet": gaps.yaml_snippet(
                to_cyrillic(gap.text) if language is Locale.SR_LATN else gap.text
            ),
            "language": t.t(f"stats.locale.{language.value}"),
        })  # fmt: skip
    return page.render(
        "asked.html", title=t.t("web.nav.asked"), gaps=shown, total=len(found), days=days,
        periods=PERIODS, outcomes=outcomes, questions=len(rows),
    )  # fmt: skip


def install(console: Console) -> None:
    console.get("/asked", asked)
