"""Query files in sqlc's annotation language: statements, annotations, parameters.

A query file is a sequence of SQLite statements; a statement whose leading comments hold
`-- name: <Name> <:command>` (or `/* name: <Name> <:command> */`) is a query, the comment lines
after the annotation are its documentation, and unannotated statements are skipped (sqlc
does the same). Statements end where SQLite says a statement is complete
(`sqlite3.complete_statement`), so `;` inside strings, comments and trigger bodies is fine.

Parameters (`?`, `?NNN`, `:x`, `@x`, `$x`, `sqlc.arg(x)`, `sqlc.narg(x)`, `sqlc.slice(x)`) are
numbered and rewritten to `?NNN`; `sqlc.embed(t)` becomes `t.*` until analysis expands it. This
module needs no database and no catalog; `sqlforge.analysis` takes it from here. Errors are
collected as `Diagnostic`s located in the query file, never raised one at a time.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from sqlforge.errors import Diagnostic

Command = Literal[":one", ":many", ":exec", ":execrows", ":execlastid", ":execresult"]
COMMANDS: Final[tuple[Command, ...]] = (
    ":one",
    ":many",
    ":exec",
    ":execrows",
    ":execlastid",
    ":execresult",
)
"""What each command returns: `:one` the first row or None; `:many` every row; `:exec` nothing;
`:execrows` the number of changed rows (`cursor.rowcount`); `:execlastid` `cursor.lastrowid`;
`:execresult` the cursor itself."""
SQLC_ONLY_COMMANDS: Final = (":copyfrom", ":batchexec", ":batchmany", ":batchone")
_MISSING_TYPE = (
    "missing query type [':one', ':many', ':exec', ':execrows', ':execlastid', ':execresult', "
    "':copyfrom', 'batchexec', 'batchmany', 'batchone']"
)
_SQLC_MACROS: Final = ("arg", "narg", "slice", "embed")

TokenKind = Literal["space", "comment", "string", "name", "quoted", "number", "param", "op"]

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*(?:.|\n)*?(?:\*/|\Z))
  | (?P<string>[xX]?'(?:[^']|'')*(?:'|\Z))
  | (?P<quoted>"(?:[^"]|"")*(?:"|\Z)|`(?:[^`]|``)*(?:`|\Z)|\[[^\]]*(?:\]|\Z))
  | (?P<param>\?\d*|[:@$][^\W]\w*)
  | (?P<number>0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d][\w$]*)
  | (?P<op>\|\||->>|->|<=|>=|<>|!=|==|<<|>>|.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    start: int
    """Offset in the file text."""

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_code(self) -> bool:
        return self.kind not in ("space", "comment")


def tokenize(text: str) -> list[Token]:
    """SQLite's tokens, enough to tell code from strings, identifiers and comments."""
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        tokens.append(Token(kind, match.group(), match.start()))  # type: ignore[arg-type]
    return tokens


@dataclass(frozen=True)
class Statement:
    """One statement of a file: its tokens up to and excluding the terminating `;`."""

    tokens: tuple[Token, ...]
    terminated: bool

    @property
    def code(self) -> tuple[Token, ...]:
        return tuple(t for t in self.tokens if t.is_code)


def split_statements(text: str, tokens: Sequence[Token]) -> list[Statement]:
    """Split where SQLite itself considers a statement complete (trigger bodies included)."""
    statements: list[Statement] = []
    first = 0
    for index, token in enumerate(tokens):
        if token.text != ";" or token.kind != "op":
            continue
        start = tokens[first].start if first < len(tokens) else token.start
        if sqlite3.complete_statement(text[start : token.end]):
            statements.append(Statement(tuple(tokens[first:index]), terminated=True))
            first = index + 1
    rest = tuple(tokens[first:])
    if rest:
        statements.append(Statement(rest, terminated=False))
    return statements


class Locator:
    """Turns offsets of a file's text into 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter of a query (all its uses share the number)."""

    number: int
    name: str | None
    """The user's name (prefix stripped); None for `?` and `?NNN`."""
    is_slice: bool
    nullable: bool
    """True when declared with `sqlc.narg`."""
    line: int
    column: int
    """Where it is first used in the file."""


