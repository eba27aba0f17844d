"""Stars written out in the executed SQL: each form's text, run for real through the generated
code, and a database whose columns come in another order than schema.sql's."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sqlforge.analysis import AnalyzedQuery, analyze_query_files
from sqlforge.catalog import Catalog, load_catalog
from sqlforge.config import Config
from sqlforge.errors import SqlforgeError
from sqlforge.generate import generate
from sqlforge.migrate import up
from test_querygen import import_generated, project, quiet

SCHEMA = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    "full name" TEXT,
    "order" INTEGER NOT NULL DEFAULT 0,
    profile JSONB
);
CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE pets_archive (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE "pet toys" (id INTEGER PRIMARY KEY, pet INTEGER NOT NULL, "select" TEXT NOT NULL);
"""

QUERIES = """
-- name: AllPeople :many
SELECT * FROM people ORDER BY id;

-- name: PeopleAndPets :many
SELECT * FROM people AS p JOIN pets AS q ON q.owner = p.id ORDER BY q.id;

-- name: PetsWithOwner :many
SELECT q.*, p.name FROM pets q JOIN people p ON p.id = q.owner ORDER BY q.id;

-- name: NamedPeople :many
WITH named AS (SELECT * FROM people WHERE "full name" IS NOT NULL)
SELECT * FROM named ORDER BY id;

-- name: PetsOf :many
SELECT * FROM (SELECT * FROM pets WHERE owner = ?) AS mine ORDER BY id;

-- name: AddPet :one
INSERT INTO pets (owner, name) VALUES (?, ?) RETURNING *;

-- name: AddPerson :one
INSERT INTO people (name, "full name", "order", profile)
VALUES (@name, @full_name, @rank, @profile) RETURNING *;

-- name: ToysOf :many
SELECT * FROM "pet toys" JOIN pets ON pets.id = "pet toys".pet WHERE pets.id IN (sqlc.slice(ids));

-- name: Toys :many
SELECT "pet toys".* FROM "pet toys" ORDER BY id;

-- name: PetOwners :many
SELECT * FROM people WHERE EXISTS (SELECT * FROM pets WHERE pets.owner = people.id) ORDER BY id;

-- name: CountPeople :one
SELECT COUNT(*) FROM people;

-- name: ArchivePet :exec
INSERT INTO pets_archive SELECT * FROM pets WHERE id = ?;
"""

EXPANDED = {
    "AllPeople": 'SELECT id, name, "full name", "order", json(profile) AS profile FROM people '
    "ORDER BY id",
    "PeopleAndPets": 'SELECT p.id, p.name, p."full name", p."order", json(p.profile) AS profile, '
    "q.id, q.owner, q.name FROM people AS p JOIN pets AS q ON q.owner = p.id ORDER BY q.id",
    "PetsWithOwner": "SELECT q.id, q.owner, q.name, p.name FROM pets q "
    "JOIN people p ON p.id = q.owner ORDER BY q.id",
    "NamedPeople": 'WITH named AS (SELECT id, name, "full name", "order", profile FROM people '
    'WHERE "full name" IS NOT NULL)\n'
    'SELECT id, name, "full name", "order", json(profile) AS profile FROM named ORDER BY id',
    "PetsOf": "SELECT id, owner, name FROM (SELECT id, owner, name FROM pets WHERE owner = ?1) "
    "AS mine ORDER BY id",
    "AddPet": "INSERT INTO pets (owner, name) VALUES (?1, ?2) RETURNING id, owner, name",
    "AddPerson": 'INSERT INTO people (name, "full name", "order", profile)\n'
    "VALUES (?1, ?2, ?3, ?4) RETURNING "
    'id, name, "full name", "order", json(profile) AS profile',
    "ToysOf": 'SELECT "pet toys".id, "pet toys".pet, "pet toys"."select", pets.id, pets.owner, '
    'pets.name FROM "pet toys" JOIN pets ON pets.id = "pet toys".pet '
    "WHERE pets.id IN (/*SLICE:ids*/?1)",
    "Toys": 'SELECT "pet toys".id, "pet toys".pet, "pet toys"."select" FROM "pet toys" ORDER BY id',
    "PetOwners": 'SELECT id, name, "full name", "order", json(profile) AS profile FROM people '
    "WHERE EXISTS (SELECT * FROM pets WHERE pets.owner = people.id) ORDER BY id",
    "CountPeople": "SELECT COUNT(*) FROM people",
    "ArchivePet": "INSERT INTO pets_archive SELECT * FROM pets WHERE id = ?1",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Any]:
    root = tmp_path_factory.mktemp("stars")
    config = project(root, SCHEMA, {"zoo.sql": QUERIES})
    generate(config, quiet())
    return config, import_generated(config, "zoo")


