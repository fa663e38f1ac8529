-- Messages to coordinators (a new registration, a question) and to askers (an answer), written
-- in the same transaction as what they tell of, then delivered from here: a crash cannot lose
-- one, and /forget knows which copies in coordinators' chats to delete.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    about      INTEGER REFERENCES users (id) ON DELETE CASCADE,  -- the person it concerns
    recipient  TEXT NOT NULL,                                    -- "telegram:123"
    body       TEXT NOT NULL,           -- the message as JSON; emptied once it is delivered
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'delivered', 'unreachable', 'failed')),
    message_id TEXT NOT NULL DEFAULT '',  -- as the messenger knows it, to delete it later
    created_at TEXT NOT NULL,
    sent_at    TEXT
);

CREATE INDEX notices_pending ON notices (status) WHERE status = 'pending';
CREATE INDEX notices_about ON notices (about);
