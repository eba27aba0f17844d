"""The `sqlforge` command line: parses arguments and dispatches, nothing else.

Each command group lives in `sqlforge.commands.<group>` and exposes `register(subparsers,
common)`; its handlers take the parsed arguments, the loaded `Config` and a `Printer`, and
return an exit code. Heavy imports happen inside handlers so that `sqlforge check` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlforge import __version__
from sqlforge.config import Config, load_config
from sqlforge.errors import SqlforgeError
from sqlforge.output import Printer, make_printer

COMMAND_GROUPS = ("migrate", "schema", "generate", "check")
EXIT_INTERRUPTED = 130
EXIT_INTERNAL_ERROR = 3


def common_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after the command name."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--config", type=Path, metavar="FILE", help="TOML config file")
    common.add_argument("--db", type=Path, metavar="PATH", help="database file")
    common.add_argument("--dir", type=Path, metavar="DIR", help="migrations folder")
    common.add_argument("-q", "--quiet", action="store_true", help="print only results")
    common.add_argument(
        "--color", choices=("auto", "always", "never"), help="colour output (default: auto)"
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="sqlforge",
        description="SQL-first SQLite tooling: migrations, schema export, typed code.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"sqlforge {__version__}")
    subparsers = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        module = importlib.import_module(f"sqlforge.commands.{group}")
        module.register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(
        lambda config, printer: int(args.handler(args, config, printer)),
        config_file=getattr(args, "config", None),
        database=getattr(args, "db", None),
        migrations=getattr(args, "dir", None),
        quiet=getattr(args, "quiet", False),
        color=getattr(args, "color", "auto"),
        debug=getattr(args, "debug", False),
        input_error_code=getattr(args, "input_error_code", None),
    )


def run_command(
    command: Callable[[Config, Printer], int],
    *,
    config_file: Path | None = None,
    database: Path | None = None,
    migrations: Path | None = None,
    quiet: bool = False,
    color: str = "auto",
    debug: bool = False,
    input_error_code: int | None = None,
) -> int:
    """Load the configuration, run one command, and turn every failure into an exit code.

    The CLI and the invoke tasks both come through here, so they report errors identically.
    `input_error_code` replaces the exit code of every input error, configuration included,
    for commands whose other failures need a code of their own (`check`: 1 means stale).
    """
    printer = make_printer(color=color, quiet=quiet)
    try:
        config = load_config(config_file).with_overrides(
            database=_absolute(database), migrations=_absolute(migrations)
        )
        return command(config, printer)
    except SqlforgeError as error:
        if debug:
            traceback.print_exc()
        for diagnostic in error.diagnostics:
            printer.error(diagnostic.render())
        return error.exit_code if input_error_code is None else input_error_code
    except KeyboardInterrupt:
        printer.error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`sqlforge migrate status | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:
        if debug:
            raise
        printer.error(
            "internal error in sqlforge (a bug, not your input); "
            "run again with --debug for the traceback and report it"
        )
        return EXIT_INTERNAL_ERROR


def _absolute(path: Path | None) -> Path | None:
    return None if path is None else path.resolve()


if __name__ == "__main__":
    sys.exit(main())
