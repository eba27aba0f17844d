"""Compare sqlforge's query analysis with sqlc's, over sqlc's SQLite end-to-end cases.

    python conformance/sqlc_analysis.py CORPORA [--all]

CORPORA is the corpora folder (see its README.md). For each case of `sqlc-sqlite/CASES.tsv`
(schema, queries and sqlc config under `sqlc-sqlite/`), sqlforge analyses the queries, query
by query, and the result is compared with sqlc v1.31.1's own analysis
(`sqlc-sqlite-analysis/`: `codegen_request.0.json`, or `stderr.txt` when sqlc rejects the
case): parameter names, result column names, types (both sides mapped to one small
vocabulary: integer real bool text blob time json any) and nullability, plus the queries one
side rejects and the other accepts. For queries with a `*` sqlforge writes out, the expanded
column list is compared with sqlc's rewritten text (qualifiers, quotes and the alias of a
`json(col) AS col` aside).

Every disagreement is classified. Classes marked `[sqlc wrong]` are places where sqlc's
analysis is wrong about SQLite (the corpora README and the sqlc notes list most of them; each
class says why) and sqlforge is right; the others say what differs and who is better off.
`--all` lists every disagreement instead of a few examples per class.

Exits 0 after the report whatever the agreement; 1 only when sqlforge crashed (an internal
error, not a user-facing SqlforgeError).
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlforge.analysis import (
    AnalyzedQuery,
    ColumnRef,
    QueryAnalyzer,
    SqlType,
    sqlglot_text,
)
from sqlforge.catalog import Catalog, load_catalog
from sqlforge.errors import SqlforgeError
from sqlforge.queries import QueryFile, QuerySource, read_query_file
from sqlforge.sqltypes import map_declared_type

TESTDATA = "internal/endtoend/testdata"
EXAMPLES_PER_CLASS = 3
ROLLBACK_MARKERS = ("-- +goose down", "-- +migrate down", "---- create above / drop below ----")
SQLC_WRONG = "[sqlc wrong]"

# --- the cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    directory: Path
    analysis: Path
    config: Path


def discover_cases(corpora: Path) -> list[Case]:
    root = corpora / "sqlc-sqlite"
    cases = []
    for line in (root / "CASES.tsv").read_text(encoding="utf-8").splitlines():
        relative, config = line.split("\t")
        name = relative.removeprefix(TESTDATA + "/")
        analysis = corpora / "sqlc-sqlite-analysis" / relative
        cases.append(Case(name, root / relative, analysis, root / relative / config))
    return cases


def read_config(case: Case) -> tuple[list[Path], list[Path]]:
    """The schema and query files of the case's first SQLite block, as sqlc expands them."""
    text = case.config.read_text(encoding="utf-8")
    if case.config.suffix == ".json":
        document = json.loads(text)
    else:
        import yaml  # noqa: PLC0415  (only the YAML-configured cases need it)

        document = yaml.safe_load(text)
    blocks = document.get("sql") or document.get("packages") or []
    block = next(b for b in blocks if b.get("engine") == "sqlite")
    return _expand(case.directory, block["schema"]), _expand(case.directory, block["queries"])


def _expand(base: Path, spec: str | list[str]) -> list[Path]:
    paths: list[Path] = []
    for item in [spec] if isinstance(spec, str) else spec:
        path = base / item
        if any(c in item for c in "*?["):
            paths.extend(sorted(base.glob(item)))
        elif path.is_dir():
            paths.extend(p for p in sorted(path.iterdir()) if _is_sql_file(p))
        else:
            paths.append(path)
    return paths


def _is_sql_file(path: Path) -> bool:
    name = path.name
    return name.endswith(".sql") and not name.startswith(".") and not name.endswith(".down.sql")


def schema_text(paths: Sequence[Path]) -> str:
    """The schema files joined, each cut at goose's down marker as sqlc does."""
    parts = []
    for path in paths:
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.lower().startswith(ROLLBACK_MARKERS):
                break
            lines.append(line)
        parts.append("".join(lines))
    return "\n".join(parts)


