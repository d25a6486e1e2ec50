"""Template helpers: German dates in Berlin time, language names, field labels, pathway tags
with a short explanation for the counsellor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel import Locale
from jinja2 import Environment

from bot.engine.intake import FIELDS
from bot.handoff.desk import Desk

PATHWAYS_DE = {
    "25a": "§ 25a AufenthG – Aufenthalt für gut integrierte Jugendliche und junge Volljährige",
    "25b": "§ 25b AufenthG – Aufenthalt bei nachhaltiger Integration (langjährig Geduldete)",
    "60d": "§ 60d AufenthG – Beschäftigungsduldung",
    "60c": "§ 60c AufenthG – Ausbildungsduldung",
    "16g": "§ 16g AufenthG – Aufenthaltserlaubnis zur Berufsausbildung für Geduldete",
    "19d": "§ 19d AufenthG – Aufenthalt für qualifizierte Geduldete zur Beschäftigung",
    "spurwechsel": "§ 10 Abs. 3 S. 5 AufenthG – Spurwechsel aus dem laufenden Asylverfahren",
    "25_5": "§ 25 Abs. 5 AufenthG – Ausreise aus rechtlichen oder tatsächlichen Gründen "
            "unmöglich",
    "104c_followup": "§ 104c AufenthG (Chancen-Aufenthalt) – Übergang in § 25a/§ 25b "
                     "frühzeitig beantragen",
    "23a": "§ 23a AufenthG – Härtefallkommission (nur wenn nichts anderes passt)",
    "identity_first": "Hinweis: Identitätsklärung / Passbeschaffung zuerst besprechen",
    "conviction_discuss": "Hinweis: eine Verurteilung muss besprochen werden",
}
STATUS_DE = {"new": "neu", "claimed": "übernommen", "waiting": "wartet auf Person",
             "booked": "Termin gebucht", "closed": "geschlossen"}
PRIORITY_DE = {"urgent": "dringend", "high": "hoch", "normal": "normal"}
KIND_DE = {"in_person": "vor Ort", "phone": "Telefon", "video": "Video"}
REASON_DE = {"prescreen": "Fragebogen", "urgent": "dringend", "talk": "Gesprächswunsch"}
CLOSE_DE = {"advised": "beraten", "referred": "weitervermittelt",
            "no_response": "keine Rückmeldung", "withdrawn": "zurückgezogen",
            "duplicate": "doppelt", "other": "anderes"}
BOOKING_DE = {"booked": "gebucht", "cancelled": "abgesagt", "attended": "wahrgenommen",
              "no_show": "nicht erschienen"}


def install(jinja: Environment, desk: Desk) -> None:
    german = Locale.parse("de")

    def when(moment: datetime | None) -> str:
        if moment is None:
            return ""
        return moment.astimezone(desk.zone).strftime("%d.%m.%Y %H:%M")

    def language(code: str) -> str:
        return str(german.languages.get(code, code))

    def languages(codes: str) -> str:
        return ", ".join(language(c) for c in codes.split(",") if c)

    def label(key: str) -> str:
        spec = FIELDS.get(key)
        return spec.label_de if spec else key

    def answer(value: Any) -> str:
        if value is True:
            return "ja"
        if value is False:
            return "nein"
        if value is None:
            return "(übersprungen)"
        return str(value)

    jinja.filters.update(when=when, language=language, languages=languages, label=label,
                         answer=answer)
    jinja.globals.update(PATHWAYS_DE=PATHWAYS_DE, STATUS_DE=STATUS_DE, KIND_DE=KIND_DE,
                         PRIORITY_DE=PRIORITY_DE,
                         REASON_DE=REASON_DE, CLOSE_DE=CLOSE_DE, BOOKING_DE=BOOKING_DE)
