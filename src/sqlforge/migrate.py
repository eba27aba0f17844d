"""The migration engine: goose-compatible `up`, `down`, `status` & co. on an SQLite file.

Every function returns plain data. A migration that fails while running is reported in the
`RunResult` (what applied before it, which statement failed, SQLite's message), like goose's
PartialError; problems found before anything runs (unparsable files, missing or edited
migrations, an unknown version, a file that is no database) raise `SqlforgeError`.

How a run stays safe:
- One connection in autocommit mode (`isolation_level=None`) with explicit transactions. The
  run's first `BEGIN IMMEDIATE` takes SQLite's write lock, waiting up to `lock_timeout`; the
  connection then switches to exclusive locking mode, so it keeps the lock across the commits of
  the single migrations until the run ends. What is pending is decided inside that lock, so
  concurrent runners apply each migration exactly once: the others wait, then find nothing to
  do. The same lock covers `NO TRANSACTION` migrations, whose statements commit one by one.
- Each migration commits together with its version row, or not at all (see migration_exec).
- A run that fails on a database file it created removes that file again (and the folders it
  made for it), so a failed first migration leaves no empty database behind.
- Dry runs and the read-only functions open the database read-only, or not at all when the file
  does not exist: they never create the file or the version table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Literal

from sqlforge import migration_plan as plans
from sqlforge.config import DEFAULT_LOCK_TIMEOUT, DEFAULT_VERSION_TABLE
from sqlforge.errors import Diagnostic, SqlforgeError
from sqlforge.migration_exec import (
    READ_ONLY_HINT,
    AppliedMigration,
    ForeignKeyViolation,
    MigrationConnection,
    MigrationFailed,
    MigrationFailure,
    check_transaction_control,
    foreign_keys_enabled,
    migration_connection,
    set_foreign_keys,
)
from sqlforge.migration_files import (
    MigrationFile,
    ParsedMigration,
    discover_migrations,
    parse_all,
    parse_migration,
    scan_migrations,
)
from sqlforge.sqlparser import Direction, Statement
from sqlforge.version_table import (
    AppliedVersion,
    DatabaseState,
    check_table_name,
    create_version_table,
    delete_version,
    insert_version,
    read_state,
    record_file,
    table_exists,
)

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "AppliedMigration",
    "ForeignKeyViolation",
    "MigrationFailure",
    "MigrationStatus",
    "PlannedMigration",
    "RunResult",
    "ValidatedMigration",
    "current_version",
    "down",
    "down_to",
    "load_migrations",
    "migrate_fresh",
    "read_database",
    "redo",
    "reset",
    "status",
    "status_rows",
    "up",
    "validate",
]

_LOCK_ATTEMPTS = 3

MigrationSource = Path | Sequence[ParsedMigration]
OnApplied = Callable[[AppliedMigration], None]


@dataclass(frozen=True)
class PlannedMigration:
    """One step of a run: a migration and the direction it runs in."""

    version: int
    path: Path
    direction: Direction
    use_transaction: bool
    statements: tuple[Statement, ...]

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class RunResult:
    """What a run did (or, with `dry_run`, would do)."""

    database: Path
    version_before: int
    version_after: int
    planned: tuple[PlannedMigration, ...] = ()
    applied: tuple[AppliedMigration, ...] = ()
    failure: MigrationFailure | None = None
    dry_run: bool = False
    created_version_table: bool = False
    adopted: tuple[Path, ...] = ()
    """Applied migrations without a recorded checksum (goose applied them): recorded now."""
    accepted_edits: tuple[Path, ...] = ()
    """Edited applied migrations whose new checksum was accepted (`allow_modified`)."""

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def duration(self) -> float:
        return sum(applied.duration for applied in self.applied)

    def raise_for_failure(self) -> None:
        if self.failure is not None:
            raise self.failure.to_error(self.version_after)


StatusState = Literal["applied", "pending", "file-missing"]
ChecksumState = Literal["ok", "modified", "unrecorded"]


@dataclass(frozen=True)
class MigrationStatus:
    version: int
    name: str | None
    """The file's name; for an applied version without a file, the name sqlforge recorded."""
    path: Path | None
    state: StatusState
    applied_at: datetime | None = None
    out_of_order: bool = False
    """Pending although a higher version is applied (goose calls it missing)."""
    checksum: ChecksumState | None = None
    """Applied migrations only: does the file still match what was applied?"""


