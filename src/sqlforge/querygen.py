"""Query modules: one typed Python module per query file.

`plan_query_module` decides everything about an `AnalyzedFile` (see `sqlforge.analysis` for the
contract) and `render_module` writes it as the source of `<out>/<file>.py`, beside `models.py`:

* each query's SQL as a constant, exactly as analysis rewrote it (`?NNN` parameters);
* a `<Name>Row` model for each result that is neither one column nor exactly a table's
  columns, written by datamodel-code-generator like `models.py` (same machinery, same style);
* one `_read_*` function per result shape, converting a row with one inline expression per
  column (the runtime converter where the type needs one, the value itself otherwise): no
  reflection per row, nothing rebuilt per call except the placeholders of `sqlc.slice`;
* `Queries` over a `sqlite3.Connection` and, when configured, `AsyncQueries` over
  `aiosqlite`, with one keyword-only method per query.

The module imports the standard library, the model library, the project's override classes
and its own package (`models`, `_runtime`), never sqlforge. It is laid out the way ruff
formats code (`sqlforge.pysource`), so `ruff check` and `ruff format --check` leave it alone.
Every name comes from `sqlforge.naming` and every piece of SQL text from
`sqlforge.pysource`'s literal functions, so nothing in a query file can inject code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlforge.analysis import (
    AnalyzedFile,
    AnalyzedQuery,
    ColumnRef,
    QueryParameter,
    ResultColumn,
)
from sqlforge.catalog import Catalog, Column, Table
from sqlforge.errors import Diagnostic, SqlforgeError
from sqlforge.generated import GeneratedFile, header, relative_inputs
from sqlforge.inputs import query_files
from sqlforge.models import (
    QUERY_MODULE_NAMES,
    Model,
    ModelField,
    model_classes_code,
    renamed_field,
    reserved_field_names,
)
from sqlforge.naming import cap_words, field_name, function_name, snake_case, unique_names
from sqlforge.pysource import (
    INDENT,
    Bracketed,
    Import,
    call,
    dict_of,
    docstring,
    layout,
    render_imports,
    signature,
    splittable,
    string_literal,
    text_block_literal,
    tuple_of,
)
from sqlforge.sqltypes import OBJECT, RUNTIME_MODULE, PythonType, TypeMapper

if TYPE_CHECKING:
    from sqlforge.config import Config
    from sqlforge.generate import GenerationContext

MODELS_IMPORT: Final = ".models"
RESERVED_MODULES: Final = frozenset({"models", RUNTIME_MODULE, "__init__"})
"""Names a query file cannot take in the output package."""
RESERVED_ARGUMENTS: Final = frozenset(
    {"self", "cursor", "row", "rows", "sql", "list", "map", "len", "None"}
)
"""Names the method bodies use: an argument taking one gets a trailing `_`."""
_MODEL_PLACEHOLDER: Final = "sqlforge_models"
"""datamodel-code-generator wants a dotted import path for a field's class; the import of
this placeholder module becomes `from .models import ...`."""
_RUNTIME: Final = RUNTIME_MODULE


# what a module is made of


@dataclass(frozen=True)
class Argument:
    """One keyword-only argument of a query method."""

    name: str
    annotation: str
    bound: str
    """What is bound: the name, a conversion of it, or `*name` / `*map(f, name)` for a slice."""
    parameter: QueryParameter


@dataclass(frozen=True)
class Reader:
    """A module-level function making one result value of one row."""

    function: str
    returns: str
    body: tuple[str, ...]
    """Source lines, indented for a function body."""


@dataclass(frozen=True)
class Method:
    name: str
    constant: str
    query: AnalyzedQuery
    arguments: tuple[Argument, ...]
    value: str
    """The annotation of one result value (a model, a scalar type); "None" when no rows are
    read."""
    reader: str | None
    """The `_read_*` function for `:one` / `:many`; None when the row's first value is the
    result as it is (`:many` of one column needing no conversion) or nothing is read."""


@dataclass(frozen=True)
class QueryModule:
    """Everything a query module holds, decided before any text is written."""

    path: Path
    methods: tuple[Method, ...]
    readers: tuple[Reader, ...]
    row_models: tuple[Model, ...]
    imports: frozenset[Import]
    first_party: frozenset[str]
    warnings: tuple[Diagnostic, ...] = ()
    """Values typed `object` because their declared type has no mapping."""


# the files


def render_query_files(context: GenerationContext) -> list[GeneratedFile]:
    """The generation step (see `sqlforge.generate`): analyse every query file against the
    catalog and render one module per file; any error in any file stops everything."""
    from sqlforge.analysis import analyze_query_files  # noqa: PLC0415  (heavy: apsw, sqlglot)

    config = context.config
    paths = query_files(config)
    if not paths:
        return []
    problems = check_module_names(paths)
    if problems:
        raise SqlforgeError.from_diagnostics(problems)
    analyzed = analyze_query_files(paths, context.catalog, strict=config.strict)
    modules = [
        plan_query_module(
            query_file,
            context.catalog,
            context.types,
            context.models,
            model_type=config.models,
            rename=config.rename,
            root=config.root,
        )
        for query_file in analyzed
    ]
    unmapped = [warning for module in modules for warning in module.warnings]
    if config.strict and unmapped:
        raise SqlforgeError.from_diagnostics(unmapped)
    for warning in [w for query_file in analyzed for w in query_file.warnings] + unmapped:
        context.warn(warning)
    return [
        GeneratedFile.from_text(
            context.out / f"{query_module_name(module.path)}.py",
            render_module(
                module,
                header_text=_module_header(config, module.path),
                model_type=config.models,
                asynchronous=config.async_queries,
            ),
        )
        for module in modules
    ]


# names


def query_module_name(path: Path) -> str:
    """`db/queries/jobs.sql` -> `jobs`: the module a query file becomes."""
    return function_name(path.stem, fallback="queries")


def check_module_names(paths: Sequence[Path]) -> list[Diagnostic]:
    """Query files whose modules would clash with each other or with the package's own."""
    problems = []
    seen: dict[str, Path] = {}
    for path in paths:
        module = query_module_name(path)
        other = seen.setdefault(module, path)
        if module in RESERVED_MODULES or other != path:
            clash = f"the generated `{module}.py`" if other == path else str(other)
            problems.append(
                Diagnostic(
                    f"query file would become module `{module}.py`, like {clash}",
                    path=path,
                    hint="rename the query file",
                )
            )
    return problems


