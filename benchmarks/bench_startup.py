"""Benchmark: whole-process start-up of the exact commands against ``python -c "import numpy"``.

    python benchmarks/bench_startup.py [--runs 20] [--before DIR] [--no-bytecode-cache]

Each command is a fresh interpreter started with ``subprocess`` and timed from outside (wall
clock, start-up and import included), the commands taking turns (A B C A B C ...) so that a
drift of the machine's speed hits all of them alike; every ratio is the median of the ratios of
one round. ``--before DIR`` adds the same commands run from another checkout of the package
(e.g. ``git worktree add /tmp/before <rev>``), put first on ``PYTHONPATH``, for a
before/after comparison in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEADY = ["steady", "--g", "0.06", "--p1", "0.3", "--p2", "0.3", "--T1", "0.1", "--T2", "0.02", "--json"]
TCRIT = ["tcrit", "--p1", "0.3", "--p2", "0.3", "--T2", "0.02", "--json"]


ROOT = Path(__file__).resolve().parent.parent  # this checkout


def _env(src: Path | None, pycache: str | None) -> dict[str, str]:
    """Environment that imports ``qc_reset`` from the checkout ``src``, with compiled bytecode
    kept in ``pycache`` (as an installed package has it) unless that is None."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _wall(cmd: list[str], env: dict[str, str] | None) -> float:
    t0 = time.perf_counter()
    # A neutral working folder: with -c/-m the current folder comes first on sys.path.
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir())
    return time.perf_counter() - t0


def _package_of(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", "import qc_reset; print(qc_reset.__file__)"], env=env, check=True,
                          capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--before", help="source folder of another checkout, run side by side as 'before'")
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="keep the environment's bytecode setting (by default every command gets a fresh "
                         "PYTHONPYCACHEPREFIX, filled by a warm-up run, so no source is recompiled per start)")
    args = ap.parse_args()
    py = sys.executable
    pycache = None if args.no_bytecode_cache else tempfile.mkdtemp(prefix="qc_reset_pycache_")
    now = _env(ROOT, pycache)
    cases: list[tuple[str, list[str], dict[str, str] | None]] = [
        ('python -c "import numpy"', [py, "-c", "import numpy"], _env(None, pycache)),
        ("qc-reset steady ... --json", [py, "-m", "qc_reset.cli", *STEADY], now),
        ("qc-reset tcrit ... --json", [py, "-m", "qc_reset.cli", *TCRIT], now),
    ]
    if args.before:
        before = Path(args.before).resolve()
        old = _env(before, None if pycache is None else tempfile.mkdtemp(prefix="qc_reset_pycache_"))
        for label, e, src in (("this checkout", now, ROOT), ("--before", old, before)):
            if not _package_of(e).startswith(str(src)):
                sys.exit(f"{label}: qc_reset is not imported from {src} (got {_package_of(e)})")
        cases += [("before: qc-reset steady ... --json", [py, "-m", "qc_reset.cli", *STEADY], old),
                  ("before: qc-reset tcrit ... --json", [py, "-m", "qc_reset.cli", *TCRIT], old)]
    for _, cmd, case_env in cases:  # warm the file cache once
        _wall(cmd, case_env)
    times: list[list[float]] = [[] for _ in cases]
    for _ in range(args.runs):
        for i, (_, cmd, case_env) in enumerate(cases):
            times[i].append(_wall(cmd, case_env))
    base = times[0]
    cache = "source recompiled at every start" if pycache is None else "bytecode cached"
    print(f"whole-process wall time, {args.runs} alternating rounds, Python {sys.version.split()[0]}, {cache}")
    print(f"{'command':<40}{'median [s]':>12}{'min [s]':>10}{'ratio':>8}")
    for (label, _, _), t in zip(cases, times, strict=True):
        ratio = statistics.median(a / b for a, b in zip(t, base, strict=True))
        print(f"{label:<40}{statistics.median(t):>12.3f}{min(t):>10.3f}{ratio:>8.2f}")
    print("ratio: median over rounds of (command / import numpy) in the same round")


if __name__ == "__main__":
    main()
