"""Types and nullability of a statement's parameters and result columns, from its syntax tree.

SQLite (through APSW, in `sqlforge.analysis`) decides whether a statement is valid and gives
each result column's declared type and origin, but it knows nothing of nullability, of outer
joins, of expression types or of what a parameter is compared with. That is what this module
works out, walking sqlglot's tree of the statement with the catalog at hand: scopes of FROM
sources (tables, views, CTEs, subqueries; outer-join sides make a source optional, so all its
columns nullable), then one typing rule per expression kind.

sqlglot is imported at module level: this module is itself imported only inside
`analyze_query_files`, never on the CLI's start-up path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import sqlglot
from sqlglot import exp

from sqlforge.analysis import (
    BLOB,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    JSON,
    REAL,
    TEXT,
    UNKNOWN,
    ColumnRef,
    SqlType,
)
from sqlforge.catalog import Catalog, Table
from sqlforge.sqltypes import map_declared_type

PLACEHOLDER_PREFIX = "__p"
"""sqlglot reads `?NNN` badly, so the text it parses names parameter NNN `:__pNNN`."""
EMBED_FUNCTION = "sqlc_embed__"
"""...an embed `t.*` is written `sqlc_embed__(t)` so it can be told from a plain `t.*`..."""
CAST_TYPE_PREFIX = "__t"
"""...and the N-th CAST target type `__tN` (sqlglot would rename or reject SQLite's types)."""


class UnsupportedStatement(Exception):
    """sqlglot cannot read the statement, or its shape is beyond these rules."""


@dataclass(frozen=True)
class Value:
    """What is known about one expression's result."""

    sql_type: SqlType
    nullable: bool
    name: str = ""
    """sqlc's name for it: a column's name, an alias, ...; '' when it has none."""
    source: ColumnRef | None = None
    """The catalog column whose value this is, unchanged."""
    null_literal: bool = False
    function_call: bool = False
    """A function call whose result has no name of its own: named after the function."""
    exact_name: bool = False
    """`name` is the name SQLite gives the column too (a catalog column, an alias, a column
    reference), so SQL text can refer to it by that name; sqlc's names for expressions
    (`CAST(x AS T)` -> `x`) are not."""


NULL_VALUE = Value(UNKNOWN, True, null_literal=True)


@dataclass(frozen=True)
class EmbedTarget:
    alias: str
    table: str
    optional: bool


@dataclass(frozen=True)
class Output:
    value: Value
    embed: EmbedTarget | None = None
    embed_index: int | None = None
    expression: exp.Expr | None = field(default=None, compare=False)
    """The projection it comes from (a star for each column it expands to)."""


@dataclass(frozen=True)
class ParameterContext:
    """What one use of parameter `number` tells about it."""

    number: int
    name: str | None
    sql_type: SqlType
    nullable: bool
    source: ColumnRef | None = None
    informative: bool = True


@dataclass(frozen=True)
class StarColumn:
    """One column a `*` stands for."""

    name: str
    sql_type: SqlType
    qualifier: str = ""
    """The FROM source to qualify the name with; '' to write it unqualified."""


@dataclass(frozen=True)
class StarExpansion:
    """A `*` or `t.*` of the statement and the columns it stands for, in SQLite's order."""

    offset: int
    """Where the `*` is in the text `infer` read."""
    columns: tuple[StarColumn, ...]
    qualified: bool
    """Written `t.*`: every column takes the qualifier as written."""
    result: bool = False
    """Its columns are the statement's result, not a subquery's, a CTE's or an INSERT's."""


@dataclass(frozen=True)
class Inference:
    columns: tuple[Output, ...]
    parameters: tuple[ParameterContext, ...]
    notes: tuple[str, ...]
    stars: tuple[StarExpansion, ...] = ()
    """The stars worth writing out as column lists, in text order (see `expandable_stars`)."""


def infer(
    sql: str,
    catalog: Catalog,
    evaluate: Callable[[str], bool | None] | None = None,
    cast_types: Sequence[str] = (),
) -> Inference:
    """Infer the statement, written with `:__pNNN` parameters, `sqlc_embed__(t)` embeds and
    `__tN` CAST types standing for `cast_types[N]` (see `sqlforge.analysis.sqlglot_text`).

    `evaluate(sql_expression)` tells whether a constant expression is NULL (None: cannot tell);
    it lets constant calls such as `sqrt(2.0)` or `datetime('now')` be typed not null.
    """
    tree = parse(sql)
    typer = _Typer(catalog, evaluate, cast_types)
    columns = typer.statement(tree)
    stars = expandable_stars(tree, typer.stars)
    return Inference(tuple(columns), tuple(typer.parameters), tuple(typer.notes), stars)


def parse(sql: str) -> exp.Expr:
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError as error:
        raise UnsupportedStatement(str(error).split("\n", 1)[0]) from None
    if isinstance(tree, exp.Command):
        raise UnsupportedStatement(f"sqlglot does not read {tree.name} statements")
    return tree


# --- declared types ------------------------------------------------------------------------------


def numeric_class(sql_type: SqlType) -> str | None:
    """`integer` or `real` when values of the type are numbers of that kind, else None."""
    if not sql_type.known:
        return None
    kind = map_declared_type(sql_type.declared).kind
    return "integer" if kind in ("int", "bool") else "real" if kind == "float" else None


def merge_types(types: Sequence[SqlType]) -> SqlType:
    """The type of a value that is one of several (CASE branches, UNION arms, COALESCE)."""
    if not types or any(not t.known for t in types):
        return UNKNOWN
    first = types[0]
    if all(t.declared.casefold() == first.declared.casefold() for t in types):
        return first
    classes = {numeric_class(t) for t in types}
    if None not in classes:
        return REAL if "real" in classes else INTEGER
    if {map_declared_type(t.declared).kind for t in types} == {"str"}:
        return TEXT
    return UNKNOWN


def merge_values(values: Sequence[Value], *, nullable: bool | None = None) -> Value:
    real = [v for v in values if not v.null_literal]
    sql_type = merge_types([v.sql_type for v in real]) if real else UNKNOWN
    if nullable is None:
        nullable = any(v.nullable for v in values)
    return Value(sql_type, nullable)


# --- sources and scopes --------------------------------------------------------------------------


@dataclass
class Source:
    """Something in a FROM clause: its qualifier and its columns."""

    name: str
    columns: list[Value]
    table: Table | None = None
    optional: bool = False
    merged: set[str] = field(default_factory=set)
    """Columns a USING/NATURAL join merged into an earlier source (not in `*`)."""
    opaque: bool = False
    """Columns unknown (an unknown table-valued function)."""
    filtered: set[str] = field(default_factory=set)
    """Columns a WHERE condition keeps from being NULL (`col = ?`, `col IS NOT NULL`)."""

    def has_column(self, name: str) -> bool:
        return any(c.name.casefold() == name.casefold() for c in self.columns)

    def lookup(self, name: str) -> Value | None:
        folded = name.casefold()
        for column in self.columns:
            if column.name.casefold() == folded:
                return self.seen(column)
        if self.has_rowid and folded in ("rowid", "oid", "_rowid_"):
            return self.seen(Value(INTEGER, False, name))
        if self.opaque:
            return Value(UNKNOWN, True, name)
        return None

    @property
    def has_rowid(self) -> bool:
        return (
            self.table is not None and self.table.kind == "table" and not self.table.without_rowid
        )

    def seen(self, value: Value) -> Value:
        if value.name.casefold() in self.filtered:
            return replace(value, nullable=False)
        return replace(value, nullable=True) if self.optional else value

    def star(self, *, qualified: bool) -> list[Value]:
        if self.opaque:
            raise UnsupportedStatement(f"the columns of {self.name} are unknown")
        return [
            self.seen(c) for c in self.columns if qualified or c.name.casefold() not in self.merged
        ]


@dataclass
class Scope:
    parent: Scope | None = None
    sources: list[Source] = field(default_factory=list)
    ctes: dict[str, list[Value]] = field(default_factory=dict)
    aliases: dict[str, Value] = field(default_factory=dict)
    ungrouped_aggregate: bool = False
    """An aggregate query without GROUP BY: one row even from no rows, columns then NULL."""
    coalescing: bool = False
    """A RIGHT or FULL join: a column USING or NATURAL merges is, unqualified, the first
    non-NULL of the joined columns, which no qualified name reads."""

    def child(self) -> Scope:
        return Scope(parent=self)

    def cte(self, name: str) -> list[Value] | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.ctes.get(name.casefold())
            if found is not None:
                return found
            scope = scope.parent
        return None

    def source(self, name: str) -> Source | None:
        scope: Scope | None = self
        while scope is not None:
            for source in scope.sources:
                if source.name.casefold() == name.casefold():
                    return source
            scope = scope.parent
        return None

    def source_of(self, name: str, qualifier: str) -> Source | None:
        """The source of this scope (not its parents) a column reference reads."""
        for source in self.sources:
            if qualifier and source.name.casefold() != qualifier.casefold():
                continue
            if not qualifier and name.casefold() in source.merged:
                continue
            if source.lookup(name) is not None:
                return source
        return None

    def resolve(self, name: str, qualifier: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.resolve_here(name, qualifier)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def resolve_here(self, name: str, qualifier: str) -> Value | None:
        if qualifier:
            source = next(
                (s for s in self.sources if s.name.casefold() == qualifier.casefold()), None
            )
            return source.lookup(name) if source else None
        for source in self.sources:
            if name.casefold() in source.merged:
                continue
            found = source.lookup(name)
            if found is not None:
                return found
        return self.aliases.get(name.casefold())


# --- the typer -----------------------------------------------------------------------------------


def placeholder_number(node: exp.Expr | None) -> int | None:
    """The parameter number of `:__pNNN` (through parentheses and COLLATE), else None."""
    while isinstance(node, exp.Paren | exp.Collate):
        node = node.this
    if isinstance(node, exp.Placeholder) and node.name.startswith(PLACEHOLDER_PREFIX):
        return int(node.name[len(PLACEHOLDER_PREFIX) :])
    return None


def first_column_name(node: exp.Expr) -> str | None:
    """sqlc names a parameter after the first column it finds in the other operand."""
    if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
        return node.name
    column = next((c for c in node.find_all(exp.Column) if not isinstance(c.this, exp.Star)), None)
    return column.name if column is not None else None


class _Typer:
    def __init__(
        self,
        catalog: Catalog,
        evaluate: Callable[[str], bool | None] | None,
        cast_types: Sequence[str] = (),
    ) -> None:
        self.catalog = catalog
        self.evaluate = evaluate
        self.cast_types = cast_types
        self.parameters: list[ParameterContext] = []
        self.notes: list[str] = []
        self._views: dict[str, list[Value]] = {}
        self._embeds = 0
        self.stars: list[tuple[exp.Star, StarExpansion]] = []

    # statements ------------------------------------------------------------------------------

    def statement(self, node: exp.Expr) -> list[Output]:
        scope = Scope()
        if isinstance(node, exp.Insert | exp.Update | exp.Delete):
            self.with_clause(node, scope)
        if isinstance(node, exp.Insert):
            return self.insert(node, scope)
        if isinstance(node, exp.Update):
            return self.update(node, scope)
        if isinstance(node, exp.Delete):
            return self.delete(node, scope)
        if isinstance(node, exp.Query | exp.Values):
            return self.query(node, scope, top=True)
        self.visit_all(node, scope)
        return []

    def insert(self, node: exp.Insert, scope: Scope) -> list[Output]:
        target, names = self.insert_target(node)
        source = self.table_source(target, alias=None)
        columns = self.insert_columns(target, names)
        body = node.expression
        if isinstance(body, exp.Values):
            for row in body.expressions:
                self.insert_row(row.expressions, columns, scope)
        elif isinstance(body, exp.Query):
            self.query(body, scope)
            if isinstance(body, exp.Select):
                self.insert_row([_unalias(e) for e in body.expressions], columns, None)
        elif body is not None:
            self.expr(body, scope)
        self.conflict(node.args.get("conflict"), source, scope)
        return self.returning(node, source, scope)

    def insert_target(self, node: exp.Insert) -> tuple[Table, list[str] | None]:
        target = node.this
        names = None
        if isinstance(target, exp.Schema):
            names = [i.name for i in target.expressions]
            target = target.this
        table = self.catalog_table(target)
        if table is None:
            raise UnsupportedStatement("INSERT into a table the catalog does not know")
        return table, names

    def insert_columns(self, table: Table, names: list[str] | None) -> list[Value | None]:
        if names is None:
            names = [c.name for c in table.columns if not c.generated]
        values: list[Value | None] = []
        for name in names:
            column = table.column(name)
            values.append(self.insert_value(table, column.name, name) if column else None)
        return values

    def insert_value(self, table: Table, column_name: str, written: str) -> Value:
        column = table.column(column_name)
        assert column is not None
        nullable = not column.not_null or column.rowid_alias
        return Value(
            SqlType(column.declared_type), nullable, written, ColumnRef(table.name, column.name)
        )

    def insert_row(
        self, items: Sequence[exp.Expr], columns: list[Value | None], scope: Scope | None
    ) -> None:
        for index, item in enumerate(items):
            target = columns[index] if index < len(columns) else None
            number = placeholder_number(item)
            if number is not None and target is not None:
                self.note(number, target.name, target, nullable=target.nullable)
            elif scope is not None:
                self.expr(item, scope)

    def conflict(self, node: exp.OnConflict | None, source: Source, scope: Scope) -> None:
        if node is None:
            return
        inner = scope.child()
        excluded = Source("excluded", source.columns, source.table)
        inner.sources = [source, excluded]
        for key in node.args.get("conflict_keys") or []:
            self.expr(key, inner)
        self.assignments(node.expressions, source, inner)
        for clause in ("index_predicate", "where"):
            if node.args.get(clause) is not None:
                self.expr(node.args[clause], inner)

    def assignments(self, items: Iterable[exp.Expr], target: Source, scope: Scope) -> None:
        for item in items:
            if not isinstance(item, exp.EQ):
                self.expr(item, scope)
                continue
            columns = item.this.expressions if isinstance(item.this, exp.Tuple) else [item.this]
            values = (
                item.expression.expressions
                if isinstance(item.expression, exp.Tuple)
                else [item.expression]
            )
            for column, value in zip(columns, values, strict=False):
                self.assignment(column, value, target, scope)

    def assignment(self, column: exp.Expr, value: exp.Expr, target: Source, scope: Scope) -> None:
        number = placeholder_number(value)
        known = target.lookup(column.name) if isinstance(column, exp.Column) else None
        if number is not None and known is not None and target.table is not None:
            written = self.insert_value(target.table, known.name, column.name)
            self.note(number, column.name, written, nullable=written.nullable)
        else:
            self.expr(value, scope)

    def update(self, node: exp.Update, scope: Scope) -> list[Output]:
        target = self.from_item(node.this, scope)
        inner = scope.child()
        inner.sources = [target]
        if node.args.get("from_") is not None:
            self.from_clause(node.args["from_"], node.args.get("joins") or [], inner)
        self.assignments(node.expressions, target, inner)
        self.clauses(node, inner, ("where", "order", "limit"))
        return self.returning(node, target, scope)

    def delete(self, node: exp.Delete, scope: Scope) -> list[Output]:
        target = self.from_item(node.this, scope)
        inner = scope.child()
        inner.sources = [target]
        self.clauses(node, inner, ("where", "order", "limit"))
        return self.returning(node, target, scope)

    def returning(self, node: exp.Expr, target: Source, scope: Scope) -> list[Output]:
        clause = node.args.get("returning")
        if clause is None:
            return []
        inner = scope.child()
        inner.sources = [replace(target, optional=False)]
        outputs: list[Output] = []
        for item in clause.expressions:
            outputs.extend(self.projection(item, inner, top=False))
        return outputs

    # queries ---------------------------------------------------------------------------------

    def with_clause(self, node: exp.Expr, scope: Scope) -> None:
        clause = node.args.get("with_")
        if clause is None:
            return
        for cte in clause.expressions:
            self.cte(cte, scope)

    def cte(self, cte: exp.CTE, scope: Scope) -> None:
        name = cte.alias_or_name
        body = cte.this
        if isinstance(body, exp.SetOperation):
            anchor = self.query(body.left, scope)
            scope.ctes[name.casefold()] = self.renamed(anchor, cte)
        outputs = self.query(body, scope)
        scope.ctes[name.casefold()] = self.renamed(outputs, cte)

    def renamed(self, outputs: list[Output], alias_holder: exp.Expr) -> list[Value]:
        values = [o.value for o in outputs]
        alias = alias_holder.args.get("alias")
        names = [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
        return [
            replace(v, name=names[i], function_call=False, exact_name=True)
            if i < len(names)
            else replace(v, function_call=False)
            for i, v in enumerate(values)
        ]

    def query(self, node: exp.Expr, scope: Scope, *, top: bool = False) -> list[Output]:
        inner = scope.child()
        self.with_clause(node, inner)
        if isinstance(node, exp.Subquery):
            return self.query(node.this, inner, top=top)
        if isinstance(node, exp.SetOperation):
            return self.set_operation(node, inner)
        if isinstance(node, exp.Values):
            return self.values(node, inner)
        if isinstance(node, exp.Select):
            return self.select(node, inner, top=top)
        raise UnsupportedStatement(f"unexpected {type(node).__name__} as a query")

    def set_operation(self, node: exp.SetOperation, scope: Scope) -> list[Output]:
        left = self.query(node.left, scope)
        right = self.query(node.right, scope)
        if len(left) != len(right):
            raise UnsupportedStatement("compound SELECT arms differ in column count")
        merged = [
            Output(
                replace(
                    merge_values([a.value, b.value]),
                    name=a.value.name,
                    exact_name=a.value.exact_name,
                )
            )
            for a, b in zip(left, right, strict=True)
        ]
        if isinstance(node, exp.Intersect):
            merged = [
                Output(replace(m.value, nullable=a.value.nullable and b.value.nullable))
                for m, a, b in zip(merged, left, right, strict=True)
            ]
        if isinstance(node, exp.Except):
            merged = [Output(a.value) for a in left]
        self.clauses(node, scope, ("order", "limit", "offset"))
        return merged

    def values(self, node: exp.Values, scope: Scope) -> list[Output]:
        rows = [[self.expr(item, scope) for item in row.expressions] for row in node.expressions]
        return [
            Output(replace(merge_values(list(column)), name=f"column{i}", exact_name=True))
            for i, column in enumerate(zip(*rows, strict=False), start=1)
        ]

    def select(self, node: exp.Select, scope: Scope, *, top: bool) -> list[Output]:
        if node.args.get("from_") is not None:
            self.from_clause(node.args["from_"], node.args.get("joins") or [], scope)
        self.narrow(node.args.get("where"), scope)
        scope.ungrouped_aggregate = _is_ungrouped_aggregate(node)
        outputs: list[Output] = []
        for item in node.expressions:
            outputs.extend(self.projection(item, scope, top=top))
        for output, item in zip(outputs, node.expressions, strict=False):
            if isinstance(item, exp.Alias):
                scope.aliases.setdefault(item.alias.casefold(), output.value)
        self.clauses(node, scope, ("where", "group", "having", "qualify", "order"))
        self.clauses(node, scope, ("limit", "offset"))
        return outputs

    def narrow(self, where: exp.Expr | None, scope: Scope) -> None:
        """A row whose column is NULL cannot pass `col = ...`, `col IS NOT NULL`, ... at the
        top of WHERE: the column is not null in the result, and the outer join side it belongs
        to has matched (its columns are as nullable as declared)."""
        if where is None:
            return
        for conjunct in _conjuncts(where.this):
            for column in _null_rejected_columns(conjunct):
                source = scope.source_of(column.name, column.table)
                if source is not None:
                    source.optional = False
                    source.filtered.add(column.name.casefold())

    def clauses(self, node: exp.Expr, scope: Scope, names: Sequence[str]) -> None:
        for name in names:
            clause = node.args.get(name)
            if clause is None:
                continue
            if name in ("limit", "offset"):
                self.limit(clause, name, scope)
            else:
                self.visit_all(clause, scope)

    def limit(self, clause: exp.Expr, name: str, scope: Scope) -> None:
        value = clause.args.get("expression") or clause.this
        if isinstance(clause, exp.Limit) and clause.args.get("offset") is not None:
            self.limit(exp.Offset(expression=clause.args["offset"]), "offset", scope)
        number = placeholder_number(value)
        if number is not None:
            self.note(number, name, Value(INTEGER, False))
        elif value is not None:
            self.expr(value, scope)

    def visit_all(self, node: exp.Expr, scope: Scope) -> None:
        if isinstance(node, exp.Query | exp.Subquery):
            self.query(node, scope)
            return
        typed = (exp.Condition, exp.Placeholder, exp.Column)
        if isinstance(node, typed) and not isinstance(node, exp.Ordered):
            self.expr(node, scope)
            return
        for child in node.iter_expressions():
            self.visit_all(child, scope)

    # FROM ------------------------------------------------------------------------------------

    def from_clause(self, clause: exp.From, joins: Sequence[exp.Join], scope: Scope) -> None:
        scope.sources.append(self.from_item(clause.this, scope))
        conditions: list[exp.Expr] = []
        for join in joins:
            self.join(join, scope, conditions)
        for condition in conditions:
            self.expr(condition, scope)

    def join(self, join: exp.Join, scope: Scope, conditions: list[exp.Expr]) -> None:
        source = self.from_item(join.this, scope)
        side = (join.side or "").upper()
        if side in ("LEFT", "FULL"):
            source.optional = True
        if side in ("RIGHT", "FULL"):
            scope.coalescing = True
            for earlier in scope.sources:
                earlier.optional = True
        shared = self.shared_columns(join, source, scope)
        source.merged |= shared
        scope.sources.append(source)
        if join.args.get("on") is not None:
            conditions.append(join.args["on"])

    def shared_columns(self, join: exp.Join, source: Source, scope: Scope) -> set[str]:
        if join.args.get("using"):
            return {i.name.casefold() for i in join.args["using"]}
        if (join.method or "").upper() == "NATURAL":
            earlier = {c.name.casefold() for s in scope.sources for c in s.columns}
            return {c.name.casefold() for c in source.columns} & earlier
        return set()

    def from_item(self, node: exp.Expr, scope: Scope) -> Source:
        alias = node.alias if node.alias else None
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            return self.named_source(node, alias, scope)
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Func):
            return self.table_function(node.this, alias, scope)
        if isinstance(node, exp.Subquery | exp.Query | exp.Values):
            body = node.this if isinstance(node, exp.Subquery) else node
            values = self.renamed(self.query(body, scope), node)
            return Source(alias or "", values)
        raise UnsupportedStatement(f"unexpected {type(node).__name__} in FROM")

    def named_source(self, node: exp.Table, alias: str | None, scope: Scope) -> Source:
        cte = scope.cte(node.name) if not node.db else None
        if cte is not None:
            values = self.renamed([Output(v) for v in cte], node)
            return Source(alias or node.name, values)
        table = self.catalog_table(node)
        if table is None:
            raise UnsupportedStatement(f"unknown table {node.name}")
        return self.table_source(table, alias)

    def table_source(self, table: Table, alias: str | None) -> Source:
        if table.kind == "view":
            return Source(alias or table.name, self.view_columns(table), table)
        return Source(alias or table.name, _declared_values(table), table)

    def catalog_table(self, node: exp.Expr) -> Table | None:
        """The catalog table a FROM item names (in the `main` or `temp` schema)."""
        if not isinstance(node, exp.Table):
            return None
        if node.args.get("db") and node.db.casefold() not in ("main", "temp"):
            return None
        return self.catalog.table(node.name)

    def view_columns(self, view: Table) -> list[Value]:
        cached = self._views.get(view.name)
        if cached is None:
            cached = self._views[view.name] = self.infer_view(view)
        return cached

    def infer_view(self, view: Table) -> list[Value]:
        declared = _declared_values(view)
        try:
            tree = parse(view.sql)
            body = tree.expression if isinstance(tree, exp.Create) else None
            outputs = self.query(body, Scope()) if body is not None else []
        except UnsupportedStatement:
            return declared
        if len(outputs) != len(declared):
            return declared
        return [
            replace(d, nullable=o.value.nullable, sql_type=_prefer_declared(d, o.value))
            for d, o in zip(declared, outputs, strict=True)
        ]

    def table_function(self, node: exp.Func, alias: str | None, scope: Scope) -> Source:
        name = _function_name(node)
        for argument in node.iter_expressions():
            number = placeholder_number(argument)
            if number is not None:
                self.note(number, None, Value(JSON, False))
            else:
                self.expr(argument, scope)
        if name in ("json_each", "json_tree", "jsonb_each", "jsonb_tree"):
            return Source(alias or name, _json_each_columns())
        return Source(alias or name, [], opaque=True)

    # projections -----------------------------------------------------------------------------

    def projection(self, item: exp.Expr, scope: Scope, *, top: bool) -> list[Output]:
        outputs = self.projected(item, scope, top=top)
        expression = item.this if isinstance(item, exp.Alias) else item
        if _expands(item):
            return [replace(o, expression=expression) for o in outputs]
        # SQLite names a result column after its alias, or the column a plain reference reads.
        exact = isinstance(item, exp.Alias | exp.Column)
        return [
            replace(o, value=replace(o.value, exact_name=exact), expression=expression)
            for o in outputs
        ]

    def projected(self, item: exp.Expr, scope: Scope, *, top: bool) -> list[Output]:
        if isinstance(item, exp.Star):
            values = [v for s in scope.sources for v in s.star(qualified=False)]
            self.record_star(item, self.star_columns(scope), qualified=False)
            return [Output(v) for v in values]
        if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            values = self.qualified_star(item.table, scope)
            written = tuple(StarColumn(v.name, v.sql_type, item.table) for v in values)
            self.record_star(item.this, written if _nameable(values) else None, qualified=True)
            return [Output(v) for v in values]
        if isinstance(item, exp.Anonymous) and item.name.lower() == EMBED_FUNCTION:
            return self.embed(item, scope, top=top)
        if isinstance(item, exp.Alias):
            value = self.expr(item.this, scope)
            return [Output(replace(value, name=item.alias, function_call=False))]
        return [Output(self.expr(item, scope))]

    def star_columns(self, scope: Scope) -> tuple[StarColumn, ...] | None:
        """What `*` stands for, each column with the qualifier it needs; None when SQL text
        cannot name them all (a name SQLite gives differently, a name twice in one source,
        two sources of one name, a name an unqualified reference would find twice)."""
        sources = scope.sources
        if len({s.name.casefold() for s in sources}) != len(sources):
            return None
        columns = []
        for source in sources:
            values = source.star(qualified=False)
            if not _nameable(values) or not _nameable(source.columns, exact=False):
                return None
            for value in values:
                qualifier = _star_qualifier(sources, source, value.name, scope.coalescing)
                if qualifier is None:
                    return None
                columns.append(StarColumn(value.name, value.sql_type, qualifier))
        return tuple(columns)

    def record_star(
        self, node: exp.Star, columns: tuple[StarColumn, ...] | None, *, qualified: bool
    ) -> None:
        offset = node.meta.get("start")
        if columns is not None and isinstance(offset, int):
            self.stars.append((node, StarExpansion(offset, columns, qualified)))

    def qualified_star(self, qualifier: str, scope: Scope) -> list[Value]:
        source = next((s for s in scope.sources if s.name.casefold() == qualifier.casefold()), None)
        if source is None:
            raise UnsupportedStatement(f"no source named {qualifier}")
        return source.star(qualified=True)

    def embed(self, item: exp.Anonymous, scope: Scope, *, top: bool) -> list[Output]:
        alias = item.expressions[0].name if item.expressions else ""
        source = next((s for s in scope.sources if s.name.casefold() == alias.casefold()), None)
        if not top or source is None or source.table is None:
            where = "a table of the outermost SELECT" if top else "the outermost SELECT"
            raise EmbedError(f"sqlc.embed({alias}) must name {where}")
        target = EmbedTarget(alias, source.table.name, source.optional)
        index = self._embeds
        self._embeds += 1
        return [Output(v, target, index) for v in source.star(qualified=True)]

    # expressions -----------------------------------------------------------------------------

    def expr(self, node: exp.Expr, scope: Scope) -> Value:
        rule = _RULES.get(type(node))
        if rule is None:
            for kind, candidate in _BASE_RULES:
                if isinstance(node, kind):
                    rule = candidate
                    break
        if rule is None:
            self.visit_children(node, scope)
            return Value(UNKNOWN, True, function_call=isinstance(node, exp.Func))
        return rule(self, node, scope)

    def visit_children(self, node: exp.Expr, scope: Scope) -> list[Value]:
        return [self.visit(child, scope) for child in node.iter_expressions()]

    def visit(self, node: exp.Expr, scope: Scope) -> Value:
        if isinstance(node, exp.Query):
            outputs = self.query(node, scope)
            return outputs[0].value if outputs else Value(UNKNOWN, True)
        return self.expr(node, scope)

    def note(
        self,
        number: int,
        name: str | None,
        value: Value,
        *,
        nullable: bool | None = None,
        informative: bool = True,
    ) -> None:
        """Record what one use tells about parameter `number`. Next to a column, it takes the
        column's own nullability (as declared, whatever outer joins do to the column)."""
        if nullable is None:
            nullable = self.declared_nullable(value.source, value.nullable)
        self.parameters.append(
            ParameterContext(number, name, value.sql_type, nullable, value.source, informative)
        )

    def cast_type(self, data_type: exp.Expr) -> str:
        """The CAST target as written: `__tN` stands for `cast_types[N]` (sqlglot would
        rename types: BLOB to VARBINARY, BOOLEAN to INTEGER, ...)."""
        text = data_type.sql()
        match = re.fullmatch(rf"{CAST_TYPE_PREFIX}(\d+)", text)
        if match and int(match.group(1)) < len(self.cast_types):
            return self.cast_types[int(match.group(1))]
        return text

    def declared_nullable(self, source: ColumnRef | None, otherwise: bool) -> bool:
        column = self.catalog.column(source.table, source.column) if source else None
        return otherwise if column is None else not column.not_null

    def note_unknown(self, number: int) -> None:
        self.parameters.append(ParameterContext(number, None, UNKNOWN, True, informative=False))

    def is_constant_non_null(self, node: exp.Expr) -> bool:
        """True when `node` has no columns, parameters or subqueries and SQLite says it is not
        NULL (so `sqrt(2.0)` is not null while `sqrt(-1.0)` and `sqrt(x)` may be)."""
        dynamic = (exp.Column, exp.Placeholder, exp.Query, exp.Subquery)
        if self.evaluate is None or any(True for _ in node.find_all(*dynamic)):
            return False
        return self.evaluate(self.original_sql(node)) is False

    def original_sql(self, node: exp.Expr) -> str:
        """SQLite's text of a sqlglot node: renamed functions and CAST types restored."""
        text = node.sql(dialect="sqlite")
        for name, renamed in RENAMED_FUNCTIONS.items():
            text = re.sub(rf"\b{renamed}\(", f"{name}(", text, flags=re.IGNORECASE)
        return re.sub(rf"\b{CAST_TYPE_PREFIX}(\d+)\b", self.cast_type_text, text)

    def cast_type_text(self, match: re.Match[str]) -> str:
        index = int(match.group(1))
        return self.cast_types[index] if index < len(self.cast_types) else match.group(0)


class EmbedError(UnsupportedStatement):
    """A misplaced `sqlc.embed`: reported to the user (it is no fallback case)."""


# --- rules ---------------------------------------------------------------------------------------

Rule = Callable[[_Typer, exp.Expr, Scope], Value]


def _column(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    assert isinstance(node, exp.Column)
    name = node.name
    found = scope.resolve(name, node.table)
    if found is None:
        return Value(UNKNOWN, True, name)
    value = replace(found, name=name, function_call=False)
    if scope.ungrouped_aggregate and not _inside_aggregate(node):
        value = replace(value, nullable=True)
    return value


def _literal(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    assert isinstance(node, exp.Literal)
    if node.is_string:
        return Value(TEXT, False)
    text = node.this.replace("_", "")
    is_integer = re.fullmatch(r"\d+|0[xX][0-9a-fA-F]+", text) is not None
    return Value(INTEGER if is_integer else REAL, False)


def _constant(sql_type: SqlType) -> Rule:
    def rule(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
        return Value(sql_type, False)

    return rule


def _null(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    return NULL_VALUE


def _placeholder(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    number = placeholder_number(node)
    if number is not None:
        typer.note_unknown(number)
    return Value(UNKNOWN, True)


def _same(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    """Parentheses, COLLATE, unary plus, likely(): the operand, unchanged."""
    values = typer.visit_children(node, scope)
    return values[0] if values else Value(UNKNOWN, True)


def _operands(
    typer: _Typer, node: exp.Expr, scope: Scope
) -> tuple[Value, Value, exp.Expr, exp.Expr]:
    left_node, right_node = node.this, node.expression
    left, right = typer.expr(left_node, scope), typer.expr(right_node, scope)
    return left, right, left_node, right_node


def _note_operands(
    typer: _Typer,
    pair: tuple[Value, Value, exp.Expr, exp.Expr],
    parameter_type: Callable[[Value], SqlType],
    *,
    nullable: bool | None = None,
) -> None:
    """A parameter on one side of an operator takes its name and type from the other side."""
    left, right, left_node, right_node = pair
    for this_node, other, other_node in (
        (left_node, right, right_node),
        (right_node, left, left_node),
    ):
        number = placeholder_number(this_node)
        if number is None or placeholder_number(other_node) is not None:
            continue
        name, sql_type = first_column_name(other_node), parameter_type(other)
        typer.note(
            number,
            name,
            replace(other, sql_type=sql_type),
            nullable=nullable,
            informative=sql_type.known or name is not None or nullable is not None,
        )


def _comparison(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    left, right = node.this, node.expression
    if isinstance(left, exp.Tuple) and isinstance(right, exp.Tuple):
        return _row_comparison(typer, left.expressions, right.expressions, scope)
    pair = _operands(typer, node, scope)
    _note_operands(typer, pair, lambda other: other.sql_type)
    return Value(BOOLEAN, pair[0].nullable or pair[1].nullable)


def _row_comparison(
    typer: _Typer, left: list[exp.Expr], right: list[exp.Expr], scope: Scope
) -> Value:
    """`(a, b) = (?, ?)`: each parameter from its counterpart."""
    nullable = False
    for left_node, right_node in zip(left, right, strict=False):
        pair = (typer.expr(left_node, scope), typer.expr(right_node, scope), left_node, right_node)
        _note_operands(typer, pair, lambda other: other.sql_type)
        nullable = nullable or pair[0].nullable or pair[1].nullable
    return Value(BOOLEAN, nullable)


def _match(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    """`column MATCH ?`: the parameter is a full-text query, a string."""
    pair = _operands(typer, node, scope)
    _note_operands(typer, pair, lambda other: TEXT, nullable=False)
    return Value(BOOLEAN, pair[0].nullable or pair[1].nullable)


def _null_safe_comparison(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    pair = _operands(typer, node, scope)
    _note_operands(typer, pair, lambda other: other.sql_type, nullable=True)
    return Value(BOOLEAN, False)


def _is(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    number = placeholder_number(node.this)
    if number is not None:
        typer.note(number, None, Value(UNKNOWN, True))
    else:
        typer.expr(node.this, scope)
    typer.expr(node.expression, scope)
    return Value(BOOLEAN, False)


def _logical(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    values = typer.visit_children(node, scope)
    return Value(BOOLEAN, any(v.nullable for v in values))


def _not(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    value = typer.expr(node.this, scope)
    if isinstance(node.this, exp.Exists):
        return replace(value, name="not_exists")
    return Value(BOOLEAN, value.nullable)


def _arithmetic(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    pair = _operands(typer, node, scope)
    # `col + ?` is a number like col; `? + 1` could be any number.
    _note_operands(typer, pair, lambda other: other.sql_type if other.source else UNKNOWN)
    left, right = pair[0], pair[1]
    classes = {numeric_class(left.sql_type), numeric_class(right.sql_type)}
    sql_type = (
        INTEGER if classes == {"integer"} else REAL if classes <= {"integer", "real"} else UNKNOWN
    )
    if isinstance(node, exp.Div | exp.Mod):
        return Value(sql_type, True if not _non_zero_literal(node.expression) else left.nullable)
    return Value(sql_type, left.nullable or right.nullable)


def _bitwise(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    values = typer.visit_children(node, scope)
    return Value(INTEGER, any(v.nullable for v in values))


def _negation(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    value = typer.expr(node.this, scope)
    kind = numeric_class(value.sql_type)
    return Value(INTEGER if kind == "integer" else REAL if kind else UNKNOWN, value.nullable)


def _concatenation(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    pair = _operands(typer, node, scope)
    _note_operands(typer, pair, lambda other: TEXT)
    return Value(TEXT, pair[0].nullable or pair[1].nullable)


def _in(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    assert isinstance(node, exp.In)
    subject = typer.expr(node.this, scope)
    items = []
    for item in node.expressions:
        number = placeholder_number(item)
        if number is not None and placeholder_number(node.this) is None:
            typer.note(number, first_column_name(node.this), subject)
        else:
            items.append(typer.expr(item, scope))
    if node.args.get("query") is not None:
        outputs = typer.query(node.args["query"], scope)
        items.extend(o.value for o in outputs[:1])
    for child in ("field", "unnest"):
        if node.args.get(child) is not None:
            typer.visit_all(node.args[child], scope)
    return Value(BOOLEAN, subject.nullable or any(v.nullable for v in items))


def _between(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    subject = typer.expr(node.this, scope)
    name = first_column_name(node.this)
    nullable = subject.nullable
    for bound, prefix in (("low", "from_"), ("high", "to_")):
        bound_node = node.args[bound]
        number = placeholder_number(bound_node)
        if number is not None and placeholder_number(node.this) is None:
            typer.note(number, f"{prefix}{name}" if name else None, subject)
        else:
            nullable = typer.expr(bound_node, scope).nullable or nullable
    return Value(BOOLEAN, nullable)


def _exists(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    typer.query(node.this, scope)
    return Value(BOOLEAN, False, "exists")


def _subquery(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    outputs = typer.query(node, scope)
    if not outputs:
        return Value(UNKNOWN, True)
    value = outputs[0].value
    body = node.this if isinstance(node, exp.Subquery) else node
    one_row = isinstance(body, exp.Select) and _is_ungrouped_aggregate(body)
    one_row = one_row and not body.args.get("limit") and not body.args.get("offset")
    return replace(value, nullable=value.nullable or not one_row, function_call=False)


def _cast(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    assert isinstance(node, exp.Cast)
    target = SqlType(typer.cast_type(node.to))
    if map_declared_type(target.declared).kind in ("datetime", "date", "json"):
        typer.notes.append(
            f"CAST(... AS {target.declared}) gives a number in SQLite (the type has NUMERIC "
            f"affinity); use CAST(... AS TEXT) to keep the text"
        )
    number = placeholder_number(node.this)
    if number is not None:
        typer.note(number, None, Value(target, False))
        return Value(target, False)
    value = typer.expr(node.this, scope)
    name = value.name if isinstance(_unwrap(node.this), exp.Column) else ""
    return Value(target, value.nullable, name)


def _case(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    subject_node = node.this
    subject = typer.expr(subject_node, scope) if subject_node is not None else None
    results = []
    for branch in node.args.get("ifs") or []:
        condition = branch.this
        number = placeholder_number(condition)
        if subject is not None and number is not None:
            typer.note(number, first_column_name(subject_node), subject)
        else:
            typer.expr(condition, scope)
        results.append(typer.expr(branch.args["true"], scope))
    default = node.args.get("default")
    results.append(typer.expr(default, scope) if default is not None else NULL_VALUE)
    return merge_values(results)


def _iif(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    typer.expr(node.this, scope)
    true = typer.expr(node.args["true"], scope)
    false_node = node.args.get("false")
    false = typer.expr(false_node, scope) if false_node is not None else NULL_VALUE
    return replace(merge_values([true, false]), function_call=True)


def _coalesce(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    arguments = [node.this, *node.expressions]
    values = {
        i: typer.expr(a, scope) for i, a in enumerate(arguments) if placeholder_number(a) is None
    }
    merged = merge_values(list(values.values()), nullable=all(v.nullable for v in values.values()))
    for index, argument in enumerate(arguments):
        number = placeholder_number(argument)
        if number is not None:
            typer.note(number, None, replace(merged, nullable=True))
            if index == len(arguments) - 1:
                merged = replace(merged, nullable=True)
    columns = [a for a in arguments if isinstance(_unwrap(a), exp.Column)]
    name = _unwrap(columns[0]).name if columns else ""
    return replace(merged, name=name, function_call=not name)


def _nullif(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    pair = _operands(typer, node, scope)
    _note_operands(typer, pair, lambda other: other.sql_type)
    return Value(pair[0].sql_type, True, function_call=True)


def _function(
    result: SqlType | Callable[[list[Value]], SqlType],
    nullable: str = "arguments",
    argument_types: SqlType | tuple[SqlType, ...] = UNKNOWN,
) -> Rule:
    """A built-in function. `nullable`: `never`, `always`, `arguments` (when any argument is),
    `first` (when the first argument is), or `constant` (unless a constant non-NULL call).
    `argument_types`: what a parameter passed as an argument is (by position, the last one
    repeating)."""
    if isinstance(argument_types, SqlType):
        argument_types = (argument_types,)

    def rule(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
        values = []
        for position, argument in enumerate(_arguments(node)):
            number = placeholder_number(argument)
            if number is not None:
                hint = argument_types[min(position, len(argument_types) - 1)]
                typer.note(number, None, Value(hint, True), informative=hint.known)
                values.append(Value(UNKNOWN, True))
            else:
                values.append(typer.visit(argument, scope))
        sql_type = result(values) if callable(result) else result
        return Value(sql_type, _nullability(typer, node, nullable, values), function_call=True)

    return rule


def _nullability(typer: _Typer, node: exp.Expr, kind: str, values: list[Value]) -> bool:
    if kind == "never":
        return False
    if kind == "always":
        return True
    if kind == "first":
        return bool(values) and values[0].nullable
    if kind == "arguments":
        return any(v.nullable for v in values)
    return not typer.is_constant_non_null(node)


def _arguments(node: exp.Expr) -> list[exp.Expr]:
    if isinstance(node, exp.TimeToStr):
        inner = node.this.this if isinstance(node.this, exp.TsOrDsToTimestamp) else node.this
        return [node.args["format"], inner]
    return list(node.iter_expressions())


def _unixepoch_type(values: list[Value]) -> SqlType:
    """unixepoch() is an INTEGER, a REAL with the 'subsec' modifier."""
    return REAL if len(values) > 1 else INTEGER


def _first_type(values: list[Value]) -> SqlType:
    return values[0].sql_type if values else UNKNOWN


def _integer_or_real(values: list[Value]) -> SqlType:
    return INTEGER if values and numeric_class(values[0].sql_type) == "integer" else REAL


def _sum_type(values: list[Value]) -> SqlType:
    if not values or not values[0].sql_type.known:
        return UNKNOWN
    return _integer_or_real(values)


def _merged_type(values: list[Value]) -> SqlType:
    return merge_types([v.sql_type for v in values if not v.null_literal])


def _min_max(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    values = typer.visit_children(node, scope)
    value = values[0] if values else Value(UNKNOWN, True)
    return Value(value.sql_type, True, source=value.source, function_call=True)


def _count(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    typer.visit_children(node, scope)
    return Value(INTEGER, False, function_call=True)


def _window(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    for name in ("partition_by", "order", "spec"):
        for child in _as_list(node.args.get(name)):
            typer.visit_all(child, scope)
    return typer.expr(node.this, scope)


def _filter(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    typer.visit_all(node.expression, scope)
    return typer.expr(node.this, scope)


def _anonymous(typer: _Typer, node: exp.Expr, scope: Scope) -> Value:
    name = _function_name(node)
    if name in ("likely", "unlikely", "likelihood"):
        values = typer.visit_children(node, scope)
        return replace(values[0], function_call=True) if values else Value(UNKNOWN, True)
    rule = _NAMED_FUNCTIONS.get(name)
    if rule is None:
        typer.visit_children(node, scope)
        return Value(UNKNOWN, True, function_call=True)
    return rule(typer, node, scope)


def _function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return node.sql_name().lower() if isinstance(node, exp.Func) else ""


_HYPERBOLIC = ("Acosh", "Asinh", "Atanh", "Cosh", "Sinh", "Tanh", "Cot")
_ROW_NUMBERS = (exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile)

_RULES: dict[type[exp.Expr], Rule] = {
    exp.Column: _column,
    exp.Literal: _literal,
    exp.Null: _null,
    exp.Boolean: _constant(BOOLEAN),
    exp.HexString: _constant(BLOB),
    exp.Placeholder: _placeholder,
    exp.Paren: _same,
    exp.Collate: _same,
    exp.Alias: _same,
    exp.Is: _is,
    exp.Match: _match,
    exp.NullSafeEQ: _null_safe_comparison,
    exp.NullSafeNEQ: _null_safe_comparison,
    exp.And: _logical,
    exp.Or: _logical,
    exp.Xor: _logical,
    exp.Not: _not,
    exp.Neg: _negation,
    exp.BitwiseNot: _bitwise,
    exp.DPipe: _concatenation,
    exp.In: _in,
    exp.Between: _between,
    exp.Exists: _exists,
    exp.Subquery: _subquery,
    exp.Cast: _cast,
    exp.Case: _case,
    exp.If: _iif,
    exp.Coalesce: _coalesce,
    exp.Nullif: _nullif,
    exp.Count: _count,
    exp.Max: _min_max,
    exp.Min: _min_max,
    exp.Window: _window,
    exp.Filter: _filter,
    exp.Anonymous: _anonymous,
    exp.Sum: _function(_sum_type, "always"),
    exp.Avg: _function(REAL, "always"),
    exp.GroupConcat: _function(TEXT, "always", (UNKNOWN, TEXT)),
    exp.JSONArrayAgg: _function(JSON, "never"),
    exp.JSONObjectAgg: _function(JSON, "never"),
    exp.Greatest: _function(_merged_type, "arguments"),
    exp.Least: _function(_merged_type, "arguments"),
    exp.Lower: _function(TEXT, "arguments", TEXT),
    exp.Upper: _function(TEXT, "arguments", TEXT),
    exp.Trim: _function(TEXT, "arguments", TEXT),
    exp.Replace: _function(TEXT, "arguments", TEXT),
    exp.Substring: _function(TEXT, "arguments", (TEXT, INTEGER)),
    exp.Chr: _function(TEXT, "never"),
    exp.Hex: _function(TEXT, "never"),
    exp.Unhex: _function(BLOB, "always", TEXT),
    exp.Soundex: _function(TEXT, "never"),
    exp.Typeof: _function(TEXT, "never"),
    exp.CurrentVersion: _function(TEXT, "never"),
    exp.Concat: _function(TEXT, "never", TEXT),
    exp.ConcatWs: _function(TEXT, "first", TEXT),
    exp.Format: _function(TEXT, "first", (TEXT, UNKNOWN)),
    exp.Length: _function(INTEGER, "arguments", TEXT),
    exp.StrPosition: _function(INTEGER, "arguments", TEXT),
    exp.Unicode: _function(INTEGER, "arguments", TEXT),
    exp.Abs: _function(_integer_or_real, "arguments"),
    exp.Round: _function(REAL, "arguments", (REAL, INTEGER)),
    exp.Ceil: _function(_integer_or_real, "arguments"),
    exp.Floor: _function(_integer_or_real, "arguments"),
    exp.Trunc: _function(_integer_or_real, "arguments"),
    exp.Sign: _function(INTEGER, "constant"),
    exp.Pi: _function(REAL, "never"),
    exp.Rand: _function(INTEGER, "never"),
    exp.Date: _function(DATE, "constant"),
    exp.TimeToStr: _function(TEXT, "constant"),
    exp.CurrentTimestamp: _function(DATETIME, "never"),
    exp.CurrentDate: _function(DATE, "never"),
    exp.CurrentTime: _function(TEXT, "never"),
    exp.JSONExtract: _function(JSON, "always"),
    exp.JSONExtractScalar: _function(UNKNOWN, "always"),
    exp.JSONBExtract: _function(BLOB, "always"),
    exp.JSONObject: _function(JSON, "never"),
    exp.JSONSet: _function(JSON, "first", JSON),
    exp.JSONRemove: _function(JSON, "first", JSON),
    exp.JSONType: _function(TEXT, "always"),
    exp.PercentRank: _function(REAL, "never"),
    exp.CumeDist: _function(REAL, "never"),
    exp.Lag: _function(_first_type, "always"),
    exp.Lead: _function(_first_type, "always"),
    exp.FirstValue: _function(_first_type, "always"),
    exp.LastValue: _function(_first_type, "always"),
    exp.NthValue: _function(_first_type, "always"),
    **{kind: _function(INTEGER, "never") for kind in _ROW_NUMBERS},
    **{
        kind: _function(REAL, "constant")
        for kind in (
            exp.Acos,
            exp.Asin,
            exp.Atan,
            exp.Atan2,
            exp.Cos,
            exp.Sin,
            exp.Tan,
            exp.Exp,
            exp.Ln,
            exp.Log,
            exp.Sqrt,
            exp.Pow,
            exp.Degrees,
            exp.Radians,
            *(getattr(exp, n) for n in _HYPERBOLIC if hasattr(exp, n)),
        )
    },
}

_BASE_RULES: tuple[tuple[tuple[type[exp.Expr], ...], Rule], ...] = (
    ((exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE), _comparison),
    ((exp.Like, exp.ILike, exp.Glob, exp.RegexpLike, exp.Escape), _comparison),
    ((exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod), _arithmetic),
    ((exp.Binary,), _bitwise),
)

RENAMED_FUNCTIONS = {"mod": "sqlforge_mod__", "like": "sqlforge_like__", "glob": "sqlforge_glob__"}
"""Functions sqlglot would turn into operators (`mod(a, b)` into `a % b`), renamed for it."""

_NAMED_FUNCTIONS: dict[str, Rule] = {
    "sqlforge_mod__": _function(REAL, "constant"),
    "sqlforge_like__": _function(BOOLEAN, "arguments", TEXT),
    "sqlforge_glob__": _function(BOOLEAN, "arguments", TEXT),
    "total": _function(REAL, "never"),
    "changes": _function(INTEGER, "never"),
    "total_changes": _function(INTEGER, "never"),
    "last_insert_rowid": _function(INTEGER, "never"),
    "octet_length": _function(INTEGER, "arguments"),
    "printf": _function(TEXT, "first", (TEXT, UNKNOWN)),
    "quote": _function(TEXT, "never"),
    "randomblob": _function(BLOB, "never"),
    "zeroblob": _function(BLOB, "never"),
    "sqlite_source_id": _function(TEXT, "never"),
    "sqlite_compileoption_used": _function(INTEGER, "never"),
    "sqlite_compileoption_get": _function(TEXT, "always"),
    "datetime": _function(DATETIME, "constant"),
    "time": _function(TEXT, "constant"),
    "julianday": _function(REAL, "constant"),
    "unixepoch": _function(_unixepoch_type, "constant"),
    "timediff": _function(TEXT, "constant"),
    "json": _function(JSON, "first", JSON),
    "jsonb": _function(BLOB, "first", JSON),
    "json_array": _function(JSON, "never"),
    "json_array_length": _function(INTEGER, "always", JSON),
    "json_insert": _function(JSON, "first", JSON),
    "json_replace": _function(JSON, "first", JSON),
    "json_patch": _function(JSON, "arguments", JSON),
    "json_valid": _function(BOOLEAN, "first"),
    "json_quote": _function(JSON, "never"),
    "json_error_position": _function(INTEGER, "first"),
    "highlight": _function(TEXT, "always", (UNKNOWN, INTEGER, TEXT)),
    "snippet": _function(TEXT, "always", (UNKNOWN, INTEGER, TEXT, TEXT, TEXT, INTEGER)),
    "bm25": _function(REAL, "never"),
    "log2": _function(REAL, "constant"),
    "log10": _function(REAL, "constant"),
}


# --- helpers -------------------------------------------------------------------------------------


def _unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren | exp.Collate):
        node = node.this
    return node


def _unalias(node: exp.Expr) -> exp.Expr:
    return node.this if isinstance(node, exp.Alias) else node


def _as_list(value: object) -> list[exp.Expr]:
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, exp.Expr) else []


def _non_zero_literal(node: exp.Expr) -> bool:
    node = _unwrap(node)
    if not isinstance(node, exp.Literal) or node.is_string:
        return False
    try:
        return float(node.this.replace("_", "")) != 0
    except ValueError:
        return False


def _conjuncts(node: exp.Expr) -> list[exp.Expr]:
    node = _unwrap(node)
    if isinstance(node, exp.And):
        return [*_conjuncts(node.this), *_conjuncts(node.expression)]
    return [node]


_NULL_REJECTING = (
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Like,
    exp.ILike,
    exp.Glob,
    exp.RegexpLike,
)


def _null_rejected_columns(node: exp.Expr) -> list[exp.Column]:
    """The columns a WHERE conjunct is never true for when they are NULL."""
    if isinstance(node, exp.Escape):
        return _null_rejected_columns(node.this)
    operands: list[exp.Expr] = []
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is):
        if isinstance(node.this.expression, exp.Null):
            operands = [node.this.this]
    elif isinstance(node, _NULL_REJECTING):
        operands = [node.this, node.expression]
    elif isinstance(node, exp.In | exp.Between):
        operands = [node.this]
    columns = [_unwrap(operand) for operand in operands]
    return [c for c in columns if isinstance(c, exp.Column) and not isinstance(c.this, exp.Star)]


def _is_ungrouped_aggregate(select: exp.Select) -> bool:
    if select.args.get("group") is not None:
        return False
    return any(_has_aggregate(item) for item in select.expressions)


def _has_aggregate(node: exp.Expr) -> bool:
    if isinstance(node, exp.Query | exp.Subquery | exp.Window):
        return False
    if isinstance(node, exp.AggFunc | exp.Count) or (
        isinstance(node, exp.Anonymous) and _function_name(node) == "total"
    ):
        return not isinstance(node.parent, exp.Window)
    if isinstance(node, exp.Max | exp.Min) and not node.expressions:
        return True
    return any(_has_aggregate(child) for child in node.iter_expressions())


def _inside_aggregate(node: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Query):
        if isinstance(parent, exp.AggFunc | exp.Count | exp.Max | exp.Min):
            return True
        parent = parent.parent
    return False


def _declared_values(table: Table) -> list[Value]:
    """The columns of a table or view as the catalog declares them."""
    return [
        Value(
            SqlType(c.declared_type),
            not c.not_null,
            c.name,
            ColumnRef(table.name, c.name),
            exact_name=True,
        )
        for c in table.columns
    ]


def _prefer_declared(declared: Value, inferred: Value) -> SqlType:
    return declared.sql_type if declared.sql_type.declared else inferred.sql_type


def _json_each_columns() -> list[Value]:
    any_value = SqlType("")
    columns = [
        Value(any_value, True, "key"),
        Value(any_value, True, "value"),
        Value(TEXT, False, "type"),
        Value(any_value, True, "atom"),
        Value(INTEGER, False, "id"),
        Value(INTEGER, True, "parent"),
        Value(TEXT, False, "fullkey"),
        Value(TEXT, False, "path"),
    ]
    return [replace(c, exact_name=True) for c in columns]


# --- stars ---------------------------------------------------------------------------------------


def _expands(item: exp.Expr) -> bool:
    """`*`, `t.*` and an embed: one projection standing for a source's columns."""
    if isinstance(item, exp.Column):
        return isinstance(item.this, exp.Star)
    embed = isinstance(item, exp.Anonymous) and item.name.lower() == EMBED_FUNCTION
    return embed or isinstance(item, exp.Star)


def _nameable(values: Sequence[Value], *, exact: bool = True) -> bool:
    """Whether SQL text can name each column: by SQLite's own name (unless `exact=False`),
    each name once."""
    names = [v.name.casefold() for v in values]
    named = all(v.name and (v.exact_name or not exact) for v in values)
    return named and len(set(names)) == len(names)


def _star_qualifier(
    sources: Sequence[Source], source: Source, name: str, coalescing: bool
) -> str | None:
    """How `*` over several sources writes a column of `source`: qualified by the source's
    name, unqualified for a merged column of a RIGHT/FULL join (SQLite's `*` gives the first
    non-NULL of the joined columns, as an unqualified reference does) or of an unnamed
    subquery; None when an unqualified reference would be ambiguous."""
    if len(sources) == 1:
        return ""
    folded = name.casefold()
    others = [s for s in sources if s is not source and s.has_column(name)]
    merged = any(folded in s.merged for s in others)
    if source.name and not (merged and coalescing):
        return source.name
    return "" if all(folded in s.merged for s in others) else None


def expandable_stars(
    tree: exp.Expr, found: Sequence[tuple[exp.Star, StarExpansion]]
) -> tuple[StarExpansion, ...]:
    """The stars of the statement (not of the views it reads) to write out, in text order.

    Kept as written: a star under EXISTS (it reads no column), and the stars of the SELECT of
    an INSERT without a column list, which pairs columns by position on both sides: naming one
    side only would break a copy between two tables whose columns moved alike."""
    by_node = {id(node): expansion for node, expansion in found}
    stars = []
    for node in tree.find_all(exp.Star):
        expansion = by_node.get(id(node))
        if expansion is not None and not _kept_as_written(node, tree):
            stars.append(replace(expansion, result=_in_result(node, tree)))
    return tuple(sorted(stars, key=lambda star: star.offset))


def _kept_as_written(star: exp.Star, tree: exp.Expr) -> bool:
    if star.find_ancestor(exp.Exists) is not None:
        return True
    if not isinstance(tree, exp.Insert) or isinstance(tree.this, exp.Schema):
        return False
    body = tree.expression
    node: exp.Expr | None = star
    while node is not None and node is not tree:
        if node is body:
            return True
        node = node.parent
    return False


def _in_result(star: exp.Star, tree: exp.Expr) -> bool:
    """Whether the star's columns are the statement's result: it is in RETURNING, or in the
    outermost SELECT (an arm of an outermost compound SELECT included)."""
    node = star.parent
    if isinstance(node, exp.Column):
        node = node.parent
    if isinstance(node, exp.Returning):
        return True
    while node is not None and node is not tree:
        if not isinstance(node.parent, exp.SetOperation):
            return False
        node = node.parent
    return node is tree
