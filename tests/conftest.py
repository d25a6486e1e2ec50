"""Shared fixtures: a fixed "today", the real flows, a minimal flow set, a clean environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.engine import FlowSet, load_or_raise

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
LOCALES = ROOT / "locales"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
TODAY = date(2026, 11, 25)

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], derandomize=True)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No LOTSE_* setting of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("LOTSE_"):
            monkeypatch.delenv(name)
    yield


@pytest.fixture(scope="session")
def flows() -> FlowSet:
    return load_or_raise(FLOWS, today=TODAY, placeholders={
        "operator_name": "Beispiel e.V.", "operator_address": "Musterstraße 1, Dresden",
        "operator_email": "team@example.org", "dpo_contact": "dsb@example.org",
        "supervisory_authority": "Sächsische Datenschutzbeauftragte", "retention_days": "90",
        "emergency_contacts": "Notfall: 0351 000000"})


@pytest.fixture(scope="session")
def minimal() -> FlowSet:
    return load_or_raise(MINIMAL, today=TODAY, placeholders={"operator_name": "Beispiel e.V."})


@pytest.fixture(scope="session")
def minimal_conviction() -> FlowSet:
    return load_or_raise(MINIMAL, today=TODAY, settings={"ask_conviction"})
