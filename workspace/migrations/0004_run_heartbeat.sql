-- 0004: which process trains a live run (instance: the random id of its
-- lifecycle.Manager) and when it last said it still does (heartbeat_at,
-- fixed-width UTC text like every time here; '' for runs recorded
-- before this migration, which count as stale). Several servers may then
-- share one database: at startup a server marks interrupted only the
-- live runs whose heartbeat is stale, not the ones its peers train.
-- Same SQL for SQLite and PostgreSQL.

ALTER TABLE runs ADD COLUMN instance TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT NOT NULL DEFAULT '';
