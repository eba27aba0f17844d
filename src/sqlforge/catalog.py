"""The catalog: what `schema.sql` declares, read back from SQLite itself.

`load_catalog` executes the schema in an in-memory database and asks SQLite (`PRAGMA
table_list`, `table_xinfo`, `index_list`, `index_info`, `foreign_key_list`), so whatever SQLite
accepts is understood exactly as SQLite understands it. Plain data, consumed by model
generation and query analysis.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlforge.errors import SqlforgeError

if TYPE_CHECKING:
    import apsw

TableKind = Literal["table", "view"]
Generated = Literal["", "virtual", "stored"]


@dataclass(frozen=True)
class Column:
    name: str
    declared_type: str
    """Exactly as declared (`VARCHAR(20)`, `DATETIME`), '' when the column has no type."""
    not_null: bool
    """True for NOT NULL columns, for a rowid alias (`INTEGER PRIMARY KEY`), for primary-key
    columns of STRICT and WITHOUT ROWID tables, and for view columns read unchanged from a NOT
    NULL column when the view can add no NULL (no outer join, no compound select)."""
    default: str | None
    """The default's SQL text as SQLite stores it, None when there is none."""
    primary_key: int
    """1-based position in the primary key, 0 when not part of it."""
    generated: Generated = ""
    rowid_alias: bool = False
    """An `INTEGER PRIMARY KEY` of a rowid table: the rowid itself, never NULL."""
    origin: tuple[str, str] | None = None
    """For a view column read unchanged from a table column: (table, column)."""


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]
    """The parent's columns; its primary key when the constraint names none."""
    on_update: str
    on_delete: str


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    """Column names in index order; '' for an expression."""
    unique: bool
    partial: bool
    origin: str
    """`c` for CREATE INDEX, `u` for a UNIQUE constraint, `pk` for a PRIMARY KEY."""


@dataclass(frozen=True)
class Table:
    name: str
    kind: TableKind
    columns: tuple[Column, ...]
    sql: str
    strict: bool = False
    without_rowid: bool = False
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    """Sorted by name."""
    virtual: bool = False
    """A virtual table (`CREATE VIRTUAL TABLE ... USING fts5(...)`); its shadow tables are
    left out of the catalog."""

    def column(self, name: str) -> Column | None:
        folded = name.casefold()
        return next((c for c in self.columns if c.name.casefold() == folded), None)

    @property
    def primary_key(self) -> tuple[Column, ...]:
        return tuple(sorted((c for c in self.columns if c.primary_key), key=_pk_position))


def _pk_position(column: Column) -> int:
    return column.primary_key


@dataclass(frozen=True)
class Catalog:
    tables: tuple[Table, ...]
    """Tables, then views, each in the order schema.sql creates them."""
    schema_sql: str
    """The text the catalog was read from; query analysis prepares statements against it."""

    def table(self, name: str) -> Table | None:
        folded = name.casefold()
        return next((t for t in self.tables if t.name.casefold() == folded), None)

    def column(self, table: str, column: str) -> Column | None:
        """A column of a table or view, both named case-insensitively."""
        found = self.table(table)
        return None if found is None else found.column(column)


def load_catalog(schema_sql: str, *, path: Path | None = None) -> Catalog:
    """Read the catalog of a schema; a statement SQLite rejects is an error naming `path`
    (for messages) and the statement's line."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        execute_schema(connection, schema_sql, path=path)
        tables = read_tables(connection)
    finally:
        connection.close()
    return Catalog(tables=_with_view_origins(tables, schema_sql), schema_sql=schema_sql)


# executing schema.sql


@dataclass(frozen=True)
class SchemaStatement:
    line: int
    text: str

    @property
    def rank(self) -> int:
        """Creation order that makes any dump loadable: tables, views, indexes, triggers,
        then the rest (schema.sql lists views and triggers before the tables they use)."""
        match = _CREATE.match(self.text)
        if match is None:
            return 4
        return {"TABLE": 0, "VIEW": 1, "INDEX": 2, "TRIGGER": 3}[match["kind"].upper()]


_CREATE = re.compile(
    r"(?:\s|--[^\n]*\n|/\*.*?\*/)*CREATE\s+(?:(?:TEMP|TEMPORARY|UNIQUE|VIRTUAL)\s+)?"
    r"(?P<kind>TABLE|VIEW|INDEX|TRIGGER)\b",
    re.IGNORECASE | re.DOTALL,
)


def split_statements(sql: str) -> Iterator[SchemaStatement]:
    """Complete statements by SQLite's own rule (`sqlite3.complete_statement`), with the line
    each one starts on; trailing text without a `;` is a statement too."""
    buffer: list[str] = []
    start = 0
    for number, line in enumerate(sql.splitlines(keepends=True), start=1):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        if not buffer:
            start = number
        buffer.append(line)
        if sqlite3.complete_statement("".join(buffer)):
            yield SchemaStatement(start, "".join(buffer).strip())
            buffer = []
    if "".join(buffer).strip():
        yield SchemaStatement(start, "".join(buffer).strip())


def execute_schema(
    connection: sqlite3.Connection, schema_sql: str, *, path: Path | None = None
) -> None:
    """Create everything schema.sql declares, in an order SQLite accepts."""
    statements = sorted(split_statements(schema_sql), key=lambda s: s.rank)
    for statement in statements:
        try:
            connection.executescript(statement.text)
        except sqlite3.Error as error:
            if _is_shadow_table_repeat(connection, error):
                continue
            raise SqlforgeError(
                f"SQLite rejects this schema statement: {error}",
                path=path,
                line=statement.line,
                hint="regenerate the schema with `invoke db.generate`, or fix the statement",
            ) from None


def apsw_schema_connection(schema_sql: str) -> apsw.Connection:
    """An in-memory APSW database holding what schema.sql declares (APSW tells what the
    stdlib `sqlite3` cannot: column origins, declared types of results)."""
    import apsw  # noqa: PLC0415  (heavy; the CLI must start without it)

    connection = apsw.Connection(":memory:")
    for statement in sorted(split_statements(schema_sql), key=lambda s: s.rank):
        try:
            connection.execute(statement.text)
        except apsw.Error:
            continue  # the stdlib accepted the schema: a virtual table's shadow-table repeat
    return connection


def _is_shadow_table_repeat(connection: sqlite3.Connection, error: sqlite3.Error) -> bool:
    """A dump lists a virtual table's shadow tables, which the virtual table created."""
    match = re.fullmatch(r"table (?P<name>.+) already exists", str(error))
    if match is None:
        return False
    name = match["name"].strip("\"'`[]")
    rows = connection.execute("SELECT type FROM pragma_table_list WHERE name = ?", (name,))
    return any(row[0] == "shadow" for row in rows)