@dataclass(frozen=True)
class ValidatedMigration:
    version: int
    path: Path
    use_transaction: bool
    up_statements: int
    down_statements: int
    warnings: tuple[Diagnostic, ...] = ()


# Loading ------------------------------------------------------------------------------------


def load_migrations(
    source: MigrationSource, environ: Mapping[str, str] | None = None
) -> list[ParsedMigration]:
    """Discover and parse (both directions) every migration before anything runs."""
    if isinstance(source, Path):
        migrations = parse_all(discover_migrations(source), environ)
    else:
        migrations = sorted(source, key=lambda migration: migration.version)
    for migration in migrations:
        check_transaction_control(migration)
    return migrations


def migrate_fresh(connection: sqlite3.Connection, migrations: Sequence[ParsedMigration]) -> None:
    """Apply every Up section in order, without version bookkeeping (e.g. to :memory:).

    Statements run exactly as in `up` (same transactions, foreign-key rules and error
    reporting); a failure raises `SqlforgeError` naming the file, line and SQLite's message.
    """
    ordered = load_migrations(migrations)
    with migration_connection(connection) as migrating:
        for migration in ordered:
            try:
                migrating.apply(migration, Direction.UP)
            except MigrationFailed as failed:
                raise failed.failure.to_error() from None


# Commands that change the database ----------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    steps: tuple[tuple[ParsedMigration, Direction], ...] = ()
    ensure_table: bool = False
    adopt: tuple[ParsedMigration, ...] = ()
    accept: tuple[ParsedMigration, ...] = ()


Planner = Callable[[DatabaseState], _Plan]


def up(
    database: Path,
    migrations: MigrationSource,
    *,
    target: int | None = None,
    by_one: bool = False,
    allow_missing: bool = False,
    allow_modified: bool = False,
    dry_run: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    table: str = DEFAULT_VERSION_TABLE,
    environ: Mapping[str, str] | None = None,
    on_applied: OnApplied | None = None,
) -> RunResult:
    """Apply pending migrations (up to `target`, or only the next one with `by_one`)."""
    parsed = load_migrations(migrations, environ)
    if target is not None:
        plans.check_target(parsed, target, allow_zero=False)

    def plan(state: DatabaseState) -> _Plan:
        plans.check_applied_have_files(parsed, state)
        edited = plans.modified(parsed, state)
        if edited and not allow_modified:
            raise plans.modified_error(edited)
        pending = plans.plan_up(
            parsed, state, target=target, by_one=by_one, allow_missing=allow_missing
        )
        return _Plan(
            steps=tuple((migration, Direction.UP) for migration in pending),
            ensure_table=True,
            adopt=tuple(plans.unrecorded(parsed, state)),
            accept=tuple(edited),
        )

    return _execute(database, plan, table, lock_timeout, dry_run=dry_run, on_applied=on_applied)


def down(
    database: Path,
    migrations: MigrationSource,
    *,
    dry_run: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    table: str = DEFAULT_VERSION_TABLE,
    environ: Mapping[str, str] | None = None,
    on_applied: OnApplied | None = None,
) -> RunResult:
    """Roll back the current version (the most recently applied one)."""
    parsed = load_migrations(migrations, environ)
    return _execute(
        database,
        lambda state: _rollback_plan(plans.plan_down(parsed, state)),
        table,
        lock_timeout,
        dry_run=dry_run,
        on_applied=on_applied,
        create=False,
    )


def down_to(
    database: Path,
    migrations: MigrationSource,
    target: int,
    *,
    dry_run: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    table: str = DEFAULT_VERSION_TABLE,
    environ: Mapping[str, str] | None = None,
    on_applied: OnApplied | None = None,
) -> RunResult:
    """Roll back, most recently applied first, until the current version is <= `target`."""
    parsed = load_migrations(migrations, environ)
    plans.check_target(parsed, target, allow_zero=True)
    return _execute(
        database,
        lambda state: _rollback_plan(plans.plan_down_to(parsed, state, target)),
        table,
        lock_timeout,
        dry_run=dry_run,
        on_applied=on_applied,
        create=False,
    )


