-- Workshops as coordinators create them: Serbian in Cyrillic (Latin is derived), English
-- optional (empty: English readers get the Serbian Latin).
ALTER TABLE workshops ADD COLUMN description_sr TEXT NOT NULL DEFAULT '';
ALTER TABLE workshops ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
ALTER TABLE workshops ADD COLUMN link TEXT NOT NULL DEFAULT '';          -- an online meeting
ALTER TABLE workshops ADD COLUMN capacity INTEGER;                       -- NULL: no limit
ALTER TABLE workshops ADD COLUMN signup_until TEXT;                      -- UTC; NULL: the start
ALTER TABLE workshops ADD COLUMN minutes INTEGER NOT NULL DEFAULT 120;   -- how long it lasts
ALTER TABLE workshops ADD COLUMN reminders TEXT NOT NULL DEFAULT '1440,60'; -- minutes before
ALTER TABLE workshops ADD COLUMN created_by TEXT NOT NULL DEFAULT '';

-- Who said they will attend; 'waiting' when the workshop was full.
CREATE TABLE attendance (
    workshop_id INTEGER NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('going', 'waiting')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (workshop_id, user_id)
) WITHOUT ROWID;
CREATE INDEX attendance_user ON attendance (user_id);

-- Announcements, reminders and workshop changes: the schedule lives here, so a restart
-- rebuilds it, and the command line can add to it while the bot runs.
CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('news', 'workshop', 'reminder', 'change',
                                               'cancelled')),
    body_sr      TEXT NOT NULL DEFAULT '',  -- either script: Cyrillic reaches Latin readers
                                            -- transliterated, Latin reaches everyone as written
    body_en      TEXT NOT NULL DEFAULT '',  -- empty: English readers get the Serbian Latin
    html         INTEGER NOT NULL DEFAULT 0, -- bodies keep the coordinator's formatting
    workshop_id  INTEGER REFERENCES workshops (id) ON DELETE CASCADE,
    audience     TEXT NOT NULL,             -- all, district:…, area:…, workshop:ID, …
    at           TEXT NOT NULL,             -- UTC: when it is to start
    force        INTEGER NOT NULL DEFAULT 0, -- goes out in quiet hours too
    status       TEXT NOT NULL DEFAULT 'scheduled'
                 CHECK (status IN ('scheduled', 'running', 'done', 'cancelled')),
    created_by   TEXT NOT NULL,             -- messenger:id of the coordinator, or 'cli'
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    progress_ref TEXT NOT NULL DEFAULT '',  -- the coordinator's progress message, edited
    once_key     TEXT UNIQUE                -- a reminder exists once: 'reminder:7:60'
);
CREATE INDEX announcements_due ON announcements (status, at);

-- One row per recipient, written before anything is sent: a restart sends what is still
-- pending and nothing twice.
CREATE TABLE outbox (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'unreachable', 'failed',
                                      'skipped')),
    reason          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (announcement_id, user_id)
) WITHOUT ROWID;
CREATE INDEX outbox_pending ON outbox (announcement_id, status);
