"""The stale-code check: what `generate` would write, compared byte for byte with the disk.

`check(config)` first asks `sqlforge.fingerprint` whether the tree is exactly as the last
`generate` (or fresh check) left it; when it cannot vouch for that, it renders every output
in memory with the same `render_outputs` that `generate` uses and compares:

* schema drift: `schema.sql` as a fresh in-memory migration exports it;
* code drift: every generated module, `changed` or `missing`, and every `stray` module of the
  output package that bears sqlforge's header but would no longer be produced (`generate`
  would delete it).

The result is data (`CheckResult`); `sqlforge.commands.check` turns it into text or JSON.
Errors in the inputs (a bad migration, a bad query) are raised as in `generate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from sqlforge import fingerprint
from sqlforge.config import Config
from sqlforge.errors import SqlforgeError

Status = Literal["changed", "missing", "stray"]
STATUSES: Final[tuple[Status, ...]] = ("changed", "missing", "stray")

FIX_COMMAND: Final = "invoke db.generate"
"""What regenerates everything (`sqlforge generate` does the same)."""


@dataclass(frozen=True)
class Drift:
    """One file that differs from what `generate` would leave on disk."""

    path: Path
    status: Status
    expected: bytes | None
    """What `generate` would write; None for a stray file (it would be deleted)."""
    actual: bytes | None
    """What is on disk; None for a missing file."""
    schema: bool = False
    """True for `schema.sql` (schema drift), False for generated code."""

    def unified_diff(self, name: str) -> list[str]:
        """The change `generate` would make, as `diff -u` shows it (lines without ends)."""
        import difflib  # noqa: PLC0415  (only for stale trees)

        before, after = _lines(self.actual), _lines(self.expected)
        source = "/dev/null" if self.actual is None else f"a/{name}"
        target = "/dev/null" if self.expected is None else f"b/{name}"
        lines = list(difflib.unified_diff(before, after, source, target, lineterm=""))
        return lines + _invisible_differences(self)


@dataclass(frozen=True)
class CheckResult:
    drifts: tuple[Drift, ...]
    checked: int
    """How many generated files were compared."""
    fast_path: bool
    """True when the answer came from the fingerprint, without rendering."""

    @property
    def fresh(self) -> bool:
        return not self.drifts

    @property
    def fix(self) -> str | None:
        """The command that makes a stale tree fresh."""
        return None if self.fresh else FIX_COMMAND

    def counts(self) -> dict[Status, int]:
        """How many files of each status, in a fixed order."""
        return {status: sum(d.status == status for d in self.drifts) for status in STATUSES}


def check(config: Config, *, use_fingerprint: bool = True) -> CheckResult:
    """Fresh or stale, from the fingerprint when it vouches for the tree, else in full."""
    if use_fingerprint:
        recorded = fingerprint.fresh_record(config)
        if recorded is not None:
            return CheckResult(drifts=(), checked=len(recorded.outputs), fast_path=True)
    return full_check(config)


def full_check(config: Config) -> CheckResult:
    """Render everything and compare; a fresh tree is fingerprinted for the next check."""
    from sqlforge.generate import render_outputs, stale_outputs  # noqa: PLC0415  (heavy)

    inputs = fingerprint.inputs_digest(config)  # before rendering: later edits never match
    files = render_outputs(config)
    drifts = [drift for file in files if (drift := _compare(file.path, file.content, config))]
    drifts += [_stray(path) for path in stale_outputs(config, files)]
    if not drifts:
        fingerprint.record(config, inputs, files)
    return CheckResult(drifts=tuple(drifts), checked=len(files), fast_path=False)


def _compare(path: Path, expected: bytes, config: Config) -> Drift | None:
    actual = _read(path)
    if actual == expected:
        return None
    status: Status = "missing" if actual is None else "changed"
    return Drift(path, status, expected, actual, schema=path == config.schema)


def _stray(path: Path) -> Drift:
    return Drift(path, "stray", None, _read(path))


def _read(path: Path) -> bytes | None:
    """The bytes on disk; None where no file is (`generate` would write one there)."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as error:
        raise SqlforgeError(
            f"cannot read this file to compare it: {error.strerror or error}",
            path=path,
            hint="make it readable (or delete it and run `invoke db.generate`)",
        ) from None


# diffs


def _lines(content: bytes | None) -> list[str]:
    if content is None:
        return []
    return content.decode("utf-8", errors="replace").split("\n")


def _invisible_differences(drift: Drift) -> list[str]:
    """What a line diff cannot show: line endings, and bytes that are not UTF-8."""
    if drift.actual is None or drift.expected is None:
        return []
    notes = []
    if b"\r" in drift.actual and b"\r" not in drift.expected:
        notes.append("# the file on disk has CR line endings; generated files use LF only")
    if _lines(drift.actual) == _lines(drift.expected):
        notes.append("# the bytes differ where a text diff cannot show it (encoding)")
    return notes
