"""Audiences select the right people: subscribers narrowed by one criterion, or attendees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.announcements import audience as audiences
from bot.app import App
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.registration.fields import CONSENT_VERSION
from bot.storage.registrations import Registration

# (id, locale, subscribed, municipality, areas, stage)
PEOPLE = (
    ("1", Locale.SR_CYRL, True, "nis", ("eu",), "looking"),
    ("2", Locale.SR_LATN, True, "cacak", ("environment", "eu"), "has_partner"),
    ("3", Locale.EN, True, "", (), ""),
    ("4", Locale.SR_CYRL, False, "nis", ("eu",), "looking"),  # not subscribed
    ("5", Locale.SR_LATN, True, "pirot", ("social",), "exploring"),
)


async def _people(app: App) -> dict[str, int]:
    ids = {}
    for ident, locale, subscribed, municipality, areas, stage in PEOPLE:
        user = await app.services.users.seen(UserRef("console", ident), f"P{ident}")
        await app.services.users.set_locale(user.id, locale)
        await app.services.users.set_subscribed(user.id, subscribed)
        if municipality:
            await app.services.registrations.save(
                user.id,
                Registration(
                    municipality=municipality, name="Ana Anić", position="mayor",
                    position_other="", email="a@b.rs", phone="", areas=areas, stage=stage,
                    announcements=subscribed, consent_version=CONSENT_VERSION,
                    locale=locale.value,
                ),
            )  # fmt: skip
        ids[ident] = user.id
    return ids


async def _who(app: App, spec: str, ids: dict[str, int]) -> set[str]:
    sql, params = audiences.recipients_sql(audiences.parse(spec))
    rows = await app.services.db.execute_fetchall(sql, params)
    by_id = {v: k for k, v in ids.items()}
    found = {by_id[r[0]] for r in rows}
    assert len(found) == await audiences.count(app.services.db, audiences.parse(spec))
    return found


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("all", {"1", "2", "3", "5"}),
        ("Svi", {"1", "2", "3", "5"}),
        ("municipality:nis", {"1"}),
        ("municipality:Čačak,pirot", {"2", "5"}),
        ("district:nisavski", {"1"}),
        ("district:Пиротски округ", {"5"}),
        ("area:eu", {"1", "2"}),
        ("area:environment,social", {"2", "5"}),
        ("stage:looking", {"1"}),
        ("locale:sr-Latn", {"2", "5"}),
        ("locale:en,sr-Cyrl", {"1", "3"}),
    ],
)
async def test_each_criterion_selects_subscribers_only(
    app: App, spec: str, expected: set[str]
) -> None:
    ids = await _people(app)
    assert await _who(app, spec, ids) == expected


async def test_a_workshops_audience_is_those_coming_subscribed_or_not(app: App) -> None:
    ids = await _people(app)
    wid = await app.services.workshops.add("Р", "", datetime(2031, 1, 1, tzinfo=UTC))
    await app.services.attendance.join(wid, ids["4"])
    await app.services.attendance.join(wid, ids["1"])
    await app.services.workshops.update(wid, capacity=1)
    await app.services.attendance.join(wid, ids["2"])  # full: waiting, not among "those coming"
    assert await _who(app, f"workshop:{wid}", ids) == {"4", "1"}


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("town:nis", "audience.unknown_key"),
        ("district:", "audience.no_value"),
        ("district:Marsovski", "audience.unknown_district"),
        ("district:s", "audience.unknown_district"),  # several start with "s"
        ("area:sport", "audience.unknown_area"),
        ("stage:done", "audience.unknown_stage"),
        ("locale:fr", "audience.unknown_locale"),
        ("workshop:abc", "audience.unknown_workshop"),
        ("municipality:Stockholm", "audience.unknown_municipality"),
    ],
)
def test_what_is_not_understood_is_refused_not_guessed(spec: str, reason: str) -> None:
    with pytest.raises(audiences.AudienceError) as caught:
        audiences.parse(spec)
    assert caught.value.reason == reason
