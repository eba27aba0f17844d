-- SQLite cannot add a CHECK constraint to an existing table, so `jobs` is rebuilt the
-- copy-and-swap way: create the new table, copy every row, drop the old one, rename.
-- `tasks` references `jobs` with ON DELETE CASCADE: sqlforge runs migrations with foreign-key
-- enforcement off and checks `PRAGMA foreign_key_check` before committing, so dropping the old
-- table deletes no task. The trigger on `tasks` names `jobs`, and SQLite refuses to rename a
-- table while a trigger refers to a missing one, so it is dropped first and re-created after.

-- +goose Up
DROP TRIGGER tasks_touch_job;

CREATE TABLE jobs_new (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    job_type TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 50 CHECK (priority BETWEEN 0 AND 100),
    status TEXT NOT NULL DEFAULT 'queued' CHECK (
        status IN ('queued', 'active', 'paused', 'completed', 'failed', 'canceled')
    ),
    activity TEXT NOT NULL DEFAULT '',
    settings JSON NOT NULL DEFAULT '{}',
    metadata JSON NOT NULL DEFAULT '{}',
    worker_tag_id INTEGER REFERENCES worker_tags (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL DEFAULT (datetime('now')),
    updated_at DATETIME
);

INSERT INTO jobs_new (
    id, uuid, name, job_type, priority, status, activity, settings, metadata, worker_tag_id,
    created_at, updated_at
)
SELECT
    id, uuid, name, job_type, priority, status, activity, settings, metadata, worker_tag_id,
    created_at, updated_at
FROM jobs;

DROP TABLE jobs;

ALTER TABLE jobs_new RENAME TO jobs;

CREATE INDEX jobs_status ON jobs (status);

-- +goose StatementBegin
CREATE TRIGGER tasks_touch_job AFTER UPDATE OF status ON tasks
BEGIN
    UPDATE jobs SET updated_at = datetime('now') WHERE id = NEW.job_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tasks_touch_job;

CREATE TABLE jobs_old (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    job_type TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 50,
    status TEXT NOT NULL DEFAULT 'queued',
    activity TEXT NOT NULL DEFAULT '',
    settings JSON NOT NULL DEFAULT '{}',
    metadata JSON NOT NULL DEFAULT '{}',
    worker_tag_id INTEGER REFERENCES worker_tags (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL DEFAULT (datetime('now')),
    updated_at DATETIME
);

INSERT INTO jobs_old (
    id, uuid, name, job_type, priority, status, activity, settings, metadata, worker_tag_id,
    created_at, updated_at
)
SELECT
    id, uuid, name, job_type, priority, status, activity, settings, metadata, worker_tag_id,
    created_at, updated_at
FROM jobs;

DROP TABLE jobs;

ALTER TABLE jobs_old RENAME TO jobs;

CREATE INDEX jobs_status ON jobs (status);

-- +goose StatementBegin
CREATE TRIGGER tasks_touch_job AFTER UPDATE OF status ON tasks
BEGIN
    UPDATE jobs SET updated_at = datetime('now') WHERE id = NEW.job_id;
END;
-- +goose StatementEnd
