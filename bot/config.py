"""Settings from the environment (and an optional .env file), checked once at start."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.messages import UserRef
from bot.logs import shown_url

DEFAULT_DB = "data/partnerbot.sqlite3"


class SettingsError(Exception):
    """A setting is malformed; the message names the variable and what is expected."""


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str | None = None
    db_path: Path = Path(DEFAULT_DB)
    coordinators: frozenset[UserRef] = frozenset()
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Belgrade"))
    broadcast_rate: float = 25.0
    # Telegram's limits, kept to instead of hit: ~30 messages a second overall, ~1 a second
    # in one chat with short bursts (0: no pacing, e.g. a self-hosted test server)
    send_rate: float = 30.0
    chat_rate: float = 1.0
    quiet_hours: tuple[time, time] | None = (time(22, 0), time(8, 0))
    viber_token: str | None = field(default=None, repr=False)
    viber_api_url: str = "https://chatapi.viber.com/pa"
    # the public HTTPS address Viber posts to; empty: set by hand, and no files for Viber
    viber_webhook_url: str = ""
    # the bot's one HTTP server (the web console, webhooks), behind a reverse proxy
    listen: tuple[str, int] = ("127.0.0.1", 8080)
    # the coordinators' web console on that server (off: PARTNERBOT_WEB_LISTEN set empty)
    web_console: bool = True
    # the console's public address for sign-in links; empty: http://<listen>
    web_url: str = ""
    # Telegram in webhook mode at this public address; empty: polling
    telegram_webhook_url: str = ""
    viber_bot_name: str = "partnerbot"
    # messages one person may send in a burst, and per second after it (None: no limit)
    flood: tuple[int, float] | None = (20, 1.0)
    # None: INFO for `run`, WARNING for the other commands
    log_level: int | None = None
    log_json: bool = False

    @property
    def console_url(self) -> str:
        """Where a coordinator's browser reaches the console."""
        if self.web_url:
            return self.web_url
        host, port = self.listen
        shown = f"[{host}]" if ":" in host else ("127.0.0.1" if host in ("0.0.0.0", "") else host)
        return f"http://{shown}:{port}"

    @property
    def messengers(self) -> list[str]:
        return [m for m, on in (("telegram", self.telegram_token), ("viber", self.viber_token))
                if on]  # fmt: skip


_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# Viber's tokens are three groups of 16 hex digits; a little leeway for other shapes
_VIBER_TOKEN = re.compile(r"^[0-9A-Za-z]{8,}(-[0-9A-Za-z]{8,}){0,4}$")
_QUIET = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _coordinators(raw: str) -> frozenset[UserRef]:
    refs = set()
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if item.isdigit():
            refs.add(UserRef("telegram", item))
        elif item.startswith("viber:") and len(item) > len("viber:"):
            refs.add(UserRef("viber", item.removeprefix("viber:")))
        else:
            raise SettingsError(
                f"PARTNERBOT_COORDINATORS: {item!r} is not a Telegram id (a number) "
                "or a Viber id (viber:ID)"
            )
    return frozenset(refs)


def _quiet_hours(raw: str) -> tuple[time, time] | None:
    if not raw.strip():
        return None
    m = _QUIET.match(raw.strip())
    try:
        if not m:
            raise ValueError
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise SettingsError(
            f"PARTNERBOT_QUIET_HOURS: {raw!r} is not a window like 22:00-08:00 (or empty)"
        ) from None


def _rate(env: Mapping[str, str], name: str, default: float, allow_zero: bool) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        rate = float(raw)
        if not (rate >= 0 if allow_zero else rate > 0) or rate > 1000:
            raise ValueError
    except ValueError:
        low = "from 0 (no pacing)" if allow_zero else "above 0"
        raise SettingsError(
            f"{name}: {raw!r} is not a number of messages per second {low} up to 1000"
        ) from None
    return rate


_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


def _log_level(raw: str) -> int | None:
    if not raw.strip():
        return None
    level = _LEVELS.get(raw.strip().lower())
    if level is None:
        raise SettingsError(
            f"PARTNERBOT_LOG_LEVEL: {raw!r} is not one of debug, info, warning, error"
        )
    return level


