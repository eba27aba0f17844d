"""The runtime conversions copied into generated packages, against real SQLite values."""

from __future__ import annotations

import enum
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqlforge.runtime import conversions as rt

PLUS_TWO = timezone(timedelta(hours=2))
MINUS_SEVEN = timezone(timedelta(hours=-7))


@pytest.fixture
def db() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE t (b BOOLEAN, n NUMERIC, d DECIMAL(10, 2), ts DATETIME, day DATE,"
        " j JSON, s TEXT)"
    )
    yield connection
    connection.close()


def stored(db: sqlite3.Connection, column: str, value: object) -> object:
    """Write through SQLite and read back what SQLite returns (affinity applied)."""
    db.execute("DELETE FROM t")
    db.execute(f"INSERT INTO t ({column}) VALUES (?)", (value,))
    return db.execute(f"SELECT {column} FROM t").fetchone()[0]


# datetimes: every form real databases hold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31 09:05:00", datetime(2026, 1, 31, 9, 5, tzinfo=UTC)),
        ("2026-01-31T09:05:00", datetime(2026, 1, 31, 9, 5, tzinfo=UTC)),
        ("2026-01-31T09:05:00Z", datetime(2026, 1, 31, 9, 5, tzinfo=UTC)),
        ("2026-01-31T09:05:00+02:00", datetime(2026, 1, 31, 9, 5, tzinfo=PLUS_TWO)),
        ("2026-01-31 09:05:00.25", datetime(2026, 1, 31, 9, 5, 0, 250000, tzinfo=UTC)),
        ("2026-01-31T09:05:00.123Z", datetime(2026, 1, 31, 9, 5, 0, 123000, tzinfo=UTC)),
        (
            "2026-01-31T09:05:00.123456789+02:00",
            datetime(2026, 1, 31, 9, 5, 0, 123456, tzinfo=PLUS_TWO),
        ),
        (
            "2006-01-02 15:04:05.999999999-07:00",
            datetime(2006, 1, 2, 15, 4, 5, 999999, tzinfo=MINUS_SEVEN),
        ),
        ("2006-01-02 15:04:05-07:00", datetime(2006, 1, 2, 15, 4, 5, tzinfo=MINUS_SEVEN)),
        (
            "2006-01-02 15:04:05.5 -0700 MST",
            datetime(2006, 1, 2, 15, 4, 5, 500000, tzinfo=MINUS_SEVEN),
        ),
        (
            "2006-01-02 15:04:05.123456789 +0000 UTC m=+0.000123",
            datetime(2006, 1, 2, 15, 4, 5, 123456, tzinfo=UTC),
        ),
        ("2026-01-31 09:05", datetime(2026, 1, 31, 9, 5, tzinfo=UTC)),
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=UTC)),
        (
            "2026-01-31 09:05:00.250000+00:00",
            datetime(2026, 1, 31, 9, 5, 0, 250000, tzinfo=UTC),
        ),
    ],
)
def test_datetime_reads_every_form(text: str, expected: datetime) -> None:
    value = rt.datetime_from_db(text, "jobs.created_at")
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


def test_datetime_reads_sqlite_datetime_now(db: sqlite3.Connection) -> None:
    now = db.execute("SELECT datetime('now')").fetchone()[0]
    value = rt.datetime_from_db(now, "t.ts")
    assert value.tzinfo is UTC
    assert abs(datetime.now(UTC) - value) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "value", ["garbage", "2026-13-01 00:00:00", "2026-01-31x09:05:00", "", 1767225600, b"x"]
)
def test_unreadable_datetime_names_table_column_and_value(value: object) -> None:
    with pytest.raises(rt.ConversionError) as caught:
        rt.datetime_from_db(value, "jobs.created_at")
    message = str(caught.value)
    assert "jobs.created_at" in message
    assert repr(value) in message
    assert caught.value.label == "jobs.created_at"
    assert caught.value.value == value


