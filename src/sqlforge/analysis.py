"""Query analysis: from annotated query files to plain data the query-module generator renders.

The stage has three modules, one job each:

* `sqlforge.queries` reads the files in sqlc's annotation language (`-- name: GetJob :one`),
  splits statements, finds every parameter form and rewrites the SQL text. No database needed.
* `sqlforge.analysis` (this module) holds the results' shapes and runs the analysis: it
  prepares each statement with SQLite itself (APSW, against a database built from the catalog's
  `schema_sql`, without running it) so that whatever SQLite accepts is accepted and every error
  is SQLite's own; SQLite also gives each result column's name, declared type and origin.
* `sqlforge.inference` walks sqlglot's syntax tree of the statement for what SQLite cannot
  tell: nullability (NOT NULL columns, outer-join sides, aggregates), expression types, and
  what each parameter is compared with, inserted into or assigned to.

Why both: the stdlib `sqlite3` exposes neither declared types nor origins nor parameter names;
APSW does, and validates as SQLite will at run time (a function only the runtime's `sqlite3` is
built with, such as `soundex`, is checked there), but sees no structure; sqlglot sees the
structure but is no judge of validity (it misreads some SQLite syntax and knows no catalog).
When sqlglot cannot read a statement SQLite accepted, analysis falls back to SQLite's facts
alone (every column nullable) and warns.

What the generator receives (everything below is frozen, plain data):

`analyze_query_files(paths, catalog, strict=...)` returns one `AnalyzedFile` per input path, in
the order given, each holding its `AnalyzedQuery`s in file order. If anything is wrong in any
file it raises one `SqlforgeError` carrying every problem of the run (`file:line:col: message`)
and returns nothing, so nothing gets written.

Executing a query (`AnalyzedQuery.sql`):

* Parameters are SQLite numbered parameters `?1`, `?2`, ... Scalars (`is_slice=False`) are
  numbered 1..k densely, in `AnalyzedQuery.parameters` order; slices follow them (k+1, ...).
  Bind a tuple, never a dict.
* Each slice appears in `sql` (possibly several times, same name = same parameter) as the
  exact text `QueryParameter.slice_marker`, e.g. `/*SLICE:ids*/?3`. At call time replace every
  marker by the numbered placeholders of its values: walking slices in `number` order, the
  slice gets numbers `start .. start+len(values)-1` with `start = k + 1 + (values of the
  slices before it)`, joined by `,`; bind `(*scalars, *slice_1_values, *slice_2_values, ...)`.
  An empty list becomes the empty text, leaving `x IN ()`: SQLite accepts it and gives
  exactly the SQL meaning of an empty set (`IN ()` is false, `NOT IN ()` is true, also when
  `x` is NULL), where the usual `IN (NULL)` trick would make `NOT IN` match nothing. The
  unexpanded text is itself valid SQL (each slice bound as one value).
* Comments are stripped the way sqlc strips them (the annotation and every whole-line comment);
  no trailing semicolon; `sqlc.embed(t)` is expanded to `t.col1, t.col2, ...`.
* Stars are written out, like sqlc does, so the text names every column it reads and a database
  whose columns come in another order than schema.sql's (migrations applied out of order, a
  table altered by hand) still fills the right fields: `*` over one source becomes
  `id, name, ...`, over several every column qualified by its table or alias, in SQLite's
  order (`a.id, a.name, b.id, ...`; a column a RIGHT or FULL join merges with USING or NATURAL
  stays unqualified, as only that reads the merged value); `t.*` becomes `t.id, t.name, ...`
  with `t` as written; `RETURNING *` becomes `RETURNING id, name, ...`; a `*` over a CTE or a
  subquery becomes its column names, and the stars inside them are written out too.
  Identifiers are double-quoted where needed (keywords, spaces, ...). A JSONB column of the
  result (not inside a subquery or CTE) is read as `json(col) AS col`, JSON text under its
  own name; so are those of an embed. Kept as written: `COUNT(*)`, a star under `EXISTS`
  (it reads no column), the stars of an `INSERT INTO t SELECT ...` without a column list
  (both sides pair columns by position), a star whose columns SQL text cannot name (an
  unnamed expression or one name twice in a subquery, an unnamed subquery sharing a column
  name with another source), and every star of a statement sqlglot cannot read (the
  fallback on SQLite's facts alone, above). The written-out text is prepared again and
  must give the same result columns (names, declared types, origins), else the stars stay
  as written and the query gets a warning. Parameters, slice markers and comments are
  untouched.

Reading a row: `AnalyzedQuery.columns` are the cursor's columns, in order. Columns with
`embed` set belong to `embeds[embed]`, which spans `columns[start:stop]` and maps to the
catalog table's own model (its columns keep the table's nullability inside the model).
Names are raw and NOT unique (`id`, `id`; `''` for an unnamed expression): the generator
makes Python identifiers of them (`naming`), falling back to `column_<i>` (1-based position)
for `''`, and appends `_2`, `_3`, ... to repeats, as sqlc does.
The same holds for parameter names, except that they are never empty (the fallback
`param_<number>` is applied here); repeats such as `id`, `id` from `a.id = ? AND b.id = ?`
remain.

Types: `SqlType.declared` is an SQLite declared type exactly as written in the schema (a
column read unchanged, or a CAST target) or, for computed expressions, one of the canonical
names in `INFERRED_TYPES`; map it to Python with `sqlforge.sqltypes` like a column type.
`known=False` means analysis could not tell (the generator emits the catch-all object type and
analysis has already warned, or failed under `strict`). `source` names the catalog column a
value is read from or compared with, so per-column overrides (`"jobs.status" = ...`) apply to
results and parameters alike.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from sqlforge.errors import Diagnostic, SqlforgeError
from sqlforge.queries import (
    COMMANDS,
    Command,
    ParameterSpec,
    QuerySource,
    Token,
    duplicate_names,
    read_query_file,
    tokenize,
)

if TYPE_CHECKING:
    import apsw.ext

    from sqlforge.catalog import Catalog
    from sqlforge.inference import Inference, Output, ParameterContext, StarExpansion

__all__ = [
    "ANY",
    "BLOB",
    "BOOLEAN",
    "COMMANDS",
    "DATE",
    "DATETIME",
    "INFERRED_TYPES",
    "INTEGER",
    "JSON",
    "NUMERIC",
    "REAL",
    "TEXT",
    "UNKNOWN",
    "AnalyzedFile",
    "AnalyzedQuery",
    "ColumnRef",
    "Command",
    "Embed",
    "NameSource",
    "QueryAnalyzer",
    "QueryParameter",
    "ResultColumn",
    "SqlType",
    "analyze_query_files",
    "sqlglot_text",
]

NameSource = Literal["user", "context", "fallback"]


@dataclass(frozen=True)
class SqlType:
    """The SQL type of a value, in SQLite's own vocabulary."""

    declared: str
    """A declared type as written (`VARCHAR(20)`, `DATETIME`, `jsonb`), '' for a column or CAST
    without type (SQLite's BLOB/none affinity: any value), or an `INFERRED_TYPES` name."""
    known: bool = True
    """False when analysis could not determine the type (then `declared` is '')."""


