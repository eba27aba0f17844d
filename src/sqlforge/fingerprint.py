"""The fast path of `sqlforge check`: a fingerprint of everything generation reads and writes.

`generate`, and a full check that finds everything fresh, record a `Fingerprint`: one digest
of every input, the SHA-256 of every generated file, and the listing of the generated package.
While the tree still matches it, `sqlforge check` answers "fresh" without rendering anything
and without importing apsw, sqlglot or datamodel-code-generator (this module imports only what
the CLI has already loaded).

The inputs digest covers what can change an output byte, or make `generate` fail:

* the migration files (names and bytes) and the environment variables their ENVSUB sections
  read (found by parsing them with a mapping that records every lookup);
* the query files the configuration names (names and bytes);
* the config file's bytes and the resolved settings (paths, command-line and `SQLFORGE_*`
  overrides included);
* the source of every override class's module (its whole package when it lives in the
  project), and the importable names at the project root and in `src/` (generated imports
  are sorted by whether a module belongs to the project);
* sqlforge itself (its version, and the size and mtime of each of its files, so an edited
  development install counts), every distribution installed on `sys.path` (name and version,
  so the pinned generator, apsw and sqlglot are covered), Python's and SQLite's versions.

Any doubt (no record, a record of another format, an unreadable file, a migration that does not
parse, an override module that cannot be located without importing it) means "unknown", and
the caller runs the full check. The record is a cache under `.sqlforge-cache/` in the config
root (with its own `.gitignore`); deleting it costs one full check.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import sqlforge
from sqlforge.config import Config
from sqlforge.errors import SqlforgeError
from sqlforge.inputs import query_files
from sqlforge.migration_files import MigrationFile, parse_migration, scan_migrations

if TYPE_CHECKING:
    from sqlforge.generated import GeneratedFile

CACHE_DIR: Final = ".sqlforge-cache"
FORMAT: Final = 1
"""Bump when the digest covers something new: older records then never match."""
ENVSUB_MARK: Final = b"ENVSUB"
_PACKAGE_DIR: Final = Path(sqlforge.__file__).parent


class _Doubt(Exception):
    """Something the fingerprint cannot vouch for: the full check must decide."""


@dataclass(frozen=True)
class Fingerprint:
    inputs: str
    """Digest of every input (see the module docstring)."""
    outputs: tuple[tuple[str, str], ...]
    """(path, SHA-256 of its bytes) of every file `generate` writes."""
    listing: tuple[str, ...]
    """The `*.py` names in the generated package (a stray generated module changes it)."""


# the fast path


def fresh_record(config: Config) -> Fingerprint | None:
    """The recorded fingerprint when inputs and outputs still match it byte for byte: the
    outputs are then exactly what `generate` wrote. None when anything differs or is unsure."""
    recorded = load(config)
    if recorded is None or inputs_digest(config) != recorded.inputs:
        return None
    if any(_file_digest(Path(path)) != digest for path, digest in recorded.outputs):
        return None
    return recorded if _listing(config) == recorded.listing else None


def inputs_digest(config: Config) -> str | None:
    """One digest of every input of generation; None when something cannot be vouched for."""
    try:
        return _digest(_input_parts(config))
    except (_Doubt, SqlforgeError, OSError, UnicodeError):
        return None


def _input_parts(config: Config) -> Iterator[str | bytes]:
    yield from ("format", str(FORMAT), "settings", _settings(config))
    yield from _config_file(config)
    yield from _migrations(config)
    yield from _query_files(config)
    yield from _override_sources(config)
    yield from _project_names(config.root)
    yield from _toolchain()


def _digest(parts: Iterable[str | bytes]) -> str:
    """Parts are length-prefixed, so that no two different sequences hash alike."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _settings(config: Config) -> str:
    """Every setting generation reads (not the database, not the lock timeout)."""
    return repr(
        (
            config.root,
            config.source,
            config.migrations,
            config.schema,
            config.queries,
            config.out,
            config.models,
            sorted(config.overrides.items()),
            sorted(config.rename.items()),
            config.json_schema,
            config.async_queries,
            config.strict,
            config.version_table,
        )
    )


