"""/status and `partnerbot status`: is the bot up, since when, what waits, what went wrong.

The running bot writes the same snapshot into the database every few seconds, so that the
command line (another process) can read it; a snapshot older than STALE means it is not
running."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import Any

import aiosqlite

from bot.core.context import Context
from bot.core.dispatcher import Command, Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Reply
from bot.delivery.outbound import Outbound
from bot.logs import RECENT

HEARTBEAT_SECONDS = 10
STALE = timedelta(seconds=60)


@dataclass(frozen=True)
class Snapshot:
    version: str
    pid: int
    started_at: str
    updated_at: str
    # messenger → receiving / refused / terminal
    messengers: dict[str, str] = field(default_factory=dict)
    queued: int = 0
    notices: int = 0
    broadcasts: int = 0
    recipients_left: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: bool = False


STARTED = datetime.now(UTC)


async def snapshot(conn: aiosqlite.Connection, outbound: Outbound, stopped: bool = False
                   ) -> Snapshot:  # fmt: skip
    states = {}
    for name, transport in outbound.transports().items():
        refused = getattr(transport, "refused", None)
        if refused is None:
            states[name] = "terminal"
        else:
            states[name] = "refused" if refused.is_set() else "receiving"
    rows = await conn.execute_fetchall(
        "SELECT (SELECT COUNT(*) FROM notices WHERE status = 'pending'), "
        "(SELECT COUNT(*) FROM announcements WHERE status = 'running'), "
        "(SELECT COUNT(*) FROM outbox o JOIN announcements a ON a.id = o.announcement_id "
        "WHERE a.status = 'running' AND o.status = 'pending')"
    )
    notices, broadcasts, left = (int(v) for v in next(iter(rows)))
    return Snapshot(
        version=version("partnerbot"), pid=os.getpid(),
        started_at=STARTED.isoformat(timespec="seconds"),
        updated_at=datetime.now(UTC).isoformat(timespec="seconds"), messengers=states,
        queued=outbound.queued, notices=notices, broadcasts=broadcasts, recipients_left=left,
        errors=list(RECENT.lines), stopped=stopped,
    )  # fmt: skip


async def save(conn: aiosqlite.Connection, snap: Snapshot) -> None:
    await conn.execute(
        "INSERT INTO meta (name, value) VALUES ('status', ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (json.dumps(asdict(snap), ensure_ascii=False),),
    )


async def load(conn: aiosqlite.Connection) -> Snapshot | None:
    rows = await conn.execute_fetchall("SELECT value FROM meta WHERE name = 'status'")
    row = next(iter(rows), None)
    if row is None:
        return None
    data: dict[str, Any] = json.loads(bytes(row[0]) if not isinstance(row[0], str) else row[0])
    return Snapshot(**data)


def _since(t: Translator, started: str, now: datetime) -> str:
    seconds = max(0, int((now - datetime.fromisoformat(started)).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return t.t("status.uptime", days=days, hours=hours, minutes=rest // 60)


def render(t: Translator, snap: Snapshot) -> str:
    """The snapshot in the reader's words."""
    states = {
        "receiving": t.t("status.receiving"),
        "refused": t.t("status.refused"),
        "terminal": t.t("status.terminal"),
    }
    messengers = ", ".join(f"{m}: {states.get(s, s)}" for m, s in sorted(snap.messengers.items()))
    lines = [
        t.t("status.head", version=snap.version,
            uptime=_since(t, snap.started_at, datetime.now(UTC))),
        t.t("status.messengers", messengers=messengers or "—"),
        t.t("status.queues", queued=snap.queued, notices=snap.notices,
            broadcasts=snap.broadcasts, left=snap.recipients_left),
        t.t("status.errors") if snap.errors else t.t("status.no_errors"),
        *snap.errors,
    ]  # fmt: skip
    return "\n".join(lines)


class StatusCommand:
    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound

    async def __call__(self, ctx: Context) -> list[Reply]:
        snap = await snapshot(ctx.services.db, self.outbound)
        return [ctx.with_menu_button(render(ctx.t, snap))]


def install(dispatcher: Dispatcher, outbound: Outbound) -> None:
    dispatcher.add_command(
        Command("status", StatusCommand(outbound), "cmd.status", coordinator_only=True)
    )


def fresh(snap: Snapshot) -> bool:
    updated = datetime.fromisoformat(snap.updated_at)
    return not snap.stopped and datetime.now(UTC) - updated < STALE
