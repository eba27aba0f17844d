"""The few pieces of Go's text handling that goose's behaviour (and its messages) depend on.

goose is written in Go, so "whitespace", "trim", "quoted" and "an integer" mean what Go's
`unicode.IsSpace`, `strings.TrimSpace`, `strconv.Quote` and `strconv.Atoi` say. Python's
built-ins differ in small ways (`str.strip()` also strips U+001C..U+001F, `repr` quotes
differently, `int()` accepts `_` and non-ASCII digits), and those differences would change which
line ends a statement or what an error message says.
"""

from __future__ import annotations

import re

# unicode.IsSpace: the Latin-1 spaces plus the Unicode White_Space property.
GO_WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
GO_WORD = re.compile("[^" + re.escape(GO_WHITESPACE) + "]+")

_NAMED_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}
_MAX_UINT64 = 2**64 - 1
_MAX_INT64 = 2**63 - 1


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_WHITESPACE)


def utf8_length(text: str) -> int:
    """Length in bytes, as Go counts it (Go strings are UTF-8 bytes)."""
    return len(text.encode("utf-8", "surrogatepass"))


def has_utf8_length_at_least(text: str, limit: int) -> bool:
    """`utf8_length(text) >= limit`, without encoding text that is obviously short or long."""
    if len(text) >= limit:
        return True
    if len(text) * 4 < limit:  # a code point is at most 4 bytes
        return False
    return utf8_length(text) >= limit


def quote(text: str) -> str:
    """strconv.Quote, which is what `%q` prints."""
    return '"' + "".join(_quoted_char(char) for char in text) + '"'


def _quoted_char(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    # Go's IsPrint and Python's isprintable agree: categories L, M, N, P, S and ASCII space.
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF:  # not a valid rune; Go prints the replacement character
        return "\\ufffd"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def format_rune(char: str | None) -> str:
    """`%c` of a rune; None stands for Go's end-of-input rune (-1), printed as U+FFFD."""
    return "\ufffd" if char is None else char


def atoi(text: str) -> int:
    """strconv.Atoi on a 64-bit platform; raises ValueError with Go's message."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits:
        raise ValueError(_atoi_message(text, "invalid syntax"))
    value = 0
    for char in digits:
        if not "0" <= char <= "9":
            raise ValueError(_atoi_message(text, "invalid syntax"))
        value = value * 10 + ord(char) - ord("0")
        # ParseUint gives up as soon as the unsigned 64-bit range overflows, even before a
        # later non-digit would have been a syntax error.
        if value > _MAX_UINT64:
            raise ValueError(_atoi_message(text, "value out of range"))
    negative = text.startswith("-")
    if value > _MAX_INT64 + negative:
        raise ValueError(_atoi_message(text, "value out of range"))
    return -value if negative else value


def _atoi_message(text: str, reason: str) -> str:
    return f"strconv.Atoi: parsing {quote(text)}: {reason}"
