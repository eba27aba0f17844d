"""The render-farm's own migrations: they round-trip, and the jobs rebuild loses no task."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlforge import migrate

MIGRATIONS = Path(__file__).resolve().parent.parent / "db" / "migrations"


def schema(database: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT type, name, sql FROM sqlite_schema"
            " WHERE name NOT LIKE 'sqlite_%' AND name NOT IN ('goose_db_version',"
            " 'sqlforge_migrations') ORDER BY type, name"
        )
        return list(rows)


def seed_jobs_and_tasks(database: Path) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("INSERT INTO workers (uuid, name) VALUES ('w1', 'render-01')")
        connection.execute(
            "INSERT INTO jobs (uuid, name, job_type, priority)"
            " VALUES ('j1', 'Shot 010', 'blender', 70)"
        )
        connection.executemany(
            "INSERT INTO tasks (uuid, job_id, name, task_type) VALUES (?, 1, ?, 'render')",
            [(f"t{n}", f"frames {n}") for n in range(1, 6)],
        )
        connection.execute("INSERT INTO task_dependencies VALUES (2, 1)")
        connection.execute("INSERT INTO task_failures (task_id, worker_id) VALUES (3, 1)")


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return {
            table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("jobs", "tasks", "task_dependencies", "task_failures")
        }


def test_up_down_to_zero_up_round_trips(tmp_path: Path) -> None:
    database = tmp_path / "renderfarm.sqlite"
    assert migrate.up(database, MIGRATIONS).ok
    migrated = schema(database)
    assert {name for kind, name, _ in migrated if kind == "table"} >= {
        "jobs",
        "tasks",
        "task_dependencies",
        "task_failures",
        "workers",
        "worker_tags",
        "worker_tag_memberships",
    }

    assert migrate.down_to(database, MIGRATIONS, 0).ok
    assert schema(database) == []
    assert migrate.current_version(database) == 0

    assert migrate.up(database, MIGRATIONS).ok
    assert schema(database) == migrated
    assert migrate.current_version(database) == max(
        int(path.name.split("_")[0]) for path in MIGRATIONS.glob("*.sql")
    )


def test_jobs_rebuild_keeps_every_cascading_child_row(tmp_path: Path) -> None:
    database = tmp_path / "renderfarm.sqlite"
    assert migrate.up(database, MIGRATIONS, target=3).ok
    seed_jobs_and_tasks(database)
    before = counts(database)
    assert before == {"jobs": 1, "tasks": 5, "task_dependencies": 1, "task_failures": 1}

    assert migrate.up(database, MIGRATIONS, target=4).ok  # the copy-and-swap rebuild of jobs
    assert counts(database) == before
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT sql FROM sqlite_schema WHERE name = 'jobs'").fetchone()
        assert "CHECK (priority BETWEEN 0 AND 100)" in stored[0]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []

    assert migrate.down_to(database, MIGRATIONS, 3).ok  # and the rebuild back
    assert counts(database) == before
