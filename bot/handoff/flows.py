"""The asker's and the coordinators' side of a question sent to a person."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.core.context import Context, Services
from bot.core.dialogs.menu import menu
from bot.core.dispatcher import Command, Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Button, Reply, UserRef
from bot.registration.fields import one_line, quoted
from bot.registration.form import municipality_label
from bot.registration.municipalities import all_municipalities
from bot.storage.clock import parse
from bot.storage.dialogs import DialogState
from bot.storage.questions import Question

# Enough for a real conversation, too few to flood the coordinators' inbox.
DAILY_LIMIT = 5
MAX_QUESTION = 2000
INBOX_PAGE = 10


def _cancel_row(ctx: Context, state: DialogState) -> tuple[tuple[Button, ...], ...]:
    return ((ctx.dialog_button(ctx.t.t("button.cancel"), state, "cancel"),),)


async def _limit_reached(ctx: Context) -> bool:
    sent = await ctx.services.questions.sent_since(ctx.msg.user, timedelta(days=1))
    return sent >= DAILY_LIMIT


class AskDialog:
    """A person writes one question for the coordinators."""

    name = "ask"
    resumable = False

    async def start(self, ctx: Context, parent_id: int | None = None) -> list[Reply]:
        if await _limit_reached(ctx):
            return [ctx.with_menu_button(ctx.t.t("handoff.limit", limit=DAILY_LIMIT))]
        state = await ctx.services.dialogs.put(
            ctx.user.id, self.name, "text", {"parent": parent_id}, new_token=True
        )
        prompt = "handoff.prompt_back" if parent_id else "handoff.prompt"
        return [Reply(ctx.t.t(prompt), _cancel_row(ctx, state))]

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        if len(text) > MAX_QUESTION:
            return [
                Reply(
                    _too_long(ctx.t, len(text)),
                    _cancel_row(ctx, state),
                )
            ]
        return await submit(ctx, text, state.data.get("parent"))

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]:
        await ctx.services.dialogs.clear(ctx.user.id)
        return [menu(ctx, "dialog.cancelled")]

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        prompt = "handoff.prompt_back" if state.data.get("parent") else "handoff.prompt"
        return [Reply(ctx.t.t(prompt), _cancel_row(ctx, state))]


def _too_long(t: Translator, length: int) -> str:
    return t.t("handoff.too_long", length=t.characters(length), limit=t.characters(MAX_QUESTION))


async def submit(ctx: Context, text: str, parent_id: int | None = None) -> list[Reply]:
    """Stores the question, then tells the asker and every coordinator."""
    if len(text) > MAX_QUESTION:
        await ctx.services.dialogs.clear(ctx.user.id)
        too_long = _too_long(ctx.t, len(text))
        return [ctx.with_menu_button(too_long)]
    if await _limit_reached(ctx):
        await ctx.services.dialogs.clear(ctx.user.id)
        return [ctx.with_menu_button(ctx.t.t("handoff.limit", limit=DAILY_LIMIT))]
    async with ctx.atomic():  # stored with its notices, or not at all
        question = await ctx.services.questions.add(ctx.user.id, text, ctx.locale, parent_id)
        await ctx.services.questions.note_sent(ctx.msg.user)
        await ctx.services.dialogs.clear(ctx.user.id)
        for coordinator in sorted(ctx.services.settings.coordinators, key=str):
            t = await ctx.translator_for(coordinator)
            notice = await _for_coordinator(ctx, t, question)
            await ctx.services.notices.add(ctx.user.id, coordinator, notice)
    return [menu(ctx, "handoff.sent")]


async def _for_coordinator(ctx: Context, t: Translator, q: Question) -> Reply:
    asked = t.datetime(parse(q.created_at), ctx.services.settings.timezone)
    text = t.t(
        "handoff.notify", number=q.id, name=one_line(q.asker_name) or str(q.asker),
        asker=str(q.asker), asked=asked, question=quoted(q.text),
    )  # fmt: skip
    registered = await ctx.services.registrations.of_user(q.user_id)
    places = {r.registration.municipality for r in registered} & all_municipalities().keys()
    if places:
        names = sorted(municipality_label(all_municipalities()[code], t) for code in places)
        text += "\n" + t.t("handoff.notify_municipality", municipality=", ".join(names))
    if q.parent_id is not None:
        parent = await ctx.services.questions.get(q.parent_id)
        if parent is not None and parent.answer:
            text += "\n\n" + t.t("handoff.notify_context", answer=parent.answer)
    buttons = (
        Button(t.t("handoff.button_reply"), f"q:reply:{q.id}"),
        Button(t.t("handoff.button_done"), f"q:done:{q.id}"),
    )
    return Reply(text, (buttons,))


class AnswerDialog:
    """A coordinator writes the answer to one question."""

    name = "answer"
    resumable = False

    async def start(self, ctx: Context, question: Question) -> list[Reply]:
        state = await ctx.services.dialogs.put(
            ctx.user.id, self.name, "text", {"question": question.id}, new_token=True
        )
        text = ctx.t.t("handoff.reply_prompt", number=question.id, question=quoted(question.text))
        return [Reply(text, _cancel_row(ctx, state))]

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        services = ctx.services
        if not ctx.coordinator:
            # rights are checked at every step: they may have been taken away since Reply
            await services.dialogs.clear(ctx.user.id)
            return [ctx.with_menu_button(ctx.t.t("coordinator.only", command="/inbox"))]
        number = int(state.data["question"])
        question = await services.questions.get(number)
        if question is None:
            # the asker erased their data (/forget): the question went with it
            await services.dialogs.clear(ctx.user.id)
            gone = ctx.t.t("handoff.asker_gone", number=number, answer=text)
            return [ctx.with_menu_button(gone)]
        t = await ctx.translator_for(question.asker)
        async with ctx.atomic():  # answered, recorded and on its way to the asker, or none
            answered = await record_answer(services, t, question, text, ctx.msg.user)
            await services.dialogs.clear(ctx.user.id)
        if not answered:
            # a colleague answered or closed it meanwhile: what was typed is not lost
            closed = ctx.t.t("handoff.closed_meanwhile", number=number, answer=text)
            return [ctx.with_menu_button(closed)]
        name = question.asker_name or str(question.asker)
        return [ctx.with_menu_button(ctx.t.t("handoff.reply_sent", name=name))]

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]:
        await ctx.services.dialogs.clear(ctx.user.id)
        return [menu(ctx, "dialog.cancelled")]

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        question = await ctx.services.questions.get(int(state.data["question"]))
        if question is None or not ctx.coordinator:
            await ctx.services.dialogs.clear(ctx.user.id)
            return [menu(ctx)]
        return await self.start(ctx, question)


async def record_answer(
    services: Services, t: Translator, question: Question, text: str, coordinator: UserRef
) -> bool:
    """The answer stored, audited and written as a notice to the asker (in `t`, theirs); False
    if a colleague answered or closed the question first. The chat and the web console both
    answer through here, inside their own transaction: all of it or none."""
    if not await services.questions.answer(question.id, text, coordinator):
        return False
    await services.audit.record(coordinator, "answer", question.id)
    buttons: tuple[tuple[Button, ...], ...] = ()
    if question.parent_id is None:
        buttons = ((Button(t.t("handoff.button_back"), f"q:back:{question.id}"),),)
    answer = t.t("handoff.answer", question=question.text, answer=text)
    await services.notices.add(question.user_id, question.asker, Reply(answer, buttons))
    return True


ASK = AskDialog()
ANSWER = AnswerDialog()


async def ask(ctx: Context) -> list[Reply]:
    return await ASK.start(ctx)


async def on_question_button(ctx: Context, rest: str) -> list[Reply]:
    """q:reply:N and q:done:N (coordinators), q:back:N (the asker)."""
    action, _, number = rest.partition(":")
    if action != "back" and not ctx.coordinator:
        # before any look-up: the answer must not tell which question numbers exist
        return [ctx.with_menu_button(ctx.t.t("coordinator.only", command="/inbox"))]
    valid = re.fullmatch(r"[0-9]{1,12}", number) is not None
    question = await ctx.services.questions.get(int(number)) if valid else None
    if question is None or (action == "back" and question.user_id != ctx.user.id):
        # someone else's question reads as no question at all
        return [menu(ctx, "button.expired")]
    if action == "back":
        if question.followed_up:
            return [ctx.with_menu_button(ctx.t.t("handoff.back_used"))]
        return await ASK.start(ctx, parent_id=question.id)
    if question.status != "open":
        return [ctx.with_menu_button(ctx.t.t("handoff.already_handled"))]
    if action == "reply":
        return await ANSWER.start(ctx, question)
    if action == "done" and await ctx.services.questions.close(question.id, ctx.msg.user):
        await ctx.services.audit.record(ctx.msg.user, "close", question.id)
        return [ctx.with_menu_button(ctx.t.t("handoff.closed", number=question.id))]
    return [menu(ctx, "button.expired")]


async def inbox(ctx: Context) -> list[Reply]:
    questions, total = await ctx.services.questions.open(INBOX_PAGE)
    if not questions:
        return [ctx.with_menu_button(ctx.t.t("handoff.inbox_empty"))]
    replies = [Reply(ctx.t.tn("handoff.inbox", "handoff.inbox_plural", total))]
    for q in questions:
        replies.append(await _for_coordinator(ctx, ctx.t, q))
    if total > len(questions):
        replies.append(Reply(ctx.t.t("handoff.inbox_more", shown=len(questions), total=total)))
    return replies


def install(dispatcher: Dispatcher) -> None:
    dispatcher.add_dialog(ASK)
    dispatcher.add_dialog(ANSWER)
    dispatcher.menu_entries["m:ask"] = ask
    dispatcher.prefixes["q"] = on_question_button
    dispatcher.add_command(Command("ask", ask, "cmd.ask"))
    dispatcher.add_command(Command("inbox", inbox, "cmd.inbox", coordinator_only=True))
