"""goose's migration format: our own fixtures for every rule and every error, plus properties.

Fixtures: `fixtures/sqlparser/valid/<case>/input.sql` with `expected.json` (statements per
direction as [line, text], use_transaction, optional env and warning lines), and
`fixtures/sqlparser/invalid/<case>.sql` with `<case>.expected` (per direction either the exact
goose message, line and a hint fragment, or the number of statements when that direction parses).
"""

from __future__ import annotations

import json
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqlforge.errors import SqlforgeError
from sqlforge.migration_files import MigrationFile, parse_migration
from sqlforge.sqlparser import (
    MAX_LINE_BYTES,
    Annotation,
    Direction,
    SqlParseError,
    ends_with_semicolon,
    extract_annotation,
    parse_sql,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sqlparser"
VALID = sorted(path for path in (FIXTURES / "valid").iterdir() if path.is_dir())
INVALID = sorted((FIXTURES / "invalid").glob("*.sql"))


def read_text(path: Path) -> str:
    # Bytes, then decode: universal-newline reading would hide the CRLF cases.
    return path.read_bytes().decode("utf-8")


# Fixtures --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VALID, ids=[path.name for path in VALID])
@pytest.mark.parametrize("direction", list(Direction), ids=lambda d: d.value)
def test_valid_fixture(case: Path, direction: Direction) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    parsed = parse_sql(read_text(case / "input.sql"), direction, expected.get("env", {}))
    got = [[statement.line, statement.text] for statement in parsed.statements]
    assert got == expected[direction.value]
    assert parsed.use_transaction is expected["use_transaction"]
    warned = [warning.line for warning in parsed.warnings]
    assert warned == expected.get("warnings", {}).get(direction.value, [])


@pytest.mark.parametrize("case", INVALID, ids=[path.stem for path in INVALID])
@pytest.mark.parametrize("direction", list(Direction), ids=lambda d: d.value)
def test_invalid_fixture(case: Path, direction: Direction) -> None:
    expected = json.loads(case.with_suffix(".expected").read_text(encoding="utf-8"))
    outcome: dict[str, Any] = expected[direction.value]
    text, environ = read_text(case), expected.get("env", {})
    if "statements" in outcome:
        assert len(parse_sql(text, direction, environ).statements) == outcome["statements"]
        return
    with pytest.raises(SqlParseError) as raised:
        parse_sql(text, direction, environ)
    assert raised.value.message == outcome["error"]
    assert raised.value.line == outcome["line"]
    assert raised.value.hint
    assert outcome.get("hint", "") in raised.value.hint


def test_fixtures_cover_both_kinds() -> None:
    assert len(VALID) >= 15
    assert len(INVALID) >= 40


# Annotations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "annotation"),
    [
        ("-- +goose Up", Annotation.UP),
        ("--+goose up", Annotation.UP),
        ("-- +goose   UP \t", Annotation.UP),
        ("-- +goose Up --", Annotation.UP),
        ("---- +goose Down", Annotation.DOWN),
        ("-- +goose statementBegin", Annotation.STATEMENT_BEGIN),
        ("-- +goose STATEMENTEND", Annotation.STATEMENT_END),
        ("-- +goose no transaction", Annotation.NO_TRANSACTION),
        ("-- +goose Envsub On", Annotation.ENVSUB_ON),
        ("-- +goose envsub off", Annotation.ENVSUB_OFF),
        ("--\u00a0+goose\u2003Up\u3000", Annotation.UP),  # Go's Unicode spaces are trimmed
        ("\v-- +goose Up", Annotation.UP),  # only space and tab count as leading whitespace
        (
            "-- +goose \u017ftatementBegin",
            Annotation.STATEMENT_BEGIN,
        ),  # EqualFold: long s
    ],
)
def test_extract_annotation(line: str, annotation: Annotation) -> None:
    assert extract_annotation(line) is annotation


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (" -- +goose Up", '" -- +goose Up" contains leading whitespace: invalid annotation'),
        ("\t-- +goose Up", '"\\t-- +goose Up" contains leading whitespace: invalid annotation'),
        (
            "-- +goose +goose Up",
            "\"  +goose Up\" contains multiple '+goose' annotations: invalid annotation",
        ),
        ("-- +goose", "empty annotation"),
        ("-- +goose -- --", "empty annotation"),
        ("-- +goose Upward", '"Upward" not supported: invalid annotation'),
        ("-- +goose ENVSUBST ON", '"ENVSUBST ON" not supported: invalid annotation'),
        ("-- +goose Up\x1f", '"Up\\x1f" not supported: invalid annotation'),
        ("-- +goose Do\u0131wn", '"Do\u0131wn" not supported: invalid annotation'),
        ("-- +goose Up\u200b", '"Up\\u200b" not supported: invalid annotation'),
        ("-- +goose Stra\u00dfe", '"Stra\u00dfe" not supported: invalid annotation'),
    ],
)
def test_extract_annotation_errors(line: str, message: str) -> None:
    with pytest.raises(SqlParseError) as raised:
        extract_annotation(line)
    assert raised.value.message == message
    assert raised.value.hint


