"""Template helpers: dates in Berlin time and language names in the counsellor's language,
German field labels (the pre-screening is German), and the inbox's own words as msgids
(`N_`) that the Babel catalogs translate."""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from babel.dates import format_datetime
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from bot.engine.intake import FIELDS
from bot.engine.io import N_
from bot.engine.rules import value_de
from bot.handoff.desk import Desk
from bot.handoff.texts import KIND

PATHWAYS = {
    "25a": N_("§ 25a AufenthG – residence for well-integrated young people"),
    "25b": N_("§ 25b AufenthG – residence for lasting integration (long-term tolerated)"),
    "60d": N_("§ 60d AufenthG – Duldung for employment (Beschäftigungsduldung)"),
    "60c": N_("§ 60c AufenthG – Duldung for vocational training (Ausbildungsduldung)"),
    "16g": N_("§ 16g AufenthG – residence permit for vocational training for tolerated people"),
    "19d": N_("§ 19d AufenthG – residence for qualified tolerated people to work"),
    "spurwechsel": N_("§ 10 Abs. 3 S. 5 AufenthG – switching from a pending asylum procedure"),
    "25_5": N_("§ 25 Abs. 5 AufenthG – departure impossible for legal or factual reasons"),
    "104c_followup": N_("§ 104c AufenthG (Chancen-Aufenthalt) – apply early for § 25a/§ 25b"),
    "23a": N_("§ 23a AufenthG – hardship commission (only if nothing else fits)"),
    "identity_first": N_("Note: discuss clarifying identity / getting a passport first"),
    "conviction_discuss": N_("Note: a conviction needs to be discussed"),
}
STATUS = {"new": N_("new"), "claimed": N_("taken on"), "waiting": N_("waiting for the person"),
          "booked": N_("appointment booked"), "closed": N_("closed")}
PRIORITY = {"urgent": N_("urgent"), "high": N_("high"), "normal": N_("normal")}
REASON = {"prescreen": N_("questionnaire"), "urgent": N_("urgent help"),
          "talk": N_("wants to talk to a person")}
CLOSE = {"advised": N_("advised"), "referred": N_("referred"),
         "no_response": N_("no response"), "withdrawn": N_("withdrawn"),
         "duplicate": N_("duplicate"), "other": N_("other")}
BOOKING = {"booked": N_("booked"), "cancelled": N_("cancelled"), "attended": N_("attended"),
           "no_show": N_("did not come")}


def install(jinja: Environment, desk: Desk) -> None:
    @pass_context
    def when(context: Context, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return str(format_datetime(moment, "short", tzinfo=desk.zone,
                                   locale=Locale.parse(context.get("lang", "de"))))

    @pass_context
    def language(context: Context, code: str) -> str:
        return str(Locale.parse(context.get("lang", "de")).languages.get(code, code))

    @pass_context
    def languages(context: Context, codes: str) -> str:
        return ", ".join(language(context, c) for c in codes.split(",") if c)

    def label(key: str) -> str:
        spec = FIELDS.get(key)
        return spec.label_de if spec else key

    jinja.filters.update(when=when, language=language, languages=languages, label=label,
                         answer=value_de)
    jinja.globals.update(PATHWAYS=PATHWAYS, STATUS=STATUS, KIND=KIND, PRIORITY=PRIORITY,
                         REASON=REASON, CLOSE=CLOSE, BOOKING=BOOKING)
