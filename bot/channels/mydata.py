"""/mydata: a readable summary, in the person's language, of everything stored about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.channels.render import plain
from bot.engine.io import N_, Msg
from bot.engine.model import FlowSet, NodeKind
from bot.engine.view import text_of
from bot.i18n import Catalogs, format_appointment

SKIPPED = Msg(N_("(not answered)"))


def summary(data: dict[str, Any], flows: FlowSet, catalogs: Catalogs, language: str,
            timezone: str = "Europe/Berlin") -> str:
    tr = catalogs.translate
    chat = data["chat"]
    lines = [tr(language, Msg(N_("This is everything Lotse stores about you:"))), "",
             tr(language, Msg(N_("Language: {language}"), {"language": chat["language"]})),
             tr(language, Msg(N_("Last activity: {when}"), {"when": chat["last_activity"][:16]}))]
    for consent in data.get("consents", []):
        key = N_("Consent given on {when}") if not consent["withdrawn_at"] else \
            N_("Consent given on {when}, withdrawn")
        lines.append(tr(language, Msg(key, {"when": consent["given_at"][:16]})))
    answers = {k: v for k, v in data.get("answers", {}).items() if k != "consent"}
    if answers:
        lines += ["", tr(language, Msg(N_("Your answers:")))]
        lines += [f"• {question}: {answer}" for question, answer in
                  _readable(answers, flows, language, tr(language, SKIPPED))]
    requests = data.get("cases", [])
    if requests:
        lines += ["", tr(language, Msg(N_("Requests to the counselling service: {count}"),
                                       {"count": str(len(requests))}))]
    messages = sum(len(case["messages"]) for case in requests)
    if messages:
        lines.append(tr(language, Msg(N_("Messages with the counselling service: {count}"),
                                      {"count": str(messages)})))
    for case in requests:
        for appointment in case["appointments"]:
            when = format_appointment(datetime.fromisoformat(appointment["starts_at"]), language,
                                      timezone)
            key = N_("Cancelled appointment: {when}") if appointment["status"] == "cancelled" \
                else N_("Appointment: {when}")
            lines.append(tr(language, Msg(key, {"when": when})))
    lines += ["", tr(language, Msg(N_("The file below contains the same data. /delete erases "
                                      "all of it.")))]
    return "\n".join(lines)


def _readable(answers: dict[str, Any], flows: FlowSet, language: str,
              skipped: str) -> list[tuple[str, str]]:
    """(question, answer) in the person's language, using the question nodes' own texts."""
    questions = {n.key: n for n in flows.nodes.values() if n.kind is NodeKind.QUESTION}
    rows = []
    for key, value in answers.items():
        node = questions.get(key)
        if node is None:
            rows.append((key, str(value)))
            continue
        question = _question_line(text_of(flows, language, node.id, "text")[0])
        option = next((o for o in node.options if o.value == value and value is not None), None)
        if value is None:
            answer = skipped
        elif option is not None:
            answer = text_of(flows, language, node.id, f"option.{option.id}")[0]
        else:
            answer = str(value)
        rows.append((plain(question), answer))
    return rows


def _question_line(text: str) -> str:
    """The line that asks (ends with a question mark), else the first line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    asking = [line for line in lines if line.rstrip().endswith(("?", "؟", ";"))]
    return (asking or lines or [""])[0]
