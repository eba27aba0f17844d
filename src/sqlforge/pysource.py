"""Python source text for generated modules, laid out the way ruff formats it.

Generated code must pass `ruff check` and stay unchanged under `ruff format` whatever line
length the project configures (88 by default, 100 here). So every line fits in 88 columns,
and every construct that does not fit is exploded one item per line with a trailing comma:
ruff keeps such "magic trailing comma" layouts as they are at any width.

Text from SQL (query text, comments, names) only ever reaches generated code through the
literal functions below, which escape everything that could end a string or change its value:
backslashes, quotes, control characters and every non-ASCII character.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

WIDTH: Final = 88
"""ruff's and black's default line length; lines stay within it."""
INDENT: Final = "    "


# literals


def string_literal(text: str) -> str:
    """A one-line string literal with the quotes ruff prefers: double, unless single quotes
    need fewer escapes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + "".join(_escaped(char, quote) for char in text) + quote


def _escaped(char: str, quote: str = "") -> str:
    """`char` as it may appear inside a literal: printable ASCII stays, the rest is escaped."""
    if char in ("\\", quote):
        return "\\" + char
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if " " <= char <= "~":
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_NAMED_ESCAPES: Final = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}


def text_block_literal(text: str) -> list[str]:
    """A triple-quoted literal holding `text` exactly, as lines to place after `NAME = `.

    It opens with `\"\"\"\\` so the text starts at column 0 and reads as written; lines longer
    than the width are continued with a backslash-newline, which Python drops from the value.
    """
    units = _block_units(text)
    lines: list[list[str]] = [[]]
    for unit in units:
        if unit == "\n":
            lines.append([])
        else:
            lines[-1].append(unit)
    lines[-1].append('"""')
    physical = [piece for line in lines for piece in _continued(_trailing_space_escaped(line))]
    return ['"""\\', *physical]


def _block_units(text: str) -> list[str]:
    """Escaped characters; a `"` is escaped where it could close the literal (before another
    `"` or at the very end)."""
    units = []
    for index, char in enumerate(text):
        if char == '"':
            closing = index + 1 == len(text) or text[index + 1] == '"'
            units.append('\\"' if closing else '"')
        elif char == "\n":
            units.append("\n")
        else:
            units.append(_escaped(char))
    return units


def _trailing_space_escaped(units: list[str]) -> list[str]:
    """ruff flags trailing whitespace even inside strings: escape the last space of a line."""
    if units and units[-1] == " ":
        return [*units[:-1], "\\x20"]
    return units


def _continued(units: list[str]) -> list[str]:
    """One logical line as physical lines of at most WIDTH columns, breaking after a space
    where possible, each but the last ending in a continuation backslash."""
    pieces: list[str] = []
    while sum(map(len, units)) > WIDTH:
        cut = _cut_position(units, WIDTH - 1)
        pieces.append("".join(units[:cut]) + "\\")
        units = units[cut:]
    pieces.append("".join(units))
    return pieces


def _cut_position(units: list[str], width: int) -> int:
    used, fitting = 0, 0
    for index, unit in enumerate(units):
        used += len(unit)
        if used > width:
            break
        fitting = index + 1
    spaces = [i + 1 for i in range(fitting) if units[i] == " " and i + 1 < fitting]
    return max(spaces[-1] if spaces else fitting, 1)


def docstring(lines: Sequence[str], indent: str) -> list[str]:
    """A docstring at `indent` from comment lines (empty list when they hold no text):
    dedented, wrapped to the width, escaped."""
    text = textwrap.dedent("\n".join(line.rstrip() for line in lines)).strip("\n")
    if not text.strip():
        return []
    body = _docstring_body(text, WIDTH - len(indent) - len('"""'))
    if len(body) == 1:
        return [f'{indent}"""{body[0]}"""']
    rest = [f"{indent}{line}" if line else "" for line in body[1:]]
    return [f'{indent}"""{body[0]}', *rest, f'{indent}"""']


