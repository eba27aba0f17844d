"""Query analysis against a real SQLite schema: every inference rule, parameter context,
embed, slice and error, one by one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from sqlforge.analysis import (
    AnalyzedQuery,
    ColumnRef,
    QueryParameter,
    SqlType,
    analyze_query_files,
)
from sqlforge.catalog import Catalog, execute_schema, load_catalog
from sqlforge.errors import SqlforgeError

SCHEMA = Path(__file__).parent / "fixtures" / "queries" / "schema.sql"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SCHEMA.read_text(encoding="utf-8"), path=SCHEMA)


Analyze = Callable[..., AnalyzedQuery]
Errors = Callable[..., list[str]]


@pytest.fixture
def analyze(tmp_path: Path, catalog: Catalog) -> Analyze:
    def run(sql: str, command: str = ":many", *, strict: bool = False) -> AnalyzedQuery:
        path = tmp_path / "queries.sql"
        path.write_text(f"-- name: Q {command}\n{sql};\n", encoding="utf-8")
        [analyzed] = analyze_query_files([path], catalog, strict=strict)
        [query] = analyzed.queries
        return query

    return run


@pytest.fixture
def errors(tmp_path: Path, catalog: Catalog) -> Errors:
    def run(*texts: str, strict: bool = False) -> list[str]:
        paths = []
        for index, text in enumerate(texts):
            path = tmp_path / f"q{index}.sql"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        with pytest.raises(SqlforgeError) as raised:
            analyze_query_files(paths, catalog, strict=strict)
        return [
            f"{d.path.name if d.path else ''}:{d.line}:{d.column}: {d.message}"
            for d in raised.value.diagnostics
        ]

    return run


def column(query: AnalyzedQuery, index: int = 0) -> tuple[str, str | None, bool]:
    """(name, declared type or None when unknown, nullable)."""
    result = query.columns[index]
    declared = result.sql_type.declared if result.sql_type.known else None
    return result.name, declared, result.nullable


def columns(query: AnalyzedQuery) -> list[tuple[str, str | None, bool]]:
    return [column(query, i) for i in range(len(query.columns))]


def param(query: AnalyzedQuery, index: int = 0) -> tuple[str, str | None, bool]:
    result = query.parameters[index]
    declared = result.sql_type.declared if result.sql_type.known else None
    return result.name, declared, result.nullable


# --- result columns: tables and joins ------------------------------------------------------------


def test_declared_types_and_not_null(analyze: Analyze) -> None:
    query = analyze("SELECT id, title, weight, budget, submitted_at, payload FROM jobs")
    assert columns(query) == [
        ("id", "INTEGER", False),
        ("title", "VARCHAR(200)", False),
        ("weight", "REAL", True),
        ("budget", "DECIMAL(10, 2)", True),
        ("submitted_at", "DATETIME", False),
        ("payload", "BLOB", True),
    ]
    assert query.columns[1].source == ColumnRef("jobs", "title")


def test_primary_keys_sqlite_lets_be_null(analyze: Analyze) -> None:
    """Only INTEGER PRIMARY KEY and WITHOUT ROWID keys are NOT NULL in SQLite."""
    assert column(analyze("SELECT code FROM labels")) == ("code", "TEXT", True)
    assert column(analyze("SELECT key FROM settings")) == ("key", "TEXT", False)
    assert column(analyze("SELECT rowid FROM labels")) == ("rowid", "INTEGER", False)


def test_star_expands_in_column_order(analyze: Analyze) -> None:
    query = analyze("SELECT * FROM tasks")
    assert [c.name for c in query.columns] == [
        "id",
        "job_id",
        "worker_id",
        "status",
        "frames",
        "started",
    ]
    assert query.sql == "SELECT id, job_id, worker_id, status, frames, started FROM tasks"


def test_left_join_makes_the_optional_side_nullable(analyze: Analyze) -> None:
    query = analyze(
        "SELECT jobs.title, tasks.status, tasks.id FROM jobs "
        "LEFT JOIN tasks ON tasks.job_id = jobs.id"
    )
    assert columns(query) == [
        ("title", "VARCHAR(200)", False),
        ("status", "TEXT", True),
        ("id", "INTEGER", True),
    ]


def test_right_and_full_joins(analyze: Analyze) -> None:
    right = analyze("SELECT j.title, t.status FROM jobs j RIGHT JOIN tasks t ON t.job_id = j.id")
    assert [c.nullable for c in right.columns] == [True, False]
    full = analyze("SELECT j.title, t.status FROM jobs j FULL JOIN tasks t ON t.job_id = j.id")
    assert [c.nullable for c in full.columns] == [True, True]


def test_left_join_onto_a_subquery_is_nullable(analyze: Analyze) -> None:
    """sqlc #3667 types `b.title` not null here."""
    query = analyze(
        "SELECT t.id, j.title FROM tasks t "
        "LEFT JOIN (SELECT id, title FROM jobs WHERE priority > 0) j ON j.id = t.job_id"
    )
    assert columns(query) == [("id", "INTEGER", False), ("title", "VARCHAR(200)", True)]