# planning


@dataclass(frozen=True)
class _Context:
    """What planning one module needs besides the queries."""

    catalog: Catalog
    types: TypeMapper
    models: tuple[Model, ...]
    model_type: str
    reserved_fields: frozenset[str]
    rename: Mapping[str, str]


def plan_query_module(
    analyzed: AnalyzedFile,
    catalog: Catalog,
    types: TypeMapper,
    models: Sequence[Model],
    *,
    model_type: str,
    rename: Mapping[str, str] | None = None,
    root: Path | None = None,
) -> QueryModule:
    """Decide every name, type, model and reader of the module; no text yet."""
    reserved = reserved_field_names(model_type)
    context = _Context(catalog, types, tuple(models), model_type, reserved, dict(rename or {}))
    method_names = _method_names(analyzed.queries)
    row_names = _row_model_names(analyzed.queries, method_names, context)
    methods: list[Method] = []
    readers: dict[str, Reader] = {}
    row_models: list[Model] = []
    imports: set[Import] = set()
    for query, name in zip(analyzed.queries, method_names, strict=True):
        plan = _plan_method(query, name, row_names.get(query.name), context)
        methods.append(plan.method)
        readers.update({reader.function: reader for reader in plan.readers})
        row_models.extend(plan.row_models)
        imports |= plan.imports
    imports |= _base_imports(methods)
    return QueryModule(
        path=analyzed.path,
        methods=tuple(methods),
        readers=tuple(readers.values()),
        row_models=tuple(row_models),
        imports=frozenset(imports),
        first_party=_first_party(imports, root),
        warnings=tuple(w for query in analyzed.queries for w in _unmapped(query, context)),
    )


