"""Viber's shapes: keyboards, formatting, callbacks read as the core's messages, settings."""

from __future__ import annotations

import pytest

from bot.channels.viber.api import ViberError, attempt_of
from bot.channels.viber.markup import PRESS, keyboard, to_message, viber_text
from bot.config import SettingsError, load
from bot.core.messages import Button, Kind, Reply, UserRef
from bot.delivery.outcome import Status
from bot.logs import passwords, shown_url

TOKEN = "4a1b2c3d4e5f6a7b-8c9d0e1f2a3b4c5d-6e7f8a9b0c1d2e3f"


def test_a_keyboard_row_is_always_six_columns_and_long_rows_wrap() -> None:
    rows = tuple(
        tuple(Button(f"{n}.{i}", f"x:{n}:{i}") for i in range(n)) for n in (1, 2, 3, 4, 5, 7)
    )
    buttons = keyboard(rows)["Buttons"]
    widths = [b["Columns"] for b in buttons]
    assert widths == [6, 3, 3, 2, 2, 2, 2, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 6]
    assert all(b["ActionType"] == "reply" and b["Silent"] for b in buttons)
    assert buttons[0]["ActionBody"] == PRESS + "x:1:0"


def test_labels_are_escaped_for_vibers_button_markup() -> None:
    [button] = keyboard(((Button("<b>Da</b> & ne", "d:1"),),))["Buttons"]
    assert button["Text"] == "&lt;b&gt;Da&lt;/b&gt; &amp; ne"


def test_telegram_html_becomes_vibers_own_markup() -> None:
    reply = Reply(
        '<b>Радионица</b> у <i>Чачку</i> &amp; <a href="https://skgo.org">SKGO</a>, '
        '<a href="https://icld.se">https://icld.se</a> <s>staro</s> <code>x&lt;y</code>',
        html=True,
    )
    assert viber_text(reply) == (
        "*Радионица* у _Чачку_ & SKGO (https://skgo.org), https://icld.se ~staro~ ```x<y```"
    )
    assert viber_text(Reply("<b>not html</b>")) == "<b>not html</b>"


def _message(text: str, **sender: str) -> dict[str, object]:
    return {"event": "message", "sender": {"id": "u1==", **sender},
            "message": {"type": "text", "text": text}}  # fmt: skip


def test_callbacks_read_as_typed_text_pressed_buttons_or_something_unreadable() -> None:
    typed = to_message(_message("m:faq", name="Ana", language="sr"))
    assert typed is not None and typed.kind is Kind.TEXT and typed.text == "m:faq"
    assert typed.user == UserRef("viber", "u1==") and typed.language_hint == "sr"
    pressed = to_message(_message(PRESS + "m:faq"))
    assert pressed is not None and pressed.kind is Kind.BUTTON and pressed.payload == "m:faq"
    sticker = to_message({"sender": {"id": "u1=="}, "message": {"type": "sticker"}})
    assert sticker is not None and sticker.kind is Kind.UNSUPPORTED
    assert to_message({"message": {"type": "text", "text": "hi"}}) is None
    assert to_message({"sender": {"id": 5}, "message": {"type": "text"}}) is None


def test_what_vibers_statuses_mean_for_a_message() -> None:
    assert attempt_of(ViberError(6, "notSubscribed")).status is Status.UNREACHABLE
    assert attempt_of(ViberError(12, "tooManyRequests")).status is Status.RETRY_AFTER
    assert attempt_of(ViberError(3, "badData")).status is Status.FAILED


def test_viber_settings() -> None:
    settings = load({
        "VIBER_AUTH_TOKEN": TOKEN, "VIBER_WEBHOOK_URL": "https://bot.example.org/viber",
        "VIBER_LISTEN": "0.0.0.0:9000", "VIBER_BOT_NAME": "SKGO partnerstva",
    })  # fmt: skip
    assert settings.messengers == ["viber"]
    assert settings.listen == ("0.0.0.0", 9000)
    assert settings.viber_api_url == "https://chatapi.viber.com/pa"
    assert TOKEN not in repr(settings)
    assert load({}).listen == ("127.0.0.1", 8080)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("VIBER_AUTH_TOKEN", "not a token!", "VIBER_AUTH_TOKEN"),
        ("VIBER_LISTEN", "8443", "host:port"),
        ("VIBER_LISTEN", "localhost:99999", "host:port"),
        ("VIBER_WEBHOOK_URL", "bot.example.org/viber", "VIBER_WEBHOOK_URL"),
        ("VIBER_API_URL", "ftp://x", "VIBER_API_URL"),
        ("VIBER_BOT_NAME", "x" * 29, "28 characters"),
    ],
)
def test_bad_viber_settings_say_what_is_wrong(name: str, value: str, said: str) -> None:
    with pytest.raises(SettingsError, match=said) as caught:
        load({"VIBER_AUTH_TOKEN": TOKEN, name: value})
    assert TOKEN not in str(caught.value)


def test_passwords_in_urls_are_never_shown() -> None:
    assert shown_url("http://bot:s3cret@127.0.0.1:8081/bot") == "http://bot:***@127.0.0.1:8081/bot"
    assert shown_url("https://chatapi.viber.com/pa") == "https://chatapi.viber.com/pa"
    assert passwords("http://a:pw1@h/", "https://h/", "http://[::1") == ["pw1"]
    with pytest.raises(SettingsError) as caught:
        load({"TELEGRAM_API_URL": "ftp://u:hunter2@host/"})
    assert "hunter2" not in str(caught.value)