def redo(
    database: Path,
    migrations: MigrationSource,
    *,
    dry_run: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    table: str = DEFAULT_VERSION_TABLE,
    environ: Mapping[str, str] | None = None,
    on_applied: OnApplied | None = None,
) -> RunResult:
    """Roll back the current version and apply it again (e.g. after editing it)."""
    parsed = load_migrations(migrations, environ)

    def plan(state: DatabaseState) -> _Plan:
        current = plans.plan_down(parsed, state)
        steps = [(m, Direction.DOWN) for m in current] + [(m, Direction.UP) for m in current]
        return _Plan(steps=tuple(steps))

    return _execute(
        database, plan, table, lock_timeout, dry_run=dry_run, on_applied=on_applied, create=False
    )


def reset(
    database: Path,
    migrations: MigrationSource,
    *,
    dry_run: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    table: str = DEFAULT_VERSION_TABLE,
    environ: Mapping[str, str] | None = None,
    on_applied: OnApplied | None = None,
) -> RunResult:
    """Roll back every applied migration, highest version first (goose's `reset`)."""
    parsed = load_migrations(migrations, environ)
    return _execute(
        database,
        lambda state: _rollback_plan(plans.plan_reset(parsed, state)),
        table,
        lock_timeout,
        dry_run=dry_run,
        on_applied=on_applied,
        create=False,
    )


def _rollback_plan(migrations: Sequence[ParsedMigration]) -> _Plan:
    return _Plan(steps=tuple((migration, Direction.DOWN) for migration in migrations))


def _execute(
    database: Path,
    plan: Planner,
    table: str,
    lock_timeout: float,
    *,
    dry_run: bool,
    on_applied: OnApplied | None,
    create: bool = True,
) -> RunResult:
    check_table_name(table)
    _refuse_folder(database)
    if dry_run or (not create and not database.exists()):
        state = read_database(database, table=table, lock_timeout=lock_timeout)
        return _preview(database, state, plan(state), dry_run=dry_run)
    with _errors_as_sqlforge(database, lock_timeout):
        session = _Session.locked(database, lock_timeout)
        try:
            return _Run(session.migrating, table, on_applied).execute(database, plan)
        finally:
            session.close()


def _preview(database: Path, state: DatabaseState, plan: _Plan, *, dry_run: bool) -> RunResult:
    return RunResult(
        database=database,
        version_before=state.current_version,
        version_after=_version_after(state, plan.steps),
        planned=_planned(plan),
        dry_run=dry_run,
        created_version_table=plan.ensure_table and not state.table_exists,
        adopted=tuple(migration.file.path for migration in plan.adopt),
        accepted_edits=tuple(migration.file.path for migration in plan.accept),
    )


def _planned(plan: _Plan) -> tuple[PlannedMigration, ...]:
    return tuple(
        PlannedMigration(
            version=migration.version,
            path=migration.file.path,
            direction=direction,
            use_transaction=migration.use_transaction,
            statements=(migration.up if direction is Direction.UP else migration.down).statements,
        )
        for migration, direction in plan.steps
    )


def _version_after(state: DatabaseState, steps: Sequence[tuple[ParsedMigration, Direction]]) -> int:
    """The current version once `steps` have run, by goose's rule (for dry runs)."""
    applied = dict(state.applied)
    next_row = max((a.row_id for a in applied.values()), default=0) + 1
    for migration, direction in steps:
        if direction is Direction.UP:
            applied[migration.version] = AppliedVersion(migration.version, next_row, None)
            next_row += 1
        else:
            applied.pop(migration.version, None)
    return DatabaseState(table_exists=True, applied=applied).current_version