# End of statement ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "ends"),
    [
        ("COMMIT;", True),
        ("COMMIT;   -- done", True),
        ("COMMIT  ;", True),
        ("COMMIT ; -- done ;", True),
        ("COMMIT -- done;", False),
        ("COMMIT -- ; done", False),
        ("COMMIT;-- glued", False),
        ("SELECT ';' AS x", False),
        ("SELECT 'x;' AS y; SELECT 1", False),
        ("SELECT 1; SELECT 2;", True),
        ("SELECT 1;\u00a0", True),
        ("SELECT 1;\x1c", False),
        ("SELECT 1;\u3000--c", True),
        ("", False),
        ("   ", False),
        (";", True),
        ("--;", False),
        ("a --x ;", False),
        ("/* x; */", False),
    ],
)
def test_ends_with_semicolon(line: str, ends: bool) -> None:
    assert ends_with_semicolon(line) is ends


# Lines: splitting and the 4 MiB limit ---------------------------------------------------------


def scan(raw_line: str, ending: str) -> list[str]:
    text = f"-- +goose Up\n{raw_line}{ending}" + ("SELECT 2;\n" if ending else "")
    return [statement.text for statement in parse_sql(text, Direction.UP, {}).statements]


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_line_just_under_the_limit_is_read(ending: str) -> None:
    # The limit counts the raw line: a `\r` before the `\n` is part of it.
    body = "x" * (MAX_LINE_BYTES - 1 - len(ending.rstrip("\n")) - len("SELECT '';"))
    statements = scan(f"SELECT '{body}';", ending)
    assert statements[0] == f"SELECT '{body}';"
    assert len(statements[0]) + len(ending.rstrip("\n")) == MAX_LINE_BYTES - 1


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_line_at_the_limit_is_a_scan_error(ending: str) -> None:
    raw_line = "x" * (MAX_LINE_BYTES - len(ending.rstrip("\n")))
    with pytest.raises(SqlParseError) as raised:
        scan(raw_line, ending)
    assert raised.value.message == "failed to scan migration: bufio.Scanner: token too long"
    assert raised.value.line == 2


