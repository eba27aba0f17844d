"""The catalog: what `schema.sql` declares, read back from SQLite itself.

Plain data, consumed by model generation and query analysis. (`load_catalog` is being
implemented; the shapes below are the contract between the stages.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TableKind = Literal["table", "view"]
Generated = Literal["", "virtual", "stored"]


@dataclass(frozen=True)
class Column:
    name: str
    declared_type: str
    """Exactly as declared (`VARCHAR(20)`, `DATETIME`), '' when the column has no type."""
    not_null: bool
    """True for NOT NULL columns and for a rowid alias (`INTEGER PRIMARY KEY`)."""
    default: str | None
    """The default's SQL text as SQLite stores it, None when there is none."""
    primary_key: int
    """1-based position in the primary key, 0 when not part of it."""
    generated: Generated = ""


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]
    on_update: str
    on_delete: str


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
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

    def column(self, name: str) -> Column | None:
        folded = name.casefold()
        return next((c for c in self.columns if c.name.casefold() == folded), None)


@dataclass(frozen=True)
class Catalog:
    tables: tuple[Table, ...]
    """Tables and views, in the order schema.sql lists them."""
    schema_sql: str
    """The text the catalog was read from; query analysis prepares statements against it."""

    def table(self, name: str) -> Table | None:
        folded = name.casefold()
        return next((t for t in self.tables if t.name.casefold() == folded), None)