def test_where_conditions_no_null_passes_narrow_the_result(analyze: Analyze) -> None:
    query = analyze(
        "SELECT jobs.note, tasks.status, tasks.frames, tasks.worker_id FROM jobs "
        "LEFT JOIN tasks ON tasks.job_id = jobs.id "
        "WHERE jobs.note IS NOT NULL AND (tasks.frames > ? AND 1)"
    )
    assert [c.nullable for c in query.columns] == [False, False, False, True]


def test_where_conditions_null_may_pass_do_not_narrow(analyze: Analyze) -> None:
    query = analyze(
        "SELECT jobs.note, tasks.status FROM jobs LEFT JOIN tasks ON tasks.job_id = jobs.id "
        "WHERE jobs.note IS ? OR tasks.frames > 1 OR coalesce(tasks.status, '') = ''"
    )
    assert [c.nullable for c in query.columns] == [True, True]


def test_using_join_star_shows_the_shared_column_once(analyze: Analyze) -> None:
    query = analyze(
        "SELECT * FROM (SELECT id AS job_id, title FROM jobs) AS j JOIN tasks USING (job_id)"
    )
    assert [c.name for c in query.columns] == [
        "job_id",
        "title",
        "id",
        "worker_id",
        "status",
        "frames",
        "started",
    ]


def test_views_are_typed_through_their_query(analyze: Analyze) -> None:
    query = analyze("SELECT job_id, title, worker FROM job_workers")
    assert columns(query) == [
        ("job_id", "INTEGER", False),
        ("title", "VARCHAR(200)", False),
        ("worker", "TEXT", True),
    ]
    assert query.columns[2].source == ColumnRef("job_workers", "worker")


def test_fts5_columns_hold_any_value(analyze: Analyze) -> None:
    query = analyze("SELECT title FROM job_search WHERE job_search MATCH ?")
    assert column(query) == ("title", "", True)
    assert param(query) == ("job_search", "TEXT", False)


# --- result columns: expressions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("COUNT(*)", ("count", "INTEGER", False)),
        ("count(note)", ("count", "INTEGER", False)),
        ("SUM(priority)", ("sum", "INTEGER", True)),
        ("SUM(weight)", ("sum", "REAL", True)),
        ("AVG(priority)", ("avg", "REAL", True)),
        ("TOTAL(priority)", ("total", "REAL", False)),
        ("MAX(submitted_at)", ("max", "DATETIME", True)),
        ("MIN(title)", ("min", "VARCHAR(200)", True)),
        ("GROUP_CONCAT(title)", ("group_concat", "TEXT", True)),
        ("json_group_array(title)", ("json_group_array", "JSON", False)),
    ],
)
def test_aggregates(analyze: Analyze, expression: str, expected: tuple[str, str, bool]) -> None:
    assert column(analyze(f"SELECT {expression} FROM jobs")) == expected


def test_max_keeps_the_column_for_overrides(analyze: Analyze) -> None:
    query = analyze("SELECT max(status) AS latest FROM tasks")
    assert query.columns[0].source == ColumnRef("tasks", "status")


