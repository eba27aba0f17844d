"""Check sqlforge's migration parser against goose's own parser test data.

    python conformance/goose_parser.py CORPORA

CORPORA is the corpora folder (see its README.md): `goose-sqlparser/internal/sqlparser/testdata/`
and `goose-sqlparser/inline_cases.json` hold goose v3.27.3's parser fixtures and inline cases,
`goose-migrations/` real migration folders. The data stays outside the repository; this script
only reads it. Prints one line per failing check, then
`goose parser conformance: N passed, M failed`; exits 1 when anything failed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlforge.sqlparser import (
    Annotation,
    Direction,
    ParsedSQL,
    SqlParseError,
    ends_with_semicolon,
    extract_annotation,
    parse_sql,
)

# The environment goose's TestEnvsub sets; nothing else is set (ANOTHER_VAR must be unset).
ENVSUB_ENVIRON = {
    "GOOSE_ENV_REGION": "us_east_",
    "GOOSE_ENV_SET_BUT_EMPTY_VALUE": "",
    "GOOSE_ENV_NAME": "foo",
}
# goose's TestUseTransactions.
TRANSACTION_MODES = {
    "00001_create_users_table.sql": True,
    "00002_rename_root.sql": True,
    "00003_no_transaction.sql": False,
}
# goose's names for the annotations in Test_extractAnnotation.
ANNOTATION_NAMES = {
    "annotationUp": Annotation.UP,
    "annotationDown": Annotation.DOWN,
    "annotationStatementBegin": Annotation.STATEMENT_BEGIN,
    "annotationStatementEnd": Annotation.STATEMENT_END,
    "annotationNoTransaction": Annotation.NO_TRANSACTION,
    "annotationEnvsubOn": Annotation.ENVSUB_ON,
    "annotationEnvsubOff": Annotation.ENVSUB_OFF,
}


@dataclass(frozen=True)
class Check:
    name: str
    problem: str | None  # None when the check passed


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.problem is not None]

    @property
    def summary(self) -> str:
        failed = len(self.failures)
        passed = len(self.checks) - failed
        return f"goose parser conformance: {passed} passed, {failed} failed"


def run_conformance(corpora: Path) -> Report:
    """Every check, in a stable order; the importable entry point."""
    testdata = corpora / "goose-sqlparser" / "internal" / "sqlparser" / "testdata"
    checks = [
        *_golden_checks(testdata / "valid-up", {}, (Direction.UP,)),
        *_golden_checks(testdata / "envsub", ENVSUB_ENVIRON, tuple(Direction)),
        *_invalid_up_checks(testdata / "invalid" / "up"),
        *_transaction_checks(testdata / "valid-txn"),
        *_inline_checks(corpora / "goose-sqlparser" / "inline_cases.json"),
        *_migration_folder_checks(corpora / "goose-migrations"),
    ]
    return Report(tuple(checks))


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python conformance/goose_parser.py CORPORA_FOLDER", file=sys.stderr)
        return 2
    report = run_conformance(Path(args[0]))
    for check in report.failures:
        print(f"FAIL {check.name}: {check.problem}")
    print(report.summary)
    return 1 if report.failures else 0


# Checks --------------------------------------------------------------------------------------


def _outcome(name: str, test: Callable[[], str | None]) -> Check:
    """Run one check; a crash of the parser is a failure of that check, not of the run."""
    try:
        return Check(name, test())
    except Exception as error:  # any crash is a finding to report
        return Check(name, f"crashed: {type(error).__name__}: {error}")


def _missing(name: str, path: Path) -> Iterator[Check]:
    if not path.exists():
        yield Check(name, f"{path} does not exist")


def _golden_checks(
    folder: Path, environ: Mapping[str, str], directions: tuple[Direction, ...]
) -> Iterator[Check]:
    yield from _missing(folder.name, folder)
    cases = sorted(path for path in folder.glob("*") if path.is_dir()) if folder.is_dir() else []
    if folder.is_dir() and not cases:
        yield Check(folder.name, "no test cases found")
    for case in cases:
        for direction in directions:
            yield from _golden_case(case, environ, direction)


def _golden_case(case: Path, environ: Mapping[str, str], direction: Direction) -> Iterator[Check]:
    label = f"{case.parent.name}/{case.name} {direction.value}"
    text = (case / "input.sql").read_text(encoding="utf-8")
    try:
        parsed = parse_sql(text, direction, environ)
    except SqlParseError as error:
        yield Check(label, f"unexpected error: {error.message}")
        return
    goldens = _goldens(case, direction)
    count_problem = None
    if len(parsed.statements) != len(goldens):
        count_problem = f"{len(parsed.statements)} statements, {len(goldens)} golden files"
    yield Check(f"{label} count", count_problem)
    for index, golden in goldens.items():
        yield _outcome(f"{label} {golden.name}", partial(_compare, parsed, index, golden))


def _goldens(case: Path, direction: Direction) -> dict[int, Path]:
    """NN.<direction>.golden.sql by statement index (0-based), as goose's compareStatements."""
    goldens = case.glob(f"*.{direction.value}.golden.sql")
    return {int(path.name.split(".", 1)[0]) - 1: path for path in sorted(goldens)}


