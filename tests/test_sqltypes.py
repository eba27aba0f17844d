from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from sqlforge.catalog import Column
from sqlforge.config import load_config
from sqlforge.errors import SqlforgeError
from sqlforge.jsonschema import type_schema
from sqlforge.sqltypes import (
    BOOL,
    BYTES,
    DATE,
    DATETIME,
    DECIMAL,
    FLOAT,
    INT,
    JSON,
    OBJECT,
    STR,
    UNMAPPED,
    PythonType,
    TypeMapper,
    map_declared_type,
    type_key,
    type_mapper,
)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        # integer affinity: contains INT
        ("INTEGER", INT),
        ("INT", INT),
        ("TINYINT", INT),
        ("SMALLINT", INT),
        ("MEDIUMINT", INT),
        ("BIGINT", INT),
        ("UNSIGNED BIG INT", INT),
        ("INT2", INT),
        ("INT8", INT),
        ("integer(8)", INT),
        ("FLOATING POINT", INT),  # SQLite's own example: INT wins over FLOA
        # the well-known names
        ("BOOLEAN", BOOL),
        ("bool", BOOL),
        ("REAL", FLOAT),
        ("FLOAT", FLOAT),
        ("DOUBLE", FLOAT),
        ("DOUBLE PRECISION", FLOAT),
        ("NUMERIC", DECIMAL),
        ("DECIMAL(10,5)", DECIMAL),
        ("decimal (10, 2)", DECIMAL),
        ("TEXT", STR),
        ("VARCHAR(255)", STR),
        ("CHARACTER(20)", STR),
        ("VARYING CHARACTER(255)", STR),
        ("NCHAR(55)", STR),
        ("NATIVE CHARACTER(70)", STR),
        ("NVARCHAR(100)", STR),
        ("CLOB", STR),
        ("BLOB", BYTES),
        ("DATETIME", DATETIME),
        ("timestamp", DATETIME),
        ("DATE", DATE),
        ("JSON", JSON),
        ("jsonb", JSON),
        ("ANY", OBJECT),
        ("", OBJECT),
        # NUMERIC affinity without being a number: no honest mapping
        ("UUID", UNMAPPED),
        ("STRING", UNMAPPED),
        ("MONEY", UNMAPPED),
    ],
)
def test_declared_types_map_by_affinity_and_well_known_names(
    declared: str, expected: PythonType
) -> None:
    assert map_declared_type(declared) == expected


def test_only_unmapped_types_ask_for_a_warning() -> None:
    assert UNMAPPED.fallback
    assert UNMAPPED.name == "object"
    assert not OBJECT.fallback


def test_type_key() -> None:
    assert type_key(" decimal  (10, 2)") == "DECIMAL"
    assert type_key("unsigned   big int") == "UNSIGNED BIG INT"


@pytest.mark.parametrize(
    ("python_type", "nullable", "annotation"),
    [(INT, False, "int"), (DATETIME, True, "datetime | None"), (JSON, False, "JsonValue")],
)
def test_annotations(python_type: PythonType, nullable: bool, annotation: str) -> None:
    assert python_type.annotation(nullable=nullable) == annotation


def test_imports() -> None:
    assert INT.import_line is None
    assert DATETIME.import_line == "from datetime import datetime"
    assert DATE.import_line == "from datetime import date"
    assert DECIMAL.import_line == "from decimal import Decimal"
    assert JSON.import_line == "from ._runtime import JsonValue"


def call(expression: str) -> tuple[str, list[object]]:
    """The function and the arguments of a call expression (string arguments as values)."""
    node = ast.parse(expression, mode="eval").body
    assert isinstance(node, ast.Call)
    arguments = [
        ast.literal_eval(a) if isinstance(a, ast.Constant) else ast.unparse(a) for a in node.args
    ]
    return ast.unparse(node.func), arguments


def test_read_and_write_expressions() -> None:
    assert INT.read_expression("row[0]", "t.id", nullable=False, runtime="rt") == "row[0]"
    read = DATETIME.read_expression("row[2]", "jobs.created_at", nullable=False, runtime="rt")
    assert call(read) == ("rt.datetime_from_db", ["row[2]", "jobs.created_at"])
    optional = BOOL.read_expression("row[1]", "t.b", nullable=True, runtime="rt")
    assert call(optional) == ("rt.optional_bool_from_db", ["row[1]", "t.b"])
    assert STR.write_expression("name", nullable=False, runtime="rt") == "name"
    assert DECIMAL.write_expression("p", nullable=True, runtime="rt") == "rt.decimal_to_db(p)"
    assert JSON.write_expression("j", nullable=False, runtime="rt") == "rt.json_to_db(j)"
    assert JSON.write_expression("j", nullable=True, runtime="rt") == "rt.optional_json_to_db(j)"