def _method_names(queries: Sequence[AnalyzedQuery]) -> list[str]:
    """snake_case of each query name; two queries becoming one method is an error."""
    names = [function_name(query.name, fallback="query") for query in queries]
    problems = []
    first: dict[str, AnalyzedQuery] = {}
    for query, name in zip(queries, names, strict=True):
        other = first.setdefault(name, query)
        if other is not query:
            problems.append(
                Diagnostic(
                    f"queries {other.name} and {query.name} both become method `{name}`",
                    path=query.path,
                    line=query.line,
                    column=1,
                    hint="rename one of them",
                )
            )
    if problems:
        raise SqlforgeError.from_diagnostics(problems)
    return names


def _row_model_names(
    queries: Sequence[AnalyzedQuery], method_names: Sequence[str], context: _Context
) -> dict[str, str]:
    """`<Name>Row` for each query that needs a model of its own, clear of every other name
    the module uses."""
    taken = set(QUERY_MODULE_NAMES) | {model.name for model in context.models}
    for model in context.models:
        taken |= {model_field.python_type.name for model_field in model.fields}
    names: dict[str, str] = {}
    for query, method in zip(queries, method_names, strict=True):
        if _needs_row_model(query, context):
            name = _free_name(f"{cap_words(method)}Row", taken)
            taken.add(name)
            names[query.name] = name
    return names


def _free_name(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}{number}", number + 1
    return candidate


def _needs_row_model(query: AnalyzedQuery, context: _Context) -> bool:
    if query.command not in (":one", ":many"):
        return False
    if _is_scalar(query):
        return False
    return _matching_model(query, context) is None


def _is_scalar(query: AnalyzedQuery) -> bool:
    return len(query.columns) == 1 and not query.embeds


def _matching_model(query: AnalyzedQuery, context: _Context) -> Model | None:
    """The table (or view) model whose columns the result has exactly: names, order, types,
    nullability and source."""
    if query.embeds:
        return None
    for model in context.models:
        if len(model.fields) == len(query.columns) and all(
            _same_column(column, model_field, model.table, context)
            for column, model_field in zip(query.columns, model.fields, strict=True)
        ):
            return model
    return None


def _same_column(
    column: ResultColumn, model_field: ModelField, table: Table, context: _Context
) -> bool:
    source = column.source
    return (
        source is not None
        and source.table.casefold() == table.name.casefold()
        and source.column.casefold() == model_field.column.name.casefold()
        and column.name == model_field.column.name
        and column.nullable == model_field.nullable
        and _column_type(column, context) == model_field.python_type
    )


# types


def _unmapped(query: AnalyzedQuery, context: _Context) -> list[Diagnostic]:
    """Computed values (CAST targets, no catalog column) whose declared type maps to no
    Python type; catalog columns get the same warning from the models."""
    values = [
        (f"parameter {p.name}", p.sql_type.declared, _parameter_type(p, context))
        for p in query.parameters
        if p.source is None
    ]
    values += [
        (f"result column {c.name or index + 1}", c.sql_type.declared, _column_type(c, context))
        for index, c in enumerate(query.columns)
        if c.source is None and c.embed is None
    ]
    return [
        Diagnostic(
            f"query {query.name}: {what}: declared type {declared} has no Python mapping;"
            " typed as `object`",
            path=query.path,
            line=query.line,
            hint=f'add an override such as "{declared.lower()}" = "str" under'
            " [tool.sqlforge.overrides], or CAST to a type that maps",
        )
        for what, declared, python_type in values
        if python_type.fallback
    ]


def _column_type(column: ResultColumn, context: _Context) -> PythonType:
    """A result column's Python type: its catalog column's (overrides included) when it is
    read unchanged, else its SQL type's; `object` when analysis could not tell."""
    return _typed(column.sql_type.known, column.sql_type.declared, column.source, context)