# reading it back


def read_tables(connection: sqlite3.Connection) -> tuple[Table, ...]:
    """Every table and view of the main schema (no `sqlite_` tables, no shadow tables)."""
    listed = _table_list(connection)
    rows = connection.execute(
        "SELECT name, type, sql FROM sqlite_schema WHERE type IN ('table', 'view')"
        " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type = 'view', rowid"
    ).fetchall()
    tables = []
    for name, kind, sql in rows:
        listed_type, without_rowid, strict = listed[name]
        if listed_type == "shadow":
            continue
        tables.append(
            _read_table(
                connection,
                name,
                kind,
                sql,
                strict=bool(strict),
                without_rowid=bool(without_rowid),
                virtual=listed_type == "virtual",
            )
        )
    return tuple(tables)


def _table_list(connection: sqlite3.Connection) -> dict[str, tuple[str, int, int]]:
    """name -> (type, without rowid, strict), from `PRAGMA table_list` (SQLite 3.37+)."""
    query = "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'"
    try:
        return {row[0]: row[1:] for row in connection.execute(query)}
    except sqlite3.OperationalError:
        raise SqlforgeError(
            f"reading the schema needs SQLite 3.37 or newer; Python's sqlite3 module uses"
            f" SQLite {sqlite3.sqlite_version}",
            hint="use a Python build with a newer SQLite (python.org and most current"
            " distributions ship one)",
        ) from None


def _read_table(
    connection: sqlite3.Connection,
    name: str,
    kind: TableKind,
    sql: str,
    *,
    strict: bool,
    without_rowid: bool,
    virtual: bool,
) -> Table:
    indexes = _indexes(connection, name)
    columns = _columns(connection, name, rowid_table=kind == "table" and not without_rowid)
    if any(index.origin == "pk" for index in indexes):
        columns = tuple(_not_rowid_alias(column) for column in columns)
    return Table(
        name=name,
        kind=kind,
        columns=columns,
        sql=sql,
        strict=strict,
        without_rowid=without_rowid,
        foreign_keys=_foreign_keys(connection, name),
        indexes=indexes,
        virtual=virtual,
    )


_GENERATED: dict[int, Generated] = {2: "virtual", 3: "stored"}
_HIDDEN = 1


def _columns(
    connection: sqlite3.Connection, table: str, *, rowid_table: bool
) -> tuple[Column, ...]:
    rows = connection.execute(
        'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)',
        (table,),
    ).fetchall()
    single_pk = sum(1 for row in rows if row[4]) == 1
    columns = []
    for name, declared, not_null, default, pk, hidden in rows:
        if hidden == _HIDDEN:
            continue
        alias = rowid_table and single_pk and pk == 1 and declared.upper() == "INTEGER"
        columns.append(
            Column(
                name=name,
                declared_type=declared,
                not_null=bool(not_null) or alias,
                default=default,
                primary_key=pk,
                generated=_GENERATED.get(hidden, ""),
                rowid_alias=alias,
            )
        )
    return tuple(columns)


