"""The console's announcement form: what was typed, and the checks the command line and the
chat make before anything is scheduled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.announcements import audience as audiences
from bot.announcements import render
from bot.announcements.compose import announceable
from bot.announcements.quiet import is_quiet, quiet_ends
from bot.core.context import Services
from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.numbers import number
from bot.storage.announcements import Announcement
from bot.storage.workshops import Workshop

KEYS = ("all", "district", "municipality", "area", "stage", "locale", "workshop")
# a time typed for this very minute has passed by the time the form is sent
GRACE = timedelta(minutes=1)
# further ahead is a typo (and near year 9999 the quiet-hours shift would overflow)
HORIZON = timedelta(days=366)
_AUDIENCE_PROBLEMS = {
    "audience.unknown_key": "web.announcements.error.audience_key",
    "audience.no_value": "web.announcements.error.audience_value",
    "audience.unknown_municipality": "web.announcements.error.municipality",
    "audience.unknown_district": "web.announcements.error.district",
    "audience.unknown_area": "web.announcements.error.area",
    "audience.unknown_stage": "web.announcements.error.stage",
    "audience.unknown_locale": "web.announcements.error.locale",
    "audience.unknown_workshop": "web.announcements.error.workshop",
}


class Refused(Exception):
    """Bad input: `message` says what, in the coordinator's language; nothing is scheduled."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(raw: str) -> str:
    # a browser sends a textarea's lines with CRLF
    return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def _worded(text: str) -> bool:
    """A zero-width space or "…" alone would go out as an empty message, or none at all."""
    return any(ch.isalnum() for ch in text)


@dataclass(frozen=True)
class Fields:
    """The form as typed, to show it again."""

    body_sr: str = ""
    body_en: str = ""
    key: str = "all"
    values: Mapping[str, str] = field(default_factory=dict)
    when: str = ""
    force: bool = False
    card: str = ""  # the workshop announced with its card; "": a text of its own (news)
    # one-time: a double click or a reload of the POST schedules it once
    form_id: str = ""

    @classmethod
    def of(cls, form: Mapping[str, str]) -> Fields:
        return cls(
            body_sr=_text(form.get("body_sr", "")), body_en=_text(form.get("body_en", "")),
            key=form.get("audience_key", "all"),
            values={k: form.get(f"audience_{k}", "").strip() for k in KEYS if k != "all"},
            when=form.get("when", "").strip(), force=form.get("force") == "1",
            card=form.get("card", "").strip(), form_id=form.get("form_id", ""),
        )  # fmt: skip

    @property
    def spec(self) -> str:
        return "all" if self.key == "all" else f"{self.key}:{self.values.get(self.key, '')}"


@dataclass(frozen=True)
class Checked:
    """A form that may be scheduled: its draft (at its time after any quiet-hours shift)."""

    draft: Announcement
    audience: audiences.Audience
    workshop: Workshop | None  # the one whose card goes out with it
    now: bool  # no time was given
    moved: bool  # its time fell in the quiet hours: it goes out when they end


def _when(t: Translator, services: Services, raw: str, now: datetime) -> datetime | None:
    if not raw:
        return None
    try:
        typed = datetime.fromisoformat(raw)
    except ValueError:
        raise Refused(t.t("web.announcements.error.when")) from None
    zone = services.settings.timezone
    at = typed.replace(tzinfo=zone) if typed.tzinfo is None else typed
    if at < now - GRACE:
        raise Refused(t.t("when.past"))
    if at > now + HORIZON:
        raise Refused(t.t("web.announcements.error.too_far"))
    return at


async def audience_of(t: Translator, services: Services, spec: str) -> audiences.Audience:
    try:
        who = audiences.parse(spec)
    except audiences.AudienceError as exc:
        reason = _AUDIENCE_PROBLEMS.get(exc.reason, "web.announcements.error.audience_key")
        raise Refused(t.t(reason, value=exc.value)) from None
    if who.key == "workshop":
        w = await services.workshops.get(int(who.values[0]))
        if w is None:
            raise Refused(t.t("web.announcements.error.workshop", value=who.values[0]))
        # as in the chat: nobody is to be called to a workshop cancelled, begun or over
        if not announceable(w):
            raise Refused(t.t("announce.no_workshop"))
    return who


async def _card(t: Translator, services: Services, raw: str) -> Workshop | None:
    if not raw:
        return None
    n = number(raw)
    w = await services.workshops.get(n) if n is not None else None
    if w is None or not announceable(w):
        raise Refused(t.t("announce.no_workshop"))
    return w


def _longest(services: Services, draft: Announcement, workshop: Workshop | None) -> int:
    """The longest rendering over the locales, with the workshop's card when there is one."""
    if workshop is None:
        return max(render.visible_length(render.body(draft, loc), draft.html) for loc in Locale)
    zone = services.settings.timezone
    return max(
        render.visible_length(
            render.message(draft, services.i18n[loc], zone, workshop, None).text, draft.html
        )
        for loc in Locale
    )


async def check(t: Translator, services: Services, fields: Fields, by: str) -> Checked:
    """As `partnerbot announce` checks it: text, audience, time, length; Refused if not.
    With a workshop's card the text is an optional note under it, as in the chat."""
    workshop = await _card(t, services, fields.card)
    needs_text = workshop is None or fields.body_sr or fields.body_en
    if needs_text and not _worded(fields.body_sr):
        raise Refused(t.t("web.announcements.error.empty"))
    if fields.body_en and not _worded(fields.body_en):
        raise Refused(t.t("web.announcements.error.empty_en"))
    if fields.key not in KEYS:
        raise Refused(t.t("web.announcements.error.audience_key", value=fields.key))
    who = await audience_of(t, services, fields.spec)
    now = datetime.now(UTC)
    asked = _when(t, services, fields.when, now)
    at = asked or now
    settings = services.settings
    moved = not fields.force and is_quiet(at, settings.quiet_hours, settings.timezone)
    if moved:
        at = quiet_ends(at, settings.quiet_hours, settings.timezone)
    # plain text, as the command line writes it: what is typed is what people read
    draft = Announcement(
        id=0, kind="news" if workshop is None else "workshop", body_sr=fields.body_sr,
        body_en=fields.body_en, html=False, workshop_id=workshop.id if workshop else None,
        audience=who.spec, at=at, force=fields.force, status="scheduled", created_by=by,
        created_at=now, started_at=None, finished_at=None, progress_ref="",
    )  # fmt: skip
    if (length := _longest(services, draft, workshop)) > render.MAX_TEXT:
        raise Refused(
            t.t(
                "web.announcements.error.too_long",
                length=t.characters(length), limit=t.characters(render.MAX_TEXT),
            )
        )  # fmt: skip
    return Checked(draft, who, workshop, now=asked is None, moved=moved)