def test_bare_columns_of_an_ungrouped_aggregate_may_be_null(analyze: Analyze) -> None:
    """Over no rows, `SELECT title, count(*)` still gives one row, with title NULL."""
    assert columns(analyze("SELECT title, count(*) FROM jobs")) == [
        ("title", "VARCHAR(200)", True),
        ("count", "INTEGER", False),
    ]
    grouped = analyze("SELECT title, count(*) FROM jobs GROUP BY title")
    assert column(grouped) == ("title", "VARCHAR(200)", False)


def test_scalar_subqueries(analyze: Analyze) -> None:
    query = analyze(
        "SELECT (SELECT title FROM jobs LIMIT 1) AS first_title, "
        "(SELECT count(*) FROM tasks WHERE tasks.job_id = jobs.id) AS tasks "
        "FROM jobs"
    )
    assert columns(query) == [
        ("first_title", "VARCHAR(200)", True),
        ("tasks", "INTEGER", False),
    ]


def test_exists(analyze: Analyze) -> None:
    query = analyze("SELECT EXISTS (SELECT 1 FROM jobs), NOT EXISTS (SELECT 1 FROM tasks)")
    assert columns(query) == [("exists", "BOOLEAN", False), ("not_exists", "BOOLEAN", False)]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("COALESCE(note, title)", ("note", "TEXT", False)),
        ("COALESCE(note, 'none')", ("note", "TEXT", False)),
        ("COALESCE(weight, priority)", ("weight", "REAL", False)),
        ("COALESCE(note, note)", ("note", "TEXT", True)),
        ("IFNULL(weight, 0.0)", ("weight", "REAL", False)),
        ("COALESCE(SUM(priority), 0)", ("", "INTEGER", False)),
    ],
)
def test_coalesce(analyze: Analyze, expression: str, expected: tuple[str, str, bool]) -> None:
    name, declared, nullable = column(analyze(f"SELECT {expression} FROM jobs"))
    assert (name if name != "coalesce" else "", declared, nullable) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("CAST(priority AS TEXT)", ("priority", "TEXT", False)),
        ("CAST(note AS BLOB)", ("note", "BLOB", True)),
        ("CAST(NULL AS INTEGER)", ("", "INTEGER", True)),
        ("CAST(weight AS boolean)", ("weight", "boolean", True)),
        ("CAST(1 AS UNSIGNED BIG INT)", ("", "UNSIGNED BIG INT", False)),
        ("CAST(priority AS DECIMAL(10, 2))", ("priority", "DECIMAL(10, 2)", False)),
    ],
)
def test_cast_types_from_its_target_and_keeps_nullability(
    analyze: Analyze, expression: str, expected: tuple[str, str, bool]
) -> None:
    assert column(analyze(f"SELECT {expression} FROM jobs")) == expected