def _not_rowid_alias(column: Column) -> Column:
    """`INTEGER PRIMARY KEY DESC` is SQLite's one exception: an ordinary column with an
    automatic index, and NULL is allowed in it unless declared NOT NULL."""
    if not column.rowid_alias:
        return column
    return dataclasses.replace(column, rowid_alias=False, not_null=False)


def _foreign_keys(connection: sqlite3.Connection, table: str) -> tuple[ForeignKey, ...]:
    """In declaration order (SQLite numbers them from the last one)."""
    rows = connection.execute(
        'SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?)'
        " ORDER BY id DESC, seq",
        (table,),
    ).fetchall()
    key_ids = dict.fromkeys(row[0] for row in rows)
    return tuple(
        _foreign_key(connection, [row for row in rows if row[0] == key_id]) for key_id in key_ids
    )


def _foreign_key(connection: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> ForeignKey:
    parent = rows[0][1]
    references = tuple(row[3] for row in rows)
    if None in references:
        references = _primary_key_names(connection, parent)
    return ForeignKey(
        columns=tuple(row[2] for row in rows),
        table=parent,
        references=references,
        on_update=rows[0][4],
        on_delete=rows[0][5],
    )


def _primary_key_names(connection: sqlite3.Connection, table: str) -> tuple[str, ...]:
    rows = connection.execute(
        "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (table,)
    )
    return tuple(row[0] for row in rows)


def _indexes(connection: sqlite3.Connection, table: str) -> tuple[Index, ...]:
    rows = connection.execute(
        'SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name',
        (table,),
    ).fetchall()
    return tuple(
        Index(
            name=name,
            columns=_index_columns(connection, name),
            unique=bool(unique),
            partial=bool(partial),
            origin=origin,
        )
        for name, unique, origin, partial in rows
    )


def _index_columns(connection: sqlite3.Connection, index: str) -> tuple[str, ...]:
    rows = connection.execute("SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,))
    return tuple(row[0] or "" for row in rows)


# views: where their columns come from


_NULL_ADDING = re.compile(r"\b(LEFT|RIGHT|FULL|OUTER|UNION)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def _with_view_origins(tables: tuple[Table, ...], schema_sql: str) -> tuple[Table, ...]:
    """Fill in `origin` of view columns, and `not_null` where the view cannot add a NULL.

    SQLite reports every view column as nullable. APSW (SQLite's column metadata) tells the
    table column a view column reads; such a column is NOT NULL when its origin is and no view
    on the way has an outer join or a compound select (checked on the words of the views'
    SQL: a false alarm only leaves a column nullable). Without APSW views stay as SQLite
    reports them.
    """
    views = [t for t in tables if t.kind == "view"]
    if not views:
        return tables
    origins = _view_column_origins(schema_sql, [v.name for v in views])
    if origins is None:
        return tables
    by_name = {t.name.casefold(): t for t in tables}
    return tuple(
        _view_with_origins(t, origins[t.name], by_name) if t.kind == "view" else t for t in tables
    )


def _view_column_origins(
    schema_sql: str, views: list[str]
) -> dict[str, list[tuple[str, str] | None]] | None:
    try:
        connection = apsw_schema_connection(schema_sql)
    except ImportError:
        return None
    try:
        return {view: _origins(connection, view) for view in views}
    finally:
        connection.close()


def _origins(connection: apsw.Connection, view: str) -> list[tuple[str, str] | None]:
    import apsw.ext  # noqa: PLC0415

    quoted = '"' + view.replace('"', '""') + '"'
    info = apsw.ext.query_info(connection, f"SELECT * FROM {quoted}")
    return [
        (d[3], d[4]) if d[3] is not None and d[4] is not None else None
        for d in info.description_full or ()
    ]


def _view_with_origins(
    view: Table, origins: list[tuple[str, str] | None], by_name: dict[str, Table]
) -> Table:
    can_add_null = _adds_nulls(view, by_name, seen=set())
    columns = tuple(
        _view_column(column, origin, by_name, can_add_null=can_add_null)
        for column, origin in zip(view.columns, origins, strict=False)
    )
    return dataclasses.replace(view, columns=columns)


def _view_column(
    column: Column,
    origin: tuple[str, str] | None,
    by_name: dict[str, Table],
    *,
    can_add_null: bool,
) -> Column:
    source = by_name.get(origin[0].casefold()) if origin else None
    source_column = source.column(origin[1]) if source and origin else None
    not_null = bool(source_column and source_column.not_null and not can_add_null)
    return dataclasses.replace(column, not_null=not_null, origin=origin)


def _adds_nulls(view: Table, by_name: dict[str, Table], *, seen: set[str]) -> bool:
    """Whether this view, or a view it reads, has an outer join or a compound select."""
    seen.add(view.name.casefold())
    if _NULL_ADDING.search(view.sql):
        return True
    named = (by_name.get(word.casefold()) for word in _WORD.findall(view.sql))
    return any(
        inner is not None
        and inner.kind == "view"
        and inner.name.casefold() not in seen
        and _adds_nulls(inner, by_name, seen=seen)
        for inner in named
    )
