"""Workshops at a desk: the list with its numbers, a form to create or change one (with each
locale's card as a preview), the attendees' exports, cancelling. The chat's rules and side
effects (bot/workshops/changes.py): whichever side changes a workshop, people hear the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aiohttp import web

from bot.announcements.compose import announceable
from bot.core.locales import Locale
from bot.core.numbers import number
from bot.storage.db import transaction
from bot.storage.workshops import Workshop
from bot.web import changes as recent
from bot.web.pages import workshop_form as form
from bot.workshops import attendees, changes, people, view
from bot.workshops.compose import MAX_CAPACITY, reminders_label

if TYPE_CHECKING:
    from bot.web.console import Console, Page

UPCOMING = 100
PAST = 10
LATEST = 10
ACTIONS = ("workshop_add", "workshop_edit", "workshop_cancel")


@dataclass(frozen=True)
class Row:
    """One workshop as the list shows it."""

    w: Workshop
    title: str
    when: str
    place: str
    link: str
    web_link: bool  # an address a browser opens (older chat entries may lack http://)
    going: int
    waiting: int
    places: str
    deadline: str
    reminders: str
    changeable: bool  # neither cancelled nor over
    announceable: bool  # not begun either: its card may still invite people


def _say(page: Page, status: int, title: str, text: str) -> web.Response:
    """A message page whose text names the workshop (console.message takes fixed texts)."""
    return page.render("message.html", status=status, title=title, text=text)


async def _workshop(page: Page) -> Workshop | web.Response:
    """The workshop the address names, or the page that says there is none."""
    n = number(page.request.match_info.get("id", ""))
    w = await page.services.workshops.get(n) if n is not None else None
    if w is None:
        return page.console.message(
            page.t, 404, "web.workshops.unknown.title", "web.workshops.unknown", page
        )
    return w


def _closed(page: Page, w: Workshop) -> web.Response | None:
    """Why a workshop can no longer be changed or cancelled, as a page; None when it can."""
    t = page.t
    if w.cancelled:
        text = t.t("wsc.is_cancelled", title=view.title(w, t))
    elif w.ends_at <= datetime.now(UTC):
        # a cancellation notice after the event would mislead everyone
        text = t.t("wsc.over", title=view.title(w, t))
    else:
        return None
    return _say(page, 400, t.t("web.workshops.closed.title"), text)


# -- the list -----------------------------------------------------------------------------------


def _row(page: Page, w: Workshop, counts: tuple[int, int], now: datetime) -> Row:
    t, zone = page.t, page.services.settings.timezone
    going, waiting = counts
    if w.capacity is None:
        places = t.t("web.workshops.places_unlimited", going=going)
    else:
        places = t.t("web.workshops.places", going=going, capacity=w.capacity)
    until = w.signup_until
    return Row(
        w=w, title=view.title(w, t), when=t.datetime(w.starts_at, zone),
        place=view.place(w, t) if (w.place_sr or w.place_en) else "", link=w.link,
        web_link=w.link.lower().startswith(("http://", "https://")), going=going,
        waiting=waiting, places=places,
        deadline=t.datetime(until, zone) if until else t.t("web.workshops.deadline_start"),
        reminders=reminders_label(t, w.reminders),
        changeable=not w.cancelled and w.ends_at > now, announceable=announceable(w),
    )  # fmt: skip


async def _told_of_change(page: Page, w: Workshop, notice: int | None) -> int | None:
    """How many the change notice `notice` reaches, from the database: None when it is not
    this workshop's change notice (an address typed or kept from another day)."""
    services = page.services
    a = await services.announcements.get(notice) if notice is not None else None
    if a is None or a.kind != "change" or a.workshop_id != w.id or a.status == "cancelled":
        return None
    if a.status == "scheduled":
        going, _ = await services.attendance.counts(w.id)
        return going
    return (await services.announcements.report(a.id)).total


async def _done(page: Page) -> str:
    """What ?done= says, from the database: the address names only what happened to which
    workshop, never a text or a number to show."""
    t, query, services = page.t, page.request.query, page.services
    n = number(query.get("w", ""))
    w = await services.workshops.get(n) if n is not None else None
    if w is None:
        return ""
    title, when = view.title(w, t), t.datetime(w.starts_at, services.settings.timezone)
    done = query.get("done", "")
    if done == "added" and not w.cancelled:
        return t.t("web.workshops.done_added", title=title, when=when, id=w.id)
    if done == "edited" and not w.cancelled:
        said = t.t("wsc.saved_changes", title=title, when=when)
        told = await _told_of_change(page, w, number(query.get("notice", "")))
        if told is not None:
            said += " " + t.tn("wsc.change_told", "wsc.change_told_plural", told)
        return said
    if done == "cancelled" and w.cancelled:
        # those signed up stay listed after a cancellation: they are the ones told
        going, waiting = await services.attendance.counts(w.id)
        return t.tn("wsc.cancel_done", "wsc.cancel_done_plural", going + waiting, title=title)
    return ""