def test_cast_to_a_date_type_warns_that_sqlite_makes_a_number(analyze: Analyze) -> None:
    query = analyze("SELECT CAST(note AS DATETIME) AS noted FROM jobs")
    assert column(query) == ("noted", "DATETIME", True)
    [warning] = query.warnings
    assert "gives a number in SQLite" in warning.message and "query Q" in warning.message


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1", ("", "INTEGER", False)),
        ("1.5", ("", "REAL", False)),
        ("'x'", ("", "TEXT", False)),
        ("x'00'", ("", "BLOB", False)),
        ("TRUE", ("", "BOOLEAN", False)),
        ("priority + 1", ("", "INTEGER", False)),
        ("priority * weight", ("", "REAL", True)),
        ("priority / 2", ("", "INTEGER", False)),
        ("priority / id", ("", "INTEGER", True)),
        ("-weight", ("", "REAL", True)),
        ("priority > 3", ("", "BOOLEAN", False)),
        ("note = 'x'", ("", "BOOLEAN", True)),
        ("note IS NULL", ("", "BOOLEAN", False)),
        ("note LIKE 'a%'", ("", "BOOLEAN", True)),
        ("title || note", ("", "TEXT", True)),
        ("title || '!'", ("", "TEXT", False)),
        ("priority BETWEEN 1 AND 3", ("", "BOOLEAN", False)),
        ("id IN (1, 2)", ("", "BOOLEAN", False)),
        ("CASE WHEN priority > 1 THEN 'high' ELSE 'low' END", ("", "TEXT", False)),
        ("CASE WHEN priority > 1 THEN 'high' END", ("", "TEXT", True)),
        ("CASE priority WHEN 1 THEN 1.0 ELSE 2 END", ("", "REAL", False)),
        ("iif(priority > 1, 'a', 'b')", ("iif", "TEXT", False)),
    ],
)
def test_expressions(analyze: Analyze, expression: str, expected: tuple[str, str, bool]) -> None:
    query = analyze(f"SELECT {expression} FROM jobs")
    assert column(query) == expected
    assert query.warnings == ()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("lower(title)", ("lower", "TEXT", False)),
        ("upper(note)", ("upper", "TEXT", True)),
        ("length(title)", ("length", "INTEGER", False)),
        ("abs(priority)", ("abs", "INTEGER", False)),
        ("abs(weight)", ("abs", "REAL", True)),
        ("round(weight, 1)", ("round", "REAL", True)),
        ("substr(title, 1, 3)", ("substr", "TEXT", False)),
        ("replace(title, 'a', 'b')", ("replace", "TEXT", False)),
        ("instr(title, 'a')", ("instr", "INTEGER", False)),
        ("typeof(note)", ("typeof", "TEXT", False)),
        ("datetime('now')", ("datetime", "DATETIME", False)),
        ("datetime(submitted_at, '+1 day')", ("datetime", "DATETIME", True)),
        ("date('now')", ("date", "DATE", False)),
        ("strftime('%Y', submitted_at)", ("strftime", "TEXT", True)),
        ("julianday('now')", ("julianday", "REAL", False)),
        ("unixepoch('now')", ("unixepoch", "INTEGER", False)),
        ("CURRENT_TIMESTAMP", ("current_timestamp", "DATETIME", False)),
        ("sqrt(4.0)", ("sqrt", "REAL", False)),
        ("sqrt(-1.0)", ("sqrt", "REAL", True)),
        ("json_object('t', title)", ("json_object", "JSON", False)),
        ("json_array(1, 2)", ("json_array", "JSON", False)),
        ("json(note)", ("json", "JSON", True)),
        ("random()", ("random", "INTEGER", False)),
        ("max(priority, id)", ("max", "INTEGER", False)),
        ("row_number() OVER (ORDER BY id)", ("row_number", "INTEGER", False)),
        ("lag(title) OVER (ORDER BY id)", ("lag", "VARCHAR(200)", True)),
    ],
)
def test_built_in_functions(
    analyze: Analyze, expression: str, expected: tuple[str, str, bool]
) -> None:
    query = analyze(f"SELECT {expression} FROM jobs")
    assert column(query) == expected
    assert query.warnings == ()


def test_untypable_columns_warn_with_the_query_and_a_way_out(analyze: Analyze) -> None:
    query = analyze("SELECT json_extract(note, '$.a') AS a, NULL FROM jobs")
    assert columns(query) == [("a", None, True), ("", None, True)]
    first, second = query.warnings
    assert first.message == "query Q: the type of result column 1 (a) cannot be inferred"
    assert first.hint is not None and "CAST(" in first.hint
    assert second.message == "query Q: the type of result column 2 (unnamed) cannot be inferred"
    assert (first.path is not None, first.line) == (True, 1)


def test_strict_turns_warnings_into_errors(errors: Errors) -> None:
    assert errors(
        "-- name: Q :one\nSELECT json_extract(note, '$.a') FROM jobs;\n", strict=True
    ) == ["q0.sql:1:None: query Q: the type of result column 1 (json_extract) cannot be inferred"]


def test_compound_selects_merge_their_arms(analyze: Analyze) -> None:
    query = analyze("SELECT title, priority FROM jobs UNION SELECT note, weight FROM jobs")
    assert columns(query) == [("title", "TEXT", True), ("priority", "REAL", True)]


