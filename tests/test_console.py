"""The terminal conversation end to end, as a subprocess on a real SQLite file."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

CANARY = "Qwertzuiop Canary"


class Terminal:
    """Drives `python -m bot chat` through its stdin/stdout, waiting for text, never sleeping."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", *args], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen = ""
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for chunk in iter(lambda: self.proc.stdout.read(1), ""):  # type: ignore[union-attr]
            self.lines.put(chunk)

    def expect(self, text: str, timeout: float = 20.0) -> str:
        """Wait until `text` appeared in the output since the last call; return that output."""
        buffer = ""
        while text not in buffer:
            try:
                buffer += self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"{text!r} not seen; got:\n{self.seen + buffer}") from None
        self.seen += buffer
        return buffer

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=20)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    return {**base, "LOTSE_DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
            "LOTSE_KEY_FILE": str(tmp_path / "keys.json"), "LOTSE_TODAY": "2026-11-25",
            "PYTHONUNBUFFERED": "1"}


@pytest.mark.slow
def test_german_conversation_from_welcome_to_a_stored_handoff(
        env: dict[str, str], tmp_path: Path) -> None:
    term = Terminal(env, "--lang", "de")
    term.expect("Willkommen bei Lotse")
    term.send("1")  # Weiter
    term.expect("Was möchten Sie tun?")
    term.send("Vorbereitung")  # free text matches the pre-screening button
    term.expect("Fragebogen")
    term.send("1")  # start
    term.expect("Sind Sie einverstanden?")
    term.send("1")  # yes
    term.expect("Abschiebung")
    for _ in range(3):
        term.send("2")  # no
    term.expect("Bis wann gilt Ihre Duldung")
    term.send("31.13.2026")  # no such date: asked again
    term.expect("Bis wann gilt Ihre Duldung")
    term.send("03/2027")
    term.expect("Dolmetsch")
    term.send("2")
    term.expect("Wie dürfen wir Sie ansprechen?")
    term.send(CANARY)
    term.expect("Welches Papier haben Sie")

    # Killed in the middle: the next start resumes at the same question, nothing lost.
    term.proc.send_signal(signal.SIGKILL)
    term.proc.wait(timeout=10)
    again = Terminal(env, "--lang", "de")
    again.expect("Welches Papier haben Sie")
    again.send("/back")
    again.expect("Wie dürfen wir Sie ansprechen?")
    again.send("/menu")
    again.expect("Was möchten Sie tun?")
    again.send("/language")
    again.expect("العربية")
    again.send("2")  # English
    again.expect("What would you like to do?")
    assert again.close() == 0

    raw = b"".join(p.read_bytes() for p in tmp_path.glob("chat.db*"))
    assert CANARY.encode() not in raw


@pytest.mark.slow
def test_english_conversation_reaches_the_result_and_a_handoff(env: dict[str, str]) -> None:
    term = Terminal(env, "--lang", "en", "--session", "en")
    term.expect("Welcome to Lotse")
    term.send("1")
    term.send("Prepare my counselling")
    term.expect("questionnaire")
    term.send("1")
    term.expect("Do you agree?")
    term.send("1")
    term.send("2"), term.send("2"), term.send("2")
    term.expect("Until when is your Duldung")
    term.send("soon")
    term.expect("Please write the date like 15.03.2019")
    term.send("1")  # I'd rather not say
    term.expect("interpreter")
    assert term.close() == 0
