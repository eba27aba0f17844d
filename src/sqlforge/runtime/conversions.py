"""Conversions between SQLite storage and Python values, for the generated code.

sqlforge copies this module into every generated package as `_runtime.py`; it uses
the standard library only. Generated code calls one function per column (no
reflection per row): `<type>_from_db(value, label)` for a NOT NULL value,
`optional_<type>_from_db(value, label)` when NULL is possible, `<type>_to_db(value)`
for parameters. `label` names what is read (`"jobs.created_at"`) so that a value
that cannot be read raises `ConversionError` naming the table, the column and the
value.

Datetimes are written in one canonical form: UTC, a space between date and time,
microseconds, and an explicit offset, `YYYY-MM-DD HH:MM:SS.ffffff+00:00`
(`2026-01-31 09:05:00.250000+00:00`). It has a fixed width, so text order is time
order; it sorts consistently with SQLite's own `datetime('now')` text; SQLite's
date functions read it. Naive datetimes are refused (attach a zone:
`datetime.now(UTC)`), rather than guessed.

Datetimes are read from: SQLite's `datetime('now')` (`YYYY-MM-DD HH:MM:SS`), ISO
8601 with `T` or a space, `Z` or `+HH:MM` offsets and fractions (beyond
microseconds, truncated), a bare date (midnight), and Go's forms
(`2006-01-02 15:04:05.999999999-07:00`, and `time.Time.String()`,
`2006-01-02 15:04:05.999999999 -0700 MST`). A value without an offset is UTC, as in
SQLite's date functions; every datetime read is timezone-aware.

Booleans are stored as 0/1; Decimals as text (SQLite's NUMERIC affinity may keep
them as numbers, read back exactly through their shortest repr; beyond 15
significant digits only a TEXT column keeps them exact); JSON as compact text
(`json.dumps` with `(",", ":")` separators, non-ASCII kept, NaN refused).
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import enum as _enum
import json as _json
import re as _re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    JsonValue: TypeAlias = (
        "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"
    )
else:
    # Model libraries that inspect annotations at run time (pydantic, msgspec) cannot
    # follow a recursive alias; to them a JSON value is any object, to type checkers it
    # is exact.
    JsonValue = object

T = TypeVar("T")

_UTC = _dt.UTC
_SEPARATORS = frozenset("Tt ")
_GO_TIME_STRING = _re.compile(
    r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d)(\d\d)(?: [A-Za-z0-9+-]+)?"
    r"(?: m=[+-][\d.]+)?"
)
_VALUE_PREVIEW = 80
_JSON_ENCODER = _json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    allow_nan=False,
)


class ConversionError(ValueError):
    """A stored value that cannot be read as the declared type, or a value that
    cannot be written."""

    def __init__(self, label: str, value: object, expected: str) -> None:
        preview = repr(value)
        if len(preview) > _VALUE_PREVIEW:
            preview = preview[: _VALUE_PREVIEW - 3] + "..."
        super().__init__(f"{label}: cannot convert {preview} to {expected}")
        self.label = label
        self.value = value
        self.expected = expected


# booleans


def bool_from_db(value: object, label: str) -> bool:
    """0 is False, any other integer True (SQLite's truth); anything else is an
    error."""
    if type(value) is int:
        return value != 0
    raise ConversionError(label, value, "a boolean (0 or 1)")


def optional_bool_from_db(value: object, label: str) -> bool | None:
    return None if value is None else bool_from_db(value, label)


def bool_to_db(value: bool | None) -> int | None:
    return None if value is None else int(value)


# decimals


def decimal_from_db(value: object, label: str) -> _decimal.Decimal:
    try:
        if isinstance(value, str | int):
            return _decimal.Decimal(value)
        if isinstance(value, float):
            return _decimal.Decimal(repr(value))
    except _decimal.InvalidOperation:
        pass
    raise ConversionError(label, value, "a decimal")


def optional_decimal_from_db(value: object, label: str) -> _decimal.Decimal | None:
    return None if value is None else decimal_from_db(value, label)


def decimal_to_db(value: _decimal.Decimal | None) -> str | None:
    return None if value is None else str(value)


# datetimes


def datetime_from_db(value: object, label: str) -> _dt.datetime:
    if type(value) is str:
        parsed = _parse_datetime(value)
        if parsed is not None:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)
    raise ConversionError(label, value, "a datetime")


def optional_datetime_from_db(value: object, label: str) -> _dt.datetime | None:
    return None if value is None else datetime_from_db(value, label)


def datetime_to_db(value: _dt.datetime | None) -> str | None:
    """The canonical form, `YYYY-MM-DD HH:MM:SS.ffffff+00:00`."""
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ConversionError("datetime parameter", value, "a timezone-aware datetime")
    return value.astimezone(_UTC).isoformat(sep=" ", timespec="microseconds")


def _parse_datetime(text: str) -> _dt.datetime | None:
    if len(text) > 10 and text[10] not in _SEPARATORS:
        return None
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        return _parse_go_time_string(text)


def _parse_go_time_string(text: str) -> _dt.datetime | None:
    match = _GO_TIME_STRING.fullmatch(text)
    if match is None:
        return None
    date, time, hours, minutes = match.groups()
    try:
        return _dt.datetime.fromisoformat(f"{date}T{time}{hours}:{minutes}")
    except ValueError:
        return None


# dates


def date_from_db(value: object, label: str) -> _dt.date:
    """`YYYY-MM-DD`, or a datetime at midnight (Go drivers store dates that way)."""
    if type(value) is str:
        parsed = _parse_datetime(value) if len(value) > 10 else _parse_date(value)
        if parsed is not None and parsed.time() == _dt.time(0):
            return parsed.date()
    raise ConversionError(label, value, "a date")


def optional_date_from_db(value: object, label: str) -> _dt.date | None:
    return None if value is None else date_from_db(value, label)


def date_to_db(value: _dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        raise ConversionError("date parameter", value, "a date (not a datetime)")
    return value.isoformat()


def _parse_date(text: str) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        return None


# JSON


def json_from_db(value: object, label: str) -> JsonValue:
    """JSON text; numbers come back as numbers (a JSON column has NUMERIC affinity)."""
    if isinstance(value, str | bytes):
        try:
            loaded: JsonValue = _json.loads(value)
            return loaded
        except ValueError:
            pass
    elif isinstance(value, int | float):
        return value
    binary = type(value) is bytes
    expected = "JSON (select a JSONB blob as json(column))" if binary else "JSON"
    raise ConversionError(label, value, expected)


def optional_json_from_db(value: object, label: str) -> JsonValue:
    """SQL NULL and JSON `null` both read as None."""
    return None if value is None else json_from_db(value, label)


def json_to_db(value: JsonValue) -> str:
    """JSON text, `null` for None."""
    try:
        return _JSON_ENCODER.encode(value)
    except (TypeError, ValueError) as error:
        raise ConversionError("JSON parameter", value, f"JSON ({error})") from None


def optional_json_to_db(value: JsonValue) -> str | None:
    """SQL NULL for None (the column is nullable), JSON text otherwise."""
    return None if value is None else json_to_db(value)


# override classes (`module:Class` in [tool.sqlforge.overrides])


def custom_from_db(kind: Callable[[Any], T], value: object, label: str) -> T:
    """`Class(value)`, with a `ConversionError` naming the column when it fails."""
    try:
        return kind(value)
    except (TypeError, ValueError, ArithmeticError):
        name = getattr(kind, "__name__", repr(kind))
        raise ConversionError(label, value, name) from None


def optional_custom_from_db(
    kind: Callable[[Any], T],
    value: object,
    label: str,
) -> T | None:
    return None if value is None else custom_from_db(kind, value, label)


def enum_to_db(value: _enum.Enum | None) -> object:
    return None if value is None else value.value


def text_to_db(value: object) -> str | None:
    return None if value is None else str(value)
