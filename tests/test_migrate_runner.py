"""The migration engine's Python API on real SQLite files: commands, order, safety, goose tables."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sqlforge import migrate
from sqlforge.errors import SqlforgeError
from sqlforge.sqlparser import Direction
from sqlforge.version_table import goose_create_statement

if TYPE_CHECKING:
    from conftest import MigrationFolder

GOOSE_DDL = (
    "CREATE TABLE goose_db_version (\n"
    "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "\t\tversion_id INTEGER NOT NULL,\n"
    "\t\tis_applied INTEGER NOT NULL,\n"
    "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n"
    "\t)"
)


def query(database: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def dump(database: Path) -> list[str]:
    connection = sqlite3.connect(database)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def goose_rows(database: Path) -> list[tuple[object, ...]]:
    return query(database, "SELECT version_id, is_applied FROM goose_db_version ORDER BY id")


def user_schema(database: Path) -> list[tuple[object, ...]]:
    return query(
        database,
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        " AND name NOT IN ('goose_db_version', 'sqlforge_migrations') ORDER BY name",
    )


@pytest.fixture
def library(migration_folder: MigrationFolder) -> Path:
    return migration_folder.copy("library").path


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "var" / "app.sqlite"


# Applying and the goose table ----------------------------------------------------------------


def test_up_creates_gooses_table_and_one_row_per_migration(library: Path, database: Path) -> None:
    result = migrate.up(database, library)
    assert result.ok
    assert (result.version_before, result.version_after) == (0, 4)
    assert [a.version for a in result.applied] == [1, 2, 3, 4]
    assert all(a.direction is Direction.UP and a.duration > 0 for a in result.applied)
    assert result.created_version_table
    [(ddl,)] = query(database, "SELECT sql FROM sqlite_master WHERE name = 'goose_db_version'")
    assert ddl == GOOSE_DDL == goose_create_statement("goose_db_version")
    assert goose_rows(database) == [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]
    stamps = query(database, "SELECT tstamp FROM goose_db_version")
    assert all(isinstance(stamp, str) and len(stamp) == 19 for (stamp,) in stamps)


def test_checksums_are_recorded_in_a_table_of_their_own(library: Path, database: Path) -> None:
    migrate.up(database, library)
    rows = query(
        database,
        "SELECT version_table, version_id, file_name, checksum, adopted FROM sqlforge_migrations"
        " ORDER BY version_id",
    )
    expected = [
        ("goose_db_version", int(path.name[:4]), path.name, path.read_bytes(), 0)
        for path in sorted(library.glob("*.sql"))
    ]
    assert [(t, v, n, c, a) for t, v, n, c, a in rows] == [
        (t, v, n, hashlib.sha256(content).hexdigest(), a) for t, v, n, content, a in expected
    ]


def test_nothing_to_do_the_second_time(library: Path, database: Path) -> None:
    migrate.up(database, library)
    before = dump(database)
    result = migrate.up(database, library)
    assert result.ok and result.applied == () and result.version_after == 4
    assert dump(database) == before


def test_round_trip_up_down_to_zero_up(library: Path, database: Path) -> None:
    migrate.up(database, library)
    schema, data = user_schema(database), query(database, "SELECT * FROM books ORDER BY id")
    result = migrate.down_to(database, library, 0)
    assert [a.version for a in result.applied] == [4, 3, 2, 1]
    assert all(a.direction is Direction.DOWN for a in result.applied)
    assert user_schema(database) == []
    assert goose_rows(database) == [(0, 1)]
    assert query(database, "SELECT count(*) FROM sqlforge_migrations") == [(0,)]
    migrate.up(database, library)
    assert user_schema(database) == schema
    assert query(database, "SELECT * FROM books ORDER BY id") == data


def test_up_to_and_up_by_one(library: Path, database: Path) -> None:
    assert [a.version for a in migrate.up(database, library, target=2).applied] == [1, 2]
    assert [a.version for a in migrate.up(database, library, by_one=True).applied] == [3]
    assert migrate.current_version(database) == 3


def test_down_and_redo_work_on_the_current_version(library: Path, database: Path) -> None:
    migrate.up(database, library)
    result = migrate.down(database, library)
    assert [(a.version, a.direction) for a in result.applied] == [(4, Direction.DOWN)]
    assert result.version_after == 3
    result = migrate.redo(database, library)
    assert [(a.version, a.direction) for a in result.applied] == [
        (3, Direction.DOWN),
        (3, Direction.UP),
    ]
    assert goose_rows(database) == [(0, 1), (1, 1), (2, 1), (3, 1)]


def test_down_on_a_missing_database_creates_nothing(library: Path, database: Path) -> None:
    for run in (migrate.down, migrate.redo, migrate.reset):
        result = run(database, library)
        assert result.ok and result.applied == () and result.version_after == 0
    assert not database.parent.exists()


def test_unknown_target_versions(library: Path, database: Path) -> None:
    with pytest.raises(SqlforgeError, match="no migration has version 7"):
        migrate.up(database, library, target=7)
    with pytest.raises(SqlforgeError, match="no migration has version 9"):
        migrate.down_to(database, library, 9)
    assert not database.exists()


# goose's rules for order -------------------------------------------------------------------


def out_of_order_history(folder: MigrationFolder, database: Path) -> None:
    """Versions 1, 2, 4 applied, then 3 applied late with allow_missing."""
    for version in (1, 2, 4):
        folder.write(
            f"{version:04d}_t{version}.sql",
            f"CREATE TABLE t{version} (x);",
            f"DROP TABLE t{version};",
        )
    migrate.up(database, folder.path)
    folder.write("0003_t3.sql", "CREATE TABLE t3 (x);", "DROP TABLE t3;")


def test_missing_migrations_are_an_error_listing_them(
    migration_folder: MigrationFolder, database: Path
) -> None:
    out_of_order_history(migration_folder, database)
    with pytest.raises(SqlforgeError) as caught:
        migrate.up(database, migration_folder.path)
    first, last = caught.value.diagnostics
    assert first.path == migration_folder.path / "0003_t3.sql"
    assert "older than the database's version 4" in first.message
    assert "1 missing (out-of-order)" in last.message
    assert last.hint is not None and "--allow-missing" in last.hint
    assert migrate.current_version(database) == 4


def test_allow_missing_applies_them_and_down_follows_application_order(
    migration_folder: MigrationFolder, database: Path
) -> None:
    out_of_order_history(migration_folder, database)
    result = migrate.up(database, migration_folder.path, allow_missing=True)
    assert [a.version for a in result.applied] == [3]
    # goose's CLI: the current version is the most recently applied one, not the highest.
    assert migrate.current_version(database) == 3
    assert [
        a.version for a in migrate.down_to(database, migration_folder.path, 1, dry_run=True).planned
    ] == [3, 4, 2]


def test_reset_goes_by_version_not_by_application(
    migration_folder: MigrationFolder, database: Path
) -> None:
    out_of_order_history(migration_folder, database)
    migrate.up(database, migration_folder.path, allow_missing=True)
    result = migrate.reset(database, migration_folder.path)
    assert [a.version for a in result.applied] == [4, 3, 2, 1]
    assert goose_rows(database) == [(0, 1)]


def test_database_version_without_a_file_is_an_error(library: Path, database: Path) -> None:
    migrate.up(database, library)
    (library / "0004_add_book_year.sql").unlink()
    with pytest.raises(SqlforgeError, match=r"version\(s\) 4 applied, but no migration file"):
        migrate.up(database, library)
    with pytest.raises(SqlforgeError, match=r"version\(s\) 4 applied"):
        migrate.down(database, library)
    statuses = migrate.status(database, library)
    assert (statuses[-1].version, statuses[-1].state, statuses[-1].name) == (
        4,
        "file-missing",
        "0004_add_book_year.sql",
    )


# Compatibility with databases goose wrote ---------------------------------------------------


def goose_database(database: Path, rows: list[tuple[int, int]]) -> None:
    """A database as goose leaves it, written with goose's own SQL statements."""
    database.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute(GOOSE_DDL)
    for version, applied in rows:
        connection.execute(
            "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)",
            (version, applied),
        )
    connection.close()


