"""Jobs in time: housekeeping now, announcements later; rebuilt from the database at start."""
