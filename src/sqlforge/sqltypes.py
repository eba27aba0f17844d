"""SQL declared types -> Python types, and the runtime conversion each one needs.

Mapping, first match wins (the type is compared upper-cased, without its `(...)` size):

* a per-column override (`"jobs.status" = "renderfarm.types:JobStatus"`), then a per-type
  override (`"jsonb" = "..."`), from `[tool.sqlforge.overrides]`;
* the well-known names: `BOOLEAN`/`BOOL` -> bool; `DATETIME`/`TIMESTAMP` -> datetime;
  `DATE` -> date; `JSON`/`JSONB` -> JsonValue; `NUMERIC`/`DECIMAL` -> Decimal; `ANY` and no
  type at all -> object;
* SQLite's affinity rules (https://sqlite.org/datatype3.html#affinity_name_examples), in
  SQLite's order: contains `INT` -> int; `CHAR`, `CLOB`, `TEXT` -> str; `BLOB` -> bytes;
  `REAL`, `FLOA`, `DOUB` -> float;
* anything else has NUMERIC affinity without being a number type (`UUID`, `STRING`, `MONEY`):
  SQLite may hand back an int, a float or a str, so the honest type is `object`, and
  `PythonType.fallback` tells the caller to warn and suggest an override.

An override target is `module:Name` (a class, imported to check it), or one of the built-in
mappings by name: `int`, `bool`, `float`, `decimal`, `str`, `bytes`, `datetime`, `date`,
`json`, `object`. An override class is read with `Name(value)` and written as is when it
subclasses str, int, float or bytes (StrEnum, IntEnum), as `.value` when it is another Enum,
and as `str(value)` otherwise (uuid.UUID, ipaddress, ...).
"""

from __future__ import annotations

import datetime
import decimal
import enum
import importlib
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, cast

from sqlforge.catalog import Column
from sqlforge.config import Config, _key_line
from sqlforge.errors import SqlforgeError
from sqlforge.pysource import string_literal

RUNTIME_MODULE: Final = "_runtime"
"""The runtime conversion module's name inside every generated package."""
RUNTIME_IMPORT: Final = f".{RUNTIME_MODULE}"
"""How generated modules import it: `from ._runtime import ...`."""


@dataclass(frozen=True)
class PythonType:
    """A Python type in generated code, and how values cross the SQLite boundary.

    `reader` and `writer` name functions of the generated runtime module (`_runtime`):
    `reader(value, label)` turns a non-NULL stored value into this type and raises
    `ConversionError` naming `label` (`"jobs.created_at"`) and the value when it cannot;
    `optional_<reader>` does the same and passes NULL through. `writer(value)` turns a Python
    value (or None) into what SQLite stores. None means the value crosses unchanged.
    For override classes the reader is `custom_from_db` and takes the class first:
    `custom_from_db(JobStatus, value, label)` (`reader_takes_type`).
    """

    kind: str
    """`int bool float decimal str bytes datetime date json object custom`."""
    name: str
    """The name as written in annotations: `int`, `datetime`, `Decimal`, `JobStatus`."""
    module: str | None = None
    """Where to import `name` from (`datetime`, `renderfarm.types`, `._runtime`); None for
    builtins."""
    reader: str | None = None
    writer: str | None = None
    reader_takes_type: bool = False
    fallback: bool = False
    """True when the declared type has no mapping and `object` stands in: warn about it."""
    enum_values: tuple[str | int | float, ...] = ()
    """For an Enum override: the members' values (JSON Schema lists them)."""
    base_kind: str = ""
    """For an override class: the kind it is stored as (`str`, `int`, ...), '' if unknown."""

    def annotation(self, *, nullable: bool) -> str:
        return f"{self.name} | None" if nullable else self.name

    @property
    def import_line(self) -> str | None:
        """`from datetime import datetime`, or None for a builtin."""
        return None if self.module is None else f"from {self.module} import {self.name}"

    def read_expression(self, value: str, label: str, *, nullable: bool, runtime: str) -> str:
        """Python source reading `value` (an expression such as `row[3]`); `runtime` is how
        the generated module refers to the runtime module (`_runtime`)."""
        if self.reader is None:
            return value
        function = f"{runtime}.{'optional_' if nullable else ''}{self.reader}"
        arguments = [value, string_literal(label)]  # quoted as ruff format wants
        if self.reader_takes_type:
            arguments.insert(0, self.name)
        return f"{function}({', '.join(arguments)})"

    def write_expression(self, value: str, *, nullable: bool, runtime: str) -> str:
        """Python source turning `value` into what SQLite stores."""
        if self.writer is None:
            return value
        if self.kind == "json" and nullable:
            return f"{runtime}.optional_{self.writer}({value})"
        return f"{runtime}.{self.writer}({value})"