def test_reads_a_goose_database_including_old_is_applied_rows(
    library: Path, database: Path
) -> None:
    # Old goose versions wrote is_applied=0 rows on rollback: the latest row per version decides.
    goose_database(database, [(0, 1), (1, 1), (2, 1), (3, 1), (3, 0)])
    connection = sqlite3.connect(database)
    connection.executescript(
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
        "CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER, title TEXT);"
    )
    connection.close()
    assert migrate.current_version(database) == 2
    states = [(s.version, s.state, s.checksum) for s in migrate.status(database, library)]
    assert states == [
        (1, "applied", "unrecorded"),
        (2, "applied", "unrecorded"),
        (3, "pending", None),
        (4, "pending", None),
    ]
    result = migrate.up(database, library)
    assert [a.version for a in result.applied] == [3, 4]
    assert [p.name for p in result.adopted] == ["0001_create_authors.sql", "0002_create_books.sql"]
    assert {s.checksum for s in migrate.status(database, library)} == {"ok"}


def test_goose_reads_what_sqlforge_wrote(library: Path, database: Path) -> None:
    migrate.up(database, library, target=3)
    migrate.down(database, library)
    # goose's own queries (sqlite3 dialect): the list it derives its versions from, the latest.
    listed = query(database, "SELECT version_id, is_applied from goose_db_version ORDER BY id DESC")
    assert listed == [(2, 1), (1, 1), (0, 1)]
    assert query(database, "SELECT MAX(version_id) FROM goose_db_version") == [(2,)]
    got = query(
        database,
        "SELECT tstamp, is_applied FROM goose_db_version WHERE version_id=2"
        " ORDER BY tstamp DESC LIMIT 1",
    )
    assert got[0][1] == 1


