"""What one attempt at sending reported, and what a delivery finally came to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    DELIVERED = "delivered"
    # the messenger asks the bot to wait `retry_after` seconds (Telegram's 429)
    RETRY_AFTER = "retry_after"
    # a server error or a connection that failed before anything was sent: safe to repeat
    TRANSIENT = "transient"
    # no answer in time: the message may have gone out, so it is repeated at most once
    UNCERTAIN = "uncertain"
    # the person blocked the bot or left: nothing will reach them until they write again
    UNREACHABLE = "unreachable"
    # refused for good (a malformed message): repeating it would be refused again
    FAILED = "failed"


# the statuses a delivery ends with; the others are retried
FINAL = frozenset({Status.DELIVERED, Status.UNREACHABLE, Status.FAILED})


@dataclass(frozen=True, slots=True)
class Attempt:
    status: Status
    retry_after: float = 0.0
    reason: str = ""
    # the sent message's id on the messenger, where it gives one (to edit it later)
    message_id: str = ""


DELIVERED = Attempt(Status.DELIVERED)
