"""The pre-commit hook for real: temporary git repositories holding the shop project, real
`pre-commit install`, real `git commit`, the hook as this repository defines it."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from shop_project import (
    REPO_ROOT,
    append,
    clean_environment,
    copy_project,
    run,
    template,
)

SHOP_FILES = (
    r"^(db/(migrations|queries)/.*\.sql|db/schema\.sql|src/shop/(db/.*|types\.py)|pyproject\.toml)$"
)
"""The shop's equivalent of the `files:` pattern this repository uses for its own layout."""
NEW_QUERY = "\n-- name: DeleteOrder :exec\nDELETE FROM orders WHERE id = ?;\n"
NEW_MIGRATION = (
    "-- +goose Up\nCREATE TABLE coupons (code TEXT PRIMARY KEY, percent INTEGER NOT NULL);\n\n"
    "-- +goose Down\nDROP TABLE coupons;\n"
)
SKIPPED = re.compile(r"^sqlforge check \(.*\)\.+\(no files to check\)Skipped$", re.MULTILINE)
PASSED = re.compile(r"^sqlforge check \(.*\)\.+Passed$", re.MULTILINE)
FAILED = re.compile(r"^sqlforge check \(.*\)\.+Failed$", re.MULTILINE)


def repository_hooks() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    [local] = [repo for repo in config["repos"] if repo["repo"] == "local"]
    return {hook["id"]: hook for hook in local["hooks"]}


@pytest.fixture(scope="module")
def generated_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template(tmp_path_factory)


class Repository:
    """A git repository with pre-commit installed; every command in a clean environment."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.env = clean_environment(
            PRE_COMMIT_HOME=str(home),
            GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="Test",
            GIT_AUTHOR_EMAIL="test@example.com",
            GIT_COMMITTER_NAME="Test",
            GIT_COMMITTER_EMAIL="test@example.com",
        )

    def run(self, *command: str | Path) -> str:
        result = run(self.root, *command, env=self.env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def commit(self, message: str) -> tuple[int, str]:
        """`git add -A` and `git commit`: the exit code and everything the hook printed."""
        self.run("git", "add", "-A")
        result = run(self.root, "git", "commit", "-m", message, env=self.env)
        return result.returncode, result.stdout + result.stderr

    def head(self) -> str:
        return self.run("git", "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(generated_shop: Path, tmp_path: Path) -> Repository:
    root = copy_project(generated_shop, tmp_path / "shop")
    hook = {**repository_hooks()["sqlforge-check"], "files": SHOP_FILES}
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    repository = Repository(root, tmp_path / "home")
    (tmp_path / "home").mkdir()
    repository.run("git", "init", "-q", "-b", "main")
    repository.run(sys.executable, "-m", "pre_commit", "install")
    code, output = repository.commit("the shop, generated")
    assert code == 0, output
    assert PASSED.search(output), output
    return repository


# the hook definitions


def test_this_repositorys_hook_runs_the_check_offline_on_relevant_files() -> None:
    hooks = repository_hooks()
    check = hooks["sqlforge-check"]
    assert check["entry"] == "sqlforge check"
    assert check["language"] == "unsupported"
    assert check["pass_filenames"] is False
    files = re.compile(check["files"])
    relevant = [
        "db/migrations/00001_create_workers.sql",
        "db/queries/jobs.sql",
        "db/schema.sql",
        "src/renderfarm/db/models.py",
        "src/renderfarm/types.py",
        "pyproject.toml",
    ]
    unrelated = ["README.md", "src/renderfarm/progress.py", "src/sqlforge/check.py", "db/notes.md"]
    assert [path for path in relevant if not files.search(path)] == []
    assert [path for path in unrelated if files.search(path)] == []
    assert {"ruff-check", "ruff-format"} <= set(hooks)
    assert all(hook["language"] == "unsupported" for hook in hooks.values())


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("validate-config", ".pre-commit-config.yaml"),
        ("validate-manifest", ".pre-commit-hooks.yaml"),
    ],
)
def test_the_hook_files_are_valid_for_pre_commit(command: str, name: str) -> None:
    result = run(REPO_ROOT, sys.executable, "-m", "pre_commit", command, name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_published_hook_for_other_repositories() -> None:
    [hook] = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "sqlforge-check"
    assert (hook["entry"], hook["language"]) == ("sqlforge check", "python")
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    files = re.compile(hook["files"])
    assert all(files.search(p) for p in ("db/schema.sql", "app/db/models.py", "pyproject.toml"))
    assert not files.search("README.md")


# commits


def test_a_query_changed_without_regenerating_is_rejected_until_generated(
    repo: Repository,
) -> None:
    before = repo.head()
    append(repo.root / "db/queries/orders.sql", NEW_QUERY)
    code, output = repo.commit("add DeleteOrder")
    assert code != 0
    assert FAILED.search(output), output
    assert "changed: src/shop/db/orders.py (code drift: not what generate writes)" in output
    assert "+    def delete_order(self, *, id: int) -> None:" in output
    assert "fix: run `invoke db.generate`" in output
    assert repo.head() == before

    repo.run(sys.executable, "-m", "invoke", "db.generate")
    code, output = repo.commit("add DeleteOrder")
    assert code == 0, output
    assert PASSED.search(output), output
    assert repo.head() != before
    assert "def delete_order(" in repo.run("git", "show", "HEAD:src/shop/db/orders.py")


def test_a_hand_edited_generated_file_is_rejected(repo: Repository) -> None:
    models = repo.root / "src/shop/db/models.py"
    models.write_text(models.read_text("utf-8").replace("total: float", "total: int"), "utf-8")
    code, output = repo.commit("tweak a model")
    assert code != 0
    assert "changed: src/shop/db/models.py (code drift: not what generate writes)" in output
    assert "-    total: int" in output
    assert "+    total: float" in output


def test_a_migration_without_a_new_schema_export_is_rejected(repo: Repository) -> None:
    (repo.root / "db/migrations/0003_coupons.sql").write_text(NEW_MIGRATION, "utf-8")
    code, output = repo.commit("add coupons")
    assert code != 0
    assert "changed: db/schema.sql (schema drift: not what the migrations export)" in output
    assert "+CREATE TABLE coupons (code TEXT PRIMARY KEY, percent INTEGER NOT NULL);" in output


def test_unrelated_changes_do_not_run_the_check(repo: Repository) -> None:
    append(repo.root / "README.md", "\nMore words.\n")
    (repo.root / "src/shop/service.py").write_text("X = 1\n", "utf-8")
    code, output = repo.commit("docs and a service")
    assert code == 0, output
    assert SKIPPED.search(output), output


def test_the_check_sees_the_staged_tree_not_unstaged_edits(repo: Repository) -> None:
    """pre-commit stashes unstaged changes: a staged fix passes with a stale working tree."""
    append(repo.root / "db/queries/orders.sql", NEW_QUERY)
    repo.run(sys.executable, "-m", "sqlforge", "generate")
    repo.run("git", "add", "-A")
    append(repo.root / "src/shop/db/orders.py", "# not staged\n")
    result = run(repo.root, "git", "commit", "-m", "add DeleteOrder", env=repo.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo.root / "src/shop/db/orders.py").read_text("utf-8").endswith("# not staged\n")