INTEGER: Final = SqlType("INTEGER")
REAL: Final = SqlType("REAL")
TEXT: Final = SqlType("TEXT")
BLOB: Final = SqlType("BLOB")
NUMERIC: Final = SqlType("NUMERIC")
BOOLEAN: Final = SqlType("BOOLEAN")
"""Comparisons, `EXISTS`, `IN`, `LIKE`, `IS NULL`, `NOT`: SQLite yields 0 or 1."""
DATETIME: Final = SqlType("DATETIME")
"""`datetime(...)`, `CURRENT_TIMESTAMP`: text `YYYY-MM-DD HH:MM:SS`."""
DATE: Final = SqlType("DATE")
"""`date(...)`, `CURRENT_DATE`: text `YYYY-MM-DD`."""
JSON: Final = SqlType("JSON")
"""`json(...)`, `json_object`, `json_array`, `json_group_array`, `->`: JSON text."""
ANY: Final = SqlType("")
"""Known to be any value: a column declared without a type, `CAST(x AS ANY)`-like cases."""
UNKNOWN: Final = SqlType("", known=False)
INFERRED_TYPES: Final = (INTEGER, REAL, TEXT, BLOB, NUMERIC, BOOLEAN, DATETIME, DATE, JSON)


@dataclass(frozen=True)
class ColumnRef:
    """A column of the catalog, by the names the catalog uses."""

    table: str
    column: str


