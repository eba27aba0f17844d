"""goose's SQL migration format, reproduced exactly (pressly/goose v3.27.3, internal/sqlparser).

A file is read line by line and parsed once per direction. One small state machine (the states
keep goose's numbers, which appear in its error messages) follows the annotations:

    START(0) --Up--> UP(1) --StatementBegin--> BLOCK_UP(2) --StatementEnd--> BLOCK_END_UP(3)
    UP(1)/BLOCK_END_UP(3) --Down--> DOWN(4) --StatementBegin--> BLOCK_DOWN(5) --...--> (6)

Outside a block a statement ends on a line whose last word before a `--` word ends with `;`;
a StatementEnd line ends the block's statement unconditionally. Lines of the other direction are
read (so their annotations and ENVSUB errors count) and then dropped. Every quirk goose has is
kept on purpose: files that goose accepts must run the same statements here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from sqlforge import gotext
from sqlforge.envsub import EnvsubError, interpolate

MAX_LINE_BYTES = 4 * 1024 * 1024  # goose's bufio.Scanner buffer; a line must be shorter
GOOSE_DOCS = "see https://github.com/pressly/goose#sql-migrations"


class Direction(enum.Enum):
    UP = "up"
    DOWN = "down"


class Annotation(enum.Enum):
    UP = "Up"
    DOWN = "Down"
    STATEMENT_BEGIN = "StatementBegin"
    STATEMENT_END = "StatementEnd"
    NO_TRANSACTION = "NO TRANSACTION"
    ENVSUB_ON = "ENVSUB ON"
    ENVSUB_OFF = "ENVSUB OFF"


class State(enum.IntEnum):
    START = 0
    UP = 1
    BLOCK_UP = 2
    BLOCK_END_UP = 3
    DOWN = 4
    BLOCK_DOWN = 5
    BLOCK_END_DOWN = 6


_SECTION = {
    State.UP: Direction.UP,
    State.BLOCK_UP: Direction.UP,
    State.BLOCK_END_UP: Direction.UP,
    State.DOWN: Direction.DOWN,
    State.BLOCK_DOWN: Direction.DOWN,
    State.BLOCK_END_DOWN: Direction.DOWN,
}
_BLOCK_ENDS = {State.BLOCK_END_UP: State.UP, State.BLOCK_END_DOWN: State.DOWN}
_BLOCKS = {State.BLOCK_UP, State.BLOCK_DOWN}


@dataclass(frozen=True)
class Statement:
    text: str
    line: int


@dataclass(frozen=True)
class ParseWarning:
    """Something goose accepts but that probably does not do what its author meant."""

    message: str
    line: int
    hint: str


@dataclass(frozen=True)
class ParsedSQL:
    statements: tuple[Statement, ...]
    use_transaction: bool
    warnings: tuple[ParseWarning, ...] = ()


class SqlParseError(Exception):
    def __init__(self, message: str, *, line: int | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


def parse_sql(text: str, direction: Direction, environ: Mapping[str, str]) -> ParsedSQL:
    """The statements of one direction, exactly as goose would run them."""
    parser = _Pass(direction, environ)
    for number, line in split_lines(text):
        parser.feed(number, line)
    return parser.finish()


def split_lines(text: str) -> Iterator[tuple[int, str]]:
    """bufio.ScanLines: `\\n`-separated, one trailing `\\r` dropped, no empty last line."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        if gotext.has_utf8_length_at_least(raw, MAX_LINE_BYTES):
            raise SqlParseError(
                "failed to scan migration: bufio.Scanner: token too long",
                line=number,
                hint="goose reads lines shorter than 4 MiB; split this line",
            )
        yield number, raw.removesuffix("\r")


# Annotations ---------------------------------------------------------------------------------

