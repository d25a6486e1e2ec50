"""All settings, from the environment (DESIGN §7). No other module reads `os.environ`."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EXAMPLE = "(Beispiel – bitte in LOTSE_{name} eintragen)"


def _user_cache() -> Path:
    """`$XDG_CACHE_HOME/lotse`, else `~/.cache/lotse` (LOTSE_CACHE_DIR overrides it)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lotse"


class Settings(BaseSettings):
    """Lotse's configuration; secrets are `SecretStr` so they never show in a repr or a log."""

    model_config = SettingsConfigDict(env_prefix="LOTSE_", env_file=None, extra="ignore")

    env: Literal["development", "production"] = "development"
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    database_url: str = "sqlite:///lotse.db"
    data_keys: SecretStr | None = None
    pseudonym_key: SecretStr | None = None
    key_file: Path = Path(".lotse-keys.json")
    flows_dir: Path | None = None
    locales_dir: Path | None = None
    timezone: str = "Europe/Berlin"
    retention_days: int = Field(90, ge=1)
    retention_after_appointment_days: int = Field(30, ge=1)
    review_max_age_days: int = Field(180, ge=1)
    ask_conviction: bool = False
    operator_name: str = EXAMPLE.format(name="OPERATOR_NAME")
    operator_address: str = EXAMPLE.format(name="OPERATOR_ADDRESS")
    operator_email: str = EXAMPLE.format(name="OPERATOR_EMAIL")
    dpo_contact: str = EXAMPLE.format(name="DPO_CONTACT")
    supervisory_authority: str = EXAMPLE.format(name="SUPERVISORY_AUTHORITY")
    emergency_contacts: str = EXAMPLE.format(name="EMERGENCY_CONTACTS")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    counsellor_chat_id: int | None = None
    case_webhook_url: str | None = None
    case_webhook_secret: SecretStr | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    flood_limit: int = Field(25, ge=1)  # messages per 10 s before a person is slowed down
    telegram_max_rate: float = Field(30.0, gt=0)  # outgoing messages/s (Telegram's limit)
    max_open_appointments: int = Field(1, ge=1)  # per person (R17)
    slots_offered: int = Field(5, ge=1, le=8)  # free slots shown to a person at once
    booking_notice_hours: float = Field(2.0, ge=0)  # earliest bookable slot from now
    urgent_renotify_minutes: int = Field(60, ge=1)  # unclaimed urgent case: notify again
    inbox_session_minutes: int = Field(30, ge=1)  # idle timeout of a counsellor's session
    inbox_session_max_hours: int = Field(12, ge=1)  # absolute lifetime of a session
    login_max_failures: int = Field(5, ge=1)  # wrong passwords before the account locks
    login_lock_minutes: int = Field(15, ge=1)
    outbox_poll_seconds: float = Field(5.0, gt=0)
    outbox_retry_base_seconds: float = Field(2.0, gt=0)
    outbox_retry_max_seconds: float = Field(600.0, gt=0)
    outbox_lease_seconds: float = Field(60.0, gt=0)  # a crashed delivery is retried after this
    cache_dir: Path | None = Field(default_factory=lambda: _user_cache())  # parsed flows
    today: date | None = None  # fixes "today" for demos and tests; never set in production
    now: datetime | None = None  # fixes the clock (appointments, reminders); tests and demos only

    @field_validator("emergency_contacts")
    @classmethod
    def _read_contacts_file(cls, value: str) -> str:
        """`LOTSE_EMERGENCY_CONTACTS` may be the text itself or the path of a text file."""
        path = Path(value)
        if len(value) < 4096 and "\n" not in value and path.is_file():
            return path.read_text(encoding="utf-8").strip()
        return value

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """LOTSE_NOW needs a zone (e.g. `2026-11-25T09:00:00+00:00`): a naive clock would
        be compared with the database's UTC times."""
        if value is not None and value.tzinfo is None:
            raise ValueError("LOTSE_NOW needs a time zone, e.g. 2026-11-25T09:00:00+00:00")
        return value

    def placeholders(self) -> dict[str, str]:
        """The operator's values filled into consent, privacy and urgent texts."""
        return {
            "operator_name": self.operator_name, "operator_address": self.operator_address,
            "operator_email": self.operator_email, "dpo_contact": self.dpo_contact,
            "supervisory_authority": self.supervisory_authority,
            "retention_days": str(self.retention_days),
            "emergency_contacts": self.emergency_contacts,
        }

    def feature_flags(self) -> frozenset[str]:
        return frozenset({"ask_conviction"} if self.ask_conviction else set())

    def missing_production_secrets(self) -> list[str]:
        """Secrets `production` refuses to start without."""
        if self.env != "production":
            return []
        missing = [name for name, value in (("LOTSE_DATA_KEYS", self.data_keys),
                                            ("LOTSE_PSEUDONYM_KEY", self.pseudonym_key))
                   if value is None or not value.get_secret_value().strip()]
        if self.webhook_url and self.webhook_secret is None:
            missing.append("LOTSE_WEBHOOK_SECRET")
        if self.case_webhook_url and self.case_webhook_secret is None:
            missing.append("LOTSE_CASE_WEBHOOK_SECRET")
        if self.case_webhook_url and not self.case_webhook_url.startswith("https://"):
            missing.append("an https:// LOTSE_CASE_WEBHOOK_URL")
        if not self.public_url.startswith("https://"):
            missing.append("an https:// LOTSE_PUBLIC_URL (the inbox's cookies are Secure)")
        return missing