@pytest.fixture(scope="module")
def analyzed(generated: tuple[Config, Any]) -> dict[str, AnalyzedQuery]:
    config = generated[0]
    catalog = load_catalog(config.schema.read_text("utf-8"))
    [queries] = analyze_query_files([config.root / "queries" / "zoo.sql"], catalog)
    return {query.name: query for query in queries.queries}


@pytest.fixture
def zoo(generated: tuple[Config, Any], tmp_path: Path) -> Iterator[Any]:
    """The generated `Queries` on a fresh database built from schema.sql, with Ada and Rex."""
    config, module = generated
    connection = sqlite3.connect(tmp_path / "zoo.db", isolation_level=None)
    connection.executescript(config.schema.read_text("utf-8"))
    queries = module.Queries(connection)
    ada = queries.add_person(name="Ada", full_name="Ada L.", rank=2, profile={"langs": ["en"]})
    queries.add_pet(owner=ada.id, name="Rex")
    yield queries
    connection.close()


@pytest.mark.parametrize("name", sorted(EXPANDED))
def test_each_star_form_is_written_out(analyzed: dict[str, AnalyzedQuery], name: str) -> None:
    assert analyzed[name].sql == EXPANDED[name]
    assert analyzed[name].warnings == ()


def test_the_generated_module_runs_the_written_out_text(
    generated: tuple[Config, Any], analyzed: dict[str, AnalyzedQuery]
) -> None:
    module = generated[1]
    assert analyzed["AllPeople"].sql == module.ALL_PEOPLE
    assert analyzed["ToysOf"].sql == module.TOYS_OF


def test_result_columns_are_those_of_the_star(analyzed: dict[str, AnalyzedQuery]) -> None:
    columns = analyzed["PeopleAndPets"].columns
    assert [c.name for c in columns] == [
        "id",
        "name",
        "full name",
        "order",
        "profile",
        "id",
        "owner",
        "name",
    ]
    assert [c.sql_type.declared for c in columns][3:5] == ["INTEGER", "JSONB"]
    assert [c.nullable for c in columns] == [False, False, True, False, True, False, False, False]


def test_single_table_and_returning_read_every_field(zoo: Any) -> None:
    [ada] = zoo.all_people()
    assert (ada.name, ada.full_name, ada.order, ada.profile) == (
        "Ada",
        "Ada L.",
        2,
        {"langs": ["en"]},
    )


def test_a_jsonb_column_holding_json_text_reads_through_returning(zoo: Any) -> None:
    added = zoo.add_person(name="Bob", full_name=None, rank=0, profile=[1, {"a": None}])
    assert added.profile == [1, {"a": None}]
    assert zoo.all_people()[1].profile == [1, {"a": None}]


def test_a_jsonb_blob_is_read_as_json_text(generated: tuple[Config, Any]) -> None:
    """Through APSW's SQLite, which has JSONB (3.45+), unlike older runtime `sqlite3` builds:
    the star as written gives SQLite's internal blob, the written-out text gives JSON."""
    import apsw

    config, module = generated
    connection = apsw.Connection(":memory:")
    connection.execute(config.schema.read_text("utf-8"))
    connection.execute("""INSERT INTO people (name, profile) VALUES ('Ada', jsonb('{"a": [1]}'))""")
    assert isinstance(connection.execute("SELECT * FROM people").fetchone()[4], bytes)
    assert connection.execute(module.ALL_PEOPLE).fetchone()[4] == '{"a":[1]}'


def test_join_with_aliases_keeps_both_sides(zoo: Any) -> None:
    [row] = zoo.people_and_pets()
    assert (row.id, row.name, row.order, row.profile) == (1, "Ada", 2, {"langs": ["en"]})
    assert (row.id_2, row.owner, row.name_2) == (1, 1, "Rex")