async def _list(page: Page, problem: str = "", status: int = 200) -> web.StreamResponse:
    services, now = page.services, datetime.now(UTC)
    upcoming = await services.workshops.upcoming(UPCOMING, at=now)
    past = await services.workshops.past(PAST, at=now)
    counts = await services.attendance.counts_of([w.id for w in (*upcoming, *past)])
    return page.render(
        "workshops.html", status=status, title=page.t.t("web.workshops.title"),
        upcoming=[_row(page, w, counts[w.id], now) for w in upcoming],
        past=[_row(page, w, counts[w.id], now) for w in past],
        notice="" if problem else await _done(page), problem=problem,
        latest=await recent.latest(page, ACTIONS, LATEST),
    )  # fmt: skip


async def listing(page: Page) -> web.StreamResponse:
    return await _list(page)


# -- the form -----------------------------------------------------------------------------------

_PREVIEWS = (
    (Locale.SR_CYRL, "wsc.preview_cyrl"),
    (Locale.SR_LATN, "wsc.preview_latn"),
    (Locale.EN, "wsc.preview_en"),
)


async def _preview(
    page: Page, w: Workshop, old: Workshop | None
) -> tuple[list[tuple[str, str]], list[str]]:
    """The card as each locale will read it, and what only coordinators see."""
    t, services = page.t, page.services
    zone = services.settings.timezone
    going = None
    if old is not None and w.capacity is not None:
        going, _ = await services.attendance.counts(old.id)
    cards = [
        (t.t(heading), view.card(w, services.i18n[locale], zone, going=going))
        for locale, heading in _PREVIEWS
    ]
    notes = []
    if not w.title_en or not w.description_en or (w.place_sr and not w.place_en):
        notes.append(t.t("wsc.preview_no_english"))
    if w.capacity is None:
        notes.append(t.t("wsc.preview_no_limit"))
    else:
        notes.append(t.t("wsc.preview_capacity", n=w.capacity))
    notes.append(t.t("wsc.preview_reminders", reminders=reminders_label(t, w.reminders)))
    if w.signup_until is None:
        notes.append(t.t("wsc.preview_no_deadline"))
    return cards, notes


async def _form(
    page: Page, draft: form.Draft, old: Workshop | None, *, form_id: str, version: str = "",
    errors: dict[str, str] | None = None, preview: Workshop | None = None, conflict: str = "",
    status: int | None = None,
) -> web.StreamResponse:  # fmt: skip
    """The form; `form_id` and `version` (of the row an edit was filled from) travel with it
    unchanged through previews and corrections."""
    t, services = page.t, page.services
    cards, notes = await _preview(page, preview, old) if preview is not None else ([], [])
    if old is None:
        title, action = t.t("web.workshops.new_title"), "/workshops/new"
    else:
        title = t.t("web.workshops.edit_title", id=old.id, title=view.title(old, t))
        action = f"/workshops/{old.id}/edit"
    going = (await services.attendance.counts(old.id))[0] if old is not None else 0
    return page.render(
        "workshops_form.html", status=status or (400 if errors else 200), title=title,
        action=action, form_id=form_id, version=version, conflict=conflict,
        draft=draft, errors=errors or {}, cards=cards, notes=notes, old=old, going=going,
        zone=services.settings.timezone.key, max_capacity=MAX_CAPACITY,
        max_minutes=form.MAX_MINUTES, example_link=form.EXAMPLE_LINK,
    )  # fmt: skip


async def new_form(page: Page) -> web.StreamResponse:
    return await _form(page, form.Draft(), None, form_id=page.new_form_id())


async def _edited(page: Page, w: Workshop, conflict: str = "") -> web.StreamResponse:
    """The edit form filled from the workshop as stored now."""
    draft = form.from_workshop(w, page.services.settings.timezone)
    return await _form(
        page, draft, w, form_id=page.new_form_id(), version=form.version(w), conflict=conflict,
        status=409 if conflict else None,
    )  # fmt: skip


async def edit_form(page: Page) -> web.StreamResponse:
    w = await _workshop(page)
    if isinstance(w, web.Response):
        return w
    if (closed := _closed(page, w)) is not None:
        return closed
    return await _edited(page, w)


