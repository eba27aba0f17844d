"""renderfarm's committed generated code: fresh, and usable by the hand-written modules."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from renderfarm.db import jobs
from renderfarm.db import tasks as tasks_queries
from renderfarm.db.models import ActiveJob, Job, Task, TaskDependency
from renderfarm.progress import job_progress, job_status_for, runnable
from renderfarm.types import JobStatus
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
    job = jobs.Queries(connection).get_job(id=job_id)
    assert job is not None
    return job


def read_tasks(connection: sqlite3.Connection) -> list[Task]:
    return tasks_queries.Queries(connection).list_job_tasks(job_id=1)


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
