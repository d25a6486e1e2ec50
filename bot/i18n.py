"""Chrome strings, language negotiation and locale formatting — all through Babel.

Catalogs live in `locales/<lang>/LC_MESSAGES/messages.po`. The set-up compiles them to `.mo`;
when a `.mo` is missing or older than its `.po` (a plain `pip install`, an editor's fresh change),
the `.po` is compiled in memory instead, so the bot always speaks the newest texts.
"""

from __future__ import annotations

import gettext
import io
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_skeleton
from babel.dates import format_time as babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.engine.io import LanguageName, Msg
from bot.engine.languages import RTL, SOURCE, SUPPORTED, fallback_chain

DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"

#: Codes Telegram clients send that Babel cannot map by itself (content/languages.md).
ALIASES: dict[str, str] = {
    "prs": "fa", "fa-af": "fa", "pes": "fa", "kmr": "ku", "sdh": "ckb", "ku-iq": "ckb",
    "ku-arab": "ckb", "pbt": "ps", "pbu": "ps", "ar-tn": "ar",
}
PARAM = re.compile(r"\{([a-z_]+)\}")
FSI, PDI = "\u2068", "\u2069"
# Left-to-right runs inside right-to-left text: paragraphs, dates, numbers, Latin words.
_LTR_RUN = re.compile(
    r"§+\s*\d+[a-z]?(?:\s+Abs\.\s*\d+)?(?:\s+(?:S\.|Nr\.)\s*\d+)?(?:\s+[A-Z][A-Za-z]+G)?"
    r"|\+?\d[\d.,:/ -]*\d|\d"
    r"|[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9.'/-]*(?:\s+[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9.'/-]*)*")
_TAG = re.compile(r"(<[^>]*>|&[#a-zA-Z0-9]+;)")


class Catalogs:
    """The chrome catalogs of every supported language, with their fallback chains."""

    def __init__(self, locales_dir: Path) -> None:
        self.dir = locales_dir
        self._cache: dict[str, gettext.NullTranslations] = {}

    def _load(self, language: str) -> gettext.NullTranslations | None:
        base = self.dir / language / "LC_MESSAGES"
        po, mo = base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as handle:
                return Translations(handle, domain=DOMAIN)
        if not po.is_file():
            return None
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language if language in SUPPORTED else None)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)

    def translations(self, language: str) -> gettext.NullTranslations:
        """gettext translations for `language`, falling back along its chain to the msgid."""
        if language not in self._cache:
            chain = [t for t in (self._load(lang) for lang in fallback_chain(language)
                                 if lang != SOURCE or language == SOURCE) if t is not None]
            head: gettext.NullTranslations = gettext.NullTranslations()
            if chain:
                head = chain[0]
                for extra in chain[1:]:
                    head.add_fallback(extra)
            self._cache[language] = head
        return self._cache[language]

    def translate(self, language: str, message: Msg | LanguageName | str) -> str:
        """The text of a chrome string, a language name or a flow text, for `language`."""
        if isinstance(message, str):
            return message
        if isinstance(message, LanguageName):
            return endonym(message.code)
        text = self.translations(language).gettext(message.msgid)
        return fill(text, message.params)


def fill(text: str, params: Mapping[str, str]) -> str:
    """Fill `{name}` parameters; a translator's typo leaves the braces, it never raises."""
    return PARAM.sub(lambda m: str(params.get(m.group(1), m.group(0))), text)


def negotiate(code: str | None) -> str:
    """The supported language nearest to a Telegram `language_code` (`fa-AF` → `fa`)."""
    if not code:
        return DEFAULT_LANGUAGE
    wanted = code.strip().replace("_", "-").lower()
    if wanted in ALIASES:
        return ALIASES[wanted]
    found = negotiate_locale([wanted], list(SUPPORTED), sep="-")
    if found:
        return str(found)
    base = wanted.split("-")[0]
    return ALIASES.get(base, base if base in SUPPORTED else DEFAULT_LANGUAGE)


@lru_cache(maxsize=64)
def endonym(code: str) -> str:
    """A language's name in its own script, for the picker (no flags)."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
    # Capitals only where the script has them in running text (not Georgian's Mtavruli).
    if name[:1] and unicodedata.name(name[0], "").startswith(("LATIN", "CYRILLIC")):
        return name[:1].upper() + name[1:]
    return name


def direction(language: str) -> str:
    """'rtl' or 'ltr'."""
    try:
        rtl = Locale.parse(language).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        rtl = language in RTL
    return "rtl" if rtl else "ltr"


def isolate(text: str, language: str) -> str:
    """Wrap left-to-right runs ("§ 25b", dates, numbers) of right-to-left text in Unicode
    isolates so they keep their order inside Arabic-script sentences. HTML stays intact."""
    if direction(language) != "rtl":
        return text
    parts = _TAG.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = _LTR_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", parts[index])
    return "".join(parts)


def format_date(day: date, language: str) -> str:
    """A date the way people of `language` write it (e.g. `15.03.2026`, `١٥‏/٠٣‏/٢٠٢٦`)."""
    return babel_format_date(day, format="medium", locale=_locale(language))


def format_datetime(moment: datetime, language: str, timezone: str = "Europe/Berlin") -> str:
    """A moment in Berlin time (or the operator's zone), formatted for `language`."""
    return babel_format_datetime(moment, format="medium", tzinfo=ZoneInfo(timezone),
                                 locale=_locale(language))


def format_appointment(moment: datetime, language: str, timezone: str = "Europe/Berlin") -> str:
    """Weekday, day, month and time (`Tue, Dec 1, 10:00`), short enough for a button."""
    locale = _locale(language)
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_skeleton("MMMEd", local, locale=locale)
    clock = babel_format_time(local, format="short", locale=locale)
    pattern = str(locale.datetime_formats.get("short", "{1} {0}"))
    return pattern.replace("{1}", day).replace("{0}", clock).replace("'", "")


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE)


__all__ = ["Catalogs", "direction", "endonym", "format_appointment", "format_date",
           "format_datetime", "isolate",
           "negotiate", "fill"]
