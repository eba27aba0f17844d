"""A small sqlforge project ("shop") for the stale-code check's tests, and ways to run tools in it.

The project (tests/fixtures/check/shop: migrations, queries, an override enum, invoke tasks) is
generated once per test process with the real `sqlforge generate` and copied for each test,
since generation takes a second or two.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sqlforge as sqlforge_package

TEMPLATE_SOURCE = Path(__file__).parent / "fixtures" / "check" / "shop"
REPO_ROOT = Path(__file__).parent.parent
CACHE = ".sqlforge-cache"
GENERATED = ("db/schema.sql", "src/shop/db/models.py", "src/shop/db/orders.py")
"""A few of the files `sqlforge generate` writes in the shop."""


def clean_environment(**extra: str) -> dict[str, str]:
    """The caller's environment without settings that would change what the tools do, with
    this interpreter's scripts (`sqlforge`, `pre-commit`) first on PATH."""
    dropped = {"NO_COLOR", "FORCE_COLOR", "PRE_COMMIT_COLOR"}
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SQLFORGE_", "GIT_")) and key not in dropped
    }
    scripts = str(Path(sys.executable).parent)
    environ["PATH"] = os.pathsep.join([scripts, environ.get("PATH", "")])
    return {**environ, **extra}


def run(
    root: Path, *command: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=root,
        env=env or clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def sqlforge(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m sqlforge ARGS` in the project."""
    return run(root, sys.executable, "-m", "sqlforge", *args, env=clean_environment(**env))


def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated shop, built once per test process."""
    root = tmp_path_factory.getbasetemp() / "shop-template"
    if not (root / "db" / "schema.sql").exists():
        staging = tmp_path_factory.mktemp("shop-staging") / "shop"
        shutil.copytree(TEMPLATE_SOURCE, staging)
        generated = sqlforge(staging, "generate")
        assert generated.returncode == 0, generated.stderr
        shutil.rmtree(staging / CACHE)  # its record names the staging folder
        staging.rename(root)
    return root


def copy_project(template_root: Path, destination: Path) -> Path:
    shutil.copytree(template_root, destination)
    return destination


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


def sqlforge_edited_since(moment: float) -> bool:
    """Whether a file of sqlforge itself changed after `moment`. The fingerprint covers
    sqlforge's own files, and in a shared development tree another change may land while a
    test runs: the fast path then rightly steps aside."""
    package = Path(sqlforge_package.__file__).parent
    return any(path.stat().st_mtime >= moment for path in package.rglob("*.py"))


def skip_if_sqlforge_edited(moment: float) -> None:
    if sqlforge_edited_since(moment):
        pytest.skip("sqlforge's own files changed during the test (the fingerprint moved)")
