"""Announcements at a desk: the list with delivery reports and cancelling, and a form with a
preview per locale, the audience's live count and scheduling. The running bot's Broadcaster
sends what is scheduled here, as it sends what the chat and the command line schedule."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.announcements import audience as audiences
from bot.announcements import manage, render
from bot.announcements.compose import LOCALE_NAMES, announceable, describe
from bot.core.locales import Locale
from bot.core.numbers import number
from bot.oversight.audit import what
from bot.registration.fields import AREAS, STAGES
from bot.registration.form import choice_label, municipality_label
from bot.registration.municipalities import all_municipalities
from bot.storage.announcements import Report
from bot.storage.clock import parse
from bot.storage.db import transaction
from bot.web import changes
from bot.web.pages.announcement_form import Checked, Fields, Refused, audience_of, check
from bot.workshops import view

if TYPE_CHECKING:
    from bot.web.console import Console, Page

SHOWN = 50
CHANGES = 10
WORKSHOPS = 50
_STATUSES = ("scheduled", "running", "done", "cancelled")
# what the list shows and the page may cancel: reminders and workshop change or cancellation
# notices are the bot's own, stopped with their workshop
LISTED = ("news", "workshop")
_ACTIONS = ("announce", "announce_cancel")


@dataclass(frozen=True)
class Row:
    number: int
    kind: str
    when: str
    audience: str
    status: str
    by: str
    text: str
    report: Report | None
    cancellable: bool


async def _count(page: Page, spec: str) -> int:
    try:
        return await audiences.count(page.services.db, audiences.parse(spec))
    except audiences.AudienceError:
        return 0  # written by hand into the database: the Broadcaster will not send it


async def _notice(page: Page) -> str:
    """The confirmation of what was just done, from the announcement itself: the query
    names only what happened and to which number, never any text to show."""
    t, store = page.t, page.services.announcements
    done = page.request.query.get("done", "")
    n = number(page.request.query.get("number", ""))
    a = await store.get(n) if n is not None else None
    if a is None or a.kind not in LISTED:
        return ""
    if done == "scheduled" and a.status != "scheduled":
        # sent, being sent or cancelled meanwhile: what it is now, not what it was
        status = t.t(f"web.announcements.status.{a.status}")
        return t.t("web.announcements.done_status", number=a.id, status=status)
    if done == "scheduled":
        count = await _count(page, a.audience)
        return t.t(
            "web.announcements.done_scheduled", number=a.id,
            people=t.tn("count.people", "count.people_plural", count),
            when=t.datetime(a.at, page.services.settings.timezone),
        )  # fmt: skip
    if done == "cancelled" and a.status == "cancelled":
        text = t.t("announcements.cancelled", number=a.id)
        report = await store.report(a.id)
        if report.total:
            text += " " + t.t("announcements.cancelled_running", done=report.done,
                              total=report.total)  # fmt: skip
        return text
    return ""


async def _titles(page: Page, ids: set[int]) -> dict[int, str]:
    """The workshops the listed announcements carry the cards of: a few at most."""
    found = {n: await page.services.workshops.get(n) for n in ids}
    return {n: view.title(w, page.t) for n, w in found.items() if w is not None}


async def listing(page: Page, status: int = 200, error: str = "") -> web.StreamResponse:
    t, services = page.t, page.services
    zone = services.settings.timezone
    store = services.announcements
    shown = await store.listing(_STATUSES, SHOWN)
    reports = await store.reports(a for a in shown if a.status != "scheduled")
    cards = await _titles(page, {a.workshop_id for a in shown if a.workshop_id is not None})
    audit = await services.audit.latest_of(_ACTIONS, CHANGES)
    names = await changes.names(page, {a.created_by for a in shown} | {e.actor for e in audit})
    rows = [
        Row(
            number=a.id,
            kind=t.t(f"web.announcements.kind.{a.kind}"),
            when=t.datetime(a.at, zone),
            audience=describe(t, a.audience),
            status=t.t(f"web.announcements.status.{a.status}"),
            by=names[a.created_by],
            text=" · ".join(
                filter(None, (cards.get(a.workshop_id or 0, ""), manage.excerpt(a, 120)))
            ),
            report=reports.get(a.id),
            cancellable=a.status in ("scheduled", "running"),
        )
        for a in shown
    ]
    return page.render(
        "announcements.html", status, title=t.t("web.nav.announcements"), rows=rows,
        changes=[changes.Change(t.datetime(parse(e.at), zone), names[e.actor],
                                what(t, e.action, e.subject)) for e in audit],
        notice="" if error else await _notice(page), error=error,
    )  # fmt: skip


async def cancel(page: Page) -> web.StreamResponse:
    t = page.t
    raw = (await page.form()).get("number", "")
    n = number(raw)
    if n is None:
        return await listing(page, 400, t.t("web.bad_form.text"))
    a = await page.services.announcements.get(n)
    # a reminder or a change notice is not on this page: as unknown here as a made-up number
    if a is None or a.kind not in LISTED:
        return await listing(page, 404, t.t("announcements.unknown", number=n))
    was = await manage.cancel(page.services, page.coordinator, n)
    if was is None:
        return await listing(page, 404, t.t("announcements.unknown", number=n))
    if was not in ("scheduled", "running"):
        return await listing(page, 400, t.t("announcements.not_cancellable", number=n))
    return page.redirect(f"/announcements?done=cancelled&number={n}")


# -- the form ------------------------------------------------------------------------------


def _choices(page: Page, workshops: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """(value, label) for each audience key's select."""
    t = page.t
    places = sorted(all_municipalities().values(), key=lambda m: municipality_label(m, t))
    return {
        "district": [(n, n) for n in sorted(audiences.districts().values())],
        "municipality": [(m.code, municipality_label(m, t)) for m in places],
        "area": [(k, choice_label(t, "area", k)) for k in AREAS],
        "stage": [(k, choice_label(t, "stage", k)) for k in STAGES],
        "locale": [(loc.value, t.t(LOCALE_NAMES[loc])) for loc in Locale],
        "workshop": workshops,
    }


