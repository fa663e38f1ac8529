"""The terminal chat with piped standard input, as a newcomer would try it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def chat(tmp_path: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="\n".join(lines) + "\n",
        capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path,
    )  # fmt: skip


def test_piped_input_is_handled_line_by_line_and_buttons_are_numbers(tmp_path: Path) -> None:
    # no command and no token: the console chat
    result = chat(tmp_path, ["/start", "2", "3", "/help"])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Ћирилица   [2] Latinica   [3] ✓ English" in out
    assert "Gotovo: pisaću Vam na srpskom" in out
    assert "[1] Pitanja   [2] Prijava interesovanja" in out
    assert "Trenutno nije zakazana nijedna radionica" in out, "3 pressed the third button"
    assert "/language: promena jezika ili pisma" in out
    assert result.stderr == ""


def test_lang_and_coordinator_options(tmp_path: Path) -> None:
    result = chat(tmp_path, ["/help", "/stats"], "chat", "--lang", "sr-Cyrl", "--coordinator")
    assert result.returncode == 0, result.stderr
    assert "За координаторе" in result.stdout
    assert "Боту је писала 1 особа." in result.stdout


def test_a_number_without_buttons_is_just_text(tmp_path: Path) -> None:
    result = chat(tmp_path, ["42"], "chat", "--lang", "en")
    assert "I don't know the answer to that" in result.stdout


def test_a_registration_through_the_terminal(tmp_path: Path) -> None:
    lines = ["/register", "knic", "1", "Marko Marković", "3", "marko@knic.rs", "1",
             "1", "7", "2", "1", "1", "1"]  # fmt: skip
    result = chat(tmp_path, lines, "chat", "--lang", "sr-Latn")
    assert result.returncode == 0, result.stderr
    assert "Opština: Knić" in result.stdout
    assert "Prijavljeno: Knić." in result.stdout
