"""Models through datamodel-code-generator: every model type generated, imported, type-checked
(mypy --strict and ruff, for real) and used against SQLite; the plan; the JSON Schema; the
`generate` command."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import RunCli
from sqlforge.catalog import load_catalog
from sqlforge.config import Config, load_config
from sqlforge.errors import SqlforgeError
from sqlforge.generate import generate, prepare, render, render_outputs
from sqlforge.models import GENERATOR_VERSION, Model, plan_models
from sqlforge.output import Printer
from sqlforge.sqltypes import TypeMapper

REPO = Path(__file__).parent.parent
MODEL_TYPES = ("dataclass", "pydantic", "typeddict", "msgspec")

MIGRATION = """\
-- +goose Up
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    flag BOOLEAN NOT NULL,
    ratio REAL,
    price NUMERIC NOT NULL,
    name TEXT NOT NULL,
    "class" VARCHAR(20),
    data BLOB,
    created_at DATETIME NOT NULL,
    date DATE,
    settings JSON NOT NULL,
    extra JSON,
    anything,
    "int" INTEGER,
    json TEXT,
    field TEXT,
    status TEXT NOT NULL,
    level INTEGER,
    ref UUID
);
CREATE TABLE decimals (id INTEGER PRIMARY KEY, amount DECIMAL(10, 2) NOT NULL);
CREATE TABLE category_labels (item_id INTEGER NOT NULL REFERENCES items (id), label TEXT);
CREATE VIEW flagged_items AS SELECT id, name, status FROM items WHERE flag;

-- +goose Down
DROP VIEW flagged_items;
DROP TABLE category_labels;
DROP TABLE decimals;
DROP TABLE items;
"""

TYPES_MODULE = """\
from __future__ import annotations

import enum


class Status(enum.StrEnum):
    NEW = "new"
    DONE = "done"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2
"""


def write_project(root: Path, model_type: str, *, extra: str = "") -> Config:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "demo_types.py").write_text(TYPES_MODULE)
    (root / "db" / "migrations").mkdir(parents=True, exist_ok=True)
    (root / "db" / "migrations" / "0001_items.sql").write_text(MIGRATION)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "demo"

            [tool.sqlforge]
            migrations = "db/migrations"
            schema = "db/schema.sql"
            out = "src/{model_type}_db"
            models = "{model_type}"
            json_schema = "db/schema.json"
            {extra}
            [tool.sqlforge.overrides]
            "items.status" = "demo_types:Status"
            "items.level" = "demo_types:Level"
            """
        )
    )
    return load_config(cwd=root, environ={})


def query_module(model: Model) -> str:
    """What the query compiler will write beside models.py, built from the same plan and the
    same conversion helpers: keyword-only parameters in, a model out."""
    imports = {f.python_type.import_line for f in model.fields if f.python_type.import_line}
    parameters = ", ".join(f"{f.name}: {f.annotation}" for f in model.fields)
    columns = ", ".join(f'"{f.column.name}"' for f in model.fields)
    marks = ", ".join("?" for _ in model.fields)
    values = "".join(
        f"            {f.python_type.write_expression(f.name, nullable=f.nullable, runtime='_runtime')},\n"  # noqa: E501
        for f in model.fields
    )
    fields = "".join(
        f"        {f.name}="
        f"{f.python_type.read_expression(f'row[{i}]', f'{model.table.name}.{f.column.name}', nullable=f.nullable, runtime='_runtime')},\n"  # noqa: E501
        for i, f in enumerate(model.fields)
    )
    return (
        "from __future__ import annotations\n\nimport sqlite3\n"
        + "".join(f"{line}\n" for line in sorted(imports))
        + f"\nfrom . import _runtime\nfrom .models import {model.name}\n\n\n"
        + f"def insert(connection: sqlite3.Connection, *, {parameters}) -> None:\n"
        + f"    connection.execute(\n        'INSERT INTO {model.table.name} ({columns})'\n"
        + f"        ' VALUES ({marks})',\n        (\n{values}        ),\n    )\n\n\n"
        + f"def get(connection: sqlite3.Connection, id_: int) -> {model.name} | None:\n"
        + f"    row = connection.execute(\n        'SELECT {columns} FROM {model.table.name}"
        + " WHERE id = ?', (id_,)\n    ).fetchone()\n"
        + "    if row is None:\n        return None\n"
        + f"    return {model.name}(\n{fields}    )\n"
    )


