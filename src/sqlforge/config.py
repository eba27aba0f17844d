"""Project configuration: `[tool.sqlforge]` in pyproject.toml, or a TOML file of its own.

Precedence, lowest first: built-in defaults, the config file, `SQLFORGE_*` environment
variables, command-line flags (applied by the caller with `Config.with_overrides`).
Relative paths in a file resolve against that file's folder; relative paths from the
environment or the command line resolve against the working directory.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlforge.errors import SqlforgeError

MODEL_TYPES = ("dataclass", "pydantic", "typeddict", "msgspec")
PYPROJECT = "pyproject.toml"
DEFAULT_VERSION_TABLE = "goose_db_version"
DEFAULT_LOCK_TIMEOUT = 60.0
PLAIN_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""What a version table may be called: its name is put into SQL text, never quoted."""


@dataclass(frozen=True)
class Config:
    root: Path
    """The folder relative paths of the config file resolve against."""
    source: Path | None = None
    """The file the settings came from; None when only defaults apply."""
    database: Path | None = None
    migrations: Path = Path("db/migrations")
    schema: Path = Path("db/schema.sql")
    queries: tuple[str, ...] = ("db/queries/*.sql",)
    out: Path | None = None
    models: str = "dataclass"
    overrides: Mapping[str, str] = field(default_factory=dict)
    rename: Mapping[str, str] = field(default_factory=dict)
    json_schema: Path | None = None
    async_queries: bool = False
    strict: bool = False
    version_table: str = DEFAULT_VERSION_TABLE
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    migrations_overridden: bool = False
    """`migrations` came from SQLFORGE_MIGRATIONS or --dir: errors then keep out of the file."""

    def with_overrides(
        self, *, database: Path | None = None, migrations: Path | None = None
    ) -> Config:
        changes: dict[str, Any] = {}
        if database is not None:
            changes["database"] = database
        if migrations is not None:
            changes.update(migrations=migrations, migrations_overridden=True)
        return dataclasses.replace(self, **changes)

    def require_database(self) -> Path:
        if self.database is None:
            raise SqlforgeError(
                "no database is configured",
                path=self.source,
                hint="set `database` in [tool.sqlforge], SQLFORGE_DATABASE, or pass --db PATH",
            )
        return self.database

    def require_migrations_dir(self) -> Path:
        if not self.migrations.is_dir():
            problem = "is not a folder" if self.migrations.exists() else "does not exist"
            setting = None if self.migrations_overridden else self.source
            raise SqlforgeError(
                f"migrations folder {self.migrations} {problem}",
                path=setting,
                line=_key_line(setting, "migrations"),
                hint="create it, or point `migrations` (or SQLFORGE_MIGRATIONS, or --dir) at it",
            )
        return self.migrations

    def require_out(self) -> Path:
        if self.out is None:
            raise SqlforgeError(
                "no output package is configured",
                path=self.source,
                hint="set `out` in [tool.sqlforge] to the folder of the generated package",
            )
        return self.out