def test_qualified_star_beside_another_column(zoo: Any) -> None:
    [row] = zoo.pets_with_owner()
    assert (row.name, row.name_2) == ("Rex", "Ada")


def test_star_over_a_cte_and_over_a_subquery(zoo: Any) -> None:
    zoo.add_person(name="Cy", full_name=None, rank=1, profile=None)
    assert [p.name for p in zoo.named_people()] == ["Ada"]
    [ada] = zoo.named_people()
    assert ada.profile == {"langs": ["en"]}
    assert [(p.name, p.owner) for p in zoo.pets_of(owner=ada.id)] == [("Rex", ada.id)]


def test_quoted_table_and_keyword_columns(zoo: Any) -> None:
    [rex] = zoo.pets_of(owner=1)
    zoo._connection.execute(
        """INSERT INTO "pet toys" (pet, "select") VALUES (?, 'ball')""", (rex.id,)
    )
    [toy] = zoo.toys()
    assert (toy.pet, toy.select) == (rex.id, "ball")
    [row] = zoo.toys_of(ids=[rex.id])
    assert (row.select, row.name) == ("ball", "Rex")
    assert zoo.toys_of(ids=[]) == []


def test_stars_kept_as_written_still_run(zoo: Any) -> None:
    assert [p.name for p in zoo.pet_owners()] == ["Ada"]
    assert zoo.count_people() == 1
    zoo.archive_pet(id=1)
    assert zoo._connection.execute("SELECT * FROM pets_archive").fetchall() == [(1, 1, "Rex")]


def test_a_database_with_columns_in_another_order_reads_the_right_fields(tmp_path: Path) -> None:
    """Two ADD COLUMN migrations applied out of order (the later first, the earlier afterwards
    with allow-missing): the database has `email, age`, schema.sql (a fresh build) `age, email`.
    """
    migrations = tmp_path / "db" / "migrations"
    migrations.mkdir(parents=True)
    write_migration(migrations / "0001_people.sql", "CREATE TABLE people (id INTEGER PRIMARY KEY);")
    write_migration(migrations / "0003_email.sql", "ALTER TABLE people ADD COLUMN email TEXT;")
    database = tmp_path / "live.db"
    up(database, migrations)
    write_migration(
        migrations / "0002_age.sql", "ALTER TABLE people ADD COLUMN age INTEGER NOT NULL DEFAULT 0;"
    )
    up(database, migrations, allow_missing=True)
    config = project(tmp_path, "", {"people.sql": OUT_OF_ORDER_QUERIES}, migrations=migrations)
    generate(config, quiet())
    fresh = load_catalog(config.schema.read_text("utf-8")).table("people")
    assert fresh is not None and [c.name for c in fresh.columns] == ["id", "age", "email"]
    connection = sqlite3.connect(database, isolation_level=None)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(people)")]
    assert columns == ["id", "email", "age"]

    queries = import_generated(config, "people").Queries(connection)
    added = queries.add_person(age=36, email="ada@example.org")
    assert (added.age, added.email) == (36, "ada@example.org")
    fetched = queries.get_person(id=added.id)
    assert (fetched.age, fetched.email) == (36, "ada@example.org")
    assert [(p.age, p.email) for p in queries.everyone()] == [(36, "ada@example.org")]
    # The star as written reads the database's order: position 1 would have been `age`.
    assert connection.execute("SELECT * FROM people").fetchone() == (1, "ada@example.org", 36)
    connection.close()


OUT_OF_ORDER_QUERIES = """
-- name: AddPerson :one
INSERT INTO people (age, email) VALUES (?, ?) RETURNING *;

-- name: GetPerson :one
SELECT * FROM people WHERE id = ?;

-- name: Everyone :many
SELECT p.* FROM people p ORDER BY p.id;
"""


def write_migration(path: Path, up_sql: str) -> None:
    path.write_text(f"-- +goose Up\n{up_sql}\n\n-- +goose Down\nSELECT 1;\n", "utf-8")


# --- the rules, one query at a time ----------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SCHEMA)


