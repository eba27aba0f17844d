"""The query-module generator: golden modules, result shapes, names, hostile identifiers and
the errors that stop generation.

Goldens: tests/fixtures/querygen/library/expected/<variant>/<module>.py.golden hold the exact
text generated from the library fixture. After an intended change to the generated code,
regenerate them with

    SQLFORGE_UPDATE_GOLDENS=1 python -m pytest tests/test_querygen.py -k golden

and review the diff before committing."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sqlforge.config import Config
from sqlforge.errors import SqlforgeError
from sqlforge.generate import generate, prepare
from sqlforge.output import Printer
from sqlforge.querygen import (
    Method,
    QueryModule,
    check_module_names,
    plan_query_module,
    query_files,
    query_module_name,
    render_module,
    render_query_files,
)

LIBRARY = Path(__file__).parent / "fixtures" / "querygen" / "library"
GOLDEN_VARIANTS = {
    "dataclass_async": {"models": "dataclass", "async_queries": True},
    "typeddict": {"models": "typeddict", "async_queries": False},
    "pydantic": {"models": "pydantic", "async_queries": False},
}


def quiet() -> Printer:
    return Printer(out=io.StringIO(), err=io.StringIO())


def project(root: Path, migration: str, queries: dict[str, str], **settings: Any) -> Config:
    """A sqlforge project in `root`: one migration, query files, output package `generated_<n>`."""
    (root / "migrations").mkdir(parents=True, exist_ok=True)
    (root / "migrations" / "0001_init.sql").write_text(
        f"-- +goose Up\n{textwrap.dedent(migration)}\n-- +goose Down\n", "utf-8"
    )
    (root / "queries").mkdir(exist_ok=True)
    for name, text in queries.items():
        (root / "queries" / name).write_text(textwrap.dedent(text), "utf-8")
    values: dict[str, Any] = {
        "root": root,
        "migrations": root / "migrations",
        "schema": root / "schema.sql",
        "queries": ("queries/*.sql",),
        "out": root / f"generated_{root.name}",
    }
    return Config(**{**values, **settings})


def import_generated(config: Config, module: str) -> Any:
    assert config.out is not None
    sys.path.insert(0, str(config.out.parent))
    try:
        return importlib.import_module(f"{config.out.name}.{module}")
    finally:
        sys.path.remove(str(config.out.parent))


# goldens


@pytest.fixture(scope="module")
def golden_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden")
    shutil.copytree(LIBRARY, root, dirs_exist_ok=True)
    shutil.rmtree(root / "expected", ignore_errors=True)
    for variant, settings in GOLDEN_VARIANTS.items():
        config = Config(
            root=root,
            migrations=root / "migrations",
            schema=root / "schema.sql",
            queries=("queries/*.sql",),
            out=root / variant,
            overrides={"authors.mood": "library_types:Mood"},
            **settings,  # type: ignore[arg-type]
        )
        generate(config, quiet())
    return root


@pytest.mark.parametrize("variant", sorted(GOLDEN_VARIANTS))
@pytest.mark.parametrize("module", ["authors", "books"])
def test_golden_modules(golden_root: Path, variant: str, module: str) -> None:
    generated = (golden_root / variant / f"{module}.py").read_text("utf-8")
    golden = LIBRARY / "expected" / variant / f"{module}.py.golden"
    if os.environ.get("SQLFORGE_UPDATE_GOLDENS"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(generated, "utf-8")
    assert generated == golden.read_text("utf-8")


def test_generation_is_byte_deterministic_across_hash_seeds(golden_root: Path) -> None:
    """Another interpreter, another hash seed: the same bytes."""
    script = textwrap.dedent(
        f"""
        import io, sys
        from pathlib import Path
        from sqlforge.config import Config
        from sqlforge.generate import render
        root = Path({str(golden_root)!r})
        config = Config(root=root, migrations=root / "migrations", schema=root / "schema.sql",
            queries=("queries/*.sql",), out=root / "dataclass_async",
            overrides={{"authors.mood": "library_types:Mood"}}, async_queries=True)
        for file in render(config).files:
            if file.path.name in ("authors.py", "books.py"):
                sys.stdout.write(file.text)
        """
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    expected = "".join(
        (golden_root / "dataclass_async" / f"{m}.py").read_text("utf-8")
        for m in ("authors", "books")
    )
    assert outputs == {expected}


# result shapes


SHAPES_SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, nick TEXT);
CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES people (id), name TEXT);
CREATE VIEW named_people AS SELECT id, name FROM people WHERE nick IS NOT NULL;
CREATE TABLE sequences (id INTEGER PRIMARY KEY, next INTEGER NOT NULL);
"""

