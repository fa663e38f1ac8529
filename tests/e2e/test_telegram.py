"""The real application over HTTP against a loopback Bot API double."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.core.messages import UserRef
from tests.e2e.conftest import COORDINATOR
from tests.telegram_double import BotApiDouble, SentMessage


def labels(message: SentMessage) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


def payload(message: SentMessage, label: str) -> str:
    for row in message.buttons:
        for text, data in row:
            if label in text and data:
                return data
    raise AssertionError(f"no button {label!r} in {labels(message)}")


async def test_start_language_choice_and_menu_in_each_locale(
    api: BotApiDouble, telegram_bot: App
) -> None:
    cases = [
        (101, "sr", "Ћирилица", "Изаберите језик", "Питања"),
        (102, "sr", "Latinica", "Изаберите језик", "Pitanja"),
        (103, "de", "English", "Choose your language", "Questions"),
    ]
    for user, hint, choice, greeting, first_entry in cases:
        api.user_text(user, "/start", language_code=hint)
        [welcome] = await api.wait_for_sent(user, 1)
        assert greeting in welcome.text
        api.user_press(user, payload(welcome, choice), language_code=hint)
        sent = await api.wait_for_sent(user, 2)
        menu = sent[-1]
        assert labels(menu)[0] == first_entry
        await api.wait_for_call(
            "answerCallbackQuery", lambda c: c.params.get("callback_query_id") is not None
        )


async def test_the_hint_preselects_a_script(api: BotApiDouble, telegram_bot: App) -> None:
    api.user_text(201, "/start", language_code="sr")
    api.user_text(202, "/start", language_code="hr")
    api.user_text(203, "/start", language_code=None)
    assert labels((await api.wait_for_sent(201, 1))[0]) == ["✓ Ћирилица", "Latinica", "English"]
    assert labels((await api.wait_for_sent(202, 1))[0]) == ["Ћирилица", "✓ Latinica", "English"]
    assert labels((await api.wait_for_sent(203, 1))[0]) == ["Ћирилица", "Latinica", "✓ English"]


async def test_a_latin_message_gets_a_latin_reply(api: BotApiDouble, telegram_bot: App) -> None:
    api.user_text(301, "zdravo, sta mozes da uradis?", language_code="sr")
    [reply] = await api.wait_for_sent(301, 1)
    assert labels(reply)[-1] == "Meni"
    api.user_text(301, "Здраво, шта можеш?", language_code="sr")
    reply = (await api.wait_for_sent(301, 2))[-1]
    assert labels(reply)[-1] == "Мени"


async def test_non_text_edits_groups_and_expired_buttons(
    api: BotApiDouble, telegram_bot: App
) -> None:
    api.user_sticker(401)
    [reply] = await api.wait_for_sent(401, 1)
    assert "текст и дугмад" in reply.text
    api.user_photo(401, caption="evo slike")
    reply = (await api.wait_for_sent(401, 2))[-1]
    assert "текст и дугмад" in reply.text

    api.user_edit(401, reply.message_id, "changed my mind")
    api.user_press(401, "d:deadbe:yes")
    expired = (await api.wait_for_sent(401, 3))[-1]
    assert "дугме је истекло" in expired.text, "the edit was ignored, the stale button expired"
    assert len(api.sent(401)) == 3

    # a group's own talk, another bot's command and service messages are not the bot's
    # business; addressed, it says once that it works in private chats, then stays quiet
    api.user_text(402, "ko ide na radionicu?", chat_type="group", chat_id=-5000)
    api.user_text(402, "/start@other_bot", chat_type="group", chat_id=-5000)
    api.push_raw({"message": {
        "message_id": 900, "date": 0, "chat": {"id": -5000, "type": "group", "title": "G"},
        "from": {"id": 402, "is_bot": False, "first_name": "Ana"},
        "new_chat_members": [{"id": 403, "is_bot": False, "first_name": "Bo"}],
    }})  # fmt: skip
    username = "partnerbot_test_bot"
    api.user_text(402, f"/start@{username}", chat_type="group", chat_id=-5000)
    [group] = await api.wait_for_sent(-5000, 1)
    assert "приватним разговорима" in group.text
    api.user_text(402, f"@{username} zdravo", chat_type="group", chat_id=-5000)
    api.user_text(403, "/help", chat_type="group", chat_id=-5000)
    api.user_text(403, "hi", language_code="en")  # in private: answered, and after the group's
    await api.wait_for_sent(403, 1)
    assert len(api.sent(-5000)) == 1


async def test_long_text_is_refused_politely(api: BotApiDouble, telegram_bot: App) -> None:
    api.user_text(501, "a" * 4097, language_code="en")
    [reply] = await api.wait_for_sent(501, 1)
    assert "too long" in reply.text


async def test_commands_are_registered_in_each_language(
    api: BotApiDouble, telegram_bot: App
) -> None:
    english = dict(api.commands(None))
    assert english["language"] == "Change language or script"
    assert "stats" not in english
    assert dict(api.commands("sr"))["language"] == "Промена језика или писма"
    assert dict(api.commands("hr"))["language"] == "Promena jezika ili pisma"


async def test_coordinator_commands_only_for_coordinators(
    api: BotApiDouble, telegram_bot: App
) -> None:
    api.user_text(601, "/stats", language_code="en")
    [refused] = await api.wait_for_sent(601, 1)
    assert "coordinators only" in refused.text
    api.user_text(COORDINATOR, "/stats", language_code="en")
    [stats] = await api.wait_for_sent(COORDINATOR, 1)
    assert "have written to the bot" in stats.text


async def test_a_user_who_blocked_the_bot_is_marked(api: BotApiDouble, telegram_bot: App) -> None:
    api.blocked_users.add(701)
    api.user_text(701, "/start", language_code="en")
    await api.wait_for_call("sendMessage", lambda c: c.params.get("chat_id") == 701)
    for _ in range(50):
        user = await telegram_bot.services.users.get(UserRef("telegram", "701"))
        if user is not None and user.blocked:
            break
        await asyncio.sleep(0.02)
    assert user is not None and user.blocked
