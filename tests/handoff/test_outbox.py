"""The outbox against a real HTTP receiver: an outage or a killed process delays delivery but
never loses an event, and a repeat carries the same idempotency key."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlmodel import select

from bot.conversation import Lotse, build
from bot.handoff import outbox
from bot.store.models import OutboxEvent
from tests.conftest import ROOT
from tests.handoff.conftest import settings_for
from tests.handoff.receiver import Receiver
from tests.web.conftest import free_port

SECRET = "webhook-secret-for-tests-0123456789"
ARTIFACTS = ROOT / "test-artifacts"


def _enqueue(lotse: Lotse, count: int) -> set[str]:
    keys = set()
    with lotse.desk.session() as db:
        for number in range(count):
            event = outbox.enqueue(db, lotse.vault, outbox.WEBHOOK, "case.created",
                                   {"case": {"id": number, "language": "ar"}},
                                   now=datetime.now(UTC))
            keys.add(event.key)
        db.commit()
    return keys


def _untried(lotse: Lotse) -> int:
    with lotse.desk.session() as db:
        return sum(1 for r in db.exec(select(OutboxEvent)) if r.attempts == 0)


def _undelivered(lotse: Lotse) -> int:
    with lotse.desk.session() as db:
        return sum(1 for r in db.exec(select(OutboxEvent)) if r.delivered_at is None)


def _figures(name: str, figures: dict[str, object]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "outbox-figures.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = figures
    path.write_text(json.dumps(data, indent=2))


def test_receiver_down_then_up_every_event_arrives_once_keyed(tmp_path: Path) -> None:
    """First the port is closed, then the receiver answers 503 for a while, then 204."""
    receiver = Receiver(free_port(), SECRET.encode(), fail_first=60)
    lotse = build(settings_for(tmp_path, case_webhook_url=receiver.url))
    keys = _enqueue(lotse, 40)
    started = time.monotonic()

    async def deliver() -> int:
        async with httpx.AsyncClient(timeout=2.0) as client:
            box = outbox.Outbox(lotse.engine, lotse.vault, lambda: datetime.now(UTC),
                                retry_base=0.05, retry_max=0.4, lease=5.0)
            box.register(outbox.WEBHOOK, outbox.WebhookSender(receiver.url, SECRET.encode(),
                                                              client))
            for _ in range(200):  # the receiver is down until every event failed once
                await box.deliver_due()
                await asyncio.sleep(0.02)
                if _untried(lotse) == 0:
                    break
            receiver.up()
            outage = time.monotonic() - started
            while not keys <= set(receiver.keys()) and time.monotonic() - started < 30:
                await box.deliver_due()
                await asyncio.sleep(0.05)
            return int(outage * 1000)

    outage_ms = asyncio.run(deliver())
    receiver.down()
    received = receiver.keys()
    assert set(received) == keys and len(received) == len(keys)  # all, each exactly once
    assert receiver.bad_signatures == 0
    bodies: dict[str, set[bytes]] = {}
    for key, body in receiver.attempts:
        bodies.setdefault(key, set()).add(body)
    repeated = [k for k in bodies if sum(1 for a, _b in receiver.attempts if a == k) > 1]
    assert repeated, "the 503 phase must have made the outbox repeat events"
    assert all(len(b) == 1 for b in bodies.values())  # a repeat is the same event, same key
    with lotse.desk.session() as db:
        rows = db.exec(select(OutboxEvent)).all()
    assert all(r.delivered_at is not None for r in rows)
    attempts = [r.attempts for r in rows]
    assert min(attempts) >= 2  # each failed at least once during the outage
    _figures("outage", {"events": len(keys), "received": len(received),
                        "attempts_seen_by_receiver": len(receiver.attempts),
                        "events_repeated_with_same_key": len(repeated),
                        "duplicates_accepted": len(received) - len(set(received)), "lost": 0,
                        "outage_ms": outage_ms, "max_attempts": max(attempts),
                        "total_ms": int((time.monotonic() - started) * 1000)})


def test_worker_killed_mid_delivery_then_restarted_loses_nothing(tmp_path: Path) -> None:
    receiver = Receiver(free_port(), SECRET.encode(), hold_first=True)
    receiver.up()
    settings = settings_for(tmp_path, case_webhook_url=receiver.url)
    lotse = build(settings)
    keys = _enqueue(lotse, 20)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env.update(LOTSE_DATABASE_URL=settings.database_url, LOTSE_KEY_FILE=str(settings.key_file),
               LOTSE_CASE_WEBHOOK_URL=receiver.url, LOTSE_CASE_WEBHOOK_SECRET=SECRET,
               LOTSE_OUTBOX_LEASE_SECONDS="1", LOTSE_OUTBOX_RETRY_BASE_SECONDS="0.05",
               LOTSE_OUTBOX_POLL_SECONDS="0.1", LOTSE_TODAY="2026-11-25",
               LOTSE_FLOWS_DIR=str(ROOT / "flows"), PYTHONUNBUFFERED="1")
    log = (tmp_path / "worker.log").open("ab")
    worker = subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        assert receiver.held.wait(60), "the worker never tried to deliver"
        worker.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has not answered
        worker.wait(timeout=10)
        started = time.monotonic()
        worker = subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
        receiver.wait_for_keys(keys, timeout=60)
        recovery_ms = int((time.monotonic() - started) * 1000)
        deadline = time.monotonic() + 15  # the last answer is recorded before it commits
        while _undelivered(lotse) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        receiver.down()
    received = receiver.keys()
    assert set(received) == keys  # none lost
    assert _undelivered(lotse) == 0
    # The event that was in flight when the worker died was sent again with the same key;
    # the receiver saw the first attempt (held) and the repeat under one idempotency key.
    assert receiver.held_key in keys and receiver.held_key in received
    held_attempts = [k for k, _b in receiver.attempts if k == receiver.held_key]
    assert len(held_attempts) == 2 and len(received) == len(set(received))
    assert worker.returncode == 0
    _figures("killed", {"events": len(keys), "received": len(set(received)),
                        "in_flight_event_attempts_same_key": len(held_attempts), "lost": 0,
                        "recovery_ms_including_restart": recovery_ms})


def test_an_undecryptable_event_is_parked_and_does_not_block_the_others(tmp_path: Path) -> None:
    receiver = Receiver(free_port(), SECRET.encode())
    receiver.up()
    lotse = build(settings_for(tmp_path, case_webhook_url=receiver.url))
    keys = _enqueue(lotse, 3)
    with lotse.desk.session() as db:
        first = db.exec(select(OutboxEvent).order_by(OutboxEvent.id)).first()  # type: ignore[arg-type]
        assert first is not None
        first.payload_enc = "gAAAAA-not-a-token"  # as after removing a key still in use
        db.add(first)
        db.commit()
        broken = first.key

    async def deliver() -> None:
        async with httpx.AsyncClient(timeout=2.0) as client:
            box = outbox.Outbox(lotse.engine, lotse.vault, lambda: datetime.now(UTC))
            box.register(outbox.WEBHOOK, outbox.WebhookSender(receiver.url, SECRET.encode(),
                                                              client))
            await box.deliver_due()

    try:
        asyncio.run(deliver())
    finally:
        receiver.down()
    assert set(receiver.keys()) == keys - {broken}
    with lotse.desk.session() as db:
        parked = db.exec(select(OutboxEvent).where(OutboxEvent.key == broken)).one()
    assert parked.delivered_at is None and parked.last_error == "undecryptable"
