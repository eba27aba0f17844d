"""ENVSUB's substitution grammar, form by form, with the interpolate library's exact messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqlforge.envsub import EnvsubError, interpolate

FARM = {
    "FARM_NAME": "render",
    "FARM_EMPTY": "",
    "FARM_COMMIT": "0123456789abcdef",
    "FARM_NOTE": "uses $FARM_NAME",
    "FARM_ACCENT": "caf\u00e9!",
    "\u00c9QUIPE": "team",
    "FARM_2": "two",
}


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("", ""),
        ("no variables here", "no variables here"),
        ("farm_name", "farm_name"),
        ("$FARM_NAME", "render"),
        ("${FARM_NAME}", "render"),
        ("x$FARM_NAME.y", "xrender.y"),
        ("$FARM_NAME_suffix", ""),  # the name runs on: FARM_NAME_suffix is unset
        ("${FARM_NAME}_suffix", "render_suffix"),
        ("$FARM_2x", ""),
        ("$FARM_2-x", "two-x"),
        ("$Farm_name", ""),  # names are case-sensitive
        ("$FARM_MISSING|${FARM_MISSING}|", "||"),
        ("$FARM_NOTE", "uses $FARM_NAME"),  # values are not expanded again
        ("$\u00c9QUIPE", "team"),  # a Unicode letter may start a name
        # defaults
        ("${FARM_EMPTY:-word}", "word"),
        ("${FARM_EMPTY-word}", ""),
        ("${FARM_MISSING-word}", "word"),
        ("${FARM_MISSING:-word}", "word"),
        ("${FARM_NAME:-word}", "render"),
        ("${FARM_NAME-word}", "render"),
        ("${FARM_MISSING:-}", ""),
        ("${FARM_MISSING:-a ${FARM_OTHER:-$FARM_NAME} b}", "a render b"),
        ("${FARM_EMPTY:--:{x}", "-:{x"),  # the word ends at the first `}`
        ("${FARM_MISSING:-$$}", "$"),
        # required
        ("${FARM_NAME?must be set}", "render"),
        ("${FARM_EMPTY?must be set}", ""),
        # substrings, in bytes
        ("${FARM_COMMIT:0}", "0123456789abcdef"),
        ("${FARM_COMMIT:4}", "456789abcdef"),
        ("${FARM_COMMIT:0:4}", "0123"),
        ("${FARM_COMMIT:4:3}", "456"),
        ("${FARM_COMMIT: -3}", "def"),
        ("${FARM_COMMIT: -99}", "0123456789abcdef"),
        ("${FARM_COMMIT:99}", ""),
        ("${FARM_COMMIT:2:-12}", "23"),
        ("${FARM_COMMIT:2:-99}", ""),
        ("${FARM_COMMIT:3:0}", ""),
        ("${FARM_COMMIT:3:99}", "3456789abcdef"),
        ("${FARM_COMMIT: +2 : 2 }", "23"),
        ("${FARM_MISSING:3:2}", ""),
        ("${FARM_ACCENT:3:2}", "\u00e9"),
        ("${FARM_ACCENT: -1}", "!"),
        ("${FARM_COMMIT:1\ufffd2}", "12"),  # U+FFFD stops the offset; goose then skips it
        # escapes and things left alone
        ("$$FARM_NAME", "$FARM_NAME"),
        ("\\$FARM_NAME", "$FARM_NAME"),
        ("$${FARM_NAME}", "${FARM_NAME}"),
        ("\\${FARM_NAME}", "${FARM_NAME}"),
        ("a\\\\b", "a\\\\b"),
        ("a\\b", "a\\b"),
        ("\\\\$FARM_NAME", "\\\\render"),
        ("$(date) and $(", "$(date) and $("),
        ("cost: 5$", "cost: 5$"),
        ("$", "$"),
        ("}{:-", "}{:-"),
    ],
)
def test_expansion(text: str, expanded: str) -> None:
    assert interpolate(text, FARM) == expanded


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${FARM_MISSING?name the farm}", "$FARM_MISSING: name the farm"),
        ("${FARM_MISSING?}", "$FARM_MISSING: not set"),
        ("${FARM_MISSING?${FARM_EMPTY}}", "$FARM_MISSING: not set"),
        ("${FARM_MISSING?set $FARM_NAME}", "$FARM_MISSING: set render"),
        ("${FARM_MISSING?a {b}", "$FARM_MISSING: a {b"),
        ("${FARM_MISSING?${FARM_OTHER?inner}}", "$FARM_OTHER: inner"),
        ("$1", "Expected identifier to start with a letter, got 1"),
        ("SELECT $9 FROM t", "Expected identifier to start with a letter, got 9"),
        ("$_x", "Expected identifier to start with a letter, got _"),
        ("$ x", "Expected identifier to start with a letter, got  "),
        ("${", "Expected identifier to start with a letter, got \ufffd"),
        ("${}", "Expected identifier to start with a letter, got }"),
        ("${FARM_NAME", "Expected an operator, got \ufffd"),
        ("${FARM_NAME+x}", "Expected an operator, got +"),
        ("${FARM_NAME x}", "Expected an operator, got  "),
        ("${FARM_NAME:-x", "Expected brace expansion to end with }, got \ufffd"),
        ("${FARM_MISSING:-$}", "Expected identifier to start with a letter, got }"),
        ("${FARM_NAME:?x}", 'Unable to parse offset: strconv.Atoi: parsing "?x": invalid syntax'),
        ("${FARM_NAME:}", 'Unable to parse offset: strconv.Atoi: parsing "": invalid syntax'),
        ("${FARM_NAME:1_0}", 'Unable to parse offset: strconv.Atoi: parsing "1_0": invalid syntax'),
        (
            "${FARM_NAME:\u0663}",  # Arabic-Indic three: Go's Atoi takes ASCII digits only
            'Unable to parse offset: strconv.Atoi: parsing "\u0663": invalid syntax',
        ),
        ("${FARM_NAME:1:}", 'Unable to parse length: strconv.Atoi: parsing "": invalid syntax'),
        ("${FARM_NAME:1", 'Unable to parse length: strconv.Atoi: parsing "": invalid syntax'),
        ("${FARM_NAME:1:2", "Expected brace expansion to end with }, got \ufffd"),
        (
            "${FARM_NAME:1\ufffd}",
            'Unable to parse length: strconv.Atoi: parsing "": invalid syntax',
        ),
        (
            "${FARM_NAME:99999999999999999999}",
            'Unable to parse offset: strconv.Atoi: parsing "99999999999999999999": '
            "value out of range",
        ),
        # A syntax error anywhere on the line wins over an unset required variable.
        ("${FARM_MISSING?} $1", "Expected identifier to start with a letter, got 1"),
    ],
)
def test_error(text: str, message: str) -> None:
    with pytest.raises(EnvsubError) as raised:
        interpolate(text, FARM)
    assert raised.value.message == message
    assert raised.value.hint


def test_substring_that_cuts_a_character_is_refused() -> None:
    # goose would hand the database half a UTF-8 character; we refuse instead.
    with pytest.raises(EnvsubError, match="multi-byte"):
        interpolate("${FARM_ACCENT:4}", FARM)


def test_colon_question_hint_points_at_the_supported_form() -> None:
    with pytest.raises(EnvsubError) as raised:
        interpolate("${FARM_NAME:?say it}", {})
    assert "${NAME?message}" in raised.value.hint


@given(st.text(st.characters(blacklist_characters="\\"), max_size=60))
def test_doubled_dollars_come_back_literally(text: str) -> None:
    assert interpolate(text.replace("$", "$$"), {}) == text


@given(st.text(st.characters(blacklist_characters="$"), max_size=60))
def test_text_without_dollars_is_unchanged(text: str) -> None:
    assert interpolate(text, FARM) == text


@given(st.text(max_size=40))
def test_anything_expands_or_raises_envsub_error(text: str) -> None:
    try:
        interpolate(text, FARM)
    except EnvsubError as error:
        assert error.message
