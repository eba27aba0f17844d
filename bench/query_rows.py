"""Row conversion: generated query methods against the same work written by hand.

    python bench/query_rows.py [--rows 100000] [--repeat 15]

Runs renderfarm's generated queries (src/renderfarm/db) over an in-memory database migrated
from db/migrations and compares each with a hand-written function doing the same: the same
SQL, the same cursor, one model per row. It reports the best of `--repeat` runs (taken in
turns, so load on the machine weighs on both sides alike) and the ratio generated /
hand-written (1.00 = as fast; below 1 is faster). Three comparisons:

* `worker_tags`: four integer and text columns, no conversion at all: pure overhead of the
  generated method (cursor handling, the reader function call per row);
* `tasks` (runtime): thirteen columns with an enum, JSON and three datetimes, the hand-written
  version calling the same runtime converters inline: what generation itself costs;
* `tasks` (stdlib): the hand-written version using `TaskStatus(...)`, `json.loads` and
  `datetime.fromisoformat` directly, without the runtime's checks and error labels.

The fetch alone (`cursor.fetchall()`) is shown for scale. Not a test: timings vary by machine.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from renderfarm.db import _runtime, tasks, workers  # noqa: E402
from renderfarm.db.models import Task, WorkerTag  # noqa: E402
from renderfarm.types import TaskStatus  # noqa: E402
from sqlforge.migrate import load_migrations, migrate_fresh  # noqa: E402

LIST_JOB_TASKS = tasks.LIST_JOB_TASKS
LIST_WORKER_TAGS = workers.LIST_WORKER_TAGS


def database(rows: int) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    migrate_fresh(connection, load_migrations(ROOT / "db" / "migrations"))
    connection.execute("BEGIN")
    connection.execute("INSERT INTO jobs (uuid, name, job_type) VALUES ('j', 'job', 'render')")
    now = _runtime.datetime_to_db(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    connection.executemany(
        "INSERT INTO tasks (uuid, job_id, name, task_type, status, commands, created_at,"
        " updated_at) VALUES (?, 1, ?, 'blender', 'queued', ?, ?, ?)",
        (
            (f"t{i}", f"frame {i}", json.dumps([{"frame": i}]), now, None if i % 2 else now)
            for i in range(rows)
        ),
    )
    connection.execute("INSERT INTO workers (id, uuid, name) VALUES (1, 'w', 'worker')")
    connection.executemany(
        "INSERT INTO worker_tags (id, uuid, name) VALUES (?, ?, ?)",
        ((i, f"tag{i}", f"tag {i:06}") for i in range(1, rows + 1)),
    )
    connection.executemany(
        "INSERT INTO worker_tag_memberships (worker_tag_id, worker_id) VALUES (?, 1)",
        ((i,) for i in range(1, rows + 1)),
    )
    connection.execute("COMMIT")
    return connection


# hand-written equivalents


def worker_tags_by_hand(connection: sqlite3.Connection) -> list[WorkerTag]:
    cursor = connection.execute(LIST_WORKER_TAGS, (1,))
    return [WorkerTag(id=row[0], uuid=row[1], name=row[2], description=row[3]) for row in cursor]


def tasks_by_hand_runtime(connection: sqlite3.Connection) -> list[Task]:
    cursor = connection.execute(LIST_JOB_TASKS, (1,))
    return [
        Task(
            id=row[0],
            uuid=row[1],
            job_id=row[2],
            name=row[3],
            task_type=row[4],
            priority=row[5],
            status=_runtime.custom_from_db(TaskStatus, row[6], "tasks.status"),
            worker_id=row[7],
            commands=_runtime.json_from_db(row[8], "tasks.commands"),
            activity=row[9],
            created_at=_runtime.datetime_from_db(row[10], "tasks.created_at"),
            updated_at=_runtime.optional_datetime_from_db(row[11], "tasks.updated_at"),
            last_touched_at=_runtime.optional_datetime_from_db(row[12], "tasks.last_touched_at"),
        )
        for row in cursor
    ]


def tasks_by_hand_stdlib(connection: sqlite3.Connection) -> list[Task]:
    parse = datetime.fromisoformat
    cursor = connection.execute(LIST_JOB_TASKS, (1,))
    return [
        Task(
            id=row[0],
            uuid=row[1],
            job_id=row[2],
            name=row[3],
            task_type=row[4],
            priority=row[5],
            status=TaskStatus(row[6]),
            worker_id=row[7],
            commands=json.loads(row[8]),
            activity=row[9],
            created_at=parse(row[10]),
            updated_at=None if row[11] is None else parse(row[11]),
            last_touched_at=None if row[12] is None else parse(row[12]),
        )
        for row in cursor
    ]


def best_of_interleaved(functions: list[Callable[[], object]], repeat: int) -> list[float]:
    """The best time of each function, run in turns so that a busy machine slows all alike."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, measured in zip(functions, times, strict=True):
            measured.append(timeit.timeit(function, number=1))
    return [min(measured) for measured in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    connection = database(options.rows)
    generated_tasks = tasks.Queries(connection)
    generated_workers = workers.Queries(connection)
    assert generated_tasks.list_job_tasks(job_id=1) == tasks_by_hand_runtime(connection)
    assert generated_workers.list_worker_tags(worker_id=1) == worker_tags_by_hand(connection)

    def fetch_tasks() -> object:
        return connection.execute(LIST_JOB_TASKS, (1,)).fetchall()

    def generated() -> object:
        return generated_tasks.list_job_tasks(job_id=1)

    cases: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("fetch only (tasks)", fetch_tasks, None),
        (
            "worker_tags, no conversion",
            lambda: generated_workers.list_worker_tags(worker_id=1),
            lambda: worker_tags_by_hand(connection),
        ),
        ("tasks, by hand with runtime", generated, lambda: tasks_by_hand_runtime(connection)),
        ("tasks, by hand with stdlib", generated, lambda: tasks_by_hand_stdlib(connection)),
    ]
    print(f"{options.rows} rows, best of {options.repeat} (seconds)")
    print(f"{'case':36} {'generated':>10} {'by hand':>10} {'ratio':>7}")
    for name, first, second in cases:
        if second is None:
            [generated_time] = best_of_interleaved([first], options.repeat)
            print(f"{name:36} {generated_time:10.4f}")
            continue
        generated_time, hand_time = best_of_interleaved([first, second], options.repeat)
        ratio = generated_time / hand_time
        print(f"{name:36} {generated_time:10.4f} {hand_time:10.4f} {ratio:7.2f}")


if __name__ == "__main__":
    main()