SHAPES_QUERIES = """
-- name: AllColumns :one
SELECT * FROM people WHERE id = ?;

-- name: QualifiedStar :many
SELECT people.* FROM people JOIN pets ON pets.owner = people.id;

-- name: SomeColumns :many
SELECT id, name FROM people;

-- name: Renamed :many
SELECT id, name, nick AS nickname FROM people;

-- name: OptionalSide :many
SELECT people.* FROM pets LEFT JOIN people ON people.id = pets.owner;

-- name: FromView :many
SELECT * FROM named_people;

-- name: OneColumn :one
SELECT name FROM people WHERE id = ?;

-- name: OnlyAnEmbed :many
SELECT sqlc.embed(pets) FROM pets;

-- name: Returning :one
INSERT INTO pets (owner, name) VALUES (?, ?) RETURNING *;

-- name: ExecReturning :exec
INSERT INTO pets (owner, name) VALUES (?, ?) RETURNING id;

-- name: NullableScalar :one
SELECT nick FROM people WHERE id = ?;

-- name: TwoIds :many
SELECT people.name FROM people JOIN pets ON pets.owner = people.id
WHERE people.id = ? AND pets.id = ? AND people.name IN (sqlc.slice(names));

-- name: Sequences :many
SELECT * FROM sequences WHERE id IN (sqlc.slice(ids));

-- name: Unmapped :one
SELECT CAST(name AS UUID) AS handle FROM people WHERE id = ?;
"""


@pytest.fixture(scope="module")
def shapes_module(tmp_path_factory: pytest.TempPathFactory) -> QueryModule:
    root = tmp_path_factory.mktemp("shapes")
    config = project(
        root,
        SHAPES_SCHEMA,
        {"shapes.sql": SHAPES_QUERIES},
        rename={"people.name": "full_name"},
    )
    context = prepare(config)
    from sqlforge.analysis import analyze_query_files

    [analyzed] = analyze_query_files(query_files(config), context.catalog)
    return plan_query_module(
        analyzed,
        context.catalog,
        context.types,
        context.models,
        model_type="dataclass",
        rename=config.rename,
    )


@pytest.fixture(scope="module")
def shapes(shapes_module: QueryModule) -> dict[str, tuple[str, str | None]]:
    """Method name -> (result value annotation, reader function)."""
    return {method.name: (method.value, method.reader) for method in shapes_module.methods}


@pytest.mark.parametrize(
    ("method", "value"),
    [
        ("all_columns", "Person"),
        ("qualified_star", "Person"),
        ("some_columns", "SomeColumnsRow"),
        ("renamed", "RenamedRow"),
        ("optional_side", "OptionalSideRow"),  # nullable where the table's are not
        ("from_view", "NamedPerson"),
        ("one_column", "str"),
        ("only_an_embed", "OnlyAnEmbedRow"),
        ("returning", "Pet"),
        ("exec_returning", "None"),
    ],
)
def test_result_shapes(shapes: dict[str, tuple[str, str | None]], method: str, value: str) -> None:
    assert shapes[method][0] == value


def methods_of(module: QueryModule) -> dict[str, Method]:
    return {method.name: method for method in module.methods}


