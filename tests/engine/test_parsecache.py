"""The disk cache of parsed flows: reused when nothing changed, never when a file or the engine
changed, and never read from a file someone else could have written."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.engine import loader, parsecache
from tests.conftest import MINIMAL


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "flows"
    shutil.copytree(MINIMAL, root)
    return root


def _fresh(root: Path, cache: Path) -> loader.Loaded:
    loader._CACHE.clear()  # the per-process cache; this test is about the disk
    return loader.load_folder(root, cache)


def test_unchanged_flows_come_from_the_cache_changed_ones_are_parsed(tmp_path: Path) -> None:
    root, cache = _copy(tmp_path), tmp_path / "cache"
    first = _fresh(root, cache)
    files = list(cache.glob("flows-*.pickle"))
    assert len(files) == 1 and (cache.stat().st_mode & 0o777) == 0o700
    assert _fresh(root, cache).nodes.keys() == first.nodes.keys()
    main = root / "de" / "main.yaml"
    main.write_text(main.read_text("utf-8").replace("Willkommen", "Hallo"), "utf-8")
    changed = _fresh(root, cache)
    assert any("Hallo" in str(v) for v in changed.texts["de"].values())
    assert [p.name for p in cache.glob("flows-*.pickle")] != [f.name for f in files]


def test_a_file_others_can_write_or_garbage_is_ignored(tmp_path: Path) -> None:
    root, cache = _copy(tmp_path), tmp_path / "cache"
    _fresh(root, cache)
    (stored,) = cache.glob("flows-*.pickle")
    name = stored.stem.removeprefix(parsecache.PREFIX)
    stored.chmod(0o666)
    assert parsecache.read(cache, name) is None
    stored.chmod(0o600)
    assert parsecache.read(cache, name) is not None
    stored.write_bytes(b"not a pickle")
    assert parsecache.read(cache, name) is None
    assert _fresh(root, cache).nodes  # parsed again, no crash


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _fresh(root, blocker / "cache").nodes  # cannot create the directory: still loads
