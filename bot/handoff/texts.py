"""What the person reads about cases and appointments, in their language.

Chrome strings are English msgids (`N_`) translated through the Babel catalogs; dates come from
Babel in the person's locale and Europe/Berlin time. Whatever a counsellor typed is escaped:
only our own markup reaches Telegram's HTML parser.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime

from bot.engine.io import N_, Msg
from bot.i18n import Catalogs, format_appointment

# --- relay -----------------------------------------------------------------------------------
RELAYED = N_("Your message was passed on to the counselling service. {expect}\n"
             "Write /menu to go back to Lotse's menu.")
EXPECT_OPEN = N_("A counsellor will answer during today's opening hours.")
EXPECT_LATER = N_("The counselling service is closed now. A counsellor will answer from {when}.")
EXPECT_UNKNOWN = N_("A counsellor will answer as soon as possible.")
FROM_SERVICE = N_("Message from the counselling service:")
REPLY_HINT = N_("You can answer here in this chat. /menu – back to Lotse.")
CLAIMED = N_("A counsellor has taken on your request and will write to you here in this chat.")
CLOSED = N_("Your conversation with the counselling service is closed. Lotse answers "
            "automatically again. You can ask for a counsellor at any time in the menu.")
EMERGENCY = N_("If you are in danger now, or the police comes to deport you, contact at once:\n"
               "{contacts}")

# --- booking ---------------------------------------------------------------------------------
KIND = {"in_person": N_("in person"), "phone": N_("by phone"), "video": N_("by video call")}
NO_SLOTS = N_("There is no free appointment in your language at the moment. A counsellor will "
              "write to you here to find a time.")
TAKEN = N_("Sorry, this time was just taken by someone else. Please choose another time.")
GONE = N_("This time is no longer available. Please choose another time.")
TOO_MANY = N_("You already have an appointment. To change it, write /appointment and cancel "
              "it first.")
BOOKED = N_("Your appointment is booked.")
YOURS = N_("Your appointment")
WHEN = N_("When: {when}")
HOW = N_("How: {kind}")
WHERE = N_("Where: {place}")
ACCESS = N_("Accessibility: {notes}")
CALL = N_("A counsellor will call you at this time.")
BRING = N_("Please bring what you have: your Duldung, all letters from the authorities with "
           "their envelopes, and your passport or proof that you tried to get one.")
HOW_TO_CHANGE = N_("To cancel or change the appointment, write /appointment.")
NONE_BOOKED = N_("You have no appointment booked.")
NO_CASE = N_("To book an appointment, first choose “Talk to a person / appointment” in the "
             "menu.")
ASK_CANCEL = N_("Do you really want to cancel your appointment on {when}?")
CANCELLED = N_("Your appointment is cancelled.")
CANCELLED_BY_SERVICE = N_("The counselling service had to cancel your appointment on {when}. "
                          "Please choose a new time with /appointment, or write here.")
KEPT = N_("Your appointment stays as it is.")
REMIND_24 = N_("Reminder: your counselling appointment is tomorrow.")
REMIND_2 = N_("Reminder: your counselling appointment is in two hours.")
BTN_CANCEL = N_("Cancel appointment")
BTN_REBOOK = N_("Choose another time")
BTN_YES_CANCEL = N_("Yes, cancel it")
BTN_KEEP = N_("No, keep the appointment")
BTN_MORE = N_("Show other times")

# --- canned replies (the counsellor chooses, the person reads them in their language) --------
CANNED: Mapping[str, str] = {
    "ack": N_("Thank you for your message. I will answer you soon."),
    "book": N_("Please choose an appointment: write /appointment."),
    "documents": N_("Please bring your Duldung, all letters from the authorities with their "
                    "envelopes, and your passport or proof of your efforts to get one to the "
                    "appointment."),
    "interpreter": N_("An interpreter will be there at the appointment."),
    "call": N_("I would like to call you. Please write me a phone number and a time that "
               "suits you."),
    "no_documents": N_("Please do not send documents or photos here: this chat is not "
                       "end-to-end encrypted. Bring them to the appointment."),
}


class Writer:
    """Composes the person's messages in one language."""

    def __init__(self, catalogs: Catalogs, language: str, timezone: str) -> None:
        self.catalogs, self.language, self.timezone = catalogs, language, timezone

    def t(self, msgid: str, **params: str) -> str:
        return self.catalogs.translate(self.language, Msg(msgid, params))

    def when(self, moment: datetime) -> str:
        return format_appointment(moment, self.language, self.timezone)

    def counsellor(self, body: str) -> str:
        """A counsellor's message, marked as from the counselling service."""
        return (f"<b>{html.escape(self.t(FROM_SERVICE))}</b>\n\n{html.escape(body)}\n\n"
                f"<i>{html.escape(self.t(REPLY_HINT))}</i>")

    def appointment(self, starts_at: datetime, kind: str, place: str, address: str,
                    accessibility: str, remote_info: str, *, heading: str) -> str:
        """Heading, time, kind, place, what to bring and how to cancel."""
        lines = [f"<b>{html.escape(self.t(heading))}</b>",
                 html.escape(self.t(WHEN, when=self.when(starts_at))),
                 html.escape(self.t(HOW, kind=self.t(KIND.get(kind, KIND["in_person"]))))]
        if kind == "in_person":
            where = ", ".join(p for p in (place, address) if p)
            lines.append(html.escape(self.t(WHERE, place=where)))
            if accessibility:
                lines.append(html.escape(self.t(ACCESS, notes=accessibility)))
        elif kind == "phone":
            lines.append(html.escape(self.t(CALL)))
        if remote_info and kind != "in_person":
            lines.append(html.escape(remote_info))
        lines += ["", html.escape(self.t(BRING)), "", html.escape(self.t(HOW_TO_CHANGE))]
        return "\n".join(lines)