@dataclass(frozen=True)
class QueryParameter:
    name: str
    """The user's name (`@x`, `:x`, `$x`, `sqlc.arg(x)`, `sqlc.narg(x)`, `sqlc.slice(x)`,
    prefix stripped, case kept), else the name sqlc infers from context (compared column,
    INSERT column, SET target, `limit`, `offset`, `from_x`/`to_x` for BETWEEN), else
    `param_<number>`. Not unique across parameters (see the module docstring)."""
    number: int
    """The `?NNN` number in `AnalyzedQuery.sql` (1-based; slices after all scalars)."""
    sql_type: SqlType
    """For a slice: the type of one element."""
    nullable: bool
    """Whether None is accepted: `sqlc.narg`, a comparison with a nullable column, an unknown
    context. For a slice: whether an element may be None."""
    is_slice: bool = False
    source: ColumnRef | None = None
    """The column the parameter is compared with, inserted into or assigned to."""
    name_source: NameSource = "fallback"
    """`user` (written in the query), `context` (inferred as sqlc does) or `fallback`."""

    @property
    def slice_marker(self) -> str:
        """The exact text standing for this slice in `AnalyzedQuery.sql`."""
        if not self.is_slice:
            raise ValueError(f"parameter {self.name!r} is not a slice")
        return f"/*SLICE:{self.name}*/?{self.number}"


@dataclass(frozen=True)
class ResultColumn:
    name: str
    """The alias, else the column's name, else sqlc's name for the expression (`count`, the
    function's name, the CAST or COALESCE argument's column), else ''."""
    sql_type: SqlType
    nullable: bool
    """Whether the value can be NULL in this result (outer joins, aggregates, ... included)."""
    source: ColumnRef | None = None
    """The catalog column the value is read from unchanged, if any."""
    embed: int | None = None
    """Index in `AnalyzedQuery.embeds` of the embed this column belongs to, else None."""


@dataclass(frozen=True)
class Embed:
    """`sqlc.embed(t)`: the columns `columns[start:stop]` form one value of t's model."""

    name: str
    """The name written in `sqlc.embed(...)` (a table name or alias). sqlc names the field
    after `table` instead (repeats get `_2`, ...); either way it is not unique."""
    table: str
    """The catalog table (or view) whose model the value is."""
    start: int
    stop: int
    nullable: bool
    """True on the optional side of an outer join: the whole value is None when
    `columns[null_when]` is NULL (a column the table declares NOT NULL), or, when the table has
    none (`null_when is None`), when all its columns are NULL."""
    null_when: int | None = None


@dataclass(frozen=True)
class AnalyzedQuery:
    name: str
    """The name from the annotation: a Go-style identifier (letter or `_`, then letters,
    digits, `_`), unique across the run; the generator snake_cases it for the method."""
    command: Command
    sql: str
    """The text to execute (see the module docstring)."""
    doc: tuple[str, ...]
    """The comment lines after the annotation, prefix (`--`, `/*`, `*/`) removed, text kept
    verbatim including a leading space."""
    parameters: tuple[QueryParameter, ...]
    """In `number` order."""
    columns: tuple[ResultColumn, ...]
    """Empty for statements that return no rows (only allowed with the `:exec*` commands)."""
    embeds: tuple[Embed, ...]
    path: Path
    line: int
    """1-based line of the annotation in `path` (column 1)."""
    warnings: tuple[Diagnostic, ...] = ()
    """Problems that do not stop generation (an untypable column, ...): the caller shows them."""

    @property
    def scalar_parameters(self) -> tuple[QueryParameter, ...]:
        return tuple(p for p in self.parameters if not p.is_slice)

    @property
    def slice_parameters(self) -> tuple[QueryParameter, ...]:
        return tuple(p for p in self.parameters if p.is_slice)


@dataclass(frozen=True)
class AnalyzedFile:
    path: Path
    queries: tuple[AnalyzedQuery, ...]
    """In file order; statements without a `-- name:` annotation are skipped, as sqlc does."""

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(w for q in self.queries for w in q.warnings)


