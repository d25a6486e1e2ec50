"""End to end: a person on Telegram (the tests' Bot API server) asks for urgent help; a
counsellor in Debian's Chromium (Playwright) signs in, opens the urgent case, replies and books
a slot; the person receives the reply and the booking confirmation in Arabic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import ROOT
from tests.telegram.conftest import TOKEN, BotProcess, lotse_cli
from tests.telegram.driver import say, tap
from tests.telegram.fake_bot_api import FakeBotApi

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct horse battery staple"
GROUP = -100123
PERSON = 7001


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "make browser installs Debian's chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_counsellor_replies_and_books_from_the_inbox(tmp_path: Path, browser: Browser) -> None:
    with FakeBotApi(TOKEN) as api:
        _end_to_end(api, tmp_path, browser)


def _end_to_end(api: FakeBotApi, tmp_path: Path, browser: Browser) -> None:
    bot = BotProcess(api, tmp_path, LOTSE_NOW="2026-11-25T09:00:00+00:00",
                     LOTSE_COUNSELLOR_CHAT_ID=str(GROUP))
    bot.env["LOTSE_PUBLIC_URL"] = bot.inbox_url
    lotse_cli(bot.env, "offices", "add", "Beratung Mitte", "--address", "Musterstraße 1, Dresden",
          "--hours", "Mo-Fr 09:00-16:00", "--accessibility", "Rampe am Seiteneingang")
    lotse_cli(bot.env, "users", "add", "berater", "--office", "1", "--name", "Frau Berater",
          "--password-stdin", stdin=PASSWORD + "\n")
    lotse_cli(bot.env, "slots", "add", "--office", "1", "--start", "2026-11-26 10:00",
          "--languages", "ar,de")
    bot.start()
    try:
        _person_asks_for_urgent_help(api)
        notice = api.wait_for(lambda: next((m for m in api.sent(GROUP) if "Fall #1" in m.text),
                                           None))
        assert "DRINGEND" in notice.text and "Arabisch" in notice.text
        assert "Amal" not in notice.text  # no personal data in the group

        page = browser.new_page(viewport={"width": 390, "height": 844},  # a phone
                                locale="de-DE")
        page.goto(f"{bot.inbox_url}/inbox/login")
        page.fill("input[name=username]", "berater")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("text=Fall #1")
        assert "DRINGEND" in page.inner_text("h1")
        assert "Amal" in page.inner_text("section")  # the pre-screening the person gave
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inbox-case-page.png"), full_page=True)

        before = len(api.sent(PERSON))
        page.fill("textarea[name=body]", "Guten Tag, ich rufe Sie morgen an.")
        page.click("text=Senden")
        reply = api.wait_text(PERSON, "Guten Tag, ich rufe Sie morgen an.", after=before)
        assert reply is not None

        before = len(api.sent(PERSON))
        page.click("#booking button:has-text('Buchen')")
        confirmation = api.wait_text(PERSON, "Musterstraße 1", after=before)
        assert confirmation is not None and "/appointment" in confirmation.text
        assert "gebucht" in page.inner_text("#booking") and "Absagen" in page.inner_text("#booking")

        before = len(api.sent(PERSON))
        api.send_text(PERSON, "شكراً جزيلاً", language="ar")  # relayed, not answered by the bot
        api.wait_for(lambda: len(api.sent(PERSON)) > before)
        page.reload()
        assert "شكراً جزيلاً" in page.inner_text("#conversation")
        page.close()
    finally:
        bot.stop()


def _person_asks_for_urgent_help(api: FakeBotApi) -> None:
    say(api, PERSON, "/start", language="ar")
    for button in ("opt:go", "opt:urgent", "opt:talk", "accept", "opt:yes", "opt:no", "opt:no",
                   "skip"):
        tap(api, PERSON, button, language="ar")
    say(api, PERSON, "Amal", language="ar")
