-- Tasks: the units of work handed to workers, their dependencies and their failures.

-- name: CreateTask :execlastid
INSERT INTO tasks (uuid, job_id, name, task_type, priority, commands)
VALUES (@uuid, @job_id, @name, @task_type, @priority, @commands);

-- name: AddTaskDependency :exec
INSERT INTO task_dependencies (task_id, dependency_id) VALUES (?, ?);

-- name: GetTask :one
SELECT * FROM tasks WHERE id = ?;

-- name: GetTaskWithJob :one
-- A task together with its job, for the worker that runs it.
SELECT sqlc.embed(tasks), sqlc.embed(jobs)
FROM tasks
JOIN jobs ON jobs.id = tasks.job_id
WHERE tasks.id = ?;

-- name: ListJobTasks :many
SELECT * FROM tasks WHERE job_id = ? ORDER BY id;

-- name: ListJobTasksWithWorker :many
-- Each task of a job with the worker it is assigned to, if any.
SELECT sqlc.embed(tasks), sqlc.embed(workers)
FROM tasks
LEFT JOIN workers ON workers.id = tasks.worker_id
WHERE tasks.job_id = ?
ORDER BY tasks.id;

-- name: ListJobTasksExcept :many
-- The tasks of a job whose status is none of the given ones (all of them for an empty list).
SELECT * FROM tasks
WHERE job_id = @job_id AND status NOT IN (sqlc.slice(statuses))
ORDER BY id;

-- name: FindRunnableTask :one
-- The next task a worker may run: queued, in a job that is queued or active, every
-- dependency completed, the job's worker tag (if any) one the worker has, and never failed
-- on this worker before. Most urgent job first, then most urgent task, then oldest.
SELECT tasks.*
FROM tasks
JOIN jobs ON jobs.id = tasks.job_id
WHERE tasks.status = 'queued'
    AND jobs.status IN ('queued', 'active')
    AND (
        jobs.worker_tag_id IS NULL
        OR jobs.worker_tag_id IN (
            SELECT m.worker_tag_id FROM worker_tag_memberships AS m
            WHERE m.worker_id = @worker_id
        )
    )
    AND NOT EXISTS (
        SELECT 1
        FROM task_dependencies AS d
        JOIN tasks AS dependency ON dependency.id = d.dependency_id
        WHERE d.task_id = tasks.id AND dependency.status <> 'completed'
    )
    AND NOT EXISTS (
        SELECT 1 FROM task_failures AS f
        WHERE f.task_id = tasks.id AND f.worker_id = @worker_id
    )
ORDER BY jobs.priority DESC, tasks.priority DESC, tasks.id
LIMIT 1;

-- name: AssignTask :execrows
-- Give a queued task to a worker; 0 rows when someone else got it first.
UPDATE tasks
SET status = 'active', worker_id = @worker_id, updated_at = @now, last_touched_at = @now
WHERE id = @task_id AND status = 'queued';

-- name: TouchTask :execrows
UPDATE tasks SET last_touched_at = @now WHERE id = @task_id AND worker_id = @worker_id;

-- name: SetTaskStatuses :execrows
-- Move many tasks to one status at once.
UPDATE tasks
SET status = @status, updated_at = @now
WHERE id IN (sqlc.slice(ids));

-- name: ReleaseTask :execrows
-- Hand a task back to the queue (its worker failed it or went quiet).
UPDATE tasks
SET status = 'queued', worker_id = NULL, updated_at = @now
WHERE id = @task_id AND status = 'active';

-- name: ListStaleTasks :many
-- Active tasks whose worker has not been heard of since the cutoff.
SELECT id, worker_id, last_touched_at FROM tasks
WHERE status = 'active' AND (last_touched_at IS NULL OR last_touched_at < @cutoff)
ORDER BY id;

-- name: CountTasksByStatus :many
SELECT status, COUNT(*) AS count
FROM tasks
WHERE job_id = ?
GROUP BY status
ORDER BY status;

-- name: RecordTaskFailure :exec
-- One row per task and worker: a second failure on the same worker updates the reason.
INSERT INTO task_failures (task_id, worker_id, reason)
VALUES (@task_id, @worker_id, @reason)
ON CONFLICT (task_id, worker_id) DO UPDATE
SET reason = excluded.reason, created_at = datetime('now');

-- name: CountTaskFailures :one
SELECT COUNT(*) FROM task_failures WHERE task_id = ?;
