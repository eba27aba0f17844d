"""`create` and `fix`: goose's names and template, the folder's own numbering, no overwrites."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqlforge.authoring import (
    TEMPLATE,
    create_migration,
    fix_migrations,
    is_timestamp,
    snake_case,
)
from sqlforge.errors import SqlforgeError

if TYPE_CHECKING:
    from conftest import MigrationFolder

NOON = datetime(2026, 3, 4, 12, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Add updated_at to users table", "add_updated_at_to_users_table"),  # goose's own cases
        ("$()&^%(_--crazy__--input$)", "crazy_input"),
        ("AddUser", "adduser"),
        ("Größe ändern", "größe_ändern"),
        ("v2 -- tags", "v2_tags"),
    ],
)
def test_snake_case_like_goose(name: str, expected: str) -> None:
    assert snake_case(name) == expected


@given(st.text())
def test_snake_case_is_always_a_safe_file_name_part(name: str) -> None:
    slug = snake_case(name)
    assert "__" not in slug and not slug.startswith("_") and not slug.endswith("_")
    assert not any(char.isspace() or char in "/\\.:" for char in slug)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (20260304120005, True),
        (19700101000000, True),
        (19691231235959, False),  # before 1970
        (20261304120005, False),  # month 13
        (1, False),
        (2026030412000, False),  # 13 digits
    ],
)
def test_timestamp_versions(version: int, expected: bool) -> None:
    assert is_timestamp(version) is expected


def test_create_continues_numbering_and_width(migration_folder: MigrationFolder) -> None:
    migration_folder.write("0005_a.sql", "SELECT 1;")
    migration_folder.write("0006_b.sql", "SELECT 1;")
    path = create_migration(migration_folder.path, "Add jobs")
    assert path == migration_folder.path / "0007_add_jobs.sql"
    assert path.read_text() == TEMPLATE


def test_create_in_an_empty_or_missing_folder_uses_gooses_width(tmp_path: Path) -> None:
    path = create_migration(tmp_path / "db" / "migrations", "init")
    assert path == tmp_path / "db" / "migrations" / "00001_init.sql"


def test_create_follows_a_timestamped_folder(migration_folder: MigrationFolder) -> None:
    migration_folder.write("0001_a.sql", "SELECT 1;")
    migration_folder.write("20260101000000_b.sql", "SELECT 1;")
    path = create_migration(migration_folder.path, "c", now=NOON)
    assert path.name == "20260304120005_c.sql"
    sequential = create_migration(migration_folder.path, "d", style="sequential")
    assert sequential.name == "0002_d.sql"


def test_create_never_overwrites(migration_folder: MigrationFolder) -> None:
    first = create_migration(migration_folder.path, "x", style="timestamp", now=NOON)
    first.write_text("-- +goose Up\nSELECT 'mine';\n")
    with pytest.raises(SqlforgeError, match="version 20260304120005 is already used"):
        create_migration(migration_folder.path, "y", style="timestamp", now=NOON)
    assert first.read_text() == "-- +goose Up\nSELECT 'mine';\n"
    with pytest.raises(SqlforgeError, match="needs letters or digits"):
        create_migration(migration_folder.path, "--- !!")


def test_fix_renumbers_timestamps_in_order_keeping_width(
    migration_folder: MigrationFolder,
) -> None:
    migration_folder.write("0001_a.sql", "SELECT 1;")
    migration_folder.write("0002_b.sql", "SELECT 2;")
    later = migration_folder.write("20260305000000_later.sql", "SELECT 4;")
    earlier = migration_folder.write("20260304000000_earlier_one.sql", "SELECT 3;")
    content = earlier.read_bytes()
    renames = fix_migrations(migration_folder.path)
    assert [(old.name, new.name) for old, new in renames] == [
        ("20260304000000_earlier_one.sql", "0003_earlier_one.sql"),
        ("20260305000000_later.sql", "0004_later.sql"),
    ]
    assert (migration_folder.path / "0003_earlier_one.sql").read_bytes() == content
    assert not later.exists()
    assert fix_migrations(migration_folder.path) == []
