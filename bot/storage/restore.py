"""Putting a backup back: checked first, copied with SQLite's backup API (which keeps the
write-ahead log consistent), the replaced database kept beside it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.db import newest_schema


def check_backup(source: Path) -> str:
    """Why `source` cannot be restored, or '' when it can."""
    if not source.is_file():
        return "is not a file"
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                return "is damaged (SQLite's quick_check failed)"
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return f"is not a database ({exc})"
    if "users" not in tables or version < 1:
        return "is not a partnerbot database"
    newest = newest_schema()
    if version > newest:
        return f"was made by a newer partnerbot (schema {version}, this one knows {newest})"
    return ""


def restore(source: Path, target: Path) -> Path | None:
    """Copies `source` over `target`; returns where the replaced database was kept."""
    kept = None
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        with sqlite3.connect(target) as old, sqlite3.connect(kept) as copy:
            old.backup(copy)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return kept
