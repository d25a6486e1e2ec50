"""Hostile and unusual input over real HTTP: every kind of update gets a calm answer."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram import NOT_TEXT, SLOW_DOWN, SORRY
from bot.engine import FlowSet
from bot.engine.view import text_of
from bot.i18n import Catalogs
from tests.conftest import LOCALES
from tests.telegram.conftest import BotProcess
from tests.telegram.driver import consent_given, say, tap, texts
from tests.telegram.fake_bot_api import ApiError, FakeBotApi

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

OTHER_KINDS = {
    "photo": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    "document": {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "pass.pdf"}},
    "sticker": {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular",
                            "width": 1, "height": 1, "is_animated": False,
                            "is_video": False}},
    "location": {"location": {"latitude": 51.05, "longitude": 13.74}},
    "contact": {"contact": {"phone_number": "+4915100000", "first_name": "X"}},
}


def sessions_of(bot: BotProcess, chat: int) -> int:
    with sqlite3.connect(bot.tmp / "bot.db") as db:
        return int(db.execute("SELECT count(*) FROM chat_session WHERE chat_key = ?",
                              (str(chat),)).fetchone()[0])


@pytest.mark.parametrize("kind", sorted(OTHER_KINDS))
def test_other_message_kinds_get_a_kind_answer_and_nothing_is_stored(
        api: FakeBotApi, bot: BotProcess, kind: str) -> None:
    chat = 3000 + sorted(OTHER_KINDS).index(kind)
    api.push({"message": api.message(chat, language="ar", **OTHER_KINDS[kind])})
    sent = api.wait_for(lambda: api.sent(chat))
    assert sent[0].text == Catalogs(LOCALES).translate("ar", NOT_TEXT)
    assert sessions_of(bot, chat) == 0


def test_edited_messages_and_inline_queries(api: FakeBotApi, bot: BotProcess) -> None:
    chat = 3100
    api.push({"edited_message": {**api.message(chat, text="geändert"), "edit_date": 1}})
    api.wait_for(lambda: api.sent(chat))
    api.push({"inline_query": {"id": "iq1", "query": "duldung", "offset": "",
                               "from": {"id": chat, "is_bot": False, "first_name": "T",
                                        "language_code": "fa"}}})
    api.wait_for(lambda: api.calls("answerInlineQuery"))
    assert sessions_of(bot, chat) == 0


def test_the_bot_leaves_groups_and_never_talks_there(api: FakeBotApi, bot: BotProcess) -> None:
    group = -100123
    api.push({"message": api.message(group, chat_type="supergroup", text="/start")})
    api.wait_for(lambda: group in api.state.left_chats)
    assert api.sent(group) == [] and sessions_of(bot, group) == 0


def test_flooding_is_slowed_down_politely(api: FakeBotApi, tmp_path: object) -> None:
    process = BotProcess(api, tmp_path, LOTSE_FLOOD_LIMIT="25").start()  # type: ignore[arg-type]
    try:
        chat = 3200
        last = 0
        for number in range(30):
            last = api.send_text(chat, f"Frage {number}")
        api.wait_consumed(last)
        slow = Catalogs(LOCALES).translate("de", SLOW_DOWN)
        api.wait_text(chat, slow)
        polite = [m for m in api.sent(chat) if slow in m.text]
        assert len(polite) == 1
        answered = api.wait_for(lambda: len(api.sent(chat)) >= 26)
        assert answered
    finally:
        process.stop()


hostile_text = st.one_of(
    st.text(min_size=1, max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4000, max_size=9000),
    st.sampled_from(["\u200b\u200f\u202e\u2066 § 25b \u2069", "<b>bold</b> & <script>",
                     "&lt;&amp;", "🙂🇩🇪" * 300, "/start " + "x" * 100, "/start ../../etc",
                     "/delete", "/stop", "/mydata", "/menu@lotse_test_bot", "\u0000"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(hostile_text.map(lambda t: ("text", t)),
                          st.sampled_from(sorted(OTHER_KINDS)).map(lambda k: ("kind", k)),
                          st.text(max_size=80).map(lambda d: ("press", d))),
                min_size=1, max_size=6))
def test_a_stream_of_hostile_updates(hostile_bot: tuple[FakeBotApi, BotProcess],
                                     stream: list[tuple[str, str]]) -> None:
    api, bot = hostile_bot
    chat = 3300
    for kind, value in stream:
        before = len(api.calls("sendMessage")) + len(api.calls("answerCallbackQuery")) + \
            len(api.calls("sendDocument"))
        if kind == "text":
            update = api.push({"message": api.message(chat, text=value)})
        elif kind == "kind":
            update = api.push({"message": api.message(chat, **OTHER_KINDS[value])})
        else:
            keyboard = [m for m in api.sent(chat) if m.buttons()]
            if not keyboard:
                continue
            update = api.press(chat, keyboard[-1], value or "x")
        api.wait_consumed(update)
        api.wait_for(lambda b=before: len(api.calls("sendMessage")) +
                     len(api.calls("answerCallbackQuery")) + len(api.calls("sendDocument")) > b)
    assert "update_failed" not in bot.logs()
    with sqlite3.connect(bot.tmp / "bot.db") as db:
        nodes = [r[0] for r in db.execute("SELECT node FROM chat_session")]
    from bot.engine.loader import load_folder
    from tests.conftest import FLOWS

    known = set(load_folder(FLOWS).nodes)
    assert all(node in known for node in nodes)


@pytest.fixture(scope="module")
def hostile_bot(tmp_path_factory: pytest.TempPathFactory) -> object:
    with FakeBotApi("123456:TEST-TOKEN-canary") as api:
        process = BotProcess(api, tmp_path_factory.mktemp("hostile")).start()
        try:
            say(api, 3300, "/start")
            yield api, process
        finally:
            process.stop()


def test_mydata_then_delete_erases_everything(api: FakeBotApi, bot: BotProcess,
                                              flows: FlowSet) -> None:
    chat = 3400
    consent_given(api, chat)
    tap(api, chat, "opt:yes")
    count = len(api.sent(chat))
    api.send_text(chat, "/mydata")
    api.wait_for(lambda: api.calls("sendDocument"))
    summary = texts(api, chat, count)
    asked = text_of(flows, "de", "q_deportation_date_known", "text")[0]
    question = next(line for line in asked.splitlines() if line.strip().endswith("?"))
    assert f"{question.strip()}: Ja" in summary
    document = api.calls("sendDocument")[-1]["document"]
    assert b'"deportation_date_known": true' in document["content"]
    tap_delete = say(api, chat, "/delete")
    assert "erase:yes" in [b["callback_data"].split(".")[1] for b in tap_delete.buttons()]
    count = len(api.sent(chat))
    data = next(b["callback_data"] for b in tap_delete.buttons() if ".erase:yes." in
                b["callback_data"])
    api.press(chat, tap_delete, data)
    api.wait_text(chat, "Lotse", after=count)
    api.wait_for(lambda: sessions_of(bot, chat) == 0)
    with sqlite3.connect(bot.tmp / "bot.db") as db:
        assert_nothing_points_to(db, chat)


def assert_nothing_points_to(db: sqlite3.Connection, chat: int) -> None:
    """Every table from the schema: no row holds the chat id or a session of it."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert "chat_session" in tables
    for table in tables:
        for row in db.execute(f'SELECT * FROM "{table}"'):
            assert str(chat) not in [str(v) for v in row], (table, row)
    assert db.execute("SELECT count(*) FROM chat_session").fetchone()[0] == 0
    for table in ("consent_record", "case_file"):
        assert db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == 0


def test_telegram_limits_and_network_errors_are_retried(api: FakeBotApi,
                                                        bot: BotProcess) -> None:
    chat = 3500
    api.fail("sendMessage", ApiError(429, "Too Many Requests: retry after 1", retry_after=1))
    api.send_text(chat, "/start")
    api.wait_text(chat, "Lotse", timeout=20)
    api.fail("sendMessage", ApiError(502, "Bad Gateway"))
    api.send_text(chat, "/help")
    api.wait_text(chat, "/mydata", timeout=20)
    assert "update_failed" not in bot.logs()


def test_an_update_that_fails_is_logged_by_id_and_answered_with_an_apology(
        api: FakeBotApi, bot: BotProcess) -> None:
    chat = 3600
    api.fail("sendMessage", ApiError(400, "Bad Request: something Telegram refused"))
    update = api.send_text(chat, "/start Geheimname")
    sorry = Catalogs(LOCALES).translate("de", SORRY)
    api.wait_text(chat, sorry)
    log = bot.logs()
    assert f"update_failed update_id={update} error=BadRequest" in log
    assert "Geheimname" not in log
    say(api, chat, "/menu")  # and the bot goes on
