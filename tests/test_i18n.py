"""Babel: catalogs without compiled files, negotiation, endonyms, direction, dates, isolates."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.engine.io import LanguageName, Msg
from bot.engine.languages import SUPPORTED
from bot.i18n import (
    FSI,
    PDI,
    Catalogs,
    direction,
    endonym,
    format_date,
    format_datetime,
    isolate,
    negotiate,
)
from tests.conftest import LOCALES


@pytest.mark.parametrize(("code", "expected"), [
    ("de", "de"), ("de-AT", "de"), ("en-GB", "en"), ("fa-AF", "fa"), ("prs", "fa"),
    ("ar-TN", "ar"), ("ckb", "ckb"), ("ku", "ku"), ("kmr", "ku"), ("ps-AF", "ps"),
    ("ru_RU", "ru"), ("pt-BR", "en"), (None, "en"), ("", "en"), ("x" * 300, "en"),
])
def test_negotiation_of_telegram_language_codes(code: str | None, expected: str) -> None:
    assert negotiate(code) == expected


def test_endonyms_for_the_picker() -> None:
    assert endonym("ar") == "العربية" and endonym("fa") == "فارسی" and endonym("de") == "Deutsch"
    assert endonym("ru") == "Русский" and endonym("ka") == "ქართული"
    assert all(endonym(code) for code in SUPPORTED)


def test_direction() -> None:
    assert {code for code in SUPPORTED if direction(code) == "rtl"} == {"ar", "fa", "ps", "ur",
                                                                        "ckb"}


def test_rtl_isolates_paragraphs_dates_and_numbers_but_not_html() -> None:
    text = 'قد يكون <b>§ 25b AufenthG</b> مهمًا منذ 03/2019 <a href="https://x.de/a">رابط</a>'
    isolated = isolate(text, "ar")
    assert f"{FSI}§ 25b AufenthG{PDI}" in isolated
    assert f"{FSI}03/2019{PDI}" in isolated
    assert '<a href="https://x.de/a">' in isolated and "<b>" in isolated
    assert isolate(text, "de") == text


def test_dates_in_the_persons_locale_and_berlin_time() -> None:
    assert format_date(date(2026, 3, 15), "de") == "15.03.2026"
    assert "2026" in format_date(date(2026, 3, 15), "en")
    assert format_date(date(2026, 3, 15), "fa") != format_date(date(2026, 3, 15), "de")
    moment = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert "10:30" in format_datetime(moment, "de")  # summer time in Berlin


def test_catalogs_work_without_compiled_files(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales, ignore=shutil.ignore_patterns("*.mo"))
    catalogs = Catalogs(locales)
    back = Msg("« Back")
    assert catalogs.translate("en", back) == "« Back"
    assert catalogs.translate("de", back) != "« Back"
    assert catalogs.translate("xx", back) == "« Back"
    assert catalogs.translate("ar", LanguageName("fa")) == "فارسی"
    assert list(locales.rglob("*.mo")) == []


def test_parameters_are_filled_and_never_crash() -> None:
    catalogs = Catalogs(LOCALES)
    msg = Msg("Please write a number from {low} to {high}.", {"low": "0", "high": "20"})
    assert "0" in catalogs.translate("de", msg) and "20" in catalogs.translate("de", msg)
    broken = Msg("Please write a number from {low} to {high}.", {})
    assert "{low}" in catalogs.translate("en", broken)


def test_every_chrome_string_is_translated_in_every_language() -> None:
    from bot import catalog_check

    status = catalog_check.status(LOCALES)
    for language, counts in status.items():
        assert counts.missing == 0 and counts.stale == 0, language
    assert catalog_check.check(LOCALES) == []
