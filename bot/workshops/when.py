"""When a workshop takes place: the date and time a coordinator types on a phone.

Serbian Cyrillic, Serbian Latin (with or without diacritics) and English; numeric dates are always
day.month, as written in Serbia.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Not dateparser: it accepts almost anything ("now") and cannot tell us why an input is wrong.


class WhenError(Exception):
    """`reason` is a message id for the catalogue: when.unreadable, when.no_time, when.impossible,
    when.past"""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# a sign-up deadline given as a date stays open for all of that day
END_OF_DAY = time(23, 59)

# Everything is read in Latin without diacritics, so one word list serves all three scripts.
_LETTERS = str.maketrans(
    dict(zip("абвгдежзијклмнопрстћуфхцчш", "abvgdezzijklmnoprstcufhccs", strict=True))
    | {"ђ": "dj", "љ": "lj", "њ": "nj", "џ": "dz", "đ": "dj", "–": "-", "—": "-"}
)

# nominative and genitive ("5. decembar", "5. decembra"), the usual abbreviations, and English
_MONTH_NAMES = (
    "januar januara jan january",
    "februar februara feb february",
    "mart marta mar march",
    "april aprila apr",
    "maj maja may",
    "jun juna juni june",
    "jul jula juli july",
    "avgust avgusta avg august augusta aug",
    "septembar septembra sep sept september",
    "oktobar oktobra okt oct october",
    "novembar novembra nov november",
    "decembar decembra dec december",
)
_MONTHS = {word: number for number, words in enumerate(_MONTH_NAMES, 1) for word in words.split()}

_RELATIVE_DAYS = {
    "danas": 0, "today": 0,
    "sutra": 1, "tomorrow": 1,
    "prekosutra": 2, "day after tomorrow": 2, "the day after tomorrow": 2,
}  # fmt: skip
_RELATIVE = re.compile(
    r"(?P<word>the day after tomorrow|day after tomorrow|prekosutra|tomorrow|sutra|today|danas)"
    r"(?![a-z])"
)
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)")
_NUMERIC = re.compile(
    r"(?P<day>\d{1,2})\s*(?P<sep>[./-])\s*(?P<month>\d{1,2})(?!\d)"
    # a two-digit year only written tight ("5.12.26"): in "5.12. 10h" or "5.12.10:00" the 10 is
    # the hour
    r"(?:(?P=sep)(?P<short_year>\d{2})(?![\d:h]|\.\d)|\s*(?P=sep)\s*(?P<year>\d{4})(?!\d))?"
)
_DAY_MONTH = re.compile(
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?\s*(?:of\s+)?(?P<month>[a-z]+)\.?"
    r"(?:\s*,?\s*(?P<year>\d{4})(?!\d))?"
)
_MONTH_DAY = re.compile(
    r"(?P<month>[a-z]+)\.?\s*(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th)?"
    r"(?:\s*,?\s*(?P<year>\d{4})(?!\d))?"
)
# "5.12.2026. u 10", "Dec 5, 10am", "December 5 at 2pm", "2026-12-05T10:00"
_SEPARATOR = re.compile(r"t(?=\d)|[\s,.-]*(?:(?:u|at|@)(?![a-z])\s*)?")
_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?"
    r"(?:\s*(?P<half>[ap])\.?\s*m\.?|\s*(?:casova|casa|cas|sati|sat|h|c)\.?)?"
)


@dataclass(frozen=True)
class _Day:
    year: int | None  # None: not typed, the next such day is meant
    month: int
    day: int


def parse_when(text: str, now: datetime, zone: ZoneInfo, *, need_time: bool = True) -> datetime:
    """The moment `text` names, in `zone`; a date alone is the end of that day unless `need_time`.

    Raises WhenError: when.unreadable, when.impossible (31.2., 25:00), when.no_time, when.past.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(zone).date()
    day, rest = _read_day(_normalise(text), today)
    clock = _read_clock(rest)
    _check(day)
    if clock is None:
        if need_time:
            # "that day is over" helps more than "add a time" followed by "that day is over"
            if day.year is not None and date(day.year, day.month, day.day) < today:
                raise WhenError("when.past")
            raise WhenError("when.no_time")
        clock = END_OF_DAY
    moment = _resolve(day, clock, now, zone)
    if moment < now:
        raise WhenError("when.past")
    return moment


def coming_days(now: datetime, zone: ZoneInfo, n: int = 3) -> list[date]:
    """Tomorrow and the days after it, in `zone`: the dates offered as quick buttons."""
    today = now.astimezone(zone).date()
    return [today + timedelta(days=offset) for offset in range(1, n + 1)]


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.translate(_LETTERS).split()).rstrip(". ")


def _read_day(text: str, today: date) -> tuple[_Day, str]:
    """The date at the start of `text`, and what follows it."""
    if found := _RELATIVE.match(text):
        then = today + timedelta(days=_RELATIVE_DAYS[found["word"]])
        return _Day(then.year, then.month, then.day), text[found.end() :]
    if found := _ISO.match(text):
        return _Day(int(found["year"]), int(found["month"]), int(found["day"])), text[found.end() :]
    if found := _NUMERIC.match(text):
        year = _year(found["year"] or found["short_year"])
        return _Day(year, int(found["month"]), int(found["day"])), text[found.end() :]
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        if (found := pattern.match(text)) and found["month"] in _MONTHS:
            day = _Day(_year(found["year"]), _MONTHS[found["month"]], int(found["day"]))
            return day, text[found.end() :]
    raise WhenError("when.unreadable")


def _year(typed: str | None) -> int | None:
    if not typed:
        return None
    return int(typed) + (2000 if len(typed) == 2 else 0)


def _read_clock(rest: str) -> time | None:
    """The time of day after the date; None when only a date was typed."""
    if not rest.strip(" ,.-"):
        return None
    separator = _SEPARATOR.match(rest)
    found = _CLOCK.fullmatch(rest[separator.end() :] if separator else rest)
    if not found:
        raise WhenError("when.unreadable")
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    if found["half"]:
        if not 1 <= hour <= 12:
            raise WhenError("when.impossible")
        hour = hour % 12 + (12 if found["half"] == "p" else 0)
    try:
        return time(hour, minute)
    except ValueError:
        raise WhenError("when.impossible") from None


def _check(day: _Day) -> None:
    # without a year, any year will do: 29 February exists, 30 February does not
    try:
        date(day.year if day.year is not None else 2000, day.month, day.day)
    except ValueError:
        raise WhenError("when.impossible") from None


def _local(year: int, day: _Day, clock: time, zone: ZoneInfo) -> datetime:
    moment = datetime(year, day.month, day.day, clock.hour, clock.minute, tzinfo=zone)
    # 02:30 on the last Sunday of March is skipped by the clocks: zoneinfo would quietly make
    # it 03:30, a time nobody typed
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise WhenError("when.impossible")
    return moment


def _resolve(day: _Day, clock: time, now: datetime, zone: ZoneInfo) -> datetime:
    if day.year is not None:
        return _local(day.year, day, clock, zone)
    first = now.astimezone(zone).year
    # the next 29 February can be eight years away (2096, then 2104)
    for year in range(first, first + 9):
        try:
            moment = _local(year, day, clock, zone)
        except ValueError:
            continue
        if moment >= now:
            return moment
        if year == first and moment.date() == now.astimezone(zone).date():
            # today, at an hour already gone: a slip of the hour, not next year's date
            raise WhenError("when.past")
    raise WhenError("when.impossible")
