"""Writing migration files: `create` a new one, `fix` timestamped versions into sequential ones.

Both follow goose: new files get goose's SQL template and the snake-cased name; a version is
"timestamped" when it reads as a UTC `YYYYMMDDHHMMSS` after 1970, "sequential" otherwise. Unlike
goose, `create` continues the folder's own numbering (`0007_` after `0006_`) and `fix` keeps the
width of the sequential numbers already there. Neither ever overwrites a file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlforge.errors import SqlforgeError
from sqlforge.migration_files import MigrationFile, discover_migrations

TEMPLATE = "-- +goose Up\nSELECT 'up SQL query';\n\n-- +goose Down\nSELECT 'down SQL query';\n"
DEFAULT_WIDTH = 5  # goose's `%05v`
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
_TIMESTAMP_FIELDS = ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14))

Style = Literal["auto", "sequential", "timestamp"]
_PERMISSIONS_HINT = "check that sqlforge may write to the migrations folder"


def snake_case(name: str) -> str:
    """goose's file-name form: runs of letters and digits, lower-cased, joined by `_`."""
    words = re.findall(r"[^\W_]+", name)
    return "_".join(word.lower() for word in words)


def is_timestamp(version: int) -> bool:
    text = str(version)
    if len(text) != 14:
        return False
    year, month, day, hour, minute, second = (int(text[a:b]) for a, b in _TIMESTAMP_FIELDS)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return False
    return moment.year >= 1970


def create_migration(
    folder: Path, name: str, *, style: Style = "auto", now: datetime | None = None
) -> Path:
    """Write a new migration from goose's template; returns its path."""
    slug = snake_case(name)
    if not slug:
        raise SqlforgeError(
            f"a migration name needs letters or digits, got {name!r}",
            hint="describe the change, e.g. `sqlforge migrate create add jobs priority`",
        )
    _make_folder(folder)
    existing = discover_migrations(folder)
    prefix = _next_prefix(existing, style, now or datetime.now(UTC))
    path = folder / f"{prefix}_{slug}.sql"
    _refuse_taken_version(existing, int(prefix), path)
    return _write_new(path, TEMPLATE)


def fix_migrations(folder: Path) -> list[tuple[Path, Path]]:
    """Rename timestamped migrations to the next sequential versions, oldest first."""
    existing = discover_migrations(folder)
    sequential = [m for m in existing if not is_timestamp(m.version)]
    width = _width(sequential)
    next_version = max((m.version for m in sequential), default=0) + 1
    renames: list[tuple[Path, Path]] = []
    for migration in (m for m in existing if is_timestamp(m.version)):
        rest = migration.name.split("_", 1)[1]
        renames.append(
            (migration.path, migration.path.with_name(f"{next_version:0{width}d}_{rest}"))
        )
        next_version += 1
    _refuse_overwrites(renames)
    for done, (old, new) in enumerate(renames):
        _rename(old, new, done)
    return renames


def _next_prefix(existing: Sequence[MigrationFile], style: Style, now: datetime) -> str:
    if style == "auto":
        newest = existing[-1] if existing else None
        style = "timestamp" if newest and is_timestamp(newest.version) else "sequential"
    if style == "timestamp":
        return now.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    sequential = [m for m in existing if not is_timestamp(m.version)]
    version = max((m.version for m in sequential), default=0) + 1
    return f"{version:0{_width(sequential)}d}"


def _width(sequential: Sequence[MigrationFile]) -> int:
    """The digits of the highest sequential version's prefix, leading zeros included."""
    if not sequential:
        return DEFAULT_WIDTH
    return len(sequential[-1].name.split("_", 1)[0].lstrip("+"))


def _refuse_taken_version(existing: Sequence[MigrationFile], version: int, path: Path) -> None:
    for migration in existing:
        if migration.version == version:
            raise SqlforgeError(
                f"version {version} is already used by {migration.name}",
                path=path,
                hint="timestamps have one-second resolution: wait a second and run it again",
            )


def _refuse_overwrites(renames: Sequence[tuple[Path, Path]]) -> None:
    for old, new in renames:
        if new.exists():
            raise SqlforgeError(
                f"cannot rename {old.name}: {new.name} already exists",
                path=new,
                hint="nothing was renamed; move the other file away and run `fix` again",
            )


def _write_new(path: Path, text: str) -> Path:
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:
        raise SqlforgeError(
            "a file with this name already exists", path=path, hint="choose another name"
        ) from None
    except OSError as error:
        raise SqlforgeError.from_os_error(
            "write the new migration", error, path=path, hint=_PERMISSIONS_HINT
        ) from None
    return path


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SqlforgeError.from_os_error(
            "create the migrations folder",
            error,
            path=folder,
            hint="point `migrations` (or --dir) at a folder, or at a path where one may be created",
        ) from None


def _rename(old: Path, new: Path, done: int) -> None:
    try:
        old.rename(new)
    except OSError as error:
        raise SqlforgeError.from_os_error(
            f"rename {old.name} to {new.name}",
            error,
            path=old,
            hint=f"{done} file(s) were renamed before this one; {_PERMISSIONS_HINT}, then run"
            " `fix` again: it continues where it stopped",
        ) from None
