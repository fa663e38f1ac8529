"""`partnerbot announce` and friends: one clear line and exit 2 on bad input, nothing
scheduled; good input prints the number and the recipients."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import one_line_error, run


def _db(tmp_path: Path) -> None:
    assert run(tmp_path, "chat").returncode == 0  # creates the database, as a first start does


def test_bad_input_schedules_nothing(tmp_path: Path) -> None:
    _db(tmp_path)
    text = tmp_path / "t.txt"
    text.write_text("Радионица у Чачку", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00R")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "long.txt").write_text("љ" * 4000, encoding="utf-8")  # 8000 in Latin (lj)
    one_line_error(run(tmp_path, "announce", "--text-file", "bad.txt"), "not UTF-8")
    one_line_error(run(tmp_path, "announce", "--text-file", "empty.txt"), "empty")
    one_line_error(run(tmp_path, "announce", "--text-file", "missing.txt"), "cannot read")
    one_line_error(run(tmp_path, "announce", "--text-file", "long.txt"), "8000", "4096")
    one_line_error(
        run(tmp_path, "announce", "--text-file", "t.txt", "--audience", "town:Niš"), "town:Niš"
    )
    one_line_error(
        run(tmp_path, "announce", "--text-file", "t.txt", "--audience", "area:sport"), "sport"
    )
    one_line_error(
        run(tmp_path, "announce", "--text-file", "t.txt", "--audience", "workshop:7"),
        "no workshop 7",
    )
    one_line_error(
        run(tmp_path, "announce", "--text-file", "t.txt", "--at", "2020-01-01 10:00"), "past"
    )
    one_line_error(
        run(tmp_path, "announce", "--text-file", "t.txt", "--at", "31.2.2027"), "2026-12-05 10:00"
    )
    one_line_error(run(tmp_path, "announcements", "cancel", "5"), "no announcement 5")
    assert run(tmp_path, "announcements", "list").stdout == ""


def test_a_schedule_is_listed_and_can_be_cancelled_once(tmp_path: Path) -> None:
    _db(tmp_path)
    (tmp_path / "t.txt").write_text("Радионица у Чачку\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("A workshop in Čačak\n", encoding="utf-8")
    done = run(
        tmp_path, "announce", "--text-file", "t.txt", "--en-file", "en.txt",
        "--audience", "district:zlatiborski", "--at", "2031-03-04 10:30",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "announcement 1: 0 recipients, at 2031-03-04 10:30\n"
    night = run(tmp_path, "announce", "--text-file", "t.txt", "--at", "2031-03-04 23:10")
    assert night.stdout.startswith("announcement 2: 0 recipients, at 2031-03-05 08:00 (after")
    listing = run(tmp_path, "announcements", "list").stdout.splitlines()
    assert listing[1].split("\t")[:4] == [
        "1", "scheduled", "2031-03-04 10:30", "district:Zlatiborski okrug",
    ]  # fmt: skip
    assert run(tmp_path, "announcements", "cancel", "1").stdout == (
        "announcement 1 cancelled (it was scheduled)\n"
    )
    one_line_error(run(tmp_path, "announcements", "cancel", "1"), "is cancelled")
