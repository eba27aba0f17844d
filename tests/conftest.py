"""Shared helpers: migration folders written on the fly, and the `sqlforge` CLI as a process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SOURCE = Path(__file__).resolve().parent.parent / "src"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test another copy of sqlforge than this checkout's (a stale editable install
    elsewhere would make every subprocess test exercise old code)."""
    import sqlforge

    installed = Path(sqlforge.__file__).resolve().parent.parent
    if installed != SOURCE:
        pytest.exit(
            f"sqlforge is imported from {installed}, not from this checkout's {SOURCE}:"
            ' run `python -m pip install -e ".[dev]"` here first',
            returncode=4,
        )


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@dataclass(frozen=True)
class MigrationFolder:
    path: Path

    def write(self, name: str, up: str, down: str = "", *, header: str = "") -> Path:
        """A goose migration file with the given Up and Down sections."""
        file = self.path / name
        file.write_text(f"{header}-- +goose Up\n{up}\n\n-- +goose Down\n{down}\n", "utf-8")
        return file

    def copy(self, fixture: str) -> MigrationFolder:
        """Add the files of tests/fixtures/migrations/<fixture>."""
        for source in sorted((FIXTURES / "migrations" / fixture).glob("*.sql")):
            shutil.copy(source, self.path / source.name)
        return self


@pytest.fixture
def migration_folder(tmp_path: Path) -> MigrationFolder:
    folder = tmp_path / "migrations"
    folder.mkdir()
    return MigrationFolder(folder)


@pytest.fixture
def sqlforge(tmp_path: Path) -> RunCli:
    """Run `python -m sqlforge ARGS...` in tmp_path, without the caller's SQLFORGE_* settings."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SQLFORGE_") and key not in {"NO_COLOR", "FORCE_COLOR"}
    }

    def run(
        *args: str | Path, cwd: Path = tmp_path, prefix: Sequence[str] = (), **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "sqlforge", *map(str, args)],
            cwd=cwd,
            env={**environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply, even to root (which ignores them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
        if subprocess.run([*prefix, "true"], check=False).returncode == 0:
            return prefix
    pytest.skip("root without a working setpriv: file permissions cannot be tested here")