@dataclass(frozen=True)
class EmbedSpec:
    """`sqlc.embed(name)`: stands as `name.*` in the SQL at [start, end)."""

    name: str
    start: int
    end: int
    line: int
    column: int


@dataclass(frozen=True)
class QuerySource:
    """An annotated statement, parameters numbered and rewritten, ready for analysis."""

    name: str
    command: Command
    doc: tuple[str, ...]
    path: Path
    line: int
    """Line of the annotation."""
    column: int
    sql: str
    """The statement: annotation and whole-line comments removed, no trailing `;`, every
    parameter written `?NNN` (slices as `/*SLICE:name*/?NNN`), `sqlc.embed(t)` as `t.*`."""
    parameters: tuple[ParameterSpec, ...]
    """In number order: scalars 1..k, then slices."""
    embeds: tuple[EmbedSpec, ...]
    anchors: tuple[tuple[int, int], ...] = field(repr=False)
    """(offset in `sql`, offset in the file) where copied text starts, ascending."""
    locator: Locator = field(repr=False, compare=False)

    def position(self, sql_offset: int) -> tuple[int, int]:
        """File line and column of an offset in `sql` (e.g. SQLite's error offset)."""
        keys = [a[0] for a in self.anchors]
        index = max(bisect.bisect_right(keys, sql_offset) - 1, 0)
        sql_start, file_start = self.anchors[index]
        return self.locator.position(file_start + max(sql_offset - sql_start, 0))


