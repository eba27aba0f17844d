"""`sqlforge check`: fail when schema.sql or the generated code is not what `generate` writes.

Exit codes: 0 fresh, 1 stale (a diff per file and the command that fixes it), 2 when the
inputs themselves are wrong (a bad migration or query, reported as `generate` reports it).
Start-up stays light: this module imports nothing heavy, and `sqlforge.check` answers from
fingerprints when it can (see `sqlforge.fingerprint`).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, Final

from sqlforge.config import Config
from sqlforge.errors import _display_path
from sqlforge.output import Printer

if TYPE_CHECKING:
    from sqlforge.check import CheckResult, Drift

EXIT_STALE: Final = 1
EXIT_INPUT_ERROR: Final = 2
_DIFF_STYLES: Final = (
    ("+++", "bold"),
    ("---", "bold"),
    ("+", "green"),
    ("-", "red"),
    ("@@", "cyan"),
)


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "check",
        parents=[common],
        help="fail when schema.sql or generated code is stale",
        description="Compare schema.sql and every generated module with what `generate`"
        " would write, byte for byte. Exit 0 when fresh, 1 when stale (with a diff), 2 when"
        " a migration or query has an error. Answers from fingerprints when nothing changed"
        " since the last generate or check.",
    )
    parser.add_argument(
        "--no-diff", dest="show_diff", action="store_false", help="list stale files only"
    )
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    parser.add_argument(
        "--full", action="store_true", help="always render and compare (skip the fingerprints)"
    )
    parser.set_defaults(handler=handler, input_error_code=EXIT_INPUT_ERROR)


def handler(args: argparse.Namespace, config: Config, printer: Printer) -> int:
    return check(config, printer, show_diff=args.show_diff, as_json=args.as_json, full=args.full)


def check(
    config: Config,
    printer: Printer,
    *,
    show_diff: bool = True,
    as_json: bool = False,
    full: bool = False,
) -> int:
    """Run the check and report it; returns the exit code."""
    from sqlforge.check import check as check_tree  # noqa: PLC0415  (rendering is deferred)

    result = check_tree(config, use_fingerprint=not full)
    if as_json:
        printer.result(json.dumps(document(result, config, show_diff=show_diff), indent=2))
    elif result.fresh:
        printer.info(fresh_line(result))
    else:
        report_stale(result, printer, show_diff=show_diff)
    return 0 if result.fresh else EXIT_STALE


def fresh_line(result: CheckResult) -> str:
    how = " (fingerprints unchanged)" if result.fast_path else ""
    return f"up to date: {result.checked} files (schema.sql and generated code){how}"


# stale


def report_stale(result: CheckResult, printer: Printer, *, show_diff: bool) -> None:
    for drift in result.drifts:
        printer.result(_drift_line(drift, printer))
        if show_diff:
            for line in drift.unified_diff(_display_path(drift.path)):
                printer.result(_styled(line, printer))
    printer.result(printer.style(_summary(result), "red", "bold"))
    printer.result(f"fix: run `{result.fix}` (or `sqlforge generate`), then commit the result")


_EXPLANATIONS: Final = {
    ("schema", "changed"): "schema drift: not what the migrations export",
    ("schema", "missing"): "schema drift: missing",
    ("code", "changed"): "code drift: not what generate writes",
    ("code", "missing"): "code drift: missing",
    ("code", "stray"): "code drift: generated, no longer produced; generate deletes it",
}


def _drift_line(drift: Drift, printer: Printer) -> str:
    explanation = _EXPLANATIONS[_kind(drift), drift.status]
    label = printer.style(f"{drift.status}:", "red", "bold")
    return f"{label} {_display_path(drift.path)} ({explanation})"


def _kind(drift: Drift) -> str:
    return "schema" if drift.schema else "code"


def _styled(line: str, printer: Printer) -> str:
    for prefix, style in _DIFF_STYLES:
        if line.startswith(prefix):
            return printer.style(line, style)
    return line


def _summary(result: CheckResult) -> str:
    parts = [f"{n} {status}" for status, n in result.counts().items() if n]
    files = "file is" if len(result.drifts) == 1 else "files are"
    return f"stale: {len(result.drifts)} {files} not what generate writes ({', '.join(parts)})"


# JSON


def document(result: CheckResult, config: Config, *, show_diff: bool = True) -> dict[str, Any]:
    """The `--json` report: stable keys, paths relative to the config root."""
    return {
        "fresh": result.fresh,
        "fast_path": result.fast_path,
        "checked": result.checked,
        "stale": [_drift_entry(drift, config, show_diff=show_diff) for drift in result.drifts],
        "fix": result.fix,
    }


def _drift_entry(drift: Drift, config: Config, *, show_diff: bool) -> dict[str, Any]:
    from sqlforge.generated import relative_inputs  # noqa: PLC0415  (only for --json)

    entry: dict[str, Any] = {
        "path": relative_inputs([drift.path], config.root),
        "kind": _kind(drift),
        "status": drift.status,
    }
    if show_diff:
        entry["diff"] = "\n".join(drift.unified_diff(entry["path"])) + "\n"
    return entry
