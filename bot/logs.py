"""Logging set-up that never lets a secret through."""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit


class Redact(logging.Filter):
    """Replaces every secret in a record's final text: tokens sit inside URLs that
    libraries log (httpx logs each request line with the token in the path)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        for secret in self._secrets:
            text = text.replace(secret, "[secret]")
        record.msg, record.args = text, None
        return True


class Recent(logging.Handler):
    """The last few warnings and errors, as logged (secrets removed), for /status."""

    def __init__(self, keep: int = 5) -> None:
        super().__init__(logging.WARNING)
        self.lines: deque[str] = deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        moment = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")
        first = record.getMessage().splitlines()[0] if record.getMessage() else ""
        self.lines.append(f"{moment} {record.levelname} {first[:300]}")


# one per process: /status reads it
RECENT = Recent()


class JsonLines(logging.Formatter):
    """One JSON object a line, for log collectors (Loki, Elasticsearch, journald's JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:  # the redacting filter has folded it into the message already
            entry["message"] += "\n" + self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup(level: int, secrets: Iterable[str], json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    if json_lines:
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    redact = Redact(secrets)
    handler.addFilter(redact)
    RECENT.filters[:] = [redact]
    root = logging.getLogger()
    root.handlers[:] = [handler, RECENT]
    root.setLevel(level)
    # one line per HTTP request is noise at INFO
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def shown_url(url: str) -> str:
    """A URL as it may be printed or logged: a password in it (http://user:secret@host/)
    becomes ***."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "(a malformed URL)"
    if not password:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def passwords(*urls: str) -> list[str]:
    """The passwords inside URLs, to be kept out of every log line like tokens."""
    found = []
    for url in urls:
        try:
            password = urlsplit(url).password
        except ValueError:
            continue
        if password:
            found.append(password)
    return found
