-- The coordinators' web console (/web). Only hashes of links and session cookies are kept:
-- a copy of the database signs nobody in.
CREATE TABLE web_links (
    hash        TEXT PRIMARY KEY,            -- SHA-256 of the link's secret, hex
    coordinator TEXT NOT NULL,               -- "telegram:123", "viber:…"
    expires_at  TEXT NOT NULL,
    used_at     TEXT                         -- a link opens one session, once
);

CREATE TABLE web_sessions (
    hash        TEXT PRIMARY KEY,            -- SHA-256 of the cookie's secret, hex
    coordinator TEXT NOT NULL,
    csrf        TEXT NOT NULL,               -- every form carries it
    locale      TEXT NOT NULL,               -- the console's language and script
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL                -- a working day after the sign-in
);
CREATE INDEX web_sessions_coordinator ON web_sessions (coordinator);

-- What people asked the FAQ and what the bot did with it, for the console's charts and for
-- content editors. The text is kept only of questions not answered outright, and for 90 days;
-- /forget blanks it and keeps the count.
CREATE TABLE asked (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at      TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'suggested', 'declined', 'small_talk')),
    topic   TEXT NOT NULL DEFAULT '',        -- the topic answered, or the first suggested
    locale  TEXT NOT NULL,
    text    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX asked_at ON asked (at);
CREATE INDEX asked_user ON asked (user_id) WHERE user_id IS NOT NULL;

CREATE TRIGGER users_forgotten_asked BEFORE DELETE ON users
BEGIN
    UPDATE asked SET text = '', user_id = NULL WHERE user_id = OLD.id;
END;

-- the console's weekly charts read people and registrations by when they came
CREATE INDEX users_first_seen ON users (first_seen);
CREATE INDEX registrations_created ON registrations (created_at);

-- Forms that create something (an announcement, a workshop) carry a one-time id, used up in
-- the transaction that creates it: a double click or a reload creates it once.
CREATE TABLE web_forms (
    id      TEXT PRIMARY KEY,
    used_at TEXT NOT NULL,
    result  TEXT NOT NULL DEFAULT ''   -- the page the first submission led to
);
