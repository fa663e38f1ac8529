"""The APScheduler instance of a running bot."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.context import Services

log = logging.getLogger(__name__)

# A form nobody touched for this long is dropped with the personal data typed into it.
ABANDONED_DIALOG = timedelta(days=30)


def build(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=services.settings.timezone)

    async def prune_dialogs() -> None:
        removed = await services.dialogs.prune(ABANDONED_DIALOG)
        if removed:
            log.info("dropped %d abandoned dialogs", removed)

    scheduler.add_job(prune_dialogs, "cron", hour=3, minute=30, id="prune_dialogs")
    return scheduler
