"""`migrate_fresh`: every Up section applied to a connection, as the schema export needs it."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from sqlforge.errors import SqlforgeError
from sqlforge.migrate import load_migrations, migrate_fresh

if TYPE_CHECKING:
    from conftest import MigrationFolder


def tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for (name,) in rows]


def test_applies_every_up_section_in_order_without_bookkeeping(
    migration_folder: MigrationFolder,
) -> None:
    migration_folder.copy("library")
    connection = sqlite3.connect(":memory:")
    migrate_fresh(connection, load_migrations(migration_folder.path))
    assert tables(connection) == ["authors", "books"]
    columns = [row[1] for row in connection.execute("PRAGMA table_info(books)")]
    assert columns == ["id", "author_id", "title", "year"]
    # The parent rebuild in 0003 ran with foreign keys off: no book was cascaded away.
    assert connection.execute("SELECT count(*) FROM books").fetchone() == (3,)


def test_restores_the_connection_settings(migration_folder: MigrationFolder) -> None:
    migration_folder.copy("library")
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    migrate_fresh(connection, load_migrations(migration_folder.path))
    assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert connection.isolation_level == ""
    assert not connection.in_transaction


def test_failure_names_file_line_and_sqlite_message(migration_folder: MigrationFolder) -> None:
    migration_folder.write("0001_ok.sql", "CREATE TABLE a (x INTEGER);")
    bad = migration_folder.write(
        "0002_bad.sql", "CREATE TABLE b (x INTEGER);\n\nINSERT INTO missing VALUES (1);"
    )
    connection = sqlite3.connect(":memory:")
    with pytest.raises(SqlforgeError) as caught:
        migrate_fresh(connection, load_migrations(migration_folder.path))
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.path == bad
    assert diagnostic.line == 4
    assert "no such table: missing" in diagnostic.message
    # The failing migration rolled back as a whole; the one before it stayed.
    assert tables(connection) == ["a"]


def test_multi_statement_block_runs_every_statement(migration_folder: MigrationFolder) -> None:
    migration_folder.write(
        "0001_block.sql",
        "-- +goose StatementBegin\nCREATE TABLE a (x TEXT);\nINSERT INTO a VALUES ('1;');\n"
        "INSERT INTO a VALUES ('2');\n-- +goose StatementEnd",
    )
    connection = sqlite3.connect(":memory:")
    migrate_fresh(connection, load_migrations(migration_folder.path))
    assert connection.execute("SELECT x FROM a ORDER BY x").fetchall() == [("1;",), ("2",)]