def load_config(
    config_file: Path | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read the configuration the way every command and task does."""
    cwd = (cwd or Path.cwd()).resolve()
    environ = os.environ if environ is None else environ
    if config_file is not None:
        config = _from_file(_absolute(config_file, cwd), explicit=True)
    else:
        config = _discover(cwd)
    return _apply_environment(config, environ, cwd)


def _discover(cwd: Path) -> Config:
    for folder in (cwd, *cwd.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file():
            config = _from_file(candidate, explicit=False)
            if config.source is not None:
                return config
    return _resolved(Config(root=cwd), cwd)


def _from_file(path: Path, *, explicit: bool) -> Config:
    if not path.is_file():
        raise SqlforgeError(
            "config file does not exist", path=path, hint="check the path given to --config"
        )
    table = _sqlforge_table(_read_toml(path), path, explicit=explicit)
    if table is None:
        return Config(root=path.parent)
    settings = _validated(table, path)
    return _resolved(Config(root=path.parent, source=path, **settings), path.parent)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        line = _toml_error_line(str(error))
        raise SqlforgeError(
            f"not valid TOML: {error}", path=path, line=line, hint="fix the TOML syntax"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SqlforgeError(
            f"cannot read config file: {error}",
            path=path,
            hint="it must be a readable UTF-8 file: check its permissions and encoding",
        ) from None


def _sqlforge_table(
    document: dict[str, Any], path: Path, *, explicit: bool
) -> dict[str, Any] | None:
    tool = document.get("tool")
    if isinstance(tool, dict) and "sqlforge" in tool:
        table = tool["sqlforge"]
        if not isinstance(table, dict):
            raise SqlforgeError("`tool.sqlforge` must be a table", path=path)
        return table
    if path.name == PYPROJECT and not explicit:
        return None
    if path.name == PYPROJECT:
        raise SqlforgeError(
            "this pyproject.toml has no [tool.sqlforge] table",
            path=path,
            hint="add a [tool.sqlforge] table, or pass a config file of its own",
        )
    return document


@dataclass(frozen=True)
class _Key:
    attribute: str
    kind: str  # path | paths | string | bool | number | table | choice


_KEYS: dict[str, _Key] = {
    "database": _Key("database", "path"),
    "migrations": _Key("migrations", "path"),
    "schema": _Key("schema", "path"),
    "queries": _Key("queries", "paths"),
    "out": _Key("out", "path"),
    "models": _Key("models", "choice"),
    "overrides": _Key("overrides", "table"),
    "rename": _Key("rename", "table"),
    "json_schema": _Key("json_schema", "path"),
    "async": _Key("async_queries", "bool"),
    "strict": _Key("strict", "bool"),
    "table": _Key("version_table", "identifier"),
    "lock_timeout": _Key("lock_timeout", "number"),
}


def _validated(table: Mapping[str, Any], path: Path) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name, value in table.items():
        key = _KEYS.get(name)
        if key is None:
            raise SqlforgeError(
                f"unknown key `{name}`",
                path=path,
                line=_key_line(path, name),
                hint=f"known keys: {', '.join(sorted(_KEYS))}",
            )
        settings[key.attribute] = _checked_value(name, key.kind, value, path)
    return settings


def _checked_value(name: str, kind: str, value: Any, path: Path) -> Any:
    expected = {
        "path": "a string (a path)",
        "paths": "a string or a list of strings (files or globs)",
        "choice": f"one of {', '.join(repr(m) for m in MODEL_TYPES)}",
        "table": "a table of strings",
        "bool": "true or false",
        "number": "a positive number (seconds)",
        "identifier": "an SQL identifier (letters, digits, underscores)",
    }[kind]
    checked = _convert(kind, value)
    if checked is None:
        raise SqlforgeError(
            f"`{name}` must be {expected}, got {value!r}",
            path=path,
            line=_key_line(path, name),
            hint=f"set `{name}` to {expected}",
        )
    return checked


def _convert(kind: str, value: Any) -> Any:
    if kind == "path":
        return Path(value) if isinstance(value, str) and value else None
    if kind == "paths":
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        return None
    if kind == "choice":
        return value if value in MODEL_TYPES else None
    if kind == "table":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        return dict(value) if ok else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        return float(value) if ok else None
    if kind == "identifier":
        ok = isinstance(value, str) and PLAIN_IDENTIFIER.fullmatch(value) is not None
        return value if ok else None
    raise AssertionError(kind)


def _resolved(config: Config, base: Path) -> Config:
    def resolve(path: Path | None) -> Path | None:
        return None if path is None else _absolute(path, base)

    return dataclasses.replace(
        config,
        database=resolve(config.database),
        migrations=_absolute(config.migrations, base),
        schema=_absolute(config.schema, base),
        out=resolve(config.out),
        json_schema=resolve(config.json_schema),
    )


def _apply_environment(config: Config, environ: Mapping[str, str], cwd: Path) -> Config:
    database = environ.get("SQLFORGE_DATABASE")
    migrations = environ.get("SQLFORGE_MIGRATIONS")
    return config.with_overrides(
        database=_absolute(Path(database), cwd) if database else None,
        migrations=_absolute(Path(migrations), cwd) if migrations else None,
    )


def _absolute(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def _key_line(path: Path | None, key: str) -> int | None:
    """The line of a key in a TOML file, so errors can point at it (best effort)."""
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    for number, text in enumerate(lines, start=1):
        if pattern.match(text):
            return number
    return None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None