def test_datetime_is_written_in_the_canonical_form() -> None:
    value = datetime(2026, 1, 31, 11, 5, 0, 250000, tzinfo=PLUS_TWO)
    assert rt.datetime_to_db(value) == "2026-01-31 09:05:00.250000+00:00"
    assert rt.datetime_to_db(datetime(2026, 1, 31, tzinfo=UTC)) == (
        "2026-01-31 00:00:00.000000+00:00"
    )
    assert rt.datetime_to_db(None) is None


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(rt.ConversionError, match="timezone-aware"):
        rt.datetime_to_db(datetime(2026, 1, 31, 9, 5))


def test_canonical_form_is_understood_and_ordered_by_sqlite(db: sqlite3.Connection) -> None:
    early = rt.datetime_to_db(datetime(2026, 1, 31, 9, 5, 0, 1, tzinfo=UTC))
    late = rt.datetime_to_db(datetime(2026, 1, 31, 10, 5, tzinfo=PLUS_TWO))
    assert db.execute("SELECT datetime(?)", (early,)).fetchone()[0] == "2026-01-31 09:05:00"
    assert db.execute("SELECT ? < ?", (late, early)).fetchone()[0] == 1


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, PLUS_TWO, MINUS_SEVEN]),
    )
)
def test_datetime_round_trip(value: datetime) -> None:
    text = rt.datetime_to_db(value)
    assert text is not None
    assert len(text) == len("2026-01-31 09:05:00.000000+00:00")
    assert rt.datetime_from_db(text, "t.ts") == value


def test_datetime_round_trip_through_sqlite(db: sqlite3.Connection) -> None:
    value = datetime(2026, 1, 31, 9, 5, 0, 123456, tzinfo=PLUS_TWO)
    assert rt.datetime_from_db(stored(db, "ts", rt.datetime_to_db(value)), "t.ts") == value
    assert rt.optional_datetime_from_db(stored(db, "ts", None), "t.ts") is None


# dates


@pytest.mark.parametrize(
    "text",
    ["2026-01-31", "2026-01-31 00:00:00", "2026-01-31T00:00:00Z", "2026-01-31 00:00:00+00:00"],
)
def test_date_reads_dates_and_midnights(text: str) -> None:
    assert rt.date_from_db(text, "t.day") == date(2026, 1, 31)


@pytest.mark.parametrize("value", ["2026-01-31 10:00:00", "31/01/2026", 20260131, None])
def test_unreadable_date(value: object) -> None:
    with pytest.raises(rt.ConversionError, match=r"t\.day"):
        rt.date_from_db(value, "t.day")


def test_date_round_trip(db: sqlite3.Connection) -> None:
    value = date(2026, 1, 31)
    assert rt.date_to_db(value) == "2026-01-31"
    assert rt.date_from_db(stored(db, "day", rt.date_to_db(value)), "t.day") == value
    assert rt.optional_date_from_db(None, "t.day") is None
    assert rt.date_to_db(None) is None
    with pytest.raises(rt.ConversionError):
        rt.date_to_db(datetime(2026, 1, 31, tzinfo=UTC))


# booleans


def test_booleans_round_trip_as_zero_and_one(db: sqlite3.Connection) -> None:
    for value in (True, False):
        assert stored(db, "b", rt.bool_to_db(value)) == int(value)
        assert rt.bool_from_db(stored(db, "b", rt.bool_to_db(value)), "t.b") is value
    assert rt.bool_to_db(True) == 1
    assert rt.bool_to_db(None) is None
    assert rt.optional_bool_from_db(None, "t.b") is None
    assert rt.bool_from_db(2, "t.b") is True


@pytest.mark.parametrize("value", ["true", 1.5, b"\x01"])
def test_unreadable_boolean(value: object) -> None:
    with pytest.raises(rt.ConversionError, match=r"t\.b"):
        rt.bool_from_db(value, "t.b")


# decimals


@pytest.mark.parametrize(
    "value", [Decimal("1.10"), Decimal("12345678901.2345"), Decimal("-0.5"), Decimal(7)]
)
def test_decimal_round_trip_through_numeric_affinity(
    db: sqlite3.Connection, value: Decimal
) -> None:
    for column in ("n", "d"):
        back = rt.decimal_from_db(stored(db, column, rt.decimal_to_db(value)), f"t.{column}")
        assert back == value


