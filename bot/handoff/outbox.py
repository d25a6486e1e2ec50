"""The durable outbox: what goes to another system is written in the same transaction as the
change it reports, then delivered by a worker.

Delivery is at least once. A worker leases an event before sending it; if the process dies
mid-delivery the lease runs out and another attempt sends the event again with the same
idempotency key, which the receiver uses to drop the repeat. Failed attempts back off
exponentially; an event is never dropped because a receiver was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bot.store.crypto import Vault
from bot.store.models import OutboxEvent

logger = logging.getLogger(__name__)

PERSON, GROUP, WEBHOOK = "person", "group", "webhook"
Clock = Callable[[], datetime]
PARKED = timedelta(days=1)  # an event whose key is gone is looked at again after this


class Undeliverable(Exception):
    """The receiver will never take this event (the person blocked the bot): stop trying."""


def enqueue(db: Session, vault: Vault, destination: str, kind: str, payload: dict[str, Any],
            *, now: datetime, session_id: int | None = None) -> OutboxEvent:
    """Add an event to the caller's transaction; it is sent only if that transaction commits."""
    event = OutboxEvent(key=secrets.token_hex(16), destination=destination, kind=kind,
                        session_id=session_id, payload_enc=vault.encrypt(payload),
                        created_at=now, next_attempt_at=now)
    db.add(event)
    return event


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    destination: str
    kind: str
    payload: dict[str, Any]
    attempts: int


def claim(engine: Engine, vault: Vault, now: datetime, *, lease: timedelta,
          limit: int = 5) -> list[Claimed]:
    """Lease up to `limit` due events. The conditional update makes the lease exclusive:
    two workers (or replicas) never hold the same event at the same time."""
    claimed: list[Claimed] = []
    with Session(engine) as db:
        due = db.exec(select(OutboxEvent)
                      .where(col(OutboxEvent.delivered_at).is_(None),
                             col(OutboxEvent.next_attempt_at) <= now,
                             or_(col(OutboxEvent.locked_until).is_(None),
                                 col(OutboxEvent.locked_until) <= now))
                      .order_by(col(OutboxEvent.id)).limit(limit)).all()
        for event in due:
            try:
                payload = vault.decrypt(event.payload_enc)
            except Exception:  # a key no longer configured: park it, never block the others
                event.last_error, event.next_attempt_at = "undecryptable", now + PARKED
                db.add(event)
                continue
            result = db.execute(update(OutboxEvent)
                                .where(col(OutboxEvent.id) == event.id,
                                       or_(col(OutboxEvent.locked_until).is_(None),
                                           col(OutboxEvent.locked_until) <= now),
                                       col(OutboxEvent.delivered_at).is_(None))
                                .values(locked_until=now + lease))
            if getattr(result, "rowcount", 0) == 1 and event.id is not None:
                claimed.append(Claimed(event.id, event.key, event.destination, event.kind,
                                       payload, event.attempts))
        db.commit()
    return claimed


def settle(engine: Engine, event_id: int, now: datetime, *, error: str | None = None,
           retry_at: datetime | None = None) -> None:
    """Record the outcome of one attempt: delivered (no `retry_at`) or to be retried."""
    values: dict[str, Any] = {"locked_until": None, "last_error": error}
    if retry_at is None:
        values["delivered_at"] = now
    else:
        values["next_attempt_at"] = retry_at
    with Session(engine) as db:
        db.execute(update(OutboxEvent).where(col(OutboxEvent.id) == event_id)
                   .values(attempts=OutboxEvent.attempts + 1, **values))
        db.commit()


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """`sha256=` + HMAC over "timestamp.body": the receiver checks origin and freshness."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass
class WebhookSender:
    """POSTs case events as signed JSON to the operator's case-management system."""

    url: str
    secret: bytes
    client: httpx.AsyncClient

    async def __call__(self, event: Claimed) -> None:
        body = json.dumps({"id": event.key, "type": event.kind, **event.payload},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        stamp = str(int(time.time()))
        response = await self.client.post(self.url, content=body, headers={
            "Content-Type": "application/json", "Idempotency-Key": event.key,
            "X-Lotse-Event": event.kind, "X-Lotse-Timestamp": stamp,
            "X-Lotse-Signature": sign(self.secret, stamp, body)})
        if response.status_code >= 300:
            raise httpx.HTTPStatusError(f"status {response.status_code}",
                                        request=response.request, response=response)


Sender = Callable[[Claimed], Awaitable[None]]


@dataclass
class Outbox:
    """Delivers due events with the senders the running process registered."""

    engine: Engine
    vault: Vault
    clock: Clock
    retry_base: float = 2.0
    retry_max: float = 600.0
    lease: float = 60.0
    senders: dict[str, Sender] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    _loop: asyncio.AbstractEventLoop | None = None

    def register(self, destination: str, sender: Sender) -> None:
        self.senders[destination] = sender

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.retry_max, self.retry_base * 2 ** max(attempts, 0)))

    async def deliver_due(self) -> int:
        """One pass: send what is due and has a sender; return how many were delivered."""
        now = self.clock()
        events = await asyncio.to_thread(claim, self.engine, self.vault, now,
                                         lease=timedelta(seconds=self.lease))
        delivered = 0
        for event in events:
            sender = self.senders.get(event.destination)
            if sender is None:  # this process cannot send it: leave it for one that can
                await asyncio.to_thread(settle, self.engine, event.id, self.clock(),
                                        error="no_sender",
                                        retry_at=self.clock() + self.backoff(event.attempts))
                continue
            delivered += await self._attempt(sender, event)
        return delivered

    async def _attempt(self, sender: Sender, event: Claimed) -> int:
        try:
            await sender(event)
        except Undeliverable:
            await asyncio.to_thread(settle, self.engine, event.id, self.clock(),
                                    error="undeliverable")
            logger.info("outbox_undeliverable id=%d kind=%s", event.id, event.kind)
            return 0
        except Exception as exc:  # any failure means "try again later"
            retry_at = self.clock() + self.backoff(event.attempts)
            await asyncio.to_thread(settle, self.engine, event.id, self.clock(),
                                    error=type(exc).__name__[:64], retry_at=retry_at)
            logger.info("outbox_retry id=%d kind=%s attempt=%d error=%s", event.id, event.kind,
                        event.attempts + 1, type(exc).__name__)
            return 0
        await asyncio.to_thread(settle, self.engine, event.id, self.clock())
        logger.info("outbox_delivered id=%d kind=%s destination=%s", event.id, event.kind,
                    event.destination)
        return 1

    async def run(self, poll: float = 5.0) -> None:
        """Deliver until cancelled; wake early when this process enqueued something."""
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                await self.deliver_due()
            except Exception as exc:  # the database may be briefly unavailable
                logger.warning("outbox_pass_failed error=%s", type(exc).__name__)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=poll)

    def notify(self) -> None:
        """Wake the worker now (thread-safe: turns run in worker threads)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.wake.set)
