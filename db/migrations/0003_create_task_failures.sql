-- A worker that fails a task is not given that task again; enough failures fail the task.

-- +goose Up
CREATE TABLE task_failures (
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    worker_id INTEGER NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    reason TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (task_id, worker_id)
);

CREATE INDEX task_failures_worker ON task_failures (worker_id);

-- +goose Down
DROP TABLE task_failures;
