-- What coordinators did, for the coordinators (/audit): who, what, to which object, when.
-- No personal data beyond the coordinator's own account: objects are named by number.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,          -- "telegram:123", "viber:…", or "cli" for the command line
    action  TEXT NOT NULL,          -- answer, close, export, reload, announce, …
    subject TEXT NOT NULL DEFAULT '' -- "12" (a question or announcement number), "xlsx 40"…
);
