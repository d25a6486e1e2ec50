"""Per-person flood control: someone sending very many messages is slowed down, not the bot."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW = 10.0  # seconds
LIMIT = 20  # messages per window before slowing down
WARN_EVERY = 10.0  # at most one "please wait" per this many seconds


class FloodGuard:
    def __init__(self, limit: int = LIMIT, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.clock = limit, clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def allow(self, chat: int) -> bool:
        """Record one message of `chat`; False when it is over the limit."""
        now = self.clock()
        seen = self._seen.setdefault(chat, deque())
        while seen and now - seen[0] > WINDOW:
            seen.popleft()
        seen.append(now)
        if len(self._seen) > 50_000:
            self._seen = {chat: seen}
        return len(seen) <= self.limit

    def should_warn(self, chat: int) -> bool:
        now = self.clock()
        if now - self._warned.get(chat, -WARN_EVERY) < WARN_EVERY:
            return False
        self._warned[chat] = now
        return True