@pytest.fixture
def written(tmp_path: Path, catalog: Catalog) -> Callable[..., AnalyzedQuery]:
    def run(sql: str, command: str = ":many", *, strict: bool = False) -> AnalyzedQuery:
        path = tmp_path / "queries.sql"
        path.write_text(f"-- name: Q {command}\n{sql};\n", encoding="utf-8")
        [analyzed] = analyze_query_files([path], catalog, strict=strict)
        [query] = analyzed.queries
        return query

    return run


def test_a_merged_column_of_an_inner_join_is_the_left_sources(
    written: Callable[..., AnalyzedQuery],
) -> None:
    query = written('SELECT * FROM pets JOIN "pet toys" USING (id)')
    assert query.sql == (
        'SELECT pets.id, pets.owner, pets.name, "pet toys".pet, "pet toys"."select" '
        'FROM pets JOIN "pet toys" USING (id)'
    )


def test_a_merged_column_of_a_full_join_stays_unqualified_and_reads_either_side(
    written: Callable[..., AnalyzedQuery], catalog: Catalog
) -> None:
    query = written('SELECT * FROM pets NATURAL FULL JOIN "pet toys" ORDER BY id')
    assert query.sql == (
        'SELECT id, pets.owner, pets.name, "pet toys".pet, "pet toys"."select" '
        'FROM pets NATURAL FULL JOIN "pet toys" ORDER BY id'
    )
    connection = sqlite3.connect(":memory:")
    connection.executescript(catalog.schema_sql)
    connection.execute("INSERT INTO pets VALUES (1, 1, 'Rex')")
    connection.execute("""INSERT INTO "pet toys" VALUES (2, 1, 'ball')""")
    expected = connection.execute(
        'SELECT * FROM pets NATURAL FULL JOIN "pet toys" ORDER BY id'
    ).fetchall()
    assert connection.execute(query.sql).fetchall() == expected
    assert [row[0] for row in expected] == [1, 2]


def test_compound_select_arms_are_written_out(written: Callable[..., AnalyzedQuery]) -> None:
    query = written("SELECT * FROM pets UNION ALL SELECT p.* FROM pets AS p")
    assert query.sql == (
        "SELECT id, owner, name FROM pets UNION ALL SELECT p.id, p.owner, p.name FROM pets AS p"
    )


def test_an_insert_naming_its_columns_gets_its_select_written_out(
    written: Callable[..., AnalyzedQuery],
) -> None:
    query = written("INSERT INTO pets (id, owner, name) SELECT * FROM pets WHERE id = ?", ":exec")
    assert query.sql == (
        "INSERT INTO pets (id, owner, name) SELECT id, owner, name FROM pets WHERE id = ?1"
    )


def test_an_embed_reads_a_jsonb_column_as_json(written: Callable[..., AnalyzedQuery]) -> None:
    query = written("SELECT sqlc.embed(people) FROM people")
    assert query.sql == (
        'SELECT people.id, people.name, people."full name", people."order", '
        "json(people.profile) AS profile FROM people"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM (SELECT count(*) FROM pets)",  # SQLite names it `count(*)`
        "SELECT * FROM (SELECT p.id, q.id FROM pets p, pets q)",  # `id` twice
        "SELECT * FROM (SELECT (name) FROM pets)",
        "SELECT * FROM pets, (SELECT 1 AS id)",  # an unqualified `id` would be ambiguous
    ],
)
def test_stars_sql_text_cannot_name_stay_as_written(
    written: Callable[..., AnalyzedQuery], sql: str
) -> None:
    query = written(sql)
    assert query.sql == sql
    assert query.warnings == ()


def test_a_text_sqlite_reads_differently_keeps_the_stars_with_a_warning(
    written: Callable[..., AnalyzedQuery],
) -> None:
    """sqlglot reads `+name` as the column `name`; SQLite names the column `+name`, so an outer
    `name` would not resolve. SQLite's second opinion catches it."""
    sql = "SELECT * FROM (SELECT +name FROM pets)"
    query = written(sql)
    assert query.sql == sql
    [warning] = query.warnings
    assert warning.message == (
        "query Q: its `*` could not be written out as named columns (no such column: name); "
        "it stays as written, so its columns come in the order of the database it runs on"
    )
    assert warning.hint == "list the columns instead of `*`"
    with pytest.raises(SqlforgeError, match="could not be written out"):
        written(sql, strict=True)
