"""Text for people: one place decides on colour and quietness."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

_STYLES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "cyan": "36",
}


def color_wanted(stream: TextIO, choice: str = "auto") -> bool:
    """Colour only on a terminal, unless asked; NO_COLOR and FORCE_COLOR are honoured."""
    if choice == "always":
        return True
    if choice == "never" or "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


@dataclass
class Printer:
    """Writes report lines to stdout and problems to stderr."""

    color: bool = False
    quiet: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def style(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_STYLES[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"

    def info(self, text: str) -> None:
        """Progress and summaries; silenced by --quiet."""
        if not self.quiet:
            print(text, file=self.out)

    def result(self, text: str) -> None:
        """What the user asked for (a table, a version, JSON); printed even when quiet."""
        print(text, file=self.out)

    def warn(self, text: str) -> None:
        print(f"{self.style('warning:', 'yellow', 'bold')} {text}", file=self.err)

    def error(self, text: str) -> None:
        print(f"{self.style('error:', 'red', 'bold')} {text}", file=self.err)


def make_printer(*, color: str = "auto", quiet: bool = False) -> Printer:
    return Printer(color=color_wanted(sys.stdout, color), quiet=quiet)