def _config_file(config: Config) -> Iterator[str | bytes]:
    if config.source is not None:
        yield from ("config", config.source.read_bytes())


# inputs: migrations and queries


def _migrations(config: Config) -> Iterator[str | bytes]:
    migrations, problems = scan_migrations(config.migrations)
    if problems or not migrations:
        raise _Doubt("the migrations folder needs the full check's diagnostics")
    for migration in migrations:
        yield from ("migration", migration.name, migration.content)
    yield from _envsub_variables(migrations)


def _envsub_variables(migrations: Sequence[MigrationFile]) -> Iterator[str]:
    environ = _RecordingEnviron(os.environ)
    for migration in migrations:
        if ENVSUB_MARK in migration.content:
            parse_migration(migration, environ)
    for name, value in sorted(environ.read.items()):
        yield from ("environ", name, "\0unset" if value is None else value)


class _RecordingEnviron(Mapping[str, str]):
    """The environment, noting every variable looked up (set or not)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.read: dict[str, str | None] = {}

    def __getitem__(self, name: str) -> str:
        value = self._environ.get(name)
        self.read[name] = value
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        self.read.update(self._environ)
        return iter(self._environ)

    def __len__(self) -> int:
        return len(self._environ)


def _query_files(config: Config) -> Iterator[str | bytes]:
    for path in query_files(config):
        yield from ("query", str(path), path.read_bytes())


# inputs: override classes and the project's own modules


def _override_sources(config: Config) -> Iterator[str | bytes]:
    """Override classes are imported during generation (an Enum's members reach the output):
    their source counts. Only `module:Name` targets name a module."""
    search = _module_search_path(config.root)
    for target in sorted(set(config.overrides.values())):
        if ":" in target:
            module = target.split(":", 1)[0].strip()
            yield from ("override", target, *_module_source(module, search, config))


def _module_search_path(root: Path) -> list[Path]:
    """Where the override import looks: the project (`src/`, then the root), then sys.path."""
    entries = [root / "src", root, *(Path(entry or os.curdir) for entry in sys.path)]
    return [entry.resolve() for entry in entries if entry.is_dir()]


def _module_source(module: str, search: Sequence[Path], config: Config) -> Iterator[str | bytes]:
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        raise _Doubt(f"override module {module!r} is not a module name")
    base = next((entry for entry in search if _holds_top_level(entry, parts[0])), None)
    if base is None:
        raise _Doubt(f"override module {module} not found without importing it")
    yield str(base)
    if not base.is_relative_to(config.root.resolve()):
        yield from _python_sources([_module_file(base, parts)])
        return
    # The whole package: the class may build on its siblings. The generated modules in it
    # are outputs, compared on their own, not inputs.
    generated = config.out.resolve() if config.out else None
    package = [base / parts[0], base / f"{parts[0]}.py"]
    yield from _python_sources(package, skip=generated)


def _holds_top_level(entry: Path, name: str) -> bool:
    return (entry / name).is_dir() or (entry / f"{name}.py").is_file()


def _module_file(base: Path, parts: Sequence[str]) -> Path:
    module = base.joinpath(*parts)
    for candidate in (module.with_name(f"{parts[-1]}.py"), module / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise _Doubt(f"no Python source for override module {'.'.join(parts)}")


def _python_sources(roots: Sequence[Path], skip: Path | None = None) -> Iterator[str | bytes]:
    """The bytes of every `.py` file at or under each root (a module, or a whole package),
    except the modules directly in `skip`."""
    paths = sorted(p for root in roots for p in _python_files(root) if p.parent != skip)
    for path in paths:
        yield from (str(path), path.read_bytes())


def _python_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        yield from (Path(folder, name) for name in names if name.endswith(".py"))


def _project_names(root: Path) -> Iterator[str]:
    """Names importable from the project root and `src/`: generated modules sort a project's
    own imports apart from third-party ones by looking there."""
    for folder in (root, root / "src"):
        names = sorted(name for name in _names_in(folder) if _importable(name))
        yield from ("names", str(folder), *names)


def _names_in(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir()] if folder.is_dir() else []


def _importable(name: str) -> bool:
    return name != "__pycache__" and name.removesuffix(".py").isidentifier()


# inputs: the tools


def _toolchain() -> Iterator[str]:
    yield from ("python", sys.version, "sqlite", sqlite3.sqlite_version)
    yield from ("sqlforge", sqlforge.__version__, *_own_files())
    yield from ("distributions", *_distributions())


def _own_files() -> Iterator[str]:
    """Size and mtime of every file of sqlforge itself: an edited development install is not
    the release its version names."""
    for path in sorted(_all_files(_PACKAGE_DIR)):
        stat = path.stat()
        yield f"{path.relative_to(_PACKAGE_DIR).as_posix()} {stat.st_size} {stat.st_mtime_ns}"


def _all_files(root: Path) -> Iterator[Path]:
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        yield from (Path(folder, name) for name in names if not name.endswith(".pyc"))


def _distributions() -> Iterator[str]:
    """`name-version.dist-info` of every installed distribution: what importlib.metadata
    would report, at the cost of a directory listing instead of its import."""
    # Folders without distributions are left out: `python -m sqlforge` puts the working
    # directory on sys.path and the `sqlforge` script its own folder, and both must agree.
    for entry in dict.fromkeys(sys.path):
        folder = Path(entry or os.curdir)
        found = sorted(n for n in _names_in(folder) if n.endswith((".dist-info", ".egg-info")))
        if found:
            yield from (str(folder), *found)


# outputs


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _listing(config: Config) -> tuple[str, ...]:
    if config.out is None or not config.out.is_dir():
        return ()
    return tuple(sorted(path.name for path in config.out.glob("*.py")))


# the record


def record(config: Config, inputs: str | None, files: Sequence[GeneratedFile]) -> bool:
    """Remember that `files` are on disk as generated from inputs whose digest was `inputs`
    (taken before rendering, so an input edited meanwhile never matches). Returns whether a
    record was written; a cache that cannot be written only costs speed."""
    listing = _listing(config)
    if inputs is None or _stray_present(config, files, listing):
        return False
    outputs = tuple((str(f.path), hashlib.sha256(f.content).hexdigest()) for f in files)
    return _store(config, Fingerprint(inputs, outputs, listing))


def _stray_present(config: Config, files: Sequence[GeneratedFile], listing: Sequence[str]) -> bool:
    """A generated module that `files` do not include (appeared since the rendering)."""
    from sqlforge.generated import is_generated  # noqa: PLC0415  (only when recording)

    if config.out is None:
        return False
    produced = {file.path.name for file in files if file.path.parent == config.out}
    extra = (config.out / name for name in listing if name not in produced)
    return any(is_generated(path) for path in extra)


def load(config: Config) -> Fingerprint | None:
    try:
        document = json.loads(record_path(config).read_bytes())
        if document.get("format") != FORMAT:
            return None
        outputs = tuple((str(path), str(digest)) for path, digest in document["outputs"])
        return Fingerprint(str(document["inputs"]), outputs, tuple(document["listing"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def record_path(config: Config) -> Path:
    """One record per configuration (a root may hold several config files)."""
    identity = hashlib.sha256(str(config.source or config.root).encode()).hexdigest()[:16]
    return config.root / CACHE_DIR / f"check-{identity}.json"


def _store(config: Config, fingerprint: Fingerprint) -> bool:
    from sqlforge.generated import write_atomic  # noqa: PLC0415  (only when recording)

    path = record_path(config)
    document = {
        "format": FORMAT,
        "inputs": fingerprint.inputs,
        "outputs": fingerprint.outputs,
        "listing": fingerprint.listing,
    }
    content = json.dumps(document, indent=1).encode("utf-8")
    try:
        if not path.is_file() or path.read_bytes() != content:
            _ignore_cache_folder(path.parent)
            write_atomic(path, content)
    except OSError:
        return False
    return True


def _ignore_cache_folder(folder: Path) -> None:
    """A cache never belongs in a commit, in repositories that did not think to ignore it."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Created by sqlforge: this folder is a local cache.\n*\n", "utf-8")
