"""`sqlforge schema export`: write schema.sql from the migrations (or from a database file)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlforge.config import Config
from sqlforge.errors import _display_path
from sqlforge.output import Printer

STDOUT = Path("-")


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    schema = subparsers.add_parser("schema", parents=[common], help="export the schema")
    commands = schema.add_subparsers(dest="command", metavar="COMMAND", required=True)
    export = commands.add_parser(
        "export",
        parents=[common],
        help="write schema.sql from a fresh database built from the migrations",
        description="Write the schema as SQLite stores it, in the format Go projects commit."
        " By default a fresh in-memory database is built from the migration files.",
    )
    export.add_argument(
        "--from-db",
        type=Path,
        metavar="PATH",
        help="export this existing database file instead (opened read-only)",
    )
    export.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="write here instead of the configured `schema` file ('-' for stdout)",
    )
    export.set_defaults(handler=_export_handler)


def _export_handler(args: argparse.Namespace, config: Config, printer: Printer) -> int:
    return export_schema(
        config,
        printer,
        from_db=_absolute(getattr(args, "from_db", None)),
        output=_absolute(getattr(args, "output", None)),
    )


def export_schema(
    config: Config, printer: Printer, *, from_db: Path | None = None, output: Path | None = None
) -> int:
    """Export the schema to `output` (default: the configured `schema` file; `Path("-")` for
    stdout), writing only when the bytes change. Returns the exit code."""
    from sqlforge.generated import GeneratedFile, write_if_changed  # noqa: PLC0415
    from sqlforge.schema_export import (  # noqa: PLC0415
        schema_from_database,
        schema_from_migrations,
    )

    text = schema_from_database(from_db, config) if from_db else schema_from_migrations(config)
    if output == STDOUT:
        printer.result(text.rstrip("\n"))
        return 0
    target = output or config.schema
    changed = write_if_changed(GeneratedFile.from_text(target, text))
    state = "wrote" if changed else "unchanged:"
    printer.info(f"{state} {_display_path(target)}")
    return 0


def _absolute(path: Path | None) -> Path | None:
    if path is None or path == STDOUT:
        return path
    return path.resolve()
