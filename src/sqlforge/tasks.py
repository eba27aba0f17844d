"""invoke tasks: the `db` collection, importable by any project.

    # tasks.py
    from invoke import Collection
    from sqlforge.tasks import db

    namespace = Collection(db)

Each task is a thin layer over the same command functions the `sqlforge` CLI calls, and errors
are reported by the same `sqlforge.main.run_command`, so `invoke db.migrate-up` and
`sqlforge migrate up` behave and print alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task, task

from sqlforge.commands import check as check_command
from sqlforge.commands import generate as generate_command
from sqlforge.commands import migrate, schema
from sqlforge.config import Config
from sqlforge.main import run_command
from sqlforge.output import Printer

if TYPE_CHECKING:
    from sqlforge.authoring import Style

COMMON_HELP = {
    "db": "database file (default: `database` from the config)",
    "config": "TOML config file (default: [tool.sqlforge] in pyproject.toml)",
    "quiet": "print only results",
    "debug": "show a traceback on errors",
}
UP_HELP = {
    **COMMON_HELP,
    "allow-missing": "also apply migrations older than the database version",
    "allow-modified": "continue past migrations edited since they were applied",
    "dry-run": "print the statements that would run; change nothing",
}


def _run(
    command: Callable[[Config, Printer], int],
    *,
    db: str | None = None,
    config: str | None = None,
    quiet: bool = False,
    debug: bool = False,
    input_error_code: int | None = None,
) -> None:
    exit_code = run_command(
        command,
        config_file=Path(config) if config else None,
        database=Path(db) if db else None,
        quiet=quiet,
        debug=debug,
        input_error_code=input_error_code,
    )
    if exit_code:
        raise Exit(code=exit_code)


@task(help=UP_HELP)
def migrate_up(
    c: Context,
    db: str | None = None,
    config: str | None = None,
    allow_missing: bool = False,
    allow_modified: bool = False,
    dry_run: bool = False,
    quiet: bool = False,
    debug: bool = False,
) -> None:
    """Apply every pending migration to the database (creating it if needed)."""

    _run(
        lambda cfg, out: migrate.up(
            cfg, out, allow_missing=allow_missing, allow_modified=allow_modified, dry_run=dry_run
        ),
        db=db,
        config=config,
        quiet=quiet,
        debug=debug,
    )


def _rollback_task(command: Callable[..., int], summary: str) -> Task[Callable[..., None]]:
    """A task over one of the commands that roll back: they share their options."""

    def body(
        c: Context,
        db: str | None = None,
        config: str | None = None,
        dry_run: bool = False,
        quiet: bool = False,
        debug: bool = False,
    ) -> None:
        _run(
            lambda cfg, out: command(cfg, out, dry_run=dry_run),
            db=db,
            config=config,
            quiet=quiet,
            debug=debug,
        )

    body.__doc__ = summary
    body.__name__ = command.__name__
    made: Task[Callable[..., None]] = task(
        help={**COMMON_HELP, "dry-run": UP_HELP["dry-run"]}, name=f"migrate-{command.__name__}"
    )(body)
    return made


migrate_down = _rollback_task(migrate.down, "Roll back the most recently applied migration.")
migrate_redo = _rollback_task(
    migrate.redo, "Roll back the most recently applied migration and apply it again."
)
migrate_reset = _rollback_task(
    migrate.reset, "Roll back every applied migration, highest version first."
)


@task(help={**COMMON_HELP, "json": "machine-readable output"})
def migrate_status(
    c: Context,
    db: str | None = None,
    config: str | None = None,
    json: bool = False,
    quiet: bool = False,
    debug: bool = False,
) -> None:
    """Show every migration with the time it was applied, or Pending."""

    _run(
        lambda cfg, out: migrate.status(cfg, out, as_json=json),
        db=db,
        config=config,
        quiet=quiet,
        debug=debug,
    )


@task(help={"version": "the version to end at (0 rolls everything back)", **UP_HELP})
def migrate_to(
    c: Context,
    version: str,
    db: str | None = None,
    config: str | None = None,
    allow_missing: bool = False,
    allow_modified: bool = False,
    dry_run: bool = False,
    quiet: bool = False,
    debug: bool = False,
) -> None:
    """Migrate up or down to VERSION, whichever way it lies from the current version."""

    def to_version(cfg: Config, out: Printer) -> int:
        from sqlforge.migrate import current_version  # noqa: PLC0415  (`invoke --list` stays light)

        target = migrate.parse_version(version, allow_zero=True)
        current = current_version(
            cfg.require_database(), table=cfg.version_table, lock_timeout=cfg.lock_timeout
        )
        if target < current or target == 0:  # 0 is no migration's version: never up
            return migrate.down_to(cfg, out, target, dry_run=dry_run)
        return migrate.up_to(
            cfg,
            out,
            target,
            allow_missing=allow_missing,
            allow_modified=allow_modified,
            dry_run=dry_run,
        )

    _run(to_version, db=db, config=config, quiet=quiet, debug=debug)


@task(
    help={
        "name": "what the migration does, e.g. 'add job deadline'",
        "timestamp": "number it with the UTC time (YYYYMMDDHHMMSS) instead of the next number",
        "config": COMMON_HELP["config"],
        "debug": COMMON_HELP["debug"],
    }
)
def new_migration(
    c: Context,
    name: str,
    timestamp: bool = False,
    config: str | None = None,
    debug: bool = False,
) -> None:
    """Create the next migration file from the goose template."""

    style: Style = "timestamp" if timestamp else "auto"
    _run(
        lambda cfg, out: migrate.create(cfg, out, name, style=style),
        config=config,
        debug=debug,
    )


@task(
    help={
        "from-db": "export this existing database file instead of a fresh build from migrations",
        "config": COMMON_HELP["config"],
        "quiet": COMMON_HELP["quiet"],
        "debug": COMMON_HELP["debug"],
    }
)
def export_schema(
    c: Context,
    from_db: str | None = None,
    config: str | None = None,
    quiet: bool = False,
    debug: bool = False,
) -> None:
    """Write schema.sql from a fresh database built from the migrations."""

    source = Path(from_db).resolve() if from_db else None
    _run(
        lambda cfg, out: schema.export_schema(cfg, out, from_db=source),
        config=config,
        quiet=quiet,
        debug=debug,
    )


@task(
    help={
        "strict": "treat analysis warnings (untypable columns) as errors",
        "config": COMMON_HELP["config"],
        "quiet": COMMON_HELP["quiet"],
        "debug": COMMON_HELP["debug"],
    }
)
def generate(
    c: Context,
    strict: bool = False,
    config: str | None = None,
    quiet: bool = False,
    debug: bool = False,
) -> None:
    """Migrate a fresh database, export schema.sql, generate models and query modules."""
    _run(
        lambda cfg, out: generate_command.generate(cfg, out, strict=strict),
        config=config,
        quiet=quiet,
        debug=debug,
    )


@task(
    help={
        "no-diff": "list stale files without their diffs",
        "json": "machine-readable output",
        "full": "always render and compare (skip the fingerprints of the last run)",
        "config": COMMON_HELP["config"],
        "quiet": COMMON_HELP["quiet"],
        "debug": COMMON_HELP["debug"],
    }
)
def check(
    c: Context,
    no_diff: bool = False,
    json: bool = False,
    full: bool = False,
    config: str | None = None,
    quiet: bool = False,
    debug: bool = False,
) -> None:
    """Fail when schema.sql or generated code is not what db.generate would write."""
    _run(
        lambda cfg, out: check_command.check(
            cfg, out, show_diff=not no_diff, as_json=json, full=full
        ),
        config=config,
        quiet=quiet,
        debug=debug,
        input_error_code=check_command.EXIT_INPUT_ERROR,
    )


db = Collection(
    "db",
    migrate_up,
    migrate_down,
    migrate_status,
    migrate_to,
    migrate_redo,
    migrate_reset,
    new_migration,
    export_schema,
    generate,
    check,
)
