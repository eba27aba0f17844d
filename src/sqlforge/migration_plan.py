"""Which migrations a command runs, decided from the files and the version table alone.

Pure functions, goose's rules: `up` applies versions above the database's highest applied
version; versions below it that were never applied are "missing" (out of order) and an error
unless allowed; `down`/`down-to` roll back in reverse order of application; `reset` rolls back
in reverse version order. Problems are raised as `SqlforgeError` before anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlforge.errors import Diagnostic, SqlforgeError
from sqlforge.migration_files import ParsedMigration
from sqlforge.version_table import DatabaseState


def by_version(migrations: Sequence[ParsedMigration]) -> dict[int, ParsedMigration]:
    return {migration.version: migration for migration in migrations}


def check_target(migrations: Sequence[ParsedMigration], target: int, *, allow_zero: bool) -> None:
    if target == 0 and allow_zero:
        return
    if target not in by_version(migrations):
        known = ", ".join(str(m.version) for m in migrations[-5:]) or "none"
        raise SqlforgeError(
            f"no migration has version {target}",
            hint=f"give the version of an existing migration file (latest: {known})"
            + (", or 0 to roll back everything" if allow_zero else ""),
        )


def plan_up(
    migrations: Sequence[ParsedMigration],
    state: DatabaseState,
    *,
    target: int | None = None,
    by_one: bool = False,
    allow_missing: bool = False,
) -> list[ParsedMigration]:
    limit = target if target is not None else max((m.version for m in migrations), default=0)
    pending = [m for m in migrations if m.version not in state.applied and m.version <= limit]
    missing = [m for m in pending if m.version < state.max_version]
    if missing and not allow_missing:
        raise missing_error(missing, state.max_version)
    return pending[:1] if by_one else pending


def plan_down(migrations: Sequence[ParsedMigration], state: DatabaseState) -> list[ParsedMigration]:
    current = state.current_version
    return [] if current == 0 else files_for(migrations, [current])


def plan_down_to(
    migrations: Sequence[ParsedMigration], state: DatabaseState, target: int
) -> list[ParsedMigration]:
    """Roll back in reverse order of application, stopping at the first version <= target."""
    versions: list[int] = []
    for applied in reversed(state.in_application_order()):
        if applied.version <= target:
            break
        versions.append(applied.version)
    return files_for(migrations, versions)


def plan_reset(
    migrations: Sequence[ParsedMigration], state: DatabaseState
) -> list[ParsedMigration]:
    """Every applied version, highest first (goose's `reset`, unlike `down-to 0`)."""
    return files_for(migrations, sorted(state.applied, reverse=True))


def files_for(
    migrations: Sequence[ParsedMigration], versions: Sequence[int]
) -> list[ParsedMigration]:
    files = by_version(migrations)
    without_file = [version for version in versions if version not in files]
    if without_file:
        raise unknown_versions_error(without_file)
    return [files[version] for version in versions]


def check_applied_have_files(migrations: Sequence[ParsedMigration], state: DatabaseState) -> None:
    files = by_version(migrations)
    without_file = sorted(version for version in state.applied if version not in files)
    if without_file:
        raise unknown_versions_error(without_file)


def modified(migrations: Sequence[ParsedMigration], state: DatabaseState) -> list[ParsedMigration]:
    """Applied migrations whose file no longer has the checksum recorded when applied."""
    return [
        migration
        for migration in migrations
        if (recorded := state.recorded_checksum(migration.version)) is not None
        and recorded != migration.file.checksum
    ]


def unrecorded(
    migrations: Sequence[ParsedMigration], state: DatabaseState
) -> list[ParsedMigration]:
    """Applied migrations without a checksum (applied by goose, or before sqlforge)."""
    return [
        migration
        for migration in migrations
        if migration.version in state.applied and state.recorded_checksum(migration.version) is None
    ]


def modified_error(edited: Sequence[ParsedMigration]) -> SqlforgeError:
    diagnostics = [
        Diagnostic(
            "this migration was changed after it was applied (its SHA-256 differs from the one"
            " recorded)",
            path=migration.file.path,
        )
        for migration in edited
    ]
    diagnostics.append(
        Diagnostic(
            f"{len(edited)} applied migration(s) were edited; refusing to migrate past them",
            hint="restore the applied version of the file (e.g. from git), or, if the edit does"
            " not change what it did, run again with --allow-modified to accept it",
        )
    )
    return SqlforgeError.from_diagnostics(diagnostics)


def missing_error(missing: Sequence[ParsedMigration], max_version: int) -> SqlforgeError:
    diagnostics = [
        Diagnostic(
            f"never applied, but older than the database's version {max_version}",
            path=migration.file.path,
        )
        for migration in missing
    ]
    diagnostics.append(
        Diagnostic(
            f"found {len(missing)} missing (out-of-order) migration(s) below version {max_version}",
            hint="apply them anyway with --allow-missing (they run before the newer ones), or"
            " give them versions above the database's",
        )
    )
    return SqlforgeError.from_diagnostics(diagnostics)


def unknown_versions_error(versions: Sequence[int]) -> SqlforgeError:
    listed = ", ".join(str(version) for version in versions)
    return SqlforgeError(
        f"the database has version(s) {listed} applied, but no migration file has that version",
        hint="the database is newer than these files or a file was deleted or renumbered: check"
        " --dir / `migrations`, restore the file, or use the database these files belong to",
    )
