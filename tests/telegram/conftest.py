"""The bot as a real process (`lotse run`) against the tests' Bot API server on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.telegram.fake_bot_api import FakeBotApi
from tests.web.conftest import free_port

TOKEN = "123456:TEST-TOKEN-canary"


class BotProcess:
    def __init__(self, api: FakeBotApi, tmp: Path, **env: str) -> None:
        self.api, self.tmp = api, tmp
        self.log = tmp / "bot.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
        self.env = {**base, "LOTSE_TELEGRAM_TOKEN": TOKEN,
                    "LOTSE_TELEGRAM_BASE_URL": api.base_url,
                    "LOTSE_DATABASE_URL": f"sqlite:///{tmp / 'bot.db'}",
                    "LOTSE_KEY_FILE": str(tmp / "keys.json"), "LOTSE_TODAY": "2026-11-25",
                    "LOTSE_EMERGENCY_CONTACTS": "Notruf Beratung 0351 000000",
                    "LOTSE_FLOOD_LIMIT": "1000", "PYTHONUNBUFFERED": "1",
                    "LOTSE_HTTP_PORT": str(free_port()), **env}
        self.inbox_url = f"http://127.0.0.1:{self.env['LOTSE_HTTP_PORT']}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        """Start `lotse run` and wait until it polls (a fresh `getMe` proves a new process)."""
        seen = len(self.api.calls("getMe"))
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT,
                                         env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.api.wait_for(lambda: len(self.api.calls("getMe")) > seen, timeout=60)
        polls = len(self.api.calls("getUpdates"))
        self.api.wait_for(lambda: len(self.api.calls("getUpdates")) > polls, timeout=60)
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def logs(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


def lotse_cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run `lotse ARGS` with the bot's environment (offices, accounts, slots)."""
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as server:
        yield server


@pytest.fixture
def bot(api: FakeBotApi, tmp_path: Path) -> Iterator[BotProcess]:
    process = BotProcess(api, tmp_path).start()
    yield process
    process.stop()