def test_repeated_parameter_names_get_a_suffix_and_slices_come_last(
    shapes_module: QueryModule,
) -> None:
    method = methods_of(shapes_module)["two_ids"]
    assert [(a.name, a.annotation) for a in method.arguments] == [
        ("id", "int"),
        ("id_2", "int"),
        ("names", "Sequence[str]"),
    ]


def test_a_nullable_scalar_of_a_one_query_is_none_once(shapes_module: QueryModule) -> None:
    rendered = render_module(
        shapes_module, header_text="# header\n", model_type="dataclass", asynchronous=False
    )
    assert "def nullable_scalar(self, *, id: int) -> str | None:" in rendered


def test_rename_applies_to_row_model_fields_read_from_the_column(
    shapes_module: QueryModule,
) -> None:
    row = next(model for model in shapes_module.row_models if model.name == "SomeColumnsRow")
    assert [field.name for field in row.fields] == ["id", "full_name"]


def test_models_keep_clear_of_the_names_query_modules_import(shapes_module: QueryModule) -> None:
    assert methods_of(shapes_module)["sequences"].value == "SequenceModel"


def test_an_unmapped_computed_type_is_a_warning_naming_the_query(
    shapes_module: QueryModule,
) -> None:
    [warning] = shapes_module.warnings
    assert warning.message == (
        "query Unmapped: result column handle: declared type UUID has no Python mapping;"
        " typed as `object`"
    )
    assert warning.line is not None
    assert warning.hint is not None
    assert '"uuid" = "str"' in warning.hint
    assert methods_of(shapes_module)["unmapped"].value == "object"


# names and errors


def test_module_names_and_their_clashes(tmp_path: Path) -> None:
    assert query_module_name(Path("db/queries/jobs.sql")) == "jobs"
    assert query_module_name(Path("db/queries/Task-Deps.sql")) == "task_deps"
    assert query_module_name(Path("db/queries/class.sql")) == "class_"
    problems = check_module_names(
        [Path("q/a-b.sql"), Path("q/a_b.sql"), Path("q/models.sql"), Path("q/ok.sql")]
    )
    assert [(p.path, p.message) for p in problems] == [
        (Path("q/a_b.sql"), "query file would become module `a_b.py`, like q/a-b.sql"),
        (
            Path("q/models.sql"),
            "query file would become module `models.py`, like the generated `models.py`",
        ),
    ]