def _parameter_type(parameter: QueryParameter, context: _Context) -> PythonType:
    return _typed(parameter.sql_type.known, parameter.sql_type.declared, parameter.source, context)


def _typed(known: bool, declared: str, source: ColumnRef | None, context: _Context) -> PythonType:
    if not known:
        return OBJECT
    if source is not None:
        catalog_column = context.catalog.column(source.table, source.column)
        if catalog_column is not None:
            return context.types.for_catalog_column(source.table, catalog_column)
    return context.types.for_type(declared)


def _type_imports(python_type: PythonType) -> set[Import]:
    return set() if python_type.module is None else {Import(python_type.module, python_type.name)}


# one method


@dataclass(frozen=True)
class _MethodPlan:
    method: Method
    readers: tuple[Reader, ...]
    row_models: tuple[Model, ...]
    imports: frozenset[Import]


def _plan_method(
    query: AnalyzedQuery, name: str, row_name: str | None, context: _Context
) -> _MethodPlan:
    arguments, imports = _arguments(query, context)
    result = _result(query, name, row_name, context)
    method = Method(
        name=name,
        constant=name.upper(),
        query=query,
        arguments=arguments,
        value=result.annotation,
        reader=result.reader.function if result.reader else None,
    )
    readers = (result.reader,) if result.reader else ()
    return _MethodPlan(method, readers, result.row_models, frozenset(imports | result.imports))


def _returns(query: AnalyzedQuery, value: str, *, asynchronous: bool) -> str:
    if query.command == ":one":
        return value if value.endswith(" | None") else f"{value} | None"
    if query.command == ":many":
        return f"list[{value}]"
    if query.command == ":execresult":
        return "aiosqlite.Cursor" if asynchronous else "sqlite3.Cursor"
    return "None" if query.command == ":exec" else "int"


def _arguments(query: AnalyzedQuery, context: _Context) -> tuple[tuple[Argument, ...], set[Import]]:
    """Arguments in parameter order (scalars, then slices), named snake_case, unique."""
    names = unique_names(
        field_name(parameter.name, position=parameter.number, reserved=RESERVED_ARGUMENTS)
        for parameter in query.parameters
    )
    arguments, imports = [], set()
    for name, parameter in zip(names, query.parameters, strict=True):
        python_type = _parameter_type(parameter, context)
        imports |= _type_imports(python_type)
        arguments.append(_argument(name, parameter, python_type))
        if parameter.is_slice:
            imports.add(Import("collections.abc", "Sequence"))
    return tuple(arguments), imports


def _argument(name: str, parameter: QueryParameter, python_type: PythonType) -> Argument:
    nullable = parameter.nullable
    annotation = python_type.annotation(nullable=nullable)
    if not parameter.is_slice:
        bound = python_type.write_expression(name, nullable=nullable, runtime=_RUNTIME)
        return Argument(name, annotation, bound, parameter)
    # Every writer is a one-argument function: map it over the values.
    probe = python_type.write_expression("value", nullable=nullable, runtime=_RUNTIME)
    bound = f"*{name}" if probe == "value" else f"*map({probe.removesuffix('(value)')}, {name})"
    return Argument(name, f"Sequence[{annotation}]", bound, parameter)


# results


@dataclass(frozen=True)
class _Result:
    annotation: str
    reader: Reader | None
    row_models: tuple[Model, ...] = ()
    imports: frozenset[Import] = frozenset()


def _result(query: AnalyzedQuery, method: str, row_name: str | None, context: _Context) -> _Result:
    if query.command not in (":one", ":many"):
        return _Result("None", None)
    if _is_scalar(query):
        return _scalar_result(query, method, context)
    model = _matching_model(query, context)
    if model is not None:
        reader = _model_reader(model, _fields_of(model, 0, query, context), context)
        return _Result(model.name, reader, imports=_reader_imports(model))
    assert row_name is not None
    return _row_result(query, row_name, context)


