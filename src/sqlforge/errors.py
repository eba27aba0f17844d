"""The one user-facing error type, and how it is rendered.

Every problem a user can fix (a bad migration, a bad query, a bad config key) is raised as a
`SqlforgeError` carrying one or more `Diagnostic`s. `sqlforge.main` is the only place that turns
it into text on stderr and an exit code; anything else escaping is a bug in sqlforge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    """One problem: what is wrong, where, and what to do about it."""

    message: str
    path: Path | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        parts = [_display_path(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            return f"{head}\n  hint: {self.hint}"
        return head


class SqlforgeError(Exception):
    """A problem in the user's input; never a bug in sqlforge."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        exit_code: int = 1,
    ) -> None:
        self.exit_code = exit_code
        self.diagnostics: tuple[Diagnostic, ...] = (
            Diagnostic(message, path=path, line=line, column=column, hint=hint),
        )
        super().__init__(self.render())

    @classmethod
    def from_os_error(cls, doing: str, error: OSError, *, path: Path, hint: str) -> SqlforgeError:
        """`cannot <doing>: <the system's reason>`, for a file or folder the user pointed at."""
        return cls(f"cannot {doing}: {error.strerror or error}", path=path, hint=hint)

    @classmethod
    def from_diagnostics(cls, diagnostics: list[Diagnostic]) -> SqlforgeError:
        if not diagnostics:
            raise ValueError("an error needs at least one diagnostic")
        error = cls(diagnostics[0].message)
        error.diagnostics = tuple(diagnostics)
        error.args = (error.render(),)
        return error

    def render(self) -> str:
        return "\n".join(diagnostic.render() for diagnostic in self.diagnostics)


def _display_path(path: Path) -> str:
    """Paths under the working directory are shown relative to it, as compilers do.

    Only the folder is resolved: a link is shown by its own name, and a link to nowhere (or to
    itself), which is often what the message is about, does not break the message.
    """
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)