def test_a_checksum_from_an_earlier_application_does_not_count(
    library: Path, database: Path
) -> None:
    migrate.up(database, library)
    (library / "0004_add_book_year.sql").write_text(
        "-- +goose Up\nALTER TABLE books ADD COLUMN year INTEGER NOT NULL DEFAULT 0;\n"
        "-- +goose Down\nALTER TABLE books DROP COLUMN year;\n"
    )
    # goose rolls back and re-applies 4 with the edited file: sqlforge's record is now stale.
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("DELETE FROM goose_db_version WHERE version_id=?", (4,))
    connection.execute(
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", (4, 1)
    )
    connection.close()
    assert migrate.status(database, library)[-1].checksum == "unrecorded"
    assert migrate.up(database, library).ok


def test_custom_version_table(library: Path, database: Path) -> None:
    migrate.up(database, library, table="schema_versions", target=2)
    assert query(database, "SELECT version_id FROM schema_versions ORDER BY id") == [
        (0,),
        (1,),
        (2,),
    ]
    assert query(database, "SELECT name FROM sqlite_master WHERE name = 'goose_db_version'") == []
    assert migrate.current_version(database, table="schema_versions") == 2
    assert migrate.current_version(database) == 0
    with pytest.raises(SqlforgeError, match="not a plain SQL identifier"):
        migrate.up(database, library, table="x; DROP TABLE books")


def test_a_table_that_is_not_gooses_is_an_error(library: Path, database: Path) -> None:
    database.parent.mkdir()
    sqlite3.connect(database).execute(
        "CREATE TABLE goose_db_version (v INTEGER)"
    ).connection.close()
    with pytest.raises(SqlforgeError, match="is not a goose version table"):
        migrate.up(database, library)


# Failures -----------------------------------------------------------------------------------


def test_failure_mid_migration_leaves_the_database_as_it_was(library: Path, database: Path) -> None:
    migrate.up(database, library, target=2)
    before = dump(database)
    bad = library / "0003_rebuild_authors.sql"
    bad.write_text(
        "-- +goose Up\nCREATE TABLE extra (x);\nINSERT INTO extra VALUES (1);\n"
        "UPDATE authors SET nope = 1;\n-- +goose Down\nDROP TABLE extra;\n"
    )
    applied: list[int] = []
    result = migrate.up(database, library, on_applied=lambda a: applied.append(a.version))
    failure = result.failure
    assert failure is not None and applied == []
    assert (failure.version, failure.path, failure.line, failure.statement_number) == (3, bad, 4, 3)
    assert failure.message == "no such column: nope"
    assert failure.statement == "UPDATE authors SET nope = 1;"
    assert result.version_after == 2
    assert dump(database) == before
    error = failure.to_error(result.version_after)
    assert error.diagnostics[0].line == 4 and "no such column: nope" in error.render()


