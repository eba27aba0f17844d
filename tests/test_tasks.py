"""The invoke tasks and nox sessions, run for real."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INVOKE = [sys.executable, "-m", "invoke"]

EXPECTED_TASKS = {
    "db.migrate-up",
    "db.migrate-down",
    "db.migrate-status",
    "db.migrate-to",
    "db.migrate-redo",
    "db.migrate-reset",
    "db.new-migration",
    "db.export-schema",
    "db.generate",
    "db.check",
}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def make_project(tmp_path: Path) -> Path:
    migrations = tmp_path / "db" / "migrations"
    migrations.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sqlforge]\ndatabase = "var/app.sqlite"\n', encoding="utf-8"
    )
    (tmp_path / "tasks.py").write_text(
        "from invoke.collection import Collection\n\nfrom sqlforge.tasks import db\n\n"
        "namespace = Collection(db)\n",
        encoding="utf-8",
    )
    for version, table in ((1, "jobs"), (2, "workers")):
        (migrations / f"000{version}_create_{table}.sql").write_text(
            f"-- +goose Up\nCREATE TABLE {table} (id INTEGER PRIMARY KEY);\n\n"
            f"-- +goose Down\nDROP TABLE {table};\n",
            encoding="utf-8",
        )
    return tmp_path


def versions(database: Path) -> list[int]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT version_id FROM goose_db_version ORDER BY id")
        return [row[0] for row in rows]


def test_every_task_is_listed_with_an_explanation() -> None:
    result = run([*INVOKE, "--list", "--list-format", "json"], ROOT)
    assert result.returncode == 0, result.stderr
    (collection,) = json.loads(result.stdout)["collections"]
    listed = {f"db.{task['name']}": task["help"] for task in collection["tasks"]}
    assert set(listed) == EXPECTED_TASKS
    assert all(help_text and help_text.endswith(".") for help_text in listed.values())


def test_migrate_tasks_in_a_project_that_imports_the_collection(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    database = project / "var" / "app.sqlite"

    up = run([*INVOKE, "db.migrate-up"], project)
    assert up.returncode == 0, up.stderr
    assert "0002_create_workers.sql" in up.stdout
    assert versions(database) == [0, 1, 2]

    down = run([*INVOKE, "db.migrate-to", "1"], project)
    assert down.returncode == 0, down.stderr
    assert versions(database) == [0, 1]

    status = run([*INVOKE, "db.migrate-status", "--json"], project)
    document = json.loads(status.stdout)
    assert [m["state"] for m in document["migrations"]] == ["applied", "pending"]

    again = run([*INVOKE, "db.migrate-to", "2"], project)
    assert again.returncode == 0, again.stderr
    assert versions(database) == [0, 1, 2]


def test_migrate_to_zero_on_a_new_database_has_nothing_to_do(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = run([*INVOKE, "db.migrate-to", "0"], project)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "no migrations to run, current version 0\n"
    assert not (project / "var").exists()


def test_new_migration_task_continues_the_numbering(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = run([*INVOKE, "db.new-migration", "add job deadline"], project)
    assert result.returncode == 0, result.stderr
    created = project / "db" / "migrations" / "0003_add_job_deadline.sql"
    assert created.read_text(encoding="utf-8").startswith("-- +goose Up\n")


def test_task_failure_is_a_clean_error_with_exit_code(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "db" / "migrations" / "0003_broken.sql").write_text(
        "-- +goose Up\nCREATE TABLE broken (id INTEGER PRIMARY KEY);\n"
        "INSERT INTO nowhere VALUES (1);\n",
        encoding="utf-8",
    )
    result = run([*INVOKE, "db.migrate-up"], project)
    assert result.returncode == 1
    assert "0003_broken.sql:3:" in result.stderr
    assert "no such table: nowhere" in result.stderr
    assert "Traceback" not in result.stderr
    assert versions(project / "var" / "app.sqlite") == [0, 1, 2]


def test_nox_sessions_and_defaults() -> None:
    result = run([sys.executable, "-m", "nox", "--list"], ROOT)
    assert result.returncode == 0, result.stderr
    marks = {
        line.split()[1]: line[0]
        for line in result.stdout.splitlines()
        if line[:2] in ("* ", "- ") and " -> " in line
    }
    assert marks == {
        "tests": "*",
        "lint": "*",
        "typecheck": "*",
        "check-generated": "*",
        "conformance": "-",
        "bench": "-",
    }
