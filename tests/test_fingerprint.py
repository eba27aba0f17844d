"""The fast path of `sqlforge check`: it answers from fingerprints without importing the heavy
parts, every kind of input change sends it to the full check, and (property) it never calls a
stale tree fresh."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shop_project import (
    CACHE,
    append,
    copy_project,
    run,
    skip_if_sqlforge_edited,
    sqlforge,
    sqlforge_edited_since,
    template,
)
from sqlforge import fingerprint
from sqlforge.check import full_check
from sqlforge.config import Config, load_config
from sqlforge.errors import SqlforgeError

HEAVY = ("apsw", "sqlglot", "datamodel_code_generator")
PROBE = """
import json, sys
from sqlforge.main import main
code = main(sys.argv[2:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1].split(",")))
print(json.dumps({"code": code, "heavy": heavy}))
"""


@pytest.fixture(scope="module")
def generated_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template(tmp_path_factory)


def shop_config(root: Path) -> Config:
    return load_config(cwd=root, environ={})


@pytest.fixture
def started() -> float:
    return time.time()


@pytest.fixture
def shop(generated_shop: Path, tmp_path: Path, started: float) -> Path:
    """A copy whose fingerprint is recorded (by a fresh full check, in-process)."""
    root = copy_project(generated_shop, tmp_path / "shop")
    assert full_check(shop_config(root)).fresh
    return root


def checked(root: Path, *args: str, **env: str) -> dict[str, object]:
    result = sqlforge(root, "check", "--json", *args, **env)
    assert result.returncode in {0, 1}, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def fast_path(root: Path, started: float, *args: str, **env: str) -> bool:
    """Whether the check answered from the fingerprint (skips the test when sqlforge itself
    was edited meanwhile, as happens in a shared development tree)."""
    taken = checked(root, *args, **env)["fast_path"] is True
    if not taken:
        skip_if_sqlforge_edited(started)
    return taken


def probe(root: Path, *args: str) -> dict[str, object]:
    """Run the CLI in a process that then reports which heavy packages it imported."""
    command = [sys.executable, "-c", PROBE, ",".join(HEAVY), *args]
    result = run(root, *command)
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return document


# the fast path


def test_the_fast_path_imports_none_of_the_heavy_parts(shop: Path, started: float) -> None:
    report = probe(shop, "check")
    if report["heavy"]:
        skip_if_sqlforge_edited(started)
    assert report == {"code": 0, "heavy": []}


def test_the_full_check_does_import_them(shop: Path) -> None:
    """The probe above can fail: a full check imports all three."""
    assert probe(shop, "check", "--full") == {"code": 0, "heavy": sorted(HEAVY)}


def test_generate_records_the_fingerprint_for_the_next_check(
    generated_shop: Path, tmp_path: Path, started: float
) -> None:
    root = copy_project(generated_shop, tmp_path / "shop")
    assert checked(root)["fast_path"] is False  # a copy is a new checkout: no record
    assert sqlforge(root, "generate").returncode == 0
    assert fast_path(root, started)
    assert checked(root) == {
        "fresh": True,
        "fast_path": True,
        "checked": 6,
        "stale": [],
        "fix": None,
    }


def test_the_record_is_a_git_ignored_cache(shop: Path) -> None:
    cache = shop / CACHE
    [record] = cache.glob("check-*.json")
    assert (cache / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    document = json.loads(record.read_text("utf-8"))
    assert sorted(document) == ["format", "inputs", "listing", "outputs"]
    assert len(document["outputs"]) == 6
    assert document["listing"] == [
        "__init__.py",
        "_runtime.py",
        "customers.py",
        "models.py",
        "orders.py",
    ]


def test_the_cli_and_the_library_agree_on_the_fingerprint(shop: Path, started: float) -> None:
    """Recorded in-process by the fixture, matched by a `python -m sqlforge` process."""
    assert fast_path(shop, started)


def test_full_skips_the_fingerprint(shop: Path) -> None:
    assert checked(shop, "--full")["fast_path"] is False


@pytest.mark.parametrize(
    "change",
    [
        "touch every file",
        "edit an unrelated file",
        "set an unrelated environment variable",
    ],
)
def test_what_cannot_change_the_output_keeps_the_fast_path(
    shop: Path, started: float, change: str
) -> None:
    environ: dict[str, str] = {}
    if change == "touch every file":
        for path in shop.rglob("*"):
            os.utime(path)
    elif change == "edit an unrelated file":
        append(shop / "README.md", "More words.\n")
    else:
        environ["SHOP_UNRELATED"] = "1"
    assert fast_path(shop, started, **environ)


CHANGES = {
    "migration comment": ("db/migrations/0001_customers.sql", "-- a comment\n"),
    "query whitespace": ("db/queries/orders.sql", "\n"),
    "config comment": ("pyproject.toml", "# a comment\n"),
    "override class": ("src/shop/types.py", "\n\nclass Other(enum.StrEnum):\n    X = 'x'\n"),
    "override package": ("src/shop/__init__.py", "# a comment\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_input_counts(shop: Path, started: float, change: str) -> None:
    """Even a change that leaves the outputs alone takes the full check, once."""
    path, text = CHANGES[change]
    append(shop / path, text)
    assert checked(shop) == {
        "fresh": True,
        "fast_path": False,
        "checked": 6,
        "stale": [],
        "fix": None,
    }
    assert fast_path(shop, started)  # the fresh full check recorded the new state


def test_a_new_module_beside_the_project_counts(shop: Path) -> None:
    """Generated imports are grouped by whether a module belongs to the project."""
    (shop / "src" / "extra.py").write_text("X = 1\n", "utf-8")
    assert checked(shop)["fast_path"] is False


def test_the_installed_tools_count(shop: Path, tmp_path: Path) -> None:
    """Another datamodel-code-generator first on sys.path: not the fast path's to vouch for;
    the full check finds it is not the pinned release."""
    site = tmp_path / "site"
    (site / "datamodel_code_generator-9.9.9.dist-info").mkdir(parents=True)
    result = sqlforge(shop, "check", PYTHONPATH=str(site))
    assert result.returncode == 2
    assert "needs datamodel-code-generator 0.89.0" in result.stderr
    assert "hint: pip install datamodel-code-generator==0.89.0 (the release" in result.stderr


def test_environment_variables_of_envsub_migrations(shop: Path, started: float) -> None:
    (shop / "db/migrations/0003_envsub.sql").write_text(
        "-- +goose Up\n-- +goose ENVSUB ON\n"
        "CREATE TABLE settings (region TEXT NOT NULL DEFAULT '${SHOP_REGION:-eu}');\n"
        "-- +goose ENVSUB OFF\n\n-- +goose Down\nDROP TABLE settings;\n",
        "utf-8",
    )
    assert sqlforge(shop, "generate", SHOP_REGION="us").returncode == 0
    assert fast_path(shop, started, SHOP_REGION="us")
    stale = checked(shop, SHOP_REGION="asia")
    assert (stale["fast_path"], stale["fresh"]) == (False, False)
    unset = checked(shop)
    assert (unset["fast_path"], unset["fresh"]) == (False, False)


def test_a_stale_check_records_nothing(shop: Path) -> None:
    [record] = (shop / CACHE).glob("check-*.json")
    before = record.read_bytes()
    append(shop / "src/shop/db/models.py", "# edited\n")
    assert checked(shop)["fresh"] is False
    assert record.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": 1}', b'{"format": 999}'])
def test_a_damaged_record_means_a_full_check(shop: Path, started: float, content: bytes) -> None:
    [record] = (shop / CACHE).glob("check-*.json")
    record.write_bytes(content)
    assert checked(shop)["fast_path"] is False
    assert fast_path(shop, started)


# the property: never fresh for a stale tree

TARGETS = (
    "db/migrations/0001_customers.sql",
    "db/migrations/0002_orders.sql",
    "db/queries/customers.sql",
    "db/queries/orders.sql",
    "db/schema.sql",
    "src/shop/db/models.py",
    "src/shop/db/orders.py",
    "src/shop/db/_runtime.py",
    "src/shop/db/__init__.py",
    "pyproject.toml",
)
SNIPPETS = (b"\n", b" ", b"-- note\n", b"# note\n", b"x", b";", b"\xff", b"\r\n")
# No NUL bytes: the migration engine does not report them as input errors yet (the full
# check would crash, which says nothing about the fast path).
data = st.sampled_from(SNIPPETS) | st.binary(min_size=1, max_size=6).filter(lambda b: 0 not in b)
targets = st.sampled_from(TARGETS)


@dataclass(frozen=True)
class Edit:
    kind: str
    target: str = ""
    data: bytes = b""
    position: int = 0
    byte: int = 0


edits = st.one_of(
    st.builds(Edit, st.just("append"), targets, data),
    st.builds(
        Edit, st.just("alter"), targets, position=st.integers(0, 10_000), byte=st.integers(1, 255)
    ),
    st.builds(Edit, st.just("delete"), targets),
    st.builds(Edit, st.just("stray"), st.sampled_from(("old.py", "orders_v1.py", "zz.py"))),
    st.builds(Edit, st.just("hand-written"), st.sampled_from(("helpers.py", "extra.py"))),
    st.builds(Edit, st.just("migration"), data=data),
)

no_op_edits = st.builds(Edit, st.sampled_from(("rewrite", "touch")), targets)
"""Bytes stay as they are (mtimes do not): the fast path must still answer."""


def apply(root: Path, edit: Edit) -> bool:
    """Apply one edit; True when it may have changed a byte of the tree."""
    if edit.kind == "migration":
        migration = b"-- +goose Up\nCREATE TABLE extra (x TEXT);\n" + edit.data
        (root / "db/migrations/0003_new.sql").write_bytes(migration)
        return True
    if edit.kind in {"stray", "hand-written"}:
        orders = root / "src/shop/db/orders.py"
        content = orders.read_bytes() if edit.kind == "stray" and orders.exists() else b"X = 1\n"
        (root / "src/shop/db" / edit.target).write_bytes(content)
        return True
    path = root / edit.target
    return path.exists() and _edit_file(path, edit)


def _edit_file(path: Path, edit: Edit) -> bool:
    content = path.read_bytes()
    if edit.kind == "append":
        path.write_bytes(content + edit.data)
    elif edit.kind == "alter" and content:
        position = edit.position % len(content)
        path.write_bytes(content[:position] + bytes([edit.byte]) + content[position + 1 :])
        return content[position] != edit.byte
    elif edit.kind == "delete":
        path.unlink()
    elif edit.kind == "rewrite":
        path.write_bytes(content)
        return False
    elif edit.kind == "touch":
        os.utime(path, (0, 0))
        return False
    return True


class Snapshot:
    """Every file of a tree (the fingerprint record included), to put the tree back."""

    def __init__(self, root: Path, taken: float) -> None:
        self.root = root
        self.taken = taken
        self.files = {path: path.read_bytes() for path in self._files()}

    def _files(self) -> Iterator[Path]:
        return (path for path in self.root.rglob("*") if path.is_file())

    def restore(self) -> None:
        for path in list(self._files()):
            if path not in self.files:
                path.unlink()
        for path, content in self.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != content:
                path.write_bytes(content)


@pytest.fixture(scope="module")
def property_shop(
    generated_shop: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Snapshot]:
    root = copy_project(generated_shop, tmp_path_factory.mktemp("property") / "shop")
    started = time.time()
    assert full_check(shop_config(root)).fresh
    yield Snapshot(root, started)
    shutil.rmtree(root)


def full_verdict(root: Path) -> str:
    try:
        return "fresh" if full_check(shop_config(root)).fresh else "stale"
    except SqlforgeError:
        return "error"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(changes=st.lists(edits | no_op_edits, max_size=3) | st.lists(no_op_edits, max_size=2))
def test_the_fast_path_never_calls_a_stale_tree_fresh(
    property_shop: Snapshot, changes: list[Edit]
) -> None:
    root = property_shop.root
    property_shop.restore()
    changed = [apply(root, edit) for edit in changes]
    try:
        config = shop_config(root)
    except SqlforgeError:
        return  # the config itself is broken: no check gets as far as a verdict
    fast_fresh = fingerprint.fresh_record(config) is not None
    verdict = full_verdict(root)
    event(f"fast path {'fresh' if fast_fresh else 'unsure'}, full check {verdict}")
    if fast_fresh:
        assert verdict == "fresh", changes
    if not any(changed) and not sqlforge_edited_since(property_shop.taken):
        assert fast_fresh, changes  # and the fast path does answer for an untouched tree