def test_earlier_migrations_of_the_run_stay_applied(
    migration_folder: MigrationFolder, database: Path
) -> None:
    migration_folder.write("0001_a.sql", "CREATE TABLE a (x);")
    migration_folder.write("0002_b.sql", "CREATE TABLE b (x);")
    migration_folder.write("0003_c.sql", "CREATE TABLE c (x);\nCREATE TABLE a (x);")
    migration_folder.write("0004_d.sql", "CREATE TABLE d (x);")
    result = migrate.up(database, migration_folder.path)
    assert [a.version for a in result.applied] == [1, 2]
    assert result.failure is not None and result.failure.message == "table a already exists"
    assert goose_rows(database) == [(0, 1), (1, 1), (2, 1)]
    assert [
        name for (name,) in query(database, "SELECT name FROM sqlite_master WHERE name < 'e'")
    ] == ["a", "b"]


def test_a_failing_first_migration_leaves_no_file_behind(
    migration_folder: MigrationFolder, database: Path
) -> None:
    migration_folder.write("0001_bad.sql", "CREATE TABLE a (x);\nSELECT * FROM nowhere;")
    result = migrate.up(database, migration_folder.path)
    assert result.failure is not None and result.failure.line == 3
    assert not database.exists()
    assert not database.parent.exists()  # the folder it created for the file is gone too


def test_a_failing_first_migration_keeps_an_existing_empty_file(
    migration_folder: MigrationFolder, tmp_path: Path
) -> None:
    database = tmp_path / "empty.sqlite"
    database.touch()
    migration_folder.write("0001_bad.sql", "SELECT * FROM nowhere;")
    assert migrate.up(database, migration_folder.path).failure is not None
    assert database.exists() and database.read_bytes() == b""


def test_statements_ending_the_transaction_are_refused_before_running(
    migration_folder: MigrationFolder, database: Path
) -> None:
    bad = migration_folder.write("0001_commit.sql", "CREATE TABLE a (x);\n\nCOMMIT;")
    with pytest.raises(SqlforgeError) as caught:
        migrate.up(database, migration_folder.path)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.path, diagnostic.line) == (bad, 4)
    assert diagnostic.hint is not None and "NO TRANSACTION" in diagnostic.hint
    assert not database.exists()


