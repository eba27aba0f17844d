"""renderfarm's committed generated code: fresh, and usable by the hand-written modules."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from renderfarm.db import _runtime as rt
from renderfarm.db.models import ActiveJob, Job, Task, TaskDependency
from renderfarm.progress import job_progress, job_status_for, runnable
from renderfarm.types import JobStatus, TaskStatus
from sqlforge.config import load_config
from sqlforge.generate import render_outputs
from sqlforge.schema_export import fresh_database

REPO = Path(__file__).parent.parent


def test_committed_schema_and_models_are_what_generate_produces() -> None:
    config = load_config(cwd=REPO, environ={})
    for file in render_outputs(config):
        assert file.path.read_bytes() == file.content, f"{file.path} is stale: run generate"


@pytest.fixture
def farm() -> Iterator[sqlite3.Connection]:
    connection = fresh_database(load_config(cwd=REPO, environ={}))
    connection.executescript(
        """
        INSERT INTO jobs (id, uuid, name, job_type, status, settings)
        VALUES (1, 'j-1', 'Spring', 'blender', 'active', '{"frames": [1, 2]}');
        INSERT INTO tasks (id, uuid, job_id, name, task_type, status) VALUES
            (10, 't-10', 1, 'render 1', 'blender', 'completed'),
            (11, 't-11', 1, 'render 2', 'blender', 'failed'),
            (12, 't-12', 1, 'encode', 'ffmpeg', 'queued');
        INSERT INTO task_dependencies (task_id, dependency_id) VALUES (12, 10), (12, 11);
        """
    )
    yield connection
    connection.close()


def read_job(connection: sqlite3.Connection, job_id: int) -> Job:
    row = connection.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return Job(
        id=row[0],
        uuid=row[1],
        name=row[2],
        job_type=row[3],
        priority=row[4],
        status=rt.custom_from_db(JobStatus, row[5], "jobs.status"),
        activity=row[6],
        settings=rt.json_from_db(row[7], "jobs.settings"),
        metadata=rt.json_from_db(row[8], "jobs.metadata"),
        worker_tag_id=row[9],
        created_at=rt.datetime_from_db(row[10], "jobs.created_at"),
        updated_at=rt.optional_datetime_from_db(row[11], "jobs.updated_at"),
    )


def read_tasks(connection: sqlite3.Connection) -> list[Task]:
    return [
        Task(
            id=row[0],
            uuid=row[1],
            job_id=row[2],
            name=row[3],
            task_type=row[4],
            priority=row[5],
            status=rt.custom_from_db(TaskStatus, row[6], "tasks.status"),
            worker_id=row[7],
            commands=rt.json_from_db(row[8], "tasks.commands"),
            activity=row[9],
            created_at=rt.datetime_from_db(row[10], "tasks.created_at"),
            updated_at=rt.optional_datetime_from_db(row[11], "tasks.updated_at"),
            last_touched_at=rt.optional_datetime_from_db(row[12], "tasks.last_touched_at"),
        )
        for row in connection.execute("SELECT * FROM tasks ORDER BY id")
    ]


def test_models_carry_the_status_enums_and_converted_values(farm: sqlite3.Connection) -> None:
    job = read_job(farm, 1)
    assert job.status is JobStatus.ACTIVE
    assert job.settings == {"frames": [1, 2]}
    assert job.created_at.tzinfo is not None
    assert ActiveJob.__slots__ == (
        "id",
        "uuid",
        "name",
        "job_type",
        "priority",
        "status",
        "created_at",
    )


def test_progress_and_settling_a_job(farm: sqlite3.Connection) -> None:
    job = read_job(farm, 1)
    tasks = read_tasks(farm)
    progress = job_progress(job, tasks)
    assert (progress.total, progress.finished) == (3, 2)
    assert progress.fraction == pytest.approx(2 / 3)
    assert job_status_for(job, progress) is JobStatus.ACTIVE
    farm.execute("UPDATE tasks SET status = 'canceled' WHERE id = 12")
    settled = job_progress(job, read_tasks(farm))
    assert job_status_for(job, settled) is JobStatus.FAILED


def test_a_task_runs_once_its_dependencies_completed(farm: sqlite3.Connection) -> None:
    dependencies = [
        TaskDependency(task_id=row[0], dependency_id=row[1])
        for row in farm.execute("SELECT task_id, dependency_id FROM task_dependencies")
    ]
    tasks = read_tasks(farm)
    encode = tasks[2]
    assert not runnable(encode, dependencies, tasks)
    farm.execute("UPDATE tasks SET status = 'completed' WHERE id = 11")
    assert runnable(encode, dependencies, read_tasks(farm))
    assert not runnable(tasks[0], dependencies, tasks)
