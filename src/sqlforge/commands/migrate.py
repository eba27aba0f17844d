"""`sqlforge migrate <command>`: arguments in, text for people (or JSON for scripts) out.

The work happens in `sqlforge.migrate` and `sqlforge.authoring`; each command here is a plain
function `(config, printer, ...) -> exit code` that the invoke tasks call as well. A failed
migration comes back from the engine as data: the lines of what did apply are printed, then the
failure is raised as a `SqlforgeError` (file, line, SQLite's message) for `sqlforge.main`.

Every `sqlforge` invocation imports this module to build its parser, so the engine (the parser,
sqlite3, hashlib) is imported by the commands that use it, not here.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlforge.config import Config
from sqlforge.errors import SqlforgeError, _display_path
from sqlforge.output import Printer

if TYPE_CHECKING:
    from sqlforge.authoring import Style
    from sqlforge.migrate import (
        AppliedMigration,
        MigrationFailure,
        MigrationStatus,
        PlannedMigration,
        RunResult,
    )

Handler = Callable[[argparse.Namespace, Config, Printer], int]


# The commands -------------------------------------------------------------------------------


def up(
    config: Config,
    printer: Printer,
    *,
    allow_missing: bool = False,
    allow_modified: bool = False,
    dry_run: bool = False,
) -> int:
    """Apply every pending migration."""
    return _up(config, printer, allow_missing, allow_modified, dry_run)


def up_by_one(
    config: Config,
    printer: Printer,
    *,
    allow_missing: bool = False,
    allow_modified: bool = False,
    dry_run: bool = False,
) -> int:
    """Apply the next pending migration only."""
    return _up(config, printer, allow_missing, allow_modified, dry_run, by_one=True)


def up_to(
    config: Config,
    printer: Printer,
    version: int | str,
    *,
    allow_missing: bool = False,
    allow_modified: bool = False,
    dry_run: bool = False,
) -> int:
    """Apply pending migrations up to and including VERSION."""
    target = parse_version(version)
    return _up(config, printer, allow_missing, allow_modified, dry_run, target=target)


def down(config: Config, printer: Printer, *, dry_run: bool = False) -> int:
    """Roll back the most recently applied migration."""
    from sqlforge import migrate  # noqa: PLC0415  (the engine is not needed at start-up)

    return _run(printer, dry_run, lambda on: migrate.down(**_engine(config, dry_run, on)))


def down_to(config: Config, printer: Printer, version: int | str, *, dry_run: bool = False) -> int:
    """Roll back migrations, newest applied first, until the version is VERSION or lower."""
    from sqlforge import migrate  # noqa: PLC0415

    target = parse_version(version, allow_zero=True)
    return _run(
        printer, dry_run, lambda on: migrate.down_to(target=target, **_engine(config, dry_run, on))
    )


def redo(config: Config, printer: Printer, *, dry_run: bool = False) -> int:
    """Roll back the most recently applied migration and apply it again."""
    from sqlforge import migrate  # noqa: PLC0415

    return _run(printer, dry_run, lambda on: migrate.redo(**_engine(config, dry_run, on)))


def reset(config: Config, printer: Printer, *, dry_run: bool = False) -> int:
    """Roll back every applied migration, highest version first."""
    from sqlforge import migrate  # noqa: PLC0415

    return _run(printer, dry_run, lambda on: migrate.reset(**_engine(config, dry_run, on)))


def status(config: Config, printer: Printer, *, as_json: bool = False) -> int:
    """Every migration with its applied time, or Pending."""
    database, current, rows = _read_status(config)
    if as_json:
        printer.result(_json(_status_document(config, database, current, rows)))
        return 0
    if not database.exists():
        printer.info(f"{_display_path(database)} does not exist yet: every migration is pending")
    for line in status_table(rows, printer):
        printer.result(line)
    pending = sum(row.state == "pending" for row in rows)
    printer.info(f"current version {current}, {pending} pending")
    return 0


def version(config: Config, printer: Printer, *, as_json: bool = False) -> int:
    """The database's current version."""
    database, current, rows = _read_status(config)
    if as_json:
        printer.result(_json(_version_document(config, database, current, rows)))
    else:
        printer.result(f"version {current}")
    return 0


def create(config: Config, printer: Printer, name: str, *, style: Style = "auto") -> int:
    """Write a new migration file from goose's template."""
    from sqlforge import authoring  # noqa: PLC0415

    path = authoring.create_migration(config.migrations, name, style=style)
    printer.info(f"created {_display_path(path)}")
    return 0


