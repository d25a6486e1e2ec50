"""What goes into the engine (events) and what comes out (channel-neutral outputs).

Chrome strings (button words, error messages) leave the engine untranslated, as `Msg` with the
English msgid that the Babel catalogs translate; flow texts leave it already in the person's
language. A channel renders both: Telegram as messages with inline keyboards, the console as
numbered lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(msgid: str) -> str:
    """Mark a chrome string for extraction (`pybabel extract -k N_`); translated by the channel."""
    return msgid


# --- events ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Start:
    """/start: begin (again) at the welcome; keeps consent and answers."""

    language: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Press:
    button: str


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Menu:
    pass


@dataclass(frozen=True)
class ChangeLanguage:
    pass


@dataclass(frozen=True)
class Withdraw:
    """/stop: withdraw consent — the answers are erased, information stays available."""


@dataclass(frozen=True)
class Delete:
    """/delete: ask to confirm, then erase everything stored about the person."""


@dataclass(frozen=True)
class Privacy:
    """/privacy: the privacy information."""


@dataclass(frozen=True)
class Help:
    """/help: what the bot can do and its commands."""


@dataclass(frozen=True)
class Resume:
    """Show the current question again (after a restart); changes nothing."""


Event = (Start | Text | Press | Back | Menu | ChangeLanguage | Resume | Withdraw | Delete
         | Privacy | Help)


# --- outputs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Msg:
    """A chrome string: `msgid` is the English text; `params` fill `{name}` after translation."""

    msgid: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LanguageName:
    """A language's own name (endonym) for the picker; the channel asks Babel for it."""

    code: str


Label = str | Msg | LanguageName


@dataclass(frozen=True)
class Button:
    id: str
    label: Label


@dataclass(frozen=True)
class Say:
    """One message. `language` is the language the text is written in (for direction);
    `unreviewed` asks the channel to add the not-yet-reviewed note; `buttons` belong to it;
    `expects` tells a channel that typed digits are an answer, not a button number."""

    text: str | Msg
    language: str
    unreviewed: bool = False
    buttons: tuple[Button, ...] = ()
    expects: str | None = None  # the kind of typed answer a question waits for ("number", …)
    offer: str | None = None  # "slots": the booking service adds free appointment slots


@dataclass(frozen=True)
class RecordConsent:
    version: str
    language: str


@dataclass(frozen=True)
class Handoff:
    """A request to hand the person to a counsellor, with only what they chose to give."""

    reason: str
    language: str
    urgent: bool
    priority: str
    pathways: tuple[str, ...]
    answers: Mapping[str, Any]
    summary_de: str
    source: str | None


@dataclass(frozen=True)
class WithdrawConsent:
    """Consent was withdrawn: the store erases the answers everywhere and dates the record."""


@dataclass(frozen=True)
class Erase:
    """The person confirmed /delete: the store erases everything about them, keeps nothing."""


Output = Say | RecordConsent | WithdrawConsent | Handoff | Erase