def exported_schema(paths: Sequence[Path]) -> str:
    """What sqlforge would read: the schema files run in order, then exported from SQLite
    (sqlc's schema files hold ALTER and DROP statements; a schema.sql never does)."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.executescript(schema_text(paths))
    except sqlite3.Error as error:
        raise SqlforgeError(f"SQLite rejects the schema: {error}", path=paths[0]) from None
    rows = connection.execute(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid"
    )
    return "".join(f"{row[0]};\n" for row in rows)


# --- both sides, as comparable records -----------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One parameter or result column, as one side sees it."""

    name: str
    vocabulary: str
    nullable: bool
    type_text: str = ""
    embed: str | None = None
    expression: str = ""
    """sqlforge's side: the kind of expression (`sum`, `cast`, `column`, ...)."""
    facts: frozenset[str] = frozenset()
    """sqlforge's side: what the catalog says of its column (`nullable-key`, `fts5`)."""


@dataclass(frozen=True)
class Query:
    name: str
    params: tuple[Value, ...]
    columns: tuple[Value, ...]
    sql: str = ""
    """The text to run: sqlc's rewritten query, or sqlforge's `AnalyzedQuery.sql`."""
    stars: int = 0
    """sqlforge's side: how many stars it writes out as column lists."""


def sqlc_queries(case: Case) -> dict[str, Query] | str:
    """sqlc's analysis of the case, or its error text."""
    stderr = case.analysis / "stderr.txt"
    if stderr.exists():
        return stderr.read_text(encoding="utf-8").strip()
    request = json.loads((case.analysis / "codegen_request.0.json").read_text(encoding="utf-8"))
    return {q["name"]: _sqlc_query(q) for q in request["queries"]}


def _sqlc_query(query: dict[str, Any]) -> Query:
    params = tuple(_sqlc_value(p["column"]) for p in query["params"])
    columns = tuple(_sqlc_value(c) for c in query["columns"])
    return Query(query["name"], params, columns, query.get("text", ""))


def _sqlc_value(column: dict[str, Any]) -> Value:
    type_name = column["type"]["name"]
    embed = (column.get("embed_table") or {}).get("name")
    return Value(
        column["name"], sqlc_vocabulary(type_name), not column["not_null"], type_name, embed
    )


_SQLC_EXACT = {
    **dict.fromkeys(
        ("int", "integer", "tinyint", "smallint", "mediumint", "bigint", "unsignedbigint"),
        "integer",
    ),
    **dict.fromkeys(("int2", "int8"), "integer"),
    **dict.fromkeys(("real", "double", "doubleprecision", "float", "numeric"), "real"),
    **dict.fromkeys(("boolean", "bool"), "bool"),
    **dict.fromkeys(("date", "datetime", "timestamp"), "time"),
    **dict.fromkeys(("json", "jsonb"), "json"),
    **dict.fromkeys(("text", "clob"), "text"),
    "blob": "blob",
}
_SQLC_TEXT_PREFIXES = ("character", "varchar", "varyingcharacter", "nchar", "nativecharacter")


def sqlc_vocabulary(type_name: str) -> str:
    """sqlc's own Go mapping (internal/codegen/golang/sqlite_type.go), in our vocabulary."""
    lowered = type_name.lower()
    if lowered in _SQLC_EXACT:
        return _SQLC_EXACT[lowered]
    if lowered.startswith((*_SQLC_TEXT_PREFIXES, "nvarchar")):
        return "text"
    return "real" if lowered.startswith("decimal") else "any"


_OUR_VOCABULARY = {
    "int": "integer",
    "bool": "bool",
    "float": "real",
    "decimal": "real",
    "str": "text",
    "bytes": "blob",
    "datetime": "time",
    "date": "time",
    "json": "json",
}


def our_vocabulary(sql_type: SqlType) -> str:
    if not sql_type.known:
        return "any"
    return _OUR_VOCABULARY.get(map_declared_type(sql_type.declared).kind, "any")