_ANNOTATIONS_HINT = (
    "goose reads every `--` line that mentions +goose as an annotation; the annotations are "
    + ", ".join(f"`-- +goose {annotation.value}`" for annotation in Annotation)
)
# strings.EqualFold folds these two non-ASCII letters onto ASCII ones.
_FOLDS = str.maketrans({"\u017f": "s", "\u212a": "k"})


def is_annotation_line(line: str) -> bool:
    return gotext.trim_space(line).startswith("--") and "+goose" in line


def extract_annotation(line: str) -> Annotation:
    """The annotation on a line for which `is_annotation_line` holds; raises SqlParseError."""
    if line.startswith((" ", "\t")):
        raise SqlParseError(
            f"{gotext.quote(line)} contains leading whitespace: invalid annotation",
            hint="start the annotation at the beginning of the line: `-- +goose ...`",
        )
    command = line.replace("--", "").replace("+goose", "", 1)
    if "+goose" in command:
        raise SqlParseError(
            f"{gotext.quote(command)} contains multiple '+goose' annotations: invalid annotation",
            hint="put each `-- +goose` annotation on a line of its own",
        )
    command = gotext.trim_space(command)
    if not command:
        raise SqlParseError("empty annotation", hint=_ANNOTATIONS_HINT)
    folded = _fold(command)
    for annotation in Annotation:
        if folded == annotation.value.lower():
            return annotation
    raise SqlParseError(
        f"{gotext.quote(command)} not supported: invalid annotation", hint=_ANNOTATIONS_HINT
    )


def _fold(text: str) -> str:
    # Lower-case only ASCII letters: no other character folds onto an annotation's letters.
    return "".join(char.lower() if char.isascii() else char for char in text.translate(_FOLDS))


def ends_with_semicolon(line: str) -> bool:
    """goose's end-of-statement test: the last word before the first word starting with `--`
    ends with `;` (no notion of strings, block comments or glued `--`)."""
    last = ""
    for match in gotext.GO_WORD.finditer(line):
        word = match.group()
        # A word as long as goose's scan buffer stops goose's word scanner early.
        if word.startswith("--") or gotext.has_utf8_length_at_least(word, MAX_LINE_BYTES):
            break
        last = word
    return last.endswith(";")


# The state machine -----------------------------------------------------------------------------


