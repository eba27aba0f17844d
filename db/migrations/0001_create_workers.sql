-- Workers are the render nodes that ask the manager for tasks. Tags group workers so that a
-- job can be restricted to, say, the machines with a GPU.

-- +goose Up
CREATE TABLE workers (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    platform TEXT NOT NULL DEFAULT '',
    software_version TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'offline',
    supported_task_types TEXT NOT NULL DEFAULT '',
    can_restart BOOLEAN NOT NULL DEFAULT 0,
    last_seen_at DATETIME,
    created_at DATETIME NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE worker_tags (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE worker_tag_memberships (
    worker_tag_id INTEGER NOT NULL REFERENCES worker_tags (id) ON DELETE CASCADE,
    worker_id INTEGER NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    PRIMARY KEY (worker_tag_id, worker_id)
);

CREATE INDEX worker_tag_memberships_worker ON worker_tag_memberships (worker_id);

-- +goose Down
DROP TABLE worker_tag_memberships;
DROP TABLE worker_tags;
DROP TABLE workers;