@dataclass
class _Run:
    """One locked run: plans inside the lock, applies step by step, stops at a failure."""

    migrating: MigrationConnection
    table: str
    on_applied: OnApplied | None
    applied: list[AppliedMigration] = field(default_factory=list)
    prepared: bool = False
    created_table: bool = False

    @property
    def connection(self) -> sqlite3.Connection:
        return self.migrating.connection

    def execute(self, database: Path, planner: Planner) -> RunResult:
        state = read_state(self.connection, self.table)
        plan = planner(state)
        failure = self._apply_all(plan, state)
        if failure is None:
            self._prepare(plan, state)
        if self.connection.in_transaction:
            self.connection.execute("COMMIT")
        return RunResult(
            database=database,
            version_before=state.current_version,
            version_after=read_state(self.connection, self.table).current_version,
            planned=_planned(plan),
            applied=tuple(self.applied),
            failure=failure,
            created_version_table=self.created_table,
            adopted=tuple(m.file.path for m in plan.adopt) if self.prepared else (),
            accepted_edits=tuple(m.file.path for m in plan.accept) if self.prepared else (),
        )

    def _apply_all(self, plan: _Plan, state: DatabaseState) -> MigrationFailure | None:
        for migration, direction in plan.steps:
            prepared_before = self.prepared
            try:
                bookkeeping = partial(self._bookkeep, plan, state, migration, direction)
                applied = self.migrating.apply(migration, direction, bookkeeping)
            except MigrationFailed as failed:
                if not prepared_before:  # the preparation was rolled back with this migration
                    self.prepared = self.created_table = False
                return failed.failure
            self.applied.append(applied)
            if self.on_applied is not None:
                self.on_applied(applied)
        return None

    def _bookkeep(
        self, plan: _Plan, state: DatabaseState, migration: ParsedMigration, direction: Direction
    ) -> None:
        self._prepare(plan, state)
        if direction is Direction.DOWN:
            delete_version(self.connection, self.table, migration.version)
            return
        row_id = insert_version(self.connection, self.table, migration.version)
        self._record(migration, row_id, adopted=False)

    def _prepare(self, plan: _Plan, state: DatabaseState) -> None:
        """Create the version table and record missing checksums, in the first write."""
        if self.prepared:
            return
        self.prepared = True
        if plan.ensure_table and not table_exists(self.connection, self.table):
            if not self.connection.in_transaction:
                self.connection.execute("BEGIN IMMEDIATE")
            create_version_table(self.connection, self.table)
            self.created_table = True
        for migration in (*plan.adopt, *plan.accept):
            if not self.connection.in_transaction:
                self.connection.execute("BEGIN IMMEDIATE")
            self._record(migration, state.applied[migration.version].row_id, adopted=True)

    def _record(self, migration: ParsedMigration, row_id: int, *, adopted: bool) -> None:
        record_file(
            self.connection,
            self.table,
            version=migration.version,
            goose_row_id=row_id,
            file_name=migration.file.name,
            checksum=migration.file.checksum,
            adopted=adopted,
        )


class _Session:
    """The run's connection: created file and folders, the write lock, and clean-up."""

    def __init__(self, database: Path, lock_timeout: float) -> None:
        self.database = database
        self.created_folders = _create_folders(database.parent)
        self.created_file = not database.exists()
        try:
            self.wal = not self.created_file and _journal_mode(database, lock_timeout) == "wal"
            self.connection = sqlite3.connect(database, timeout=lock_timeout, isolation_level=None)
        except BaseException:
            _remove_folders(self.created_folders)
            raise
        self.identity = _identity(database)
        original = foreign_keys_enabled(self.connection)
        set_foreign_keys(self.connection, False)  # before any transaction, or it is a no-op
        self.migrating = MigrationConnection(self.connection, original)

    @classmethod
    def locked(cls, database: Path, lock_timeout: float) -> _Session:
        for _ in range(_LOCK_ATTEMPTS):
            session = cls(database, lock_timeout)
            try:
                locked = session.lock()
            except BaseException:
                session.abandon()
                raise
            if locked:
                return session
            session.close()
        raise SqlforgeError(
            "the database file was replaced while waiting for its lock",
            path=database,
            hint="another process keeps deleting and re-creating it; run again when it is done",
        )

    def lock(self) -> bool:
        """Take the write lock for the whole run; False if the file was replaced meanwhile.

        Exclusive locking mode keeps the lock across commits. In rollback-journal mode it is
        switched on once the lock is held (a waiter in exclusive mode would keep a read lock
        and deadlock the holder's commit); a WAL database needs it before the first read.
        """
        if self.wal:
            self.connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        self.connection.execute("BEGIN IMMEDIATE")
        if not self.wal:
            self.connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        # A run whose first migration failed may have removed the file we were waiting for.
        return _identity(self.database) == self.identity

    def close(self) -> None:
        try:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            if self._created_and_empty():
                self._remove_file()
        finally:
            self.connection.close()
            if self.created_file and _identity(self.database) == self.identity:
                _remove_if_empty(self.database)
            _remove_folders(self.created_folders)

    def abandon(self) -> None:
        """Give up without the lock: the file may be another runner's, so it stays."""
        self.connection.close()
        _remove_folders(self.created_folders)

    def _created_and_empty(self) -> bool:
        """Only a file this run created, still at this path, holding no table at all."""
        if not self.created_file or _identity(self.database) != self.identity:
            return False
        row = self.connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return bool(row and row[0] == 0)

    def _remove_file(self) -> None:
        # Removed while the lock is still held, so no waiting runner can write to it first.
        with suppress(OSError):
            self.database.unlink()


