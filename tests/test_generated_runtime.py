"""Generated query modules, run for real against SQLite for every model type, sync and async:
every command kind, every parameter form, slices (empty, one, many, NOT IN), embeds on both
sides of an outer join, datetimes, dates, JSON, booleans, decimals, overrides; and the code
itself passes `mypy --strict`, `ruff check` and `ruff format --check`.

The fixture project is tests/fixtures/querygen/library (migrations, queries, an override
enum); the packages are generated once per session, one per model type."""

from __future__ import annotations

import asyncio
import importlib
import io
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import aiosqlite
import pytest

from sqlforge.config import Config
from sqlforge.generate import generate
from sqlforge.output import Printer

FIXTURE = Path(__file__).parent / "fixtures" / "querygen" / "library"
MODEL_TYPES = ("dataclass", "pydantic", "typeddict", "msgspec")
WHEN = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=timezone(timedelta(hours=2)))


@dataclass(frozen=True)
class Library:
    """One generated package and what it takes to use it."""

    model_type: str
    authors: ModuleType
    books: ModuleType
    models: ModuleType
    runtime: ModuleType
    schema_sql: str

    def connect(self, path: Path | str = ":memory:") -> sqlite3.Connection:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.executescript(self.schema_sql)
        return connection


def library_config(root: Path, model_type: str) -> Config:
    return Config(
        root=root,
        migrations=root / "migrations",
        schema=root / "schema.sql",
        queries=("queries/*.sql",),
        out=root / f"library_{model_type}",
        models=model_type,
        overrides={"authors.mood": "library_types:Mood"},
        async_queries=True,
    )


@pytest.fixture(scope="session")
def library_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("library")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    for model_type in MODEL_TYPES:
        generate(library_config(root, model_type), Printer(out=io.StringIO(), err=io.StringIO()))
    sys.path.insert(0, str(root))
    yield root
    sys.path.remove(str(root))


@pytest.fixture(scope="session", params=MODEL_TYPES)
def library(request: pytest.FixtureRequest, library_root: Path) -> Library:
    package = f"library_{request.param}"

    def module(name: str) -> ModuleType:
        return importlib.import_module(f"{package}.{name}")

    return Library(
        request.param,
        module("authors"),
        module("books"),
        module("models"),
        module("_runtime"),
        (library_root / "schema.sql").read_text("utf-8"),
    )


def get(value: Any, name: str) -> Any:
    """A field of a model, whatever the model type (TypedDicts are dicts)."""
    return value[name] if isinstance(value, dict) else getattr(value, name)


def mood(name: str) -> Any:
    return importlib.import_module("library_types").Mood(name)


def create_author(queries: Any, name: str, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "name": name,
        "bio": None,
        "born": None,
        "active": True,
        "rating": None,
        "profile": None,
        "mood": mood("calm"),
        "created_at": WHEN,
    }
    return queries.create_author(**{**values, **changes})


# values in and out


def test_every_type_round_trips_and_is_stored_in_its_canonical_form(library: Library) -> None:
    connection = library.connect()
    queries = library.authors.Queries(connection)
    profile = {"langs": ["fr", "en"], "score": 1.5, "ok": True, "none": None, "é": "ü"}
    author = create_author(
        queries,
        "Ada",
        bio="wrote notes",
        born=date(1815, 12, 10),
        active=False,
        rating=Decimal("4.25"),
        profile=profile,
        mood=mood("grumpy"),
    )
    assert get(author, "id") == 1
    assert get(author, "name") == "Ada"
    assert get(author, "bio") == "wrote notes"
    assert get(author, "born") == date(1815, 12, 10)
    assert get(author, "active") is False
    assert get(author, "rating") == Decimal("4.25")
    assert get(author, "profile") == profile
    assert get(author, "mood") is mood("grumpy")
    assert get(author, "created_at") == WHEN
    assert get(author, "created_at").tzinfo is not None
    stored = connection.execute(
        "SELECT born, active, rating, profile, mood, created_at FROM authors"
    ).fetchone()
    assert stored == (
        "1815-12-10",
        0,
        4.25,  # DECIMAL has NUMERIC affinity: SQLite keeps the number
        '{"langs":["fr","en"],"score":1.5,"ok":true,"none":null,"é":"ü"}',
        "grumpy",
        "2026-03-01 07:30:15.250000+00:00",
    )