@dataclass(frozen=True)
class Generated:
    root: Path
    config: Config
    package: Path
    models: tuple[Model, ...]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    root = tmp_path_factory.mktemp("projects")
    result = {}
    for model_type in MODEL_TYPES:
        project = root / model_type
        config = write_project(project, model_type)
        generate(config, Printer(quiet=True))
        models = prepare(config).models
        package = project / "src" / f"{model_type}_db"
        item = next(m for m in models if m.table.name == "items")
        (package / "item_queries.py").write_text(query_module(item))
        result[model_type] = Generated(project, config, package, models)
    return result


@pytest.fixture(scope="module")
def imported(generated: dict[str, Generated]) -> Iterator[dict[str, Any]]:
    paths = [str(g.root / "src") for g in generated.values()]
    sys.path[:0] = paths
    try:
        yield {kind: importlib.import_module(f"{kind}_db.item_queries") for kind in generated}
    finally:
        for path in paths:
            sys.path.remove(path)


def test_generated_packages_pass_mypy_strict(generated: dict[str, Generated]) -> None:
    """One mypy run over the four packages, each with a query module beside models.py."""
    root = next(iter(generated.values())).root.parent
    for kind, item in generated.items():
        (root / f"check_{kind}").mkdir(exist_ok=True)
        (root / f"check_{kind}" / "demo_types.py").write_text(TYPES_MODULE)
        target = root / f"check_{kind}" / f"{kind}_db"
        if not target.exists():
            target.symlink_to(item.package, target_is_directory=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-version=3.11",
            f"--cache-dir={root / '.mypy_cache'}",
            *[str(root / f"check_{kind}" / f"{kind}_db") for kind in generated],
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env={"MYPYPATH": ":".join(str(root / f"check_{k}") for k in generated), "PATH": ""},
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found in 16 source files" in result.stdout


def test_generated_packages_pass_ruff(generated: dict[str, Generated]) -> None:
    packages = [str(g.package) for g in generated.values()]
    generated_only = [
        f"--extend-exclude={g.package / 'item_queries.py'}" for g in generated.values()
    ]
    config = f"--config={REPO / 'pyproject.toml'}"
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", config, *generated_only, *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    form = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", config, *generated_only, *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    assert form.returncode == 0, form.stdout + form.stderr


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_models_round_trip_through_sqlite(
    model_type: str, generated: dict[str, Generated], imported: dict[str, Any]
) -> None:
    import sqlite3

    queries = imported[model_type]
    schema = (generated[model_type].root / "db" / "schema.sql").read_text()
    connection = sqlite3.connect(":memory:")
    connection.executescript(schema)
    values: dict[str, Any] = {
        "id": 7,
        "flag": True,
        "ratio": 0.25,
        "price": Decimal("19.99"),
        "name": "frame",
        "class_": "b",
        "data": b"\x00\xff",
        "created_at": datetime(2026, 1, 31, 11, 5, 0, 250000, tzinfo=timezone(timedelta(hours=2))),
        "date": date(2026, 2, 1),
        "settings": {"frames": [1, 2, 3], "name": "é"},
        "extra": None,
        "anything": 3,
        "int_": 5,
        "json_" if model_type == "pydantic" else "json": "text",
        "field_" if model_type == "msgspec" else "field": "f",
        "status": sys.modules["demo_types"].Status.DONE,
        "level": sys.modules["demo_types"].Level.HIGH,
        "ref": "0f8e",
    }
    queries.insert(connection, **values)
    stored = connection.execute("SELECT flag, created_at, settings, level FROM items").fetchone()
    assert stored == (1, "2026-01-31 09:05:00.250000+00:00", '{"frames":[1,2,3],"name":"é"}', 2)
    item = queries.get(connection, 7)
    read = item if isinstance(item, dict) else {k: getattr(item, k) for k in values}
    assert read == values
    assert read["created_at"].tzinfo is UTC
    assert type(read["status"]) is sys.modules["demo_types"].Status


def test_unreadable_values_name_table_column_and_value(imported: dict[str, Any]) -> None:
    import sqlite3

    queries = imported["dataclass"]
    connection = sqlite3.connect(":memory:")
    connection.executescript(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, flag, ratio, price, name, class, data,"
        " created_at, date, settings, extra, anything, int, json, field, status, level, ref);"
        "INSERT INTO items (id, flag, price, name, created_at, settings, status)"
        " VALUES (1, 1, 1, 'n', 'yesterday', '{}', 'new');"
    )
    with pytest.raises(ValueError, match=r"items\.created_at: cannot convert 'yesterday'"):
        queries.get(connection, 1)


def test_models_hold_one_class_per_table_and_view(generated: dict[str, Generated]) -> None:
    text = (generated["dataclass"].package / "models.py").read_text()
    assert text.startswith("# Generated by sqlforge ")
    assert "from db/schema.sql. Do not edit; run `invoke db.generate`." in text
    classes = [line for line in text.splitlines() if line.startswith("class ")]
    assert classes == [
        "class CategoryLabel:",
        "class DecimalModel:",
        "class Item:",
        "class FlaggedItem:",
    ]
    assert "@dataclass(slots=True)" in text
    assert "from demo_types import Level, Status" in text
    assert "from ._runtime import JsonValue" in text
    assert "Any" not in text


def test_generation_is_byte_identical_across_runs(generated: dict[str, Generated]) -> None:
    for item in generated.values():
        first = render_outputs(item.config)
        second = render_outputs(item.config)
        assert first == second
        for file in first:
            assert file.path.read_bytes() == file.content


def test_every_output_of_generate(generated: dict[str, Generated]) -> None:
    item = generated["pydantic"]
    names = sorted(p.name for p in item.package.iterdir() if p.suffix == ".py")
    assert names == ["__init__.py", "_runtime.py", "item_queries.py", "models.py"]
    runtime = (item.package / "_runtime.py").read_text()
    assert runtime.startswith("# Generated by sqlforge ")
    assert re.search(r"^\s*(from|import) sqlforge", runtime, re.MULTILINE) is None
    assert (item.root / "db" / "schema.sql").read_text().startswith("-- Generated by sqlforge")


def test_json_schema_has_a_definition_per_table_and_view(generated: dict[str, Generated]) -> None:
    document = json.loads((generated["dataclass"].root / "db" / "schema.json").read_text())
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$comment"].startswith("Generated by sqlforge ")
    assert list(document["$defs"]) == ["CategoryLabel", "DecimalModel", "Item", "FlaggedItem"]
    item = document["$defs"]["Item"]
    assert item["x-sqlite-table"] == "items"
    assert item["x-sqlite-kind"] == "table"
    assert item["additionalProperties"] is False
    assert item["required"] == list(item["properties"])
    properties = item["properties"]
    assert list(properties)[:8] == [
        "id",
        "flag",
        "ratio",
        "price",
        "name",
        "class_",
        "data",
        "created_at",
    ]
    assert properties["id"] == {
        "type": "integer",
        "x-sqlite-column": "id",
        "x-sqlite-type": "INTEGER",
    }
    assert properties["ratio"]["anyOf"] == [{"type": "number"}, {"type": "null"}]
    assert properties["created_at"]["format"] == "date-time"
    assert properties["class_"]["x-sqlite-column"] == "class"
    assert properties["status"]["enum"] == ["new", "done"]
    assert properties["level"]["anyOf"][0] == {"enum": [1, 2]}
    view = document["$defs"]["FlaggedItem"]
    assert view["x-sqlite-kind"] == "view"
    assert view["properties"]["status"]["enum"] == ["new", "done"]


# the plan


@pytest.fixture(scope="module")
def catalog_sql() -> str:
    return (
        "CREATE TABLE jobs (id INTEGER PRIMARY KEY, json TEXT, field TEXT, int INTEGER,"
        ' date DATE, "class" TEXT);\n'
        "CREATE TABLE job (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE decimals (id INTEGER PRIMARY KEY, v DECIMAL);\n"
    )


@pytest.mark.parametrize(
    ("model_type", "fields"),
    [
        ("dataclass", ["id", "json", "field", "int_", "date", "class_"]),
        ("typeddict", ["id", "json", "field", "int_", "date", "class_"]),
        ("pydantic", ["id", "json_", "field", "int_", "date", "class_"]),
        ("msgspec", ["id", "json", "field_", "int_", "date", "class_"]),
    ],
)
def test_field_names_avoid_what_each_model_type_reserves(
    catalog_sql: str, model_type: str, fields: list[str]
) -> None:
    models = plan_models(load_catalog(catalog_sql), TypeMapper(), model_type=model_type)
    assert [f.name for f in models[0].fields] == fields
    assert [m.name for m in models] == ["Job", "Job2", "DecimalModel"]


def test_rename_map_sets_field_names(catalog_sql: str) -> None:
    models = plan_models(
        load_catalog(catalog_sql),
        TypeMapper(),
        rename={"jobs.class": "category", "id": "key"},
    )
    assert [f.name for f in models[0].fields][:1] == ["key"]
    assert models[0].fields[-1].name == "category"
    assert models[2].field_for("ID") == models[2].fields[0]


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ({"jobs.class": "class"}, "`rename` entry `jobs.class` = `class` is not a usable"),
        ({"jobs.class": "two words"}, "is not a usable field name"),
        ({"jobs.class": "int"}, "is not a usable field name"),
        ({"jobs.nope": "x"}, "`rename` entry `jobs.nope` names a column the schema does not have"),
        ({"nope.id": "x"}, "names a table the schema does not have"),
    ],
)
def test_bad_rename_entries_are_errors(
    catalog_sql: str, rename: dict[str, str], message: str, tmp_path: Path
) -> None:
    source = tmp_path / "pyproject.toml"
    with pytest.raises(SqlforgeError, match=message) as caught:
        plan_models(load_catalog(catalog_sql), TypeMapper(), rename=rename, config_source=source)
    assert caught.value.diagnostics[0].path == source