def test_ctes_including_recursive_ones(analyze: Analyze) -> None:
    query = analyze(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5), "
        "busy AS (SELECT job_id, count(*) AS c FROM tasks GROUP BY job_id) "
        "SELECT n.i, busy.c FROM n LEFT JOIN busy ON busy.job_id = n.i"
    )
    assert columns(query) == [("i", "INTEGER", False), ("c", "INTEGER", True)]


def test_returning_is_typed_from_the_table(analyze: Analyze) -> None:
    insert = analyze("INSERT INTO jobs (title) VALUES (?) RETURNING id, note, *", ":one")
    assert [c.name for c in insert.columns][:3] == ["id", "note", "id"]
    assert column(insert, 0) == ("id", "INTEGER", False)
    update = analyze("UPDATE tasks SET status = 'done' WHERE id = ? RETURNING frames", ":one")
    assert column(update) == ("frames", "INTEGER", True)
    delete = analyze("DELETE FROM labels WHERE code = ? RETURNING code, length(code)", ":one")
    assert columns(delete) == [("code", "TEXT", True), ("length", "INTEGER", True)]


# --- parameters ----------------------------------------------------------------------------------


def test_parameter_takes_the_compared_columns_name_type_and_nullability(analyze: Analyze) -> None:
    query = analyze("SELECT id FROM jobs WHERE title = ? AND ? < weight AND jobs.id = ?")
    assert [param(query, i) for i in range(3)] == [
        ("title", "VARCHAR(200)", False),
        ("weight", "REAL", True),
        ("id", "INTEGER", False),
    ]
    assert query.parameters[0].source == ColumnRef("jobs", "title")
    assert [p.name_source for p in query.parameters] == ["context"] * 3


def test_parameter_next_to_an_outer_join_column_keeps_its_declared_nullability(
    analyze: Analyze,
) -> None:
    query = analyze(
        "SELECT j.id FROM jobs j LEFT JOIN tasks t ON t.job_id = j.id WHERE t.status = ?"
    )
    assert param(query) == ("status", "TEXT", False)


def test_insert_parameters_take_the_column_list(analyze: Analyze) -> None:
    query = analyze("INSERT INTO jobs (id, title, weight) VALUES (?, ?, ?)", ":exec")
    assert [param(query, i) for i in range(3)] == [
        ("id", "INTEGER", True),  # a rowid alias: NULL picks the next id
        ("title", "VARCHAR(200)", False),
        ("weight", "REAL", True),
    ]


def test_insert_without_a_column_list_and_insert_select(analyze: Analyze) -> None:
    whole = analyze("INSERT INTO labels VALUES (?, ?)", ":exec")
    assert [param(whole, i) for i in range(2)] == [
        ("code", "TEXT", True),
        ("description", "TEXT", True),
    ]
    select = analyze(
        "INSERT INTO tasks (job_id, status) SELECT id, ? FROM jobs WHERE priority > ?", ":exec"
    )
    assert [param(select, i) for i in range(2)] == [
        ("status", "TEXT", False),
        ("priority", "INTEGER", False),
    ]


def test_update_set_and_upsert(analyze: Analyze) -> None:
    update = analyze("UPDATE tasks SET worker_id = ?, frames = frames + ? WHERE id = ?", ":exec")
    assert [param(update, i) for i in range(3)] == [
        ("worker_id", "INTEGER", True),
        ("frames", "INTEGER", True),
        ("id", "INTEGER", False),
    ]
    upsert = analyze(
        "INSERT INTO workers (name, tags) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET tags = excluded.tags, last_seen = ?",
        ":exec",
    )
    assert [param(upsert, i) for i in range(3)] == [
        ("name", "TEXT", False),
        ("tags", "JSON", False),
        ("last_seen", "DATETIME", True),
    ]


