"""Checks and status of the chrome catalogs (`locales/<lang>/LC_MESSAGES/messages.po`)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from bot.engine.languages import SUPPORTED
from bot.engine.model import Where
from bot.engine.problems import Problem
from bot.engine.status import Counts
from bot.i18n import DOMAIN, PARAM

_REVIEW = re.compile(r'^"X-Review-Status: (machine|reviewed)\\n"$', re.MULTILINE)


def po_path(locales: Path, language: str) -> Path:
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def template(locales: Path) -> Catalog | None:
    path = locales / f"{DOMAIN}.pot"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle)


def _read(path: Path, language: str) -> tuple[Catalog | None, Problem | None]:
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=language, abort_invalid=True), None
    except (PoFileError, ValueError, OSError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1) or 1
        return None, Problem(Where(str(path), int(line)), f"bad catalog: {exc}")


def check(locales: Path) -> list[Problem]:
    """Every catalog parses, and no translation loses or invents a `{parameter}`."""
    problems: list[Problem] = []
    pot = template(locales)
    if pot is None:
        return [Problem(Where(str(locales / f"{DOMAIN}.pot"), 1), "the catalog template is "
                        "missing (run: make locales)")]
    for language in SUPPORTED:
        path = po_path(locales, language)
        if not path.is_file():
            continue
        catalog, problem = _read(path, language)
        if problem or catalog is None:
            problems += [problem] if problem else []
            continue
        for message in catalog:
            if not message.id or not message.string:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            msgstr = message.string if isinstance(message.string, str) else message.string[0]
            if set(PARAM.findall(msgid)) != set(PARAM.findall(msgstr)):
                line = message.lineno or 1
                problems.append(Problem(Where(str(path), line), f"translation of \"{msgid[:40]}"
                                        "\" must keep the same {parameters}"))
    return problems


def status(locales: Path) -> dict[str, Counts]:
    """Per language: how many chrome strings are translated, stale (fuzzy) or missing."""
    pot = template(locales)
    ids = [m.id for m in pot if m.id] if pot else []
    result: dict[str, Counts] = {}
    for language in SUPPORTED:
        counts = Counts(total=len(ids), reviewed=language in ("de", "en") or _reviewed(
            po_path(locales, language)))
        catalog, _problem = _read(po_path(locales, language), language) \
            if po_path(locales, language).is_file() else (None, None)
        for msgid in ids:
            message = catalog.get(msgid) if catalog else None
            if language == "en" and (message is None or not message.string):
                counts.translated += 1  # the msgids are English: an empty msgstr shows them
            elif message is None or not message.string:
                counts.missing += 1
            elif message.fuzzy:
                counts.stale += 1
            else:
                counts.translated += 1
        result[language] = counts
    return result


def _reviewed(path: Path) -> bool:
    """A catalog's review status, from its `X-Review-Status` header (machine | reviewed)."""
    try:
        found = _REVIEW.search(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    return bool(found and found.group(1) == "reviewed")
