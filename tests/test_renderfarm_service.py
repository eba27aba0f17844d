"""renderfarm's service layer on its generated queries, on real database files migrated by
sqlforge from db/migrations: submitting, the claim order and its rules (priority,
dependencies, tags, earlier failures), failures, stale workers, cancelling; and workers in
threads and processes at once on one WAL database, where no task may go to two of them."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from renderfarm.db.models import Task
from renderfarm.service import (
    InvalidJob,
    JobSpec,
    RenderFarm,
    SubmittedJob,
    TaskSpec,
    connect,
    work,
)
from renderfarm.types import JobStatus, TaskStatus
from sqlforge.migrate import up

REPO = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated by sqlforge's own engine; each test works on a copy."""
    path = tmp_path_factory.mktemp("renderfarm") / "template.sqlite"
    up(path, REPO / "db" / "migrations")
    return path


@pytest.fixture
def database(migrated_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "farm.sqlite"
    shutil.copy(migrated_template, path)
    return path


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def farm(database: Path, clock: Clock) -> Iterator[RenderFarm]:
    connection = connect(database)
    yield RenderFarm(connection, clock=clock, max_failures=2)
    connection.close()


def worker(farm: RenderFarm, name: str, tag_ids: tuple[int, ...] = ()) -> int:
    return farm.register_worker(worker_uuid=f"uuid-{name}", name=name, tag_ids=tag_ids).id


def job(name: str, *tasks: TaskSpec, priority: int = 50, tag: int | None = None) -> JobSpec:
    return JobSpec(name=name, job_type="blender", tasks=tasks, priority=priority, worker_tag_id=tag)


def claims(farm: RenderFarm, worker_id: int) -> list[str]:
    """Task names in the order this worker claims them (and completes them)."""
    names = []
    while (task := farm.claim_task(worker_id)) is not None:
        names.append(task.name)
        farm.complete_task(task.id)
    return names


# submitting


def test_a_job_is_stored_with_its_tasks_and_dependencies(farm: RenderFarm) -> None:
    submitted = farm.submit_job(
        job(
            "film",
            TaskSpec("render", "blender", commands=[{"frames": [1, 2]}]),
            TaskSpec("encode", "ffmpeg", depends_on=("render",), priority=70),
        )
    )
    assert submitted.job.status is JobStatus.QUEUED
    stored = farm.tasks.list_job_tasks(job_id=submitted.job.id)
    assert [(t.name, t.task_type, t.priority, t.commands) for t in stored] == [
        ("render", "blender", 50, [{"frames": [1, 2]}]),
        ("encode", "ffmpeg", 70, []),
    ]
    assert all(t.status is TaskStatus.QUEUED and t.worker_id is None for t in stored)
    dependencies = farm.connection.execute(
        "SELECT task_id, dependency_id FROM task_dependencies"
    ).fetchall()
    assert dependencies == [(submitted.task_ids["encode"], submitted.task_ids["render"])]


@pytest.mark.parametrize(
    "tasks",
    [
        (TaskSpec("a", "x"), TaskSpec("a", "x")),
        (TaskSpec("a", "x", depends_on=("b",)),),
        (TaskSpec("a", "x", depends_on=("a",)),),
    ],
)
def test_an_invalid_job_writes_nothing(farm: RenderFarm, tasks: tuple[TaskSpec, ...]) -> None:
    with pytest.raises(InvalidJob):
        farm.submit_job(job("bad", *tasks))
    assert farm.connection.execute("SELECT COUNT(*) FROM jobs").fetchone() == (0,)


def test_a_failing_submission_rolls_back_the_job(farm: RenderFarm) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        farm.submit_job(job("bad priority", TaskSpec("a", "x"), priority=101))
    assert farm.connection.execute("SELECT COUNT(*) FROM jobs").fetchone() == (0,)
    assert farm.connection.execute("SELECT COUNT(*) FROM tasks").fetchone() == (0,)


# claiming


def test_claims_follow_job_priority_then_task_priority_then_age(farm: RenderFarm) -> None:
    me = worker(farm, "w1")
    farm.submit_job(job("low", TaskSpec("low-1", "x"), TaskSpec("low-2", "x"), priority=10))
    farm.submit_job(
        job("high", TaskSpec("high-a", "x"), TaskSpec("high-b", "x", priority=90), priority=90)
    )
    assert claims(farm, me) == ["high-b", "high-a", "low-1", "low-2"]


def test_a_claim_assigns_the_task_and_activates_its_job(farm: RenderFarm, clock: Clock) -> None:
    me = worker(farm, "w1")
    submitted = farm.submit_job(job("j", TaskSpec("t", "x")))
    task = farm.claim_task(me)
    assert task is not None
    assert (task.status, task.worker_id, task.last_touched_at) == (
        TaskStatus.ACTIVE,
        me,
        clock.now,
    )
    job_now = farm.jobs.get_job(id=submitted.job.id)
    assert job_now is not None
    assert job_now.status is JobStatus.ACTIVE
    assert farm.claim_task(me) is None


def test_dependencies_must_complete_first(farm: RenderFarm) -> None:
    me = worker(farm, "w1")
    farm.submit_job(
        job(
            "deps",
            TaskSpec("encode", "x", depends_on=("render-1", "render-2"), priority=99),
            TaskSpec("render-1", "x"),
            TaskSpec("render-2", "x"),
        )
    )
    first = farm.claim_task(me)
    assert first is not None
    assert first.name == "render-1"
    second = farm.claim_task(me)
    assert second is not None
    assert second.name == "render-2"
    assert farm.claim_task(me) is None  # encode waits for both renders
    farm.complete_task(first.id)
    assert farm.claim_task(me) is None
    farm.complete_task(second.id)
    last = farm.claim_task(me)
    assert last is not None
    assert last.name == "encode"


def test_a_tagged_job_goes_only_to_workers_with_the_tag(farm: RenderFarm) -> None:
    gpu = farm.create_tag("gpu")
    plain = worker(farm, "plain")
    tagged = worker(farm, "tagged", (gpu,))
    farm.submit_job(job("needs gpu", TaskSpec("render", "x"), tag=gpu, priority=99))
    farm.submit_job(job("anywhere", TaskSpec("misc", "x")))
    assert claims(farm, plain) == ["misc"]
    assert claims(farm, tagged) == ["render"]


def test_a_failed_task_never_returns_to_that_worker_and_fails_for_good(
    farm: RenderFarm,
) -> None:
    one, two, three = (worker(farm, name) for name in ("one", "two", "three"))
    submitted = farm.submit_job(job("j", TaskSpec("flaky", "x")))
    task_id = submitted.task_ids["flaky"]
    task = farm.claim_task(one)
    assert task is not None
    assert farm.fail_task(task_id, one, "out of memory") is TaskStatus.QUEUED
    assert farm.claim_task(one) is None
    task = farm.claim_task(two)
    assert task is not None
    assert task.id == task_id
    assert farm.fail_task(task_id, two, "crashed") is TaskStatus.FAILED
    assert farm.claim_task(three) is None
    failures = farm.connection.execute(
        "SELECT worker_id, reason FROM task_failures ORDER BY worker_id"
    ).fetchall()
    assert failures == [(one, "out of memory"), (two, "crashed")]
    settled = farm.jobs.get_job(id=submitted.job.id)
    assert settled is not None
    assert settled.status is JobStatus.FAILED


def test_quiet_workers_lose_their_tasks(farm: RenderFarm, clock: Clock) -> None:
    one, two = worker(farm, "one"), worker(farm, "two")
    farm.submit_job(job("j", TaskSpec("a", "x"), TaskSpec("b", "x")))
    a = farm.claim_task(one)
    b = farm.claim_task(two)
    assert a is not None
    assert b is not None
    clock.now += timedelta(minutes=10)
    assert farm.heartbeat(b.id, two)
    assert not farm.heartbeat(b.id, one)
    assert farm.release_stale_tasks(clock.now - timedelta(minutes=5)) == [a.id]
    again = farm.claim_task(two)
    assert again is not None
    assert again.id == a.id


def test_completing_every_task_completes_the_job_and_counts_add_up(farm: RenderFarm) -> None:
    me = worker(farm, "w1")
    submitted = farm.submit_job(job("j", *(TaskSpec(f"t{i}", "x") for i in range(5))))
    job_id = submitted.job.id
    first = farm.claim_task(me)
    assert first is not None
    assert farm.progress(job_id).by_status == {TaskStatus.ACTIVE: 1, TaskStatus.QUEUED: 4}
    farm.complete_task(first.id)
    assert claims(farm, me) == ["t1", "t2", "t3", "t4"]
    progress = farm.progress(job_id)
    assert (progress.total, progress.by_status) == (5, {TaskStatus.COMPLETED: 5})
    done = farm.jobs.get_job(id=job_id)
    assert done is not None
    assert done.status is JobStatus.COMPLETED


def test_cancelling_a_job_cancels_its_unfinished_tasks_at_once(farm: RenderFarm) -> None:
    me = worker(farm, "w1")
    submitted = farm.submit_job(job("j", *(TaskSpec(f"t{i}", "x") for i in range(4))))
    finished = farm.claim_task(me)
    running = farm.claim_task(me)
    assert finished is not None
    assert running is not None
    farm.complete_task(finished.id)
    assert farm.cancel_job(submitted.job.id) == 3
    statuses = {t.name: t.status for t in farm.tasks.list_job_tasks(job_id=submitted.job.id)}
    assert statuses == {
        "t0": TaskStatus.COMPLETED,
        "t1": TaskStatus.CANCELED,
        "t2": TaskStatus.CANCELED,
        "t3": TaskStatus.CANCELED,
    }
    assert farm.claim_task(me) is None
    assert farm.cancel_job(submitted.job.id) == 0  # nothing left: an empty slice


# concurrency


@dataclass(frozen=True)
class Outcome:
    worker_id: int
    done: tuple[int, ...]


def run_worker(path: str, worker_id: int, gate: str, workers: int) -> Outcome:
    """A whole worker: its own connection, claiming until the queue is empty. It starts once
    every worker is ready (spawning a process takes longer than starting a thread), and
    each task takes a moment, so that all of them compete for the whole run."""
    connection = connect(path)
    try:
        wait_for_everyone(Path(gate), worker_id, workers)
        return Outcome(worker_id, tuple(work(RenderFarm(connection), worker_id, run=render)))
    finally:
        connection.close()


def render(task: Task) -> None:
    time.sleep(0.003)


def wait_for_everyone(gate: Path, worker_id: int, workers: int) -> None:
    (gate / str(worker_id)).touch()
    deadline = time.monotonic() + 60
    while len(list(gate.iterdir())) < workers and time.monotonic() < deadline:
        time.sleep(0.001)


def submit_jobs(farm: RenderFarm, count: int, tasks_per_job: int) -> list[SubmittedJob]:
    """Jobs whose last task depends on all others, so workers also wait for each other."""
    submitted = []
    for number in range(count):
        renders = [TaskSpec(f"render-{i}", "blender") for i in range(tasks_per_job - 1)]
        encode = TaskSpec("encode", "ffmpeg", depends_on=tuple(t.name for t in renders))
        spec = job(f"job-{number}", *renders, encode, priority=10 * number)
        submitted.append(farm.submit_job(spec))
    return submitted


def test_threads_and_processes_never_get_the_same_task(database: Path, tmp_path: Path) -> None:
    farm = RenderFarm(connect(database))
    gate = tmp_path / "gate"
    gate.mkdir()
    submitted = submit_jobs(farm, count=4, tasks_per_job=40)
    thread_workers = [worker(farm, f"thread-{i}") for i in range(4)]
    process_workers = [worker(farm, f"process-{i}") for i in range(3)]
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    everyone = len(thread_workers) + len(process_workers)
    arguments = (str(database), str(gate), everyone)

    def in_thread(worker_id: int) -> None:
        try:
            outcomes.append(run_worker(arguments[0], worker_id, *arguments[1:]))
        except BaseException as error:  # reported below: a thread cannot fail the test
            errors.append(error)

    context = multiprocessing.get_context("spawn")
    with context.Pool(len(process_workers)) as pool:
        pending = [
            pool.apply_async(run_worker, (arguments[0], w, *arguments[1:])) for w in process_workers
        ]
        threads = [threading.Thread(target=in_thread, args=(w,)) for w in thread_workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        outcomes += [result.get(timeout=120) for result in pending]
    assert errors == []

    claimed = Counter(task_id for outcome in outcomes for task_id in outcome.done)
    all_tasks = {task_id for s in submitted for task_id in s.task_ids.values()}
    assert set(claimed) == all_tasks
    assert [task_id for task_id, times in claimed.items() if times > 1] == []
    assert sum(len(o.done) for o in outcomes) == len(all_tasks) == 160

    owner = {task_id: o.worker_id for o in outcomes for task_id in o.done}
    rows = farm.connection.execute("SELECT id, status, worker_id FROM tasks").fetchall()
    assert len(rows) == 160
    assert all(status == "completed" and worker_id == owner[i] for i, status, worker_id in rows)
    for s in submitted:
        progress = farm.progress(s.job.id)
        assert (progress.total, progress.by_status) == (40, {TaskStatus.COMPLETED: 40})
    statuses = {row[0] for row in farm.connection.execute("SELECT status FROM jobs")}
    assert statuses == {"completed"}
    # the run had threads and processes competing (a sanity check on the test itself)
    busy = {o.worker_id for o in outcomes if o.done}
    assert busy & set(thread_workers)
    assert busy & set(process_workers)
    assert farm.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    farm.connection.close()
