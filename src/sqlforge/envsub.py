"""`-- +goose ENVSUB ON`: environment-variable substitution, one line at a time, as goose does it.

goose expands each line of an ENVSUB region with github.com/mfridman/interpolate (a fork of
buildkite/interpolate). The grammar, which this module reproduces:

    $NAME  ${NAME}                      the value, or "" when NAME is unset
    ${NAME:-word}                       word when NAME is unset or empty
    ${NAME-word}                        word when NAME is unset
    ${NAME?message}                     an error "$NAME: message" ("not set" if empty) when unset
    ${NAME:offset}  ${NAME:offset:len}  a substring, counted in UTF-8 bytes; negative = from the end
    \\$  $$                             a literal `$`;  `\\\\` and `$(` are kept as they are

NAME is a letter followed by letters, digits and `_`; `word` and `message` may contain
expansions. A line is parsed completely before any variable is looked up, so a syntax error
anywhere on the line wins over an unset required variable.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from sqlforge import gotext

_ESCAPE_HINT = (
    "write `$$` or `\\$` for a literal `$`, or end substitution before this line with"
    " `-- +goose ENVSUB OFF`"
)


class EnvsubError(Exception):
    """A line that cannot be expanded; `message` is the interpolate library's own text."""

    def __init__(self, message: str, *, hint: str = _ESCAPE_HINT) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class Fallback:
    """`${NAME:-word}` (when_empty) or `${NAME-word}`."""

    name: str
    word: Expression
    when_empty: bool


@dataclass(frozen=True)
class Required:
    name: str
    message: Expression


@dataclass(frozen=True)
class Substring:
    name: str
    offset: int
    length: int | None


Node: TypeAlias = Text | Variable | Fallback | Required | Substring
Expression: TypeAlias = tuple[Node, ...]


def interpolate(text: str, environ: Mapping[str, str]) -> str:
    """Expand every `$` form in `text`; raises EnvsubError."""
    return expand(parse(text), environ)


def parse(text: str) -> Expression:
    return _Parser(text).expression(stop="")


def expand(expression: Expression, environ: Mapping[str, str]) -> str:
    return "".join(_expand_node(node, environ) for node in expression)


def _expand_node(node: Node, environ: Mapping[str, str]) -> str:
    match node:
        case Text(text=text):
            return text
        case Variable(name=name):
            return environ.get(name, "")
        case Fallback(name=name, word=word, when_empty=when_empty):
            value = environ.get(name)
            if value is None or (when_empty and value == ""):
                return expand(word, environ)
            return value
        case Required(name=name, message=message):
            return _required(name, message, environ)
        case Substring():
            return _substring(environ.get(node.name, ""), node)


def _required(name: str, message: Expression, environ: Mapping[str, str]) -> str:
    value = environ.get(name)
    if value is not None:
        return value
    reason = expand(message, environ) or "not set"
    raise EnvsubError(
        f"${name}: {reason}",
        hint=f"set the environment variable {name}, or give it a default with ${{{name}:-default}}",
    )


def _substring(value: str, node: Substring) -> str:
    # Go slices strings by byte, so the offsets count UTF-8 bytes, not characters.
    data = value.encode("utf-8", "surrogateescape")
    start = node.offset + len(data) if node.offset < 0 else node.offset
    start = min(max(start, 0), len(data))
    if node.length is None:
        end = len(data)
    elif node.length >= 0:
        end = start + node.length
    else:
        end = max(node.length + len(data), start)
    try:
        return data[start : min(end, len(data))].decode("utf-8")
    except UnicodeDecodeError:
        raise EnvsubError(
            f"${node.name}: substring cuts a multi-byte UTF-8 character",
            hint="goose counts substring offsets in bytes; choose offsets on character boundaries",
        ) from None


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _is_identifier_char(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in "LN"


class _Parser:
    """Recursive descent over one line; `pos` indexes code points (goose's indexes bytes, but
    every decision it takes on them is the same)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def take(self) -> str | None:
        char = self.peek()
        if char is not None:
            self.pos += 1
        return char

    def scan_until(self, stop: Callable[[str], bool]) -> str:
        start = self.pos
        # Go decodes U+FFFD as utf8.RuneError, which ends every scan.
        while self.pos < len(self.text) and not (
            self.text[self.pos] == "\ufffd" or stop(self.text[self.pos])
        ):
            self.pos += 1
        return self.text[start : self.pos]

    def expression(self, stop: str) -> Expression:
        nodes: list[Node] = []
        while (char := self.peek()) is not None and char not in stop:
            nodes.append(self.item(char, stop))
        return tuple(nodes)

    def item(self, char: str, stop: str) -> Node:
        for prefix, literal in (("\\\\", "\\\\"), ("\\$", "$"), ("$$", "$"), ("$(", "$(")):
            if self.text.startswith(prefix, self.pos):
                self.pos += len(prefix)
                return Text(literal)
        if char == "$" and self.pos < len(self.text) - 1:
            self.pos += 1
            return self.expansion()
        self.pos += 1
        return Text(char + self.scan_until(lambda c: c in "$\\" or c in stop))

    def expansion(self) -> Node:
        if self.peek() == "{":
            self.pos += 1
            return self.brace()
        return Variable(self.identifier())

    def identifier(self) -> str:
        char = self.peek()
        if char is None or not _is_letter(char):
            raise EnvsubError(
                f"Expected identifier to start with a letter, got {gotext.format_rune(char)}"
            )
        return self.scan_until(lambda c: not _is_identifier_char(c))

    def brace(self) -> Node:
        name = self.identifier()
        if self.peek() == "}":
            self.pos += 1
            return Variable(name)
        node = self.operation(name)
        closing = self.take()
        if closing != "}":
            raise EnvsubError(
                f"Expected brace expansion to end with }}, got {gotext.format_rune(closing)}"
            )
        return node

    def operation(self, name: str) -> Node:
        operator = self.take()
        if operator == ":" and self.peek() == "-":
            self.pos += 1
            return Fallback(name, self.expression("}"), when_empty=True)
        if operator == ":":
            return self.substring(name)
        if operator == "-":
            return Fallback(name, self.expression("}"), when_empty=False)
        if operator == "?":
            return Required(name, self.expression("}"))
        raise EnvsubError(f"Expected an operator, got {gotext.format_rune(operator)}")

    def substring(self, name: str) -> Node:
        offset = self.number("offset", self.scan_until(lambda c: c in ":}"))
        if self.peek() == "}":
            return Substring(name, offset, None)
        self.take()  # the `:` (or whatever stopped the scan: goose does not check)
        length = self.number("length", self.scan_until(lambda c: c == "}"))
        return Substring(name, offset, length)

    @staticmethod
    def number(what: str, text: str) -> int:
        try:
            return gotext.atoi(gotext.trim_space(text))
        except ValueError as error:
            hint = _ESCAPE_HINT
            if text.startswith("?"):
                hint = "goose does not support `${NAME:?message}`; write `${NAME?message}`"
            raise EnvsubError(f"Unable to parse {what}: {error}", hint=hint) from None
