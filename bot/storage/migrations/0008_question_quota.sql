-- The daily limit of questions to coordinators outlives /forget: each question sent leaves a
-- mark keyed by a salted hash of the messenger account (not the person's row, which /forget
-- erases), kept for a day and then deleted.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (name, value) VALUES ('quota_salt', randomblob(16));

CREATE TABLE question_quota (
    account BLOB NOT NULL,   -- HMAC-SHA256(salt, "messenger:id"), first 16 bytes
    sent_at TEXT NOT NULL
);

CREATE INDEX question_quota_account ON question_quota (account, sent_at);
