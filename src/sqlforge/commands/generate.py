"""`sqlforge generate`: migrate fresh, export schema.sql, and generate the package."""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

from sqlforge.config import Config
from sqlforge.errors import _display_path
from sqlforge.output import Printer


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "generate",
        parents=[common],
        help="export schema.sql and generate models (and query modules)",
        description="Build a fresh database from the migrations, export schema.sql, and"
        " generate the output package. Only files whose bytes change are written; generated"
        " modules that are no longer produced are removed.",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat query-analysis warnings (untyped columns, ...) as errors",
    )
    parser.set_defaults(handler=_handler)


def _handler(args: argparse.Namespace, config: Config, printer: Printer) -> int:
    return generate(config, printer, strict=args.strict)


def generate(config: Config, printer: Printer, *, strict: bool = False) -> int:
    """Run the whole generation; returns the exit code. `strict` (or `strict = true` in the
    config) turns analysis warnings into errors."""
    from sqlforge import generate as generation  # noqa: PLC0415  (imports the heavy parts)

    if strict:
        config = dataclasses.replace(config, strict=True)
    started = time.perf_counter()
    result = generation.generate(config, printer)
    for path in result.written:
        printer.info(f"wrote {_display_path(path)}")
    for path in result.removed:
        printer.info(f"removed {_display_path(path)}")
    elapsed = time.perf_counter() - started
    total = len(result.written) + len(result.unchanged)
    printer.info(
        f"generated {total} files: {len(result.written)} changed, {len(result.unchanged)}"
        f" unchanged, {len(result.removed)} removed ({elapsed:.2f}s)"
    )
    return 0