def test_between_limit_and_offset(analyze: Analyze) -> None:
    query = analyze("SELECT id FROM jobs WHERE priority BETWEEN ? AND ? LIMIT ? OFFSET ?")
    assert [param(query, i) for i in range(4)] == [
        ("from_priority", "INTEGER", False),
        ("to_priority", "INTEGER", False),
        ("limit", "INTEGER", False),
        ("offset", "INTEGER", False),
    ]


def test_in_lists_cast_is_like_and_concatenation(analyze: Analyze) -> None:
    query = analyze(
        "SELECT id FROM jobs WHERE id IN (?, ?) AND note IS ? AND CAST(? AS DATETIME) > "
        "submitted_at AND title LIKE ? || '%'"
    )
    assert [param(query, i) for i in range(5)] == [
        ("id", "INTEGER", False),
        ("id", "INTEGER", False),
        ("note", "TEXT", True),
        ("param_4", "DATETIME", False),
        ("param_5", "TEXT", False),
    ]


def test_a_named_parameter_used_twice_merges_its_uses(analyze: Analyze) -> None:
    """The optional-filter idiom: NULL accepted, the type from the comparison."""
    query = analyze("SELECT id FROM tasks WHERE (@status IS NULL OR status = @status)")
    [status] = query.parameters
    assert (status.name, status.sql_type.declared, status.nullable) == ("status", "TEXT", True)
    assert status.name_source == "user"
    assert query.sql == "SELECT id FROM tasks WHERE (?1 IS NULL OR status = ?1)"


def test_narg_is_nullable_and_arg_is_not(analyze: Analyze) -> None:
    query = analyze("SELECT id FROM jobs WHERE title = sqlc.narg(t) OR priority = sqlc.arg(p)")
    assert [param(query, i) for i in range(2)] == [
        ("t", "VARCHAR(200)", True),
        ("p", "INTEGER", False),
    ]


def test_an_untypable_parameter_gets_a_fallback_name_and_a_warning(analyze: Analyze) -> None:
    query = analyze("SELECT ? + 1 AS n", ":one")
    assert param(query) == ("param_1", None, True)
    assert query.parameters[0].name_source == "fallback"
    assert [w.message for w in query.warnings] == [
        "query Q: the type of result column 1 (n) cannot be inferred",
        "query Q: the type of parameter ?1 (param_1) cannot be inferred",
    ]


def test_row_values_pair_their_parameters(analyze: Analyze) -> None:
    query = analyze("SELECT id FROM jobs WHERE (title, priority) = (?, ?)")
    assert [param(query, i) for i in range(2)] == [
        ("title", "VARCHAR(200)", False),
        ("priority", "INTEGER", False),
    ]


def test_function_arguments_are_typed_by_position(analyze: Analyze) -> None:
    query = analyze("SELECT substr(title, ?, ?), round(weight, ?), printf(?, title) FROM jobs")
    assert [param(query, i) for i in range(4)] == [
        ("param_1", "INTEGER", True),
        ("param_2", "INTEGER", True),
        ("param_3", "INTEGER", True),
        ("param_4", "TEXT", True),
    ]


def test_unixepoch_with_subsec_is_real(analyze: Analyze) -> None:
    query = analyze("SELECT unixepoch('now'), unixepoch('now', 'subsec')", ":one")
    assert [c.sql_type.declared for c in query.columns] == ["INTEGER", "REAL"]


def test_statements_without_rows_or_parameters_never_warn(analyze: Analyze) -> None:
    assert analyze("VACUUM", ":exec").warnings == ()
    assert analyze("CREATE INDEX IF NOT EXISTS jobs_title ON jobs (title)", ":exec").columns == ()


def test_table_valued_function_arguments(analyze: Analyze) -> None:
    query = analyze("SELECT value, key FROM json_each(?)")
    assert param(query) == ("param_1", "JSON", False)
    assert columns(query) == [("value", "", True), ("key", "", True)]


# --- slices --------------------------------------------------------------------------------------


