"""Inputs that used to escape as internal errors, and exit codes of input errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SQLFORGE = [sys.executable, "-m", "sqlforge"]


def project(tmp_path: Path, migration: bytes, query: bytes | None = None) -> Path:
    (tmp_path / "db" / "migrations").mkdir(parents=True)
    (tmp_path / "db" / "queries").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sqlforge]\ndatabase = "app.sqlite"\nout = "gen"\n', encoding="utf-8"
    )
    (tmp_path / "db" / "migrations" / "0001_a.sql").write_bytes(migration)
    if query is not None:
        (tmp_path / "db" / "queries" / "a.sql").write_bytes(query)
    return tmp_path


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SQLFORGE, *args], cwd=cwd, capture_output=True, text=True, check=False)


GOOD_MIGRATION = b"-- +goose Up\nCREATE TABLE a (id INTEGER PRIMARY KEY, b TEXT);\n"


@pytest.mark.parametrize("command", [["migrate", "up"], ["migrate", "validate"], ["generate"]])
def test_nul_in_a_migration_is_an_input_error(tmp_path: Path, command: list[str]) -> None:
    root = project(tmp_path, GOOD_MIGRATION + b"SELECT 1\0;\n")
    result = run(root, *command)
    assert result.returncode == 1
    assert "db/migrations/0001_a.sql:3: migration contains a NUL character" in result.stderr
    assert not (root / "app.sqlite").exists()


def test_nul_in_a_query_file_is_an_input_error(tmp_path: Path) -> None:
    root = project(
        tmp_path, GOOD_MIGRATION, b"-- name: GetA :one\nSELECT b FROM a WHERE b = \0?;\n"
    )
    result = run(root, "generate")
    assert result.returncode == 1
    assert "db/queries/a.sql:2:27: query file contains a NUL character" in result.stderr
    assert not (root / "gen").exists()
    assert run(root, "check").returncode == 2


def test_check_reports_config_errors_with_the_input_error_code(tmp_path: Path) -> None:
    root = project(tmp_path, GOOD_MIGRATION)
    (root / "pyproject.toml").write_text("[tool.sqlforge]\nbogus = 1\n", encoding="utf-8")
    result = run(root, "check")
    assert result.returncode == 2
    assert "pyproject.toml:2: unknown key `bogus`" in result.stderr
    assert run(root, "migrate", "status").returncode == 1