def test_line_limit_counts_utf8_bytes() -> None:
    line = "SELECT '" + "\u00e9" * (MAX_LINE_BYTES // 2) + "';"
    with pytest.raises(SqlParseError, match="token too long"):
        scan(line, "\n")


def test_errors_before_a_long_line_win() -> None:
    text = "-- +goose Down\n" + "x" * MAX_LINE_BYTES + "\n"
    with pytest.raises(SqlParseError) as raised:
        parse_sql(text, Direction.UP, {})
    assert raised.value.line == 1


# ENVSUB reads the environment it is given ------------------------------------------------------


def test_envsub_uses_the_given_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FARM_FROM_PROCESS", "leaked")
    text = "-- +goose Up\n-- +goose ENVSUB ON\nSELECT '$FARM_FROM_PROCESS', '$FARM_GIVEN';\n"
    parsed = parse_sql(text, Direction.UP, {"FARM_GIVEN": "given"})
    assert [s.text for s in parsed.statements] == ["SELECT '', 'given';"]


# Through migration_files: the user-facing error -------------------------------------------------


def test_parse_error_becomes_sqlforge_error_with_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "0001_jobs.sql"
    path.write_text("-- +goose Up\nCREATE TABLE jobs (id INTEGER)\n-- +goose Down\n")
    with pytest.raises(SqlforgeError) as raised:
        parse_migration(MigrationFile(version=1, path=path), environ={})
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.path == path
    assert diagnostic.line == 2
    assert "missing semicolon?" in diagnostic.message
    assert diagnostic.hint is not None
    assert "StatementBegin" in diagnostic.hint


def test_valid_migration_parses_both_directions(tmp_path: Path) -> None:
    path = tmp_path / "0001_jobs.sql"
    path.write_text(
        "-- +goose Up\nCREATE TABLE jobs (id INTEGER);\n-- +goose Down\nDROP TABLE jobs;\n"
    )
    parsed = parse_migration(MigrationFile(version=1, path=path), environ={})
    assert [s.text for s in parsed.up.statements] == ["CREATE TABLE jobs (id INTEGER);"]
    assert [s.line for s in parsed.down.statements] == [4]


# Properties ------------------------------------------------------------------------------------

SQL_ALPHABET = string.ascii_letters + string.digits + " ,()'=*_."
sql_line = st.text(SQL_ALPHABET, min_size=1, max_size=30).filter(lambda s: s.strip(" ") != "")
statement_lines = st.lists(sql_line, min_size=1, max_size=4)
filler = st.sampled_from(["", "-- a note", "   ", "\t-- indented note"])


@st.composite
def migration(draw: st.DrawFn) -> tuple[str, list[tuple[int, str]], list[tuple[int, str]]]:
    """A well-formed file and the (line, text) of each statement per direction."""
    lines = ["-- +goose Up"]
    expected: dict[str, list[tuple[int, str]]] = {"up": [], "down": []}
    for section in ("up", "down"):
        if section == "down":
            lines.append("-- +goose Down")
        for drawn in draw(st.lists(statement_lines, max_size=4)):
            # goose drops blank and comment lines before a statement, but a whitespace-only
            # line already counts as its start, and keeps the comments after it.
            kept: list[tuple[int, str]] = []
            for note in draw(st.lists(filler, max_size=3)):
                lines.append(note)
                if kept or note == "   ":
                    kept.append((len(lines), note))
            body = [line.rstrip(" ") for line in drawn]
            body[-1] += ";"
            if draw(st.booleans()):
                lines.append("-- +goose StatementBegin")
                lines.extend(body)
                lines.append("-- +goose StatementEnd")
                first = len(lines) - len(body)
            else:
                lines.extend(body)
                first = len(lines) - len(body) + 1
            statement = kept + [(first + offset, line) for offset, line in enumerate(body)]
            start = next(number for number, line in statement if line.strip())
            text = "\n".join(line for _, line in statement).strip()
            expected[section].append((start, text))
    return "\n".join(lines) + "\n", expected["up"], expected["down"]


@given(migration())
@settings(max_examples=200, deadline=None)
def test_statements_come_back_as_written(
    case: tuple[str, list[tuple[int, str]], list[tuple[int, str]]],
) -> None:
    text, up, down = case
    for direction, expected in ((Direction.UP, up), (Direction.DOWN, down)):
        parsed = parse_sql(text, direction, {})
        assert [(s.line, s.text) for s in parsed.statements] == expected
        assert parsed.use_transaction is True


annotation_spelling = st.sampled_from(
    [f"-- +goose {a.value}" for a in Annotation] + ["--+goose up", "-- +goose", " -- +goose Up"]
)
any_line = st.one_of(
    annotation_spelling,
    sql_line,
    st.sampled_from(["", "SELECT 1;", "END;", "$1", "${X?}", "${X:-y}", "-- c", "\r"]),
    st.text(max_size=20),
)


@given(st.lists(any_line, max_size=12), st.sampled_from(list(Direction)), st.booleans())
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_parses_or_raises_sql_parse_error(
    lines: list[str], direction: Direction, crlf: bool
) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    physical_lines = text.count("\n") + 1
    try:
        parsed = parse_sql(text, direction, {"X": "x"})
    except SqlParseError as error:
        assert error.message
        assert error.hint
        assert error.line is None or 1 <= error.line <= physical_lines
        return
    for statement in parsed.statements:
        assert 1 <= statement.line <= physical_lines


@given(st.text(max_size=40), st.text(max_size=20))
def test_a_spaced_comment_never_changes_the_end_of_statement(line: str, comment: str) -> None:
    assert ends_with_semicolon(f"{line} --{comment}") is ends_with_semicolon(line)


# The conformance runner, on a miniature corpus of our own ---------------------------------------

RUNNER = Path(__file__).parent.parent / "conformance" / "goose_parser.py"


def write_mini_corpus(root: Path, golden: str) -> None:
    testdata = root / "goose-sqlparser" / "internal" / "sqlparser" / "testdata"
    files = {
        "valid-up/test01/input.sql": "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n",
        "valid-up/test01/01.up.golden.sql": golden,
        "envsub/test01/input.sql": "-- +goose ENVSUB ON\n-- +goose Up\nSELECT '$GOOSE_ENV_NAME';\n",
        "envsub/test01/01.up.golden.sql": "SELECT 'foo';",
        "invalid/up/a.sql": "-- +goose Up\nSELECT 1\n",
        "valid-txn/00001_create_users_table.sql": "-- +goose Up\nSELECT 1;\n",
        "valid-txn/00002_rename_root.sql": "-- +goose Up\nSELECT 1;\n",
        "valid-txn/00003_no_transaction.sql": "-- +goose NO TRANSACTION\n-- +goose Up\n",
    }
    for name, text in files.items():
        (testdata / name).parent.mkdir(parents=True, exist_ok=True)
        (testdata / name).write_text(text)
    cases = [
        {"test": "TestSemicolons", "line": "x; -- y", "ends_with_semicolon": True},
        {
            "test": "Test_extractAnnotation",
            "line": "-- +goose up",
            "want": "annotationUp",
            "expect_error": False,
        },
        {
            "test": "TestSplitStatements",
            "name": "one",
            "sql": "-- +goose Up\nSELECT 1;\n",
            "up_count": 1,
            "down_count": 0,
        },
        {
            "test": "TestParsingErrors",
            "name": "late",
            "sql": "SELECT 1;\n",
            "direction": "up",
            "expect_error": True,
        },
    ]
    (root / "goose-sqlparser" / "inline_cases.json").write_text(json.dumps(cases))
    (root / "goose-migrations" / "m").mkdir(parents=True)
    (root / "goose-migrations" / "m" / "00001_a.sql").write_text("-- +goose Up\nSELECT 1;\n")


def run_runner(root: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(RUNNER), str(root)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_conformance_runner_passes_a_matching_corpus(tmp_path: Path) -> None:
    write_mini_corpus(tmp_path, golden="SELECT 1;")
    result = run_runner(tmp_path)
    assert result.stdout.splitlines() == ["goose parser conformance: 15 passed, 0 failed"]
    assert result.returncode == 0


def test_conformance_runner_reports_each_failing_check(tmp_path: Path) -> None:
    write_mini_corpus(tmp_path, golden="SELECT 1; ")
    result = run_runner(tmp_path)
    *failures, summary = result.stdout.splitlines()
    assert summary == "goose parser conformance: 14 passed, 1 failed"
    assert len(failures) == 1
    assert failures[0].startswith("FAIL valid-up/test01 up 01.up.golden.sql: statement differs")
    assert result.returncode == 1
