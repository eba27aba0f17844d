"""Query analysis: from annotated query files to plain data the query-module generator renders.

The stage has two modules, one job each:

* `sqlforge.queries` reads the files in sqlc's annotation language (`-- name: GetJob :one`),
  splits statements, finds every parameter form and rewrites the SQL text. No database needed.
* `sqlforge.analysis` (this module) checks each statement against a database built from the
  catalog's `schema_sql` and infers parameter and result-column names, types and nullability.

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

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from sqlforge.errors import Diagnostic

if TYPE_CHECKING:
    from sqlforge.catalog import Catalog

NameSource = Literal["user", "context", "fallback"]
Command = Literal[":one", ":many", ":exec", ":execrows", ":execlastid", ":execresult"]
COMMANDS: Final[tuple[Command, ...]] = (
    ":one",
    ":many",
    ":exec",
    ":execrows",
    ":execlastid",
    ":execresult",
)
"""What each command returns: `:one` the first row or None; `:many` every row; `:exec` nothing;
`:execrows` the number of changed rows (`cursor.rowcount`); `:execlastid` `cursor.lastrowid`;
`:execresult` the cursor itself."""


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
    raise NotImplementedError
