-- Questions people send to the coordinators, and the coordinators' answers.
CREATE TABLE questions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: coordinators' buttons carry it
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text         TEXT NOT NULL,
    locale       TEXT NOT NULL,
    parent_id    INTEGER REFERENCES questions (id) ON DELETE CASCADE, -- an answer back
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    created_at   TEXT NOT NULL,
    answer       TEXT,
    answered_by  TEXT,                       -- the coordinator, as messenger:id
    answered_at  TEXT,
    followed_up  INTEGER NOT NULL DEFAULT 0  -- the one answer back has been used
);
CREATE INDEX questions_open ON questions (status, created_at);
CREATE INDEX questions_user ON questions (user_id, created_at);

-- Workshops: the announcements feature fills this table; the FAQ reads the upcoming ones.
CREATE TABLE workshops (
    id         INTEGER PRIMARY KEY,
    title_sr   TEXT NOT NULL,               -- Serbian in Cyrillic; Latin is derived
    title_en   TEXT NOT NULL,
    place_sr   TEXT NOT NULL DEFAULT '',
    place_en   TEXT NOT NULL DEFAULT '',
    starts_at  TEXT NOT NULL,               -- UTC, ISO 8601
    created_at TEXT NOT NULL,
    cancelled  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX workshops_start ON workshops (starts_at);

-- The one connection is shared by every coroutine, so an acknowledged write is one statement
-- (atomic by itself); a trigger keeps the answer back's bookkeeping inside it.
CREATE TRIGGER questions_follow_up AFTER INSERT ON questions
WHEN NEW.parent_id IS NOT NULL
BEGIN
    UPDATE questions SET followed_up = 1 WHERE id = NEW.parent_id;
END;