def _compare(parsed: ParsedSQL, index: int, golden: Path) -> str | None:
    if index >= len(parsed.statements):
        return "no such statement"
    got = parsed.statements[index].text.encode("utf-8")
    want = golden.read_bytes()
    if got == want:
        return None
    at = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), None)
    at = min(len(got), len(want)) if at is None else at
    return (
        f"statement differs from byte {at}: got {got[at : at + 40]!r},"
        f" want {want[at : at + 40]!r} ({len(got)} vs {len(want)} bytes)"
    )


def _invalid_up_checks(folder: Path) -> Iterator[Check]:
    yield from _missing("invalid/up", folder)
    files = sorted(folder.glob("*.sql"))
    if folder.is_dir() and not files:
        yield Check("invalid/up", "no test cases found")
    for path in files:
        text = path.read_text(encoding="utf-8")
        yield _outcome(f"invalid/up/{path.name}", partial(_expect_error, text, Direction.UP))


def _expect_error(text: str, direction: Direction) -> str | None:
    try:
        parsed = parse_sql(text, direction, {})
    except SqlParseError:
        return None
    return f"parsed without error into {len(parsed.statements)} statements"


def _transaction_checks(folder: Path) -> Iterator[Check]:
    found = {path.name for path in folder.glob("*.sql")}
    for name in sorted(found - TRANSACTION_MODES.keys()):
        yield Check(f"valid-txn/{name}", "no expected transaction mode for this file")
    for name, expected in TRANSACTION_MODES.items():
        path = folder / name
        yield _outcome(f"valid-txn/{name}", partial(_transaction, path, expected))


def _transaction(path: Path, expected: bool) -> str | None:
    if not path.is_file():
        return f"{path} does not exist"
    text = path.read_text(encoding="utf-8")
    modes = {parse_sql(text, d, {}).use_transaction for d in Direction}
    if modes != {expected}:
        return f"use_transaction {sorted(modes)}, expected {expected}"
    return None


def _inline_checks(path: Path) -> Iterator[Check]:
    yield from _missing("inline_cases.json", path)
    if not path.is_file():
        return
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    if not cases:
        yield Check("inline_cases.json", "no cases found")
    for number, case in enumerate(cases, start=1):
        kind = case.get("test", "?")
        checker = _INLINE_CHECKERS.get(kind)
        label = f"inline {number} {kind} {case.get('name', case.get('line', ''))!r}"
        if checker is None:
            yield Check(label, f"unknown kind of case {kind!r}")
            continue
        yield from checker(label, case)


def _split_case(label: str, case: dict[str, Any]) -> Iterator[Check]:
    for direction, key in ((Direction.UP, "up_count"), (Direction.DOWN, "down_count")):
        yield _outcome(
            f"{label} {direction.value}",
            partial(_count, case["sql"], direction, case[key]),
        )


def _count(text: str, direction: Direction, expected: int) -> str | None:
    try:
        parsed = parse_sql(text, direction, {})
    except SqlParseError as error:
        return f"unexpected error: {error.message}"
    if len(parsed.statements) != expected:
        return f"{len(parsed.statements)} statements, expected {expected}"
    return None


def _error_case(label: str, case: dict[str, Any]) -> Iterator[Check]:
    direction = Direction(case.get("direction", "up"))
    if not case.get("expect_error", True):
        yield _outcome(label, lambda: _count(case["sql"], direction, len(case.get("stmts", []))))
        return
    yield _outcome(label, lambda: _expect_error(case["sql"], direction))


def _semicolon_case(label: str, case: dict[str, Any]) -> Iterator[Check]:
    def test() -> str | None:
        got = ends_with_semicolon(case["line"])
        return None if got == case["ends_with_semicolon"] else f"got {got}"

    yield _outcome(label, test)


def _annotation_case(label: str, case: dict[str, Any]) -> Iterator[Check]:
    def test() -> str | None:
        try:
            got = extract_annotation(case["line"])
        except SqlParseError as error:
            return None if case["expect_error"] else f"unexpected error: {error.message}"
        if case["expect_error"]:
            return f"expected an error, got {got}"
        want = ANNOTATION_NAMES.get(case["want"])
        return None if got is want else f"got {got}, expected {case['want']}"

    yield _outcome(label, test)


_INLINE_CHECKERS: dict[str, Callable[[str, dict[str, Any]], Iterator[Check]]] = {
    "TestSplitStatements": _split_case,
    "TestParsingErrors": _error_case,
    "TestSemicolons": _semicolon_case,
    "Test_extractAnnotation": _annotation_case,
}


def _migration_folder_checks(folder: Path) -> Iterator[Check]:
    """Real migrations goose runs: both directions parse, with one transaction mode."""
    yield from _missing("goose-migrations", folder)
    files = sorted(folder.rglob("*.sql"))
    if folder.is_dir() and not files:
        yield Check("goose-migrations", "no migrations found")
    for path in files:
        name = f"goose-migrations/{path.relative_to(folder)}"
        yield _outcome(name, partial(_parses_both_ways, path))


def _parses_both_ways(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8")
    try:
        modes = {parse_sql(text, d, {}).use_transaction for d in Direction}
    except SqlParseError as error:
        return f"line {error.line}: {error.message}"
    return None if len(modes) == 1 else "up and down disagree on the transaction mode"


if __name__ == "__main__":
    sys.exit(main())