def _scalar_result(query: AnalyzedQuery, method: str, context: _Context) -> _Result:
    column = query.columns[0]
    python_type = _column_type(column, context)
    annotation = python_type.annotation(nullable=column.nullable)
    imports = frozenset(_type_imports(python_type))
    read = _read_expression(python_type, 0, _label(query, column, 0), nullable=column.nullable)
    if read == "row[0]" and query.command == ":many":
        return _Result(annotation, None, imports=imports)
    body: tuple[str, ...] = (f"{INDENT}value: {annotation} = {read}", f"{INDENT}return value")
    if read != "row[0]":
        body = tuple(layout(splittable(read), INDENT, prefix="return "))
    return _Result(annotation, Reader(f"_scalar_{method}", annotation, body), imports=imports)


def _label(query: AnalyzedQuery, column: ResultColumn, index: int) -> str:
    """What a conversion error names: the catalog column, else the query's column."""
    if column.source is not None:
        return f"{column.source.table}.{column.source.column}"
    return f"{query.name}.{column.name or f'column_{index + 1}'}"


def _read_expression(python_type: PythonType, index: int, label: str, *, nullable: bool) -> str:
    return python_type.read_expression(f"row[{index}]", label, nullable=nullable, runtime=_RUNTIME)


@dataclass(frozen=True)
class _Field:
    """One keyword of a model construction: `name=value`."""

    name: str
    value: str | Bracketed


def _fields_of(model: Model, start: int, query: AnalyzedQuery, context: _Context) -> list[_Field]:
    """The fields of a table model read from `row[start:]`."""
    fields = []
    for offset, model_field in enumerate(model.fields):
        label = f"{model.table.name}.{model_field.column.name}"
        read = _read_expression(
            model_field.python_type, start + offset, label, nullable=model_field.nullable
        )
        fields.append(_Field(model_field.name, splittable(read)))
    return fields


def _reader_imports(model: Model) -> frozenset[Import]:
    """The model, and the classes its fields' readers take (`custom_from_db(JobStatus, ...)`)."""
    imports = {Import(MODELS_IMPORT, model.name)}
    for model_field in model.fields:
        if model_field.python_type.reader_takes_type:
            imports |= _type_imports(model_field.python_type)
    return frozenset(imports)


def _construction(model_name: str, fields: Sequence[_Field], model_type: str) -> Bracketed:
    """`Model(a=..., b=...)`, or a dict display for TypedDicts (the fastest way to build
    one, and what a hand-written TypedDict row would use)."""
    if model_type == "typeddict":
        return dict_of(*(_keyed(f"{_string_key(f.name)}: ", f.value) for f in fields))
    return call(model_name, *(_keyed(f"{f.name}=", f.value) for f in fields))


def _string_key(name: str) -> str:
    return f'"{name}"'  # field names are safe identifiers: no escaping needed


def _keyed(prefix: str, value: str | Bracketed) -> str | Bracketed:
    if isinstance(value, str):
        return prefix + value
    return replace(value, head=prefix + value.head)


def _model_reader(model: Model, fields: Sequence[_Field], context: _Context) -> Reader:
    construction = _construction(model.name, fields, context.model_type)
    body = layout(construction, INDENT, prefix="return ")
    return Reader(f"_read_{snake_case(model.name)}", model.name, tuple(body))


def _row_result(query: AnalyzedQuery, row_name: str, context: _Context) -> _Result:
    parts = _row_parts(query, context)
    names = unique_names(part.name for part in parts)
    model_fields = tuple(
        ModelField(name, part.column, part.python_type, part.nullable)
        for name, part in zip(names, parts, strict=True)
    )
    table = Table(query.name, "table", tuple(f.column for f in model_fields), "")
    row_model = Model(row_name, table, model_fields)
    reader = _row_reader(row_model, parts, names, context)
    imports = frozenset(item for part in parts for item in part.imports)
    return _Result(row_name, reader, (row_model,), imports)


