"""`sqlforge check` and `invoke db.check` on a real generated project: fresh, every kind of
drift, diffs, JSON, colour, and input errors (exit code 2)."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shop_project import (
    GENERATED,
    append,
    copy_project,
    run,
    skip_if_sqlforge_edited,
    sqlforge,
    template,
)
from sqlforge.check import CheckResult, check, full_check
from sqlforge.config import load_config

NEW_QUERY = "\n-- name: DeleteOrder :exec\nDELETE FROM orders WHERE id = ?;\n"
NEW_MIGRATION = (
    "-- +goose Up\nALTER TABLE customers ADD COLUMN phone TEXT;\n\n"
    "-- +goose Down\nALTER TABLE customers DROP COLUMN phone;\n"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def generated_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template(tmp_path_factory)


@pytest.fixture
def shop(generated_shop: Path, tmp_path: Path) -> Path:
    return copy_project(generated_shop, tmp_path / "shop")


def stale_entries(shop: Path, *args: str) -> list[dict[str, Any]]:
    """The `stale` list of `sqlforge check --json` on a stale tree."""
    result = sqlforge(shop, "check", "--json", *args)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert (document["fresh"], document["fix"]) == (False, "invoke db.generate")
    entries: list[dict[str, Any]] = document["stale"]
    return entries


def statuses(entries: list[dict[str, Any]]) -> dict[str, str]:
    return {entry["path"]: entry["status"] for entry in entries}


# fresh


def test_a_freshly_generated_project_is_up_to_date_in_one_line(shop: Path) -> None:
    result = sqlforge(shop, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["up to date: 6 files (schema.sql and generated code)"]
    assert result.stderr == ""


def test_fresh_json(shop: Path) -> None:
    result = sqlforge(shop, "check", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "fresh": True,
        "fast_path": False,
        "checked": 6,
        "stale": [],
        "fix": None,
    }


def test_quiet_fresh_check_prints_nothing(shop: Path) -> None:
    result = sqlforge(shop, "check", "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# code drift


def test_a_query_changed_without_regenerating_is_stale_with_diff_and_fix(shop: Path) -> None:
    append(shop / "db/queries/orders.sql", NEW_QUERY)
    result = sqlforge(shop, "check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "changed: src/shop/db/orders.py (code drift: not what generate writes)"
    assert "--- a/src/shop/db/orders.py" in lines
    assert "+++ b/src/shop/db/orders.py" in lines
    assert '+DELETE FROM orders WHERE id = ?1"""' in lines
    assert "+    def delete_order(self, *, id: int) -> None:" in lines
    assert "stale: 1 file is not what generate writes (1 changed)" in lines
    assert lines[-1] == (
        "fix: run `invoke db.generate` (or `sqlforge generate`), then commit the result"
    )


def test_no_diff_lists_the_files_only(shop: Path) -> None:
    append(shop / "db/queries/orders.sql", NEW_QUERY)
    result = sqlforge(shop, "check", "--no-diff")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "changed: src/shop/db/orders.py (code drift: not what generate writes)",
        "stale: 1 file is not what generate writes (1 changed)",
        "fix: run `invoke db.generate` (or `sqlforge generate`), then commit the result",
    ]


def test_hand_edits_to_generated_files_are_stale(shop: Path) -> None:
    models = shop / "src/shop/db/models.py"
    models.write_text(models.read_text("utf-8").replace("total: float", "total: int"), "utf-8")
    [entry] = stale_entries(shop)
    assert (entry["path"], entry["status"], entry["kind"]) == (
        "src/shop/db/models.py",
        "changed",
        "code",
    )
    assert "-    total: int\n+    total: float\n" in entry["diff"]


def test_a_whitespace_only_edit_is_stale(shop: Path) -> None:
    append(shop / "src/shop/db/_runtime.py", "\n")
    assert statuses(stale_entries(shop)) == {"src/shop/db/_runtime.py": "changed"}


def test_line_endings_are_bytes_too(shop: Path) -> None:
    init = shop / "src/shop/db/__init__.py"
    init.write_bytes(init.read_bytes().replace(b"\n", b"\r\n"))
    [entry] = stale_entries(shop)
    assert entry["status"] == "changed"
    assert "CR line endings" in entry["diff"]


def test_missing_and_stray_generated_modules(shop: Path) -> None:
    (shop / "src/shop/db/customers.py").unlink()
    old = shop / "src/shop/db/old_orders.py"
    old.write_bytes((shop / "src/shop/db/orders.py").read_bytes())
    (shop / "src/shop/db/helpers.py").write_text("HAND_WRITTEN = True\n", "utf-8")
    entries = stale_entries(shop)
    assert statuses(entries) == {
        "src/shop/db/customers.py": "missing",
        "src/shop/db/old_orders.py": "stray",
    }
    diffs = {entry["path"]: entry["diff"] for entry in entries}
    assert diffs["src/shop/db/customers.py"].startswith(
        "--- /dev/null\n+++ b/src/shop/db/customers.py\n"
    )
    assert diffs["src/shop/db/old_orders.py"].startswith(
        "--- a/src/shop/db/old_orders.py\n+++ /dev/null\n"
    )


