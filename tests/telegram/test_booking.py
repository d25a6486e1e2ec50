"""Booking on Telegram: the free slots as buttons after the handoff, one tap to book,
/appointment to see and cancel — real PTB over HTTP against the tests' Bot API server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.telegram.conftest import BotProcess, lotse_cli
from tests.telegram.driver import button_ids, say, tap
from tests.telegram.fake_bot_api import FakeBotApi

GROUP = -100777
CHAT = 4242


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_book_see_and_cancel_an_appointment_in_the_chat(api: FakeBotApi, tmp_path: Path) -> None:
    bot = BotProcess(api, tmp_path, LOTSE_NOW="2026-11-25T09:00:00+00:00",
                     LOTSE_COUNSELLOR_CHAT_ID=str(GROUP))
    lotse_cli(bot.env, "offices", "add", "Beratung Mitte", "--address", "Musterstraße 1",
              "--hours", "Mo-Fr 09:00-16:00")
    lotse_cli(bot.env, "slots", "add", "--office", "1", "--start", "2026-11-27 11:00",
              "--languages", "ru,de", "--count", "2")
    bot.start()
    try:
        say(api, CHAT, "/start", language="ru")
        tap(api, CHAT, "opt:go", language="ru")
        tap(api, CHAT, "opt:appointment", language="ru")
        offer = tap(api, CHAT, "opt:talk", language="ru")
        assert button_ids(offer)[:2] == ["slot:1", "slot:2"], offer.text
        labels = [b["text"] for b in offer.buttons()]
        assert "27" in labels[0] and "11:00" in labels[0] and "12:00" in labels[1]  # Berlin time
        confirmation = tap(api, CHAT, "slot:1", language="ru")
        assert "Musterstraße 1" in confirmation.text and "/appointment" in confirmation.text
        booked = api.wait_for(lambda: next((m for m in api.sent(GROUP)
                                            if "Termin gebucht" in m.text), None))
        assert "Fall #1" in booked.text and "Musterstraße" not in booked.text
        overview = say(api, CHAT, "/appointment", language="ru")
        assert button_ids(overview)[0] == "appt:cancel:1"
        ask = tap(api, CHAT, "appt:cancel:1", language="ru")
        cancelled = tap(api, CHAT, button_ids(ask)[0], language="ru")
        assert button_ids(cancelled)[0] == "slot:2"  # the cancelled time is not offered back
        assert "slot:1" not in button_ids(cancelled)
        api.wait_for(lambda: any("Termin abgesagt" in m.text for m in api.sent(GROUP)))
    finally:
        bot.stop()
