-- Everyone the bot may message: the Bot API cannot list a bot's users.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: buttons and answers carry ids
    messenger   TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    locale      TEXT,                       -- chosen explicitly by the person
    last_locale TEXT,                       -- the locale of the last reply, for button presses
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    subscribed  INTEGER NOT NULL DEFAULT 0,
    blocked     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (messenger, external_id)
);

-- One open dialog per person, written at every step so that a restart resumes it.
CREATE TABLE dialogs (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    token      TEXT NOT NULL,               -- buttons carry it; a stale one has expired
    updated_at TEXT NOT NULL
);
