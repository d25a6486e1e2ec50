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
    digest = hashlib.sha256()
    for source in sorted(_ENGINE.glob("*.py")):
        digest.update(source.read_bytes())
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def read(cache_dir: Path, name: str) -> Any | None:
    path = cache_dir / f"{PREFIX}{name}.pickle"
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o022 or \
                cache_dir.stat().st_mode & 0o022:
            return None
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        return None


def write(cache_dir: Path, name: str, value: Any) -> None:
    """Best effort: a read-only or full disk only costs the next start its speed."""
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, cache_dir / f"{PREFIX}{name}.pickle")
        for old in cache_dir.glob(f"{PREFIX}*.pickle"):
            if old.name != f"{PREFIX}{name}.pickle":
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.info("flow_cache_unwritable error=%s", type(exc).__name__)
