"""The APScheduler instance of a running bot."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.announcements.engine import Broadcaster
from bot.core.context import Services
from bot.storage.asked import KEPT_DAYS

log = logging.getLogger(__name__)

# A form nobody touched for this long is dropped with the personal data typed into it.
ABANDONED_DIALOG = timedelta(days=30)
# how soon an announcement starts after its time, or after the command line wrote it: the
# schedule lives in the database, which the command line writes while the bot runs
TICK_SECONDS = 2


def build(services: Services, broadcaster: Broadcaster | None = None) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=services.settings.timezone)

    async def prune_dialogs() -> None:
        removed = await services.dialogs.prune(ABANDONED_DIALOG)
        if removed:
            log.info("dropped %d abandoned dialogs", removed)

    async def prune_quota() -> None:
        await services.questions.prune_quota(timedelta(days=1))
        # a notice can be deleted from a chat for 48 hours: after that nothing needs its row
        await services.notices.prune(datetime.now(UTC) - timedelta(hours=48))

    async def prune_asked() -> None:
        blanked = await services.asked.prune_texts(timedelta(days=KEPT_DAYS))
        if blanked:
            log.info("blanked %d questions asked more than %d days ago", blanked, KEPT_DAYS)

    scheduler.add_job(prune_dialogs, "cron", hour=3, minute=30, id="prune_dialogs")
    # at start too: /mydata promises 90 days, also to a bot that was down at night
    scheduler.add_job(
        prune_asked, "cron", hour=3, minute=40, id="prune_asked", next_run_time=datetime.now(UTC)
    )
    scheduler.add_job(prune_quota, "interval", hours=1, id="prune_quota")
    if broadcaster is not None:
        # at start too: what fell due while the bot was down goes out now
        scheduler.add_job(
            broadcaster.tick, "interval", seconds=TICK_SECONDS, id="announcements",
            next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
            misfire_grace_time=None,
        )  # fmt: skip
    return scheduler
