"""A plain `pip install` of the wheel, then `lotse`, finds the flows, catalogs and migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_installed_package_runs_without_the_repository(tmp_path: Path) -> None:
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "cwd"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "--quiet", "-w", str(wheels)], check=True,
                   timeout=150)
    wheel = next(wheels.glob("lotse-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                    "--target", str(target), str(wheel)], check=True, timeout=150)
    # The installed copy first; the dependencies from this environment; never the repository.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "PYTHON"))}
    env["PYTHONPATH"] = f"{target}{os.pathsep}{sysconfig.get_paths()['purelib']}"
    env["LOTSE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    run = [sys.executable, "-I", "-c",
           "import sys; sys.path[:0] = sys.argv[1].split(':'); import bot, bot.cli; "
           "assert bot.__file__.startswith(sys.argv[2]), bot.__file__; "
           "sys.argv = ['lotse', *sys.argv[3:]]; bot.cli.main()", env["PYTHONPATH"],
           str(target)]
    check = subprocess.run([*run, "flows", "check"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert str(target) in check.stdout
    upgrade = subprocess.run([*run, "db", "upgrade"], cwd=elsewhere, env=env,
                             capture_output=True, text=True, timeout=60)
    assert upgrade.returncode == 0, upgrade.stderr
    chat = subprocess.run([*run, "chat", "--lang", "ar"], cwd=elsewhere, env=env, input="",
                          capture_output=True, text=True, timeout=60)
    assert chat.returncode == 0, chat.stderr
    assert "Lotse" in chat.stdout  # the flows (English fallback, no Arabic flows yet)
    assert any("\u0600" <= c <= "\u06ff" for c in chat.stdout)  # the Arabic catalog
    assert not list(elsewhere.glob("flows"))
    # The inbox's templates and stylesheet travel with the package.
    assert (target / "bot" / "web" / "templates" / "case.html").is_file()
    assert (target / "bot" / "web" / "static" / "inbox.css").is_file()
    assert (target / "bot" / "handoff" / "booking.py").is_file()
