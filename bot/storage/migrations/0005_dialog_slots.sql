-- Two dialogs per person at most: a form (kept while the person asks something else, offered
-- again from the menu) and a one-question dialog in front of it (a question for a coordinator,
-- a reply, a confirmation). Before, a question asked mid-form overwrote the form.
CREATE TABLE dialog_slots (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slot       TEXT NOT NULL CHECK (slot IN ('form', 'passing')),
    name       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    token      TEXT NOT NULL,               -- buttons carry it; a stale one has expired
    -- the person left the form's screen: text is a question again until they come back
    paused     INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, slot)
);
INSERT INTO dialog_slots (user_id, slot, name, step, data, token, updated_at)
SELECT user_id, CASE name WHEN 'register' THEN 'form' ELSE 'passing' END, name, step, data,
       token, updated_at
FROM dialogs;
DROP TABLE dialogs;
CREATE INDEX dialog_slots_updated ON dialog_slots (updated_at);
