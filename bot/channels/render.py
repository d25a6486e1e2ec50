"""Engine outputs as Telegram messages: HTML, keyboards, the unreviewed note, RTL, splitting.

Flow texts are editors' HTML, already checked against Telegram's tag list; chrome strings and
anything a person wrote are escaped. Right-to-left texts get Unicode isolates around "§ 25b",
dates and numbers. A message over Telegram's 4096 characters is split at paragraph boundaries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine.io import N_, Button, LanguageName, Msg, Output, Say
from bot.i18n import Catalogs, isolate

MAX_TEXT = 4096
WIDE_LABEL = 22  # labels longer than this get a row of their own
UNREVIEWED = Msg(N_("This translation has not yet been checked by a native speaker."))
NAV = ("back", "menu")
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML as plain text (terminal, summaries)."""
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True)
class Message:
    text: str  # HTML
    keyboard: tuple[tuple[tuple[str, str], ...], ...] = ()  # rows of (label, button id)


def render(outputs: list[Output], language: str, catalogs: Catalogs) -> list[Message]:
    """The messages to send for one turn, in order; only the last may carry a keyboard."""
    says = [o for o in outputs if isinstance(o, Say)]
    noted = max((i for i, s in enumerate(says) if s.unreviewed), default=-1)
    messages: list[Message] = []
    for index, say in enumerate(says):
        text = body(say, language, catalogs)
        if index == noted:
            text += "\n\n<i>" + html.escape(catalogs.translate(language, UNREVIEWED)) + "</i>"
        parts = split(isolate(text, say.language if isinstance(say.text, str) else language))
        rows = keyboard(say.buttons, lambda b: label(b, language, catalogs))
        messages += [Message(p) for p in parts[:-1]] + [Message(parts[-1], rows)]
    return messages


def body(say: Say, language: str, catalogs: Catalogs) -> str:
    if isinstance(say.text, Msg):
        return html.escape(catalogs.translate(language, say.text))
    return say.text.strip()


def label(button: Button, language: str, catalogs: Catalogs) -> str:
    text = catalogs.translate(language, button.label)
    if isinstance(button.label, str | LanguageName):
        text = html.unescape(text)
    return text.strip()[:64] or "…"


def keyboard(buttons: tuple[Button, ...],
             label_of: Callable[[Button], str]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Rows: long labels alone, short ones in pairs, Back and Menu together at the end."""
    rows: list[tuple[tuple[str, str], ...]] = []
    pending: list[tuple[str, str]] = []
    for button in (b for b in buttons if b.id not in NAV):
        item = (label_of(button), button.id)
        if len(item[0]) > WIDE_LABEL:
            if pending:
                rows.append(tuple(pending))
                pending = []
            rows.append((item,))
        else:
            pending.append(item)
            if len(pending) == 2:
                rows.append(tuple(pending))
                pending = []
    if pending:
        rows.append(tuple(pending))
    nav = tuple((label_of(b), b.id) for b in buttons if b.id in NAV)
    if nav:
        rows.append(nav)
    return tuple(rows)


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraphs, then lines, then words."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for separator, chunks in (("\n\n", text.split("\n\n")),):
        for chunk in chunks:
            candidate = f"{current}{separator}{chunk}" if current else chunk
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                pieces.append(current)
            while len(chunk) > limit:
                cut = chunk.rfind("\n", 0, limit)
                cut = cut if cut > 0 else chunk.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                pieces.append(chunk[:cut])
                chunk = chunk[cut:].lstrip()
            current = chunk
    if current:
        pieces.append(current)
    return pieces
