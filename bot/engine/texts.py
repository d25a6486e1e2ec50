"""Checks on a single text: Telegram's limits, Telegram-safe HTML, placeholders, no verdicts.

The bot talks to people whose right to stay may depend on what they read, so an outcome phrased
as a legal verdict ("you qualify") is an error (Rechtsdienstleistungsgesetz), not a style issue.
"""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096
MAX_LABEL = 100
PLACEHOLDER_ALLOWANCE = 200  # characters a filled-in operator setting may take

PLACEHOLDERS = frozenset({
    "operator_name", "operator_address", "operator_email", "dpo_contact",
    "supervisory_authority", "retention_days", "emergency_contacts",
})

_ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(), "strong": frozenset(), "i": frozenset(), "em": frozenset(),
    "u": frozenset(), "ins": frozenset(), "s": frozenset(), "strike": frozenset(),
    "del": frozenset(), "code": frozenset({"class"}), "pre": frozenset(),
    "a": frozenset({"href"}), "blockquote": frozenset({"expandable"}),
    "tg-spoiler": frozenset(), "span": frozenset({"class"}),
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:=\"[^\"<>]*\")?)*)\s*>")
_ATTR = re.compile(r"([A-Za-z-]+)(?:=\"([^\"]*)\")?")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")

#: Wording that hands out an individual legal verdict, per language (lower-cased text).
VERDICTS: dict[str, tuple[str, ...]] = {
    "de": (r"\bsie erfüllen\b", r"\bdu erfüllst\b",
           r"\bsie haben (einen |ein )?(rechts)?anspruch\b",
           r"\bsie qualifizieren sich\b", r"\bsie sind (dazu )?berechtigt\b",
           r"\bsie (bekommen|erhalten) (sicher |bestimmt )?(eine|die|ein) (aufenthaltserlaubnis|"
           r"duldung|bleiberecht)", r"\bsie haben keine chance\b",
           r"\bsie kommen (nicht )?in frage\b"),
    "en": (r"\byou (do not |don't |)qualify\b", r"\byou are (not )?eligible\b",
           r"\byou're (not )?eligible\b", r"\byou are (not )?entitled\b",
           r"\byou meet (all )?the (requirements|conditions)\b",
           r"\byou will (get|receive) (a|the) (residence )?(permit|right to stay)\b",
           r"\byou have no chance\b"),
}


def visible_length(text: str) -> int:
    """Characters Telegram counts: tags removed, entities decoded, placeholders allowed for."""
    plain = html.unescape(_TAG.sub("", text))
    extra = sum(PLACEHOLDER_ALLOWANCE - len(m.group(0)) for m in _PLACEHOLDER.finditer(plain))
    return len(plain) + max(extra, 0)


def check_html(text: str) -> str | None:
    """Why `text` is not Telegram-safe HTML, or None."""
    stack: list[str] = []
    pos = 0
    for match in _TAG.finditer(text):
        problem = _check_plain(text[pos:match.start()])
        if problem:
            return problem
        pos = match.end()
        closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if name not in _ALLOWED_TAGS:
            return f"HTML tag <{name}> is not allowed in Telegram (allowed: " + \
                ", ".join(sorted(_ALLOWED_TAGS)) + ")"
        if closing:
            if not stack or stack[-1] != name:
                return f"closing tag </{name}> does not match an open tag"
            stack.pop()
            continue
        for attr, _value in _ATTR.findall(attrs):
            if attr.lower() not in _ALLOWED_TAGS[name]:
                return f"attribute '{attr}' is not allowed on <{name}>"
        if name == "a" and 'href="' not in attrs:
            return "<a> needs an href=\"…\""
        stack.append(name)
    problem = _check_plain(text[pos:])
    if problem:
        return problem
    if stack:
        return f"tag <{stack[-1]}> is not closed"
    return None


def _check_plain(chunk: str) -> str | None:
    if "<" in chunk or ">" in chunk:
        return "write &lt; and &gt; for < and > (or use an allowed HTML tag)"
    stripped = _ENTITY.sub("", chunk)
    if "&" in stripped:
        return "write &amp; for & (Telegram HTML)"
    return None


def check_placeholders(text: str) -> str | None:
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(text)} - PLACEHOLDERS)
    if unknown:
        return "unknown placeholder {" + unknown[0] + "} (allowed: " + \
            ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS)) + ")"
    return None


def placeholders_in(text: str) -> frozenset[str]:
    return frozenset(m.group(1) for m in _PLACEHOLDER.finditer(text)) & PLACEHOLDERS


def check_verdict(text: str, language: str) -> str | None:
    lowered = text.lower()
    for pattern in VERDICTS.get(language, ()) + VERDICTS["en"] * (language != "en"):
        found = re.search(pattern, lowered)
        if found:
            return (f"phrased as a legal verdict (\"{found.group(0)}\"): say that something "
                    "may be relevant and should be discussed with a counsellor")
    return None


def check_text(text: str, language: str, *, label: bool = False) -> list[str]:
    """Every problem of one editor text, as messages without location."""
    found: list[str] = []
    if not text.strip():
        return ["text is empty"]
    limit = MAX_LABEL if label else MAX_TEXT
    if label and ("<" in text or "&" in text):
        found.append("button labels cannot contain HTML")
    elif not label:
        problem = check_html(text)
        if problem:
            found.append(problem)
    if visible_length(text) > limit:
        found.append(f"text is {visible_length(text)} characters long; "
                     f"Telegram allows {limit}" + ("" if label else " (split it into two nodes)"))
    for check in (check_placeholders(text), check_verdict(text, language)):
        if check:
            found.append(check)
    return found


MAX_SENTENCE_WORDS = 20
MAX_MESSAGE_CHARS = 700
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def readability(text: str, *, max_chars: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Warnings for German source texts: plain language means short sentences and messages."""
    plain = _PLACEHOLDER.sub("Beispiel e. V.", html.unescape(_TAG.sub("", text)))
    found = []
    longest = max((s for s in _SENTENCE_END.split(plain) if s.strip()),
                  key=lambda s: len(s.split()), default="")
    if len(longest.split()) > MAX_SENTENCE_WORDS:
        found.append(f"a sentence has {len(longest.split())} words (plain German: at most "
                     f"{MAX_SENTENCE_WORDS}): \"{' '.join(longest.split()[:8])} …\"")
    if len(plain) > max_chars:
        found.append(f"the message has {len(plain)} characters (plain German: at "
                     f"most {max_chars}; one idea per message)")
    return found


def fill(text: str, values: dict[str, str]) -> str:
    """Fill the operator's placeholders; other braces are left as they are, never an error."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