async def _form(
    page: Page, fields: Fields, status: int = 200, error: str = "", **preview: Any
) -> web.StreamResponse:
    t, services = page.t, page.services
    settings = services.settings
    zone = settings.timezone
    upcoming = await services.workshops.upcoming(limit=WORKSHOPS)
    workshops = [(str(w.id), f"{view.title(w, t)} · {t.datetime(w.starts_at, zone)}")
                 for w in upcoming if announceable(w)]  # fmt: skip
    quiet = settings.quiet_hours
    if not fields.form_id:
        fields = replace(fields, form_id=page.new_form_id())
    return page.render(
        "announcements_new.html", status, title=t.t("web.announcements.new"), fields=fields,
        choices=_choices(page, workshops), error=error,
        earliest=f"{datetime.now(UTC).astimezone(zone):%Y-%m-%dT%H:%M}",
        zone=str(zone), quiet=f"{quiet[0]:%H:%M}–{quiet[1]:%H:%M}" if quiet else "",
        preview=preview or None,
    )  # fmt: skip


async def new(page: Page) -> web.StreamResponse:
    # "Announce it" on the workshops page: that workshop's card, to be sent as the chat does
    card = number(page.request.query.get("workshop", ""))
    return await _form(page, Fields(card=str(card) if card is not None else ""))


async def _checked(page: Page) -> tuple[dict[str, str], Fields, Checked | str]:
    form = await page.form()
    fields = Fields.of(form)
    try:
        return form, fields, await check(page.t, page.services, fields, str(page.coordinator))
    except Refused as exc:
        return form, fields, exc.message


async def preview(page: Page) -> web.StreamResponse:
    _, fields, checked = await _checked(page)
    if isinstance(checked, str):
        return await _form(page, fields, 400, checked)
    t, services = page.t, page.services
    zone = services.settings.timezone
    draft = checked.draft
    shown = [
        (t.t(LOCALE_NAMES[loc]),
         render.message(draft, services.i18n[loc], zone, checked.workshop, None).text)
        for loc in Locale
    ]  # fmt: skip
    count = await audiences.count(services.db, checked.audience)
    billed = await audiences.outside_session(
        services.db, checked.audience, max(draft.at, datetime.now(UTC))
    )
    when = (
        t.t("announce.when_now")
        if checked.now and not checked.moved
        else t.datetime(draft.at, zone)
    )
    return await _form(
        page, fields, shown=shown, english_gets_latin=draft.kind == "news" and not draft.body_en,
        summary=t.t("announce.summary", audience=describe(t, draft.audience),
                    people=t.tn("count.people", "count.people_plural", count), when=when),
        billed=t.tn("announce.billed", "announce.billed_plural", billed) if billed else "",
        moved=t.t("announce.moved_to_morning", when=t.datetime(draft.at, zone))
        if checked.moved else "",
    )  # fmt: skip


async def schedule(page: Page) -> web.StreamResponse:
    form, fields, checked = await _checked(page)
    if isinstance(checked, str):
        return await _form(page, fields, 400, checked)
    services, draft = page.services, checked.draft
    # scheduled and recorded, or neither; a double click or a reload of this POST leads
    # where the first one did, and schedules nothing more
    async with transaction(services.db):
        led = await page.spent_form(form)
        if led is None:
            n = await services.announcements.add(
                kind=draft.kind, audience=draft.audience, at=draft.at,
                created_by=draft.created_by, body_sr=draft.body_sr, body_en=draft.body_en,
                html=draft.html, workshop_id=draft.workshop_id, force=draft.force,
            )  # fmt: skip
            assert n is not None  # only a reminder's once_key can make it None
            await services.audit.record(page.coordinator, "announce", n)
            led = f"/announcements?done=scheduled&number={n}"
            await page.form_led_to(form, led)
    return page.redirect(led or "/announcements")


async def audience_count(page: Page) -> web.StreamResponse:
    """The form's live count: how many the chosen audience reaches now (console.js asks as the
    choice changes; without scripts, Preview tells the same)."""
    t, services = page.t, page.services
    fields = Fields.of(page.request.query)
    try:
        who = await audience_of(t, services, fields.spec)
    except Refused as exc:
        return web.json_response({"text": exc.message}, status=400)
    n = await audiences.count(services.db, who)
    return web.json_response(
        {"count": n, "text": t.t("web.announcements.live_count",
                                 people=t.tn("count.people", "count.people_plural", n))}
    )  # fmt: skip


def install(console: Console) -> None:
    console.get("/announcements/audience", audience_count)
    console.get("/announcements", listing)
    console.post("/announcements/cancel", cancel)
    console.get("/announcements/new", new)
    console.post("/announcements/preview", preview)
    console.post("/announcements/schedule", schedule)
