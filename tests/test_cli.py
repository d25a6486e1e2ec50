"""The `lotse` command line contract (DESIGN §6), through the real entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import LOCALES, MINIMAL, ROOT


def lotse(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env)


def test_flows_check_is_clean_on_the_real_flows() -> None:
    result = lotse("flows", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok:")


def test_flows_check_names_file_line_and_node_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "flows"
    shutil.copytree(MINIMAL, broken)
    main = broken / "de" / "main.yaml"
    main.write_text(main.read_text("utf-8").replace("    next: info_more", "    next: nowhere"),
                    "utf-8")
    result = lotse("flows", "check", "--flows", str(broken), "--locales", str(LOCALES))
    assert result.returncode == 1
    assert "flows/de/main.yaml:34: node 'info_duldung': unknown target 'nowhere'" in result.stdout


def test_the_bot_refuses_to_start_on_a_broken_flow_set(tmp_path: Path) -> None:
    broken = tmp_path / "flows"
    shutil.copytree(MINIMAL, broken)
    main = broken / "de" / "main.yaml"
    main.write_text(main.read_text("utf-8").replace("kind: message", "kind: mesage"), "utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--flows", str(broken)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60, input="")
    assert result.returncode == 1
    assert "flows/de/main.yaml:29: node 'info_duldung': unknown kind 'mesage'" in result.stderr


def test_flows_status_json_counts_flows_and_catalogs() -> None:
    result = lotse("flows", "status", "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)["languages"]
    assert set(report) == {"de", "en", "ar", "ru", "fa", "fr", "ps", "ur", "ka", "ckb", "ku",
                           "tr"}
    for row in report.values():
        assert {"total", "translated", "stale", "missing", "reviewed"} <= set(row)
        assert row["total"] == row["translated"] + row["stale"] + row["missing"]
        assert row["total"] == row["flows"]["total"] + row["catalog"]["total"] > 0
    assert report["en"]["flows"]["missing"] == 0 and report["en"]["reviewed"] is False


def test_stamp_turns_a_stale_translation_current(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(MINIMAL, flows)

    def status() -> dict[str, int]:
        out = lotse("flows", "status", "--json", "--flows", str(flows), "--locales", str(LOCALES))
        return json.loads(out.stdout)["languages"]["en"]["flows"]  # type: ignore[no-any-return]

    before = status()
    assert before["stale"] == 4 and before["translated"] == 0  # never stamped
    assert lotse("flows", "stamp", "--lang", "en", "--node", "welcome", "--flows",
                 str(flows)).returncode == 0
    assert status()["translated"] == 1
    assert lotse("flows", "stamp", "--lang", "en", "--flows", str(flows)).returncode == 0
    assert status() == {**before, "translated": 4, "stale": 0}
    german = flows / "de" / "main.yaml"
    german.write_text(german.read_text("utf-8").replace("Willkommen.", "Herzlich willkommen."),
                      "utf-8")
    assert status()["stale"] == 1
    assert "source:" in (flows / "en" / "main.yaml").read_text("utf-8")


def test_ask_json() -> None:
    result = lotse("ask", "--lang", "de", "--json", "Was ist eine Duldung?")
    answer = json.loads(result.stdout)
    assert answer["decision"] == "answer" and answer["matches"][0]["id"] == "duldung_what"
    none = json.loads(lotse("ask", "--lang", "en", "--json", "hello there").stdout)
    assert none["decision"] == "none"


def test_simulate_json(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"entry_date": "2019-05", "employed": True,
                                   "employed_since": "2023-01", "hours_per_week": 30,
                                   "duldung_since": "2020-01", "passport": "none",
                                   "in_detention": True}))
    result = lotse("simulate", "--lang", "ar", "--answers", str(answers), "--today",
                   "2026-11-25", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["pathways"] == ["19d", "25b", "60d", "identity_first"]
    assert out["urgent"] is True and out["priority"] == "urgent"
    assert out["handoff"]["answers"]["language"] == "ar"
    assert "DRINGEND" in out["handoff"]["summary_de"]


def test_simulate_rejects_bad_answers_clearly(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"paper": "green"}))
    result = lotse("simulate", "--answers", str(answers), "--json")
    assert result.returncode == 2
    assert "'paper' must be one of" in result.stderr
    answers.write_text("{not json")
    assert lotse("simulate", "--answers", str(answers)).returncode == 2


def test_db_upgrade(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "LOTSE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = lotse("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()


def test_every_command_takes_flows_and_locales() -> None:
    for command in (["chat"], ["run"], ["flows", "check"], ["flows", "status"],
                    ["flows", "stamp"], ["ask"], ["simulate"], ["db", "upgrade"]):
        help_text = lotse(*command, "--help").stdout
        assert "--flows" in help_text and "--locales" in help_text, command


def test_keys_rotate_and_purge(tmp_path: Path) -> None:
    import os

    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    base = {**os.environ, "LOTSE_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
            "LOTSE_PSEUDONYM_KEY": "p" * 32, "LOTSE_TODAY": "2026-11-25"}
    chat = subprocess.run([sys.executable, "-m", "bot", "chat", "--lang", "de"], cwd=ROOT,
                          env={**base, "LOTSE_DATA_KEYS": old}, input="1\n5\n1\n1\n",
                          capture_output=True, text=True, timeout=60)
    assert chat.returncode == 0, chat.stderr
    rotated = lotse("keys", "rotate", env={**base, "LOTSE_DATA_KEYS": f"{new},{old}"})
    assert rotated.returncode == 0 and "re-encrypted 1 value" in rotated.stdout, rotated.stderr
    # Only the new key is needed from now on.
    dry = lotse("purge", "--dry-run", env={**base, "LOTSE_DATA_KEYS": new})
    assert dry.returncode == 0 and "would erase 0 chat(s)" in dry.stdout
    again = subprocess.run([sys.executable, "-m", "bot", "chat", "--lang", "de"], cwd=ROOT,
                           env={**base, "LOTSE_DATA_KEYS": new}, input="/mydata\n",
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "Traceback" not in again.stderr
