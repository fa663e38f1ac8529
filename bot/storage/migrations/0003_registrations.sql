-- A municipality's registered interest, one row per person and municipality.
CREATE TABLE registrations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    municipality    TEXT NOT NULL,            -- code from bot/registration/local_governments.csv
    name            TEXT NOT NULL,
    position        TEXT NOT NULL,            -- a key, or 'other' with position_other
    position_other  TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL DEFAULT '', -- E.164 (+381…) or empty
    areas           TEXT NOT NULL,            -- JSON list of keys
    stage           TEXT NOT NULL,
    announcements   INTEGER NOT NULL,
    consent_version TEXT NOT NULL,
    consent_at      TEXT NOT NULL,
    locale          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (user_id, municipality)
);
CREATE INDEX registrations_updated ON registrations (updated_at);

-- What remains of a person after /forget: counts, nothing that identifies anyone.
CREATE TABLE forgotten (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    people        INTEGER NOT NULL DEFAULT 0,
    registrations INTEGER NOT NULL DEFAULT 0,
    questions     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO forgotten (id) VALUES (1);

-- Counted inside the DELETE itself, so erasure and statistics cannot drift apart.
CREATE TRIGGER users_forgotten BEFORE DELETE ON users
BEGIN
    UPDATE forgotten SET
        people = people + 1,
        registrations = registrations
            + (SELECT COUNT(*) FROM registrations WHERE user_id = OLD.id),
        questions = questions + (SELECT COUNT(*) FROM questions WHERE user_id = OLD.id)
    WHERE id = 1;
END;

-- Coordinators who turned off notifications about registrations.
CREATE TABLE coordinator_settings (
    messenger     TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    notify        INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (messenger, external_id)
);