@dataclass(frozen=True)
class _RowPart:
    """A field of a Row model: one result column, or one embedded table model."""

    name: str
    column: Column
    python_type: PythonType
    nullable: bool
    value: str | Bracketed
    imports: frozenset[Import]
    """What reading it needs: the classes a reader takes, an embed's model."""
    presence: str | None = None
    """For an embed on the optional side of a join: the condition under which it is there."""


def _row_parts(query: AnalyzedQuery, context: _Context) -> list[_RowPart]:
    parts: list[_RowPart] = []
    for index, column in enumerate(query.columns):
        if column.embed is None:
            parts.append(_column_part(query, column, index, context))
        elif query.embeds[column.embed].start == index:
            parts.append(_embed_part(query, column.embed, context))
    return parts


def _column_part(
    query: AnalyzedQuery, column: ResultColumn, index: int, context: _Context
) -> _RowPart:
    python_type = _column_type(column, context)
    name = _renamed(column, context) or field_name(
        column.name, position=index + 1, reserved=context.reserved_fields
    )
    catalog_column = Column(column.name, column.sql_type.declared, not column.nullable, None, 0)
    label = _label(query, column, index)
    read = _read_expression(python_type, index, label, nullable=column.nullable)
    imports = frozenset(_type_imports(python_type) if python_type.reader_takes_type else ())
    value = splittable(read)
    return _RowPart(name, catalog_column, python_type, column.nullable, value, imports)


def _renamed(column: ResultColumn, context: _Context) -> str | None:
    """The `rename` entry for the column (`table.column` of its source, or its name), the
    same lookup models.py makes."""
    source = column.source
    if source is not None and source.column.casefold() == column.name.casefold():
        return renamed_field(context.rename, source.column, table=source.table)
    return renamed_field(context.rename, column.name)


def _embed_part(query: AnalyzedQuery, index: int, context: _Context) -> _RowPart:
    embed = query.embeds[index]
    model = _model_of_table(embed.table, context)
    field = embed.name if embed.name.casefold() != embed.table.casefold() else model.name
    name = field_name(field, position=embed.start + 1, reserved=context.reserved_fields)
    python_type = PythonType("custom", model.name, _MODEL_PLACEHOLDER)
    construction = _construction(
        model.name, _fields_of(model, embed.start, query, context), context.model_type
    )
    catalog_column = Column(embed.name, "", not embed.nullable, None, 0)
    presence = _presence(embed.start, embed.stop, embed.null_when) if embed.nullable else None
    imports = _reader_imports(model)
    return _RowPart(
        name, catalog_column, python_type, embed.nullable, construction, imports, presence
    )


def _model_of_table(table: str, context: _Context) -> Model:
    folded = table.casefold()
    return next(m for m in context.models if m.table.name.casefold() == folded)


def _presence(start: int, stop: int, null_when: int | None) -> str:
    if null_when is not None:
        return f"row[{null_when}] is not None"
    return f"any(value is not None for value in row[{start}:{stop}])"


def _row_reader(
    model: Model, parts: Sequence[_RowPart], names: Sequence[str], context: _Context
) -> Reader:
    """Optional embeds are built first, into locals (`embed_<n>`), then the row."""
    body: list[str] = []
    fields = []
    for number, (name, part) in enumerate(zip(names, parts, strict=True), start=1):
        if part.presence is None:
            fields.append(_Field(name, part.value))
            continue
        local = f"embed_{number}"
        body.append(f"{INDENT}{local}: {part.python_type.name} | None = None")
        body.append(f"{INDENT}if {part.presence}:")
        body.extend(layout(part.value, INDENT * 2, prefix=f"{local} = "))
        fields.append(_Field(name, local))
    construction = _construction(model.name, fields, context.model_type)
    body.extend(layout(construction, INDENT, prefix="return "))
    return Reader(f"_read_{snake_case(model.name)}", model.name, tuple(body))


# imports