INT: Final = PythonType("int", "int")
BOOL: Final = PythonType("bool", "bool", reader="bool_from_db")
FLOAT: Final = PythonType("float", "float")
DECIMAL: Final = PythonType(
    "decimal", "Decimal", "decimal", reader="decimal_from_db", writer="decimal_to_db"
)
STR: Final = PythonType("str", "str")
BYTES: Final = PythonType("bytes", "bytes")
DATETIME: Final = PythonType(
    "datetime", "datetime", "datetime", reader="datetime_from_db", writer="datetime_to_db"
)
DATE: Final = PythonType("date", "date", "datetime", reader="date_from_db", writer="date_to_db")
JSON: Final = PythonType(
    "json", "JsonValue", RUNTIME_IMPORT, reader="json_from_db", writer="json_to_db"
)
OBJECT: Final = PythonType("object", "object")
UNMAPPED: Final = PythonType("object", "object", fallback=True)

BUILTIN_MAPPINGS: Final[Mapping[str, PythonType]] = {
    "int": INT,
    "bool": BOOL,
    "float": FLOAT,
    "decimal": DECIMAL,
    "str": STR,
    "bytes": BYTES,
    "datetime": DATETIME,
    "date": DATE,
    "json": JSON,
    "object": OBJECT,
}
_WELL_KNOWN: Final[Mapping[str, PythonType]] = {
    "BOOLEAN": BOOL,
    "BOOL": BOOL,
    "DATETIME": DATETIME,
    "TIMESTAMP": DATETIME,
    "DATE": DATE,
    "JSON": JSON,
    "JSONB": JSON,
    "NUMERIC": DECIMAL,
    "DECIMAL": DECIMAL,
    "ANY": OBJECT,
    "": OBJECT,
}
_AFFINITY_RULES: Final = (
    (("INT",), INT),
    (("CHAR", "CLOB", "TEXT"), STR),
    (("BLOB",), BYTES),
    (("REAL", "FLOA", "DOUB"), FLOAT),
)
_KNOWN_CLASSES: Final[Mapping[type, PythonType]] = {
    int: INT,
    bool: BOOL,
    float: FLOAT,
    decimal.Decimal: DECIMAL,
    str: STR,
    bytes: BYTES,
    datetime.datetime: DATETIME,
    datetime.date: DATE,
    object: OBJECT,
}
_STORAGE_BASES: Final = (("str", str), ("int", int), ("float", float), ("bytes", bytes))
_TARGET = re.compile(r"(?P<module>[A-Za-z_][\w.]*):(?P<name>[A-Za-z_]\w*)", re.ASCII)


def type_key(declared: str) -> str:
    """The form declared types are compared in: upper case, single spaces, no `(...)`."""
    base = declared.split("(", 1)[0]
    return " ".join(base.upper().split())


def map_declared_type(declared: str) -> PythonType:
    """The Python type of a declared SQL type, without overrides."""
    key = type_key(declared)
    if key in _WELL_KNOWN:
        return _WELL_KNOWN[key]
    upper = declared.upper()
    for fragments, python_type in _AFFINITY_RULES:
        if any(fragment in upper for fragment in fragments):
            return python_type
    return UNMAPPED