@dataclass(frozen=True)
class QueryFile:
    path: Path
    queries: tuple[QuerySource, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_query_file(path: Path) -> QueryFile:
    """Read and parse one query file, UTF-8 (a leading byte-order mark, as some editors write
    one, is no part of the SQL); an unreadable file is a diagnostic, not an exception."""
    try:
        data = path.read_bytes()
    except OSError as error:
        problem = Diagnostic(f"cannot read query file: {error.strerror or error}", path=path)
        return QueryFile(path, (), (problem,))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return QueryFile(path, (), (_not_utf8(path, error),))
    return parse_query_file(path, text)


def _not_utf8(path: Path, error: UnicodeDecodeError) -> Diagnostic:
    """Where the first byte that is not UTF-8 stands, as an editor counts lines and columns."""
    before = error.object[: error.start].decode("utf-8")
    line_start = before.rfind("\n") + 1
    return Diagnostic(
        f"query file is not UTF-8 text: byte 0x{error.object[error.start]:02x} cannot be read",
        path=path,
        line=before.count("\n") + 1,
        column=len(before) - line_start + 1,
        hint="save the file as UTF-8 (SQL text and comments alike)",
    )


def parse_query_file(path: Path, text: str) -> QueryFile:
    """Parse the text of one query file (CRLF line ends are read as LF)."""
    text = text.replace("\r\n", "\n")
    if (nul := text.find("\0")) >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - text.rfind("\n", 0, nul)
        problem = Diagnostic(
            "query file contains a NUL character, which SQLite cannot take in SQL text",
            path=path,
            line=line,
            column=column,
            hint="remove it; inside a string literal, write it as char(0)",
        )
        return QueryFile(path, (), (problem,))
    reader = _FileReader(path, text)
    queries = [q for s in split_statements(text, tokenize(text)) if (q := reader.query(s))]
    return QueryFile(path, tuple(queries), tuple(reader.diagnostics))


# --- annotations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Annotation:
    name: str
    command: str
    token: Token


class AnnotationError(ValueError):
    pass


def parse_annotation(line: str) -> tuple[str, str] | None:
    """sqlc's reading of one comment line: None when it is no annotation; AnnotationError
    (with sqlc's message) when it looks like one but is malformed."""
    prefix = "--" if line.startswith("--") else "/*" if line.startswith("/*") else None
    if prefix is None:
        return None
    rest = line[len(prefix) :]
    if not rest.strip().startswith("name") or ":" not in rest:
        return None
    if not rest.startswith(" name: "):
        raise AnnotationError(f"invalid metadata: {line}")
    parts = line.strip().split(" ")
    if prefix == "/*":
        parts = parts[:-1]
    if len(parts) == 3:
        raise AnnotationError(f"{_MISSING_TYPE}: {line}")
    if len(parts) != 4:
        raise AnnotationError(f"invalid query comment: {line}")
    name, command = parts[2], parts[3].strip()
    if command not in COMMANDS + SQLC_ONLY_COMMANDS:
        raise AnnotationError(f"invalid query type: {command}")
    if not _is_query_name(name):
        raise AnnotationError(f'invalid query name "{name}"')
    return name, command


def _is_query_name(name: str) -> bool:
    """sqlc's rule (Go's unicode.IsLetter / IsDigit): a letter or `_`, then letters, digits, `_`."""

    def letter(c: str) -> bool:
        return c == "_" or unicodedata.category(c).startswith("L")

    def digit(c: str) -> bool:
        return unicodedata.category(c) == "Nd"

    return bool(name) and letter(name[0]) and all(letter(c) or digit(c) for c in name[1:])


def _annotation_hint(command: str) -> str:
    return f"write `-- name: QueryName {command}` (one space between the parts)"


def _unsupported_command(command: str) -> str:
    if command == ":copyfrom":
        return ":copyfrom is not supported for SQLite (sqlc supports it only with pgx and MySQL)"
    return f"{command} is not supported for SQLite (sqlc supports :batch* only with pgx)"


# --- one file --------------------------------------------------------------------------------


class _FileReader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.locator = Locator(text)
        self.diagnostics: list[Diagnostic] = []

    def error(self, message: str, offset: int, hint: str | None = None) -> None:
        line, column = self.locator.position(offset)
        self.diagnostics.append(
            Diagnostic(message, path=self.path, line=line, column=column, hint=hint)
        )

    def query(self, statement: Statement) -> QuerySource | None:
        leading, body = _leading_comments(statement.tokens)
        annotations = self._annotations(leading)
        self._misplaced_annotations(body, annotations)
        if not annotations:
            return None
        annotation = annotations[-1]
        for earlier in annotations[:-1]:
            self.error(
                f"query {earlier.name} has no SQL statement",
                earlier.token.start,
                hint="end each query with `;` and write its SQL under its annotation",
            )
        code = [t for t in body if t.is_code]
        if not code:
            self.error(f"query {annotation.name} has no SQL statement", annotation.token.start)
            return None
        if annotation.command in SQLC_ONLY_COMMANDS:
            self.error(
                _unsupported_command(annotation.command),
                annotation.token.start,
                hint="use :exec, :execrows, :execlastid, :execresult, :one or :many",
            )
            return None
        command = next(c for c in COMMANDS if c == annotation.command)
        return self._source(annotation, command, _doc_lines(leading, annotation), body)

    def _annotations(self, leading: Sequence[Token]) -> list[Annotation]:
        found = []
        for token in leading:
            if token.kind != "comment":
                continue
            first_line = token.text.split("\n", 1)[0]
            try:
                parsed = parse_annotation(first_line)
            except AnnotationError as error:
                command = first_line.rsplit(" ", 1)[-1].rstrip("*/ ") or ":one"
                self.error(str(error), token.start, hint=_annotation_hint(command))
                continue
            if parsed is not None:
                found.append(Annotation(parsed[0], parsed[1], token))
        return found

    def _misplaced_annotations(
        self, body: Sequence[Token], annotations: Sequence[Annotation]
    ) -> None:
        for token in body:
            if token.kind != "comment":
                continue
            try:
                parsed = parse_annotation(token.text.split("\n", 1)[0])
            except AnnotationError:
                parsed = None
            if parsed is not None:
                before = f" query {annotations[-1].name}" if annotations else " the statement"
                self.error(
                    f"annotation of query {parsed[0]} is inside the SQL of{before}",
                    token.start,
                    hint="end the previous statement with `;`",
                )

    def _source(
        self, annotation: Annotation, command: Command, doc: tuple[str, ...], body: Sequence[Token]
    ) -> QuerySource | None:
        before = len(self.diagnostics)
        rewriter = _Rewriter(self, _strip_comment_lines(self.text, body))
        rewritten = rewriter.run()
        if rewritten is None or len(self.diagnostics) > before:
            return None
        sql, anchors, parameters, embeds = rewritten
        line, column = self.locator.position(annotation.token.start)
        return QuerySource(
            name=annotation.name,
            command=command,
            doc=doc,
            path=self.path,
            line=line,
            column=column,
            sql=sql,
            parameters=parameters,
            embeds=embeds,
            anchors=anchors,
            locator=self.locator,
        )


def _leading_comments(tokens: Sequence[Token]) -> tuple[list[Token], list[Token]]:
    """Split a statement's tokens into the comments before its first code token and the rest."""
    for index, token in enumerate(tokens):
        if token.is_code:
            return list(tokens[:index]), list(tokens[index:])
    return list(tokens), []


def _doc_lines(leading: Sequence[Token], annotation: Annotation) -> tuple[str, ...]:
    """The comment lines after the annotation, prefix removed, text kept (sqlc's doc)."""
    lines: list[str] = []
    after = False
    for token in leading:
        if token is annotation.token:
            after = True
        elif after and token.kind == "comment":
            lines.extend(_comment_text(token.text))
    return tuple(lines)


def _comment_text(comment: str) -> list[str]:
    if comment.startswith("--"):
        return [comment[2:]]
    inner = comment[2:]
    inner = inner.removesuffix("*/")
    lines = inner.split("\n")
    if len(lines) > 1:
        lines = [line for line in lines if line.strip()] or [""]
        return [
            re.sub(r"^\s*\* ?", " ", line) if line.lstrip().startswith("*") else line
            for line in lines
        ]
    return lines


def _strip_comment_lines(text: str, body: Sequence[Token]) -> list[Token]:
    """The statement's code and inline comments, without comments alone on their lines (line
    and all) and without trailing space or comments: sqlc's query text."""
    last = max((i for i, t in enumerate(body) if t.is_code), default=-1)
    kept: list[Token] = []
    line_removed = False
    for token in body[: last + 1]:
        if token.kind == "comment" and _alone_on_line(text, token):
            if kept and kept[-1].kind == "space":
                kept[-1] = _trim_to_line_start(kept[-1])
            line_removed = True
            continue
        if line_removed and token.kind == "space":
            kept.append(Token("space", token.text.split("\n", 1)[-1], token.start))
        else:
            kept.append(token)
        line_removed = False
    return kept


def _alone_on_line(text: str, token: Token) -> bool:
    line_start = text.rfind("\n", 0, token.start) + 1
    line_end = text.find("\n", token.end)
    after = text[token.end : len(text) if line_end < 0 else line_end]
    return not text[line_start : token.start].strip() and not after.strip()


def _trim_to_line_start(space: Token) -> Token:
    """Drop the indentation before a removed comment, keeping the line break before it."""
    cut = space.text.rfind("\n")
    return Token("space", space.text[: cut + 1] if cut >= 0 else "", space.start)


# --- parameters ------------------------------------------------------------------------------


_Rendered = tuple[
    str, tuple[tuple[int, int], ...], tuple[ParameterSpec, ...], tuple[EmbedSpec, ...]
]


@dataclass
class _Use:
    """One occurrence of a parameter in the text."""

    key: str
    """`#N` for `?NNN`, `?i` for the i-th `?`, `name` for named forms."""
    name: str | None
    is_slice: bool
    nullable: bool
    start: int
    """File offset, for positions."""
    number: int = 0


@dataclass
class _Piece:
    text: str
    source: int
    """File offset the text comes from."""
    use: _Use | None = None
    embed: str | None = None


class _Rewriter:
    """Numbers the parameters of one statement and writes them as `?NNN`."""

    def __init__(self, reader: _FileReader, tokens: list[Token]) -> None:
        self.reader = reader
        self.tokens = tokens
        self.pieces: list[_Piece] = []
        self.failed = False

    def run(self) -> _Rendered | None:
        index = 0
        while index < len(self.tokens):
            index = self._step(index)
        uses = [p.use for p in self.pieces if p.use is not None]
        specs = self._number(uses)
        if specs is None or self.failed:
            return None
        return self._render(specs)

    def _step(self, index: int) -> int:
        token = self.tokens[index]
        if token.kind == "param":
            self.pieces.append(_Piece(token.text, token.start, use=self._plain_use(token)))
            return index + 1
        if token.kind == "name" and token.text == "sqlc":
            macro = _match_macro(self.tokens, index)
            if macro is not None:
                return self._macro(index, *macro)
        self.pieces.append(_Piece(token.text, token.start))
        return index + 1

    def _plain_use(self, token: Token) -> _Use:
        text = token.text
        if text == "?":
            return _Use(f"?{token.start}", None, False, False, token.start)
        if text.startswith("?"):
            return _Use(f"#{int(text[1:])}", None, False, False, token.start, number=int(text[1:]))
        return _Use(text[1:], text[1:], False, False, token.start)

    def _macro(self, index: int, function: str, args: list[list[Token]], after: int) -> int:
        start = self.tokens[index].start
        if function not in _SQLC_MACROS:
            self.fail(
                f'function "sqlc.{function}" does not exist',
                start,
                hint="sqlforge knows sqlc.arg, sqlc.narg, sqlc.slice and sqlc.embed",
            )
            return after
        name = self._macro_argument(function, args, start)
        if name is None:
            return after
        if function == "embed":
            self.pieces.append(_Piece(f"{_quote_if_needed(name)}.*", start, embed=name))
            return after
        use = _Use(name, name, function == "slice", function == "narg", start)
        self.pieces.append(_Piece("", start, use=use))
        return after

    def _macro_argument(self, function: str, args: list[list[Token]], start: int) -> str | None:
        if len(args) != 1:
            self.fail(f"expected 1 parameter to sqlc.{function}; got {len(args)}", start)
            return None
        code = [t for t in args[0] if t.is_code]
        name = _identifier_value(code)
        if name is None:
            got = _describe(code)
            self.fail(
                f"expected parameter to sqlc.{function} to be string or reference; got {got}",
                start,
                hint=f"write sqlc.{function}(name) or sqlc.{function}('name')",
            )
            return None
        if not re.fullmatch(r"[^\W\d]\w*", name):
            self.fail(
                f"parameter name {name!r} of sqlc.{function} is not an identifier",
                start,
                hint="use letters, digits and underscores, starting with a letter",
            )
            return None
        return name

    def fail(self, message: str, offset: int, hint: str | None = None) -> None:
        self.failed = True
        self.reader.error(message, offset, hint)

    def _number(self, uses: list[_Use]) -> list[ParameterSpec] | None:
        plain = [u for u in uses if u.key.startswith("?")]
        numbered = [u for u in uses if u.key.startswith("#")]
        if plain and numbered:
            culprit = max(plain[0], numbered[0], key=lambda u: u.start)
            self.fail(
                "can not mix ?NNN format with ? format",
                culprit.start,
                hint="number every parameter (?1, ?2, ...) or none, or use named parameters",
            )
            return None
        return self._assign_numbers(uses, numbered)

    def _assign_numbers(self, uses: list[_Use], numbered: list[_Use]) -> list[ParameterSpec] | None:
        taken = {u.number for u in numbered}
        for use in numbered:
            if use.number < 1:
                self.fail(f"?{use.number}: parameter numbers start at 1", use.start)
                return None
        by_key: dict[str, _Use] = {}
        next_number = max(taken, default=0)
        for use in uses:
            first = by_key.get(use.key)
            if first is None:
                if not use.number:
                    next_number += 1
                    use.number = next_number
                by_key[use.key] = use
                continue
            if first.is_slice != use.is_slice:
                self.fail(f"{use.name} is used both as a slice and as a single value", use.start)
                return None
            use.number = first.number
            first.nullable = first.nullable or use.nullable
        missing = sorted(set(range(1, max(taken, default=0) + 1)) - taken)
        if missing:
            self.fail(
                f"could not determine data type of parameter ?{missing[0]}",
                numbered[0].start,
                hint=f"numbered parameters must be ?1 to ?{max(taken)} without gaps",
            )
            return None
        return self._renumbered(list(by_key.values()), uses)

    def _renumbered(self, firsts: list[_Use], uses: list[_Use]) -> list[ParameterSpec]:
        """Scalars keep their relative order as 1..k; slices follow."""
        ordered = sorted(firsts, key=lambda u: (u.is_slice, u.number))
        new_number = {u.number: n for n, u in enumerate(ordered, start=1)}
        for use in uses:
            use.number = new_number[use.number]
        specs = []
        for use in ordered:
            line, column = self.reader.locator.position(use.start)
            specs.append(
                ParameterSpec(use.number, use.name, use.is_slice, use.nullable, line, column)
            )
        return specs

    def _render(self, specs: list[ParameterSpec]) -> _Rendered:
        out: list[str] = []
        anchors: list[tuple[int, int]] = []
        embeds: list[EmbedSpec] = []
        length = 0
        for piece in self.pieces:
            text = piece.text
            if piece.use is not None:
                text = f"?{piece.use.number}"
                if piece.use.is_slice:
                    text = f"/*SLICE:{piece.use.name}*/{text}"
            if piece.embed is not None:
                line, column = self.reader.locator.position(piece.source)
                embeds.append(EmbedSpec(piece.embed, length, length + len(text), line, column))
            anchors.append((length, piece.source))
            out.append(text)
            length += len(text)
        return "".join(out), tuple(anchors), tuple(specs), tuple(embeds)


def _match_macro(tokens: Sequence[Token], index: int) -> tuple[str, list[list[Token]], int] | None:
    """`sqlc . name ( args )` starting at tokens[index]: (name, arguments, index after)."""
    code = _code_indexes(tokens, index)
    try:
        dot, name, paren = next(code), next(code), next(code)
    except StopIteration:
        return None
    if tokens[dot].text != "." or tokens[name].kind != "name" or tokens[paren].text != "(":
        return None
    args, after = _arguments(tokens, paren)
    return tokens[name].text, args, after


def _code_indexes(tokens: Sequence[Token], index: int) -> Iterator[int]:
    for position in range(index + 1, len(tokens)):
        if tokens[position].is_code:
            yield position


def _arguments(tokens: Sequence[Token], paren: int) -> tuple[list[list[Token]], int]:
    depth = 0
    args: list[list[Token]] = [[]]
    for position in range(paren + 1, len(tokens)):
        token = tokens[position]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            if depth == 0:
                return [a for a in args if any(t.is_code for t in a)], position + 1
            depth -= 1
        elif token.text == "," and depth == 0:
            args.append([])
            continue
        args[-1].append(token)
    return [a for a in args if any(t.is_code for t in a)], len(tokens)


def _identifier_value(code: Sequence[Token]) -> str | None:
    if len(code) != 1:
        return None
    token = code[0]
    if token.kind == "name":
        return token.text
    if token.kind in ("quoted", "string") and not token.text.startswith(("x", "X")):
        return _unquote(token.text)
    return None


def _unquote(text: str) -> str:
    opener, closer = text[0], {"[": "]"}.get(text[0], text[0])
    inner = text[1:-1] if text.endswith(closer) and len(text) > 1 else text[1:]
    return inner if opener == "[" else inner.replace(opener * 2, opener)


def _describe(code: Sequence[Token]) -> str:
    if code and code[0].kind == "param":
        return "a parameter"
    if len(code) > 1 and code[0].kind == "name" and any(t.text == "(" for t in code):
        return "a function call"
    return "an expression"


def _quote_if_needed(name: str) -> str:
    return name if re.fullmatch(r"[^\W\d]\w*", name) else '"' + name.replace('"', '""') + '"'


def duplicate_names(files: Sequence[QueryFile]) -> list[Diagnostic]:
    """sqlc's `duplicate query name` across all files of a run, at each later definition."""
    seen: dict[str, QuerySource] = {}
    problems = []
    for query in (q for f in files for q in f.queries):
        first = seen.setdefault(query.name, query)
        if first is not query:
            problems.append(
                Diagnostic(
                    f"duplicate query name: {query.name}",
                    path=query.path,
                    line=query.line,
                    column=query.column,
                    hint=f"first defined at {first.path.name}:{first.line}; rename one of them",
                )
            )
    return problems