def fix(config: Config, printer: Printer) -> int:
    """Renumber timestamped migrations sequentially, keeping the folder's width."""
    from sqlforge import authoring  # noqa: PLC0415

    renames = authoring.fix_migrations(config.require_migrations_dir())
    for old, new in renames:
        printer.info(f"renamed {old.name} -> {new.name}")
    if not renames:
        printer.info("no timestamped migrations to renumber")
    return 0


def validate(config: Config, printer: Printer) -> int:
    """Parse every migration in both directions; check the database only if it exists."""
    from sqlforge import migrate  # noqa: PLC0415

    database = config.database
    checked = migrate.validate(
        config.require_migrations_dir(), database, **_reading(config), environ=None
    )
    for migration in checked:
        for warning in migration.warnings:
            printer.warn(warning.render())
    up_count = sum(m.up_statements for m in checked)
    down_count = sum(m.down_statements for m in checked)
    summary = f"{len(checked)} migrations valid ({up_count} up and {down_count} down statements)"
    if database is not None and database.exists():
        summary += f"; {_display_path(database)} checked"
    printer.info(summary)
    return 0


def parse_version(text: int | str, *, allow_zero: bool = False) -> int:
    """VERSION as typed by a person: `3`, `0003`, or a migration file name."""
    if isinstance(text, int):
        value = text
    else:
        digits = text.strip().split("_", 1)[0]
        if not digits.isascii() or not digits.isdigit():
            raise SqlforgeError(
                f"VERSION must be a number, got {text!r}",
                hint="give the number before the first `_` of a migration file name,"
                " e.g. 3 for 0003_add_jobs.sql",
            )
        value = int(digits)
    if value < 0 or (value == 0 and not allow_zero):
        raise SqlforgeError(
            f"VERSION must be {'0 or more' if allow_zero else 'at least 1'}, got {value}",
            hint="versions of migration files start at 1",
        )
    return value


# Running and reporting ----------------------------------------------------------------------


def _up(
    config: Config,
    printer: Printer,
    allow_missing: bool,
    allow_modified: bool,
    dry_run: bool,
    *,
    by_one: bool = False,
    target: int | None = None,
) -> int:
    from sqlforge import migrate  # noqa: PLC0415

    def run(on_applied: Callable[[AppliedMigration], None]) -> RunResult:
        return migrate.up(
            target=target,
            by_one=by_one,
            allow_missing=allow_missing,
            allow_modified=allow_modified,
            **_engine(config, dry_run, on_applied),
        )

    return _run(printer, dry_run, run)


def _engine(
    config: Config, dry_run: bool, on_applied: Callable[[AppliedMigration], None]
) -> dict[str, Any]:
    return {
        "database": config.require_database(),
        "migrations": config.require_migrations_dir(),
        "dry_run": dry_run,
        "on_applied": on_applied,
        **_reading(config),
    }


def _reading(config: Config) -> dict[str, Any]:
    return {"table": config.version_table, "lock_timeout": config.lock_timeout}


def _read_status(config: Config) -> tuple[Path, int, list[MigrationStatus]]:
    """The database, its current version and every migration's status, from one read."""
    from sqlforge import migrate  # noqa: PLC0415
    from sqlforge.migration_files import discover_migrations  # noqa: PLC0415

    database = config.require_database()
    files = discover_migrations(config.require_migrations_dir())
    state = migrate.read_database(database, **_reading(config))
    return database, state.current_version, migrate.status_rows(files, state)


def _run(
    printer: Printer,
    dry_run: bool,
    run: Callable[[Callable[[AppliedMigration], None]], RunResult],
) -> int:
    result = run(lambda applied: printer.info(applied_line(applied, printer)))
    for path in result.accepted_edits:
        printer.warn(f"{path.name} was edited after it was applied; its new content is accepted")
    if result.adopted and not dry_run:
        printer.info(
            f"recorded the checksums of {len(result.adopted)} migration(s) applied without"
            " sqlforge: edits to them are detected from now on"
        )
    if dry_run:
        _print_plan(result, printer)
    if result.failure is not None:
        printer.info(_failed_line(result.failure, printer))
    result.raise_for_failure()
    printer.info(summary_line(result))
    return 0


def applied_line(applied: AppliedMigration, printer: Printer) -> str:
    state = "OK" if applied.statements else "EMPTY"
    styled = printer.style(f"{state:<5}", "green" if applied.statements else "yellow")
    return f"{styled} {applied.direction.value:<4} {applied.name} ({_duration(applied.duration)})"


