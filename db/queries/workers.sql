-- Workers: the render nodes, and the tags that restrict jobs to some of them.

-- name: UpsertWorker :one
-- Register a worker, or refresh what it reports about itself when it signs on again.
INSERT INTO workers (
    uuid, name, address, platform, software_version, status, supported_task_types,
    can_restart, last_seen_at
)
VALUES (
    @uuid, @name, @address, @platform, @software_version, @status, @supported_task_types,
    @can_restart, @last_seen_at
)
ON CONFLICT (uuid) DO UPDATE SET
    name = excluded.name,
    address = excluded.address,
    platform = excluded.platform,
    software_version = excluded.software_version,
    status = excluded.status,
    supported_task_types = excluded.supported_task_types,
    can_restart = excluded.can_restart,
    last_seen_at = excluded.last_seen_at
RETURNING *;

-- name: GetWorker :one
SELECT * FROM workers WHERE id = ?;

-- name: ListWorkers :many
SELECT * FROM workers ORDER BY name, id;

-- name: SetWorkerStatus :execrows
UPDATE workers SET status = @status, last_seen_at = @seen_at WHERE id = @id;

-- name: CreateWorkerTag :execlastid
INSERT INTO worker_tags (uuid, name, description) VALUES (?, ?, ?);

-- name: AddWorkerToTag :exec
INSERT OR IGNORE INTO worker_tag_memberships (worker_tag_id, worker_id) VALUES (?, ?);

-- name: ListWorkerTags :many
SELECT worker_tags.*
FROM worker_tags
JOIN worker_tag_memberships AS m ON m.worker_tag_id = worker_tags.id
WHERE m.worker_id = ?
ORDER BY worker_tags.name;

-- name: WorkerLoad :many
-- Each worker with the number of tasks it is running now.
SELECT workers.id, workers.name, COUNT(tasks.id) AS active_tasks
FROM workers
LEFT JOIN tasks ON tasks.worker_id = workers.id AND tasks.status = 'active'
GROUP BY workers.id
ORDER BY workers.name, workers.id;
