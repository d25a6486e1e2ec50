"""Where the flows and locales are: the settings, the working directory, or the installed package.

Editors keep `flows/` and `locales/` at the top of the repository; a wheel carries them as
`bot/flows` and `bot/locales`, so a plain `pip install` followed by `lotse` finds them too.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resolve(explicit: Path | None, name: str) -> Path:
    """`explicit` if given, else `./<name>` if it exists, else the copy inside the package."""
    if explicit is not None:
        return explicit
    local = Path(name)
    if local.is_dir():
        return local
    packaged = Path(str(resources.files("bot"))) / name
    if packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parent.parent / name
    return repo if repo.is_dir() else local
