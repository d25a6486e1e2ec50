"""The inbox served by uvicorn on 127.0.0.1 in a thread, for real HTTP requests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from bot.web.app import create_app
from tests.handoff.conftest import (
    Desk,
    desk,  # noqa: F401  (the fixture)
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    def __init__(self, running: Desk) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(create_app(running.lotse.desk), host="127.0.0.1", port=port,
                                log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the inbox did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def inbox(request: pytest.FixtureRequest) -> Iterator[Served]:
    with Served(request.getfixturevalue("desk")) as served:
        yield served