def test_nulls_come_back_as_none(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    author = create_author(queries, "Bob")
    for name in ("bio", "born", "rating", "profile"):
        assert get(author, name) is None


def test_a_value_that_cannot_be_read_names_the_column_and_the_value(library: Library) -> None:
    connection = library.connect()
    queries = library.authors.Queries(connection)
    create_author(queries, "Eve")
    connection.execute("UPDATE authors SET created_at = 'yesterday'")
    with pytest.raises(library.runtime.ConversionError) as caught:
        queries.get_author(id=1)
    assert "authors.created_at" in str(caught.value)
    assert "'yesterday'" in str(caught.value)


def test_rows_are_read_by_position_whatever_the_row_factory(library: Library) -> None:
    connection = library.connect()
    connection.row_factory = sqlite3_dict_row
    queries = library.authors.Queries(connection)
    create_author(queries, "Ann")
    assert [get(a, "name") for a in queries.list_authors()] == ["Ann"]
    assert queries.count_authors() == 1


def sqlite3_dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    names = [column[0] for column in cursor.description]
    return dict(zip(names, row, strict=True))


# commands and parameter forms


def test_one_returns_the_model_or_none(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    created = create_author(queries, "Cy")
    assert queries.get_author(id=get(created, "id")) == created  # `?`
    assert queries.get_author_by_name(name="Cy") == created  # `:name`
    assert queries.get_author(id=99) is None
    assert type(created).__name__ in ("Author", "dict")


def test_many_and_limit_offset(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    for name in ("a", "b", "c", "d"):
        create_author(queries, name)
    assert [get(a, "name") for a in queries.list_authors()] == ["a", "b", "c", "d"]
    assert [get(a, "name") for a in queries.list_authors_page(limit=2, offset=1)] == ["b", "c"]
    assert queries.list_authors_page(limit=2, offset=10) == []


@pytest.mark.parametrize(
    ("ids", "found", "not_found"),
    [
        ([], [], [1, 2, 3]),
        ([2], [2], [1, 3]),
        ([3, 1, 99], [1, 3], [2]),
        ([1, 1, 2, 3], [1, 2, 3], []),
    ],
)
def test_slices_expand_to_any_length_including_empty(
    library: Library, ids: list[int], found: list[int], not_found: list[int]
) -> None:
    queries = library.authors.Queries(library.connect())
    for name in ("a", "b", "c"):
        create_author(queries, name)
    assert [get(a, "id") for a in queries.list_authors_in(ids=ids)] == found
    assert [get(a, "id") for a in queries.list_authors_not_in(ids=ids)] == not_found
    assert [get(a, "id") for a in queries.list_authors_in(ids=tuple(ids))] == found


def test_two_slices_and_a_scalar_bind_in_order(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    create_author(queries, "a", mood=mood("calm"))
    create_author(queries, "b", mood=mood("grumpy"))
    create_author(queries, "c", mood=mood("grumpy"), active=False)
    rows = queries.list_authors_matching(
        active=True, names=["a", "b", "c"], moods=[mood("grumpy"), mood("cheerful")]
    )
    assert [(get(r, "id"), get(r, "name")) for r in rows] == [(2, "b")]
    assert queries.list_authors_matching(active=True, names=[], moods=[mood("calm")]) == []
    rows = queries.list_authors_matching(active=False, names=["c"], moods=[mood("grumpy")])
    assert [get(r, "name") for r in rows] == ["c"]


def test_slice_elements_are_converted_like_scalars(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    create_author(queries, "a", profile={"x": 1})
    create_author(queries, "b", profile=[1, 2])
    assert queries.list_authors_by_profile(profiles=[[1, 2], {"y": 2}]) == [2]
    assert queries.list_authors_by_profile(profiles=[{"x": 1}, [1, 2]]) == [1, 2]


def test_scalar_results(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    assert queries.count_authors() == 0
    create_author(queries, "a", born=date(2000, 1, 2), mood=mood("cheerful"))
    create_author(queries, "b")
    assert queries.count_authors() == 2
    assert queries.author_names() == ["a", "b"]
    assert queries.author_birthdays() == [date(2000, 1, 2), None]
    assert queries.author_mood(id=1) is mood("cheerful")
    assert queries.author_mood(id=3) is None


def test_a_row_model_for_computed_columns_with_nullable_aggregates(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    stats = queries.author_stats()
    assert type(stats).__name__ in ("AuthorStatsRow", "dict")
    assert (get(stats, "total"), get(stats, "latest"), get(stats, "active_count")) == (
        0,
        None,
        None,
    )
    create_author(queries, "a")
    create_author(queries, "b", active=False, created_at=WHEN + timedelta(days=1))
    stats = queries.author_stats()
    assert get(stats, "total") == 2
    assert get(stats, "latest") == WHEN + timedelta(days=1)
    assert get(stats, "active_count") == 1


def test_exec_commands(library: Library) -> None:
    connection = library.connect()
    queries = library.authors.Queries(connection)
    create_author(queries, "a", bio="old")
    create_author(queries, "b", bio="old")
    assert queries.set_bio(bio=None, id=1) == 1  # sqlc.narg and `$id`
    assert queries.set_bio(bio="new", id=99) == 0
    assert queries.set_active(active=False, id=2) == 1  # `?1`, `?2`
    assert get(queries.get_author(id=1), "bio") is None
    assert get(queries.get_author(id=2), "active") is False
    assert queries.delete_author(id=1) is None  # sqlc.arg
    assert queries.author_names() == ["b"]


def test_execlastid_and_execresult(library: Library) -> None:
    queries = library.books.Queries(library.connect())
    first = queries.insert_book(author_id=None, title="t1", tags=[], cover=None, price=2.5)
    second = queries.insert_book(
        author_id=None, title="t2", tags=["x"], cover=b"\x00\xff", price=None
    )
    assert (first, second) == (1, 2)
    cursor = queries.double_prices()
    assert isinstance(cursor, sqlite3.Cursor)
    assert cursor.rowcount == 1
    book = queries.get_book(id=2)
    assert (get(book, "tags"), get(book, "cover"), get(book, "price")) == (["x"], b"\x00\xff", None)
    assert get(queries.get_book(id=1), "price") == 5.0


def test_embeds_with_the_optional_side_of_a_left_join_as_none(library: Library) -> None:
    connection = library.connect()
    authors = library.authors.Queries(connection)
    books = library.books.Queries(connection)
    author = create_author(authors, "Ann", profile={"k": "v"})
    books.insert_book(author_id=None, title="anonymous", tags=[], cover=None, price=None)
    books.insert_book(
        author_id=get(author, "id"), title="signed", tags=["a"], cover=None, price=1.0
    )
    rows = books.books_with_authors()
    assert [get(get(row, "book"), "title") for row in rows] == ["anonymous", "signed"]
    assert get(rows[0], "author") is None
    assert get(rows[1], "author") == author
    assert type(get(rows[1], "book")).__name__ in ("Book", "dict")


def test_columns_of_the_optional_side_are_nullable(library: Library) -> None:
    connection = library.connect()
    authors = library.authors.Queries(connection)
    books = library.books.Queries(connection)
    create_author(authors, "no books")
    create_author(authors, "one book")
    books.insert_book(author_id=2, title="t", tags=[], cover=None, price=None)
    rows = books.book_titles_by_author()
    assert [(get(r, "name"), get(r, "title")) for r in rows] == [
        ("no books", None),
        ("one book", "t"),
    ]


def test_between_bounds_and_repeated_column_names(library: Library) -> None:
    connection = library.connect()
    authors = library.authors.Queries(connection)
    books = library.books.Queries(connection)
    create_author(authors, "a")
    for price in (1.0, 2.0, 3.0):
        books.insert_book(author_id=1, title=f"p{price}", tags=[], cover=None, price=price)
    rows = books.books_priced_between(from_price=1.5, to_price=3.0)
    assert [get(r, "title") for r in rows] == ["p2.0", "p3.0"]
    pairs = books.author_and_book_ids()
    assert [(get(r, "id"), get(r, "id_2")) for r in pairs] == [(1, 1), (1, 2), (1, 3)]


def test_hostile_text_in_sql_and_comments_survives(library: Library) -> None:
    queries = library.authors.Queries(library.connect())
    assert queries.odd() == '""" \\N{BULLET} \\ \u00e9 \'x\''
    doc = queries.odd.__doc__
    assert doc is not None
    assert '"""' in doc
    assert "\\N{BULLET}" in doc


def test_a_file_database_in_wal_mode_sees_committed_writes(
    library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "library.sqlite"
    writer = library.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    queries = library.authors.Queries(writer)
    writer.execute("BEGIN IMMEDIATE")
    create_author(queries, "pending")
    reader = library.authors.Queries(sqlite3.connect(path, isolation_level=None))
    assert reader.count_authors() == 0
    writer.execute("COMMIT")
    assert reader.count_authors() == 1


# async


def test_async_queries_over_aiosqlite(library: Library) -> None:
    async def scenario() -> None:
        async with aiosqlite.connect(":memory:", isolation_level=None) as connection:
            await connection.executescript(library.schema_sql)
            authors = library.authors.AsyncQueries(connection)
            books = library.books.AsyncQueries(connection)
            author = await authors.create_author(
                name="Ann",
                bio=None,
                born=date(1990, 5, 6),
                active=True,
                rating=Decimal("1.50"),
                profile={"a": [1]},
                mood=mood("calm"),
                created_at=WHEN,
            )
            assert await authors.get_author(id=1) == author
            assert await authors.get_author(id=2) is None
            assert [get(a, "name") for a in await authors.list_authors_in(ids=[1, 5])] == ["Ann"]
            assert await authors.list_authors_in(ids=[]) == []
            assert await authors.count_authors() == 1
            assert await authors.author_names() == ["Ann"]
            assert await authors.author_birthdays() == [date(1990, 5, 6)]
            assert await authors.set_bio(bio="x", id=1) == 1
            assert (
                await books.insert_book(author_id=1, title="t", tags=[], cover=None, price=1.0) == 1
            )
            cursor = await books.double_prices()
            assert isinstance(cursor, aiosqlite.Cursor)
            assert cursor.rowcount == 1
            rows = await books.books_with_authors()
            assert get(get(rows[0], "author"), "bio") == "x"
            await authors.delete_author(id=1)
            assert await authors.count_authors() == 0

    asyncio.run(scenario())


# the code itself


def run_tool(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *arguments], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_generated_packages_pass_mypy_strict(library_root: Path) -> None:
    packages = [f"library_{model_type}" for model_type in MODEL_TYPES]
    result = run_tool(
        ["mypy", "--strict", f"--cache-dir={library_root / '.mypy_cache'}", *packages],
        library_root,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["ruff", "check", "--isolated", "--select", "E,W,F,I,B,UP,RUF,PL,C4,SIM,RET,PIE"],
        ["ruff", "format", "--isolated", "--check"],
        ["ruff", "format", "--isolated", "--check", "--line-length", "100"],
    ],
)
def test_generated_query_modules_pass_ruff(library_root: Path, arguments: list[str]) -> None:
    modules = [
        f"library_{model_type}/{name}.py"
        for model_type in MODEL_TYPES
        for name in ("authors", "books")
    ]
    # many keyword-only arguments are what a query with many parameters needs
    ignore = ["--ignore", "PLR0913"] if arguments[1] == "check" else []
    result = run_tool([*arguments, *ignore, *modules], library_root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_imports_no_sqlforge(library_root: Path) -> None:
    for model_type in MODEL_TYPES:
        for module in (library_root / f"library_{model_type}").glob("*.py"):
            assert "sqlforge" not in "\n".join(
                line for line in module.read_text("utf-8").splitlines() if "import" in line
            )
