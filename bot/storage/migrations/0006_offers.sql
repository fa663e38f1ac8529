-- A question the bot could not answer, kept for a day so that "Send to a coordinator" sends it
-- whatever the person did in between (the button used to expire at their next message).
CREATE TABLE offers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX offers_created ON offers (created_at);
