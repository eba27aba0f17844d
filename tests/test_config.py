from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sqlforge.config import Config, load_config
from sqlforge.errors import SqlforgeError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_table_paths_resolve_against_its_folder(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.sqlforge]\ndatabase = "var/app.sqlite"\n'
        'migrations = "sql/migrations"\nqueries = "sql/q/*.sql"\nout = "src/app/db"\n'
        'models = "pydantic"\n',
    )
    config = load_config(cwd=tmp_path / "deep" / "er", environ={})
    assert config.source == tmp_path / "pyproject.toml"
    assert config.database == tmp_path / "var/app.sqlite"
    assert config.migrations == tmp_path / "sql/migrations"
    assert config.queries == ("sql/q/*.sql",)
    assert config.out == tmp_path / "src/app/db"
    assert config.models == "pydantic"


def test_defaults_without_any_config(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, environ={})
    assert config == Config(
        root=tmp_path,
        migrations=tmp_path / "db/migrations",
        schema=tmp_path / "db/schema.sql",
    )


def test_pyproject_without_table_is_skipped_when_discovering(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.sqlforge]\ndatabase = "outer.sqlite"\n')
    write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "inner"\n')
    config = load_config(cwd=tmp_path / "inner", environ={})
    assert config.database == tmp_path / "outer.sqlite"


@pytest.mark.parametrize(
    "text",
    ['[tool.sqlforge]\ndatabase = "a.db"\n', 'database = "a.db"\n'],
    ids=["tool-table", "top-level"],
)
def test_explicit_config_file_accepts_both_layouts(tmp_path: Path, text: str) -> None:
    config_file = write(tmp_path / "conf" / "sqlforge.toml", text)
    config = load_config(config_file, cwd=tmp_path, environ={})
    assert config.database == tmp_path / "conf" / "a.db"
    assert config.source == config_file


def test_environment_overrides_file_and_resolves_against_cwd(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.sqlforge]\ndatabase = "file.db"\n')
    environ = {"SQLFORGE_DATABASE": "env.db", "SQLFORGE_MIGRATIONS": "/abs/migrations"}
    config = load_config(cwd=tmp_path, environ=environ)
    assert config.database == tmp_path / "env.db"
    assert config.migrations == Path("/abs/migrations")


def test_command_line_overrides_environment(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, environ={"SQLFORGE_DATABASE": "env.db"})
    assert config.with_overrides(database=Path("/cli.db")).database == Path("/cli.db")


def test_unknown_key_names_key_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.sqlforge]\ndatabase = "a"\ndatbase = "b"\n')
    with pytest.raises(SqlforgeError) as caught:
        load_config(cwd=tmp_path, environ={})
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "unknown key `datbase`"
    assert (diagnostic.path, diagnostic.line) == (path, 3)
    assert diagnostic.hint is not None and "database" in diagnostic.hint


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("queries = 3", "`queries` must be a string or a list of strings"),
        ('models = "attrs"', "`models` must be one of 'dataclass'"),
        ('async = "yes"', "`async` must be true or false"),
        ("lock_timeout = -1", "`lock_timeout` must be a positive number"),
        ("lock_timeout = true", "`lock_timeout` must be a positive number"),
        ('table = "x; DROP"', "`table` must be an SQL identifier"),
        ('database = ""', "`database` must be a string (a path)"),
    ],
)
def test_wrong_types_name_the_key(tmp_path: Path, line: str, fragment: str) -> None:
    path = write(tmp_path / "pyproject.toml", f"[tool.sqlforge]\n{line}\n")
    with pytest.raises(SqlforgeError) as caught:
        load_config(cwd=tmp_path, environ={})
    (diagnostic,) = caught.value.diagnostics
    assert fragment in diagnostic.message
    assert (diagnostic.path, diagnostic.line) == (path, 2)


def test_invalid_toml_points_at_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.sqlforge]\ndatabase = "a"\nout = \n')
    with pytest.raises(SqlforgeError) as caught:
        load_config(cwd=tmp_path, environ={})
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith("not valid TOML")
    assert (diagnostic.path, diagnostic.line) == (path, 3)


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(SqlforgeError, match="config file does not exist"):
        load_config(tmp_path / "nope.toml", cwd=tmp_path, environ={})


def test_explicit_pyproject_without_table_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(SqlforgeError, match=r"no \[tool.sqlforge\] table"):
        load_config(path, cwd=tmp_path, environ={})


def test_missing_migrations_folder_names_key_and_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.sqlforge]\nmigrations = "nowhere"\n')
    config = load_config(cwd=tmp_path, environ={})
    with pytest.raises(SqlforgeError) as caught:
        config.require_migrations_dir()
    (diagnostic,) = caught.value.diagnostics
    assert "nowhere" in diagnostic.message
    assert (diagnostic.path, diagnostic.line) == (path, 2)
    assert diagnostic.hint is not None and "`migrations`" in diagnostic.hint


def test_a_migrations_folder_given_elsewhere_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.sqlforge]\nmigrations = "db/migrations"\n')
    for config in (
        load_config(cwd=tmp_path, environ={"SQLFORGE_MIGRATIONS": "elsewhere"}),
        load_config(cwd=tmp_path, environ={}).with_overrides(migrations=tmp_path / "elsewhere"),
    ):
        with pytest.raises(SqlforgeError) as caught:
            config.require_migrations_dir()
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.message == f"migrations folder {tmp_path / 'elsewhere'} does not exist"
        assert (diagnostic.path, diagnostic.line) == (None, None)


def test_cli_reports_config_error_without_traceback(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.sqlforge]\nbogus = 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "sqlforge.main", "migrate", "status"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "pyproject.toml:2: unknown key `bogus`" in result.stderr
    assert "Traceback" not in result.stderr
