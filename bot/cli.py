"""The `partnerbot` command line of design.md."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import sqlite3
import sys
from dataclasses import replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol

from dotenv import load_dotenv

from bot import config, logs
from bot.announcements import cli as announcements_cli
from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.config import Settings, SettingsError
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.faq import cli as faq_cli
from bot.faq.knowledge import KnowledgeError
from bot.oversight import status
from bot.registration import export
from bot.registration.export import FORMATS
from bot.storage import restore
from bot.storage.db import DatabaseError, backup, open_db
from bot.workshops import attendees

if TYPE_CHECKING:
    from bot.web.server import WebServer

log = logging.getLogger("partnerbot")


class Parser(argparse.ArgumentParser):
    """Bad arguments: one clear line on stderr and exit 2, not a usage screen."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _locale(value: str) -> Locale:
    try:
        return Locale.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> Parser:
    p = Parser(
        prog="partnerbot",
        description="Chatbot of the international municipal partnership programme in Serbia. "
        "Without a command: `run` when a messenger token is set, otherwise `chat`.",
    )
    p.add_argument("--version", action="version", version=f"partnerbot {version('partnerbot')}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    run_p = sub.add_parser("run", help="serve every configured messenger and the scheduler")
    run_p.add_argument(
        "--webhook", metavar="URL",
        help="Telegram posts updates to this public address instead of being polled "
        "(as PARTNERBOT_TELEGRAM_WEBHOOK_URL)",
    )  # fmt: skip
    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", default="1", help="your console user id (default 1)")
    chat.add_argument(
        "--name", default=getpass.getuser(), help="your name as the bot sees it (default: login)"
    )
    chat.add_argument("--lang", type=_locale, help="sr-Cyrl, sr-Latn or en (default: asked)")
    chat.add_argument("--coordinator", action="store_true", help="chat with coordinator rights")
    faq = sub.add_parser("faq", help="the knowledge base: ask it, check it").add_subparsers(
        dest="faq_command", metavar="ACTION", required=True, parser_class=Parser
    )
    ask = faq.add_parser("ask", help="the answer the bot gives to TEXT")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--lang", type=_locale, help="answer in sr-Cyrl, sr-Latn or en")
    ask.add_argument("text", help="the question; - reads one question per line from stdin")
    fcheck = faq.add_parser("check", help="validate the knowledge base (exit 1 on problems)")
    fcheck.add_argument("--dir", type=Path, help="the folder to check (default locales/faq)")
    exp = sub.add_parser("export", help="coordinators' exports").add_subparsers(
        dest="export_what", metavar="WHAT", required=True, parser_class=Parser
    )
    regs = exp.add_parser("registrations", help="every registration, as CSV or Excel")
    regs.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or xlsx")
    regs.add_argument("--output", type=Path, help="the file to write (default: standard output)")
    regs.add_argument("--lang", type=_locale, default=Locale.SR_CYRL, help="column headers' locale")
    att = exp.add_parser("attendees", help="who will attend a workshop, as CSV or Excel")
    att.add_argument(
        "workshop_id", type=int, metavar="WORKSHOP_ID", help="the workshop's number (/workshops)"
    )
    att.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or xlsx")
    att.add_argument("--output", type=Path, help="the file to write (default: standard output)")
    att.add_argument("--lang", type=_locale, default=Locale.SR_CYRL, help="column headers' locale")
    announcements_cli.add_parsers(sub, Parser)
    sub.add_parser("status", help="is the bot running on this database, and how it is doing")
    bk = sub.add_parser("backup", help="a consistent copy of the live database")
    bk.add_argument("file", type=Path, help="where to write the copy")
    rs = sub.add_parser(
        "restore", help="replace the database with a backup (refused while the bot runs)"
    )
    rs.add_argument("file", type=Path, help="the backup to restore")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    load_dotenv(".env")
    try:
        settings = config.load()
    except SettingsError as exc:
        print(f"partnerbot: {exc}", file=sys.stderr)
        return 2
    command = args.command or ("run" if settings.messengers else "chat")
    if command == "chat" and not args.command:
        args = parser().parse_args(["chat"])
    level = settings.log_level or (logging.INFO if command == "run" else logging.WARNING)
    logs.setup(
        level,
        [
            settings.telegram_token or "",
            settings.viber_token or "",
            *logs.passwords(
                settings.telegram_api_url or "", settings.viber_api_url, settings.viber_webhook_url
            ),
        ],
        json_lines=settings.log_json,
    )
    try:
        if command == "run":
            if getattr(args, "webhook", None):
                if not args.webhook.startswith(("https://", "http://")):
                    print(f"partnerbot: --webhook: {logs.shown_url(args.webhook)!r} is not a URL",
                          file=sys.stderr)  # fmt: skip
                    return 2
                settings = replace(settings, telegram_webhook_url=args.webhook)
            return asyncio.run(run(settings))
        if command == "chat":
            return asyncio.run(chat(settings, args))
        if command == "faq":
            if args.faq_command == "check":
                return faq_cli.check_command(args.dir)
            texts = sys.stdin if args.text == "-" else [args.text]
            try:
                return asyncio.run(faq_cli.ask(settings, texts, args.lang, args.json))
            except BrokenPipeError:
                # `faq ask - | head`: the reader has had enough; no traceback, and none
                # either when Python flushes standard output on the way out
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 0
        if command in (
            "export",
            "backup",
            "announce",
            "announcements",
            "workshops",
            "status",
        ) and not (settings.db_path.exists()):
            print(f"partnerbot: there is no database at {settings.db_path} (PARTNERBOT_DB)",
                  file=sys.stderr)  # fmt: skip
            return 2
        if command == "export":
            return asyncio.run(export_command(settings, args))
        if command == "status":
            return asyncio.run(status_command(settings))
        if command == "announce":
            return asyncio.run(announcements_cli.announce(settings, args))
        if command == "announcements":
            return asyncio.run(announcements_cli.announcements(settings, args))
        if command == "workshops":
            return asyncio.run(announcements_cli.workshops(settings, args))
        if command == "restore":
            if args.file.resolve() == settings.db_path.resolve():
                print("partnerbot: that is the database itself", file=sys.stderr)
                return 2
            if problem := restore.check_backup(args.file):
                print(f"partnerbot: {args.file} {problem}", file=sys.stderr)
                return 2
            return asyncio.run(restore_command(settings, args.file))
        if args.file.resolve() == settings.db_path.resolve():
            print("partnerbot: the backup must go to another file", file=sys.stderr)
            return 2
        return asyncio.run(backup_command(settings, args.file))
    except (DatabaseError, KnowledgeError) as exc:
        print(f"partnerbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def chat(settings: Settings, args: argparse.Namespace) -> int:
    if args.coordinator:
        coordinators = settings.coordinators | {UserRef("console", args.user)}
        settings = Settings(**{**settings.__dict__, "coordinators": coordinators})
    app = await App.open(settings)
    try:
        console = ConsoleChannel(
            app, user_id=args.user, name=args.name, files_dir=settings.db_path.parent / "exports"
        )
        if args.lang is not None:
            user = await app.services.users.seen(console.user, args.name)
            await app.services.users.set_locale(user.id, args.lang)
        await console.run()
    finally:
        await app.close()
    return 0


# on SIGTERM, replies already promised get this long to go out: with the rest of the stop it
# stays within the 10 s that `docker stop` allows before SIGKILL
SHUTDOWN_SEND_SECONDS = 6.0


async def run(settings: Settings) -> int:
    from bot.scheduling import scheduler as scheduling

    if not settings.messengers:
        print("partnerbot: no messenger configured: set TELEGRAM_BOT_TOKEN or VIBER_AUTH_TOKEN",
              file=sys.stderr)  # fmt: skip
        return 2
    app = await App.open(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # editors change the FAQ files, then `kill -HUP`: no restart, no dropped messages; the
    # index is built in a thread, as it takes seconds
    loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, app.faq.reload))
    scheduler = scheduling.build(app.services, app.broadcaster)
    channels: list[Channel] = []
    # one HTTP server for every webhook; it binds only when a channel needs it
    from bot.web.server import WebServer  # aiohttp: only `run` needs it

    server = WebServer(settings.listen)
    ended = 0
    failure = ""
    try:
        if settings.web_console:
            from bot.web import console

            # routes are added before any channel starts the server
            console.install(app, server)
            await console.end_removed(app)
        for messenger in settings.messengers:
            channel = await _start(app, settings, messenger, server)
            if channel is None:
                return 2
            channels.append(channel)
        if settings.web_console:
            try:
                await server.start()
            except OSError as exc:
                # said last, after the channels' own lines as they stop
                failure = _unservable(settings, exc)
                return 2
            log.info("web console at %s (sign in: /web in the chat)", settings.console_url)

        async def heartbeat() -> None:
            await status.save(app.services.db, await status.snapshot(app.services.db,
                                                                     app.outbound))  # fmt: skip

        scheduler.add_job(heartbeat, "interval", seconds=status.HEARTBEAT_SECONDS,
                          id="status", next_run_time=datetime.now(UTC))  # fmt: skip
        scheduler.start()
        # notices a crash or a stop left unsent go out now
        app.notifier.kick()
        log.info("partnerbot is running; stop with Ctrl+C")
        refused = {asyncio.create_task(c.refused.wait()): c for c in channels}
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([stopped, *refused], return_when=asyncio.FIRST_COMPLETED)
        for task in [stopped, *refused]:
            task.cancel()
        if not stop.is_set():
            # a supervisor (Docker, systemd) restarts the bot, or a person sees why it ended
            which = next(c for c in channels if c.refused.is_set())
            print(f"partnerbot: {_REFUSED[which.messenger]} while running; stopping",
                  file=sys.stderr)  # fmt: skip
            ended = 1
        log.info("stopping")
    finally:
        try:
            if scheduler.running:
                scheduler.shutdown(wait=False)
            # a broadcast stops between two messages: the rest stays pending for the restart
            await app.broadcaster.stop()
            for channel in channels:
                await channel.stop_receiving()
            # replies already promised go out before the HTTP clients close
            await app.outbound.close(timeout=SHUTDOWN_SEND_SECONDS)
            for channel in channels:
                await channel.stop()
            await server.stop()
            with contextlib.suppress(Exception):  # `partnerbot status` says it stopped
                snap = await status.snapshot(app.services.db, app.outbound, stopped=True)
                await status.save(app.services.db, snap)
        finally:
            # the database thread keeps the process alive until it is closed
            await app.close()
            if failure:
                print(failure, file=sys.stderr)
    return ended


_REFUSED = {
    "telegram": "Telegram refused TELEGRAM_BOT_TOKEN",
    "viber": "Viber refused VIBER_AUTH_TOKEN",
}


class Channel(Protocol):
    messenger: str
    refused: asyncio.Event

    async def stop_receiving(self) -> None: ...

    async def stop(self) -> None: ...


def _unservable(settings: Settings, exc: OSError) -> str:
    host, port = settings.listen
    return (f"partnerbot: cannot serve the web console and webhooks on {host}:{port} "
            f"(PARTNERBOT_WEB_LISTEN; earlier names PARTNERBOT_LISTEN, VIBER_LISTEN): "
            f"{exc.strerror or exc}")  # fmt: skip


async def _start(app: App, settings: Settings, messenger: str, server: WebServer) -> Channel | None:
    """The messenger's channel, receiving; None (and why, on standard error) if it cannot."""
    if messenger == "telegram":
        from telegram.error import BadRequest, InvalidToken, TelegramError

        from bot.channels.telegram import TelegramChannel
        from bot.delivery.outbound import Limits

        assert settings.telegram_token is not None
        limits = Limits(settings.send_rate, settings.chat_rate, chat_burst=3)
        telegram = TelegramChannel(
            app, settings.telegram_token, settings.telegram_api_url, limits,
            webhook_url=settings.telegram_webhook_url, server=server,
        )  # fmt: skip
        try:
            await telegram.start()
        except InvalidToken:
            # PTB's message quotes the token: never print it
            print(f"partnerbot: {_REFUSED['telegram']}", file=sys.stderr)
            return None
        except BadRequest as exc:
            print(f"partnerbot: Telegram did not accept the webhook "
                  f"{logs.shown_url(settings.telegram_webhook_url)} "
                  f"(PARTNERBOT_TELEGRAM_WEBHOOK_URL): {exc.message}", file=sys.stderr)  # fmt: skip
            return None
        except OSError as exc:
            print(_unservable(settings, exc), file=sys.stderr)
            return None
        except TelegramError as exc:
            where = logs.shown_url(settings.telegram_api_url or "") or "the Telegram Bot API"
            print(f"partnerbot: cannot reach {where} ({type(exc).__name__})", file=sys.stderr)
            return None
        return telegram
    import aiohttp

    from bot.channels.viber.api import INVALID_TOKEN, ViberError
    from bot.channels.viber.channel import ViberChannel

    assert settings.viber_token is not None
    viber = ViberChannel(
        app, settings.viber_token, settings.viber_api_url, settings.viber_webhook_url,
        settings.listen, settings.viber_bot_name, server,
    )  # fmt: skip
    try:
        await viber.start()
    except (aiohttp.ClientError, TimeoutError) as exc:
        await viber.stop()
        print(f"partnerbot: cannot reach {logs.shown_url(settings.viber_api_url)} "
              f"({type(exc).__name__})",
              file=sys.stderr)  # fmt: skip
        return None
    except ViberError as exc:
        await viber.stop()
        if exc.status == INVALID_TOKEN:
            print(f"partnerbot: {_REFUSED['viber']}", file=sys.stderr)
        else:
            print(f"partnerbot: Viber did not accept the webhook "
                  f"{logs.shown_url(settings.viber_webhook_url)} "
                  f"(VIBER_WEBHOOK_URL): {exc}", file=sys.stderr)  # fmt: skip
        return None
    except OSError as exc:  # after ClientError, which is one too
        print(_unservable(settings, exc), file=sys.stderr)
        await viber.stop()
        return None
    return viber


async def status_command(settings: Settings) -> int:
    """What the running bot last wrote about itself; exit 0 only when it is running."""
    conn = await open_db(settings.db_path)
    try:
        snap = await status.load(conn)
    finally:
        await conn.close()
    if snap is None:
        print("partnerbot has not run on this database yet")
        return 1
    t = I18n()[Locale.EN]
    if snap.stopped:
        print(f"partnerbot is not running: it stopped at {snap.updated_at}")
        return 1
    if not status.fresh(snap):
        print(f"partnerbot is not running: last heard of at {snap.updated_at} (pid {snap.pid})")
        return 1
    print(f"running (pid {snap.pid}, last heard of at {snap.updated_at})")
    print(status.render(t, snap))
    return 0


async def export_command(settings: Settings, args: argparse.Namespace) -> int:
    app = await App.open(settings)
    try:
        t = app.services.i18n[args.lang]
        if args.export_what == "attendees":
            if await app.services.workshops.get(args.workshop_id) is None:
                print(f"partnerbot: there is no workshop {args.workshop_id}", file=sys.stderr)
                return 2
            people = await attendees.attendee_rows(app.services.db, args.workshop_id)
            content = attendees.render(people, t, settings.timezone, args.format)
            count, noun = len(people), "attendee"
        else:
            rows = await app.services.registrations.all()
            content = export.render(rows, t, settings.timezone, args.format)
            count, noun = len(rows), "registration"
        what = f"{args.workshop_id} " if args.export_what == "attendees" else ""
        action = "export_attendees" if args.export_what == "attendees" else "export"
        await app.services.audit.record("cli", action, f"{what}{args.format} {count}")
    finally:
        await app.close()
    if args.output is None:
        if args.format == "xlsx" and sys.stdout.isatty():
            print("partnerbot: an Excel file needs --output FILE", file=sys.stderr)
            return 2
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    try:
        args.output.write_bytes(content)
    except OSError as exc:
        print(f"partnerbot: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    written = f"1 {noun}" if count == 1 else f"{count} {noun}s"
    print(f"{written} written to {args.output}", file=sys.stderr)
    return 0


async def restore_command(settings: Settings, source: Path) -> int:
    """The database becomes the backup; the one it replaces is kept beside it."""
    target = settings.db_path
    if target.exists():
        conn = await open_db(target)
        try:
            snap = await status.load(conn)
        finally:
            await conn.close()
        if snap is not None and status.fresh(snap):
            print(f"partnerbot: the bot is running on {target} (pid {snap.pid}): stop it first",
                  file=sys.stderr)  # fmt: skip
            return 2
    kept = restore.restore(source, target)
    conn = await open_db(target)  # migrates a backup made by an older version
    try:
        # the backup's "running" snapshot is not this process's
        snap = await status.load(conn)
        if snap is not None and not snap.stopped:
            await status.save(conn, replace(snap, stopped=True))
    finally:
        await conn.close()
    print(f"restored {source} into {target}" + (f"; the previous database is {kept}" if kept
                                                 else ""))  # fmt: skip
    return 0


async def backup_command(settings: Settings, destination: Path) -> int:
    app = await App.open(settings)
    try:
        await backup(app.services.db, destination)
    except (OSError, sqlite3.Error) as exc:
        print(f"partnerbot: cannot write the backup {destination}: {exc}", file=sys.stderr)
        return 2
    finally:
        await app.close()
    print(f"backup written to {destination}")
    return 0
