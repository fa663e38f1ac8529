"""What a failed Bot API call means for the message: retry, retry once, or give up."""

from __future__ import annotations

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram import attempt_of
from bot.delivery.outcome import Status


def _timed_out(cause: Exception) -> TimedOut:
    exc = TimedOut()
    exc.__cause__ = cause
    return exc


def test_each_failure_maps_to_what_the_outbound_path_does_with_it() -> None:
    assert attempt_of(RetryAfter(7)).status is Status.RETRY_AFTER
    assert attempt_of(RetryAfter(7)).retry_after == 7
    assert attempt_of(Forbidden("Forbidden: bot was blocked by the user")).status is (
        Status.UNREACHABLE
    )
    assert attempt_of(BadRequest("Bad Request: chat not found")).status is Status.UNREACHABLE
    assert attempt_of(BadRequest("Bad Request: message is too long")).status is Status.FAILED
    assert attempt_of(NetworkError("Bad Gateway")).status is Status.TRANSIENT
    # nothing left the machine: safe to repeat as often as a server error
    assert attempt_of(_timed_out(httpx.ConnectTimeout("x"))).status is Status.TRANSIENT
    assert attempt_of(_timed_out(httpx.PoolTimeout("x"))).status is Status.TRANSIENT
    # the request went out and no answer came: it may have been delivered
    assert attempt_of(_timed_out(httpx.ReadTimeout("x"))).status is Status.UNCERTAIN
    assert attempt_of(_timed_out(httpx.WriteTimeout("x"))).status is Status.UNCERTAIN
    assert attempt_of(Forbidden("Forbidden: bot was blocked by the user")).reason == (
        "Forbidden: bot was blocked by the user"
    )