class _Pass:
    """One direction's pass over the lines, mirroring goose's loop step by step."""

    def __init__(self, direction: Direction, environ: Mapping[str, str]) -> None:
        self.direction = direction
        self.environ = environ
        self.state = State.START
        self.use_transaction = True
        self.envsub = False
        self.pending: list[tuple[int, str]] = []  # the statement being read: (line, text)
        self.block_line = 0
        self.statements: list[Statement] = []
        self.warnings: list[ParseWarning] = []

    def feed(self, number: int, line: str) -> None:
        if self.state is State.START and not gotext.trim_space(line):
            return
        if is_annotation_line(line) and self.annotate(number, line):
            return
        # Comments and empty lines before a statement are dropped; inside one they are kept.
        if not self.pending and (gotext.trim_space(line).startswith("--") or line == ""):
            return
        if self.state not in _BLOCK_ENDS:
            line = self.substitute(number, line)
            self.pending.append((number, line))
        if self.in_direction(number, line):
            self.maybe_emit(number, line)

    def annotate(self, number: int, line: str) -> bool:
        """Apply an annotation line; True when goose is done with the line."""
        try:
            annotation = extract_annotation(line)
        except SqlParseError as error:
            raise SqlParseError(
                f"failed to parse annotation line {gotext.quote(line)}: {error.message}",
                line=number,
                hint=error.hint,
            ) from None
        if annotation is Annotation.STATEMENT_END:
            self.end_block(number)
            return False  # goose lets the StatementEnd line reach the statement logic
        _ANNOTATION_STEPS[annotation](self, number)
        return True

    def begin_up(self, number: int) -> None:
        if self.state is not State.START:
            raise SqlParseError(
                "duplicate '-- +goose Up' annotations; "
                f"stateMachine={int(self.state)}, {GOOSE_DOCS}",
                line=number,
                hint="a migration has one `-- +goose Up` section, optionally followed by one"
                " `-- +goose Down` section",
            )
        self.state = State.UP

    def begin_down(self, number: int) -> None:
        if self.state not in (State.UP, State.BLOCK_END_UP):
            raise SqlParseError(
                "must start with '-- +goose Up' annotation, "
                f"stateMachine={int(self.state)}, {GOOSE_DOCS}",
                line=number,
                hint=_DOWN_HINTS[self.state],
            )
        self.check_nothing_pending()
        self.state = State.DOWN

    def begin_block(self, number: int) -> None:
        if self.state in (State.UP, State.BLOCK_END_UP):
            self.state = State.BLOCK_UP
        elif self.state in (State.DOWN, State.BLOCK_END_DOWN):
            self.state = State.BLOCK_DOWN
        else:
            raise SqlParseError(
                "'-- +goose StatementBegin' must be defined after '-- +goose Up' or "
                f"'-- +goose Down' annotation, stateMachine={int(self.state)}, {GOOSE_DOCS}",
                line=number,
                hint="blocks do not nest: close the open one with `-- +goose StatementEnd` first"
                if self.state in _BLOCKS
                else "put `-- +goose Up` (or `Down`) before the block",
            )
        self.block_line = number

    def end_block(self, number: int) -> None:
        if self.state not in _BLOCKS:
            raise SqlParseError(
                "'-- +goose StatementEnd' must be defined after '-- +goose StatementBegin', "
                + GOOSE_DOCS,
                line=number,
                hint="open the block with `-- +goose StatementBegin`, or remove this line",
            )
        self.state = State(self.state + 1)

    def disable_transaction(self, number: int) -> None:
        self.use_transaction = False

    def enable_envsub(self, number: int) -> None:
        self.envsub = True

    def disable_envsub(self, number: int) -> None:
        self.envsub = False

    def substitute(self, number: int, line: str) -> str:
        if not self.envsub:
            return line
        try:
            return interpolate(line, self.environ)
        except EnvsubError as error:
            raise SqlParseError(
                f"variable substitution failed: {error.message}:\n{line}",
                line=number,
                hint=error.hint,
            ) from None

    def in_direction(self, number: int, line: str) -> bool:
        section = _SECTION.get(self.state)
        if section is None:
            raise SqlParseError(
                f"failed to parse migration: unexpected state {int(self.state)} on line "
                f"{gotext.quote(line)}, {GOOSE_DOCS}",
                line=number,
                hint=_bom_hint(line) or "put `-- +goose Up` before any SQL",
            )
        if section is not self.direction:
            self.pending.clear()
            return False
        return True

    def maybe_emit(self, number: int, line: str) -> None:
        if self.state in _BLOCK_ENDS:
            self.emit(number)
            self.state = _BLOCK_ENDS[self.state]
        elif self.state in (State.UP, State.DOWN) and ends_with_semicolon(line):
            self.emit(number)

    def emit(self, number: int) -> None:
        if not self.pending:
            self.warn_swallowed(number)
        statement = Statement(self.pending_text(), self.pending_line(default=number))
        if self.state in (State.UP, State.DOWN):
            self.warn_split_trigger(statement)
        self.statements.append(statement)
        self.pending.clear()

    def pending_text(self) -> str:
        return gotext.trim_space("".join(text + "\n" for _, text in self.pending))

    def pending_line(self, default: int) -> int:
        """Where the statement's text starts: its first line that is not just whitespace."""
        for number, text in self.pending:
            if gotext.trim_space(text):
                return number
        return default

    def check_nothing_pending(self) -> None:
        remaining = self.pending_text()
        if remaining:
            raise SqlParseError(
                f"failed to parse migration: state {int(self.state)}, direction: "
                f"{self.direction.value}: unexpected unfinished SQL query: "
                f"{gotext.quote(remaining)}: missing semicolon?",
                line=self.pending_line(default=0),
                hint=_unfinished_hint(remaining),
            )

    def finish(self) -> ParsedSQL:
        if self.state is State.START:
            raise SqlParseError(
                "failed to parse migration: must start with '-- +goose Up' annotation, "
                + GOOSE_DOCS,
                hint="start the file with a `-- +goose Up` line",
            )
        if self.state in _BLOCKS:
            raise SqlParseError(
                "failed to parse migration: missing '-- +goose StatementEnd' annotation",
                line=self.block_line,
                hint="close the block opened here with `-- +goose StatementEnd`",
            )
        self.check_nothing_pending()
        return ParsedSQL(tuple(self.statements), self.use_transaction, tuple(self.warnings))

    def warn_swallowed(self, number: int) -> None:
        self.warnings.append(
            ParseWarning(
                "empty StatementBegin/StatementEnd block: goose runs an empty statement "
                f"instead of line {number}, which is skipped",
                line=number,
                hint="put SQL in the block or remove the empty block",
            )
        )

    def warn_split_trigger(self, statement: Statement) -> None:
        if _is_cut_trigger(statement.text):
            self.warnings.append(
                ParseWarning(
                    "CREATE TRIGGER is cut at its first `;`: goose splits statements at a `;`"
                    " that ends a line",
                    line=statement.line,
                    hint=_TRIGGER_HINT,
                )
            )


