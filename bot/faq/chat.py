"""The FAQ in the chat: free-text questions, browsing by category, topic buttons."""

from __future__ import annotations

import asyncio
import re

from bot.core.context import Context
from bot.core.dialogs.menu import menu
from bot.core.dispatcher import Command, Dispatcher
from bot.core.messages import Button, Reply
from bot.core.numbers import number
from bot.faq.answers import Faq, answer, render, topic_button
from bot.faq.matching import Decision
from bot.faq.smalltalk import SmallTalk, small_talk
from bot.handoff import flows as handoff
from bot.storage.asked import ANSWERED, DECLINED, SMALL_TALK, SUGGESTED
from bot.storage.workshops import Workshop

TOPICS_PER_PAGE = 8


class FaqChat:
    def __init__(self, faq: Faq) -> None:
        self.faq = faq

    def install(self, dispatcher: Dispatcher) -> None:
        dispatcher.on_question = self.on_question
        dispatcher.menu_entries["m:faq"] = self.categories
        dispatcher.menu_entries["m:workshops"] = self.workshops
        dispatcher.prefixes["f"] = self.on_topic
        dispatcher.prefixes["fc"] = self.on_category
        dispatcher.prefixes["ho"] = self.send_offered
        dispatcher.add_command(Command("faq", self.categories, "cmd.faq"))
        dispatcher.add_command(Command("reload", self.reload, "cmd.reload", coordinator_only=True))

    async def _upcoming(self, ctx: Context, topic_live: str | None) -> list[Workshop]:
        if topic_live != "workshops":
            return []
        return await ctx.services.workshops.upcoming()

    async def on_question(self, ctx: Context, text: str) -> list[Reply]:
        asked = ctx.services.asked
        talk = small_talk(text)
        if talk is not None:
            await asked.record(ctx.user.id, SMALL_TALK, "", ctx.locale, text)
        if talk is SmallTalk.THANKS:
            return [menu(ctx, "smalltalk.thanks")]
        if talk is SmallTalk.HELLO:
            return [menu(ctx, "smalltalk.hello")]
        if talk is SmallTalk.OK:
            return [menu(ctx, "smalltalk.ok")]
        if talk is SmallTalk.BYE:
            return [ctx.with_menu_button(ctx.t.t("smalltalk.bye"))]
        if talk is SmallTalk.WHO:
            return [menu(ctx, "welcome.new")]
        match = self.faq.match(text)
        topic = self.faq.kb.resolve(match.topic) if match.topic else None
        if match.decision is Decision.UNKNOWN or topic is None:
            await asked.record(ctx.user.id, DECLINED, "", ctx.locale, text)
            return [await self.offer(ctx, text)]
        outcome = SUGGESTED if match.decision is Decision.CLARIFY else ANSWERED
        # a "did you mean" offers the match's own topic first
        await asked.record(ctx.user.id, outcome, topic.id, ctx.locale, text)
        workshops = await self._upcoming(ctx, topic.live)
        zone, subscribed = ctx.services.settings.timezone, ctx.user.subscribed
        return [render(self.faq, match, ctx.t, zone, workshops, subscribed)]

    async def offer(self, ctx: Context, text: str) -> Reply:
        """ "I don't know", and one press sends the question as written, for a day, whatever
        the person does in between."""
        offer_id = await ctx.services.offers.add(ctx.user.id, text)
        rows = (
            (Button(ctx.t.t("faq.send_to_coordinator"), f"ho:{offer_id}"),),
            (Button(ctx.t.t("faq.browse"), "m:faq"), ctx.menu_button()),
        )
        return Reply(ctx.t.t("faq.unknown"), rows)

    async def send_offered(self, ctx: Context, arg: str) -> list[Reply]:
        # someone else's offer, an old one and a forged number all read the same
        offer = number(arg)
        text = await ctx.services.offers.take(offer, ctx.user.id) if offer is not None else None
        if text is None:
            return [menu(ctx, "button.expired")]
        return await handoff.submit(ctx, text)

    async def on_topic(self, ctx: Context, topic_id: str) -> list[Reply]:
        topic = self.faq.kb.resolve(topic_id)
        if topic is None:
            return await self.categories(ctx)
        workshops = await self._upcoming(ctx, topic.live)
        zone, subscribed = ctx.services.settings.timezone, ctx.user.subscribed
        return [answer(self.faq, topic, ctx.t, zone, workshops, subscribed)]

    async def workshops(self, ctx: Context) -> list[Reply]:
        return await self.on_topic(ctx, "workshop.upcoming")

    async def categories(self, ctx: Context) -> list[Reply]:
        titles = self.faq.kb.category_titles[ctx.locale]
        rows = (
            *tuple((Button(titles.get(c, c), f"fc:{c}:0"),) for c in self.faq.kb.categories),
            (ctx.menu_button(),),
        )
        return [Reply(ctx.t.t("faq.categories"), rows)]

    async def on_category(self, ctx: Context, rest: str) -> list[Reply]:
        category, _, page_text = rest.partition(":")
        topics = self.faq.kb.in_category(category)
        if not topics:
            return await self.categories(ctx)
        pages = (len(topics) + TOPICS_PER_PAGE - 1) // TOPICS_PER_PAGE
        page = min(int(page_text), pages - 1) if re.fullmatch(r"[0-9]{1,4}", page_text) else 0
        shown = topics[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE]
        rows: list[tuple[Button, ...]] = [(topic_button(tp, ctx.locale),) for tp in shown]
        nav = []
        if page > 0:
            nav.append(Button(ctx.t.t("faq.previous"), f"fc:{category}:{page - 1}"))
        if page < pages - 1:
            nav.append(Button(ctx.t.t("faq.next"), f"fc:{category}:{page + 1}"))
        if nav:
            rows.append(tuple(nav))
        rows.append((Button(ctx.t.t("faq.all_categories"), "m:faq"), ctx.menu_button()))
        title = self.faq.kb.category_titles[ctx.locale].get(category, category)
        return [Reply(title, tuple(rows))]

    async def reload(self, ctx: Context) -> list[Reply]:
        # building the index takes seconds: in a thread, so that others' replies go on
        problems = await asyncio.to_thread(self.faq.reload)
        await ctx.services.audit.record(ctx.msg.user, "reload", len(self.faq.kb.topics))
        topics = ctx.t.tn("count.topics", "count.topics_plural", len(self.faq.kb.topics))
        text = ctx.t.t("faq.reloaded", topics=topics)
        if problems:
            text += "\n\n" + ctx.t.t("faq.reload_problems") + "\n" + "\n".join(problems[:20])
        return [Reply(text)]
