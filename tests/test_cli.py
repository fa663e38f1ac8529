"""The command line's promises: --help, --version, one clear line and exit 2 on bad input."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    full_env.update({"PARTNERBOT_DB": str(tmp_path / "bot.sqlite3"), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True, text=True, env=full_env, timeout=60, input="", cwd=tmp_path,
    )  # fmt: skip


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_and_version(tmp_path: Path) -> None:
    for args in (["--help"], ["chat", "--help"], ["run", "--help"], ["backup", "--help"]):
        result = run(tmp_path, *args)
        assert result.returncode == 0
        assert "usage: partnerbot" in result.stdout
    assert run(tmp_path, "--version").stdout.startswith("partnerbot 0.")


def test_bad_arguments(tmp_path: Path) -> None:
    one_line_error(run(tmp_path, "fly"), "invalid choice", "--help")
    one_line_error(run(tmp_path, "chat", "--lang", "fr"), "unknown locale")
    one_line_error(run(tmp_path, "backup"), "required")


def test_bad_settings(tmp_path: Path) -> None:
    one_line_error(
        run(tmp_path, "chat", PARTNERBOT_COORDINATORS="123,ana"), "PARTNERBOT_COORDINATORS", "'ana'"
    )
    one_line_error(run(tmp_path, "chat", PARTNERBOT_TIMEZONE="Mars/Base"), "PARTNERBOT_TIMEZONE")
    one_line_error(run(tmp_path, "chat", PARTNERBOT_QUIET_HOURS="late"), "QUIET_HOURS")
    one_line_error(run(tmp_path, "chat", PARTNERBOT_BROADCAST_RATE="fast"), "BROADCAST_RATE")
    (tmp_path / "afile").write_text("")
    one_line_error(
        run(tmp_path, "chat", PARTNERBOT_DB=str(tmp_path / "afile" / "x.db")),
        "cannot open the database",
    )


def test_a_malformed_token_is_refused_without_being_shown(tmp_path: Path) -> None:
    result = run(tmp_path, "run", TELEGRAM_BOT_TOKEN="secret-value-without-colon")
    one_line_error(result, "TELEGRAM_BOT_TOKEN")
    assert "secret-value" not in result.stderr


def test_backup_writes_a_consistent_copy(tmp_path: Path) -> None:
    assert run(tmp_path, "chat", "--lang", "en").returncode == 0
    result = run(tmp_path, "backup", str(tmp_path / "copy.sqlite3"))
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT locale FROM users").fetchall() == [("en",)]
    copy.close()
    one_line_error(run(tmp_path, "backup", str(tmp_path / "bot.sqlite3")), "another file")


def test_backup_and_export_refuse_a_missing_database(tmp_path: Path) -> None:
    one_line_error(run(tmp_path, "backup", str(tmp_path / "copy.sqlite3")), "no database")
    one_line_error(run(tmp_path, "export", "registrations"), "no database")
    assert not (tmp_path / "bot.sqlite3").exists(), "nothing was created"