def test_labels_are_quoted_safely() -> None:
    label = "t.x'); import os; (\"\\"
    expression = DATE.read_expression("v", label, nullable=False, runtime="rt")
    assert call(expression) == ("rt.date_from_db", ["v", label])


# overrides from the configuration


TYPES_MODULE = """
import enum
import uuid


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    ACTIVE = "active"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


class Shape(enum.Enum):
    ROUND = b"round"
    SQUARE = (4, 4)


class Point:
    def __init__(self, text: str) -> None:
        self.text = text


NOT_A_CLASS = 3
ID = uuid.UUID
"""


def project(tmp_path: Path, overrides: str, *, module: str = "sqlforge_test_types") -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / f"{module}.py").write_text(TYPES_MODULE)
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "demo"

            [tool.sqlforge]
            migrations = "db/migrations"

            [tool.sqlforge.overrides]
            """
        )
        + textwrap.dedent(overrides)
    )
    return tmp_path


def mapper(root: Path) -> TypeMapper:
    return type_mapper(load_config(cwd=root, environ={}))


def test_column_and_type_overrides(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """\
        "jobs.status" = "sqlforge_test_types:JobStatus"
        "jobs.level" = "sqlforge_test_types:Level"
        "uuid" = "sqlforge_test_types:ID"
        "jsonb" = "str"
        "points.p" = "sqlforge_test_types:Point"
        "money" = "decimal:Decimal"
        """,
    )
    types = mapper(root)
    status = types.for_column("Jobs", "STATUS", "TEXT")
    assert (status.kind, status.name, status.module) == (
        "custom",
        "JobStatus",
        "sqlforge_test_types",
    )
    assert status.reader == "custom_from_db"
    assert status.reader_takes_type
    assert status.writer is None  # a StrEnum is a str: SQLite binds it as is
    assert status.enum_values == ("queued", "active")
    assert status.base_kind == "str"
    read = status.read_expression("row[3]", "jobs.status", nullable=True, runtime="rt")
    assert call(read) == ("rt.optional_custom_from_db", ["JobStatus", "row[3]", "jobs.status"])
    level = types.for_column("jobs", "level", "INTEGER")
    assert (level.writer, level.enum_values, level.base_kind) == ("enum_to_db", (1, 2), "")
    uuid_type = types.for_type("UUID")
    assert (uuid_type.name, uuid_type.module, uuid_type.writer) == (
        "ID",
        "sqlforge_test_types",
        "text_to_db",
    )
    assert types.for_column("points", "p", "TEXT").writer == "text_to_db"
    assert types.for_type("JSONB") == STR
    assert types.for_type("MONEY") == DECIMAL
    assert types.for_column("jobs", "name", "TEXT") == STR
    assert types.for_column("other", "status", "TEXT") == STR


def test_an_enum_whose_values_json_cannot_hold_is_written_by_value_and_listed_nowhere(
    tmp_path: Path,
) -> None:
    overrides = '"shapes.kind" = "sqlforge_test_types:Shape"\n"t.c" = "sqlforge_test_types:Level"\n'
    types = mapper(project(tmp_path, overrides))
    kind = types.for_column("shapes", "kind", "BLOB")
    assert (kind.name, kind.writer, kind.enum_values, kind.base_kind) == (
        "Shape",
        "enum_to_db",
        (),
        "",
    )
    assert type_schema(kind) == {}
    assert type_schema(types.for_column("t", "c", "INTEGER")) == {"enum": [1, 2]}


def test_view_columns_take_the_override_of_the_column_they_read(tmp_path: Path) -> None:
    types = mapper(project(tmp_path, '"jobs.status" = "sqlforge_test_types:JobStatus"\n'))
    column = Column("status", "TEXT", True, None, 0, origin=("jobs", "status"))
    assert types.for_catalog_column("active_jobs", column).name == "JobStatus"
    plain = Column("status", "TEXT", True, None, 0)
    assert types.for_catalog_column("active_jobs", plain) == STR


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("sqlforge_missing_module:JobStatus", "cannot import module sqlforge_missing_module"),
        ("sqlforge_test_types:Missing", "module sqlforge_test_types has no attribute Missing"),
        ("sqlforge_test_types:NOT_A_CLASS", "sqlforge_test_types.NOT_A_CLASS is not a class"),
        ("JobStatus", "is not `module:Name`"),
        ("sqlforge_test_types:Job Status", "is not `module:Name`"),
        ("", "is not `module:Name`"),
    ],
)
def test_bad_override_target_names_it_and_the_config_file(
    tmp_path: Path, target: str, problem: str
) -> None:
    root = project(tmp_path, f'"jobs.status" = "{target}"\n')
    with pytest.raises(SqlforgeError) as caught:
        mapper(root)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message.startswith(f"override `jobs.status` = `{target}`: {problem}")
    assert diagnostic.path == root / "pyproject.toml"
    assert diagnostic.line == 8
    assert diagnostic.hint is not None
    assert "module:Class" in diagnostic.hint
