"""Query files in sqlc's annotation language: annotations, statements, parameters, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlforge.queries import (
    AnnotationError,
    QueryFile,
    duplicate_names,
    parse_annotation,
    parse_query_file,
    read_query_file,
)

PATH = Path("queries/jobs.sql")
MISSING_TYPE = (
    "missing query type [':one', ':many', ':exec', ':execrows', ':execlastid', ':execresult', "
    "':copyfrom', 'batchexec', 'batchmany', 'batchone']"
)


def parse(text: str) -> QueryFile:
    return parse_query_file(PATH, text)


def messages(text: str) -> list[str]:
    return [f"{d.line}:{d.column}: {d.message}" for d in parse(text).diagnostics]


# --- annotations: sqlc's exact rules and messages ----------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("-- name: GetJob :one", ("GetJob", ":one")),
        ("/* name: GetJob :many */", ("GetJob", ":many")),
        ("-- name: _job2 :execrows", ("_job2", ":execrows")),
        ("-- name: Über :exec", ("Über", ":exec")),
        ("-- some comment", None),
        ("-- name comment", None),
        ("SELECT 1", None),
    ],
)
def test_annotation_lines(line: str, expected: tuple[str, str] | None) -> None:
    assert parse_annotation(line) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--name: A :one", "invalid metadata: --name: A :one"),
        ("-- name:A :one", "invalid metadata: -- name:A :one"),
        ("-- name: A", f"{MISSING_TYPE}: -- name: A"),
        ("/* name: A :one*/", f"{MISSING_TYPE}: /* name: A :one*/"),
        ("-- name: A, :one", 'invalid query name "A,"'),
        ("-- name: A :one x", "invalid query comment: -- name: A :one x"),
        ("-- name: A  :one", "invalid query comment: -- name: A  :one"),
        ("-- name: A :first", "invalid query type: :first"),
        ("-- name: 9A :one", 'invalid query name "9A"'),
        ("-- name: get-job :one", 'invalid query name "get-job"'),
        ("-- names: the list", "invalid metadata: -- names: the list"),
    ],
)
def test_malformed_annotations_give_sqlcs_messages(line: str, message: str) -> None:
    with pytest.raises(AnnotationError) as error:
        parse_annotation(line)
    assert str(error.value) == message


def test_an_annotation_error_is_located_and_has_a_hint() -> None:
    result = parse("SELECT 1;\n\n  -- name:GetJob :one\nSELECT 2;\n")
    [problem] = result.diagnostics
    assert (problem.path, problem.line, problem.column) == (PATH, 3, 3)
    assert problem.message == "invalid metadata:   -- name:GetJob :one".replace("  -- ", "-- ")
    assert problem.hint == "write `-- name: QueryName :one` (one space between the parts)"


def test_both_comment_styles_and_every_command() -> None:
    text = "".join(
        f"-- name: Q{i} {command}\nSELECT {i};\n"
        for i, command in enumerate(
            (":one", ":many", ":exec", ":execrows", ":execlastid", ":execresult")
        )
    )
    text += "/* name: Slash :one */\nSELECT 9;\n"
    result = parse(text)
    assert result.diagnostics == ()
    assert [(q.name, q.command) for q in result.queries] == [
        ("Q0", ":one"),
        ("Q1", ":many"),
        ("Q2", ":exec"),
        ("Q3", ":execrows"),
        ("Q4", ":execlastid"),
        ("Q5", ":execresult"),
        ("Slash", ":one"),
    ]


@pytest.mark.parametrize("command", [":copyfrom", ":batchexec", ":batchmany", ":batchone"])
def test_sqlc_commands_sqlite_cannot_run_are_rejected(command: str) -> None:
    [message] = messages(f"-- name: Load {command}\nINSERT INTO t VALUES (1);\n")
    assert message.startswith(f"1:1: {command} is not supported for SQLite")


def test_unannotated_statements_are_skipped() -> None:
    result = parse("CREATE TABLE t (a);\n-- name: A :many\nSELECT a FROM t;\nDELETE FROM t;\n")
    assert [q.name for q in result.queries] == ["A"]
    assert result.diagnostics == ()


def test_a_missing_semicolon_between_queries_is_reported() -> None:
    text = "-- name: A :one\nSELECT 1\n\n-- name: B :one\nSELECT 2;\n"
    assert messages(text) == [
        "4:1: annotation of query B is inside the SQL of query A",
    ]


def test_an_annotation_without_sql_is_reported() -> None:
    assert messages("-- name: A :one\n-- name: B :one\nSELECT 1;\n-- name: C :exec\n") == [
        "1:1: query A has no SQL statement",
        "4:1: query C has no SQL statement",
    ]


def test_duplicate_names_across_files_point_at_the_second() -> None:
    first = parse_query_file(Path("a.sql"), "-- name: Same :one\nSELECT 1;\n")
    second = parse_query_file(Path("b.sql"), "\n-- name: Same :one\nSELECT 2;\n")
    [problem] = duplicate_names([first, second])
    assert problem.message == "duplicate query name: Same"
    assert (problem.path, problem.line) == (Path("b.sql"), 2)
    assert problem.hint is not None and "a.sql:1" in problem.hint


def test_an_unreadable_file_is_a_diagnostic(tmp_path: Path) -> None:
    result = read_query_file(tmp_path / "missing.sql")
    assert result.queries == ()
    assert result.diagnostics[0].message.startswith("cannot read query file")


def test_a_file_that_is_not_utf8_is_located_at_its_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.sql"
    path.write_bytes("-- name: Café :one\nSELECT 'é', 'ü' FROM t;\n".encode("latin-1"))
    result = read_query_file(path)
    assert result.queries == ()
    [problem] = result.diagnostics
    assert (problem.path, problem.line, problem.column) == (path, 1, 13)
    assert problem.message == "query file is not UTF-8 text: byte 0xe9 cannot be read"
    assert problem.hint is not None and "UTF-8" in problem.hint
    path.write_bytes("-- name: Cafe :one\nSELECT 'é', 'ü' FROM t;\n".encode("latin-1"))
    [problem] = read_query_file(path).diagnostics
    assert (problem.line, problem.column) == (2, 9)


def test_a_byte_order_mark_is_no_part_of_the_sql(tmp_path: Path) -> None:
    path = tmp_path / "bom.sql"
    path.write_bytes(b"\xef\xbb\xbf-- name: GetOne :one\nSELECT 1;\n")
    result = read_query_file(path)
    assert result.diagnostics == ()
    [query] = result.queries
    assert (query.name, query.sql, query.line, query.column) == ("GetOne", "SELECT 1", 1, 1)


# --- statements and text -----------------------------------------------------------------------


def test_semicolons_in_strings_comments_and_trigger_bodies_do_not_split() -> None:
    text = (
        "-- name: A :exec\n"
        "CREATE TRIGGER t AFTER INSERT ON x BEGIN\n"
        "  UPDATE x SET a = ';'; -- ;\n"
        "  /* ; */ DELETE FROM y;\n"
        "END;\n"
        "-- name: B :one\n"
        "SELECT 'a;b', \"c;d\";\n"
    )
    result = parse(text)
    assert [q.name for q in result.queries] == ["A", "B"]
    assert result.queries[0].sql.endswith("END")
    assert result.queries[1].sql == "SELECT 'a;b', \"c;d\""


def test_doc_comments_and_comment_stripping() -> None:
    text = (
        "-- file header, not documentation\n"
        "-- name: GetJob :one\n"
        "-- Fetch one job.\n"
        "--   Indented text is kept.\n"
        "SELECT id, -- inline comments stay\n"
        "  -- whole-line comments go\n"
        "  name\n"
        "FROM jobs\n"
        "/* a block alone */\n"
        "WHERE id = ?;  -- trailing\n"
    )
    [query] = parse(text).queries
    assert query.doc == (" Fetch one job.", "   Indented text is kept.")
    assert query.sql == "SELECT id, -- inline comments stay\n  name\nFROM jobs\nWHERE id = ?1"
    assert (query.line, query.column) == (2, 1)


def test_crlf_files_read_as_lf() -> None:
    [query] = parse("-- name: A :many\r\nSELECT 1,\r\n  2;\r\n").queries
    assert query.sql == "SELECT 1,\n  2"


def test_the_last_statement_needs_no_semicolon() -> None:
    [query] = parse("-- name: A :many\nSELECT 1\n").queries
    assert query.sql == "SELECT 1"


# --- parameters --------------------------------------------------------------------------------


def specs(sql: str) -> list[tuple[int, str | None, bool, bool]]:
    [query] = parse(f"-- name: Q :many\n{sql};\n").queries
    return [(p.number, p.name, p.is_slice, p.nullable) for p in query.parameters]


def rewritten(sql: str) -> str:
    [query] = parse(f"-- name: Q :many\n{sql};\n").queries
    return query.sql


def test_question_marks_are_numbered_in_order() -> None:
    assert rewritten("SELECT * FROM t WHERE a = ? AND b = ?") == (
        "SELECT * FROM t WHERE a = ?1 AND b = ?2"
    )
    assert specs("SELECT * FROM t WHERE a = ? AND b = ?") == [
        (1, None, False, False),
        (2, None, False, False),
    ]


def test_numbered_parameters_keep_their_numbers_and_may_repeat() -> None:
    assert rewritten("SELECT * FROM t WHERE a = ?2 OR b = ?1 OR c = ?2") == (
        "SELECT * FROM t WHERE a = ?2 OR b = ?1 OR c = ?2"
    )
    assert [s[0] for s in specs("SELECT ?2, ?1")] == [1, 2]


@pytest.mark.parametrize("prefix", [":", "@", "$"])
def test_named_parameters_lose_their_prefix_and_share_a_number(prefix: str) -> None:
    sql = f"SELECT * FROM t WHERE a = {prefix}name OR b = {prefix}name OR c = {prefix}Other"
    assert rewritten(sql) == "SELECT * FROM t WHERE a = ?1 OR b = ?1 OR c = ?2"
    assert specs(sql) == [(1, "name", False, False), (2, "Other", False, False)]


def test_different_prefixes_of_one_name_are_one_parameter() -> None:
    assert specs("SELECT :x, @x, $x, sqlc.arg(x)") == [(1, "x", False, False)]


def test_sqlc_macros() -> None:
    sql = (
        "SELECT * FROM t WHERE a = sqlc.arg(a) AND b = sqlc.arg('b') AND c = sqlc.narg(c) "
        'AND d IN (sqlc.slice(ids)) AND e = sqlc.arg("e")'
    )
    assert rewritten(sql) == (
        "SELECT * FROM t WHERE a = ?1 AND b = ?2 AND c = ?3 AND d IN (/*SLICE:ids*/?5) AND e = ?4"
    )
    assert specs(sql) == [
        (1, "a", False, False),
        (2, "b", False, False),
        (3, "c", False, True),
        (4, "e", False, False),
        (5, "ids", True, False),
    ]


def test_slices_come_after_scalars_and_repeat_with_one_number() -> None:
    sql = "SELECT * FROM t WHERE a IN (sqlc.slice(ids)) AND b = ? OR c IN (sqlc.slice(ids))"
    assert rewritten(sql) == (
        "SELECT * FROM t WHERE a IN (/*SLICE:ids*/?2) AND b = ?1 OR c IN (/*SLICE:ids*/?2)"
    )


def test_narg_anywhere_makes_the_parameter_nullable() -> None:
    assert specs("SELECT * FROM t WHERE a = @x OR b = sqlc.narg(x)") == [(1, "x", False, True)]


def test_embed_becomes_a_star_until_analysis() -> None:
    [query] = parse("-- name: Q :one\nSELECT sqlc.embed(j), 1 FROM jobs j;\n").queries
    assert query.sql == "SELECT j.*, 1 FROM jobs j"
    [embed] = query.embeds
    assert (embed.name, query.sql[embed.start : embed.end]) == ("j", "j.*")
    assert (embed.line, embed.column) == (2, 8)


def test_parameters_inside_strings_and_comments_are_text() -> None:
    assert rewritten("SELECT '?', ':x', \"@y\" /* $z ? */ FROM t") == (
        "SELECT '?', ':x', \"@y\" /* $z ? */ FROM t"
    )


def test_positions_map_back_to_the_file() -> None:
    [query] = parse(
        "\n-- name: Q :one\nSELECT *\n  FROM t WHERE a = sqlc.arg(long_name) AND b;\n"
    ).queries
    offset = query.sql.index(" AND b")
    assert query.position(offset) == (4, 39)
    assert query.parameters[0].line == 4 and query.parameters[0].column == 20


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT ? + ?1", "3:12: can not mix ?NNN format with ? format"),
        ("SELECT ?2", "3:8: could not determine data type of parameter ?1"),
        ("SELECT sqlc.argh(x)", '3:8: function "sqlc.argh" does not exist'),
        ("SELECT sqlc.arg('a', 'b')", "3:8: expected 1 parameter to sqlc.arg; got 2"),
        ("SELECT sqlc.narg()", "3:8: expected 1 parameter to sqlc.narg; got 0"),
        (
            "SELECT sqlc.arg(sqlc.arg(x))",
            "3:8: expected parameter to sqlc.arg to be string or reference; got a function call",
        ),
        (
            "SELECT sqlc.arg(?)",
            "3:8: expected parameter to sqlc.arg to be string or reference; got a parameter",
        ),
        (
            "SELECT sqlc.slice(1 + 2)",
            "3:8: expected parameter to sqlc.slice to be string or reference; got an expression",
        ),
        (
            "SELECT sqlc.arg('two words')",
            "3:8: parameter name 'two words' of sqlc.arg is not an identifier",
        ),
        (
            "SELECT * FROM t WHERE a IN (sqlc.slice(x)) OR b = @x",
            "3:51: x is used both as a slice and as a single value",
        ),
    ],
)
def test_parameter_errors(sql: str, message: str) -> None:
    assert messages(f"\n-- name: Q :many\n{sql};\n") == [message]


def test_every_error_of_a_file_is_reported() -> None:
    text = "-- name: A :one\nSELECT sqlc.nope(x);\n-- name B :one\n-- name: C :first\nSELECT 1;\n"
    assert messages(text) == [
        '2:8: function "sqlc.nope" does not exist',
        "3:1: invalid metadata: -- name B :one",
        "4:1: invalid query type: :first",
    ]
