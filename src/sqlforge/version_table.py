"""The two bookkeeping tables: goose's version table and sqlforge's record of applied files.

This is the only module that knows their SQL. goose's table is created, read and written the
way goose v3 does it for SQLite, so goose and sqlforge can take turns on one database file.
What sqlforge knows beyond goose (each applied file's name and SHA-256) lives in a table of its
own, `sqlforge_migrations`, which goose never reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlforge.config import PLAIN_IDENTIFIER
from sqlforge.errors import SqlforgeError

RECORDS_TABLE = "sqlforge_migrations"

# goose's SQLite dialect, byte for byte (whitespace included): goose compares nothing, but a
# schema dump of a database migrated by either tool should read the same.
_GOOSE_CREATE = (
    "CREATE TABLE {table} (\n"
    "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "\t\tversion_id INTEGER NOT NULL,\n"
    "\t\tis_applied INTEGER NOT NULL,\n"
    "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n"
    "\t)"
)
_GOOSE_INSERT = "INSERT INTO {table} (version_id, is_applied) VALUES (?, ?)"
_GOOSE_DELETE = "DELETE FROM {table} WHERE version_id=?"
_GOOSE_ROWS = "SELECT id, version_id, is_applied, tstamp FROM {table} ORDER BY id"
_GOOSE_COLUMNS = frozenset({"id", "version_id", "is_applied", "tstamp"})

_RECORDS_CREATE = f"""CREATE TABLE IF NOT EXISTS {RECORDS_TABLE} (
    version_table TEXT NOT NULL,
    version_id INTEGER NOT NULL,
    goose_row_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    adopted INTEGER NOT NULL,
    PRIMARY KEY (version_table, version_id)
)"""
_RECORDS_UPSERT = f"""INSERT OR REPLACE INTO {RECORDS_TABLE}
    (version_table, version_id, goose_row_id, file_name, checksum, recorded_at, adopted)
    VALUES (?, ?, ?, ?, ?, ?, ?)"""
_RECORDS_DELETE = f"DELETE FROM {RECORDS_TABLE} WHERE version_table = ? AND version_id = ?"
_RECORDS_ROWS = f"""SELECT version_id, goose_row_id, file_name, checksum, recorded_at, adopted
    FROM {RECORDS_TABLE} WHERE version_table = ?"""


@dataclass(frozen=True)
class AppliedVersion:
    """A version whose latest row in goose's table says it is applied."""

    version: int
    row_id: int
    """The id of that latest row: it orders versions by when they were applied."""
    applied_at: datetime | None


@dataclass(frozen=True)
class FileRecord:
    """What sqlforge wrote down about the file it applied (or adopted) for a version."""

    version: int
    goose_row_id: int
    file_name: str
    checksum: str
    recorded_at: str
    adopted: bool
    """Recorded after the fact (applied by goose, or an edit accepted), not when applied."""


@dataclass(frozen=True)
class DatabaseState:
    """Everything the version tables say, read in one go."""

    table_exists: bool = False
    applied: Mapping[int, AppliedVersion] = field(default_factory=dict)
    records: Mapping[int, FileRecord] = field(default_factory=dict)

    @property
    def current_version(self) -> int:
        """goose's CLI rule: the most recently applied version still applied (0 if none)."""
        latest = max(self.applied.values(), key=lambda a: a.row_id, default=None)
        return 0 if latest is None else latest.version

    @property
    def max_version(self) -> int:
        return max(self.applied, default=0)

    def in_application_order(self) -> list[AppliedVersion]:
        return sorted(self.applied.values(), key=lambda a: a.row_id)

    def recorded_checksum(self, version: int) -> str | None:
        """The checksum sqlforge recorded for the current application of `version`, if any.

        A record written for an earlier application (goose rolled the version back and applied
        it again since) describes another file content, so it does not count.
        """
        applied = self.applied.get(version)
        record = self.records.get(version)
        if applied is None or record is None or record.goose_row_id != applied.row_id:
            return None
        return record.checksum


def check_table_name(table: str) -> str:
    if not PLAIN_IDENTIFIER.fullmatch(table):
        raise SqlforgeError(
            f"version table name {table!r} is not a plain SQL identifier",
            hint="use letters, digits and underscores, e.g. goose_db_version",
        )
    return table


def goose_create_statement(table: str) -> str:
    return _GOOSE_CREATE.format(table=check_table_name(table))


def table_exists(connection: sqlite3.Connection, table: str) -> bool:
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def read_state(connection: sqlite3.Connection, table: str) -> DatabaseState:
    if not table_exists(connection, table):
        return DatabaseState()
    _check_goose_columns(connection, table)
    rows = connection.execute(_GOOSE_ROWS.format(table=table)).fetchall()
    records = _read_records(connection, table) if table_exists(connection, RECORDS_TABLE) else {}
    return DatabaseState(table_exists=True, applied=_applied_versions(rows), records=records)


def create_version_table(connection: sqlite3.Connection, table: str) -> None:
    """goose's table and its version-0 row (goose creates both in one transaction)."""
    connection.execute(goose_create_statement(table))
    connection.execute(_GOOSE_INSERT.format(table=table), (0, True))


def insert_version(connection: sqlite3.Connection, table: str, version: int) -> int:
    cursor = connection.execute(_GOOSE_INSERT.format(table=table), (version, True))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def delete_version(connection: sqlite3.Connection, table: str, version: int) -> None:
    connection.execute(_GOOSE_DELETE.format(table=table), (version,))
    if table_exists(connection, RECORDS_TABLE):
        connection.execute(_RECORDS_DELETE, (table, version))


def record_file(
    connection: sqlite3.Connection,
    table: str,
    *,
    version: int,
    goose_row_id: int,
    file_name: str,
    checksum: str,
    adopted: bool,
) -> None:
    connection.execute(_RECORDS_CREATE)
    recorded_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    values = (table, version, goose_row_id, file_name, checksum, recorded_at, int(adopted))
    connection.execute(_RECORDS_UPSERT, values)


def _check_goose_columns(connection: sqlite3.Connection, table: str) -> None:
    columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
    missing = _GOOSE_COLUMNS - columns
    if missing:
        raise SqlforgeError(
            f"table {table} is not a goose version table (no column {', '.join(sorted(missing))})",
            hint="point `table` in [tool.sqlforge] at goose's version table, or rename this one",
        )


def _applied_versions(rows: Iterable[tuple[int, int, int, object]]) -> dict[int, AppliedVersion]:
    """The latest row of each version decides whether it is applied (goose's legacy rule)."""
    latest: dict[int, tuple[int, int, object]] = {}
    for row_id, version, is_applied, tstamp in rows:
        latest[version] = (row_id, is_applied, tstamp)
    return {
        version: AppliedVersion(version, row_id, parse_timestamp(tstamp))
        for version, (row_id, is_applied, tstamp) in latest.items()
        if is_applied and version != 0
    }


def _read_records(connection: sqlite3.Connection, table: str) -> dict[int, FileRecord]:
    rows = connection.execute(_RECORDS_ROWS, (table,)).fetchall()
    return {
        version: FileRecord(version, row_id, name, checksum, recorded_at, bool(adopted))
        for version, row_id, name, checksum, recorded_at, adopted in rows
    }


def parse_timestamp(value: object) -> datetime | None:
    """goose's `tstamp` is SQLite's `datetime('now')`: UTC text, one-second resolution."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
