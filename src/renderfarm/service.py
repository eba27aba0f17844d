"""The job queue as the manager runs it: transactions over the generated queries.

Every rule that spans several statements lives here, each in one transaction: submitting a
job with its tasks and their dependencies, claiming a task, completing or failing it, handing
back the tasks of quiet workers, cancelling a job. The SQL is in `db/queries/` and reaches
Python only through the generated `renderfarm.db` modules.

Claiming is the part that must never go wrong: `BEGIN IMMEDIATE` takes the database's write
lock before the runnable task is looked up, so no other connection (thread or process) can
read the same queued task until this one has assigned it and committed; the assignment is
conditional as well (`status = 'queued'`), so a bug elsewhere would show up as a failed claim,
never as a task given twice.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from renderfarm.db import jobs, tasks, workers
from renderfarm.db._runtime import JsonValue
from renderfarm.db.models import Job, Task, Worker
from renderfarm.progress import JobProgress, job_status_for
from renderfarm.types import JobStatus, TaskStatus, WorkerStatus

Clock = Callable[[], datetime]
FINISHED_TASK_STATUSES = (TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELED)


def connect(path: Path | str, *, busy_timeout: float = 30.0) -> sqlite3.Connection:
    """A connection as the farm uses one: transactions only where this module opens them,
    WAL (readers never block the writer), foreign keys enforced, and waiting up to
    `busy_timeout` seconds for another writer instead of failing."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """`BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` when the body raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@dataclass(frozen=True)
class TaskSpec:
    name: str
    """Unique within its job: dependencies refer to tasks by name."""
    task_type: str
    commands: JsonValue = field(default_factory=list)
    priority: int = 50
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobSpec:
    name: str
    job_type: str
    tasks: tuple[TaskSpec, ...]
    priority: int = 50
    settings: JsonValue = field(default_factory=dict)
    metadata: JsonValue = field(default_factory=dict)
    worker_tag_id: int | None = None
    """Only workers with this tag may run the job's tasks; None: any worker."""


@dataclass(frozen=True)
class SubmittedJob:
    job: Job
    task_ids: Mapping[str, int]
    """Task name -> id."""


class InvalidJob(ValueError):
    """A job specification that cannot be stored (nothing was written)."""