def analyze_query_files(
    paths: Sequence[Path], catalog: Catalog, *, strict: bool = False
) -> list[AnalyzedFile]:
    """Parse and analyse every query file against the catalog.

    Raises `SqlforgeError` (via `from_diagnostics`) carrying every error of every file when
    anything is wrong, including duplicate query names across files, no annotated query at
    all, and (with `strict=True`) every warning.
    """
    files = [read_query_file(path) for path in paths]
    problems = [d for f in files for d in f.diagnostics] + duplicate_names(files)
    if paths and not problems and not any(f.queries for f in files):
        problems.append(_no_queries(paths))
    analyzer = QueryAnalyzer(catalog)
    analyzed = []
    for query_file in files:
        queries = []
        for source in query_file.queries:
            query, errors = analyzer.analyze(source)
            problems.extend(errors)
            if query is not None:
                queries.append(query)
        analyzed.append(AnalyzedFile(query_file.path, tuple(queries)))
    if strict:
        problems.extend(w for f in analyzed for w in f.warnings)
    if problems:
        raise SqlforgeError.from_diagnostics(_in_file_order(problems))
    return analyzed


def _no_queries(paths: Sequence[Path]) -> Diagnostic:
    listed = ", ".join(str(p.absolute()) for p in paths)
    return Diagnostic(
        f"error parsing queries: no queries contained in paths {listed}",
        hint="annotate each query with a comment line like `-- name: GetJob :one`",
    )


