"""The command line's promises: --help, --version, one clear line and exit 2 on bad input."""

from __future__ import annotations

import json
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


def test_faq_ask_says_what_the_person_would_get_and_creates_no_database(tmp_path: Path) -> None:
    questions = "Who funds the programme?\nhvala puno\nkoliko je sati na Marsu?\nprijava\n"
    full_env = {**os.environ, "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "faq", "ask", "--json", "-"],
        capture_output=True, text=True, env=full_env, timeout=60, input=questions,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["outcome"] for a in answers] == ["answered", "small_talk", "declined", "suggested"]
    assert answers[0]["topic"] and answers[2]["topic"] is None
    # the "did you mean" buttons: registering with the bot, or applying to ICLD?
    assert set(answers[3]["offered"][:2]) == {"bot.register", "partnership.apply"}
    assert answers[0]["offered"] == answers[2]["offered"] == []
    assert not (tmp_path / "bot.sqlite3").exists()


def test_faq_ask_into_a_pipe_that_closes_early_ends_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3")}
    asker = subprocess.Popen(
        [sys.executable, "-m", "bot", "faq", "ask", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert asker.stdin is not None and asker.stdout is not None and asker.stderr is not None
    asker.stdin.write("Šta je ICLD?\n".encode() * 2000)
    asker.stdin.close()
    asker.stdout.readline()  # `| head -1`
    asker.stdout.close()
    assert asker.wait(timeout=60) == 0
    assert asker.stderr.read() == b""


def test_log_level_and_json_lines(tmp_path: Path) -> None:
    one_line_error(run(tmp_path, "chat", PARTNERBOT_LOG_LEVEL="loud"), "PARTNERBOT_LOG_LEVEL")
    one_line_error(run(tmp_path, "chat", PARTNERBOT_LOG_FORMAT="xml"), "PARTNERBOT_LOG_FORMAT")
    # a run that fails at start logs why, one JSON object a line
    result = run(
        tmp_path, "run", TELEGRAM_BOT_TOKEN="123:ABC", TELEGRAM_API_URL="http://127.0.0.1:9/bot",
        PARTNERBOT_LOG_FORMAT="json", PARTNERBOT_LOG_LEVEL="debug",
    )  # fmt: skip
    assert result.returncode == 2
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
    assert any(entry["level"] == "DEBUG" for entry in lines)
    assert "ABC" not in result.stderr


def test_restore_puts_every_row_back_and_keeps_what_it_replaced(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    assert run(tmp_path, "chat", "--lang", "sr-Latn").returncode == 0
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO registrations (user_id, municipality, name, position, email, areas, stage, "
        "consent_version, consent_at, locale, created_at, updated_at) VALUES (1, '70017', "
        "'Ана', 'mayor', 'a@b.rs', '[]', 'exploring', 'v1', 'x', 'sr-Cyrl', 'x', 'x')"
    )
    conn.commit()
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )]  # fmt: skip
    before = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables}
    conn.close()
    backup = tmp_path / "copy.sqlite3"
    assert run(tmp_path, "backup", str(backup)).returncode == 0
    # the database changes after the backup: a person is erased
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM users")
    conn.commit()
    conn.close()
    result = run(tmp_path, "restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert "the previous database is" in result.stdout
    conn = sqlite3.connect(db)
    after = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables}
    assert after == before, "every row of every table is back"
    kept = next(tmp_path.glob("bot.sqlite3.before-restore-*"))
    assert sqlite3.connect(kept).execute("SELECT COUNT(*) FROM users").fetchone() == (0,)
    # what cannot be restored: one line, nothing changed
    (tmp_path / "notes.txt").write_text("not a database")
    one_line_error(run(tmp_path, "restore", str(tmp_path / "notes.txt")), "not a database")
    one_line_error(run(tmp_path, "restore", str(tmp_path / "missing.db")), "is not a file")
    one_line_error(run(tmp_path, "restore", str(db)), "the database itself")