def _log_format(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("", "text", "json"):
        raise SettingsError(f"PARTNERBOT_LOG_FORMAT: {raw!r} is not text or json")
    return value == "json"


_LISTEN_NAMES = ("PARTNERBOT_WEB_LISTEN", "PARTNERBOT_LISTEN", "VIBER_LISTEN")


def _listen(env: Mapping[str, str]) -> tuple[str, int]:
    # one server for the console and every webhook; its earlier names still work
    name = next((n for n in _LISTEN_NAMES if env.get(n, "").strip()), _LISTEN_NAMES[0])
    raw = env.get(name, "").strip() or "127.0.0.1:8080"
    host, sep, port = raw.rpartition(":")
    try:
        number = int(port)
        if not sep or not host or not 0 <= number <= 65535:
            raise ValueError
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not host:port (e.g. 127.0.0.1:8080)") from None
    return host.strip("[]"), number


def _webhook(env: Mapping[str, str], name: str) -> str:
    url = env.get(name, "").strip()
    if url and not re.match(r"^https?://[^/\s]+", url):
        raise SettingsError(f"{name}: {shown_url(url)!r} is not a URL (https://…)")
    return url


def _viber(env: Mapping[str, str]) -> dict[str, object]:
    token = env.get("VIBER_AUTH_TOKEN", "").strip() or None
    if token is not None and not _VIBER_TOKEN.match(token):
        raise SettingsError("VIBER_AUTH_TOKEN does not look like a Viber token (hex-hex-hex)")
    api_url = env.get("VIBER_API_URL", "").strip() or "https://chatapi.viber.com/pa"
    if not re.match(r"^https?://", api_url):
        raise SettingsError(f"VIBER_API_URL: {shown_url(api_url)!r} is not an http(s) URL")
    webhook = env.get("VIBER_WEBHOOK_URL", "").strip()
    if webhook and not re.match(r"^https?://[^/\s]+", webhook):
        raise SettingsError(
            f"VIBER_WEBHOOK_URL: {shown_url(webhook)!r} is not a URL (Viber wants https://…)"
        )
    name = env.get("VIBER_BOT_NAME", "").strip() or "partnerbot"
    if len(name) > 28:
        raise SettingsError(f"VIBER_BOT_NAME: {name!r} is longer than Viber's 28 characters")
    return {
        "viber_token": token, "viber_api_url": api_url, "viber_webhook_url": webhook,
        "viber_bot_name": name,
    }  # fmt: skip


def load(env: Mapping[str, str] | None = None) -> Settings:
    if env is None:
        env = os.environ
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not _TELEGRAM_TOKEN.match(token):
        # never echo the token itself: it is a secret even when malformed
        raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a BotFather token (123:ABC…)")
    api_url = env.get("TELEGRAM_API_URL", "").strip() or None
    if api_url is not None and not re.match(r"^https?://", api_url):
        raise SettingsError(f"TELEGRAM_API_URL: {shown_url(api_url)!r} is not an http(s) URL")
    zone_name = env.get("PARTNERBOT_TIMEZONE", "").strip() or "Europe/Belgrade"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"PARTNERBOT_TIMEZONE: {zone_name!r} is not a time zone (e.g. Europe/Belgrade)"
        ) from None
    rate = _rate(env, "PARTNERBOT_BROADCAST_RATE", 25.0, allow_zero=False)
    return Settings(
        telegram_token=token,
        telegram_api_url=api_url,
        db_path=Path(env.get("PARTNERBOT_DB", "").strip() or DEFAULT_DB),
        coordinators=_coordinators(env.get("PARTNERBOT_COORDINATORS", "")),
        timezone=zone,
        broadcast_rate=rate,
        send_rate=_rate(env, "PARTNERBOT_SEND_RATE", 30.0, allow_zero=True),
        chat_rate=_rate(env, "PARTNERBOT_CHAT_RATE", 1.0, allow_zero=True),
        quiet_hours=_quiet_hours(env.get("PARTNERBOT_QUIET_HOURS", "22:00-08:00")),
        listen=_listen(env),
        # set and empty turns the console off; unset keeps it on
        web_console=env.get("PARTNERBOT_WEB_LISTEN", "x").strip() != "",
        web_url=_webhook(env, "PARTNERBOT_WEB_URL").rstrip("/"),
        telegram_webhook_url=_webhook(env, "PARTNERBOT_TELEGRAM_WEBHOOK_URL"),
        log_level=_log_level(env.get("PARTNERBOT_LOG_LEVEL", "")),
        log_json=_log_format(env.get("PARTNERBOT_LOG_FORMAT", "")),
        **_viber(env),  # type: ignore[arg-type]
    )
