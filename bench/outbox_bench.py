"""Benchmark (not a test): outbox delivery to a local webhook receiver, and booking under
contention, on a SQLite file. Prints figures; asserts nothing. Run with `make bench`."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.conversation import build  # noqa: E402
from bot.handoff import booking, outbox, slots  # noqa: E402
from bot.store.models import Case  # noqa: E402

EVENTS = 500
ARRIVED: dict[str, float] = {}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ARRIVED.setdefault(self.headers["Idempotency-Key"], time.monotonic())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", key_file=Path(tmp) / "k",
                            flows_dir=ROOT / "flows", case_webhook_url=url)
        lotse = build(settings)
        enqueued: dict[str, float] = {}
        with lotse.desk.session() as db:
            for number in range(EVENTS):
                event = outbox.enqueue(db, lotse.vault, outbox.WEBHOOK, "case.created",
                                       {"case": {"id": number}}, now=datetime.now(UTC))
                enqueued[event.key] = time.monotonic()
            db.commit()

        async def deliver() -> float:
            async with httpx.AsyncClient() as client:
                box = outbox.Outbox(lotse.engine, lotse.vault, lambda: datetime.now(UTC))
                box.register(outbox.WEBHOOK, outbox.WebhookSender(url, b"secret", client))
                start = time.monotonic()
                while len(ARRIVED) < EVENTS:
                    await box.deliver_due()
                return time.monotonic() - start

        seconds = asyncio.run(deliver())
        latency = sorted((ARRIVED[k] - t) * 1000 for k, t in enqueued.items())
        print(f"outbox: {EVENTS} webhook events in {seconds:.2f} s = "
              f"{EVENTS / seconds:.0f} events/s (one worker, SQLite, sequential POSTs); "
              f"enqueue→arrival p50 {statistics.median(latency):.0f} ms, "
              f"p99 {latency[int(len(latency) * 0.99) - 1]:.0f} ms")
        contention(lotse)
    server.shutdown()


def contention(lotse: Any) -> None:
    """20 people press the same 5 slots at once: how many bookings, how long each took."""
    now = datetime.now(UTC)
    with lotse.desk.session() as db:
        office = slots.add_office(db, "Bench")
        db.flush()
        assert office.id is not None
        made = [slots.add_slot(db, office.id, now + timedelta(days=1, hours=i), 30)
                for i in range(5)]
        db.flush()
        ids = [int(slot.id or 0) for slot in made]
        from bot.store.models import ChatSession

        people = []
        for person in range(20):
            chat = ChatSession(channel="bench", chat_key=str(person), language="de")
            db.add(chat)
            db.flush()
            case = Case(session_id=chat.id, reason="talk", language="de",
                        payload_enc=lotse.vault.encrypt({}))
            db.add(case)
            db.flush()
            people.append(case.id)
        db.commit()
    times: list[float] = []
    won: list[int] = []
    barrier = threading.Barrier(len(people))

    def press(case_id: int, slot_id: int) -> None:
        barrier.wait()
        start = time.monotonic()
        with lotse.desk.session() as db:
            case = db.get(Case, case_id)
            try:
                booking.book(db, lotse.desk, case, slot_id, lotse.desk.clock())
                db.commit()
                won.append(slot_id)
            except booking.BookingError:
                db.rollback()
        times.append((time.monotonic() - start) * 1000)

    threads = [threading.Thread(target=press, args=(c, ids[i % 5])) for i, c in
               enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"booking contention: 20 people × 5 slots at once → {len(won)} bookings, "
          f"{len(set(won))} distinct slots (double bookings: {len(won) - len(set(won))}); "
          f"per attempt p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
