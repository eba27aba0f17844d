-- Jobs: what users submit. Tasks and their dependencies live in tasks.sql.

-- name: CreateJob :one
-- Submit a job; its tasks are created in the same transaction (see renderfarm.service).
INSERT INTO jobs (uuid, name, job_type, priority, settings, metadata, worker_tag_id)
VALUES (@uuid, @name, @job_type, @priority, @settings, @metadata, sqlc.narg(worker_tag_id))
RETURNING *;

-- name: GetJob :one
SELECT * FROM jobs WHERE id = ?;

-- name: GetJobByUUID :one
SELECT * FROM jobs WHERE uuid = ?;

-- name: ListJobsByStatus :many
-- Jobs in any of the given states, most urgent first.
SELECT * FROM jobs
WHERE status IN (sqlc.slice(statuses))
ORDER BY priority DESC, id;

-- name: ListActiveJobs :many
-- The dashboard's list: jobs that still have work to hand out.
SELECT * FROM active_jobs ORDER BY priority DESC, id;

-- name: SetJobStatus :execrows
UPDATE jobs
SET status = @status, activity = @activity, updated_at = datetime('now')
WHERE id = @id;

-- name: JobProgress :one
-- How far a job has come: its task count and how many are done, failed or running.
SELECT
    jobs.id,
    jobs.status,
    COUNT(tasks.id) AS total,
    COALESCE(SUM(tasks.status = 'completed'), 0) AS completed,
    COALESCE(SUM(tasks.status = 'failed'), 0) AS failed,
    COALESCE(SUM(tasks.status = 'active'), 0) AS active
FROM jobs
LEFT JOIN tasks ON tasks.job_id = jobs.id
WHERE jobs.id = ?
GROUP BY jobs.id;

-- name: DeleteJob :exec
DELETE FROM jobs WHERE id = ?;
