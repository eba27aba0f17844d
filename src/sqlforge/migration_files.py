"""Migration files on disk: names, versions, order, checksums, and their parsed SQL.

A migration file is `<version>_<name>.sql` directly inside the migrations folder; the
version is the integer before the first `_` (goose's rule), at least 1, ordered numerically.

Listing and reading files does not need the SQL parser, so it is imported by `parse_migration`
alone: `sqlforge check`'s fast path lists and reads every migration, but parses none.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlforge.errors import Diagnostic, SqlforgeError

if TYPE_CHECKING:
    from sqlforge.sqlparser import ParsedSQL


@dataclass(frozen=True)
class MigrationFile:
    version: int
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def content(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as error:
            raise SqlforgeError.from_os_error(
                "read this migration",
                error,
                path=self.path,
                hint="it must be a file sqlforge may read: check its permissions (and where a"
                " link points)",
            ) from None

    @cached_property
    def checksum(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ParsedMigration:
    """Both directions of one migration, parsed before anything runs."""

    file: MigrationFile
    up: ParsedSQL
    down: ParsedSQL

    @property
    def version(self) -> int:
        return self.file.version

    @property
    def use_transaction(self) -> bool:
        return self.up.use_transaction


def version_of(filename: str) -> int | None:
    """goose's numeric component of a file name, or None when there is none."""
    if not filename.endswith(".sql") or "_" not in filename:
        return None
    prefix = filename.split("_", 1)[0]
    if not prefix.isascii() or not prefix.lstrip("+").isdigit():
        return None
    return int(prefix)


def discover_migrations(folder: Path) -> list[MigrationFile]:
    """Every migration file in `folder`, in version order; bad names are errors."""
    migrations, problems = scan_migrations(folder)
    if problems:
        raise SqlforgeError.from_diagnostics(problems)
    return migrations


def scan_migrations(folder: Path) -> tuple[list[MigrationFile], list[Diagnostic]]:
    """The migration files in `folder` and every problem with their names, all at once."""
    if not folder.is_dir():
        raise SqlforgeError(
            "migrations folder does not exist",
            path=folder,
            hint="create it, or point `migrations` (or --dir) at the right folder",
        )
    by_version: dict[int, MigrationFile] = {}
    problems: list[Diagnostic] = []
    for path in _sql_files(folder):
        try:
            migration = _migration_file(path)
        except SqlforgeError as error:
            problems.extend(error.diagnostics)
            continue
        existing = by_version.get(migration.version)
        if existing is not None:
            problems.append(_duplicate(migration, existing))
            continue
        by_version[migration.version] = migration
    return [by_version[version] for version in sorted(by_version)], problems


def _sql_files(folder: Path) -> list[Path]:
    # Path.glob would read an unreadable folder as an empty one.
    try:
        return sorted(path for path in folder.iterdir() if path.match("*.sql"))
    except OSError as error:
        raise SqlforgeError.from_os_error(
            "list the migrations folder",
            error,
            path=folder,
            hint="check the folder's permissions: sqlforge must be able to read it",
        ) from None


def _duplicate(migration: MigrationFile, existing: MigrationFile) -> Diagnostic:
    return Diagnostic(
        f"duplicate migration version {migration.version}: also used by {existing.name}",
        path=migration.path,
        hint="give one of the two files a new version number (`sqlforge migrate fix`"
        " renumbers timestamped files)",
    )


def _migration_file(path: Path) -> MigrationFile:
    version = version_of(path.name)
    if version is None:
        raise SqlforgeError(
            "not a migration file name: expected <version>_<name>.sql",
            path=path,
            hint="rename it like 0001_create_jobs.sql, or move it out of the migrations folder",
        )
    if version < 1:
        raise SqlforgeError(
            f"migration version must be greater than zero, got {version}",
            path=path,
            hint="versions start at 1",
        )
    if path.is_dir():
        raise SqlforgeError(
            "a folder, not a migration file",
            path=path,
            hint="migrations are files directly inside the migrations folder: rename the folder"
            " or move it out",
        )
    return MigrationFile(version=version, path=path)


def parse_migration(
    migration: MigrationFile, environ: Mapping[str, str] | None = None
) -> ParsedMigration:
    """Parse both directions; any problem is an error naming the file and line."""
    from sqlforge.sqlparser import Direction, SqlParseError, parse_sql  # noqa: PLC0415

    environ = os.environ if environ is None else environ
    try:
        text = migration.content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SqlforgeError(
            f"migration is not valid UTF-8 ({error.reason} at byte {error.start})",
            path=migration.path,
            hint="save the file as UTF-8",
        ) from None
    _refuse_nul(text, migration.path)
    try:
        up = parse_sql(text, Direction.UP, environ)
        down = parse_sql(text, Direction.DOWN, environ)
    except SqlParseError as error:
        raise SqlforgeError(
            error.message, path=migration.path, line=error.line, hint=error.hint
        ) from None
    return ParsedMigration(file=migration, up=up, down=down)


def _refuse_nul(text: str, path: Path) -> None:
    """SQLite cannot take a NUL character in SQL text; say where it is rather than crash."""
    position = text.find("\0")
    if position >= 0:
        raise SqlforgeError(
            "migration contains a NUL character, which SQLite cannot take in SQL text",
            path=path,
            line=text.count("\n", 0, position) + 1,
            hint="remove it; inside a string literal, write it as char(0)",
        )


def parse_all(
    migrations: Sequence[MigrationFile], environ: Mapping[str, str] | None = None
) -> list[ParsedMigration]:
    return [parse_migration(migration, environ) for migration in migrations]