async def _submitted(
    page: Page, fields: dict[str, str], old: Workshop | None
) -> Workshop | web.StreamResponse:
    """The form's workshop to save, or the form again (with the errors, or the preview)."""
    draft = form.from_form(fields)
    checked = form.check(page.t, draft, page.services.settings.timezone, old)
    form_id, version = fields.get("form_id") or page.new_form_id(), fields.get("version", "")
    if checked.workshop is None:
        return await _form(page, draft, old, form_id=form_id, version=version,
                           errors=checked.errors)  # fmt: skip
    if fields.get("action") == "preview":
        return await _form(page, draft, old, form_id=form_id, version=version,
                           preview=checked.workshop)  # fmt: skip
    return checked.workshop


async def create(page: Page) -> web.StreamResponse:
    fields = await page.form()
    w = await _submitted(page, fields, None)
    if not isinstance(w, Workshop):
        return w
    async with transaction(page.services.db):
        # a double click or a reload of this POST: where the first one led, nothing added
        already = await page.spent_form(fields)
        if already is None:
            n = await changes.add(page.services, w, page.coordinator)
            already = f"/workshops?done=added&w={n}"
            await page.form_led_to(fields, already)
    return page.redirect(already or "/workshops")


async def edit(page: Page) -> web.StreamResponse:
    services = page.services
    old = await _workshop(page)
    if isinstance(old, web.Response):
        return old
    if (closed := _closed(page, old)) is not None:
        return closed
    fields = await page.form()
    w = await _submitted(page, fields, old)
    if not isinstance(w, Workshop):
        return w
    changed: changes.Changed | None = None
    current: Workshop | None = None
    async with transaction(services.db):
        already = await page.spent_form(fields)
        if already is not None:
            return page.redirect(already or "/workshops")
        current = await services.workshops.get(old.id)
        # changed by a colleague since the form was filled: saving it would silently undo
        # their change (or tell people of it a second time)
        fresh = current is not None and form.version(current) == fields.get("version")
        # cancelled by a colleague while this form was open: nothing to change any more
        if current is not None and not current.cancelled and fresh:
            changed = await changes.change(services, current, w, page.coordinator)
        if changed is not None:
            for user_id in changed.moved_up:
                notice = await people.moved_up_notice(services, changed.workshop, user_id)
                if notice is not None:
                    await services.notices.add(user_id, notice.to, notice.reply)
            told = f"&notice={changed.notice}" if changed.notice is not None else ""
            led = f"/workshops?done=edited&w={old.id}{told}"
            await page.form_led_to(fields, led)
    t = page.t
    if current is None or current.cancelled:
        return _say(page, 409, t.t("web.workshops.closed.title"),
                    t.t("wsc.gone", title=view.title(w, t)))  # fmt: skip
    if changed is None:
        return await _edited(page, current, t.t("web.workshops.changed_meanwhile"))
    page.console.app.notifier.kick()  # those moved up hear it now
    return page.redirect(led)


# -- cancelling and exports ---------------------------------------------------------------------


async def cancel(page: Page) -> web.StreamResponse:
    w = await _workshop(page)
    if isinstance(w, web.Response):
        return w
    if (closed := _closed(page, w)) is not None:
        return closed
    if (await page.form()).get("confirm") != "yes":
        problem = page.t.t("web.workshops.cancel_unconfirmed", title=view.title(w, page.t))
        return await _list(page, problem, 400)
    async with transaction(page.services.db):
        told = await changes.cancel(page.services, w, page.coordinator)
    if told is None:  # a colleague was quicker: the notice went out once
        t = page.t
        return _say(page, 409, t.t("web.workshops.closed.title"),
                    t.t("wsc.is_cancelled", title=view.title(w, t)))  # fmt: skip
    return page.redirect(f"/workshops?done=cancelled&w={w.id}")


async def _export(page: Page, fmt: str) -> web.StreamResponse:
    w = await _workshop(page)
    if isinstance(w, web.Response):
        return w
    file, _ = await attendees.export_file(page.services, w.id, page.t, fmt, page.coordinator)
    return page.download(file.content, file.filename)


async def export_csv(page: Page) -> web.StreamResponse:
    return await _export(page, "csv")


async def export_xlsx(page: Page) -> web.StreamResponse:
    return await _export(page, "xlsx")


def install(console: Console) -> None:
    console.get("/workshops", listing)
    console.get("/workshops/new", new_form)
    console.post("/workshops/new", create)
    console.get("/workshops/{id}/edit", edit_form)
    console.post("/workshops/{id}/edit", edit)
    console.post("/workshops/{id}/cancel", cancel)
    console.get("/workshops/{id}/attendees.csv", export_csv)
    console.get("/workshops/{id}/attendees.xlsx", export_xlsx)