def test_override_of_a_missing_column_is_an_error(tmp_path: Path) -> None:
    config = write_project(tmp_path, "dataclass")
    text = config.source.read_text() if config.source else ""
    assert config.source is not None
    config.source.write_text(text + '"items.nope" = "str"\n')
    with pytest.raises(SqlforgeError) as caught:
        render(load_config(cwd=tmp_path, environ={}))
    diagnostic = caught.value.diagnostics[0]
    assert (
        diagnostic.message
        == "`overrides` entry `items.nope` names a column the schema does not have"
    )
    assert diagnostic.path == config.source
    assert diagnostic.line == 14
    assert not (tmp_path / "src" / "dataclass_db").exists()


def test_unmapped_declared_types_are_warned_about(generated: dict[str, Generated]) -> None:
    warnings = render(generated["dataclass"].config).warnings
    assert [w.message for w in warnings] == [
        "items.ref: declared type UUID has no Python mapping (SQLite gives it NUMERIC"
        " affinity); typed as `object`"
    ]
    assert warnings[0].hint is not None
    assert '"items.ref" = "str"' in warnings[0].hint


def test_generate_removes_stale_generated_modules_only(tmp_path: Path) -> None:
    config = write_project(tmp_path, "dataclass")
    package = tmp_path / "src" / "dataclass_db"
    package.mkdir(parents=True)
    stale = package / "old_queries.py"
    stale.write_text("# Generated by sqlforge 0.0.1 from db/queries/old.sql. Do not edit.\nX = 1\n")
    by_hand = package / "service.py"
    by_hand.write_text("X = 1\n")
    result = generate(config, Printer(quiet=True))
    assert result.removed == (stale,)
    assert not stale.exists()
    assert by_hand.exists()
    assert len(result.written) == 5
    again = generate(config, Printer(quiet=True))
    assert again.written == ()
    assert len(again.unchanged) == 5


