"""SQLite storage through aiosqlite: the database is the source of truth."""
