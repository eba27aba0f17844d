"""Running one migration on an SQLite connection, with the safety rules of a migration.

A transactional migration runs its statements, its version bookkeeping and a foreign-key check
inside one transaction: all of it commits or none of it does. Foreign-key enforcement is off
while it runs (it has to be switched off *before* the transaction: inside one the pragma is a
no-op), so rebuilding a parent table cannot cascade into its children; `PRAGMA
foreign_key_check` then catches what the migration broke. A `NO TRANSACTION` migration runs
statement by statement in autocommit mode, as goose does, with the connection's own setting.

Statements run one at a time so that a failure names the exact statement and its line.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlforge.errors import SqlforgeError
from sqlforge.migration_files import ParsedMigration
from sqlforge.sqlparser import Direction, Statement

_NOISE = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))*", re.DOTALL)
_ENDS_TRANSACTION = re.compile(r"(?:BEGIN|COMMIT|END|ROLLBACK(?!\s+(?:TRANSACTION\s+)?TO\b))\b")
_SHOWN_VIOLATIONS = 20
READ_ONLY_HINT = "check that sqlforge may write to the database file and to its folder"


@dataclass(frozen=True)
class SqlStatement:
    """One statement as SQLite executes it: a goose statement may hold several."""

    text: str
    line: int
    number: int
    """Which goose statement of the section it belongs to (1-based)."""


@dataclass(frozen=True)
class ForeignKeyViolation:
    """One row of `PRAGMA foreign_key_check`."""

    table: str
    rowid: int | None
    parent: str
    foreign_key: int

    def describe(self) -> str:
        row = "a row" if self.rowid is None else f"rowid {self.rowid}"
        return f"{self.table} {row} references a missing row of {self.parent}"


@dataclass(frozen=True)
class AppliedMigration:
    version: int
    path: Path
    direction: Direction
    statements: int
    duration: float
    """Seconds, statements and bookkeeping included."""
    use_transaction: bool = True

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class MigrationFailure:
    """Why a migration did not apply, as data (goose's PartialError, made precise)."""

    version: int
    path: Path
    direction: Direction
    message: str
    """SQLite's own message, or a summary of the foreign-key violations."""
    line: int | None = None
    statement: str | None = None
    statement_number: int | None = None
    use_transaction: bool = True
    statements_kept: int = 0
    """NO TRANSACTION only: goose statements that ran before the failure and stayed applied."""
    violations: tuple[ForeignKeyViolation, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name

    def to_error(self, version_after: int | None = None) -> SqlforgeError:
        return SqlforgeError(
            self._headline(), path=self.path, line=self.line, hint=self._hint(version_after)
        )

    def _headline(self) -> str:
        verb = "applying" if self.direction is Direction.UP else "rolling back"
        if self.violations:
            listed = [violation.describe() for violation in self.violations[:_SHOWN_VIOLATIONS]]
            if len(self.violations) > _SHOWN_VIOLATIONS:
                listed.append(f"... and {len(self.violations) - _SHOWN_VIOLATIONS} more")
            lines = "".join(f"\n    {text}" for text in listed)
            return f"{verb} this migration {self.message}; it was rolled back:{lines}"
        if not self.use_transaction:
            return f"{verb} this migration failed (NO TRANSACTION): {self.message}"
        return f"{verb} this migration failed and was rolled back: {self.message}"

    def _hint(self, version_after: int | None) -> str:
        stays = "" if version_after is None else f"the database is at version {version_after}; "
        if self.violations:
            return (
                f"{stays}foreign keys are not enforced during migrations, so deletes do not"
                " cascade: delete or re-point the child rows in the migration itself"
            )
        if not self.use_transaction:
            return (
                f"{stays}statements 1-{self.statements_kept} of this section stayed applied and no"
                " version was recorded; running it again starts from its first statement, so undo"
                " them or make them safe to repeat"
                if self.statements_kept
                else f"{stays}nothing of this migration was applied; fix it and run again"
            )
        if "readonly database" in self.message:  # SQLite's words for every SQLITE_READONLY
            return f"{stays}{READ_ONLY_HINT}; the migration itself is not at fault"
        if "foreign key mismatch" in self.message:
            return (
                f"{stays}a foreign key must reference its parent's PRIMARY KEY or UNIQUE columns,"
                " and the parent table must exist"
            )
        if "within a transaction" in self.message:
            return (
                f"{stays}this statement cannot run in a transaction: mark the migration"
                " `-- +goose NO TRANSACTION`"
            )
        done = (
            "earlier migrations stay applied"
            if self.direction is Direction.UP
            else ("the migrations rolled back before it stay rolled back")
        )
        return f"{stays}{done}; fix this statement and run again"


ForeignKeyCheck = frozenset[ForeignKeyViolation] | str


class MigrationFailed(Exception):
    def __init__(self, failure: MigrationFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def sql_statements(statements: tuple[Statement, ...]) -> list[SqlStatement]:
    """Split goose statements into what SQLite runs one by one, each with its line.

    goose hands a whole `StatementBegin` block (or `SELECT 1; SELECT 2;` on one line) to the
    driver as one string; Python's `execute` takes one statement, so the text is cut where
    SQLite itself says a statement is complete (`sqlite3.complete_statement` knows strings,
    comments and trigger bodies). A final statement without a semicolon is kept.
    """
    return [
        SqlStatement(text, line, number)
        for number, statement in enumerate(statements, start=1)
        for text, line in _split(statement.text, statement.line)
    ]


def _split(text: str, first_line: int) -> Iterator[tuple[str, int]]:
    start = 0
    for semicolon in re.finditer(";", text):
        if sqlite3.complete_statement(text[start : semicolon.end()]):
            yield from _piece(text, start, semicolon.end(), first_line)
            start = semicolon.end()
    yield from _piece(text, start, len(text), first_line)


def _piece(text: str, start: int, end: int, first_line: int) -> Iterator[tuple[str, int]]:
    noise = _NOISE.match(text, start)
    begin = noise.end() if noise else start
    if begin < end and text[begin:end] != ";":
        yield text[begin:end], first_line + text.count("\n", 0, begin)


def check_transaction_control(migration: ParsedMigration) -> None:
    """A transactional migration must not end the transaction sqlforge runs it in."""
    if not migration.use_transaction:
        return
    for section in (migration.up, migration.down):
        for statement in sql_statements(section.statements):
            if _ENDS_TRANSACTION.match(statement.text.upper()):
                raise SqlforgeError(
                    "this statement ends or starts a transaction inside the one sqlforge runs"
                    " the migration in",
                    path=migration.file.path,
                    line=statement.line,
                    hint="remove it (each migration already runs in its own transaction), or"
                    " add `-- +goose NO TRANSACTION` to manage transactions yourself",
                )


def foreign_keys_enabled(connection: sqlite3.Connection) -> bool:
    row = connection.execute("PRAGMA foreign_keys").fetchone()
    return bool(row and row[0])


def set_foreign_keys(connection: sqlite3.Connection, enabled: bool) -> None:
    connection.execute(f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}")


def foreign_key_violations(connection: sqlite3.Connection) -> frozenset[ForeignKeyViolation]:
    rows = connection.execute("PRAGMA foreign_key_check").fetchall()
    return frozenset(ForeignKeyViolation(*row) for row in rows)


def foreign_key_check(connection: sqlite3.Connection) -> ForeignKeyCheck:
    """The violations, or SQLite's message when the check itself fails (a broken schema)."""
    try:
        return foreign_key_violations(connection)
    except sqlite3.Error as error:
        return str(error)


@dataclass
class MigrationConnection:
    """A connection set up for migrations, and what it must remember between them."""

    connection: sqlite3.Connection
    foreign_keys: bool
    """The connection's own setting: restored afterwards, used by NO TRANSACTION migrations."""
    baseline: ForeignKeyCheck | None = field(default=None)
    """Violations that existed before the next migration: not that migration's fault."""

    def apply(
        self,
        migration: ParsedMigration,
        direction: Direction,
        bookkeeping: Callable[[], None] = lambda: None,
    ) -> AppliedMigration:
        """Run one direction of a migration; raises `MigrationFailed` with the details."""
        started = time.perf_counter()
        section = migration.up if direction is Direction.UP else migration.down
        statements = sql_statements(section.statements)
        if migration.use_transaction:
            self._in_transaction(migration, direction, statements, bookkeeping)
        else:
            self._in_autocommit(migration, direction, statements, bookkeeping)
        return AppliedMigration(
            version=migration.version,
            path=migration.file.path,
            direction=direction,
            statements=len(section.statements),
            duration=time.perf_counter() - started,
            use_transaction=migration.use_transaction,
        )

    def _in_transaction(
        self,
        migration: ParsedMigration,
        direction: Direction,
        statements: list[SqlStatement],
        bookkeeping: Callable[[], None],
    ) -> None:
        if not self.connection.in_transaction:
            self.connection.execute("BEGIN IMMEDIATE")
        try:
            baseline = self._current_baseline()
            self._run(migration, direction, statements)
            bookkeeping()
            after = self._check_foreign_keys(migration, direction, baseline)
            self.connection.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        self.baseline = after

    def _in_autocommit(
        self,
        migration: ParsedMigration,
        direction: Direction,
        statements: list[SqlStatement],
        bookkeeping: Callable[[], None],
    ) -> None:
        if self.connection.in_transaction:
            self.connection.execute("COMMIT")
        self.baseline = None
        set_foreign_keys(self.connection, self.foreign_keys)
        try:
            self._run(migration, direction, statements)
        finally:
            set_foreign_keys(self.connection, False)
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            bookkeeping()
            self.connection.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _run(
        self, migration: ParsedMigration, direction: Direction, statements: list[SqlStatement]
    ) -> None:
        for statement in statements:
            try:
                self.connection.execute(statement.text).close()
            except sqlite3.Error as error:
                raise MigrationFailed(
                    MigrationFailure(
                        version=migration.version,
                        path=migration.file.path,
                        direction=direction,
                        message=str(error),
                        line=statement.line,
                        statement=statement.text,
                        statement_number=statement.number,
                        use_transaction=migration.use_transaction,
                        statements_kept=0 if migration.use_transaction else statement.number - 1,
                    )
                ) from error

    def _current_baseline(self) -> ForeignKeyCheck:
        if self.baseline is None:
            self.baseline = foreign_key_check(self.connection)
        return self.baseline

    def _check_foreign_keys(
        self, migration: ParsedMigration, direction: Direction, baseline: ForeignKeyCheck
    ) -> ForeignKeyCheck:
        after = foreign_key_check(self.connection)
        if isinstance(after, str):
            if after == baseline:  # the schema was broken before this migration
                return after
            raise MigrationFailed(self._failure(migration, direction, after))
        before = baseline if isinstance(baseline, frozenset) else frozenset()
        new = sorted(after - before, key=lambda v: (v.table, v.rowid or 0, v.foreign_key))
        if new:
            message = f"left {len(new)} foreign key violation(s)"
            raise MigrationFailed(self._failure(migration, direction, message, tuple(new)))
        return after

    @staticmethod
    def _failure(
        migration: ParsedMigration,
        direction: Direction,
        message: str,
        violations: tuple[ForeignKeyViolation, ...] = (),
    ) -> MigrationFailure:
        return MigrationFailure(
            version=migration.version,
            path=migration.file.path,
            direction=direction,
            message=message,
            violations=violations,
        )

    def _rollback(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")


@contextmanager
def migration_connection(connection: sqlite3.Connection) -> Iterator[MigrationConnection]:
    """Foreign keys off for the duration (outside any transaction), then restored."""
    if connection.in_transaction:
        raise ValueError("the connection has an open transaction; commit or roll it back first")
    # Python's legacy transaction handling would wrap NO TRANSACTION statements in a transaction.
    isolation_level = connection.isolation_level
    connection.isolation_level = None
    original = foreign_keys_enabled(connection)
    set_foreign_keys(connection, False)
    try:
        yield MigrationConnection(connection, original)
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        set_foreign_keys(connection, original)
        connection.isolation_level = isolation_level
