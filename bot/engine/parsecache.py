"""A disk cache of parsed flow folders, so a process start does not re-parse every YAML file.

Parsing with line numbers (pure-Python YAML) takes seconds for the full flow set; a restart,
a second replica or a CLI call with unchanged flows reads the result back in milliseconds. The
key covers the bytes of every flow file and the source of the engine itself, so a change to
either is never served stale. The cache lives in a directory only this user can write, and a
file is read only if this user owns it and nobody else may write it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
PREFIX = "flows-"
_ENGINE = Path(__file__).parent


def key(root: Path, files: list[Path]) -> str:
    digest = hashlib.sha256(str(root.resolve()).encode())  # problems name paths under root
    for source in sorted(_ENGINE.glob("*.py")):
        digest.update(source.read_bytes())
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def read(cache_dir: Path, name: str) -> Any | None:
    path = cache_dir / f"{PREFIX}{name}.pickle"
    try:
        folder, info = cache_dir.lstat(), path.lstat()  # lstat: a symlink is never followed
        if not _private(folder) or not _private(info) or not path.is_file():
            return None
        with path.open("rb") as handle:
            return pickle.load(handle)  # our own file, in a directory only we can write
    except Exception:  # unreadable, truncated, from another version: parse again
        return None


def _private(info: os.stat_result) -> bool:
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def write(cache_dir: Path, name: str, value: Any) -> None:
    """Best effort: a read-only or full disk only costs the next start its speed."""
    temp: str | None = None
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, cache_dir / f"{PREFIX}{name}.pickle")
        temp = None
        for old in cache_dir.glob(f"{PREFIX}*.pickle"):
            if old.name != f"{PREFIX}{name}.pickle":
                old.unlink(missing_ok=True)
    except Exception as exc:  # a cache that cannot be written only costs speed
        logger.info("flow_cache_unwritable error=%s", type(exc).__name__)
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