def test_not_a_database(library: Path, tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("these are not the pages you are looking for\n" * 100)
    for run in (migrate.up, migrate.down):
        with pytest.raises(SqlforgeError, match="not an SQLite database") as caught:
            run(text_file, library)
        assert caught.value.diagnostics[0].path == text_file
    with pytest.raises(SqlforgeError, match="not an SQLite database"):
        migrate.status(text_file, library)


# Foreign keys -------------------------------------------------------------------------------


def test_rebuilding_a_parent_table_keeps_every_child_row(library: Path, database: Path) -> None:
    migrate.up(database, library, target=2)
    children = query(database, "SELECT * FROM books ORDER BY id")
    assert len(children) == 3
    assert migrate.up(database, library, target=3).ok
    assert query(database, "SELECT * FROM books ORDER BY id") == children
    assert migrate.down(database, library).ok  # the Down section rebuilds it once more
    assert query(database, "SELECT * FROM books ORDER BY id") == children


def test_foreign_key_violations_roll_back_and_are_listed(library: Path, database: Path) -> None:
    migrate.up(database, library, target=2)
    before = dump(database)
    bad = library / "0003_rebuild_authors.sql"
    bad.write_text("-- +goose Up\nDELETE FROM authors WHERE id = 1;\n-- +goose Down\n")
    result = migrate.up(database, library)
    failure = result.failure
    assert failure is not None and failure.path == bad
    assert [(v.table, v.rowid, v.parent) for v in failure.violations] == [
        ("books", 1, "authors"),
        ("books", 2, "authors"),
    ]
    assert "2 foreign key violation(s)" in failure.to_error().render()
    assert "books rowid 1 references a missing row of authors" in failure.to_error().render()
    assert dump(database) == before


def test_violations_that_were_there_before_are_not_blamed(library: Path, database: Path) -> None:
    migrate.up(database, library, target=2)
    connection = sqlite3.connect(database)
    connection.execute("INSERT INTO books (author_id, title) VALUES (99, 'Orphan')")
    connection.commit()
    connection.close()
    assert migrate.up(database, library).ok


def test_a_broken_foreign_key_definition_fails_the_migration_that_adds_it(
    migration_folder: MigrationFolder, database: Path
) -> None:
    migration_folder.write("0001_parent.sql", "CREATE TABLE p (id INTEGER, name TEXT);")
    bad = migration_folder.write(
        "0002_child.sql",
        "CREATE TABLE c (p_id INTEGER REFERENCES p (name));\nINSERT INTO c VALUES (1);",
    )
    result = migrate.up(database, migration_folder.path)
    assert result.failure is not None and result.failure.path == bad
    assert result.failure.message == 'foreign key mismatch - "c" referencing "p"'
    assert "PRIMARY KEY or UNIQUE" in (result.failure.to_error().diagnostics[0].hint or "")
    assert result.version_after == 1


def test_a_schema_broken_before_does_not_block_later_migrations(
    migration_folder: MigrationFolder, database: Path
) -> None:
    database.parent.mkdir()
    connection = sqlite3.connect(database)
    connection.executescript(
        "CREATE TABLE p (id INTEGER, name TEXT); CREATE TABLE c (p_id REFERENCES p (name));"
    )
    connection.close()
    migration_folder.write("0001_other.sql", "CREATE TABLE other (x);")
    assert migrate.up(database, migration_folder.path).ok


# NO TRANSACTION -----------------------------------------------------------------------------


def test_no_transaction_migration_runs_in_autocommit(
    migration_folder: MigrationFolder, database: Path
) -> None:
    migration_folder.write("0001_a.sql", "CREATE TABLE a (x);")
    migration_folder.write(
        "0002_vacuum.sql", "VACUUM;\nPRAGMA user_version = 7;", header="-- +goose NO TRANSACTION\n"
    )
    result = migrate.up(database, migration_folder.path)
    assert result.ok and [a.use_transaction for a in result.applied] == [True, False]
    assert query(database, "PRAGMA user_version") == [(7,)]
    assert goose_rows(database) == [(0, 1), (1, 1), (2, 1)]


def test_no_transaction_failure_keeps_the_statements_before_it(
    migration_folder: MigrationFolder, database: Path
) -> None:
    migration_folder.write("0001_a.sql", "CREATE TABLE a (x);")
    migration_folder.write(
        "0002_partial.sql",
        "INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\nINSERT INTO nope VALUES (3);",
        header="-- +goose NO TRANSACTION\n",
    )
    result = migrate.up(database, migration_folder.path)
    failure = result.failure
    assert failure is not None and not failure.use_transaction
    assert (failure.line, failure.statements_kept) == (5, 2)
    assert query(database, "SELECT x FROM a") == [(1,), (2,)]
    assert goose_rows(database) == [(0, 1), (1, 1)]
    hint = failure.to_error(result.version_after).diagnostics[0].hint
    assert hint is not None and "statements 1-2 of this section stayed applied" in hint


def test_no_transaction_first_migration_failing_at_once_leaves_no_file(
    migration_folder: MigrationFolder, database: Path
) -> None:
    migration_folder.write(
        "0001_bad.sql", "INSERT INTO nope VALUES (1);", header="-- +goose NO TRANSACTION\n"
    )
    assert migrate.up(database, migration_folder.path).failure is not None
    assert not database.exists()


# Edited migrations --------------------------------------------------------------------------


def test_edited_migrations_are_flagged_and_block_up(library: Path, database: Path) -> None:
    migrate.up(database, library, target=3)
    edited = library / "0002_create_books.sql"
    edited.write_text(edited.read_text().replace("'Manuals'", "'Manuals, 2nd ed.'"))
    assert [s.checksum for s in migrate.status(database, library)] == ["ok", "modified", "ok", None]
    with pytest.raises(SqlforgeError) as caught:
        migrate.up(database, library)
    assert caught.value.diagnostics[0].path == edited
    assert "--allow-modified" in (caught.value.diagnostics[-1].hint or "")
    with pytest.raises(SqlforgeError, match="changed after it was applied"):
        migrate.validate(library, database)
    assert migrate.current_version(database) == 3
    result = migrate.up(database, library, allow_modified=True)
    assert result.ok and result.accepted_edits == (edited,)
    assert [s.checksum for s in migrate.status(database, library)] == ["ok"] * 4
    assert migrate.up(database, library).ok  # accepted once, not asked again


# Dry runs and read-only commands ------------------------------------------------------------


def test_dry_run_creates_no_file(library: Path, database: Path) -> None:
    result = migrate.up(database, library, dry_run=True)
    assert result.dry_run and result.created_version_table
    assert [p.version for p in result.planned] == [1, 2, 3, 4]
    assert result.planned[0].statements[0].text.startswith("CREATE TABLE authors")
    assert result.version_after == 4
    assert not database.exists() and not database.parent.exists()


def test_dry_runs_change_no_byte(library: Path, database: Path) -> None:
    migrate.up(database, library, target=2)
    before = database.read_bytes()
    assert [p.version for p in migrate.up(database, library, dry_run=True).planned] == [3, 4]
    assert [p.version for p in migrate.reset(database, library, dry_run=True).planned] == [2, 1]
    assert len(migrate.redo(database, library, dry_run=True).planned) == 2
    assert migrate.down(database, library, dry_run=True).version_after == 1
    assert database.read_bytes() == before


def test_read_only_commands_create_nothing(library: Path, tmp_path: Path) -> None:
    missing = tmp_path / "var" / "none.sqlite"
    assert migrate.current_version(missing) == 0
    assert {s.state for s in migrate.status(missing, library)} == {"pending"}
    assert migrate.validate(library, missing)
    assert not missing.parent.exists()
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    before = plain.read_bytes()
    assert migrate.current_version(plain) == 0
    assert len(migrate.status(plain, library)) == 4
    assert plain.read_bytes() == before


def test_wal_databases_work(library: Path, tmp_path: Path) -> None:
    database = tmp_path / "wal.sqlite"
    sqlite3.connect(database).execute("PRAGMA journal_mode = WAL").connection.close()
    assert migrate.up(database, library).ok
    assert query(database, "PRAGMA journal_mode") == [("wal",)]
    assert migrate.current_version(database) == 4


# Validation ---------------------------------------------------------------------------------


def test_validate_reports_every_problem_at_once(migration_folder: MigrationFolder) -> None:
    migration_folder.write("0001_a.sql", "CREATE TABLE a (x);")
    migration_folder.write("0001_b.sql", "CREATE TABLE b (x);")
    (migration_folder.path / "notes.sql").write_text("-- just notes\n")
    (migration_folder.path / "0002_broken.sql").write_text("CREATE TABLE c (x);\n")
    with pytest.raises(SqlforgeError) as caught:
        migrate.validate(migration_folder.path)
    rendered = caught.value.render()
    assert "duplicate migration version 1: also used by 0001_a.sql" in rendered
    assert "notes.sql: not a migration file name" in rendered
    assert "0002_broken.sql:1:" in rendered


# The run lock -------------------------------------------------------------------------------


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_the_write_lock_is_held_from_the_first_to_the_last_migration(
    library: Path, database: Path, journal_mode: str
) -> None:
    database.parent.mkdir()
    sqlite3.connect(database).execute(f"PRAGMA journal_mode = {journal_mode}").connection.close()
    outcomes: list[str] = []

    def try_to_write(applied: migrate.AppliedMigration) -> None:
        other = sqlite3.connect(database, timeout=0.05, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            outcomes.append("got the lock")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            outcomes.append(str(error))
        finally:
            other.close()

    assert migrate.up(database, library, on_applied=try_to_write).ok
    assert outcomes == ["database is locked"] * 4
    other = sqlite3.connect(database, timeout=0.05, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # released at the end of the run
    other.close()


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_readers_wait_for_the_run_too(library: Path, database: Path, journal_mode: str) -> None:
    """As the README says: exclusive locking mode keeps readers out, in WAL mode as well."""
    database.parent.mkdir()
    sqlite3.connect(database).execute(f"PRAGMA journal_mode = {journal_mode}").connection.close()
    outcomes: list[object] = []

    def try_to_read(applied: migrate.AppliedMigration) -> None:
        other = sqlite3.connect(database, timeout=0.05)
        try:
            outcomes.append(other.execute("SELECT count(*) FROM sqlite_master").fetchone())
        except sqlite3.OperationalError as error:
            outcomes.append(str(error))
        finally:
            other.close()

    assert migrate.up(database, library, on_applied=try_to_read).ok
    assert outcomes == ["database is locked"] * 4
    assert query(database, "SELECT count(*) FROM books") == [(3,)]  # readable again afterwards


def test_waiting_longer_than_lock_timeout_is_a_clear_error(library: Path, database: Path) -> None:
    migrate.up(database, library, target=1)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(SqlforgeError, match="the database is locked") as caught:
            migrate.up(database, library, lock_timeout=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "lock_timeout = 0.1 s" in (caught.value.diagnostics[0].hint or "")
    assert database.exists() and migrate.current_version(database) == 1
