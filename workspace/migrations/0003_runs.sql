-- 0003: training runs (package lifecycle): what was trained (recipe and
-- configuration as JSON), by whom, where the run stands, and what it
-- produced (final metrics, the loss curve and the recipe's report, all
-- JSON text). Times are fixed-width UTC text like everywhere else; an
-- empty started_at/finished_at means "not yet". Same SQL for SQLite and
-- PostgreSQL ({{id}}: see 0001). IF NOT EXISTS: a database taken back to an
-- older schema by hand (tests do) keeps its runs table.

CREATE TABLE IF NOT EXISTS runs (
    id               {{id}},
    recipe           TEXT   NOT NULL,
    config           TEXT   NOT NULL,
    status           TEXT   NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    error            TEXT   NOT NULL DEFAULT '',
    cancel_requested BIGINT NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    created_by       TEXT   NOT NULL,
    created_at       TEXT   NOT NULL,
    started_at       TEXT   NOT NULL DEFAULT '',
    finished_at      TEXT   NOT NULL DEFAULT '',
    metrics          TEXT   NOT NULL DEFAULT '',
    curve            TEXT   NOT NULL DEFAULT '',
    report           TEXT   NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
