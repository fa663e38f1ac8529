"""The "Add to calendar" file: one event in iCalendar (RFC 5545), as Google Calendar, Outlook
and phones' calendars import it."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.core.i18n import Translator
from bot.storage.workshops import Workshop
from bot.workshops import view

PRODID = "-//SKGO//partnerbot//EN"


def uid(w: Workshop) -> str:
    # stable across downloads: importing the file again updates the event instead of adding
    # a second one
    return f"workshop-{w.id}@partnerbot"


def ics(w: Workshop, t: Translator, zone: ZoneInfo) -> bytes:
    """The workshop as one event at its local time, with the zone's rules inside the file:
    RFC 5545 wants a VTIMEZONE for every TZID, and Outlook takes the rules from it rather
    than from the zone's name."""
    # imported here: every start of the bot and of its commands would pay for it otherwise
    from icalendar import Calendar, Event, Timezone

    start, end = w.starts_at.astimezone(zone), w.ends_at.astimezone(zone)
    place = view.place(w, t) if (w.place_sr or w.place_en) else ""
    online = t.t("workshop.online", link=w.link) if w.link else ""
    description = "\n\n".join(
        p for p in (view.localized(t, w.description_sr, w.description_en), online) if p
    )
    event = Event.new(
        uid=uid(w),
        start=start,
        end=end,
        summary=view.title(w, t),
        location=place or w.link or None,
        description=description or None,
        url=w.link or None,
    )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # the transitions of the workshop's years only: the whole 1970-2038 history would make
    # the file ten times longer for nothing
    calendar.add_component(
        Timezone.from_tzinfo(
            zone, first_date=date(start.year, 1, 1), last_date=date(end.year + 1, 1, 1)
        )
    )
    calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content
