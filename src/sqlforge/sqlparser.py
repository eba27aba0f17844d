"""goose's SQL migration format (placeholder: being implemented)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class Direction(enum.Enum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class Statement:
    text: str
    line: int


@dataclass(frozen=True)
class ParsedSQL:
    statements: tuple[Statement, ...]
    use_transaction: bool


class SqlParseError(Exception):
    def __init__(self, message: str, *, line: int | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


def parse_sql(text: str, direction: Direction, environ: Mapping[str, str]) -> ParsedSQL:
    raise NotImplementedError
