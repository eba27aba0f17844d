"""The README is checked like code: every command, task, session and key is documented."""

from __future__ import annotations

import argparse
import re
import runpy
from contextlib import chdir
from pathlib import Path

import nox.registry

from sqlforge.config import _KEYS
from sqlforge.main import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_migrate_command_has_a_row_in_the_readme() -> None:
    migrate = subcommands(build_parser())["migrate"]
    for name in subcommands(migrate):
        assert re.search(rf"^\| `{re.escape(name)}( [A-Z]+)?` \|", README, re.MULTILINE), name


def test_every_top_level_command_is_documented() -> None:
    for name in subcommands(build_parser()):
        assert f"`sqlforge {name}" in README, name


def test_every_config_key_has_a_row_in_the_reference() -> None:
    for key in _KEYS:
        assert re.search(rf"^\| `{key}` \|", README, re.MULTILINE), key


def test_every_invoke_task_is_named() -> None:
    from sqlforge.tasks import db

    for name in db.task_names:
        assert f"db.{name}" in README, name


def test_every_nox_session_is_named() -> None:
    runpy.run_path(str(ROOT / "noxfile.py"))
    names = list(nox.registry.get())
    assert "tests" in names
    for name in names:
        assert f"nox -s {name}" in README, name


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    commands = re.findall(r"^```sh\n(.+)\n```", README, re.MULTILINE)
    assert len(commands) >= 2
    install_and_run, install_and_test = commands[0], commands[1]
    assert "invoke db." in install_and_run
    assert install_and_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_python_examples_run(tmp_path: Path) -> None:
    """Every Python block of the README runs, against a freshly migrated render-farm database."""
    blocks = re.findall(r"^```python\n(.*?)^```", README, re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 2
    from sqlforge.migrate import up

    result = up(tmp_path / "var" / "renderfarm.sqlite", ROOT / "db" / "migrations")
    assert result.ok
    with chdir(tmp_path):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
