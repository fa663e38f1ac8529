"""Quiet hours: a window of local time (22:00-08:00) in which no broadcast starts or runs."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

Window = tuple[time, time] | None


def is_quiet(moment: datetime, window: Window, zone: tzinfo) -> bool:
    if window is None:
        return False
    start, end = window
    local = moment.astimezone(zone).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # the window spans midnight


def quiet_ends(moment: datetime, window: Window, zone: tzinfo) -> datetime:
    """When the quiet hours around `moment` end (`moment` itself when it is not quiet)."""
    if window is None or not is_quiet(moment, window, zone):
        return moment
    local = moment.astimezone(zone)
    end = datetime.combine(local.date(), window[1], tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), window[1], tzinfo=zone)
    return end