@dataclass(frozen=True)
class OurOutcome:
    queries: dict[str, Query]
    rejected: dict[str, str]
    """Query name (or file name) -> sqlforge's errors for it."""
    crashed: str = ""


def our_outcome(case: Case) -> OurOutcome:
    """sqlforge's analysis, query by query, so that one bad query hides no other."""
    try:
        schema_paths, query_paths = read_config(case)
        catalog = load_catalog(exported_schema(schema_paths), path=schema_paths[0])
        files = [read_query_file(p) for p in query_paths]
        return _analysed(files, QueryAnalyzer(catalog), case)
    except SqlforgeError as error:
        return OurOutcome({}, {"(schema)": _relative(error.render(), case)})
    except Exception:
        return OurOutcome({}, {}, crashed=traceback.format_exc())


def _analysed(files: list[QueryFile], analyzer: QueryAnalyzer, case: Case) -> OurOutcome:
    queries: dict[str, Query] = {}
    rejected: dict[str, str] = {}
    for query_file in files:
        if query_file.diagnostics:
            rendered = "\n".join(d.render() for d in query_file.diagnostics)
            rejected[query_file.path.name] = _relative(rendered, case)
        for source in query_file.queries:
            query, errors = analyzer.analyze(source)
            if query is None:
                rejected[source.name] = _relative("\n".join(e.render() for e in errors), case)
            else:
                expressions, stars = _expression_kinds(source, analyzer.catalog)
                queries[source.name] = _our_query(query, expressions, analyzer.catalog, stars)
    return OurOutcome(queries, rejected)


def _relative(text: str, case: Case) -> str:
    return text.replace(str(case.directory) + "/", "")


def _expression_kinds(source: QuerySource, catalog: Catalog) -> tuple[list[str], int]:
    """What each result column is computed by (`sum`, `cast`, `column`, ...), for classes;
    and how many stars sqlforge writes out."""
    from sqlglot import exp  # noqa: PLC0415

    from sqlforge.inference import UnsupportedStatement, infer  # noqa: PLC0415

    try:
        text, cast_types = sqlglot_text(source)
        inference = infer(text, catalog, None, cast_types)
    except UnsupportedStatement:
        return [], 0
    outputs = inference.columns
    kinds = []
    for output in outputs:
        node = output.expression
        constant = node is not None and not any(
            True for _ in node.find_all(exp.Column, exp.Placeholder, exp.Query, exp.Star)
        )
        kind = type(node).__name__.lower() if node is not None else ""
        kinds.append(f"{kind} constant" if constant else kind)
    return kinds, len(inference.stars)


def _our_query(query: AnalyzedQuery, kinds: list[str], catalog: Catalog, stars: int) -> Query:
    params = tuple(
        Value(
            p.name if p.name_source != "fallback" else "",
            our_vocabulary(p.sql_type),
            p.nullable,
            p.sql_type.declared,
            facts=_facts(p.source, catalog),
        )
        for p in query.parameters
    )
    columns: list[Value] = []
    for index, column in enumerate(query.columns):
        if column.embed is not None:
            embed = query.embeds[column.embed]
            if embed.start == index:
                columns.append(Value(embed.table, "", True, embed=embed.table))
            continue
        columns.append(
            Value(
                column.name,
                our_vocabulary(column.sql_type),
                column.nullable,
                column.sql_type.declared if column.sql_type.known else "?",
                expression=kinds[index] if index < len(kinds) else "",
                facts=_facts(column.source, catalog),
            )
        )
    return Query(query.name, params, tuple(columns), query.sql, stars)


def _facts(source: ColumnRef | None, catalog: Catalog) -> frozenset[str]:
    table = catalog.table(source.table) if source else None
    column = table.column(source.column) if table and source else None
    if table is None or column is None:
        return frozenset()
    facts = set()
    if column.primary_key and not column.not_null:
        facts.add("nullable-key")
    if "USING FTS5" in table.sql.upper():
        facts.add("fts5")
    return frozenset(facts)


# --- comparing -----------------------------------------------------------------------------------

FIELDS = (
    "parameter names",
    "parameter types",
    "parameter nullability",
    "column names",
    "column types",
    "column nullability",
)


