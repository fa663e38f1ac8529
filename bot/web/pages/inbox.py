"""The inbox: open questions oldest first, each beside the person's history; an answer written
here reaches the person in their chat. The same questions as the chat's /inbox: whichever side
answers or closes one first, the other finds it handled."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.context import reader_locale
from bot.core.dialogs.menu import MESSENGER_NAMES
from bot.core.numbers import number as parse_number
from bot.handoff.flows import record_answer
from bot.registration.fields import one_line
from bot.registration.form import municipality_label
from bot.registration.municipalities import all_municipalities
from bot.storage.clock import parse
from bot.storage.db import transaction
from bot.storage.questions import Question
from bot.web import changes

if TYPE_CHECKING:
    from bot.web.console import Console, Page

PAGE_SIZE = 20
EARLIER = 5
LATEST = 10
# a few lines more than a chat message; the messenger splits what is longer than its limit
MAX_ANSWER = 4000


@dataclass(frozen=True)
class Card:
    """One open question as the page shows it."""

    question: Question
    name: str
    messenger: str
    asked: str
    municipality: str
    context: str | None  # the answer a follow-up replies to
    earlier: list[tuple[Question, str]]  # the person's other questions, when each was asked


@dataclass(frozen=True)
class Problem:
    """Why a form changed nothing; what was typed is shown again, not lost."""

    status: int
    message: str
    typed: str = ""
    question: int | None = None  # whose answer box gets `typed` back


def _name(q: Question) -> str:
    return one_line(q.asker_name) or str(q.asker)


async def _cards(page: Page, questions: list[Question]) -> list[Card]:
    t, services = page.t, page.services
    zone = services.settings.timezone
    places = all_municipalities()
    # for every asker on the page at once: one person may have several questions waiting
    askers = {q.user_id for q in questions}
    history = await services.questions.of_users(askers)
    registered = await services.registrations.municipalities_of(askers)
    cards = []
    for q in questions:
        theirs = history[q.user_id]
        context = None
        if q.parent_id is not None:
            # an answer back is always to the same person's question
            parent = next((p for p in theirs if p.id == q.parent_id), None)
            context = parent.answer if parent is not None else None
        others = [p for p in reversed(theirs) if p.id != q.id][:EARLIER]
        codes = registered[q.user_id] & places.keys()
        cards.append(
            Card(
                question=q, name=_name(q),
                messenger=MESSENGER_NAMES.get(q.asker.messenger) or t.t("stats.console"),
                asked=t.datetime(parse(q.created_at), zone),
                municipality=", ".join(sorted(municipality_label(places[c], t) for c in codes)),
                context=context,
                earlier=[(p, t.datetime(parse(p.created_at), zone)) for p in others],
            )
        )  # fmt: skip
    return cards


async def _show(
    page: Page, number: int, notice: str = "", problem: Problem | None = None
) -> web.StreamResponse:
    _, total = await page.services.questions.open(0)  # only the count
    pages = max(1, math.ceil(total / PAGE_SIZE))
    # questions answered meanwhile may have emptied the last pages: show the last one left
    number = min(number, pages)
    found, _ = await page.services.questions.open(PAGE_SIZE, PAGE_SIZE * (number - 1))
    cards = await _cards(page, found)
    # what was typed goes back into its question's box, or, where that is not on this page,
    # is shown with the message
    drafts: dict[int, str] = {}
    if problem and problem.question in {c.question.id for c in cards}:
        drafts[problem.question] = problem.typed
    return page.render(
        "inbox.html", status=problem.status if problem else 200,
        title=page.t.t("web.inbox.title"), cards=cards,
        total=total, number=number, pages=pages, notice=notice, problem=problem, drafts=drafts,
        latest=await changes.latest(page, ("answer", "close"), LATEST), max_answer=MAX_ANSWER,
        answer_limit=page.t.characters(MAX_ANSWER),
    )  # fmt: skip


async def _confirmation(page: Page, done: str, number: str) -> str:
    """What ?done= says: from the stored question, never from the address's own text."""
    found = parse_number(number)
    q = await page.services.questions.get(found) if found is not None else None
    if q is None or q.status != done or done not in ("answered", "closed"):
        return ""
    if done == "answered":
        return page.t.t("web.inbox.done_answered", number=q.id, name=_name(q))
    return page.t.t("web.inbox.done_closed", number=q.id)


async def inbox(page: Page) -> web.StreamResponse:
    query = page.request.query
    number = parse_number(query.get("page", "1"))
    if not number:
        return page.console.message(page.t, 400, "web.bad_form.title", "web.bad_form.text", page)
    notice = await _confirmation(page, query.get("done", ""), query.get("q", ""))
    return await _show(page, number, notice=notice)


async def _question(page: Page, form: dict[str, str], typed: str) -> Question | Problem:
    """The question the form names, or why there is none to act on."""
    t = page.t
    number = parse_number(form.get("question", ""))
    if number is None:
        return Problem(400, t.t("web.inbox.no_question"), typed)
    question = await page.services.questions.get(number)
    if question is not None:
        return question
    if await page.services.questions.was_numbered(number):
        return Problem(410, t.t("web.inbox.asker_gone", number=number), typed)
    return Problem(404, t.t("web.inbox.unknown", number=number), typed)


def _back(form: dict[str, str]) -> int:
    return parse_number(form.get("page", "")) or 1


def _done(page: Page, form: dict[str, str], done: str, question: Question) -> web.StreamResponse:
    back = _back(form)
    at = f"page={back}&" if back > 1 else ""
    return page.redirect(f"/inbox?{at}done={done}&q={question.id}")


async def answer(page: Page) -> web.StreamResponse:
    t, services = page.t, page.services
    form = await page.form()
    # browsers send line breaks as CRLF; the chats have LF
    text = form.get("answer", "").replace("\r\n", "\n").strip()
    question = await _question(page, form, text)
    if isinstance(question, Problem):
        return await _show(page, _back(form), problem=question)
    if not text:
        problem = Problem(400, t.t("web.inbox.empty", number=question.id))
        return await _show(page, _back(form), problem=problem)
    if len(text) > MAX_ANSWER:
        too_long = t.t("web.inbox.too_long", length=t.characters(len(text)),
                       limit=t.characters(MAX_ANSWER))  # fmt: skip
        return await _show(page, _back(form), problem=Problem(400, too_long, text, question.id))
    # the notice is written in the asker's language, as the chat writes it
    reader = services.i18n[reader_locale(await services.users.get(question.asker))]
    async with transaction(services.db):
        answered = await record_answer(services, reader, question, text, page.coordinator)
    if not answered:
        first = t.t("web.inbox.colleague_first", number=question.id)
        return await _show(page, _back(form), problem=Problem(409, first, text))
    page.console.app.notifier.kick()  # out now, not at the next message someone sends
    return _done(page, form, "answered", question)


async def close(page: Page) -> web.StreamResponse:
    services = page.services
    form = await page.form()
    question = await _question(page, form, "")
    if isinstance(question, Problem):
        return await _show(page, _back(form), problem=question)
    async with transaction(services.db):
        closed = await services.questions.close(question.id, page.coordinator)
        if closed:
            await services.audit.record(page.coordinator, "close", question.id)
    if not closed:
        handled = page.t.t("web.inbox.colleague_handled", number=question.id)
        return await _show(page, _back(form), problem=Problem(409, handled))
    return _done(page, form, "closed", question)


def install(console: Console) -> None:
    console.get("/inbox", inbox)
    console.post("/inbox/answer", answer)
    console.post("/inbox/close", close)
