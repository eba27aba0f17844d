"""Schema export: a database's schema as `schema.sql`, in the format Go projects commit.

The rows of `SELECT * FROM sqlite_schema ORDER BY type DESC, name ASC`, in the order SQLite
gives them, leaving out SQLite's own objects (`sqlite_%`), the goose version table, sqlforge's
bookkeeping table (`sqlforge_migrations`) and everything on those tables, and rows without SQL (the
automatic indexes). Each statement's text is SQLite's stored text, verbatim, except that a
leading `CREATE TABLE "name"` (SQLite quotes the name after `ALTER TABLE ... RENAME TO`)
becomes `CREATE TABLE name`; each is followed by `;` and a newline. A comment header says the
file is generated, from what, and how to regenerate it.

By default the database is built fresh in memory from the migration files, so the file always
reflects the migrations and never a hand-altered database.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlforge.config import Config
from sqlforge.errors import SqlforgeError
from sqlforge.generated import header, relative_inputs
from sqlforge.migration_files import discover_migrations, parse_all
from sqlforge.version_table import RECORDS_TABLE

EXPORT_QUERY: Final = "SELECT * FROM sqlite_schema ORDER BY type DESC, name ASC"
SQLITE_HEADER: Final = b"SQLite format 3\x00"
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class SchemaRow:
    type: str
    name: str
    table_name: str
    sql: str | None


def schema_statements(connection: sqlite3.Connection, *, version_table: str) -> list[str]:
    """The exported statements of a database, in export order, without `;`."""
    cursor = connection.execute(EXPORT_QUERY)
    names = [description[0] for description in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]
    schema = [SchemaRow(row["type"], row["name"], row["tbl_name"], row["sql"]) for row in rows]
    return [_statement(row) for row in schema if _exported(row, version_table)]


def _exported(row: SchemaRow, version_table: str) -> bool:
    if row.sql is None:
        return False
    # Only sqlforge's own table: a user's table may well be called `sqlforge_something`.
    bookkeeping = {version_table.casefold(), RECORDS_TABLE.casefold()}
    skipped = (row.name.casefold(), row.table_name.casefold())
    return not any(name.startswith("sqlite_") or name in bookkeeping for name in skipped)


def _statement(row: SchemaRow) -> str:
    assert row.sql is not None
    quoted = '"' + row.name.replace('"', '""') + '"'
    prefix = f"CREATE TABLE {quoted}"
    if row.type == "table" and row.sql.startswith(prefix) and _unquoted_name_works(row.name):
        return f"CREATE TABLE {row.name}{row.sql[len(prefix) :]}"
    return row.sql


def _unquoted_name_works(name: str) -> bool:
    """Whether SQLite reads `name` without quotes as the same name (not a keyword)."""
    if _PLAIN_NAME.fullmatch(name) is None:
        return False
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(f"CREATE TABLE {name} (x)")
        created = scratch.execute("SELECT name FROM sqlite_schema").fetchone()
    except sqlite3.Error:
        return False
    finally:
        scratch.close()
    return created is not None and created[0] == name


def render_schema(statements: Sequence[str], *, sources: str, command: str) -> str:
    """The text of schema.sql: the header, then each statement followed by `;` and LF."""
    body = "".join(f"{statement};\n" for statement in statements)
    return header(sources, comment="--", command=command) + body.replace("\r\n", "\n")


# where the schema comes from


def fresh_database(config: Config) -> sqlite3.Connection:
    """An in-memory database with every migration's Up section applied (the caller closes
    it). A missing or empty migrations folder is an error."""
    from sqlforge.migrate import migrate_fresh  # noqa: PLC0415  (the runner is not light)

    folder = config.require_migrations_dir()
    migrations = discover_migrations(folder)
    if not migrations:
        raise SqlforgeError(
            "no migration files in the migrations folder",
            path=folder,
            hint="create one with `sqlforge migrate create NAME`, or point `migrations` (or"
            " --dir) at the folder that holds them",
        )
    parsed = parse_all(migrations)
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate_fresh(connection, parsed)
    except BaseException:
        connection.close()
        raise
    return connection


def schema_from_migrations(config: Config) -> str:
    """schema.sql as the migration files define it."""
    connection = fresh_database(config)
    try:
        statements = schema_statements(connection, version_table=config.version_table)
    finally:
        connection.close()
    sources = relative_inputs([config.migrations], config.root)
    return render_schema(statements, sources=sources, command="invoke db.generate")


def schema_from_database(path: Path, config: Config) -> str:
    """schema.sql as an existing database file holds it (opened read-only)."""
    connection = open_read_only(path)
    try:
        statements = schema_statements(connection, version_table=config.version_table)
    except sqlite3.DatabaseError as error:
        raise SqlforgeError(
            f"cannot read the schema: {error}",
            path=path,
            hint="is this an SQLite database file?",
        ) from None
    finally:
        connection.close()
    source = relative_inputs([path], config.root)
    return render_schema(
        statements, sources=source, command=f"sqlforge schema export --from-db {source}"
    )


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing SQLite file without any chance of creating or changing one."""
    _check_sqlite_file(path)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise SqlforgeError(f"cannot open the database: {error}", path=path) from None


def _check_sqlite_file(path: Path) -> None:
    if not path.exists():
        raise SqlforgeError(
            "database file does not exist",
            path=path,
            hint="check the path; `schema export` without --from-db builds the schema from"
            " the migrations",
        )
    try:
        with path.open("rb") as stream:
            start = stream.read(len(SQLITE_HEADER))
    except OSError as error:
        raise SqlforgeError(f"cannot read the database file: {error.strerror}", path=path) from None
    if start != SQLITE_HEADER:
        problem = "is empty" if not start else "is not an SQLite database"
        raise SqlforgeError(
            f"database file {problem}",
            path=path,
            hint="give the path of an SQLite database file",
        )
