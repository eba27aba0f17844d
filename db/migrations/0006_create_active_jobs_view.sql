-- The jobs that still have work to hand out, as the dashboard lists them.

-- +goose Up
CREATE VIEW active_jobs AS
SELECT id, uuid, name, job_type, priority, status, created_at
FROM jobs
WHERE status IN ('queued', 'active');

-- +goose Down
DROP VIEW active_jobs;
