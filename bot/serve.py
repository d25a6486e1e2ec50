"""`lotse run` and `lotse worker`: the long-running processes.

`lotse run` serves, in one event loop, the bot (Telegram polling), the counsellors' inbox and
health check (uvicorn), the outbox worker and the periodic jobs (reminders, urgent notices,
retention purge). `lotse worker` runs only the outbox and the jobs — for an operator who wants
delivery in its own process, and for the tests that kill it mid-delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn
from telegram import Bot, Update

from bot.channels.outgoing import group_sender, person_sender
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.conversation import Lotse
from bot.handoff import jobs, outbox
from bot.i18n import Catalogs
from bot.web.app import create_app

logger = logging.getLogger(__name__)
JOBS_EVERY = 60.0  # seconds between reminder/urgent passes
PURGE_EVERY = 3600.0


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `run` decides when everything stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _inbox_server(lotse: Lotse, settings: Settings, log_level: str) -> _Server:
    return _Server(uvicorn.Config(create_app(lotse.desk), host=settings.http_host,
                                  port=settings.http_port, log_level=log_level,
                                  lifespan="off", access_log=False))


def make_outbox(lotse: Lotse, settings: Settings, bot: Bot | None,
                client: httpx.AsyncClient) -> outbox.Outbox:
    box = outbox.Outbox(lotse.engine, lotse.vault, lotse.desk.clock,
                        retry_base=settings.outbox_retry_base_seconds,
                        retry_max=settings.outbox_retry_max_seconds,
                        lease=settings.outbox_lease_seconds)
    if bot is not None:
        box.register(outbox.PERSON, person_sender(bot))
        if settings.counsellor_chat_id is not None:
            box.register(outbox.GROUP, group_sender(bot, settings.counsellor_chat_id))
    if settings.case_webhook_url:
        secret = settings.case_webhook_secret
        box.register(outbox.WEBHOOK, outbox.WebhookSender(
            settings.case_webhook_url, secret.get_secret_value().encode() if secret else b"",
            client))
    lotse.desk.notify = box.notify
    return box


async def background(lotse: Lotse, settings: Settings, box: outbox.Outbox) -> list[Any]:
    """Start the outbox worker and the periodic jobs; return their tasks."""

    async def periodic() -> None:
        last_purge = -PURGE_EVERY
        loop = asyncio.get_running_loop()
        while True:
            try:
                await asyncio.to_thread(jobs.tick, lotse.desk)
                if loop.time() - last_purge >= PURGE_EVERY:
                    await asyncio.to_thread(lotse.purge, settings.retention_days)
                    last_purge = loop.time()
            except Exception as exc:  # a failed pass is retried on the next one
                logger.warning("jobs_failed error=%s", type(exc).__name__)
            await asyncio.sleep(JOBS_EVERY)

    return [asyncio.create_task(box.run(settings.outbox_poll_seconds)),
            asyncio.create_task(periodic())]


async def _until_stopped(server_task: asyncio.Task[None] | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
    if server_task is not None:
        waiters.append(server_task)
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    if server_task is not None and server_task.done():
        server_task.result()  # re-raise why the inbox server stopped
        raise SystemExit("the inbox server stopped")


async def run_bot(lotse: Lotse, catalogs: Catalogs, settings: Settings) -> None:
    """The bot on Telegram with the inbox, the outbox and the jobs, until SIGINT/SIGTERM."""
    channel = TelegramChannel(lotse, catalogs, settings, lotse.pseudonym_key)
    app = channel.application()
    server = _inbox_server(lotse, settings, "warning")
    async with httpx.AsyncClient(timeout=10.0) as client, app:
        box = make_outbox(lotse, settings, app.bot, client)
        await channel.register_commands(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=Update.ALL_TYPES,
                                        drop_pending_updates=False)
        tasks = await background(lotse, settings, box)
        server_task = asyncio.create_task(server.serve())
        logger.info("bot_start mode=polling inbox=%s:%d", settings.http_host, settings.http_port)
        try:
            await _until_stopped(server_task)
        finally:
            server.should_exit = True
            for task in tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                await server_task
            await app.updater.stop()
            await app.stop()
    logger.info("bot_stop")


async def run_worker(lotse: Lotse, settings: Settings) -> None:
    """Only the outbox and the jobs (`lotse worker`)."""
    bot = None
    if settings.telegram_token is not None:
        bot = Bot(settings.telegram_token.get_secret_value(),
                  base_url=settings.telegram_base_url)
    async with httpx.AsyncClient(timeout=10.0) as client:
        if bot is not None:
            await bot.initialize()
        box = make_outbox(lotse, settings, bot, client)
        tasks = await background(lotse, settings, box)
        logger.info("worker_start")
        try:
            await _until_stopped(None)
        finally:
            for task in tasks:
                task.cancel()
            if bot is not None:
                await bot.shutdown()
    logger.info("worker_stop")


class Background:
    """The inbox, the outbox and the jobs on their own thread, beside the terminal chat
    (`lotse chat`, and `make run` without a token): a counsellor can answer in the browser and
    the answer appears in the terminal."""

    def __init__(self, lotse: Lotse, settings: Settings, person: outbox.Sender) -> None:
        self.lotse, self.settings, self.person = lotse, settings, person
        self.server = _inbox_server(lotse, settings, "critical")
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, name="lotse-inbox", daemon=True)
        self.tasks: list[Any] = []

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        async with httpx.AsyncClient(timeout=10.0) as client:
            box = make_outbox(self.lotse, self.settings, None, client)
            box.register(outbox.PERSON, self.person)
            self.tasks = await background(self.lotse, self.settings, box)
            try:
                await self.server.serve()
            except SystemExit:
                logger.warning("inbox_unavailable port=%d", self.settings.http_port)
            finally:
                for task in self.tasks:
                    task.cancel()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