@dataclass(frozen=True)
class TypeMapper:
    """Declared types and columns -> Python types, overrides included."""

    columns: Mapping[tuple[str, str], PythonType] = field(default_factory=dict)
    """Per-column overrides, keyed by case-folded (table, column)."""
    types: Mapping[str, PythonType] = field(default_factory=dict)
    """Per-type overrides, keyed by `type_key`."""

    def for_type(self, declared: str) -> PythonType:
        return self.types.get(type_key(declared)) or map_declared_type(declared)

    def for_column(self, table: str, column: str, declared: str) -> PythonType:
        override = self.columns.get((table.casefold(), column.casefold()))
        return override or self.for_type(declared)

    def column_override(self, table: str, column: str) -> PythonType | None:
        return self.columns.get((table.casefold(), column.casefold()))

    def for_catalog_column(self, table: str, column: Column) -> PythonType:
        """A view column read unchanged from a table column takes that column's override."""
        override = self.column_override(table, column.name)
        if override is None and column.origin is not None:
            override = self.column_override(*column.origin)
        return override or self.for_type(column.declared_type)


def type_mapper(config: Config) -> TypeMapper:
    """The mapper of a configuration; a bad override is an error naming it and the file."""
    columns: dict[tuple[str, str], PythonType] = {}
    types: dict[str, PythonType] = {}
    with _project_on_path(config.root):
        for key, target in sorted(config.overrides.items()):
            python_type = _resolve_override(key, target, config)
            if "." in key:
                table, column = key.split(".", 1)
                columns[(table.strip().casefold(), column.strip().casefold())] = python_type
            else:
                types[type_key(key)] = python_type
    return TypeMapper(columns=columns, types=types)


def _resolve_override(key: str, target: str, config: Config) -> PythonType:
    if target in BUILTIN_MAPPINGS:
        return BUILTIN_MAPPINGS[target]
    match = _TARGET.fullmatch(target)
    if match is None or not key.strip() or key.startswith(".") or key.endswith("."):
        raise _override_error(
            key,
            target,
            config,
            "is not `module:Name` or a built-in mapping",
        )
    module_name, name = match["module"], match["name"]
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any failure while importing user code is the user's to fix
        raise _override_error(
            key, target, config, f"cannot import module {module_name} ({error})"
        ) from None
    value = getattr(module, name, None)
    if value is None:
        problem = f"module {module_name} has no attribute {name}"
        raise _override_error(key, target, config, problem)
    if not isinstance(value, type):
        raise _override_error(key, target, config, f"{module_name}.{name} is not a class")
    return _override_type(value, module_name, name)


def _override_type(cls: type, module: str, name: str) -> PythonType:
    known = _KNOWN_CLASSES.get(cls)
    if known is not None:
        return known
    base_kind = next((kind for kind, base in _STORAGE_BASES if issubclass(cls, base)), "")
    members = tuple(cls) if issubclass(cls, enum.Enum) else ()
    writer = None if base_kind else "enum_to_db" if members else "text_to_db"
    return PythonType(
        "custom",
        name,
        module,
        reader="custom_from_db",
        writer=writer,
        reader_takes_type=True,
        enum_values=_json_values(member.value for member in members),
        base_kind=base_kind,
    )


def _json_values(values: Iterable[object]) -> tuple[str | int | float, ...]:
    """An Enum's values as JSON Schema can list them; none when one is no JSON scalar (an
    Enum of bytes or tuples is still an override class, only its schema lists no values)."""
    listed = tuple(values)
    if all(isinstance(value, str | int | float) for value in listed):
        return cast(tuple[str | int | float, ...], listed)
    return ()


def _override_error(key: str, target: str, config: Config, problem: str) -> SqlforgeError:
    return SqlforgeError(
        f"override `{key}` = `{target}`: {problem}",
        path=config.source,
        line=_key_line(config.source, key) or _key_line(config.source, "overrides"),
        hint='use "table.column" or a declared type as the key, and `module:Class` of an'
        " importable class (or int, bool, float, decimal, str, bytes, datetime, date, json,"
        " object) as the value",
    )


@contextmanager
def _project_on_path(root: Path) -> Iterator[None]:
    """Let override targets of the project itself import without installing it first
    (`src/` layout or flat), as they would in its own tests."""
    added = [str(p) for p in (root / "src", root) if p.is_dir() and str(p) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for entry in added:
            sys.path.remove(entry)
