"""The render-farm's generated queries that the service layer does not call, run for real."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from renderfarm.db import jobs, tasks, workers
from renderfarm.types import JobStatus, TaskStatus, WorkerStatus
from sqlforge import migrate

MIGRATIONS = Path(__file__).resolve().parent.parent / "db" / "migrations"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def connection(tmp_path: Path) -> sqlite3.Connection:
    database = tmp_path / "renderfarm.sqlite"
    assert migrate.up(database, MIGRATIONS).ok
    return sqlite3.connect(database, isolation_level=None)


def add_worker(queries: workers.Queries, uuid: str, name: str) -> int:
    worker = queries.upsert_worker(
        uuid=uuid,
        name=name,
        address="10.0.0.1",
        platform="linux",
        software_version="3.6",
        status=WorkerStatus.AWAKE,
        supported_task_types="blender,ffmpeg",
        can_restart=True,
        last_seen_at=NOW,
    )
    assert worker is not None
    return worker.id


def test_outer_join_embed_is_none_for_unassigned_tasks(connection: sqlite3.Connection) -> None:
    worker_id = add_worker(workers.Queries(connection), "w-1", "render-01")
    job = jobs.Queries(connection).create_job(
        uuid="j-1",
        name="Shot 010",
        job_type="blender",
        priority=50,
        settings={},
        metadata={},
        worker_tag_id=None,
    )
    assert job is not None
    task_queries = tasks.Queries(connection)
    first, second = (
        task_queries.create_task(
            uuid=f"t-{n}",
            job_id=job.id,
            name=f"frames {n}",
            task_type="blender",
            priority=50,
            commands=[{"name": "render", "frames": [n]}],
        )
        for n in (1, 2)
    )
    assert task_queries.assign_task(worker_id=worker_id, now=NOW, task_id=first) == 1

    rows = task_queries.list_job_tasks_with_worker(job_id=job.id)
    assert [row.task.id for row in rows] == [first, second]
    assert rows[0].worker is not None and rows[0].worker.name == "render-01"
    assert rows[0].worker.can_restart is True
    assert rows[0].task.status is TaskStatus.ACTIVE
    assert rows[0].task.commands == [{"name": "render", "frames": [1]}]
    assert rows[1].worker is None

    everything = task_queries.list_job_tasks_except(job_id=job.id, statuses=[])
    assert [task.id for task in everything] == [first, second]
    not_active = task_queries.list_job_tasks_except(job_id=job.id, statuses=[TaskStatus.ACTIVE])
    assert [task.id for task in not_active] == [second]


def test_progress_active_jobs_and_worker_load(connection: sqlite3.Connection) -> None:
    worker_queries = workers.Queries(connection)
    busy = add_worker(worker_queries, "w-1", "render-01")
    idle = add_worker(worker_queries, "w-2", "render-02")
    job_queries = jobs.Queries(connection)
    job = job_queries.create_job(
        uuid="j-1",
        name="Shot 010",
        job_type="blender",
        priority=50,
        settings={"fps": 24},
        metadata={},
        worker_tag_id=None,
    )
    assert job is not None
    task_queries = tasks.Queries(connection)
    ids = [
        task_queries.create_task(
            uuid=f"t-{n}",
            job_id=job.id,
            name=f"frames {n}",
            task_type="blender",
            priority=50,
            commands=[],
        )
        for n in range(4)
    ]
    task_queries.assign_task(worker_id=busy, now=NOW, task_id=ids[0])
    task_queries.set_task_statuses(status=TaskStatus.COMPLETED, now=NOW, ids=ids[1:3])

    progress = job_queries.job_progress(id=job.id)
    assert progress is not None
    assert (progress.total, progress.completed, progress.active, progress.failed) == (4, 2, 1, 0)
    assert [active.uuid for active in job_queries.list_active_jobs()] == ["j-1"]
    fetched = job_queries.get_job_by_uuid(uuid="j-1")
    assert fetched is not None and fetched.id == job.id
    assert fetched.status is JobStatus.QUEUED and fetched.settings == {"fps": 24}
    assert job.updated_at is None
    assert fetched.updated_at is not None  # set by the tasks_touch_job trigger

    load = {row.name: row.active_tasks for row in worker_queries.worker_load()}
    assert load == {"render-01": 1, "render-02": 0}
    assert worker_queries.set_worker_status(status=WorkerStatus.OFFLINE, seen_at=NOW, id=idle) == 1
    listed = {worker.id: worker.status for worker in worker_queries.list_workers()}
    assert listed == {busy: WorkerStatus.AWAKE, idle: WorkerStatus.OFFLINE}
