"""Full conversations over real HTTP: python-telegram-bot against the tests' Bot API server."""

from __future__ import annotations

import sqlite3

import pytest

from bot.engine import FlowSet
from bot.engine.runtime import OUTDATED
from bot.engine.view import text_of
from bot.i18n import Catalogs
from tests.conftest import LOCALES
from tests.telegram.conftest import TOKEN, BotProcess
from tests.telegram.driver import button_ids, consent_given, say, tap, texts
from tests.telegram.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
CANARY = "Kanarienvogel Zyx"


def prescreen(api: FakeBotApi, chat: int, language: str) -> None:
    """From /start through consent and every question to a handoff: "no" where it can be
    said, the name typed in (the second question without buttons), everything else skipped."""
    keyboard = consent_given(api, chat, language)
    typed = 0
    for _ in range(40):
        ids = button_ids(keyboard)
        if "opt:appointment" in ids:
            tap(api, chat, "opt:appointment")
            return
        if "opt:no" in ids:
            keyboard = tap(api, chat, "opt:no")
        elif ids == ["skip", "back", "menu"]:
            typed += 1
            keyboard = say(api, chat, CANARY) if typed == 2 else tap(api, chat, "skip")
        else:
            keyboard = tap(api, chat, "skip")
    raise AssertionError("no result after 40 questions")


@pytest.mark.parametrize("language", ["de", "ar", "fa"])
def test_full_conversation_to_a_handoff(api: FakeBotApi, bot: BotProcess, flows: FlowSet,
                                        language: str) -> None:
    chat = {"de": 2001, "ar": 2002, "fa": 2003}[language]
    prescreen(api, chat, language)
    handed = text_of(flows, language, "prescreen_handoff", "text")[0].strip().splitlines()[0]
    api.wait_text(chat, handed)
    with sqlite3.connect(bot.tmp / "bot.db") as db:
        reasons = db.execute("SELECT reason, language FROM case_file").fetchall()
    assert reasons == [("prescreen", language)]
    log = bot.logs()
    assert "update_failed" not in log
    assert CANARY not in log and TOKEN not in log and TOKEN.split(":")[1] not in log


@pytest.mark.usefixtures("bot")
def test_right_to_left_text_isolates_paragraph_signs(api: FakeBotApi) -> None:
    chat = 2010
    say(api, chat, "/start", language="ar")
    tap(api, chat, "opt:go")
    tap(api, chat, "opt:paths")
    sent = texts(api, chat)
    assert "\u2068§" in sent and "\u2069" in sent


@pytest.mark.usefixtures("bot")
def test_forged_stale_and_replayed_buttons_change_nothing(api: FakeBotApi) -> None:
    chat = 2020
    welcome = say(api, chat, "/start")
    menu = tap(api, chat, "opt:go")
    count = len(api.sent(chat))
    for message, data in ((menu, "forged"), (menu, "1.opt:faq.AAAAAAAA"),
                          (welcome, welcome.buttons()[0]["callback_data"]),
                          (menu, "0" * 64)):
        update = api.press(chat, message, data)
        api.wait_consumed(update)
    api.wait_for(lambda: len(api.calls("answerCallbackQuery")) >= 5)
    assert len(api.sent(chat)) == count  # nothing new was said, nothing changed
    outdated = Catalogs(LOCALES).translate("de", OUTDATED)
    answers = api.calls("answerCallbackQuery")[-4:]
    assert all(a.get("text") == outdated for a in answers)
    first = menu.buttons()[0]["callback_data"]
    api.press(chat, menu, first)  # valid once …
    api.wait_for(lambda: len(api.sent(chat)) > count)
    again = api.press(chat, menu, first)  # … and never again
    api.wait_consumed(again)
    api.wait_for(lambda: len(api.calls("answerCallbackQuery")) >= 7)
    assert api.calls("answerCallbackQuery")[-1].get("text") == outdated


@pytest.mark.usefixtures("bot")
def test_a_repeated_update_id_is_applied_once(api: FakeBotApi) -> None:
    chat = 2030
    say(api, chat, "/start")
    count = len(api.sent(chat))
    update = {"update_id": 9000, "message": api.message(chat, text="/menu")}
    api.push(update)
    api.wait_for(lambda: len(api.sent(chat)) > count)
    api.push(dict(update))
    api.send_text(chat, "/help")

    def menus() -> list[object]:
        return [m for m in api.sent(chat)[count:] if "Was möchten Sie tun?" in m.text]

    # One chat's updates are handled in order: by the time /help's menu is there, the repeated
    # update has been handled too — and must have said nothing.
    api.wait_for(lambda: len(menus()) >= 2 and "/mydata" in texts(api, chat, count))
    assert len(menus()) == 2


def test_killed_in_the_middle_resumes_at_the_same_question(api: FakeBotApi,
                                                           bot: BotProcess) -> None:
    chat = 2040
    consent_given(api, chat)
    question = tap(api, chat, "opt:no")  # now at the detention question
    bot.kill()
    bot.start()
    after_restart = tap(api, chat, "opt:no")  # the button from before the kill still works
    assert after_restart.text != question.text
    assert "Brief" in after_restart.text  # the letter question follows detention


def test_commands_are_registered_in_every_two_letter_language(api: FakeBotApi,
                                                              bot: BotProcess) -> None:
    languages = set(api.state.commands)
    assert {"", "de", "en", "ar", "fa", "ru", "fr", "ps", "ur", "ka", "ku", "tr"} <= languages
    german = {c["command"]: c["description"] for c in api.state.commands["de"]}
    assert set(german) == {"start", "menu", "back", "language", "help", "privacy", "mydata",
                           "stop", "delete", "appointment"}
    assert german["menu"] != [c for c in api.state.commands[""] if c["command"] == "menu"][0][
        "description"]
    assert "update_failed" not in bot.logs()
