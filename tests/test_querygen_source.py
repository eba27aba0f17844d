"""Python source for generated modules: literals that keep any text exact and inert, and a
layout that `ruff check` and `ruff format` accept as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sqlforge.pysource import (
    WIDTH,
    Import,
    call,
    dict_of,
    docstring,
    layout,
    render_imports,
    signature,
    splittable,
    string_literal,
    text_block_literal,
    tuple_of,
)

HOSTILE = [
    'SELECT 1 -- """; import os; os.system("x") """',
    "a'''b\"\"\"c",
    'ends with a quote"',
    '""',
    "back\\slash \\N{BULLET} \\x41 \\u00e9 \\",
    "tab\tcarriage\r\nreturn",
    "caf\u00e9 \u2013 \u00fc \U0001f600 \u202e bidi",
    "nul \x00 bell \x07",
    "trailing spaces   \nnext line \t",
    "x" * 300,
    ("word " * 60).strip(),
    "",
    "\n\n",
]

any_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


def evaluate(literal_lines: list[str]) -> object:
    namespace: dict[str, object] = {}
    exec(compile("VALUE = " + "\n".join(literal_lines), "<test>", "exec"), namespace)
    return namespace["VALUE"]


@given(any_text)
def test_string_literal_holds_any_text_exactly(text: str) -> None:
    literal = string_literal(text)
    assert evaluate([literal]) == text
    assert "\n" not in literal
    assert literal.isascii()


def test_string_literal_prefers_double_quotes_like_ruff() -> None:
    assert string_literal("jobs.status") == '"jobs.status"'
    assert string_literal('a"b') == "'a\"b'"
    assert string_literal("it's") == '"it\'s"'


@given(any_text)
def test_text_block_literal_holds_any_text_exactly(text: str) -> None:
    lines = text_block_literal(text)
    assert evaluate(lines) == text
    assert all(len(line) <= WIDTH for line in lines)
    assert all(line == line.rstrip() for line in lines)
    assert all(line.isascii() for line in lines)


@settings(max_examples=200)
@given(st.lists(any_text, max_size=5))
def test_docstring_is_one_inert_literal(lines: list[str]) -> None:
    rendered = docstring(lines, "    ")
    if not rendered:
        assert not "\n".join(lines).strip()
        return
    source = "def f() -> None:\n" + "\n".join(rendered) + "\n"
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    function = namespace["f"]
    assert callable(function)
    assert isinstance(function.__doc__, str)
    assert all(line.isascii() and line == line.rstrip() for line in rendered)


def test_docstring_keeps_short_lines_and_refills_long_paragraphs() -> None:
    assert docstring([" Fetch one job."], "        ") == ['        """Fetch one job."""']
    lines = docstring(
        [" First line.", "", " " + "word " * 30, " continues here", "", "   - item"], "    "
    )
    assert lines[0] == '    """First line.'
    assert lines[1] == ""
    assert all(len(line) <= WIDTH for line in lines)
    assert "    - item" not in lines
    assert "      - item" in lines
    assert lines[-1] == '    """'


def test_layout_is_flat_when_it_fits_and_exploded_with_trailing_commas_otherwise() -> None:
    short = call("f", "a", tuple_of("b"))
    assert layout(short, "    ", prefix="x = ") == ["    x = f(a, (b,))"]
    long = call("self._connection.execute", "QUERY", tuple_of(*(f"value_{i}" for i in range(12))))
    lines = layout(long, "        ", prefix="cursor = ")
    assert lines[0] == "        cursor = self._connection.execute("
    assert lines[1] == "            QUERY,"
    assert lines[-1] == "        )"
    assert all(len(line) <= WIDTH for line in lines)
    assert dict_of('"a": 1').items == ('"a": 1',)


def test_splittable_turns_a_call_into_parts_and_leaves_the_rest() -> None:
    assert splittable('f(row[1], "a.b")') == call("f", "row[1]", '"a.b"')
    assert splittable("row[1]") == "row[1]"
    assert splittable("not python (") == "not python ("


def test_signature_explodes_keyword_only_parameters() -> None:
    parameters = ["self", "*", *(f"argument_{i}: int" for i in range(8))]
    lines = signature("create_job", parameters, "int", "    ")
    assert lines[:3] == ["    def create_job(", "        self,", "        *,"]
    assert lines[-1] == "    ) -> int:"


def test_imports_are_sorted_in_sections() -> None:
    lines = render_imports(
        [
            Import("sqlite3"),
            Import("typing", "Any"),
            Import("collections.abc", "Sequence"),
            Import("aiosqlite"),
            Import("pydantic", "ConfigDict"),
            Import("pydantic", "BaseModel"),
            Import("myproject.types", "Status"),
            Import(".", "_runtime"),
            Import("._runtime", "JsonValue"),
            Import(".models", "Job"),
        ],
        first_party={"myproject"},
    )
    assert lines == [
        "import sqlite3",
        "from collections.abc import Sequence",
        "from typing import Any",
        "",
        "import aiosqlite",
        "from pydantic import BaseModel, ConfigDict",
        "",
        "from myproject.types import Status",
        "",
        "from . import _runtime",
        "from ._runtime import JsonValue",
        "from .models import Job",
    ]


def test_hostile_text_passes_ruff_check_and_format(tmp_path: Path) -> None:
    """Everything this module writes, on the nastiest text, is code ruff leaves alone."""
    lines = ["from __future__ import annotations", ""]
    for index, text in enumerate(HOSTILE):
        block = text_block_literal(text)
        lines += [f"BLOCK_{index} = {block[0]}", *block[1:], ""]
        lines += [f"LABEL_{index} = {string_literal(text[:40])}", ""]
    for index, text in enumerate(HOSTILE):
        lines += ["", f"def function_{index}() -> None:"]
        lines += docstring(text.split("\n"), "    ") or ["    pass"]
        lines += [""]
    long_call = call("function_name", *(f"argument_number_{i}" for i in range(10)))
    lines += ["", "def caller() -> None:", *layout(long_call, "    ")]
    source = tmp_path / "module.py"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for arguments in (
        ["check", "--isolated", "--select", "E,W,F,I,RUF,B,UP,PL", "--ignore", "F821"],
        ["format", "--isolated", "--check"],
        ["format", "--isolated", "--check", "--line-length", "100"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *arguments, str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
