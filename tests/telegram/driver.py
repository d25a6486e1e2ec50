"""Playing a person in a Telegram chat: tap buttons by their engine id, wait for the answer."""

from __future__ import annotations

from typing import Any

from tests.telegram.fake_bot_api import FakeBotApi, Sent


def button_ids(message: Sent) -> list[str]:
    """The engine button ids inside the signed callback tokens (`version.button.mac`)."""
    return [b["callback_data"].split(".")[1] for b in message.buttons()]


def after(api: FakeBotApi, chat: int, count: int, timeout: float = 15.0) -> Sent:
    """Wait until the bot answered with a keyboard after message number `count`."""
    return api.wait_for(lambda: next((m for m in reversed(api.sent(chat)[count:])
                                      if m.buttons()), None), timeout)


def say(api: FakeBotApi, chat: int, text: str, **kwargs: Any) -> Sent:
    count = len(api.sent(chat))
    api.send_text(chat, text, **kwargs)
    return after(api, chat, count)


def tap(api: FakeBotApi, chat: int, button: str, **kwargs: Any) -> Sent:
    """Tap the button with engine id `button` on the latest keyboard; return the next one."""
    message = api.latest_keyboard(chat)
    data = next((b["callback_data"] for b in message.buttons()
                 if b["callback_data"].split(".")[1] == button), None)
    assert data is not None, f"no button {button!r} in {button_ids(message)}: {message.text[:300]}"
    count = len(api.sent(chat))
    api.press(chat, message, data, **kwargs)
    return after(api, chat, count)


def consent_given(api: FakeBotApi, chat: int, language: str = "de") -> Sent:
    """From /start through the menu and the consent to the first pre-screening question."""
    say(api, chat, "/start", language=language)
    for button in ("opt:go", "opt:prescreen", "opt:start"):
        tap(api, chat, button)
    return tap(api, chat, "accept")


def texts(api: FakeBotApi, chat: int, since: int = 0) -> str:
    return "\n".join(m.text for m in api.sent(chat)[since:])