def test_decimals_beyond_15_digits_need_a_text_column(db: sqlite3.Connection) -> None:
    """NUMERIC affinity turns such text into a REAL (SQLite's rule); TEXT keeps it exact."""
    value = Decimal("123456789012345678901234.5678")
    assert rt.decimal_from_db(stored(db, "n", rt.decimal_to_db(value)), "t.n") != value
    assert rt.decimal_from_db(stored(db, "s", rt.decimal_to_db(value)), "t.s") == value


def test_decimal_reads_floats_by_their_shortest_repr() -> None:
    assert str(rt.decimal_from_db(0.1, "t.n")) == "0.1"
    assert rt.decimal_to_db(None) is None
    assert rt.optional_decimal_from_db(None, "t.n") is None


@pytest.mark.parametrize("value", ["abc", b"1", None])
def test_unreadable_decimal(value: object) -> None:
    with pytest.raises(rt.ConversionError, match=r"t\.n"):
        rt.decimal_from_db(value, "t.n")


# JSON


@pytest.mark.parametrize(
    "value", [{"b": [1, 2.5, None, True], "a": "é"}, [], "text", 5, 1.5, False, None]
)
def test_json_round_trip(db: sqlite3.Connection, value: rt.JsonValue) -> None:
    assert rt.json_from_db(stored(db, "j", rt.json_to_db(value)), "t.j") == value


def test_json_is_written_compactly_and_deterministically() -> None:
    assert rt.json_to_db({"b": 1, "a": [1, "é"]}) == '{"b":1,"a":[1,"é"]}'
    assert rt.json_to_db(None) == "null"
    assert rt.optional_json_to_db(None) is None
    assert rt.optional_json_to_db([1]) == "[1]"
    assert rt.optional_json_from_db(None, "t.j") is None


def test_json_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(rt.ConversionError):
        rt.json_to_db(float("nan"))
    with pytest.raises(rt.ConversionError):
        rt.json_to_db({"when": datetime(2026, 1, 1, tzinfo=UTC)})  # type: ignore[dict-item]


def test_unreadable_json_names_the_column() -> None:
    with pytest.raises(rt.ConversionError, match=r"t\.j.*'\{nope'"):
        rt.json_from_db("{nope", "t.j")
    binary_jsonb = b"\x8c\x01\xff"
    with pytest.raises(rt.ConversionError, match=r"json\(column\)"):
        rt.json_from_db(binary_jsonb, "t.j")


# override classes


class Status(enum.StrEnum):
    QUEUED = "queued"
    ACTIVE = "active"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


def test_str_enums_round_trip_unchanged(db: sqlite3.Connection) -> None:
    assert stored(db, "s", Status.ACTIVE) == "active"
    assert rt.custom_from_db(Status, "active", "jobs.status") is Status.ACTIVE
    assert rt.optional_custom_from_db(Status, None, "jobs.status") is None


def test_plain_enums_are_written_by_value() -> None:
    assert rt.enum_to_db(Level.HIGH) == 2
    assert rt.enum_to_db(None) is None
    assert rt.custom_from_db(Level, 2, "t.level") is Level.HIGH


def test_other_classes_are_written_as_text() -> None:
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert rt.text_to_db(value) == "12345678-1234-5678-1234-567812345678"
    assert rt.custom_from_db(uuid.UUID, rt.text_to_db(value), "t.id") == value
    assert rt.text_to_db(None) is None


def test_unreadable_override_value_names_column_value_and_class() -> None:
    with pytest.raises(rt.ConversionError) as caught:
        rt.custom_from_db(Status, "bogus", "jobs.status")
    assert str(caught.value) == "jobs.status: cannot convert 'bogus' to Status"


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(rt.ConversionError) as caught:
        rt.datetime_from_db("x" * 500, "t.ts")
    assert len(str(caught.value)) < 150