# the command line, for real


def test_cli_generate(tmp_path: Path, sqlforge: RunCli) -> None:
    write_project(tmp_path, "msgspec")
    first = sqlforge("generate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[:5] == [
        "wrote db/schema.sql",
        "wrote db/schema.json",
        "wrote src/msgspec_db/models.py",
        "wrote src/msgspec_db/_runtime.py",
        "wrote src/msgspec_db/__init__.py",
    ]
    assert first.stdout.splitlines()[5].startswith(
        "generated 5 files: 5 changed, 0 unchanged, 0 removed ("
    )
    assert "warning: db/schema.sql: items.ref: declared type UUID" in first.stderr
    second = sqlforge("generate", "--quiet")
    assert second.returncode == 0
    assert second.stdout == ""


def test_cli_generate_reports_input_errors(tmp_path: Path, sqlforge: RunCli) -> None:
    write_project(tmp_path, "dataclass")
    (tmp_path / "db" / "migrations" / "0002_bad.sql").write_text(
        "-- +goose Up\nCREATE TABLE oops (x REFERENCES);\n"
    )
    result = sqlforge("generate")
    assert result.returncode == 1
    assert result.stderr.startswith("error: db/migrations/0002_bad.sql:2: ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db" / "schema.sql").exists()
    assert not (tmp_path / "src" / "dataclass_db").exists()


def test_the_generator_release_is_pinned() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'"datamodel-code-generator=={GENERATOR_VERSION}"' in pyproject


def test_generate_needs_an_output_package(tmp_path: Path) -> None:
    config = write_project(tmp_path, "dataclass")
    with pytest.raises(SqlforgeError, match="no output package is configured"):
        render(Config(root=tmp_path, migrations=config.migrations, schema=config.schema))
    assert not config.schema.exists()
