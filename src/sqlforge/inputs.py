"""Where generation's query files come from, resolved without importing the generators.

`sqlforge.querygen` renders these files and `sqlforge.fingerprint` hashes them; both need the
same list, and the fingerprint's fast path must not pay for querygen's imports.
"""

from __future__ import annotations

from pathlib import Path

from sqlforge.config import Config
from sqlforge.errors import SqlforgeError


def query_files(config: Config) -> list[Path]:
    """The files `queries` names, in order: each entry a file, a folder (its `*.sql`) or a
    glob, relative to the config's folder; each file once."""
    found: dict[Path, None] = {}
    for entry in config.queries:
        found.update(dict.fromkeys(_entry_files(config, entry)))
    return list(found)


def _entry_files(config: Config, entry: str) -> list[Path]:
    path = Path(entry).expanduser()
    path = path if path.is_absolute() else config.root / path
    if any(char in entry for char in "*?["):
        anchor = Path(path.anchor)
        return sorted(p for p in anchor.glob(str(path.relative_to(anchor))) if p.is_file())
    if path.is_dir():
        return sorted(p for p in path.glob("*.sql") if p.is_file())
    if path.is_file():
        return [path]
    raise SqlforgeError(
        f"query file or folder {entry} does not exist",
        path=config.source,
        hint="fix `queries` in the sqlforge configuration (files, folders or globs)",
    )