class RenderFarm:
    """The manager's operations on one connection (one per thread or process)."""

    def __init__(
        self, connection: sqlite3.Connection, *, clock: Clock | None = None, max_failures: int = 3
    ) -> None:
        self.connection = connection
        self.jobs = jobs.Queries(connection)
        self.tasks = tasks.Queries(connection)
        self.workers = workers.Queries(connection)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_failures = max_failures

    # jobs

    def submit_job(self, spec: JobSpec) -> SubmittedJob:
        """Store a job, its tasks and their dependencies, all or nothing."""
        _check_job(spec)
        with transaction(self.connection):
            job = self.jobs.create_job(
                uuid=str(uuid.uuid4()),
                name=spec.name,
                job_type=spec.job_type,
                priority=spec.priority,
                settings=spec.settings,
                metadata=spec.metadata,
                worker_tag_id=spec.worker_tag_id,
            )
            assert job is not None  # INSERT ... RETURNING always returns the row
            task_ids = {task.name: self._create_task(job.id, task) for task in spec.tasks}
            for task in spec.tasks:
                for dependency in task.depends_on:
                    self.tasks.add_task_dependency(
                        task_id=task_ids[task.name], dependency_id=task_ids[dependency]
                    )
        return SubmittedJob(job, task_ids)

    def _create_task(self, job_id: int, task: TaskSpec) -> int:
        return self.tasks.create_task(
            uuid=str(uuid.uuid4()),
            job_id=job_id,
            name=task.name,
            task_type=task.task_type,
            priority=task.priority,
            commands=task.commands,
        )

    def cancel_job(self, job_id: int) -> int:
        """Cancel the job and every task of it not finished yet; the number cancelled."""
        with transaction(self.connection):
            pending = self.tasks.list_job_tasks_except(
                job_id=job_id, statuses=FINISHED_TASK_STATUSES
            )
            cancelled = self.tasks.set_task_statuses(
                status=TaskStatus.CANCELED, now=self.clock(), ids=[task.id for task in pending]
            )
            self.jobs.set_job_status(status=JobStatus.CANCELED, activity="canceled", id=job_id)
        return cancelled

    def progress(self, job_id: int) -> JobProgress:
        """How many tasks of the job are in each status (counted by SQLite)."""
        counts = {row.status: row.count for row in self.tasks.count_tasks_by_status(job_id=job_id)}
        return JobProgress(job_id=job_id, total=sum(counts.values()), by_status=counts)

    # workers

    def create_tag(self, name: str, description: str = "") -> int:
        return self.workers.create_worker_tag(
            uuid=str(uuid.uuid4()), name=name, description=description
        )

    def register_worker(
        self,
        *,
        worker_uuid: str,
        name: str,
        address: str = "",
        platform: str = "",
        software_version: str = "",
        task_types: Sequence[str] = (),
        can_restart: bool = False,
        tag_ids: Sequence[int] = (),
    ) -> Worker:
        """Sign a worker on (again): its row is created or refreshed, and its tags added."""
        with transaction(self.connection):
            worker = self.workers.upsert_worker(
                uuid=worker_uuid,
                name=name,
                address=address,
                platform=platform,
                software_version=software_version,
                status=WorkerStatus.AWAKE,
                supported_task_types=",".join(task_types),
                can_restart=can_restart,
                last_seen_at=self.clock(),
            )
            assert worker is not None  # INSERT ... RETURNING always returns the row
            for tag_id in tag_ids:
                self.workers.add_worker_to_tag(worker_tag_id=tag_id, worker_id=worker.id)
        return worker

    # tasks

    def claim_task(self, worker_id: int) -> Task | None:
        """Give the worker the most urgent task it may run, or None when there is none.

        The write lock is taken first (`BEGIN IMMEDIATE`), so the task found is still queued
        when it is assigned: no two claims, in any thread or process, get the same task."""
        now = self.clock()
        with transaction(self.connection):
            found = self.tasks.find_runnable_task(worker_id=worker_id)
            if found is None:
                return None
            if self.tasks.assign_task(worker_id=worker_id, now=now, task_id=found.id) != 1:
                raise RuntimeError(f"task {found.id} was queued and could not be assigned")
            claimed = self.tasks.get_task_with_job(id=found.id)
            assert claimed is not None  # assigned in this transaction
            if claimed.job.status is JobStatus.QUEUED:
                self.jobs.set_job_status(status=JobStatus.ACTIVE, activity="", id=claimed.job.id)
        return claimed.task

    def heartbeat(self, task_id: int, worker_id: int) -> bool:
        """The worker is still on the task; False when the task is no longer its."""
        return self.tasks.touch_task(now=self.clock(), task_id=task_id, worker_id=worker_id) == 1

    def complete_task(self, task_id: int) -> None:
        """Mark the task done; once every task of its job is finished, the job is too."""
        with transaction(self.connection):
            self.tasks.set_task_statuses(
                status=TaskStatus.COMPLETED, now=self.clock(), ids=[task_id]
            )
            self._settle_job_of(task_id)

    def fail_task(self, task_id: int, worker_id: int, reason: str) -> TaskStatus:
        """Record the failure; the task goes back to the queue (never to this worker again)
        until it has failed `max_failures` times, then it fails for good. Its new status."""
        with transaction(self.connection):
            self.tasks.record_task_failure(task_id=task_id, worker_id=worker_id, reason=reason)
            failures = self.tasks.count_task_failures(task_id=task_id) or 0
            if failures < self.max_failures:
                self.tasks.release_task(now=self.clock(), task_id=task_id)
                return TaskStatus.QUEUED
            self.tasks.set_task_statuses(status=TaskStatus.FAILED, now=self.clock(), ids=[task_id])
            self._settle_job_of(task_id)
            return TaskStatus.FAILED

    def release_stale_tasks(self, cutoff: datetime) -> list[int]:
        """Hand back to the queue the active tasks not touched since `cutoff`."""
        with transaction(self.connection):
            stale = [row.id for row in self.tasks.list_stale_tasks(cutoff=cutoff)]
            for task_id in stale:
                self.tasks.release_task(now=self.clock(), task_id=task_id)
        return stale

    def _settle_job_of(self, task_id: int) -> None:
        row = self.tasks.get_task_with_job(id=task_id)
        assert row is not None  # called within the transaction that changed the task
        job = row.job
        status = job_status_for(job, self.progress(job.id))
        if status is not job.status:
            self.jobs.set_job_status(status=status, activity="", id=job.id)


def _check_job(spec: JobSpec) -> None:
    names = [task.name for task in spec.tasks]
    if len(set(names)) != len(names):
        raise InvalidJob(f"job {spec.name!r}: task names repeat")
    known = set(names)
    for task in spec.tasks:
        unknown = [name for name in task.depends_on if name not in known or name == task.name]
        if unknown:
            raise InvalidJob(f"job {spec.name!r}: task {task.name!r} depends on {unknown}")


# workers that run until the queue is empty


def work(
    farm: RenderFarm,
    worker_id: int,
    *,
    run: Callable[[Task], None] = lambda task: None,
    poll: float = 0.005,
) -> list[int]:
    """Claim, run and complete tasks until no job is queued or active; the ids done, in order.

    When nothing is runnable yet (dependencies held by other workers) it waits `poll` seconds
    and asks again, so every queued job must be runnable by some worker for it to return."""
    done: list[int] = []
    unfinished = (JobStatus.QUEUED, JobStatus.ACTIVE)
    while True:
        task = farm.claim_task(worker_id)
        if task is not None:
            run(task)
            farm.complete_task(task.id)
            done.append(task.id)
        elif not farm.jobs.list_jobs_by_status(statuses=unfinished):
            return done
        else:
            time.sleep(poll)