def _in_file_order(problems: list[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[str, int, int]:
        return (str(d.path or ""), d.line or 0, d.column or 0)

    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=key)


class QueryAnalyzer:
    """Analyses query after query against one database built from the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        import apsw  # noqa: PLC0415  (heavy; the CLI must start without it)

        from sqlforge.catalog import apsw_schema_connection  # noqa: PLC0415

        self.catalog = catalog
        self._runtime: sqlite3.Connection | None = None
        self.connection = apsw_schema_connection(catalog.schema_sql)
        # Constant expressions are evaluated to tell NULL from not NULL: keep them small.
        self.connection.limit(apsw.SQLITE_LIMIT_LENGTH, 1_000_000)

    def analyze(self, source: QuerySource) -> tuple[AnalyzedQuery | None, list[Diagnostic]]:
        """The analysed query, or None and the errors that stop it."""
        import apsw  # noqa: PLC0415

        try:
            details = self._prepare(source)
        except apsw.Error as error:
            return None, [_sqlite_error(source, error)]
        described = tuple(details.description_full or ())
        if source.command in (":one", ":many") and not described:
            return None, [_returns_no_rows(source)]
        return self._typed(source, described)

    def _prepare(self, source: QuerySource) -> apsw.ext.QueryDetails:
        """Prepare without running. A function APSW's SQLite lacks but the runtime's `sqlite3`
        has (`soundex`, ...) gets a stand-in, so only the runtime's verdict counts."""
        import apsw  # noqa: PLC0415
        import apsw.ext  # noqa: PLC0415

        while True:
            try:
                return apsw.ext.query_info(self.connection, source.sql)
            except apsw.SQLError as error:
                missing = re.fullmatch(r"no such function: (\w+)", str(error))
                if missing is None or not self._runtime_compiles(source):
                    raise
                self.connection.create_scalar_function(missing.group(1), _stand_in, -1)

    def _runtime_compiles(self, source: QuerySource) -> bool:
        if self._runtime is None:
            from sqlforge.catalog import execute_schema  # noqa: PLC0415

            self._runtime = sqlite3.connect(":memory:", isolation_level=None)
            execute_schema(self._runtime, self.catalog.schema_sql)
        values = (None,) * max((p.number for p in source.parameters), default=0)
        try:
            self._runtime.execute(f"EXPLAIN {source.sql}", values)
        except sqlite3.Error:
            return False
        return True

    def _typed(
        self, source: QuerySource, described: tuple[tuple[str, ...], ...]
    ) -> tuple[AnalyzedQuery | None, list[Diagnostic]]:
        from sqlforge.inference import EmbedError, UnsupportedStatement, infer  # noqa: PLC0415

        try:
            rendering = _sqlglot_rendering(source)
            inference = infer(rendering.text, self.catalog, self._is_null, rendering.cast_types)
            if len(inference.columns) != len(described):
                raise UnsupportedStatement("its result columns could not be matched")
        except EmbedError as error:
            return None, [_embed_error(source, str(error))]
        except UnsupportedStatement as error:
            return _fallback(source, described, str(error)), []
        query = _assembled(source, described, inference, self.catalog)
        stars = _star_replacements(source, inference.stars, rendering.offsets)
        return self._stars_written(query, source, stars, described), []

    def _stars_written(
        self,
        query: AnalyzedQuery,
        source: QuerySource,
        stars: Sequence[_Replacement],
        described: tuple[tuple[str, ...], ...],
    ) -> AnalyzedQuery:
        """The query with its stars written out, once SQLite confirms that the result is the
        same: same columns, names, declared types and origins (a JSONB column read through
        `json()` keeps only its name; an unnamed expression holding a star, such as a scalar
        subquery, is named after its new text)."""
        if not stars:
            return query
        embeds = _embed_replacements(source, query.columns, query.embeds)
        sql = _rewritten(source.sql, [*embeds, *stars])
        problem = self._changed_result(sql, described)
        if problem is None:
            return dataclasses.replace(query, sql=sql)
        return dataclasses.replace(query, warnings=(*query.warnings, _stars_kept(source, problem)))

    def _changed_result(self, sql: str, described: tuple[tuple[str, ...], ...]) -> str | None:
        import apsw  # noqa: PLC0415
        import apsw.ext  # noqa: PLC0415

        try:
            written = tuple(apsw.ext.query_info(self.connection, sql).description_full or ())
        except apsw.Error as error:
            return str(error)
        if len(written) != len(described):
            return f"{len(written)} columns instead of {len(described)}"
        for before, after in zip(described, written, strict=True):
            named = after[0].casefold() == before[0].casefold() or "*" in before[0]
            if not named or not (after[1:] == before[1:] or _read_as_json(before, after)):
                return f"column {before[0]} would read {after[0]} ({after[3]}.{after[4]})"
        return None

    def _is_null(self, expression: str) -> bool | None:
        import apsw  # noqa: PLC0415

        try:
            row = self.connection.execute(f"SELECT ({expression}) IS NULL").fetchone()
        except apsw.Error:
            return None
        return None if row is None else bool(row[0])


def _stand_in(*arguments: object) -> None:
    """Stands in for a function the runtime has; analysis never runs it."""


# --- assembling the results ----------------------------------------------------------------------


def _assembled(
    source: QuerySource,
    described: tuple[tuple[str, ...], ...],
    inference: Inference,
    catalog: Catalog,
) -> AnalyzedQuery:
    columns = tuple(
        _result_column(output, row)
        for output, row in zip(inference.columns, described, strict=True)
    )
    embeds = _embeds(inference.columns, catalog)
    parameters = _parameters(source, inference.parameters)
    warnings = [
        *(_note(source, note) for note in dict.fromkeys(inference.notes)),
        *_untyped_columns(source, columns),
        *_untyped_parameters(source, parameters),
    ]
    sql = _rewritten(source.sql, _embed_replacements(source, columns, embeds))
    return _query(
        source, sql=sql, parameters=parameters, columns=columns, embeds=embeds, warnings=warnings
    )


def _result_column(output: Output, described: tuple[str, ...]) -> ResultColumn:
    value = output.value
    name = value.name or (_function_name(described[0]) if value.function_call else "")
    sql_type = value.sql_type
    if not sql_type.known and described[1]:
        sql_type = SqlType(described[1])
    return ResultColumn(name, sql_type, value.nullable, value.source, output.embed_index)


def _function_name(sqlite_name: str) -> str:
    """sqlc names a function call's column after the function (`count(*)` -> `count`)."""
    match = re.match(r"\s*([^\W\d]\w*)\s*(\(|$)", sqlite_name)
    return match.group(1).lower() if match else ""


def _embeds(outputs: Sequence[Output], catalog: Catalog) -> tuple[Embed, ...]:
    spans: dict[int, list[int]] = {}
    for position, output in enumerate(outputs):
        if output.embed_index is not None:
            spans.setdefault(output.embed_index, []).append(position)
    embeds = []
    for index in sorted(spans):
        positions = spans[index]
        target = outputs[positions[0]].embed
        assert target is not None
        embeds.append(
            Embed(
                name=target.alias,
                table=target.table,
                start=positions[0],
                stop=positions[-1] + 1,
                nullable=target.optional,
                null_when=_presence_column(outputs, positions, catalog),
            )
        )
    return tuple(embeds)


def _presence_column(
    outputs: Sequence[Output], positions: list[int], catalog: Catalog
) -> int | None:
    """The first embedded column the table declares NOT NULL: NULL there means no row."""
    for position in positions:
        source = outputs[position].value.source
        column = catalog.column(source.table, source.column) if source else None
        if column is not None and column.not_null:
            return position
    return None


def _parameters(
    source: QuerySource, contexts: Sequence[ParameterContext]
) -> tuple[QueryParameter, ...]:
    return tuple(
        _parameter(spec, [c for c in contexts if c.number == spec.number])
        for spec in source.parameters
    )


def _parameter(spec: ParameterSpec, contexts: list[ParameterContext]) -> QueryParameter:
    informative = [c for c in contexts if c.informative]
    typed = [c for c in informative if c.sql_type.known]
    named = next((c.name for c in informative if c.name), None)
    name, name_source = _parameter_name(spec, named)
    return QueryParameter(
        name=name,
        number=spec.number,
        sql_type=typed[0].sql_type if typed else UNKNOWN,
        nullable=spec.nullable or not informative or any(c.nullable for c in informative),
        is_slice=spec.is_slice,
        source=next((c.source for c in typed if c.source), None),
        name_source=name_source,
    )


def _parameter_name(spec: ParameterSpec, inferred: str | None) -> tuple[str, NameSource]:
    if spec.name:
        return spec.name, "user"
    if inferred:
        return inferred, "context"
    return f"param_{spec.number}", "fallback"


# --- writing stars and embeds out ----------------------------------------------------------------

_Replacement = tuple[int, int, str]
"""(start, end, text): `sql[start:end]` becomes `text`."""


def _rewritten(sql: str, replacements: Sequence[_Replacement]) -> str:
    for start, end, text in sorted(replacements, reverse=True):
        sql = sql[:start] + text + sql[end:]
    return sql


def _embed_replacements(
    source: QuerySource, columns: Sequence[ResultColumn], embeds: Sequence[Embed]
) -> list[_Replacement]:
    """`t.*` standing for `sqlc.embed(t)` -> `t.col1, t.col2, ...`."""
    replacements = []
    for spec, embed in zip(source.embeds, embeds, strict=False):
        qualifier = source.sql[spec.start : spec.end - 2]
        listed = ", ".join(_embedded(qualifier, c) for c in columns[embed.start : embed.stop])
        replacements.append((spec.start, spec.end, listed))
    return replacements


def _embedded(qualifier: str, column: ResultColumn) -> str:
    name = column.source.column if column.source else column.name
    return _column_text(f"{qualifier}.{_quoted(name)}", name, column.sql_type, result=True)


def _star_replacements(
    source: QuerySource, stars: Sequence[StarExpansion], offsets: dict[int, int]
) -> list[_Replacement]:
    """`*` -> `id, name` (over one source) or `a.id, b.name` (over several); `t.*` ->
    `t.id, t.name`, the qualifier as written."""
    code = [t for t in tokenize(source.sql) if t.is_code]
    index_at = {t.start: index for index, t in enumerate(code)}
    replacements = []
    for star in stars:
        index = index_at.get(offsets.get(star.offset, -1))
        if index is None or code[index].text != "*":
            continue  # not where sqlglot says: leave it be
        if not star.qualified:
            written = [_reference(c.qualifier, c.name) for c in star.columns]
            replacements.append((code[index].start, code[index].end, _listed(star, written)))
        elif index >= 2 and code[index - 1].text == ".":
            qualifier = code[index - 2]
            written = [f"{qualifier.text}.{_quoted(c.name)}" for c in star.columns]
            replacements.append((qualifier.start, code[index].end, _listed(star, written)))
    return replacements


def _reference(qualifier: str, name: str) -> str:
    return f"{_quoted(qualifier)}.{_quoted(name)}" if qualifier else _quoted(name)


def _listed(star: StarExpansion, references: Sequence[str]) -> str:
    return ", ".join(
        _column_text(reference, column.name, column.sql_type, result=star.result)
        for reference, column in zip(references, star.columns, strict=True)
    )


def _column_text(reference: str, name: str, sql_type: SqlType, *, result: bool) -> str:
    """A JSONB column of the result is read as JSON text, under its own name (as sqlc does):
    the blob format is SQLite's internal one."""
    if result and sql_type.declared.strip().casefold() == "jsonb":
        return f"json({reference}) AS {_quoted(name)}"
    return reference


def _read_as_json(before: tuple[str, ...], after: tuple[str | None, ...]) -> bool:
    """A JSONB column written out as `json(col) AS col`: an expression, no declared type."""
    return (before[1] or "").strip().casefold() == "jsonb" and after[1:] == (None,) * 4


def _quoted(name: str) -> str:
    """The identifier as SQL text: double-quoted unless a plain word that is no keyword."""
    import apsw  # noqa: PLC0415

    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.upper() not in apsw.keywords:
        return name
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _SqlglotText:
    text: str
    cast_types: list[str]
    offsets: dict[int, int]
    """Offset in `text` -> offset in the query's SQL, for every token copied unchanged."""


def sqlglot_text(source: QuerySource) -> tuple[str, list[str]]:
    """The statement as sqlglot reads it, and the CAST target types as written.

    `?NNN` becomes `:__pNNN`, an embed `sqlc_embed__(t)`, the N-th CAST type `__tN`, and the
    SQLite-only `REPLACE INTO` / `UPDATE OR ...` forms sqlglot misreads are made plain."""
    rendering = _sqlglot_rendering(source)
    return rendering.text, rendering.cast_types


def _sqlglot_rendering(source: QuerySource) -> _SqlglotText:
    from sqlforge.inference import (  # noqa: PLC0415
        CAST_TYPE_PREFIX,
        EMBED_FUNCTION,
        PLACEHOLDER_PREFIX,
    )

    tokens = tokenize(source.sql)
    replaced: dict[int, tuple[int, str]] = {}
    for spec in source.embeds:
        qualifier = source.sql[spec.start : spec.end - 2]
        replaced[spec.start] = (spec.end, f"{EMBED_FUNCTION}({qualifier})")
    replaced.update(_plain_forms(tokens))
    cast_types: list[str] = []
    for start, end in _cast_type_spans(tokens):
        replaced[start] = (end, f"{CAST_TYPE_PREFIX}{len(cast_types)}")
        cast_types.append(" ".join(source.sql[start:end].split()))
    pieces: list[str] = []
    offsets: dict[int, int] = {}
    length = position = 0
    for token in tokens:
        if token.start < position:
            continue
        if token.start in replaced:
            position, text = replaced[token.start]
        elif token.kind == "param":
            text = f":{PLACEHOLDER_PREFIX}{token.text[1:]}"
        else:
            text = token.text
            offsets[length] = token.start
        pieces.append(text)
        length += len(text)
    return _SqlglotText("".join(pieces), cast_types, offsets)


def _plain_forms(tokens: Sequence[Token]) -> dict[int, tuple[int, str]]:
    """`REPLACE INTO` -> `INSERT OR REPLACE INTO`; `UPDATE OR <action>` -> `UPDATE`;
    `mod(`, `like(`, `glob(` -> functions of their own (sqlglot makes operators of them)."""
    from sqlforge.inference import RENAMED_FUNCTIONS  # noqa: PLC0415

    code = [t for t in tokens if t.is_code]
    words = [t.text.upper() if t.kind == "name" else t.text for t in code]
    forms = {}
    for index in range(len(code) - 1):
        renamed = RENAMED_FUNCTIONS.get(words[index].lower())
        if renamed and code[index].kind == "name" and words[index + 1] == "(":
            forms[code[index].start] = (code[index].end, renamed)
    for index in range(len(code) - 2):
        if words[index : index + 2] == ["REPLACE", "INTO"] and (
            index == 0 or words[index - 1] == ")"
        ):
            forms[code[index].start] = (code[index].end, "INSERT OR REPLACE")
        if words[index : index + 2] == ["UPDATE", "OR"]:
            forms[code[index + 1].start] = (code[index + 2].end, "")
    return forms


def _cast_type_spans(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """[start, end) of each `CAST(x AS <type>)` type, in text order."""
    code = [t for t in tokens if t.is_code]
    spans = []
    for index, token in enumerate(code[:-1]):
        if token.text.upper() == "CAST" and code[index + 1].text == "(":
            span = _cast_type_span(code, index + 1)
            if span is not None:
                spans.append(span)
    return spans


def _cast_type_span(code: Sequence[Token], paren: int) -> tuple[int, int] | None:
    depth = 0
    type_start = None
    for position in range(paren, len(code)):
        token = code[position]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
            if depth == 0:
                return None if type_start is None else (type_start, code[position - 1].end)
        elif depth == 1 and token.kind == "name" and token.text.upper() == "AS":
            type_start = code[position + 1].start if position + 1 < len(code) else None
    return None


# --- diagnostics ---------------------------------------------------------------------------------


def _embed_error(source: QuerySource, message: str) -> Diagnostic:
    spec = source.embeds[0] if source.embeds else None
    return Diagnostic(
        message,
        path=source.path,
        line=spec.line if spec else source.line,
        column=spec.column if spec else source.column,
        hint="embed a table (or view) named in the FROM clause of the outermost SELECT",
    )


def _sqlite_error(source: QuerySource, error: Exception) -> Diagnostic:
    offset = getattr(error, "error_offset", -1)
    first_code = len(source.sql) - len(source.sql.lstrip())
    line, column = source.position(
        offset if isinstance(offset, int) and offset >= 0 else first_code
    )
    return Diagnostic(
        str(error),
        path=source.path,
        line=line,
        column=column,
        hint=f"query {source.name} is not valid for the schema (SQLite's message)",
    )


def _returns_no_rows(source: QuerySource) -> Diagnostic:
    return Diagnostic(
        f'query "{source.name}" specifies parameter "{source.command}" without containing a '
        "RETURNING clause",
        path=source.path,
        line=source.line,
        column=source.column,
        hint="the statement returns no rows: use :exec, :execrows, :execlastid or :execresult, "
        "or add a RETURNING clause",
    )


def _stars_kept(source: QuerySource, problem: str) -> Diagnostic:
    return Diagnostic(
        f"query {source.name}: its `*` could not be written out as named columns ({problem}); "
        "it stays as written, so its columns come in the order of the database it runs on",
        path=source.path,
        line=source.line,
        hint="list the columns instead of `*`",
    )


def _note(source: QuerySource, note: str) -> Diagnostic:
    return Diagnostic(f"query {source.name}: {note}", path=source.path, line=source.line)


def _untyped_columns(source: QuerySource, columns: Sequence[ResultColumn]) -> list[Diagnostic]:
    return [
        Diagnostic(
            f"query {source.name}: the type of result column {i} ({c.name or 'unnamed'}) "
            "cannot be inferred",
            path=source.path,
            line=source.line,
            hint="pin it with CAST(<expression> AS INTEGER|REAL|TEXT|BLOB) and an alias; it is "
            "typed as any value until then",
        )
        for i, c in enumerate(columns, start=1)
        if not c.sql_type.known
    ]


def _untyped_parameters(
    source: QuerySource, parameters: Sequence[QueryParameter]
) -> list[Diagnostic]:
    return [
        Diagnostic(
            f"query {source.name}: the type of parameter ?{p.number} ({p.name}) cannot be inferred",
            path=source.path,
            line=source.line,
            hint="compare it with a column, or write CAST(? AS INTEGER|REAL|TEXT|BLOB)",
        )
        for p in parameters
        if not p.sql_type.known
    ]


def _fallback(
    source: QuerySource, described: tuple[tuple[str, ...], ...], reason: str
) -> AnalyzedQuery:
    """SQLite's facts only: names, declared types and origins; every column nullable."""
    columns = tuple(
        ResultColumn(
            name=row[0] if re.fullmatch(r"[^\W\d]\w*", row[0]) else _function_name(row[0]),
            sql_type=SqlType(row[1]) if row[1] else UNKNOWN,
            nullable=True,
            source=ColumnRef(row[3], row[4]) if len(row) > 4 and row[3] and row[4] else None,
        )
        for row in described
    )
    parameters = _parameters(source, ())
    if not columns and not parameters:
        return _query(source, sql=source.sql, parameters=parameters, columns=columns)
    structure = Diagnostic(
        f"query {source.name}: its structure could not be analysed ({reason}); every result "
        "column is typed as nullable",
        path=source.path,
        line=source.line,
        hint="simplify the statement, or pin the types with CAST(... AS ...)",
    )
    warnings = [
        structure,
        *_untyped_columns(source, columns),
        *_untyped_parameters(source, parameters),
    ]
    return _query(source, sql=source.sql, parameters=parameters, columns=columns, warnings=warnings)


def _query(
    source: QuerySource,
    *,
    sql: str,
    parameters: tuple[QueryParameter, ...],
    columns: tuple[ResultColumn, ...],
    embeds: tuple[Embed, ...] = (),
    warnings: Sequence[Diagnostic] = (),
) -> AnalyzedQuery:
    return AnalyzedQuery(
        name=source.name,
        command=source.command,
        sql=sql,
        doc=source.doc,
        parameters=parameters,
        columns=columns,
        embeds=embeds,
        path=source.path,
        line=source.line,
        warnings=tuple(warnings),
    )
