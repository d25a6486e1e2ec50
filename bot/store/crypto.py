"""Encryption at rest with Fernet (AES-128-CBC + HMAC), keys from the environment, rotatable.

`LOTSE_DATA_KEYS` holds comma-separated keys, newest first: data is written with the newest and
read with any, so a new key can be put in front and `lotse keys rotate` re-encrypts old rows.
In development a key file is generated (with a warning); production refuses to start without keys.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import Settings

logger = logging.getLogger(__name__)


class KeysUnavailable(RuntimeError):
    """Keys are missing or unusable; the message says which setting to fix."""


class Vault:
    """Encrypts and decrypts JSON-able values."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise KeysUnavailable("no data keys")
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])
        except (ValueError, TypeError) as exc:
            raise KeysUnavailable("LOTSE_DATA_KEYS must be Fernet keys (32 url-safe base64 bytes), "
                            "separated by commas") from exc

    def encrypt(self, value: Any) -> str:
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._fernet.encrypt(raw).decode("ascii")

    def decrypt(self, token: str) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken as exc:
            raise KeysUnavailable("stored data cannot be decrypted with LOTSE_DATA_KEYS "
                            "(was a key removed?)") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt `token` under the newest key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")


def keys_from(settings: Settings) -> tuple[list[str], str]:
    """(data keys, pseudonym key): from the settings, or in development from the key file."""
    data = settings.data_keys.get_secret_value() if settings.data_keys else ""
    pseudonym = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else ""
    if data and pseudonym:
        return [k for k in data.split(",") if k.strip()], pseudonym
    if settings.env == "production":
        raise KeysUnavailable("production needs LOTSE_DATA_KEYS and LOTSE_PSEUDONYM_KEY")
    stored = _development_keys(settings.key_file)
    return ([k for k in data.split(",") if k.strip()] or stored["data_keys"],
            pseudonym or stored["pseudonym_key"])


def _development_keys(path: Path) -> dict[str, Any]:
    if path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(stored.get("data_keys"), list) and stored.get("pseudonym_key"):
                return dict(stored)
        except (OSError, ValueError):
            pass
        raise KeysUnavailable(f"the development key file {path} is damaged; set LOTSE_DATA_KEYS")
    logger.warning("development_keys_generated path=%s — set LOTSE_DATA_KEYS and "
                   "LOTSE_PSEUDONYM_KEY for real use", path)
    stored = {"data_keys": [Fernet.generate_key().decode()],
              "pseudonym_key": Fernet.generate_key().decode()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(stored, handle)
    return stored
