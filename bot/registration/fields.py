"""The form's choices and the checks on what people type."""

from __future__ import annotations

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


def person_name(text: str) -> str:
    name = text.strip()
    if len(name) > MAX_NAME:
        raise Invalid("registration.name_too_long")
    if len(name) < 2 or not any(ch.isalpha() for ch in name):
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
    """A Serbian or international number in E.164 (+381…)."""
    number = text.strip()
    if any(ch.isalpha() for ch in number):
        raise Invalid("registration.phone_letters")
    try:
        parsed = phonenumbers.parse(number, "RS")
    except phonenumbers.NumberParseException:
        raise Invalid("registration.phone_invalid") from None
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid("registration.phone_invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