_ANNOTATION_STEPS: dict[Annotation, Callable[[_Pass, int], None]] = {
    Annotation.UP: _Pass.begin_up,
    Annotation.DOWN: _Pass.begin_down,
    Annotation.STATEMENT_BEGIN: _Pass.begin_block,
    Annotation.NO_TRANSACTION: _Pass.disable_transaction,
    Annotation.ENVSUB_ON: _Pass.enable_envsub,
    Annotation.ENVSUB_OFF: _Pass.disable_envsub,
}
_TRIGGER_HINT = (
    "triggers need StatementBegin/StatementEnd: wrap the CREATE TRIGGER in"
    " `-- +goose StatementBegin` / `-- +goose StatementEnd`"
)
_TRIGGER_START = re.compile(r"CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TRIGGER\b", re.IGNORECASE)
_TRIGGER_TAIL = re.compile(r"END\b", re.IGNORECASE)  # what is left of a cut trigger
_BEGIN = re.compile(r"\bBEGIN\b", re.IGNORECASE)
_TRIGGER_END = re.compile(r"\bEND\s*;\s*(?:--[^\n]*)?$", re.IGNORECASE)
_DOWN_HINTS = {
    State.START: "put the `-- +goose Up` section before `-- +goose Down`",
    State.BLOCK_UP: "close the block with `-- +goose StatementEnd` before `-- +goose Down`",
    State.DOWN: "a migration has only one `-- +goose Down` section",
    State.BLOCK_DOWN: "close the block with `-- +goose StatementEnd`; a migration has only one"
    " `-- +goose Down` section",
    State.BLOCK_END_DOWN: "a migration has only one `-- +goose Down` section",
}


def _is_cut_trigger(text: str) -> bool:
    """A SQLite trigger (CREATE TRIGGER ... BEGIN ... END;) whose text stops before its END."""
    return bool(
        _TRIGGER_START.match(text) and _BEGIN.search(text) and not _TRIGGER_END.search(text)
    )


def _unfinished_hint(remaining: str) -> str:
    if _TRIGGER_START.match(remaining) or _TRIGGER_TAIL.match(remaining):
        return _TRIGGER_HINT
    return (
        "end the statement with `;` (the last word on its line, before any `--` comment) or"
        " wrap it in -- +goose StatementBegin / StatementEnd"
    )


def _bom_hint(line: str) -> str | None:
    if line.startswith("\ufeff"):
        return "the file starts with a byte-order mark; save it as UTF-8 without BOM"
    return None
