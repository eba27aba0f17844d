"""The sqlc conformance runner (conformance/sqlc_analysis.py) on a miniature corpus of our own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).parent.parent / "conformance" / "sqlc_analysis.py"
TESTDATA = "internal/endtoend/testdata"
SCHEMA = "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, bio TEXT);\n"


def sqlc_column(name: str, type_name: str, *, not_null: bool) -> dict[str, Any]:
    return {
        "name": name,
        "not_null": not_null,
        "is_sqlc_slice": False,
        "type": {"name": type_name},
        "embed_table": None,
    }


def write_case(root: Path, name: str, query: str, sqlc: dict[str, Any] | str) -> None:
    """One case: schema, query and config under sqlc-sqlite, sqlc's verdict beside it."""
    case = root / "sqlc-sqlite" / TESTDATA / name / "sqlite"
    case.mkdir(parents=True)
    (case / "schema.sql").write_text(SCHEMA)
    (case / "query.sql").write_text(query)
    config = {"version": "2", "sql": [{"engine": "sqlite", "schema": "schema.sql"}]}
    config["sql"][0]["queries"] = "query.sql"
    (case / "sqlc.json").write_text(json.dumps(config))
    analysis = root / "sqlc-sqlite-analysis" / TESTDATA / name / "sqlite"
    analysis.mkdir(parents=True)
    if isinstance(sqlc, str):
        (analysis / "stderr.txt").write_text(sqlc)
    else:
        (analysis / "codegen_request.0.json").write_text(json.dumps({"queries": [sqlc]}))
    with (root / "sqlc-sqlite" / "CASES.tsv").open("a") as cases:
        cases.write(f"{TESTDATA}/{name}/sqlite\tsqlc.json\n")


def run_runner(corpora: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(RUNNER), str(corpora), *flags]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def write_mini_corpus(root: Path) -> None:
    agreeing = {
        "name": "GetAuthor",
        "params": [{"number": 1, "column": sqlc_column("id", "INTEGER", not_null=True)}],
        "columns": [
            sqlc_column("name", "TEXT", not_null=True),
            sqlc_column("bio", "TEXT", not_null=False),
        ],
    }
    write_case(
        root,
        "agree",
        "-- name: GetAuthor :one\nSELECT name, bio FROM authors WHERE id = ?;\n",
        agreeing,
    )
    summing = {
        "name": "Total",
        "params": [],
        "columns": [sqlc_column("sum", "real", not_null=False)],
    }
    write_case(root, "sum", "-- name: Total :one\nSELECT sum(id) FROM authors;\n", summing)
    write_case(
        root,
        "rejected",
        "-- name: Bad :one\nSELECT nope FROM authors;\n",
        '# package querytest\nquery.sql:1:1: column "nope" does not exist\n',
    )


def test_the_runner_reports_agreement_and_classifies_sqlcs_weaknesses(tmp_path: Path) -> None:
    write_mini_corpus(tmp_path)
    result = run_runner(tmp_path, "--all")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "cases sqlc analyses: 2 (2 queries compared)" in lines
    assert "cases both reject: 1 (rejected/sqlite)" in lines
    assert any(line.split()[:2] == ["column", "types"] and "2/3" in line for line in lines)
    assert any("SUM of integers is an integer" in line and "[sqlc wrong]" in line for line in lines)
    assert any("sum/sqlite Total column 1 (sum): column types" in line for line in lines)
    assert any(line.strip().startswith("all") and "right 100.0%" in line for line in lines)


def test_queries_only_sqlforge_rejects_are_listed(tmp_path: Path) -> None:
    accepted = {
        "name": "Attached",
        "params": [],
        "columns": [sqlc_column("id", "INTEGER", not_null=True)],
    }
    write_case(
        tmp_path, "attached", "-- name: Attached :many\nSELECT id FROM baz.users;\n", accepted
    )
    result = run_runner(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "queries sqlc accepts and sqlforge rejects: 1" in result.stdout
    assert "attached/sqlite Attached: query.sql:2:1: no such table: baz.users" in result.stdout


def test_written_out_stars_are_compared_with_sqlcs_text(tmp_path: Path) -> None:
    columns = [
        sqlc_column("id", "INTEGER", not_null=True),
        sqlc_column("name", "TEXT", not_null=True),
        sqlc_column("bio", "TEXT", not_null=False),
    ]
    same = {"name": "All", "params": [], "columns": columns}
    same["text"] = "SELECT authors.id, authors.name, authors.bio FROM authors"
    write_case(tmp_path, "same", "-- name: All :many\nSELECT * FROM authors;\n", same)
    differing = {"name": "Two", "params": [], "columns": columns[:2]}
    differing["text"] = "SELECT id, name FROM authors"
    write_case(tmp_path, "differ", "-- name: Two :many\nSELECT * FROM authors;\n", differing)
    result = run_runner(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "stars written out: 2 queries, 1 with sqlc's column list" in result.stdout
    listed = "  differ/sqlite Two: ours 'SELECT id, name, bio FROM authors', sqlc 'SELECT id, name"
    assert listed in result.stdout
    assert "same/sqlite All" not in result.stdout
