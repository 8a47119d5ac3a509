-- 0002: what the owner shares with viewers, per document kind, and the
-- log of every change to it. A kind without a row in sharing takes its
-- default (DefaultShared: only the profile), so a workspace upgraded from
-- schema 1 shows viewers the profile and nothing else until the owner
-- shares more. Same SQL for SQLite and PostgreSQL ({{id}}: see 0001).

CREATE TABLE sharing (
    kind       TEXT   NOT NULL PRIMARY KEY,
    shared     BIGINT NOT NULL CHECK (shared IN (0, 1)),
    updated_at TEXT   NOT NULL,
    updated_by TEXT   NOT NULL
);

CREATE TABLE sharing_log (
    id     {{id}},
    at     TEXT   NOT NULL,
    actor  TEXT   NOT NULL,
    kind   TEXT   NOT NULL,
    shared BIGINT NOT NULL CHECK (shared IN (0, 1))
);