def _create_folders(folder: Path) -> list[Path]:
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SqlforgeError.from_os_error(
            "create the database's folder",
            error,
            path=folder,
            hint="check the `database` path and its permissions",
        ) from None
    return missing


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        with suppress(OSError):
            folder.rmdir()


def _remove_if_empty(database: Path) -> None:
    """A file this run created and left without content (only when unlinking early failed)."""
    with suppress(OSError):
        if database.stat().st_size == 0:
            database.unlink()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _journal_mode(database: Path, lock_timeout: float) -> str:
    probe = sqlite3.connect(database, timeout=lock_timeout, isolation_level=None)
    try:
        row = probe.execute("PRAGMA journal_mode").fetchone()
    finally:
        probe.close()
    return str(row[0]).lower() if row else ""


# Reading ------------------------------------------------------------------------------------


def read_database(
    database: Path,
    *,
    table: str = DEFAULT_VERSION_TABLE,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> DatabaseState:
    """The version tables' content, read-only: a missing file or table reads as empty."""
    check_table_name(table)
    _refuse_folder(database)
    if not database.exists():
        return DatabaseState()
    with _errors_as_sqlforge(database, lock_timeout), _read_only(database, lock_timeout) as conn:
        conn.execute("BEGIN")
        try:
            return read_state(conn, table)
        finally:
            conn.execute("ROLLBACK")


def current_version(
    database: Path,
    *,
    table: str = DEFAULT_VERSION_TABLE,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:
    """goose's `version`: the most recently applied version still applied, 0 if none."""
    return read_database(database, table=table, lock_timeout=lock_timeout).current_version


def status(
    database: Path,
    migrations: Path | Sequence[ParsedMigration] | Sequence[MigrationFile],
    *,
    table: str = DEFAULT_VERSION_TABLE,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> list[MigrationStatus]:
    """Every migration file and every applied version, in version order."""
    files = _files(migrations)
    return status_rows(files, read_database(database, table=table, lock_timeout=lock_timeout))


def status_rows(files: Sequence[MigrationFile], state: DatabaseState) -> list[MigrationStatus]:
    """`status` from files already listed and a database state already read."""
    rows = [_file_status(file, state) for file in files]
    known = {file.version for file in files}
    rows += [_orphan_status(state, version) for version in state.applied if version not in known]
    return sorted(rows, key=lambda row: row.version)


def _files(
    migrations: Path | Sequence[ParsedMigration] | Sequence[MigrationFile],
) -> list[MigrationFile]:
    if isinstance(migrations, Path):
        return discover_migrations(migrations)
    return [m.file if isinstance(m, ParsedMigration) else m for m in migrations]


def _file_status(file: MigrationFile, state: DatabaseState) -> MigrationStatus:
    applied = state.applied.get(file.version)
    if applied is None:
        return MigrationStatus(
            file.version,
            file.name,
            file.path,
            "pending",
            out_of_order=file.version < state.max_version,
        )
    recorded = state.recorded_checksum(file.version)
    checksum: ChecksumState = (
        "unrecorded" if recorded is None else "ok" if recorded == file.checksum else "modified"
    )
    return MigrationStatus(
        file.version, file.name, file.path, "applied", applied.applied_at, checksum=checksum
    )


def _orphan_status(state: DatabaseState, version: int) -> MigrationStatus:
    record = state.records.get(version)
    name = record.file_name if record is not None else None
    applied_at = state.applied[version].applied_at
    return MigrationStatus(version, name, None, "file-missing", applied_at)


# Validation ---------------------------------------------------------------------------------


def validate(
    migrations: Path,
    database: Path | None = None,
    *,
    table: str = DEFAULT_VERSION_TABLE,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    environ: Mapping[str, str] | None = None,
) -> list[ValidatedMigration]:
    """Check every file (names, both directions) and, if it exists, the database; write nothing.

    All problems are raised together as one `SqlforgeError`.
    """
    files, problems = scan_migrations(migrations)
    parsed: list[ParsedMigration] = []
    for file in files:
        try:
            migration = parse_migration(file, environ)
            check_transaction_control(migration)
        except SqlforgeError as error:
            problems.extend(error.diagnostics)
            continue
        parsed.append(migration)
    if database is not None and database.exists():
        state = read_database(database, table=table, lock_timeout=lock_timeout)
        problems += _database_problems(parsed, state)
    if problems:
        raise SqlforgeError.from_diagnostics(problems)
    return [_validated(migration) for migration in parsed]


def _database_problems(parsed: Sequence[ParsedMigration], state: DatabaseState) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for check in (
        lambda: plans.check_applied_have_files(parsed, state),
        lambda: _raise_if(plans.modified(parsed, state)),
        lambda: plans.plan_up(parsed, state),
    ):
        try:
            check()
        except SqlforgeError as error:
            problems.extend(error.diagnostics)
    return problems


def _raise_if(edited: list[ParsedMigration]) -> None:
    if edited:
        raise plans.modified_error(edited)


def _validated(migration: ParsedMigration) -> ValidatedMigration:
    warnings = tuple(
        Diagnostic(w.message, path=migration.file.path, line=w.line, hint=w.hint)
        for w in (*migration.up.warnings, *migration.down.warnings)
    )
    return ValidatedMigration(
        version=migration.version,
        path=migration.file.path,
        use_transaction=migration.use_transaction,
        up_statements=len(migration.up.statements),
        down_statements=len(migration.down.statements),
        warnings=tuple(dict.fromkeys(warnings)),
    )


# SQLite errors outside of migrations ---------------------------------------------------------


def _refuse_folder(database: Path) -> None:
    # SQLite itself only says "disk I/O error" or "unable to open database file".
    if database.is_dir():
        raise SqlforgeError(
            "a folder, not a database file",
            path=database,
            hint="point --db / `database` at a file, e.g. a new one inside this folder",
        )


@contextmanager
def _read_only(database: Path, lock_timeout: float) -> Iterator[sqlite3.Connection]:
    uri = database.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=lock_timeout, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def _errors_as_sqlforge(database: Path, lock_timeout: float) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        raise _database_error(database, error, lock_timeout) from None
    except PermissionError as error:
        raise SqlforgeError.from_os_error(
            "use the database",
            error,
            path=database,
            hint="check the permissions of the database file and its folder",
        ) from None


def _database_error(database: Path, error: sqlite3.Error, lock_timeout: float) -> SqlforgeError:
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return SqlforgeError(
            f"not an SQLite database ({error})",
            path=database,
            hint="check --db / `database`: it must name an SQLite database file, or a path"
            " where a new one may be created",
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return SqlforgeError(
            f"the database is locked ({error})",
            path=database,
            hint=f"another process held its lock for more than lock_timeout = {lock_timeout:g} s;"
            " wait for it to finish, or raise `lock_timeout` in [tool.sqlforge]",
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return SqlforgeError(
            f"cannot open the database ({error})",
            path=database,
            hint="check that sqlforge may read and write the file, and create files in its folder",
        )
    if name.startswith("SQLITE_READONLY"):
        return SqlforgeError(
            f"the database is read-only ({error})", path=database, hint=READ_ONLY_HINT
        )
    return SqlforgeError(f"database error: {error}", path=database)