def expand(
    query: AnalyzedQuery, scalars: Sequence[object], slices: Sequence[Sequence[object]]
) -> tuple[str, list[object]]:
    """The runtime protocol of analysis.py's docstring, as a generator would write it."""
    sql, values = query.sql, list(scalars)
    start = len(query.scalar_parameters) + 1
    for parameter, items in zip(query.slice_parameters, slices, strict=True):
        numbers = ",".join(f"?{n}" for n in range(start, start + len(items)))
        sql = sql.replace(parameter.slice_marker, numbers)
        values.extend(items)
        start += len(items)
    return sql, values


@pytest.fixture
def connection(catalog: Catalog) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    execute_schema(connection, catalog.schema_sql)
    connection.executemany(
        "INSERT INTO jobs (id, title, priority) VALUES (?, ?, ?)",
        [(1, "a", 1), (2, "b", 2), (3, "c", 3)],
    )
    return connection


def test_slice_parameters_and_their_marker(analyze: Analyze) -> None:
    query = analyze("SELECT id FROM jobs WHERE id IN (sqlc.slice(ids)) AND priority > ?")
    assert [(p.name, p.number, p.is_slice) for p in query.parameters] == [
        ("priority", 1, False),
        ("ids", 2, True),
    ]
    slice_parameter = query.parameters[1]
    assert (slice_parameter.sql_type.declared, slice_parameter.nullable) == ("INTEGER", False)
    assert slice_parameter.slice_marker == "/*SLICE:ids*/?2"
    assert query.sql == "SELECT id FROM jobs WHERE id IN (/*SLICE:ids*/?2) AND priority > ?1"
    with pytest.raises(ValueError, match="not a slice"):
        _ = query.parameters[0].slice_marker


@pytest.mark.parametrize(
    ("ids", "in_rows", "not_in_rows"),
    [([], [], [1, 2, 3]), ([2], [2], [1, 3]), ([1, 3, 9], [1, 3], [2])],
)
def test_slices_expand_at_call_time_with_sqls_meaning_for_empty_lists(
    analyze: Analyze,
    connection: sqlite3.Connection,
    ids: list[int],
    in_rows: list[int],
    not_in_rows: list[int],
) -> None:
    inside = analyze("SELECT id FROM jobs WHERE id IN (sqlc.slice(ids)) ORDER BY id")
    outside = analyze("SELECT id FROM jobs WHERE id NOT IN (sqlc.slice(ids)) ORDER BY id")
    for query, expected in ((inside, in_rows), (outside, not_in_rows)):
        sql, values = expand(query, [], [ids])
        assert [row[0] for row in connection.execute(sql, values)] == expected


def test_two_slices_and_scalars_bind_in_order(
    analyze: Analyze, connection: sqlite3.Connection
) -> None:
    query = analyze(
        "SELECT id FROM jobs WHERE id IN (sqlc.slice(ids)) AND priority >= @low "
        "AND title NOT IN (sqlc.slice(skip)) AND priority <= @high ORDER BY id"
    )
    assert [(p.name, p.number) for p in query.parameters] == [
        ("low", 1),
        ("high", 2),
        ("ids", 3),
        ("skip", 4),
    ]
    sql, values = expand(query, [1, 3], [[1, 2, 3], ["b"]])
    assert [row[0] for row in connection.execute(sql, values)] == [1, 3]
    sql, values = expand(query, [2, 3], [[], ["b"]])
    assert [row[0] for row in connection.execute(sql, values)] == []


def test_the_unexpanded_text_runs_with_one_value_per_slice(
    analyze: Analyze, connection: sqlite3.Connection
) -> None:
    query = analyze("SELECT id FROM jobs WHERE id IN (sqlc.slice(ids)) AND priority > ?")
    assert connection.execute(query.sql, (0, 2)).fetchall() == [(2,)]


# --- embeds --------------------------------------------------------------------------------------


def test_embed_expands_to_the_tables_columns(analyze: Analyze) -> None:
    query = analyze("SELECT sqlc.embed(j), t.status FROM jobs j JOIN tasks t ON t.job_id = j.id")
    [embed] = query.embeds
    assert (embed.name, embed.table, embed.start, embed.stop, embed.nullable) == (
        "j",
        "jobs",
        0,
        8,
        False,
    )
    assert query.sql.startswith("SELECT j.id, j.title, j.priority, j.weight, j.budget, ")
    assert [c.embed for c in query.columns] == [0] * 8 + [None]
    assert column(query, 8) == ("status", "TEXT", False)


