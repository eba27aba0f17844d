"""`sqlforge migrate ...` as a user runs it: real processes, real files, exit codes and text."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import MigrationFolder, RunCli


@pytest.fixture
def project(tmp_path: Path, migration_folder: MigrationFolder) -> Path:
    """A project folder: pyproject.toml pointing at the library migrations and var/app.sqlite."""
    migration_folder.copy("library")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sqlforge]\ndatabase = "var/app.sqlite"\nmigrations = "migrations"\n'
    )
    return tmp_path


def assert_clean_failure(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_up_prints_one_line_per_migration_and_a_summary(project: Path, sqlforge: RunCli) -> None:
    result = sqlforge("migrate", "up")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:3] for line in lines[:-1]] == [
        ["OK", "up", "0001_create_authors.sql"],
        ["OK", "up", "0002_create_books.sql"],
        ["OK", "up", "0003_rebuild_authors.sql"],
        ["OK", "up", "0004_add_book_year.sql"],
    ]
    assert all(re.search(r"\(\d+(\.\d)? ms\)$", line) for line in lines[:-1])
    assert re.fullmatch(r"migrated to version 4 \(4 migrations, \d+(\.\d)? ms\)", lines[-1])
    assert "\033[" not in result.stdout  # no colours when not on a terminal
    again = sqlforge("migrate", "up")
    assert again.stdout == "no migrations to run, current version 4\n"


def test_quiet_prints_nothing_on_success(project: Path, sqlforge: RunCli) -> None:
    result = sqlforge("migrate", "up", "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_colour_only_when_asked(project: Path, sqlforge: RunCli) -> None:
    result = sqlforge("migrate", "up", "--color", "always")
    assert "\033[32mOK   \033[0m up   0001_create_authors.sql" in result.stdout


def test_status_table_and_json(project: Path, sqlforge: RunCli) -> None:
    sqlforge("migrate", "up-to", "2")
    table = sqlforge("migrate", "status")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0] == "Version  Migration                 Applied at (UTC)"
    assert re.fullmatch(
        r"      1  0001_create_authors\.sql   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lines[1]
    )
    assert lines[3] == "      3  0003_rebuild_authors.sql  Pending"
    assert lines[-1] == "current version 2, 2 pending"
    document = json.loads(sqlforge("migrate", "status", "--json").stdout)
    assert document["current_version"] == 2
    assert document["database"] == str(project / "var" / "app.sqlite")
    assert document["database_exists"] is True
    assert document["version_table"] == "goose_db_version"
    first, third = document["migrations"][0], document["migrations"][2]
    assert set(first) == {"version", "file", "state", "applied_at", "out_of_order", "checksum"}
    assert (first["version"], first["state"], first["checksum"]) == (1, "applied", "ok")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["applied_at"])
    assert third == {
        "version": 3,
        "file": "0003_rebuild_authors.sql",
        "state": "pending",
        "applied_at": None,
        "out_of_order": False,
        "checksum": None,
    }


def test_version_plain_and_json(project: Path, sqlforge: RunCli) -> None:
    assert sqlforge("migrate", "version").stdout == "version 0\n"
    sqlforge("migrate", "up-by-one")
    assert sqlforge("migrate", "version", "-q").stdout == "version 1\n"
    document = json.loads(sqlforge("migrate", "version", "--json").stdout)
    assert document == {
        "database": str(project / "var" / "app.sqlite"),
        "database_exists": True,
        "version_table": "goose_db_version",
        "current_version": 1,
        "latest_version": 4,
        "pending": 3,
    }


def test_read_only_commands_do_not_create_the_database(project: Path, sqlforge: RunCli) -> None:
    for command in (["status"], ["status", "--json"], ["version"], ["validate"]):
        assert sqlforge("migrate", *command).returncode == 0
    assert "does not exist yet" in sqlforge("migrate", "status").stdout
    assert not (project / "var").exists()


def test_down_redo_reset_and_down_to(project: Path, sqlforge: RunCli) -> None:
    sqlforge("migrate", "up")
    down = sqlforge("migrate", "down")
    assert down.stdout.splitlines()[0].split()[:3] == ["OK", "down", "0004_add_book_year.sql"]
    assert down.stdout.splitlines()[-1].startswith("now at version 3 (1 migration, ")
    redo = sqlforge("migrate", "redo")
    assert [line.split()[1] for line in redo.stdout.splitlines()[:2]] == ["down", "up"]
    down_to = sqlforge("migrate", "down-to", "1")
    assert [line.split()[2] for line in down_to.stdout.splitlines()[:-1]] == [
        "0003_rebuild_authors.sql",
        "0002_create_books.sql",
    ]
    reset = sqlforge("migrate", "reset")
    assert reset.stdout.splitlines()[-1].startswith("now at version 0 (1 migration, ")
    assert sqlforge("migrate", "down").stdout == "no migrations to run, current version 0\n"


def test_dry_run_prints_statements_and_changes_nothing(project: Path, sqlforge: RunCli) -> None:
    result = sqlforge("migrate", "up", "--dry-run")
    assert result.returncode == 0
    assert "-- would create the version table (and its version 0 row)" in result.stdout
    assert (
        "-- up 0001_create_authors.sql (in a transaction)\n-- line 3\nCREATE TABLE authors ("
        in (result.stdout)
    )
    assert result.stdout.splitlines()[-1] == (
        "dry run: would go to version 4 (4 migrations); nothing was changed"
    )
    assert not (project / "var").exists()
    sqlforge("migrate", "up")
    before = (project / "var" / "app.sqlite").read_bytes()
    assert sqlforge("migrate", "reset", "--dry-run").returncode == 0
    assert (project / "var" / "app.sqlite").read_bytes() == before


def test_failing_migration_reports_file_line_and_sqlite_message(
    project: Path, sqlforge: RunCli
) -> None:
    (project / "migrations" / "0003_rebuild_authors.sql").write_text(
        "-- +goose Up\nCREATE TABLE extra (x);\n\nINSERT INTO nowhere VALUES (1);\n"
        "-- +goose Down\nDROP TABLE extra;\n"
    )
    result = sqlforge("migrate", "up")
    assert_clean_failure(
        result,
        "error: migrations/0003_rebuild_authors.sql:4: applying this migration failed and was"
        " rolled back: no such table: nowhere",
        "hint: the database is at version 2; earlier migrations stay applied",
    )
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["OK", "OK", "FAIL"]
    debug = sqlforge("migrate", "up", "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_foreign_key_violations_are_listed(project: Path, sqlforge: RunCli) -> None:
    (project / "migrations" / "0003_rebuild_authors.sql").write_text(
        "-- +goose Up\nDELETE FROM authors WHERE id = 2;\n-- +goose Down\n"
    )
    assert_clean_failure(
        sqlforge("migrate", "up"),
        "left 1 foreign key violation(s); it was rolled back:",
        "books rowid 3 references a missing row of authors",
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["up-to", "three"], "VERSION must be a number, got 'three'"),
        (["up-to", "9"], "no migration has version 9"),
        (["down-to", "5"], "no migration has version 5"),
        (["up-to", "0"], "VERSION must be at least 1, got 0"),
        (["down-to", "-1"], "VERSION must be a number, got '-1'"),
    ],
)
def test_bad_versions(project: Path, sqlforge: RunCli, args: list[str], expected: str) -> None:
    assert_clean_failure(sqlforge("migrate", *args), expected, "hint: ")


def test_version_may_be_given_as_a_file_name(project: Path, sqlforge: RunCli) -> None:
    result = sqlforge("migrate", "up-to", "0002_create_books.sql")
    assert result.stdout.splitlines()[-1].startswith("migrated to version 2 ")


def test_bad_migration_files(project: Path, sqlforge: RunCli) -> None:
    folder = project / "migrations"
    (folder / "0002_duplicate.sql").write_text("-- +goose Up\nSELECT 1;\n")
    assert_clean_failure(
        sqlforge("migrate", "up"),
        "migrations/0002_duplicate.sql: duplicate migration version 2: also used by"
        " 0002_create_books.sql",
    )
    (folder / "0002_duplicate.sql").unlink()
    (folder / "add_things.sql").write_text("-- +goose Up\nSELECT 1;\n")
    assert_clean_failure(
        sqlforge("migrate", "status"), "migrations/add_things.sql: not a migration file name"
    )
    (folder / "add_things.sql").unlink()
    (folder / "0005_unparsable.sql").write_text("-- +goose Up\nSELECT 1;\n-- +goose Up\n")
    assert_clean_failure(sqlforge("migrate", "up"), "migrations/0005_unparsable.sql:3: ")
    assert not (project / "var").exists()


def test_bad_config_and_paths(project: Path, sqlforge: RunCli) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "lock_timeout = 'soon'\n")
    assert_clean_failure(sqlforge("migrate", "up"), "pyproject.toml:4: `lock_timeout` must be")
    pyproject.write_text('[tool.sqlforge]\ndatabase = "var/app.sqlite"\nmigrations = "nowhere"\n')
    assert_clean_failure(sqlforge("migrate", "up"), "migrations folder", "does not exist")
    notes = project / "notes.txt"
    notes.write_text("not a database\n" * 200)
    assert_clean_failure(
        sqlforge("migrate", "up", "--db", notes, "--dir", project / "migrations"),
        "notes.txt: not an SQLite database",
    )


def test_a_folder_or_a_broken_link_among_the_migrations(project: Path, sqlforge: RunCli) -> None:
    folder = project / "migrations"
    (folder / "0005_notes.sql").mkdir()
    for command in ("up", "validate", "status"):
        assert_clean_failure(
            sqlforge("migrate", command),
            "migrations/0005_notes.sql: a folder, not a migration file",
            "hint: ",
        )
    (folder / "0005_notes.sql").rmdir()
    (folder / "0005_loop.sql").symlink_to("0005_loop.sql")
    for command in ("up", "validate"):
        assert_clean_failure(
            sqlforge("migrate", command), "migrations/0005_loop.sql: cannot read this migration: "
        )
    assert not (project / "var").exists()


@pytest.mark.parametrize(
    "command", [["up"], ["up", "--dry-run"], ["down"], ["status"], ["version"], ["validate"]]
)
def test_a_database_path_that_is_a_folder(
    project: Path, sqlforge: RunCli, command: list[str]
) -> None:
    (project / "data.sqlite").mkdir()
    result = sqlforge("migrate", *command, "--db", "data.sqlite")
    assert_clean_failure(result, "error: data.sqlite: a folder, not a database file", "hint: ")
    assert list((project / "data.sqlite").iterdir()) == []


def test_a_migrations_folder_from_the_command_line_is_not_blamed_on_the_config(
    project: Path, sqlforge: RunCli
) -> None:
    missing = sqlforge("migrate", "up", "--dir", "nowhere")
    assert_clean_failure(missing, f"error: migrations folder {project / 'nowhere'} does not exist")
    not_a_folder = sqlforge("migrate", "status", "--dir", "pyproject.toml")
    assert_clean_failure(not_a_folder, "pyproject.toml is not a folder")
    assert "pyproject.toml:" not in missing.stderr + not_a_folder.stderr
    created = sqlforge("migrate", "create", "x", "--dir", "pyproject.toml/sub")
    assert_clean_failure(created, "pyproject.toml/sub: cannot create the migrations folder: ")


def test_file_permissions_are_clear_errors(
    project: Path, sqlforge: RunCli, unprivileged: list[str]
) -> None:
    sqlforge("migrate", "up-to", "2")
    database, folder = project / "var" / "app.sqlite", project / "migrations"
    before = database.read_bytes()
    database.chmod(0o444)
    assert_clean_failure(
        sqlforge("migrate", "up", prefix=unprivileged),
        "0003_rebuild_authors.sql:4: applying this migration failed and was rolled back: attempt"
        " to write a readonly database",
        "hint: the database is at version 2; check that sqlforge may write to the database file",
    )
    assert database.read_bytes() == before
    database.chmod(0o644)
    (folder / "0004_add_book_year.sql").chmod(0o000)
    assert_clean_failure(
        sqlforge("migrate", "up", prefix=unprivileged),
        "migrations/0004_add_book_year.sql: cannot read this migration: Permission denied",
    )
    (folder / "0004_add_book_year.sql").chmod(0o644)
    (folder / "20260101000000_stamped.sql").write_text("-- +goose Up\nSELECT 1;\n")
    folder.chmod(0o555)
    try:
        created = sqlforge("migrate", "create", "x", prefix=unprivileged)
        fixed = sqlforge("migrate", "fix", prefix=unprivileged)
        folder.chmod(0o000)
        listed = sqlforge("migrate", "status", prefix=unprivileged)
    finally:
        folder.chmod(0o755)
    assert_clean_failure(created, "cannot write the new migration: Permission denied")
    assert_clean_failure(
        fixed,
        "cannot rename 20260101000000_stamped.sql to 0005_stamped.sql: Permission denied",
        "0 file(s) were renamed before this one",
    )
    assert_clean_failure(listed, "migrations: cannot list the migrations folder: Permission denied")
    assert database.read_bytes() == before


def test_database_newer_than_the_files(project: Path, sqlforge: RunCli) -> None:
    sqlforge("migrate", "up")
    (project / "migrations" / "0004_add_book_year.sql").unlink()
    assert_clean_failure(
        sqlforge("migrate", "up"),
        "the database has version(s) 4 applied, but no migration file has that version",
    )
    status = sqlforge("migrate", "status")
    assert "applied, but no file has this version" in status.stdout


def test_missing_migrations_and_allow_missing(project: Path, sqlforge: RunCli) -> None:
    late = project / "migrations" / "0003_rebuild_authors.sql"
    parked = project / "parked.sql"
    late.rename(parked)
    sqlforge("migrate", "up")
    parked.rename(late)
    assert_clean_failure(
        sqlforge("migrate", "up"),
        "migrations/0003_rebuild_authors.sql: never applied, but older than the database's"
        " version 4",
        "found 1 missing (out-of-order) migration(s) below version 4",
    )
    assert "out of order" in sqlforge("migrate", "status").stdout
    result = sqlforge("migrate", "up", "--allow-missing")
    assert result.returncode == 0 and "0003_rebuild_authors.sql" in result.stdout


def test_edited_migration(project: Path, sqlforge: RunCli) -> None:
    sqlforge("migrate", "up-to", "3")
    edited = project / "migrations" / "0001_create_authors.sql"
    edited.write_text(edited.read_text().replace("'Grace'", "'Grace H.'"))
    assert "modified since applied" in sqlforge("migrate", "status").stdout
    assert_clean_failure(sqlforge("migrate", "validate"), "changed after it was applied")
    assert_clean_failure(
        sqlforge("migrate", "up"),
        "migrations/0001_create_authors.sql: this migration was changed after it was applied",
        "--allow-modified",
    )
    accepted = sqlforge("migrate", "up", "--allow-modified")
    assert accepted.returncode == 0
    assert "0001_create_authors.sql was edited after it was applied" in accepted.stderr


def test_validate_touches_nothing(project: Path, sqlforge: RunCli) -> None:
    result = sqlforge("migrate", "validate")
    assert result.stdout == "4 migrations valid (10 up and 8 down statements)\n"
    assert not (project / "var").exists()


def test_create_and_fix(project: Path, sqlforge: RunCli) -> None:
    folder = project / "migrations"
    created = sqlforge("migrate", "create", "Add", "reviews", "table!")
    assert created.stdout == "created migrations/0005_add_reviews_table.sql\n"
    assert (folder / "0005_add_reviews_table.sql").read_text() == (
        "-- +goose Up\nSELECT 'up SQL query';\n\n-- +goose Down\nSELECT 'down SQL query';\n"
    )
    stamped = sqlforge("migrate", "create", "--timestamp", "tag workers")
    name = stamped.stdout.split("/")[-1].strip()
    assert re.fullmatch(r"20\d{12}_tag_workers\.sql", name)
    fixed = sqlforge("migrate", "fix")
    assert fixed.stdout == f"renamed {name} -> 0006_tag_workers.sql\n"
    assert sorted(p.name for p in folder.iterdir())[-2:] == [
        "0005_add_reviews_table.sql",
        "0006_tag_workers.sql",
    ]
    assert sqlforge("migrate", "up").returncode == 0


def test_migrate_without_a_command_is_a_usage_error(project: Path, sqlforge: RunCli) -> None:
    result = sqlforge("migrate")
    assert result.returncode == 2 and "COMMAND" in result.stderr


def migrate_up_together(project: Path, runners: int = 6) -> list[str]:
    """`sqlforge migrate up` started `runners` times at once; the stdouts, all runs succeeded."""
    command = [sys.executable, "-m", "sqlforge", "migrate", "up"]
    processes = [
        subprocess.Popen(
            command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(runners)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0] * runners, outputs
    return [out for out, _ in outputs]


def test_concurrent_runners_apply_each_migration_once(project: Path) -> None:
    """Six `sqlforge migrate up` started together: each migration once, all succeed."""
    # A slow first migration keeps the lock long enough for everyone to queue up behind it.
    (project / "migrations" / "0001_create_authors.sql").write_text(
        "-- +goose Up\nCREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)\n"
        "INSERT INTO authors (id, name) SELECT i, 'author ' || i FROM n;\n"
        "-- +goose Down\nDROP TABLE authors;\n"
    )
    outputs = migrate_up_together(project)
    database = project / "var" / "app.sqlite"
    rows = sqlite3.connect(database).execute(
        "SELECT version_id, count(*) FROM goose_db_version GROUP BY version_id"
    )
    assert rows.fetchall() == [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]
    applied_lines = [line for out in outputs for line in out.splitlines() if line.startswith("OK")]
    assert len(applied_lines) == 4
    # One runner did the work; the others waited for it and found nothing to do.
    assert (
        sorted(out.splitlines()[-1] for out in outputs)[-5:]
        == ["no migrations to run, current version 4"] * 5
    )


def test_concurrent_runners_do_not_repeat_a_no_transaction_migration(project: Path) -> None:
    """The run lock also covers NO TRANSACTION migrations, whose statements commit one by one."""
    (project / "migrations" / "0005_backfill.sql").write_text(
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE IF NOT EXISTS log (step INTEGER);\n"
        "INSERT INTO log VALUES (1);\n"
        "CREATE TABLE IF NOT EXISTS numbers (i INTEGER);\n"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)\n"
        "INSERT INTO numbers SELECT i FROM n;\n"
        "INSERT INTO log VALUES (2);\n"
        "-- +goose Down\nDROP TABLE log;\nDROP TABLE numbers;\n"
    )
    migrate_up_together(project)
    connection = sqlite3.connect(project / "var" / "app.sqlite")
    assert connection.execute("SELECT step FROM log ORDER BY step").fetchall() == [(1,), (2,)]
    assert connection.execute("SELECT count(*) FROM numbers").fetchone() == (300000,)
    versions = connection.execute("SELECT version_id FROM goose_db_version ORDER BY id")
    assert versions.fetchall() == [(0,), (1,), (2,), (3,), (4,), (5,)]
