"""The conversation in the terminal: numbered choices, free text, /back, /menu, /language.

The same flows, store and turn logic as Telegram; only the rendering differs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot.channels.render import UNREVIEWED, plain
from bot.conversation import Lotse
from bot.engine.io import (
    N_,
    Back,
    Button,
    ChangeLanguage,
    Menu,
    Msg,
    Output,
    Press,
    Resume,
    Say,
    Start,
    Text,
    Withdraw,
)
from bot.handoff.chat import ShowAppointment, TurnEvent
from bot.handoff.outbox import Claimed
from bot.i18n import Catalogs

CHANNEL = "console"
COMMANDS: dict[str, Callable[[], TurnEvent]] = {
    "/back": Back, "/menu": Menu, "/language": ChangeLanguage, "/start": Start,
    "/stop": Withdraw, "/appointment": ShowAppointment,
}


class Console:
    """Reads lines, turns them into events, prints outputs."""

    def __init__(self, app: Lotse, catalogs: Catalogs, chat_key: str, language: str,
                 out: TextIO = sys.stdout) -> None:
        self.app, self.catalogs, self.chat_key = app, catalogs, chat_key
        self.language = language
        self.out = out
        self.buttons: tuple[Button, ...] = ()
        self.lettered = False  # buttons as a) b) c) while a number is expected

    def run(self, lines: TextIO = sys.stdin) -> None:
        self.send(Resume())
        self.write(self.tr(Msg(N_("(Type a number to choose, or write. "
                                  "/back /menu /language /stop; Ctrl-D to leave.)"))))
        for raw in lines:
            line = raw.rstrip("\n")
            if line.strip() in ("/quit", "/exit"):
                break
            self.send(self.event_for(line))

    def event_for(self, line: str) -> TurnEvent:
        stripped = line.strip()
        if stripped in COMMANDS:
            return COMMANDS[stripped]()
        choice = _letter_index(stripped) if self.lettered else (
            int(stripped) if stripped.isdigit() else 0)
        if 1 <= choice <= len(self.buttons):
            return Press(self.buttons[choice - 1].id)
        return Text(line)

    def send(self, event: TurnEvent) -> None:
        reply = self.app.turn(CHANNEL, self.chat_key, event, self.language)
        self.language = reply.language
        self.show(reply.outputs)

    def show(self, outputs: list[Output]) -> None:
        says = [o for o in outputs if isinstance(o, Say)]
        # The not-yet-reviewed note once per turn, under the last such text: enough to know.
        noted = max((i for i, s in enumerate(says) if s.unreviewed), default=-1)
        for index, output in enumerate(says):
            self.write(plain(self.tr(output.text)))
            if index == noted:
                self.write("  [" + self.tr(UNREVIEWED) + "]")
            if output.buttons:
                self.buttons = output.buttons
                self.lettered = output.expects == "number"
                for number, button in enumerate(output.buttons, 1):
                    mark = chr(ord("a") + number - 1) if self.lettered else str(number)
                    self.write(f"  {mark}) {plain(self.tr(button.label))}")
        self.write("> ", end="")

    async def deliver(self, event: Claimed) -> None:
        """Outbox sender: a counsellor's message, a confirmation or a reminder for this
        terminal's person (printed as it arrives)."""
        payload = event.payload
        if payload.get("channel") != CHANNEL or payload.get("chat_key") != self.chat_key:
            raise LookupError("for another terminal session")  # retried later, never lost
        self.write("\n" + plain(str(payload["text"])))
        self.write("> ", end="")

    def tr(self, text: object) -> str:
        return self.catalogs.translate(self.language, text)  # type: ignore[arg-type]

    def write(self, text: str, end: str = "\n") -> None:
        self.out.write(text + end)
        self.out.flush()


def _letter_index(text: str) -> int:
    """a → 1, b → 2 …; 0 for anything else."""
    return ord(text) - ord("a") + 1 if len(text) == 1 and "a" <= text <= "z" else 0
