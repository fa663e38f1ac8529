"""Turning a question into what the bot says: answer, "did you mean…", or "I don't know"."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.messages import Button, Reply
from bot.faq.knowledge import FAQ_DIR, KnowledgeBase, KnowledgeError, Topic, check, load
from bot.faq.matching import Decision, Match, Matcher
from bot.storage.workshops import Workshop
from bot.workshops.view import details_button, line

log = logging.getLogger(__name__)

# Topics about something the bot does get a button that does it.
# topics whose button subscribes: not offered twice beside the subscribe button
SUBSCRIBE_TOPICS = frozenset({"bot.subscribe"})
ACTIONS = {
    "bot.register": ("menu.register", "m:register"),
    "bot.language": ("menu.language", "m:language"),
    "bot.subscribe": ("faq.subscribe_button", "sub:on"),
    "contact": ("menu.ask", "m:ask"),
}


@dataclass(frozen=True)
class Loaded:
    kb: KnowledgeBase
    matcher: Matcher


class Faq:
    """The knowledge base and its index; reloading swaps both at once or keeps the old."""

    def __init__(self, directory: Path = FAQ_DIR, kb: KnowledgeBase | None = None) -> None:
        """`kb`: the knowledge base already loaded (the benchmarks' cross-validation cuts one
        down); otherwise it is read from `directory`."""
        self.directory = directory
        kb = kb or load(directory)
        self._loaded = Loaded(kb, Matcher(kb))

    @property
    def kb(self) -> KnowledgeBase:
        return self._loaded.kb

    def match(self, text: str) -> Match:
        return self._loaded.matcher.match(text)

    def offer(self, match: Match) -> tuple[str, ...]:
        """The topics worth a "did you mean" button: the best and the close ones."""
        return self._loaded.matcher.offer(match)

    def reload(self) -> list[str]:
        """Problems found; on a fatal one the knowledge base in use stays as it was."""
        problems = check(self.directory)
        try:
            kb = load(self.directory)
        except KnowledgeError as exc:
            log.warning("FAQ not reloaded: %s", exc)
            return problems or exc.problems
        self._loaded = Loaded(kb, Matcher(kb))
        log.info("FAQ reloaded: %d topics", len(kb.topics))
        return problems


def topic_button(topic: Topic, locale: Locale) -> Button:
    return Button(topic.text(locale).title, f"f:{topic.id}")


def answer(
    faq: Faq,
    topic: Topic,
    t: Translator,
    zone: tzinfo,
    workshops: list[Workshop],
    subscribed: bool = False,
) -> Reply:
    """A topic's answer, with its related topics as buttons."""
    text = topic.text(t.locale)
    # no workshop: one thing said ("none scheduled"), not a list header over nothing
    none_scheduled = topic.live == "workshops" and not workshops
    parts = [text.title] if none_scheduled else [text.title, text.answer.strip()]
    if topic.live == "workshops":
        parts.append(_workshops(t, zone, workshops, subscribed))
    if topic.links:
        parts.append("\n".join(topic.links))
    related = [faq.kb.resolve(r) for r in topic.related]
    if none_scheduled:
        # the subscribe button below does what that topic's own button does
        related = [r for r in related if r is None or r.id not in SUBSCRIBE_TOPICS]
    buttons = [topic_button(r, t.locale) for r in related if r is not None]
    if none_scheduled and not subscribed:
        buttons.insert(0, Button(t.t("faq.subscribe_button"), "sub:on"))
    if topic.live == "workshops":
        buttons[:0] = [details_button(w, t) for w in workshops]
    if topic.id in ACTIONS:
        label, payload = ACTIONS[topic.id]
        buttons.insert(0, Button(t.t(label), payload))
    rows = (*tuple((b,) for b in buttons), (Button(t.t("button.menu"), "menu"),))
    return Reply("\n\n".join(p for p in parts if p), rows)


def _workshops(t: Translator, zone: tzinfo, workshops: list[Workshop], subscribed: bool) -> str:
    if not workshops:
        return t.t("faq.no_workshops_subscribed") if subscribed else t.t("faq.no_workshops")
    # the menu's list says it the same way (an English title left empty reads in Latin)
    return "\n".join(line(w, t, zone) for w in workshops)


def offered(faq: Faq, match: Match) -> list[Topic]:
    """The topics a "did you mean" shows as buttons, at most three."""
    topics = (faq.kb.resolve(tid) for tid in faq.offer(match))
    return [tp for tp in topics if tp is not None][:3]


def clarify(faq: Faq, match: Match, t: Translator) -> Reply:
    rows = tuple((topic_button(tp, t.locale),) for tp in offered(faq, match))
    return Reply(t.t("faq.did_you_mean"), (*rows, (Button(t.t("button.menu"), "menu"),)))


def render(
    faq: Faq,
    match: Match,
    t: Translator,
    zone: tzinfo,
    workshops: list[Workshop],
    subscribed: bool = False,
) -> Reply:
    """What the bot says for a match, without the chat's buttons for "I don't know"."""
    topic = faq.kb.resolve(match.topic) if match.topic else None
    if match.decision is Decision.ANSWER and topic is not None:
        return answer(faq, topic, t, zone, workshops, subscribed)
    if match.decision is Decision.CLARIFY and topic is not None:
        return clarify(faq, match, t)
    return Reply(t.t("faq.unknown"))
