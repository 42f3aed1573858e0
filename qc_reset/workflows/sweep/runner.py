"""The sweep runner: :func:`run_sweep` locks the store, computes the missing points and writes them.

The store's format and guarantees are stated in :mod:`qc_reset.workflows.sweep`.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..._checks import InputError, callback, quote
from ..._version import __version__
from ...io import json_safe
from ...model.progress import Progress, ProgressCallback, Tracker
from . import store
from .config import RECORD_SCHEMA, SweepConfig
from .executors import EXECUTORS, Runner, check_scheduler
from .executors import executor as make_executor
from .progress import ProgressBar

__all__ = ["run_sweep"]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def run_sweep(
    config: SweepConfig,
    out_dir: str | Path,
    *,
    resume: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool = True,
    n_workers: int = 2,
    connect_timeout: float = 10.0,
    worker_timeout: float = 30.0,
    log: Callable[[str], None] = _stderr,
    progress_callback: ProgressCallback | None = None,
    sampler: Any = None,
    backend: Any = None,
) -> list[dict[str, Any]]:
    """Run (or resume) a sweep, appending each finished point to ``out_dir/results.jsonl``.

    The folder is locked for the run; the store's format and guarantees are in the module
    docstring.

    Args:
        config: the validated sweep.
        out_dir: output folder (created).
        resume: continue the sweep in ``out_dir`` (its ``sweep.json`` must match ``config``);
            without it a folder that already holds a sweep is an error (nothing is overwritten).
        executor: ``"local"`` (this process) or ``"dask"`` (``dask.distributed``).
        scheduler: address of an existing Dask scheduler; default a ``LocalCluster``.
        progress: draw a progress bar on stderr.
        n_workers: workers of the default ``LocalCluster``.
        connect_timeout: seconds to wait for the Dask scheduler to answer.
        worker_timeout: seconds to wait for a first Dask worker.
        log: receives one line per warning (damaged records moved to the quarantine).
        progress_callback: called with a :class:`~qc_reset.model.progress.Progress` (unit
            ``"points"``) once before computing (``done`` = the points already stored) and after
            each chunk written, ending with ``done == total`` = the sweep's points.
        sampler: any ``BaseSamplerV2`` for the ``tomography`` kind's shots (the ``circuit`` kind needs exact
            density matrices and refuses it); local executor only.
        backend: any ``BackendV2`` for both circuit kinds (checked before any job; shot-based runs use its noise
            on Aer's density-matrix method, :func:`qc_reset.run.tomography.run_tomography`); local executor only.
            In a config, ``run.backend = "fake:NAME"`` names a fake device instead (any executor).
            Either object's name enters the sweep's fingerprint (``options.device_label``), so a resume must pass the
            same device.

    Returns:
        All records, sorted by point index.
    """
    if executor not in EXECUTORS:
        raise InputError(f"executor must be 'local' or 'dask'; got {quote(executor)}")
    callback(progress_callback)
    if scheduler is not None:
        if executor != "dask":
            raise InputError("scheduler is only used with executor='dask'")
        check_scheduler(scheduler)
    for name, value in (("connect_timeout", connect_timeout), ("worker_timeout", worker_timeout)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86400:
            raise InputError(f"{name} must be a number of seconds in (0, 86400]; got {quote(value)}")
    devices = _devices(sampler, backend, config)
    if devices:
        config = dataclasses.replace(config, options={**config.options, "device_label": _device_label(devices)})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with store.folder_lock(out), make_executor(config, executor, scheduler, n_workers, float(connect_timeout),
                                           float(worker_timeout), devices) as runner:
        return _run_locked(config, out, resume, runner, progress, log, progress_callback)


def _devices(sampler: Any, backend: Any, config: SweepConfig) -> dict[str, Any]:
    """The checked ``sampler=`` / ``backend=`` objects, refused before any store or job exists when they cannot run."""
    if sampler is None and backend is None:
        return {}
    from ...run import backends  # lazy: Qiskit loads only when a sweep is given a device

    if "backend" in config.options:
        raise InputError("backend= and the config's run.backend are exclusive; name the device once")
    if [n for n in config.axes.get("noise", ["none"]) if n != "none"]:
        raise InputError("sampler=/backend= and a grid.noise model are exclusive: the device brings its own noise")
    if sampler is not None:
        backends.sampler_backend(sampler)
        if "circuit" in config.outputs:
            raise InputError("output kind 'circuit' needs exact density matrices, which only Aer's density-matrix "
                             "method gives, not a sampler: use backend= or compute only 'tomography' with sampler=")
    if backend is not None:
        backends.device_simulator(backend)
        backends.require_instructions(backend, ("reset", "two-qubit gate"), "the sweep's dilated circuits")
    return {k: v for k, v in (("sampler", sampler), ("device", backend)) if v is not None}


def _device_label(devices: dict[str, Any]) -> str:
    parts = [f"{k}:{type(v).__name__}:{getattr(v, 'name', '')}" for k, v in sorted(devices.items())]
    return ",".join(parts)


def _run_locked(config: SweepConfig, out: Path, resume: bool, runner: Runner, progress: bool,
                log: Callable[[str], None], callback: ProgressCallback | None) -> list[dict[str, Any]]:
    results_path = out / store.RESULTS
    fingerprint = config.fingerprint()
    if resume:
        meta = store.read_meta(out)
        if meta["fingerprint"] != fingerprint:
            raise InputError(f"{out} holds a different sweep (config changed: fingerprint "
                             f"{quote(meta['fingerprint'], 40)} != {fingerprint}); use a new --out")
    else:
        held = [p.name for p in (out / store.META, results_path) if p.exists()]
        if held:
            raise InputError(f"{out} already holds a sweep ({', '.join(held)}); use --resume or a new --out")
        store.write_meta(out, {"schema": RECORD_SCHEMA, "package": __version__, "fingerprint": fingerprint,
                               "points": len(config), "outputs": list(config.outputs),
                               "ties": config.ties, "seed": config.seed, "chunk": config.chunk,
                               "axis_lengths": {a: len(v) for a, v in config.axes.items()}})
    found = store.scan(results_path, config.record_check())
    store.repair(results_path, found, log)
    records = found.records
    # Chunks are fixed blocks of consecutive indices, so a point is always computed in the same
    # batch (bit-identical results on resume); a block with any missing point is recomputed and
    # only its missing points are written.
    n = len(config)
    todo = [range(b, min(b + config.chunk, n)) for b in range(0, n, config.chunk)
            if any(i not in records for i in range(b, min(b + config.chunk, n)))]
    bar = ProgressBar() if progress else None

    def report(p: Progress) -> None:
        if bar:
            bar(p)
        if callback is not None:
            callback(p)

    try:
        tracker = Tracker(report, n, "points", done=len(records))
        with store.open_results(results_path) as fh:
            for chunk in runner(todo):
                new = [json_safe(rec) for rec in chunk if rec["index"] not in records]
                store.append_records(fh, new)
                # Keep what a reader will load from disk (strict JSON), not the in-memory floats.
                records.update((rec["index"], json.loads(json.dumps(rec))) for rec in new)
                tracker.step(len(new))
        tracker.finish()
    finally:
        if bar:
            bar.close()
    ordered = [records[i] for i in sorted(records)]
    store.write_csv(ordered, out / store.CSV)
    return ordered
