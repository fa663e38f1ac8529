"""`partnerbot announce`, `announcements list|cancel`, `workshops list`: for automation.

The command line writes announcement rows only; the running bot, which owns everything
else, picks them up within a few seconds."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bot.announcements import audience as audiences
from bot.announcements import render
from bot.announcements.quiet import is_quiet, quiet_ends
from bot.config import Settings
from bot.storage.announcements import Announcement, Announcements
from bot.storage.audit import Audit
from bot.storage.db import open_db
from bot.storage.workshops import Workshops

TIME_FORMAT = "%Y-%m-%d %H:%M"
P = TypeVar("P", bound=argparse.ArgumentParser)


class Refused(Exception):
    """Bad input: one line for stderr, exit 2, nothing scheduled."""


def add_parsers(sub: argparse._SubParsersAction[P], parser_class: type[P]) -> None:
    ann = sub.add_parser("announce", help="schedule an announcement (the running bot sends it)")
    ann.add_argument("--text-file", type=Path, required=True, help="the Serbian text (UTF-8)")
    ann.add_argument("--en-file", type=Path, help="the English text (default: Serbian Latin)")
    ann.add_argument(
        "--audience", default="all",
        help="all | municipality:CODE,… | district:NAME | area:KEY | stage:KEY | locale:TAG | "
        "workshop:ID (default all)",
    )  # fmt: skip
    ann.add_argument("--at", help='"YYYY-MM-DD HH:MM" in PARTNERBOT_TIMEZONE (default: now)')
    ann.add_argument("--force", action="store_true", help="send in the quiet hours too")
    lst = sub.add_parser("announcements", help="list or cancel announcements").add_subparsers(
        dest="announcements_command", metavar="ACTION", required=True,
        parser_class=parser_class,
    )  # fmt: skip
    lst.add_parser("list", help="scheduled, running and sent announcements")
    cancel = lst.add_parser("cancel", help="cancel a scheduled or running announcement")
    cancel.add_argument("id", type=int, help="the announcement's number")
    ws = sub.add_parser("workshops", help="the workshops").add_subparsers(
        dest="workshops_command", metavar="ACTION", required=True,
        parser_class=parser_class,
    )  # fmt: skip
    ws.add_parser("list", help="upcoming workshops")


def _read(path: Path, what: str) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise Refused(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise Refused(f"{what} {path} is not UTF-8 text") from None
    if not text.strip():
        raise Refused(f"{what} {path} is empty")
    return text.strip()


def _when(raw: str | None, settings: Settings, now: datetime) -> datetime:
    if raw is None:
        return now
    try:
        local = datetime.strptime(raw.strip(), TIME_FORMAT)
    except ValueError:
        raise Refused(f'--at {raw!r} is not a date and time like "2026-12-05 10:00"') from None
    at = local.replace(tzinfo=settings.timezone)
    if at < now:
        raise Refused(f"--at {raw!r} is in the past")
    return at


async def announce(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        body_sr = _read(args.text_file, "the text file")
        body_en = _read(args.en_file, "the English file") if args.en_file else ""
        try:
            who = audiences.parse(args.audience)
        except audiences.AudienceError as exc:
            raise Refused(f"--audience: {_audience_problem(exc)}") from None
        at = _when(args.at, settings, now)
        draft = Announcement(
            id=0, kind="news", body_sr=body_sr, body_en=body_en, html=False, workshop_id=None,
            audience=who.spec, at=at, force=args.force, status="scheduled", created_by="cli",
            created_at=now, started_at=None, finished_at=None, progress_ref="",
        )  # fmt: skip
        if length := render.too_long(draft):
            raise Refused(
                f"the text is {length} characters in one of the scripts; a message holds "
                f"at most {render.MAX_TEXT}"
            )
    except Refused as exc:
        print(f"partnerbot: {exc}", file=sys.stderr)
        return 2
    conn = await open_db(settings.db_path)
    try:
        if who.key == "workshop" and await Workshops(conn).get(int(who.values[0])) is None:
            print(f"partnerbot: --audience: there is no workshop {who.values[0]}", file=sys.stderr)
            return 2
        note = ""
        if not args.force and is_quiet(at, settings.quiet_hours, settings.timezone):
            at = quiet_ends(at, settings.quiet_hours, settings.timezone)
            note = " (after the quiet hours; --force sends it in them)"
        number = await Announcements(conn).add(
            kind="news", audience=who.spec, at=at, created_by="cli", body_sr=body_sr,
            body_en=body_en, force=args.force,
        )  # fmt: skip
        count = await audiences.count(conn, who)
        await Audit(conn).record("cli", "announce", number)
    finally:
        await conn.close()
    local = at.astimezone(settings.timezone).strftime(TIME_FORMAT)
    people = "1 recipient" if count == 1 else f"{count} recipients"
    when = "now" if args.at is None and not note else f"at {local}{note}"
    print(f"announcement {number}: {people}, {when}")
    return 0


def _audience_problem(exc: audiences.AudienceError) -> str:
    keys = ", ".join(audiences.KEYS)
    return {
        "audience.unknown_key": f"{exc.value!r} is not one of {keys} (as key:value)",
        "audience.no_value": f"{exc.value!r} names no value after the colon",
        "audience.unknown_municipality": f"no single city or municipality matches {exc.value!r}",
        "audience.unknown_district": f"no single district matches {exc.value!r}",
        "audience.unknown_area": f"{exc.value!r} is not an area key",
        "audience.unknown_stage": f"{exc.value!r} is not a stage key",
        "audience.unknown_locale": f"{exc.value!r} is not sr-Cyrl, sr-Latn or en",
        "audience.unknown_workshop": f"{exc.value!r} is not a workshop number",
    }.get(exc.reason, str(exc))


async def announcements(settings: Settings, args: argparse.Namespace) -> int:
    conn = await open_db(settings.db_path)
    try:
        store = Announcements(conn)
        if args.announcements_command == "cancel":
            was = await store.cancel(args.id)
            if was is None:
                print(f"partnerbot: there is no announcement {args.id}", file=sys.stderr)
                return 2
            if was not in ("scheduled", "running"):
                print(f"partnerbot: announcement {args.id} is {was}", file=sys.stderr)
                return 2
            await Audit(conn).record("cli", "announce_cancel", args.id)
            print(f"announcement {args.id} cancelled (it was {was})")
            return 0
        shown = await store.listing(("scheduled", "running", "done", "cancelled"), 50)
        for a in shown:
            report = await store.report(a.id)
            local = a.at.astimezone(settings.timezone).strftime(TIME_FORMAT)
            first = " ".join(a.body_sr.split())[:60]
            print(
                f"{a.id}\t{a.status}\t{local}\t{a.audience}\t"
                f"{report.delivered}/{report.total} delivered\t{first}"
            )
        if not shown:
            print("no announcements", file=sys.stderr)
    finally:
        await conn.close()
    return 0


async def workshops(settings: Settings, args: argparse.Namespace) -> int:
    conn = await open_db(settings.db_path)
    try:
        upcoming = await Workshops(conn).upcoming(limit=100)
    finally:
        await conn.close()
    for w in upcoming:
        local = w.starts_at.astimezone(settings.timezone).strftime(TIME_FORMAT)
        print(f"{w.id}\t{local}\t{w.title_sr}\t{w.place_sr or w.link}")
    if not upcoming:
        print("no upcoming workshops", file=sys.stderr)
    return 0