@dataclass(frozen=True)
class Difference:
    case: str
    query: str
    field: str
    where: str
    ours: Value
    sqlc: Value
    klass: str = ""

    @property
    def sqlc_wrong(self) -> bool:
        return self.klass.endswith(SQLC_WRONG)

    def shown(self, value: Value) -> str:
        if self.field.endswith("names"):
            return repr(value.name)
        if self.field.endswith("types"):
            return f"{value.vocabulary} ({value.type_text})"
        return "nullable" if value.nullable else "not null"


@dataclass
class Tally:
    agree: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    differences: list[Difference] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)
    both_reject: list[str] = field(default_factory=list)
    we_reject: list[tuple[str, str, str]] = field(default_factory=list)
    sqlc_rejects: list[tuple[str, str]] = field(default_factory=list)
    crashes: list[tuple[str, str]] = field(default_factory=list)
    queries: int = 0
    stars_same: int = 0
    stars_differ: list[tuple[str, str, str]] = field(default_factory=list)
    """(case and query, our text, sqlc's text) where the written-out stars differ."""


def compare_case(case: Case, tally: Tally) -> None:
    theirs = sqlc_queries(case)
    ours = our_outcome(case)
    if ours.crashed:
        tally.crashes.append((case.name, ours.crashed))
        return
    if isinstance(theirs, str):
        if ours.rejected:
            tally.both_reject.append(case.name)
        else:
            tally.sqlc_rejects.append((case.name, theirs))
        return
    tally.compared.append(case.name)
    for name, their_query in theirs.items():
        our_query = ours.queries.get(name)
        if our_query is None:
            error = ours.rejected.get(name) or next(iter(ours.rejected.values()), "(missing)")
            tally.we_reject.append((f"{case.name} {name}", error, rejection_class(error)))
            continue
        tally.queries += 1
        compare_query(case.name, our_query, their_query, tally)
        compare_stars(f"{case.name} {name}", our_query, their_query, tally)


def compare_query(case: str, ours: Query, theirs: Query, tally: Tally) -> None:
    missing = Value("(missing)", "(missing)", True)
    for index, their_param in enumerate(theirs.params):
        our_param = ours.params[index] if index < len(ours.params) else missing
        where = f"parameter {index + 1}"
        for what in FIELDS[:3]:
            _check(tally, Difference(case, theirs.name, what, where, our_param, their_param))
    for index, their_column in enumerate(theirs.columns):
        our_column = ours.columns[index] if index < len(ours.columns) else missing
        where = f"column {index + 1} ({their_column.name or 'unnamed'})"
        fields = FIELDS[3:4] if their_column.embed is not None else FIELDS[3:]
        for what in fields:
            _check(tally, Difference(case, theirs.name, what, where, our_column, their_column))


def compare_stars(where: str, ours: Query, theirs: Query, tally: Tally) -> None:
    if not ours.stars or not theirs.sql:
        return
    if star_text(ours.sql) == star_text(theirs.sql):
        tally.stars_same += 1
    else:
        tally.stars_differ.append((where, ours.sql, theirs.sql))