def _docstring_body(text: str, width: int) -> list[str]:
    """Escaped lines; a leading quote is escaped, as ruff would otherwise pad it with a
    space."""
    lines = "".join(_block_units(text)).split("\n")
    lines[0] = lines[0].lstrip(" ")
    if lines[0].startswith('"'):
        lines[0] = "\\" + lines[0]
    return [line for paragraph in _paragraphs(lines) for line in _reflowed(paragraph, width)]


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines, and each blank line on its own."""
    paragraphs: list[list[str]] = []
    for line in lines:
        if line and paragraphs and paragraphs[-1][-1]:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _reflowed(paragraph: list[str], width: int) -> list[str]:
    """The paragraph as written when every line fits, else refilled to the width (keeping
    its first line's indentation)."""
    if all(len(line) <= width for line in paragraph):
        return paragraph
    lead = paragraph[0][: len(paragraph[0]) - len(paragraph[0].lstrip(" "))]
    return textwrap.wrap(
        " ".join(line.strip(" ") for line in paragraph),
        width=width,
        initial_indent=lead,
        subsequent_indent=lead,
        break_long_words=False,
        break_on_hyphens=False,
    )


# expressions that explode when too long


@dataclass(frozen=True)
class Bracketed:
    """`head(item, item)`, `(item,)`, `{item}`: a bracketed list that ruff would explode one
    item per line, with a trailing comma, when it does not fit."""

    head: str
    items: tuple[str | Bracketed, ...]
    open: str = "("
    close: str = ")"
    tuple_like: bool = False
    """A one-item tuple needs its comma even on one line."""


def call(head: str, *items: str | Bracketed) -> Bracketed:
    return Bracketed(head, items)


def tuple_of(*items: str | Bracketed) -> Bracketed:
    return Bracketed("", items, tuple_like=True)


def dict_of(*items: str | Bracketed) -> Bracketed:
    return Bracketed("", items, open="{", close="}")


def flat(node: str | Bracketed) -> str:
    if isinstance(node, str):
        return node
    inner = ", ".join(flat(item) for item in node.items)
    if node.tuple_like and len(node.items) == 1:
        inner += ","
    return f"{node.head}{node.open}{inner}{node.close}"


def splittable(expression: str) -> str | Bracketed:
    """A call written as text (`f(a, b)`) as a `Bracketed`, so it can explode when long."""
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return expression
    if not isinstance(node, ast.Call) or node.keywords:
        return expression
    parts = [node.func, *node.args]
    head, *items = (ast.get_source_segment(expression, part) or "" for part in parts)
    return call(head, *items)


def layout(node: str | Bracketed, indent: str, *, prefix: str = "", suffix: str = "") -> list[str]:
    """`indent + prefix + node + suffix` on one line if it fits, else exploded (recursively)."""
    line = f"{indent}{prefix}{flat(node)}{suffix}"
    if len(line) <= WIDTH or isinstance(node, str) or not node.items:
        return [line]
    inner = indent + INDENT
    lines = [f"{indent}{prefix}{node.head}{node.open}"]
    for item in node.items:
        lines.extend(layout(item, inner, suffix=","))
    lines.append(f"{indent}{node.close}{suffix}")
    return lines


def signature(
    name: str, parameters: Sequence[str], returns: str, indent: str, *, keyword: str = "def"
) -> list[str]:
    """`def name(parameters) -> returns:` laid out like the calls above."""
    return layout(call(f"{keyword} {name}", *parameters), indent, suffix=f" -> {returns}:")


# imports


@dataclass(frozen=True, order=True)
class Import:
    module: str
    """Absolute (`datetime`) or relative (`.models`, `.`)."""
    name: str = ""
    """'' for `import module`."""


def render_imports(imports: Iterable[Import], *, first_party: Collection[str] = ()) -> list[str]:
    """Import statements in ruff's (isort's) default order: sections future, standard library,
    third party, first party, local, separated by a blank line; in each, `import x` before
    `from x import ...`, modules by name, names constants first, then classes, then the rest."""
    sections: dict[int, set[Import]] = {}
    for item in set(imports):
        sections.setdefault(_section(item.module, first_party), set()).add(item)
    blocks = [_section_lines(sections[key]) for key in sorted(sections)]
    return [line for block in _joined(blocks) for line in block]


def _joined(blocks: list[list[str]]) -> list[list[str]]:
    result: list[list[str]] = []
    for block in blocks:
        if result:
            result.append([""])
        result.append(block)
    return result


def _section(module: str, first_party: Collection[str]) -> int:
    top = module.split(".", 1)[0]
    if module == "__future__":
        return 0
    if module.startswith("."):
        return 4
    if top in first_party:
        return 3
    return 1 if top in sys.stdlib_module_names else 2


def _section_lines(imports: set[Import]) -> list[str]:
    straight = sorted({i.module for i in imports if not i.name}, key=_module_key)
    lines = [f"import {module}" for module in straight]
    from_modules = sorted({i.module for i in imports if i.name}, key=_module_key)
    for module in from_modules:
        names = sorted({i.name for i in imports if i.module == module and i.name}, key=_name_key)
        statement = Bracketed(f"from {module} import ", tuple(names))
        line = f"from {module} import {', '.join(names)}"
        lines.extend([line] if len(line) <= WIDTH else layout(statement, ""))
    return lines


def _module_key(module: str) -> tuple[int, str, str]:
    dots = len(module) - len(module.lstrip("."))
    return (-dots, module.lstrip(".").lower(), module)


def _name_key(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)
