"""The person's side of cases and appointments, inside a conversation turn.

The engine knows nothing of slots or counsellors. Before it runs, `intercept` takes the events
that belong here (slot buttons, /appointment, messages while a counsellor holds the case);
after it ran, `expand` fills the free slots into a booking node's message. Both work in the
turn's transaction, so the reply, the booking and its outbox events commit together.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from bot.engine.io import N_, Back, Button, Event, Menu, Msg, Output, Press, Say, Start, Text
from bot.engine.state import State
from bot.handoff import booking, cases
from bot.handoff.booking import SlotGone, SlotTaken, TooMany
from bot.handoff.desk import Desk
from bot.handoff.texts import (
    ASK_CANCEL,
    BTN_CANCEL,
    BTN_KEEP,
    BTN_REBOOK,
    BTN_YES_CANCEL,
    CANCELLED,
    GONE,
    KEPT,
    KIND,
    NO_CASE,
    NO_SLOTS,
    NONE_BOOKED,
    RELAYED,
    TAKEN,
    TOO_MANY,
    YOURS,
)
from bot.store.models import Booking, Case, Slot

MENU = Msg(N_("Main menu"))


@dataclass(frozen=True)
class ShowAppointment:
    """/appointment: the person's appointment with cancel and rebook, or free slots."""


TurnEvent = Event | ShowAppointment


def intercept(db: Session, desk: Desk, session_id: int, state: State, event: TurnEvent,
              now: datetime) -> list[Output] | None:
    """Outputs if this event belongs to the counselling side, else None (the engine runs)."""
    case = cases.latest(db, session_id)
    if isinstance(event, ShowAppointment):
        return overview(db, desk, session_id, state.language, now)
    if isinstance(event, Text) and case is not None and case.relay:
        cases.from_person(db, desk, case, event.text, now)
        expect = desk.expectation(db, case.language, now)
        return [Say(html.escape(desk.writer(state.language).t(RELAYED, expect=expect)),
                    state.language)]
    leaving = isinstance(event, Menu | Start | Back) or (
        isinstance(event, Press) and event.button == "menu")
    if leaving and case is not None and case.relay:
        cases.leave_relay(db, case, now)
        return None
    button = getattr(event, "button", "")
    if not button.startswith(("slot:", "appt:")):
        return None
    if case is None:
        return [say(desk, state.language, NO_CASE)]
    kind, _, arg = button.partition(":")
    if kind == "slot":
        return _book(db, desk, case, state.language, arg, now)
    return _manage(db, desk, session_id, state.language, arg, now)


def expand(db: Session, desk: Desk, session_id: int | None,
           outputs: list[Output], now: datetime) -> list[Output]:
    """Put free slots (or the person's existing appointment) into a booking node's message."""
    result: list[Output] = []
    for output in outputs:
        if isinstance(output, Say) and output.offer == "slots":
            result += _fill(db, desk, session_id, output, now)
        else:
            result.append(output)
    return result


def _fill(db: Session, desk: Desk, session_id: int | None, message: Say,
          now: datetime) -> list[Output]:
    language = message.language if message.language else "de"
    if session_id is not None and booking.open_bookings(db, session_id, now):
        return overview(db, desk, session_id, language, now)
    slots = slot_buttons(db, desk, language, now)
    text = str(message.text) if slots else \
        f"{message.text}\n\n{html.escape(desk.writer(language).t(NO_SLOTS))}"
    return [replace(message, text=text, buttons=(*slots, *message.buttons), offer=None)]


def slot_buttons(db: Session, desk: Desk, language: str, now: datetime,
                 skip: int | None = None) -> tuple[Button, ...]:
    writer = desk.writer(language)
    slots = [s for s in booking.free_slots(db, desk, language, now,
                                           limit=desk.settings.slots_offered + 1) if s.id != skip]
    return tuple(Button(f"slot:{s.id}", f"{writer.when(s.starts_at)} · "
                                         f"{writer.t(KIND.get(s.kind, KIND['in_person']))}")
                 for s in slots[:desk.settings.slots_offered])


def offer(db: Session, desk: Desk, language: str, now: datetime, lead: str,
          skip: int | None = None) -> list[Output]:
    """`lead`, then the free slots as buttons (or that there are none)."""
    writer = desk.writer(language)
    slots = slot_buttons(db, desk, language, now, skip)
    text = html.escape(writer.t(lead) if slots else f"{writer.t(lead)}\n\n{writer.t(NO_SLOTS)}")
    return [Say(text, language, buttons=(*slots, Button("menu", MENU)))]


def overview(db: Session, desk: Desk, session_id: int, language: str,
             now: datetime) -> list[Output]:
    mine = booking.open_bookings(db, session_id, now)
    if not mine:
        if cases.latest(db, session_id) is None:
            return [say(desk, language, NO_CASE)]
        return offer(db, desk, language, now, NONE_BOOKED)
    held, slot = mine[0]
    text = booking.describe(db, desk, slot, language, YOURS)
    return [Say(text, language, buttons=(Button(f"appt:cancel:{held.id}", Msg(BTN_CANCEL)),
                                         Button(f"appt:rebook:{held.id}", Msg(BTN_REBOOK)),
                                         Button("menu", MENU)))]


def _book(db: Session, desk: Desk, case: Case, language: str, arg: str,
          now: datetime) -> list[Output]:
    slot_id = int(arg) if arg.isdigit() else -1
    try:
        made = booking.book(db, desk, case, slot_id, now)
    except SlotTaken:
        return offer(db, desk, language, now, TAKEN, skip=slot_id)
    except SlotGone:
        return offer(db, desk, language, now, GONE, skip=slot_id)
    except TooMany:
        return [say(desk, language, TOO_MANY)]
    slot = db.get(Slot, made.slot_id)
    assert slot is not None
    return [Say(booking.describe(db, desk, slot, language), language,
                buttons=(Button("menu", MENU),))]


def _manage(db: Session, desk: Desk, session_id: int, language: str, arg: str,
            now: datetime) -> list[Output]:
    """appt:cancel:ID asks, appt:confirm:ID cancels, appt:rebook:ID cancels and offers slots,
    appt:keep keeps. Only the person's own open booking can be touched."""
    action, _, raw = arg.partition(":")
    held = next((b for b, _s in booking.open_bookings(db, session_id, now)
                 if str(b.id) == raw), None)
    if action == "keep" or held is None:
        return [say(desk, language, KEPT if action == "keep" else NONE_BOOKED)]
    slot = db.get(Slot, held.slot_id)
    assert slot is not None
    if action == "cancel":
        writer = desk.writer(language)
        return [Say(html.escape(writer.t(ASK_CANCEL, when=writer.when(slot.starts_at))), language,
                    buttons=(Button(f"appt:confirm:{held.id}", Msg(BTN_YES_CANCEL)),
                             Button("appt:keep", Msg(BTN_KEEP))))]
    if action in ("confirm", "rebook"):
        return _cancel(db, desk, held, language, now)
    return [say(desk, language, NONE_BOOKED)]


def _cancel(db: Session, desk: Desk, held: Booking, language: str,
            now: datetime) -> list[Output]:
    booking.cancel(db, desk, held, now, by="person")
    return offer(db, desk, language, now, CANCELLED, skip=held.slot_id)


def say(desk: Desk, language: str, msgid: str) -> Say:
    return Say(html.escape(desk.writer(language).t(msgid)), language)