def test_generate_fixes_what_check_reports(shop: Path) -> None:
    append(shop / "db/queries/orders.sql", NEW_QUERY)
    (shop / "src/shop/db/stray.py").write_bytes((shop / "src/shop/db/orders.py").read_bytes())
    assert sqlforge(shop, "check").returncode == 1
    assert sqlforge(shop, "generate").returncode == 0
    result = sqlforge(shop, "check", "--full")
    assert result.returncode == 0, result.stdout
    assert not (shop / "src/shop/db/stray.py").exists()


# schema drift


def test_a_migration_without_a_new_schema_export_is_schema_drift(shop: Path) -> None:
    (shop / "db/migrations/0003_phone.sql").write_text(NEW_MIGRATION, "utf-8")
    entries = stale_entries(shop)
    assert statuses(entries) == {
        "db/schema.sql": "changed",
        "src/shop/db/models.py": "changed",
        "src/shop/db/customers.py": "changed",
    }
    schema = entries[0]
    assert schema["kind"] == "schema"
    added = [line for line in schema["diff"].splitlines() if line.startswith("+")]
    assert any("phone TEXT" in line for line in added)


def test_a_hand_edited_schema_file_is_schema_drift(shop: Path) -> None:
    append(shop / "db/schema.sql", "CREATE TABLE notes (body TEXT);\n")
    result = sqlforge(shop, "check")
    assert result.returncode == 1
    assert "changed: db/schema.sql (schema drift: not what the migrations export)" in (
        result.stdout.splitlines()
    )
    assert "-CREATE TABLE notes (body TEXT);" in result.stdout.splitlines()


def test_a_missing_schema_file(shop: Path) -> None:
    (shop / "db/schema.sql").unlink()
    entries = stale_entries(shop, "--no-diff")
    assert entries == [{"path": "db/schema.sql", "kind": "schema", "status": "missing"}]


# input errors


def test_a_bad_migration_is_an_input_error(shop: Path) -> None:
    (shop / "db/migrations/0003_broken.sql").write_text(
        "-- +goose Up\nCREATE TABLE broken (\n", "utf-8"
    )
    result = sqlforge(shop, "check")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: db/migrations/0003_broken.sql:2: ")
    assert "Traceback" not in result.stderr


def test_a_bad_query_is_an_input_error_as_in_generate(shop: Path) -> None:
    append(shop / "db/queries/customers.sql", "\n-- name: Bad :one\nSELECT nope FROM customers;\n")
    checked = sqlforge(shop, "check", "--json")
    generated = sqlforge(shop, "generate")
    assert checked.returncode == 2
    assert checked.stdout == ""
    assert "db/queries/customers.sql:11:8: no such column: nope" in checked.stderr
    assert checked.stderr == generated.stderr
    assert generated.returncode == 1


# presentation


def test_colour_on_request_only(shop: Path) -> None:
    append(shop / "db/queries/orders.sql", NEW_QUERY)
    plain = sqlforge(shop, "check")
    coloured = sqlforge(shop, "check", "--color", "always")
    assert not ANSI.search(plain.stdout)
    assert "\x1b[32m+    def delete_order(self, *, id: int) -> None:\x1b[0m" in coloured.stdout
    assert "\x1b[31;1mchanged:\x1b[0m" in coloured.stdout
    assert ANSI.sub("", coloured.stdout) == plain.stdout


# the invoke task and the library


def test_invoke_db_check_for_real(shop: Path) -> None:
    fresh = run(shop, sys.executable, "-m", "invoke", "db.check")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert fresh.stdout.startswith("up to date: 6 files")
    append(shop / GENERATED[1], "# edited\n")
    stale = run(shop, sys.executable, "-m", "invoke", "db.check", "--no-diff", "--json")
    assert stale.returncode == 1
    assert statuses(json.loads(stale.stdout)["stale"]) == {"src/shop/db/models.py": "changed"}


def test_the_library_returns_data(shop: Path) -> None:
    started = time.time()
    config = load_config(cwd=shop, environ={})
    first = check(config)
    assert first == CheckResult(drifts=(), checked=6, fast_path=False)
    if not check(config).fast_path:  # the fresh full check left a fingerprint
        skip_if_sqlforge_edited(started)
        pytest.fail("no fast path after a fresh full check")
    models = shop / "src/shop/db/models.py"
    expected = models.read_bytes()
    models.write_bytes(expected + b"# edited\n")
    [drift] = check(config).drifts
    assert (drift.path, drift.status, drift.schema) == (models, "changed", False)
    assert (drift.expected, drift.actual) == (expected, expected + b"# edited\n")
    assert full_check(config).counts() == {"changed": 1, "missing": 0, "stray": 0}
