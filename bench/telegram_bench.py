"""Benchmark (not a test): the full bot against a bare echo bot, same loopback Bot API server.

Load: one free-text FAQ question from each of 200 chats, all at once; then a steady stream of
50 updates/s for the bot's turn latency. Prints throughput (updates/s), their ratio, Bot API
calls per update, and p50/p99 latency (update queued → first message to that chat).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.telegram.fake_bot_api import FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH"
CHATS = 200
RATE = 50.0
STEADY = 300
QUESTIONS = ["Was ist eine Duldung?", "wie viele jahre brauche ich für 25b",
             "ich habe keinen pass", "brief von der ausländerbehörde mit frist",
             "kann ich mit duldung arbeiten", "what is a duldung", "i have no passport"]


def start(api: FakeBotApi, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    polls = len(api.calls("getUpdates"))
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    api.wait_for(lambda: len(api.calls("getUpdates")) > polls + 1, timeout=90)
    return proc


def replied(api: FakeBotApi, chats: range) -> int:
    return sum(1 for chat in api.state.first_reply if chat in chats)


def burst(api: FakeBotApi, base: int) -> tuple[float, float]:
    """(updates/s, API calls per update) for one question from each of CHATS chats."""
    chats = range(base, base + CHATS)
    calls_before = len(api.state.calls)
    started = time.monotonic()
    for index, chat in enumerate(chats):
        api.send_text(chat, QUESTIONS[index % len(QUESTIONS)])
    api.wait_for(lambda: replied(api, chats) == CHATS, timeout=300)
    elapsed = time.monotonic() - started
    with api.lock:
        calls = [m for m, _ in api.state.calls[calls_before:] if m != "getUpdates"]
    return CHATS / elapsed, len(calls) / CHATS


def steady(api: FakeBotApi, base: int) -> list[float]:
    """Latencies (ms) at a steady RATE of new updates per second."""
    sent_at: dict[int, float] = {}
    start_time = time.monotonic()
    for index in range(STEADY):
        chat = base + index
        target = start_time + index / RATE
        while time.monotonic() < target:
            time.sleep(min(0.002, max(target - time.monotonic(), 0)))
        sent_at[chat] = time.monotonic()
        api.send_text(chat, QUESTIONS[index % len(QUESTIONS)])
    api.wait_for(lambda: replied(api, range(base, base + STEADY)) == STEADY, timeout=300)
    return [(api.state.first_reply[c] - sent_at[c]) * 1000 for c in sent_at]


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp, FakeBotApi(TOKEN) as api:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")},
               "LOTSE_TELEGRAM_TOKEN": TOKEN, "LOTSE_TELEGRAM_BASE_URL": api.base_url,
               "LOTSE_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
               "LOTSE_KEY_FILE": f"{tmp}/keys.json", "LOTSE_FLOOD_LIMIT": "1000",
               # Measure the bot, not Telegram's 30 messages/s that the limiter enforces.
               "LOTSE_TELEGRAM_MAX_RATE": "10000"}
        echo = start(api, [sys.executable, "bench/echo_bot.py", TOKEN, api.base_url], env)
        results["echo"] = burst(api, 10_000)
        echo_latencies = steady(api, 40_000)
        echo.terminate()
        echo.wait(30)
        lotse = start(api, [sys.executable, "-m", "bot", "run"], env)
        results["lotse"] = burst(api, 20_000)
        latencies = steady(api, 30_000)
        lotse.terminate()
        lotse.wait(30)
    (echo_rate, echo_calls), (lotse_rate, lotse_calls) = results["echo"], results["lotse"]
    print(f"telegram burst, {CHATS} chats x 1 FAQ question, SQLite:")
    print(f"  echo bot : {echo_rate:7.1f} updates/s, {echo_calls:.2f} Bot API calls/update")
    print(f"  lotse    : {lotse_rate:7.1f} updates/s, {lotse_calls:.2f} Bot API calls/update")
    print(f"  ratio lotse/echo: {lotse_rate / echo_rate:.2f}")
    for name, values in (("echo bot", echo_latencies), ("lotse", latencies)):
        ordered = sorted(values)
        print(f"telegram steady {RATE:.0f} updates/s x {STEADY}, {name}: latency p50 "
              f"{statistics.median(ordered):.1f} ms, p99 "
              f"{ordered[int(0.99 * len(ordered))]:.1f} ms")


if __name__ == "__main__":
    main()
