-- Jobs are what users submit (render these frames of this file); the manager splits each job
-- into tasks that workers execute. A task can depend on other tasks of the same job.

-- +goose Up
CREATE TABLE jobs (
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

CREATE INDEX jobs_status ON jobs (status);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    task_type TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 50,
    status TEXT NOT NULL DEFAULT 'queued',
    worker_id INTEGER REFERENCES workers (id) ON DELETE SET NULL,
    commands JSON NOT NULL DEFAULT '[]',
    activity TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL DEFAULT (datetime('now')),
    updated_at DATETIME
);

CREATE INDEX tasks_job ON tasks (job_id);
CREATE INDEX tasks_runnable ON tasks (status, priority DESC, id);

CREATE TABLE task_dependencies (
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    dependency_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, dependency_id),
    CHECK (task_id <> dependency_id)
);

CREATE INDEX task_dependencies_dependency ON task_dependencies (dependency_id);

-- A trigger body holds semicolons, so goose needs it wrapped in a statement block.
-- +goose StatementBegin
CREATE TRIGGER tasks_touch_job AFTER UPDATE OF status ON tasks
BEGIN
    UPDATE jobs SET updated_at = datetime('now') WHERE id = NEW.job_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tasks_touch_job;
DROP TABLE task_dependencies;
DROP TABLE tasks;
DROP TABLE jobs;