def _failed_line(failure: MigrationFailure, printer: Printer) -> str:
    return f"{printer.style('FAIL ', 'red', 'bold')} {failure.direction.value:<4} {failure.name}"


def summary_line(result: RunResult) -> str:
    from sqlforge.sqlparser import Direction  # noqa: PLC0415  (loaded by the run already)

    count = len(result.planned)
    if result.dry_run:
        if not count:
            return f"dry run: nothing to do, current version {result.version_after}"
        return (
            f"dry run: would go to version {result.version_after} ({_count(count)});"
            " nothing was changed"
        )
    if not result.applied:
        return f"no migrations to run, current version {result.version_after}"
    moved = (
        "migrated to"
        if all(applied.direction is Direction.UP for applied in result.applied)
        else "now at"
    )
    took = _duration(result.duration)
    return f"{moved} version {result.version_after} ({_count(len(result.applied))}, {took})"


def _print_plan(result: RunResult, printer: Printer) -> None:
    if result.created_version_table:
        printer.result("-- would create the version table (and its version 0 row)")
    for planned in result.planned:
        for line in plan_lines(planned):
            printer.result(line)
    for path in result.adopted:
        printer.result(f"-- would record the checksum of {path.name} (applied without sqlforge)")


def plan_lines(planned: PlannedMigration) -> list[str]:
    mode = "in a transaction" if planned.use_transaction else "NO TRANSACTION, autocommit"
    lines = [f"-- {planned.direction.value} {planned.name} ({mode})"]
    for statement in planned.statements:
        lines += [f"-- line {statement.line}", statement.text]
    return [*lines, ""]


def _duration(seconds: float) -> str:
    milliseconds = seconds * 1000
    return f"{milliseconds:.1f} ms" if milliseconds < 10 else f"{milliseconds:.0f} ms"


def _count(migrations: int) -> str:
    return f"{migrations} migration{'' if migrations == 1 else 's'}"


# Status -------------------------------------------------------------------------------------

_NOTES = {
    "modified": ("modified since applied", "red"),
    "unrecorded": ("checksum not recorded", "dim"),
}


def status_table(rows: Sequence[MigrationStatus], printer: Printer) -> list[str]:
    """An aligned table: version, file, applied time in UTC or Pending, and a note."""
    cells = [(str(row.version), row.name or "?", *_applied_cell(row), *_note(row)) for row in rows]
    header = ("Version", "Migration", "Applied at (UTC)", "", "", "")
    widths = [max(len(cell[i]) for cell in [header, *cells]) for i in range(3)]
    lines = [_table_line(header, widths, printer, header=True)]
    lines += [_table_line(cell, widths, printer) for cell in cells]
    return lines


def _applied_cell(row: MigrationStatus) -> tuple[str, str]:
    if row.state == "pending":
        return ("Pending", "yellow")
    when = row.applied_at.strftime("%Y-%m-%d %H:%M:%S") if row.applied_at else "(unknown time)"
    return (when, "green" if row.state == "applied" else "red")


def _note(row: MigrationStatus) -> tuple[str, str]:
    if row.state == "file-missing":
        return ("applied, but no file has this version", "red")
    if row.out_of_order:
        return ("out of order: older than the current version", "yellow")
    if row.checksum in _NOTES:
        return _NOTES[row.checksum]
    return ("", "")


def _table_line(
    cell: tuple[str, ...], widths: list[int], printer: Printer, *, header: bool = False
) -> str:
    version, name, applied, applied_style, note, note_style = cell
    parts = [
        version.rjust(widths[0]),
        name.ljust(widths[1]),
        printer.style(applied.ljust(widths[2]), applied_style) if applied_style else applied,
        printer.style(note, note_style) if note_style else note,
    ]
    line = "  ".join(parts).rstrip()
    return printer.style(line, "bold") if header else line


def _database_document(config: Config, database: Path, current: int) -> dict[str, Any]:
    return {
        "database": str(database),
        "database_exists": database.exists(),
        "version_table": config.version_table,
        "current_version": current,
    }


def _status_document(
    config: Config, database: Path, current: int, rows: Sequence[MigrationStatus]
) -> dict[str, Any]:
    return {
        **_database_document(config, database, current),
        "migrations": [_status_entry(row) for row in rows],
    }