def test_query_files_from_globs_folders_and_files(tmp_path: Path) -> None:
    for name in ("b.sql", "a.sql", "notes.txt", "sub/c.sql"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", "utf-8")
    config = Config(root=tmp_path, queries=("*.sql", "sub", "a.sql"))
    assert query_files(config) == [tmp_path / "a.sql", tmp_path / "b.sql", tmp_path / "sub/c.sql"]
    missing = dataclasses.replace(config, queries=("nowhere",))
    with pytest.raises(SqlforgeError, match="query file or folder nowhere does not exist"):
        query_files(missing)


def test_a_query_file_named_like_the_models_module_stops_generation(tmp_path: Path) -> None:
    config = project(
        tmp_path,
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        {"models.sql": "-- name: GetT :one\nSELECT * FROM t WHERE id = ?;\n"},
    )
    with pytest.raises(SqlforgeError) as caught:
        render_query_files(prepare(config))
    [problem] = caught.value.diagnostics
    assert problem.path == tmp_path / "queries" / "models.sql"
    assert "module `models.py`" in problem.message
    assert problem.hint == "rename the query file"


def test_two_queries_becoming_one_method_is_an_error_naming_both(tmp_path: Path) -> None:
    config = project(
        tmp_path,
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        {
            "t.sql": """\
            -- name: GetT :one
            SELECT * FROM t WHERE id = ?;

            -- name: Get_T :one
            SELECT * FROM t WHERE id = ?;
            """
        },
    )
    with pytest.raises(SqlforgeError) as caught:
        generate(config, quiet())
    [problem] = caught.value.diagnostics
    assert problem.message == "queries GetT and Get_T both become method `get_t`"
    assert (problem.path, problem.line, problem.column) == (tmp_path / "queries" / "t.sql", 4, 1)
    assert not (tmp_path / f"generated_{tmp_path.name}").exists()


HOSTILE_SCHEMA = """
CREATE TABLE "select" (
    id INTEGER PRIMARY KEY,
    "class" TEXT NOT NULL,
    "my col" TEXT,
    "a""b" INTEGER,
    "ünïcode" TEXT,
    "1abc" TEXT,
    "self" TEXT,
    "row" INTEGER,
    "__init__" TEXT
);
"""

HOSTILE_QUERIES = '''
-- name: Class :one
-- A docstring with """ in it, a backslash \\ and \\N{BULLET}, and ünïcode \u2013 dashes.
SELECT * FROM "select" WHERE "class" = @class;

-- name: __init__ :many
SELECT "my col" AS "x; import os", "a""b" AS """", "ünïcode", id AS "self", '"""' AS q
FROM "select"
WHERE "row" = @row AND "self" = @self;

-- name: _Private :execrows
UPDATE "select" SET "self" = @self, "row" = @row, "__init__" = @cursor WHERE id = @sql;
'''


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Config:
    root = tmp_path_factory.mktemp("hostile")
    config = project(root, HOSTILE_SCHEMA, {"select.sql": HOSTILE_QUERIES}, models="pydantic")
    generate(config, quiet())
    return config


def test_hostile_identifiers_become_safe_names_and_the_code_runs(hostile: Config) -> None:
    module = import_generated(hostile, "select")
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.executescript(hostile.schema.read_text("utf-8"))
    connection.execute("""INSERT INTO "select" VALUES (1, 'c', 'm', 2, 'u', '1', 's', 7, 'i')""")
    queries = module.Queries(connection)
    person = queries.class_(class_="c")
    assert (person.class_, person.my_col, person.a_b, person.unicode, person.column_1abc) == (
        "c",
        "m",
        2,
        "u",
        "1",
    )
    [row] = queries.init(row_=7, self_="s")
    assert (row.x_import_os, row.column_2, row.unicode, row.self, row.q) == ("m", 2, "u", 1, '"""')
    assert queries.private(self_="t", row_=8, cursor_="k", sql_=1) == 1
    assert connection.execute('SELECT "self", "row", "__init__" FROM "select"').fetchone() == (
        "t",
        8,
        "k",
    )
    assert '"""' in (queries.class_.__doc__ or "")


def test_hostile_identifiers_leave_no_code_and_pass_ruff(hostile: Config) -> None:
    assert hostile.out is not None
    source = (hostile.out / "select.py").read_text("utf-8")
    tree = ast.parse(source)
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "sqlite3", "typing", "pydantic", "models"}
    assert source.isascii()
    for arguments in (["check", "--isolated"], ["format", "--isolated", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *arguments, str(hostile.out / "select.py")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout


def test_strict_makes_an_unmapped_computed_type_an_error(tmp_path: Path) -> None:
    query = "-- name: Handle :one\nSELECT CAST(name AS UUID) AS handle FROM t WHERE id = ?;\n"
    schema = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    relaxed = prepare(project(tmp_path, schema, {"t.sql": query}))
    assert len(render_query_files(relaxed)) == 1
    assert [w.message for w in relaxed.warnings if "UUID" in w.message]
    strict = prepare(project(tmp_path, schema, {"t.sql": query}, strict=True))
    with pytest.raises(SqlforgeError, match="declared type UUID has no Python mapping"):
        render_query_files(strict)


def test_a_file_without_annotated_queries_still_gives_a_clean_module(tmp_path: Path) -> None:
    config = project(
        tmp_path,
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        {"a.sql": "-- name: GetT :one\nSELECT * FROM t WHERE id = ?;\n", "b.sql": "SELECT 1;\n"},
    )
    files = {file.path.name: file.text for file in render_query_files(prepare(config))}
    empty = files["b.py"]
    assert "\n\n\n\n" not in empty
    assert empty.endswith("        self._connection = connection\n")
    compile(empty, "b.py", "exec")
