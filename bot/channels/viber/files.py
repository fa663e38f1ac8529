"""Files for Viber coordinators: Viber sends a file as a link it downloads, so the bot keeps
each export for a short time under an address nobody can guess, and then forgets it."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

# long enough for Viber to fetch the file and the coordinator to open it; short for a link
# to personal data
KEEP_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class Shelved:
    filename: str
    content: bytes = field(repr=False)
    until: float


class FileShelf:
    def __init__(
        self, keep: float = KEEP_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._keep = keep
        self.clock = clock
        self._files: dict[str, Shelved] = {}

    def put(self, filename: str, content: bytes) -> str:
        """The path (key/filename) under which the file is served until it expires."""
        self._drop_expired()
        key = secrets.token_urlsafe(24)
        self._files[key] = Shelved(filename, content, self.clock() + self._keep)
        return f"{key}/{quote(filename)}"

    def get(self, key: str) -> Shelved | None:
        self._drop_expired()
        return self._files.get(key)

    def _drop_expired(self) -> None:
        now = self.clock()
        for key in [k for k, f in self._files.items() if f.until <= now]:
            del self._files[key]