def _status_entry(row: MigrationStatus) -> dict[str, Any]:
    return {
        "version": row.version,
        "file": row.name,
        "state": row.state,
        "applied_at": _iso(row.applied_at),
        "out_of_order": row.out_of_order,
        "checksum": row.checksum,
    }


def _version_document(
    config: Config, database: Path, current: int, rows: Sequence[MigrationStatus]
) -> dict[str, Any]:
    return {
        **_database_document(config, database, current),
        "latest_version": max((row.version for row in rows if row.path), default=0),
        "pending": sum(row.state == "pending" for row in rows),
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


# Command line -------------------------------------------------------------------------------


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    group = subparsers.add_parser(
        "migrate",
        parents=[common],
        help="apply, roll back and inspect migrations (goose-compatible)",
        description="goose-compatible SQLite migrations: `-- +goose Up/Down` files, the same"
        " goose_db_version table, plus checksums, foreign-key safety and a run lock.",
    )
    commands = group.add_subparsers(dest="migrate_command", metavar="COMMAND", required=True)
    for name, handler, summary, options in _COMMANDS:
        parser = commands.add_parser(name, parents=[common], help=summary, description=summary)
        for option in options:
            option(parser)
        parser.set_defaults(handler=handler)


def _version_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", metavar="VERSION", help="a migration's version number")


def _dry_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="print the statements that would run; change nothing"
    )


def _up_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="also apply migrations older than the current version that never ran",
    )
    parser.add_argument(
        "--allow-modified",
        action="store_true",
        help="accept applied migrations whose file was edited since (records the new checksum)",
    )
    _dry_run(parser)


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def _create_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", nargs="+", help="what the migration does")
    style = parser.add_mutually_exclusive_group()
    style.add_argument(
        "--timestamp",
        dest="style",
        action="store_const",
        const="timestamp",
        help="version the file with the UTC time (YYYYMMDDHHMMSS)",
    )
    style.add_argument(
        "--sequential",
        dest="style",
        action="store_const",
        const="sequential",
        help="version the file with the next sequential number",
    )
    parser.set_defaults(style="auto")


def _rollback_handler(command: Callable[..., int]) -> Handler:
    """`down`, `redo` and `reset` take the same single option."""
    return lambda args, config, printer: command(config, printer, dry_run=args.dry_run)


def _up_options(args: argparse.Namespace) -> dict[str, bool]:
    return {
        "allow_missing": args.allow_missing,
        "allow_modified": args.allow_modified,
        "dry_run": args.dry_run,
    }


_COMMANDS: list[tuple[str, Handler, str, list[Callable[[argparse.ArgumentParser], None]]]] = [
    (
        "up",
        lambda args, config, printer: up(config, printer, **_up_options(args)),
        "apply all pending migrations",
        [_up_flags],
    ),
    (
        "up-by-one",
        lambda args, config, printer: up_by_one(config, printer, **_up_options(args)),
        "apply the next pending migration",
        [_up_flags],
    ),
    (
        "up-to",
        lambda args, config, printer: up_to(config, printer, args.version, **_up_options(args)),
        "apply pending migrations up to and including VERSION",
        [_version_argument, _up_flags],
    ),
    (
        "down",
        _rollback_handler(down),
        "roll back the most recently applied migration",
        [_dry_run],
    ),
    (
        "down-to",
        lambda args, config, printer: down_to(config, printer, args.version, dry_run=args.dry_run),
        "roll back migrations until the version is VERSION (0: all)",
        [_version_argument, _dry_run],
    ),
    (
        "redo",
        _rollback_handler(redo),
        "roll back the most recently applied migration and apply it again",
        [_dry_run],
    ),
    (
        "reset",
        _rollback_handler(reset),
        "roll back every applied migration",
        [_dry_run],
    ),
    (
        "status",
        lambda args, config, printer: status(config, printer, as_json=args.json),
        "show every migration and when it was applied",
        [_json_flag],
    ),
    (
        "version",
        lambda args, config, printer: version(config, printer, as_json=args.json),
        "print the database's current version",
        [_json_flag],
    ),
    (
        "create",
        lambda args, config, printer: create(
            config, printer, " ".join(args.name), style=args.style
        ),
        "write a new migration file (continues the folder's numbering)",
        [_create_arguments],
    ),
    (
        "fix",
        lambda args, config, printer: fix(config, printer),
        "renumber timestamped migrations sequentially",
        [],
    ),
    (
        "validate",
        lambda args, config, printer: validate(config, printer),
        "check every migration file (and the database, if it exists); change nothing",
        [],
    ),
]