def test_embed_on_the_optional_side_is_nullable(analyze: Analyze) -> None:
    """sqlc #2634 gives a non-nullable struct here."""
    query = analyze(
        "SELECT sqlc.embed(jobs), sqlc.embed(workers) FROM jobs "
        "LEFT JOIN tasks ON tasks.job_id = jobs.id "
        "LEFT JOIN workers ON workers.id = tasks.worker_id"
    )
    jobs, workers = query.embeds
    assert (jobs.nullable, workers.nullable) == (False, True)
    assert workers.null_when == workers.start  # workers.id, an INTEGER PRIMARY KEY
    assert all(c.nullable for c in query.columns[workers.start : workers.stop])


def test_embed_runs_and_reads_back(analyze: Analyze, connection: sqlite3.Connection) -> None:
    query = analyze("SELECT sqlc.embed(labels) FROM labels")
    connection.execute("INSERT INTO labels VALUES ('x', 'y')")
    assert connection.execute(query.sql).fetchall() == [("x", "y")]
    assert query.embeds[0].null_when is None


def test_embed_must_name_a_table_of_the_outermost_select(errors: Errors) -> None:
    assert errors("-- name: Q :many\nSELECT x.* FROM (SELECT sqlc.embed(jobs) FROM jobs) x;\n") == [
        "q0.sql:2:25: sqlc.embed(jobs) must name the outermost SELECT"
    ]


# --- errors --------------------------------------------------------------------------------------


def test_sqlites_own_message_at_the_right_place(errors: Errors) -> None:
    assert errors("\n-- name: Q :one\nSELECT id,\n       nme FROM jobs;\n") == [
        "q0.sql:4:8: no such column: nme"
    ]
    assert errors("-- name: Q :one\nSELECT * FROM nosuch;\n") == [
        "q0.sql:2:1: no such table: nosuch"
    ]


def test_one_or_many_on_a_statement_without_rows(errors: Errors) -> None:
    assert errors("-- name: Add :one\nINSERT INTO labels (code) VALUES (?);\n") == [
        'q0.sql:1:1: query "Add" specifies parameter ":one" without containing a RETURNING clause'
    ]


def test_every_error_of_every_file_together(errors: Errors) -> None:
    first = "-- name: A :one\nSELECT nope FROM jobs;\n-- name: B :one\nSELECT ?1 + ?;\n"
    second = "-- name: A :many\nSELECT 1;\n-- name: C :many\nSELECT * FROM jobs WHERE id = ?2;\n"
    assert errors(first, second) == [
        "q0.sql:2:8: no such column: nope",
        "q0.sql:4:13: can not mix ?NNN format with ? format",
        "q1.sql:1:1: duplicate query name: A",
        "q1.sql:4:31: could not determine data type of parameter ?1",
    ]


def test_no_queries_at_all(errors: Errors) -> None:
    [message] = errors("SELECT 1;\n")
    assert message.startswith(":None:None: error parsing queries: no queries contained in paths")


def test_fallback_when_the_structure_cannot_be_read(analyze: Analyze) -> None:
    query = analyze("SELECT * FROM pragma_table_info('jobs')")
    assert [c.name for c in query.columns][:3] == ["cid", "name", "type"]
    assert all(c.nullable for c in query.columns)
    assert "its structure could not be analysed" in query.warnings[0].message


def test_results_are_plain_frozen_data(analyze: Analyze) -> None:
    query = analyze("SELECT id FROM jobs WHERE id = ?", ":one")
    assert query.command == ":one" and query.doc == ()
    assert query.parameters[0] == QueryParameter(
        "id", 1, SqlType("INTEGER"), False, False, ColumnRef("jobs", "id"), "context"
    )
    with pytest.raises(AttributeError):
        query.name = "other"  # type: ignore[misc]
