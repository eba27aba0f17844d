-- Workers report progress on a running task; a task whose worker went quiet for too long is
-- handed to another worker. `last_touched_at` records the last sign of life.

-- +goose Up
ALTER TABLE tasks ADD COLUMN last_touched_at DATETIME;

CREATE INDEX tasks_last_touched ON tasks (status, last_touched_at);

-- +goose Down
DROP INDEX tasks_last_touched;

ALTER TABLE tasks DROP COLUMN last_touched_at;
