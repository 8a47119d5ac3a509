-- 0001: documents, the audit log, accounts, sessions and API tokens.
-- {{id}} is the dialect's auto-incrementing 64-bit primary key; every
-- other line is the same SQL for SQLite and PostgreSQL. Times are stored
-- as fixed-width RFC 3339 UTC text (see timeFormat in db.go), so they sort
-- as text and read back exactly on both engines.

CREATE TABLE documents (
    kind       TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1),
    body       TEXT   NOT NULL,
    updated_at TEXT   NOT NULL,
    updated_by TEXT   NOT NULL,
    PRIMARY KEY (kind, name)
);

CREATE TABLE audit_log (
    id          {{id}},
    at          TEXT   NOT NULL,
    actor       TEXT   NOT NULL,
    action      TEXT   NOT NULL CHECK (action IN ('create', 'update', 'delete', 'import')),
    kind        TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    before_body TEXT   NOT NULL DEFAULT '',
    after_body  TEXT   NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX audit_log_document ON audit_log (kind, name, version);

CREATE TABLE users (
    id            {{id}},
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    lang          TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT   NOT NULL,
    expires_at TEXT   NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label      TEXT   NOT NULL,
    created_at TEXT   NOT NULL
);

CREATE INDEX api_tokens_user ON api_tokens (user_id);