def _base_imports(methods: Sequence[Method]) -> set[Import]:
    imports = {Import("sqlite3")}
    if any(method.reader for method in methods):
        imports.add(Import("typing", "Any"))
    return imports


def _first_party(imports: Iterable[Import], root: Path | None) -> frozenset[str]:
    """Top-level modules of the project itself (beside the config, or under `src/`): ruff
    sorts them into a section of their own."""
    if root is None:
        return frozenset()
    tops = {item.module.split(".", 1)[0] for item in imports if not item.module.startswith(".")}
    return frozenset(
        top
        for top in tops
        for folder in (root, root / "src")
        if (folder / top).is_dir() or (folder / f"{top}.py").is_file()
    )


# rendering


def _module_header(config: Config, query_file: Path) -> str:
    return header(relative_inputs([config.schema, query_file], config.root))


def render_module(
    module: QueryModule, *, header_text: str, model_type: str, asynchronous: bool
) -> str:
    """The module's text: header, imports, SQL, Row models, readers, query classes."""
    row_imports, row_classes = _row_model_source(module.row_models, model_type)
    imports = set(module.imports) | row_imports
    if asynchronous:
        imports.add(Import("aiosqlite"))
    if _uses_runtime(module):
        imports.add(Import(".", _RUNTIME))
    blocks = [
        [*_constant_lines(module)],
        *row_classes,
        *([_EXPAND_SLICES] if _has_slices(module) else []),
        *(_reader_lines(reader) for reader in module.readers),
        _class_lines(module, asynchronous=False),
        *([_class_lines(module, asynchronous=True)] if asynchronous else []),
    ]
    lines = [
        header_text.rstrip("\n"),
        "",
        "from __future__ import annotations",
        "",
        *render_imports(imports, first_party=module.first_party),
    ]
    for number, block in enumerate(blocks):
        # isort wants one blank line between the imports and a statement; ruff two around
        # top-level classes and functions
        if block:
            lines.extend(["", *block] if number == 0 else ["", "", *block])
    return "\n".join(lines) + "\n"


def _uses_runtime(module: QueryModule) -> bool:
    marker = f"{_RUNTIME}."
    texts = [line for reader in module.readers for line in reader.body]
    texts += [argument.bound for method in module.methods for argument in method.arguments]
    return any(marker in text for text in texts)


def _has_slices(module: QueryModule) -> bool:
    return any(a.parameter.is_slice for method in module.methods for a in method.arguments)


def _constant_lines(module: QueryModule) -> list[str]:
    lines: list[str] = []
    for method in module.methods:
        if lines:
            lines.append("")
        literal = text_block_literal(method.query.sql)
        lines.extend([f"{method.constant} = {literal[0]}", *literal[1:]])
    return lines


_EXPAND_SLICES: Final = [
    "def _expand_slices(sql: str, first: int, *slices: tuple[str, int]) -> str:",
    f'{INDENT}"""Replace each slice marker by the numbered placeholders of its values."""',
    f"{INDENT}number = first",
    f"{INDENT}for marker, count in slices:",
    f"{INDENT * 2}numbers = range(number, number + count)",
    f'{INDENT * 2}sql = sql.replace(marker, ",".join(f"?{{n}}" for n in numbers))',
    f"{INDENT * 2}number += count",
    f"{INDENT}return sql",
]


def _reader_lines(reader: Reader) -> list[str]:
    return [f"def {reader.function}(row: Any) -> {reader.returns}:", *reader.body]


def _row_model_source(
    models: Sequence[Model], model_type: str
) -> tuple[set[Import], list[list[str]]]:
    """The Row model classes as datamodel-code-generator writes them for models.py, and the
    imports they need."""
    if not models:
        return set(), []
    return _split_generated(model_classes_code(models, model_type=model_type, header_text="#"))


