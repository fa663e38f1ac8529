"""The form's choices and the checks on what people type."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

POSITIONS = ("mayor", "assistant", "council", "administration", "international", "other")
AREAS = ("economy", "environment", "eu", "democracy", "social", "other")
STAGES = ("has_partner", "looking", "exploring")

# Changing what the consent text says means a new version: registrations record which one.
CONSENT_VERSION = "2026-11-27"

MAX_NAME = 100
MAX_EMAIL = 254


class Invalid(Exception):
    """What was typed cannot be used; `reason` is a catalogue message id."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# letters in any script, and the marks names have: "Ana-Marija O'Neill", "Jovan St. Petrović"
_NAME = re.compile(r"[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?")
# "031 512 345, lokal 12": the extension words people write, in both scripts and English
_EXTENSION = re.compile(
    r"[,;]?\s*(?:lokal|локал|lok\.?|лок\.?|kućni|kucni|кућни|ext\.?|extension|x)\s*(\d{1,6})\s*$",
    re.IGNORECASE,
)


def one_line(text: str) -> str:
    """A one-line field as it may be shown to others: no line breaks, control characters or
    direction overrides that could make it pose as more lines or reorder what follows."""
    kept = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    return " ".join(kept.split())


def quoted(text: str) -> str:
    """Several lines someone wrote, shown to others so that none can pose as the bot's own:
    each marked as theirs, without control characters or direction overrides."""
    lines = [one_line(line) for line in text.splitlines()]
    return "\n".join(f"│ {line}".rstrip() for line in lines)


def free_text(text: str) -> str:
    """A position typed by hand: anything readable, within the length, on one line."""
    value = one_line(text)
    if len(value) > MAX_NAME:
        raise Invalid("registration.name_too_long")
    if len(value) < 2 or not any(ch.isalpha() for ch in value):
        raise Invalid("registration.position_invalid")
    return value


def person_name(text: str) -> str:
    name = " ".join(text.split())
    if len(name) > MAX_NAME:
        raise Invalid("registration.name_too_long")
    if len(name) < 2 or not _NAME.fullmatch(name):
        raise Invalid("registration.name_invalid")
    return name


def email(text: str) -> str:
    address = text.strip()
    if "@" not in address:
        raise Invalid("registration.email_no_at")
    if len(address) > MAX_EMAIL:
        raise Invalid("registration.email_invalid")
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        raise Invalid("registration.email_invalid") from None


def phone(text: str) -> str:
    """A Serbian or international number in E.164 (+381…), with ";ext=12" for an extension."""
    number = text.strip()
    extension = ""
    if found := _EXTENSION.search(number):
        extension, number = found.group(1), number[: found.start()]
    if any(ch.isalpha() for ch in number):
        raise Invalid("registration.phone_letters")
    try:
        parsed = phonenumbers.parse(number, "RS")
    except phonenumbers.NumberParseException:
        raise Invalid("registration.phone_invalid") from None
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid("registration.phone_invalid")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={extension}" if extension else e164


def phone_parts(stored: str) -> tuple[str, str]:
    """(the number as people read it, the extension or ""): "+381 34 306 000"."""
    number, _, extension = stored.partition(";ext=")
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return stored, ""
    shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if parsed.country_code == 381:
        # phonenumbers writes the subscriber part of Serbian numbers in one block (306000)
        head, _, tail = shown.rpartition(" ")
        if tail.isdigit() and len(tail) >= 5:
            tail = f"{tail[:3]} {tail[3:]}" if len(tail) <= 7 else f"{tail[:4]} {tail[4:]}"
        shown = f"{head} {tail}"
    return shown, extension
