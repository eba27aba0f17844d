"""Go's text rules that goose's behaviour and messages rest on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqlforge import gotext


@pytest.mark.parametrize(
    ("text", "trimmed"),
    [
        ("  a b  ", "a b"),
        ("\t\n\v\f\r a \r\n", "a"),
        ("\x85\xa0a\u2028\u3000", "a"),
        ("\x1ca\x1f", "\x1ca\x1f"),  # Python's strip() would remove these; Go's does not
        ("\u200ba\ufeff", "\u200ba\ufeff"),  # zero-width space and BOM are not spaces
        ("", ""),
    ],
)
def test_trim_space(text: str, trimmed: str) -> None:
    assert gotext.trim_space(text) == trimmed


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("a\nb\tc\rd", '"a\\nb\\tc\\rd"'),
        ("\a\b\f\v", '"\\a\\b\\f\\v"'),
        ("\x00\x1b\x7f", '"\\x00\\x1b\\x7f"'),
        ("caf\u00e9 \u65e5\u672c", '"caf\u00e9 \u65e5\u672c"'),
        ("\xa0\u2028\ufeff\u200b", '"\\u00a0\\u2028\\ufeff\\u200b"'),
        ("\U0001f600", '"\U0001f600"'),
        ("\U000e0001", '"\\U000e0001"'),
    ],
)
def test_quote(text: str, quoted: str) -> None:
    assert gotext.quote(text) == quoted


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("+7", 7),
        ("-7", -7),
        ("007", 7),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_atoi(text: str, value: int) -> None:
    assert gotext.atoi(text) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "invalid syntax"),
        ("+", "invalid syntax"),
        ("1_000", "invalid syntax"),
        (" 1", "invalid syntax"),
        ("0x10", "invalid syntax"),
        ("\u0661", "invalid syntax"),
        ("9223372036854775808", "value out of range"),
        ("-9223372036854775809", "value out of range"),
        # Still within 64 unsigned bits when the `x` comes: a syntax error ...
        ("9223372036854775808x", "invalid syntax"),
        # ... but past them first: out of range, before the `x` is seen.
        ("18446744073709551616x", "value out of range"),
    ],
)
def test_atoi_errors(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        gotext.atoi(text)
    assert str(raised.value) == f"strconv.Atoi: parsing {gotext.quote(text)}: {reason}"


def test_format_rune_prints_end_of_input_as_replacement_character() -> None:
    assert gotext.format_rune(None) == "\ufffd"
    assert gotext.format_rune("x") == "x"


@given(st.text(max_size=30))
def test_utf8_length_checks_agree(text: str) -> None:
    length = gotext.utf8_length(text)
    for limit in (0, 1, len(text), length, length + 1):
        assert gotext.has_utf8_length_at_least(text, limit) is (length >= limit)