def _split_generated(code: str) -> tuple[set[Import], list[list[str]]]:
    lines = code.split("\n")
    imports: set[Import] = set()
    classes: list[list[str]] = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            module = "." * node.level + (node.module or "")
            module = MODELS_IMPORT if module == _MODEL_PLACEHOLDER else module
            imports |= {Import(module, alias.name) for alias in node.names}
        elif isinstance(node, ast.Import):
            imports |= {Import(alias.name) for alias in node.names}
        elif isinstance(node, ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            classes.append(lines[first - 1 : node.end_lineno])
    return imports, classes


def _class_lines(module: QueryModule, *, asynchronous: bool) -> list[str]:
    name = "AsyncQueries" if asynchronous else "Queries"
    connection = "aiosqlite.Connection" if asynchronous else "sqlite3.Connection"
    library = "aiosqlite" if asynchronous else "sqlite3"
    lines = [
        f"class {name}:",
        *docstring(
            [
                f"The queries of `{module.path.stem}.sql`, run on an `{library}` connection."
                if asynchronous
                else f"The queries of `{module.path.stem}.sql`, run on a `{library}` connection.",
                "",
                "Rows are read by position whatever the connection's `row_factory`; the"
                " methods never commit: transactions are the caller's.",
            ],
            INDENT,
        ),
        "",
        f"{INDENT}def __init__(self, connection: {connection}) -> None:",
        f"{INDENT * 2}self._connection = connection",
    ]
    for method in module.methods:
        lines.extend(["", *_method_lines(method, asynchronous=asynchronous)])
    return lines


def _method_lines(method: Method, *, asynchronous: bool) -> list[str]:
    body = INDENT * 2
    parameters = ["self"]
    if method.arguments:
        parameters += ["*", *(f"{a.name}: {a.annotation}" for a in method.arguments)]
    returns = _returns(method.query, method.value, asynchronous=asynchronous)
    keyword = "async def" if asynchronous else "def"
    lines = signature(method.name, parameters, returns, INDENT, keyword=keyword)
    lines += docstring(method.query.doc, body)
    sql = method.constant
    slices = [a for a in method.arguments if a.parameter.is_slice]
    if slices:
        lines += layout(_expansion(method, slices), body, prefix="sql = ")
        sql = "sql"
    execute = call("self._connection.execute", sql)
    if method.arguments:
        bound = (splittable(a.bound) for a in method.arguments)
        execute = call("self._connection.execute", sql, tuple_of(*bound))
    wait = "await " if asynchronous else ""
    if method.query.command == ":execresult":
        return lines + layout(execute, body, prefix=f"return {wait}")
    lines += layout(execute, body, prefix=f"cursor = {wait}")
    return lines + [body + line for line in _outcome(method, wait)]


def _expansion(method: Method, slices: Sequence[Argument]) -> Bracketed:
    first = len(method.arguments) - len(slices) + 1
    pairs = [tuple_of(string_literal(a.parameter.slice_marker), f"len({a.name})") for a in slices]
    return call("_expand_slices", method.constant, str(first), *pairs)


def _outcome(method: Method, wait: str) -> list[str]:
    """The statements after `cursor = ...execute(...)`."""
    command, reader = method.query.command, method.reader
    if command == ":one":
        return [
            "cursor.row_factory = None",
            f"row = {wait}cursor.fetchone()",
            f"{wait}cursor.close()",
            "if row is None:",
            f"{INDENT}return None",
            f"return {reader}(row)",
        ]
    if command == ":many":
        rows = "cursor"
        fetch = ["cursor.row_factory = None"]
        if wait:
            fetch += ["rows = await cursor.fetchall()", "await cursor.close()"]
            rows = "rows"
        result = f"list(map({reader}, {rows}))" if reader else f"[row[0] for row in {rows}]"
        return [*fetch, f"return {result}"]
    closing = [f"{wait}cursor.close()"]
    if command == ":execrows":
        return [*closing, "return cursor.rowcount"]
    if command == ":execlastid":
        # lastrowid is None only before the first statement; after one it is an int
        return [*closing, "return cursor.lastrowid or 0"]
    return closing
