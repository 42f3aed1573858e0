"""The paper's figures as files: :func:`make_figures` writes PNG, PDF and CSV of each, in parallel worker processes.

The figures themselves (series, parameters, drawing) are built by :mod:`.paper_figures`, whose
public names are re-exported here. Figures are independent, so they are drawn side by side in
worker processes (the two circuit figures share one, since they share the Qiskit/Aer stack); every
figure is computed exactly as in one process, so the files do not depend on the number of workers.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .._checks import InputError, callback, integer, quote
from ..io import atomic_path
from ..model.progress import ProgressCallback, Tracker
from .paper_figures import (
    CIRCUIT,
    FIGURE_PARAMS,
    FIGURES,
    PANELS,
    CircuitFn,
    SeriesLog,
    figure_2,
    figure_4,
    figure_5,
    figure_6,
    figure_7,
    figure_classes,
    figure_transient,
    plot_curve,
    plot_points,
)

__all__ = [
    "make_figures",
    "MAX_JOBS",
    "CIRCUIT_FIGURES",
    "FIGURE_PARAMS",
    "CIRCUIT",
    "PANELS",
    "FIGURES",
    "SeriesLog",
    "CircuitFn",
    "plot_curve",
    "plot_points",
    "figure_2",
    "figure_4",
    "figure_5",
    "figure_6",
    "figure_7",
    "figure_transient",
    "figure_classes",
]


def _caption(log: SeriesLog, circuit: bool) -> str:
    params = ", ".join(f"{k}={v}" for k, v in log.params.items())
    text = f"{log.title}. Parameters: {params}. {log.style}"
    if circuit:
        text += (f"; points: Aer circuit emulation (dt={CIRCUIT['dt']}, Strang), tomography with "
                 f"{CIRCUIT['shots']} shots per basis, error bars one standard error")
    return text + "."


#: Most worker processes :func:`make_figures` starts (one per figure group at most anyway).
MAX_JOBS = 64
#: Figures that share the circuit stack (Qiskit and Aer imports, one simulator): drawn by one worker.
CIRCUIT_FIGURES = ("2", "4")


def _draw_and_write(name: str, out_dir: Path, circuit: bool) -> tuple[list[Path], float]:
    """Draw figure ``name`` and write its PNG, PDF and CSV; the files and the seconds it took."""
    import matplotlib  # lazy: the optional figures extra loads only when figures are drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = time.perf_counter()
    written: list[Path] = []
    n_panels = PANELS.get(name, 2)
    fig, axes = plt.subplots(1, n_panels, figsize=(5.5 * n_panels, 4.2))
    log = FIGURES[name](axes, circuit)
    fig.suptitle(_caption(log, circuit and name in CIRCUIT_FIGURES), fontsize=8, wrap=True)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    stem = out_dir / (f"fig{name}" if name.isdigit() else name)
    for ext in ("png", "pdf"):
        with atomic_path(stem.with_suffix(f".{ext}")) as tmp:  # never a truncated figure
            fig.savefig(tmp, dpi=130, format=ext)
        written.append(stem.with_suffix(f".{ext}"))
    plt.close(fig)
    log.write_csv(stem.with_suffix(".csv"))
    written.append(stem.with_suffix(".csv"))
    return written, time.perf_counter() - t0


def _draw_group(names: Sequence[str], out_dir: Path, circuit: bool) -> list[tuple[str, list[Path], float]]:
    """:func:`_draw_and_write` for each of ``names`` in turn (one worker's task)."""
    return [(name, *_draw_and_write(name, out_dir, circuit)) for name in names]


def _groups(names: Sequence[str], circuit: bool) -> list[list[str]]:
    """Tasks for the workers, the costliest first: the circuit figures together, the others alone."""
    shared = [n for n in names if circuit and n in CIRCUIT_FIGURES]
    return ([shared] if shared else []) + [[n] for n in names if n not in shared]


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def make_figures(out: str | Path, only: Sequence[str] | None = None, *, circuit: bool = True,
                 verbose: bool = True, jobs: int | None = None,
                 progress_callback: ProgressCallback | None = None) -> list[Path]:
    """Write PNG, PDF and CSV of each requested figure into ``out``; returns the files written.

    The figures are independent, so with ``jobs > 1`` they are drawn by that many worker
    processes (the circuit figures 2 and 4 by one of them, since they share the Qiskit/Aer
    stack); every figure is computed exactly as in one process, so the files do not depend on
    ``jobs``, and they are returned in the order of ``only``.

    Args:
        out: output folder (created).
        only: figure names from :data:`FIGURES` (default: all).
        circuit: add circuit-emulated tomography points (Figs. 2 and 4).
        verbose: print one line per figure on stderr.
        jobs: worker processes, 1 to :data:`MAX_JOBS` (default: the processors available, at
            most one per task); 1 draws everything in this process.
        progress_callback: called with a :class:`~qc_reset.model.progress.Progress` (unit
            ``"figures"``) at the start and each time a worker's figures are written (the circuit
            figures 2 and 4 arrive together), ending with ``done == total`` = the figures requested.
    """
    import matplotlib  # lazy: the optional figures extra loads only when figures are drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (loaded once here, inherited by forked workers)

    names = list(FIGURES) if only is None else list(only)
    bad = [n for n in names if n not in FIGURES]
    if bad:
        raise InputError(f"only: unknown figure(s) {quote(bad)}; allowed: {', '.join(FIGURES)}")
    if jobs is not None:
        jobs = integer("jobs", jobs, lo=1, hi=MAX_JOBS)
    callback(progress_callback)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    probe = out_dir / ".qc_reset_write_test"
    probe.write_text("")  # fail before any computation if the folder is not writable
    probe.unlink()
    groups = _groups(names, circuit)
    n_workers = min(len(groups), jobs if jobs is not None else _default_jobs())
    done: dict[str, list[Path]] = {}
    tracker = Tracker(progress_callback, len(names), "figures")

    def report(results: list[tuple[str, list[Path], float]]) -> None:
        for name, files, seconds in results:
            done[name] = files
            if verbose:
                print(f"{files[0].stem}: {seconds:.1f} s", file=sys.stderr)
        tracker.step(len(results))

    if n_workers <= 1:
        for group in groups:
            report(_draw_group(group, out_dir, circuit))
    else:
        # fork: the workers inherit numpy, matplotlib and the package already imported here.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with concurrent.futures.ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context(method)) as pool:
            futures = [pool.submit(_draw_group, group, out_dir, circuit) for group in groups]
            try:
                for fut in concurrent.futures.as_completed(futures):
                    report(fut.result())
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    tracker.finish()
    return [f for name in names for f in done[name]]