def star_text(sql: str) -> str:
    """The text with what may differ between two right expansions taken out: comments,
    parameter numbers, quotes, qualifiers, the alias of `json(col) AS col`, case, spacing."""
    text = re.sub(r"--[^\n]*", " ", sql)
    text = re.sub(r"\?\d*", "?", text).replace('"', "").replace("`", "")
    text = re.sub(r"(json\([^()]*\)) AS \w+", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\b\w+\.(?=\w)", "", text)
    return " ".join(text.casefold().split())


def _check(tally: Tally, difference: Difference) -> None:
    what, ours, theirs = difference.field, difference.ours, difference.sqlc
    tally.total[what] += 1
    if what.endswith("names"):
        agree = ours.name == theirs.name
    elif what.endswith("types"):
        agree = ours.vocabulary == theirs.vocabulary
    else:
        agree = ours.nullable == theirs.nullable
    if agree:
        tally.agree[what] += 1
    else:
        klass = classify(difference)
        tally.differences.append(Difference(**{**difference.__dict__, "klass": klass}))


# --- classifying disagreements -------------------------------------------------------------------

Rule = Callable[[Difference], str | None]


def _nullable_key(d: Difference) -> str | None:
    if "nullable-key" in d.ours.facts and d.field.endswith("nullability") and d.ours.nullable:
        return (
            "a PRIMARY KEY column SQLite lets be NULL (only INTEGER PRIMARY KEY, WITHOUT ROWID "
            f"and STRICT keys are NOT NULL); sqlc takes every key as NOT NULL {SQLC_WRONG}"
        )
    return None


def _fts5(d: Difference) -> str | None:
    if "fts5" in d.ours.facts and not d.field.endswith("names"):
        return (
            "an FTS5 column: FTS5 stores any value, NULL included; sqlc types every FTS5 "
            f"column TEXT NOT NULL {SQLC_WRONG}"
        )
    return None


def _glued_type(d: Difference) -> str | None:
    ours, theirs = d.ours.type_text.upper(), d.sqlc.type_text.upper()
    if d.field.endswith("types") and theirs != ours and ours and theirs.startswith(ours):
        return (
            "sqlc glues the words of a declared type together (`TEXT NULL` -> `TEXTNULL`) and "
            f"then cannot map it {SQLC_WRONG}"
        )
    return None


_BY_EXPRESSION: dict[tuple[str, str], str] = {
    ("sum", "types"): f"SUM of integers is an integer; sqlc types it REAL (#3122) {SQLC_WRONG}",
    ("cast", "nullability"): f"CAST(NULL AS T) is NULL; sqlc types CAST not-null (#3688) "
    f"{SQLC_WRONG}",
    ("coalesce", "types"): f"COALESCE typed from its first argument by sqlc (#1663) {SQLC_WRONG}",
    ("coalesce", "nullability"): "COALESCE is not null when a later argument is not; sqlc "
    f"looks at the first (#1663) {SQLC_WRONG}",
    ("groupconcat", "nullability"): f"GROUP_CONCAT over no rows is NULL {SQLC_WRONG}",
    ("ceil", "types"): f"ceil/floor/trunc of a REAL give a REAL in SQLite {SQLC_WRONG}",
    ("floor", "types"): f"ceil/floor/trunc of a REAL give a REAL in SQLite {SQLC_WRONG}",
    ("trunc", "types"): f"ceil/floor/trunc of a REAL give a REAL in SQLite {SQLC_WRONG}",
    ("abs", "types"): f"abs() of an INTEGER is an INTEGER in SQLite {SQLC_WRONG}",
    ("jsonarrayagg", "nullability"): "json_group_array over no rows is '[]', never NULL "
    f"{SQLC_WRONG}",
}


def _by_expression(d: Difference) -> str | None:
    kind = d.ours.expression.split(" ", 1)[0]
    return _BY_EXPRESSION.get((kind, d.field.rsplit(" ", 1)[-1]))


def _truth_value(d: Difference) -> str | None:
    if d.field.endswith("types") and (d.ours.vocabulary, d.sqlc.vocabulary) == ("bool", "integer"):
        return (
            "like()/glob() give 0 or 1: sqlforge says BOOLEAN, sqlc INTEGER (both read the "
            "same values; a choice)"
        )
    return None


def _untyped_by_sqlc(d: Difference) -> str | None:
    if d.field.endswith("types") and d.sqlc.vocabulary == "any" and d.ours.vocabulary != "any":
        return (
            "sqlc leaves it untyped (MAX/MIN, IIF, NULLIF, IFNULL, likely(), random(), JSON "
            f"functions, parameters compared with a literal; #1663) {SQLC_WRONG}"
        )
    return None


def _constant(d: Difference) -> str | None:
    if not d.ours.expression.endswith(" constant") or not d.field.endswith("nullability"):
        return None
    if d.ours.nullable:
        return f"a constant call SQLite evaluates to NULL (log(1.0, 2.0), ...) {SQLC_WRONG}"
    return f"a constant call SQLite evaluates to a value, never NULL {SQLC_WRONG}"


def _arithmetic(d: Difference) -> str | None:
    arithmetic = ("add", "sub", "mul", "div", "mod", "column")
    if d.field == "column nullability" and d.ours.nullable and d.ours.expression in arithmetic:
        return (
            "arithmetic on nullable columns is NULL when they are; sqlc types every "
            f"arithmetic expression NOT NULL {SQLC_WRONG}"
        )
    return None


def _narrowed_by_where(d: Difference) -> str | None:
    column = d.ours.expression in ("column", "star") and d.field == "column nullability"
    if column and not d.ours.nullable and d.sqlc.nullable:
        return (
            "a WHERE condition no NULL passes (`col = ?`, `col IS NOT NULL`, ...): the column, "
            f"and an outer-joined table it belongs to, cannot be NULL in the result {SQLC_WRONG}"
        )
    return None


def _nullable_function(d: Difference) -> str | None:
    if d.field == "column nullability" and d.ours.nullable and d.ours.expression == "anonymous":
        return (
            "highlight()/snippet() give NULL for a NULL column value; sqlc types them NOT NULL "
            f"{SQLC_WRONG}"
        )
    return None


# Differences only the case itself explains: (case, query, field) -> class.
_BY_CASE: dict[tuple[str, str, str], str] = {
    ("case_sensitive/sqlite", "InsertContact", "parameter names"): "sqlc lower-cases unquoted "
    "identifiers; sqlforge keeps the declared case `CustomerName` (snake_case: customer_name) "
    f"{SQLC_WRONG}",
    ("case_named_params/sqlite", "ListAuthors", "parameter nullability"): "a parameter compared "
    "with a literal (`?1 = ''`): sqlforge takes the literal's nullability, sqlc leaves it "
    "nullable (a choice: NULL would match nothing)",
    ("json_param_type/sqlite", "FindByAddress", "parameter types"): "a parameter compared with "
    "`col ->> 'key'`: sqlc types it after the JSON document column, not the extracted value "
    f"(unknown: sqlforge warns) {SQLC_WRONG}",
    ("table_function/sqlite", "GetTransaction", "parameter types"): "a parameter compared with "
    "json_extract(col, ...): sqlc types it after the JSON document column, not the extracted "
    f"value (unknown: sqlforge warns) {SQLC_WRONG}",
    ("table_function/sqlite", "GetTransaction", "parameter nullability"): "the same parameter: "
    "unknown type, so sqlforge lets it be NULL",
    ("virtual_table/sqlite", "SelectSnippetFunc", "parameter names"): "a function argument: "
    "sqlc names and types it from the function's signature (snippet's max tokens); sqlforge "
    "has no signatures for FTS5 auxiliary functions (a gap)",
    ("virtual_table/sqlite", "SelectSnippetFunc", "parameter types"): "a function argument: "
    "sqlc names and types it from the function's signature (snippet's max tokens); sqlforge "
    "has no signatures for FTS5 auxiliary functions (a gap)",
    ("virtual_table/sqlite", "SelectSnippetFunc", "parameter nullability"): "a function "
    "argument: sqlc names and types it from the function's signature (snippet's max tokens); "
    "sqlforge has no signatures for FTS5 auxiliary functions (a gap)",
}


def _by_case(d: Difference) -> str | None:
    return _BY_CASE.get((d.case, d.query, d.field))


RULES: tuple[Rule, ...] = (
    _by_case,
    _nullable_key,
    _fts5,
    _glued_type,
    _by_expression,
    _truth_value,
    _constant,
    _untyped_by_sqlc,
    _arithmetic,
    _narrowed_by_where,
    _nullable_function,
)


def classify(difference: Difference) -> str:
    for rule in RULES:
        klass = rule(difference)
        if klass is not None:
            return klass
    return "unclassified"


def rejection_class(error: str) -> str:
    if "no such table: baz." in error:
        return (
            "an ATTACHed database: sqlc's catalog keeps attached schemas, a schema.sql export "
            "(and so sqlforge's catalog) holds the main database only"
        )
    return "unclassified"


# --- the report ----------------------------------------------------------------------------------


def report(tally: Tally, *, list_all: bool) -> Iterator[str]:
    yield "sqlc SQLite analysis conformance (sqlc v1.31.1 end-to-end cases)"
    yield ""
    yield f"cases sqlc analyses: {len(tally.compared)} ({tally.queries} queries compared)"
    yield f"cases both reject: {len(tally.both_reject)} ({', '.join(tally.both_reject)})"
    yield from _listing("cases sqlc rejects and sqlforge accepts", tally.sqlc_rejects)
    yield from _listing("queries sqlc accepts and sqlforge rejects", tally.we_reject)
    yield ""
    yield "agreement where both analyse a query (right = agree + sqlc wrong):"
    wrong = Counter(d.field for d in tally.differences if d.sqlc_wrong)
    for what in FIELDS:
        total, agree = tally.total[what], tally.agree[what]
        yield (
            f"  {what:22} agree {agree:4}/{total:<4} {_percent(agree, total):>6}   "
            f"sqlc wrong {wrong[what]:3}   right {_percent(agree + wrong[what], total):>6}"
        )
    all_total = sum(tally.total.values())
    all_right = sum(tally.agree.values()) + sum(wrong.values())
    yield f"  {'all':22} agree {sum(tally.agree.values()):4}/{all_total:<4} " + (
        f"{_percent(sum(tally.agree.values()), all_total):>6}   sqlc wrong "
        f"{sum(wrong.values()):3}   right {_percent(all_right, all_total):>6}"
    )
    yield ""
    yield from _star_report(tally)
    yield ""
    yield from _differences(tally.differences, list_all=list_all)
    if tally.crashes:
        yield ""
        yield f"CRASHES ({len(tally.crashes)}):"
        for name, text in tally.crashes:
            yield f"  {name}:"
            yield from ("    " + line for line in text.rstrip().splitlines())


def _star_report(tally: Tally) -> Iterator[str]:
    compared = tally.stars_same + len(tally.stars_differ)
    yield (
        f"stars written out: {compared} queries, {tally.stars_same} with sqlc's column list "
        "(qualifiers, quotes and json() aliases aside)"
    )
    for where, ours, theirs in tally.stars_differ:
        yield f"  {where}: ours {' '.join(ours.split())!r}, sqlc {' '.join(theirs.split())!r}"


def _listing(title: str, rows: Sequence[tuple[str, ...]]) -> Iterator[str]:
    yield f"{title}: {len(rows)}"
    for row in rows:
        first = row[1].strip().splitlines()[0] if row[1].strip() else ""
        yield f"  {row[0]}: {first}"
        if len(row) > 2:
            yield f"    class: {row[2]}"


def _differences(differences: Sequence[Difference], *, list_all: bool) -> Iterator[str]:
    by_class: dict[str, list[Difference]] = defaultdict(list)
    for difference in differences:
        by_class[difference.klass].append(difference)
    yield f"disagreements by class: {len(differences)}"
    for klass in sorted(by_class, key=lambda k: (-len(by_class[k]), k)):
        items = by_class[klass]
        yield f"  {len(items):4}  {klass}"
        for d in items if list_all else items[:EXAMPLES_PER_CLASS]:
            yield (
                f"          {d.case} {d.query} {d.where}: {d.field}: "
                f"ours {d.shown(d.ours)}, sqlc {d.shown(d.sqlc)}"
            )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def run(corpora: Path) -> Tally:
    """The comparison over every case; the importable entry point."""
    tally = Tally()
    for case in discover_cases(corpora):
        compare_case(case, tally)
    return tally


def main(argv: Sequence[str]) -> int:
    arguments = [a for a in argv if not a.startswith("--")]
    if len(arguments) != 1:
        print("usage: python conformance/sqlc_analysis.py CORPORA [--all]", file=sys.stderr)
        return 2
    tally = run(Path(arguments[0]))
    for line in report(tally, list_all="--all" in argv):
        print(line)
    return 1 if tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
