"""Parameter sweeps that stream results to disk, resume after interruption and scale out on Dask.

A sweep is a Cartesian grid over ``g, p1, p2, T1, T2, dt, shots, noise`` read from a TOML file::

    [grid]
    g  = {start = 0.01, stop = 0.2, num = 20}   # linspace; or {geomspace = [a, b, n]}
    p1 = [0.1, 0.3, 1.0]                         # explicit list; or a single number
    p2 = "p1"                                     # tie to another axis (p1 = p2 sweeps)
    T1 = 0.1
    T2 = 0.02

    [outputs]
    compute = ["exact", "perturbative"]          # also "circuit", "tomography"

    [run]
    seed = 1234          # each point gets its own stream from (seed, point index)
    chunk = 256          # points per task

Every finished point is appended to ``OUT/results.jsonl`` (one JSON object a line, flushed and
fsynced), so an interrupted sweep loses at most the points in flight; ``--resume`` skips the
indices already on disk and ignores a torn last line. Because each point's random stream is
derived from the sweep seed and the point index only, a resumed or distributed sweep gives the
same records as an uninterrupted serial one. ``OUT/results.csv`` (sorted by index) is written
when the sweep completes.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import itertools
import json
import math
import os
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._checks import InputError
from .records import json_safe

__all__ = [
    "SweepConfig",
    "load_config",
    "parse_config",
    "evaluate_chunk",
    "run_sweep",
    "read_results",
    "OUTPUT_KINDS",
    "AXES",
]

#: Grid axes, in the order of the Cartesian product (last varies fastest).
AXES: tuple[str, ...] = ("g", "p1", "p2", "T1", "T2", "dt", "shots", "noise")
_DEFAULTS: dict[str, Any] = {"dt": 0.1, "shots": 0, "noise": "none"}
_REQUIRED = ("g", "p1", "p2", "T1", "T2")
_SECTIONS = {"grid", "outputs", "run"}
_RUN_KEYS = {"seed", "chunk", "order", "realization", "level", "n_resamples"}


def _kind_exact(points: list[dict[str, Any]], seeds: list[int], opts: dict[str, Any]) -> list[dict[str, Any]]:
    from . import measures
    from .exact import steady_bloch

    cols = {k: np.array([p[k] for p in points], dtype=float) for k in _REQUIRED}
    r = steady_bloch(cols["g"], cols["p1"], cols["p2"], cols["T1"], cols["T2"])
    l1 = measures.l1_norm(r)
    coh = measures.l1_coherence(r)
    return [
        {"bloch": r[i].tolist(), "l1_coherence": float(coh[i]), "l1_norm": float(l1[i]), "magic": bool(l1[i] > 1)}
        for i in range(len(points))
    ]


def _kind_perturbative(points: list[dict[str, Any]], seeds: list[int], opts: dict[str, Any]) -> list[dict[str, Any]]:
    from . import perturbative as pt

    cols = {k: np.array([p[k] for p in points], dtype=float) for k in _REQUIRED}
    coh = pt.l1_coherence_eq7(cols["g"], cols["p1"], cols["p2"], cols["T1"], cols["T2"])
    fac = np.asarray(pt.facets_eq9(cols["g"], cols["p1"], cols["p2"], cols["T1"], cols["T2"]))
    return [
        {"l1_coherence": float(coh[i]), "facets": fac[i].tolist(), "l1_norm": float(np.max(fac[i]))}
        for i in range(len(points))
    ]


#: Output kinds: name -> function(points, seeds, run options) -> one record dict per point.
OUTPUT_KINDS: dict[str, Callable[[list[dict[str, Any]], list[int], dict[str, Any]], list[dict[str, Any]]]] = {
    "exact": _kind_exact,
    "perturbative": _kind_perturbative,
}


@dataclasses.dataclass(frozen=True)
class SweepConfig:
    """A validated sweep: axis values, output kinds and run options."""

    axes: dict[str, list[Any]]
    ties: dict[str, str]
    outputs: tuple[str, ...]
    seed: int
    chunk: int
    options: dict[str, Any]

    def points(self) -> Iterator[dict[str, Any]]:
        """All grid points, in index order."""
        free = [a for a in AXES if a not in self.ties]
        for values in itertools.product(*(self.axes[a] for a in free)):
            point = dict(zip(free, values, strict=True))
            for a, src in self.ties.items():
                point[a] = point[src]
            yield {a: point[a] for a in AXES}

    def __len__(self) -> int:
        return math.prod(len(self.axes[a]) for a in AXES if a not in self.ties)

    def fingerprint(self) -> str:
        """Hash of everything that determines the results (to refuse resuming a different sweep)."""
        blob = json.dumps(
            {"axes": self.axes, "ties": self.ties, "outputs": self.outputs, "seed": self.seed,
             "options": self.options},
            sort_keys=True, default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _axis_values(name: str, spec: Any) -> list[Any]:
    where = f"grid.{name}"
    if name == "noise":
        vals = spec if isinstance(spec, list) else [spec]
        if not vals or not all(isinstance(v, str) for v in vals):
            raise InputError(f"{where} must be a string or a list of strings (noise specs)")
        return vals
    if isinstance(spec, bool):
        raise InputError(f"{where} must be a number, a list of numbers, or a range table; got {spec!r}")
    if isinstance(spec, int | float):
        vals = [spec]
    elif isinstance(spec, list):
        vals = spec
    elif isinstance(spec, dict):
        if set(spec) == {"start", "stop", "num"}:
            a, b, n = spec["start"], spec["stop"], spec["num"]
            _check_range(where, a, b, n, positive=False)
            vals = np.linspace(a, b, n).tolist()
        elif set(spec) == {"geomspace"} and isinstance(spec["geomspace"], list) and len(spec["geomspace"]) == 3:
            a, b, n = spec["geomspace"]
            _check_range(where, a, b, n, positive=True)
            vals = np.geomspace(a, b, n).tolist()
        else:
            raise InputError(
                f"{where}: a range table must be {{start, stop, num}} or {{geomspace = [a, b, n]}}; "
                f"got keys {sorted(spec)}"
            )
    else:
        raise InputError(f"{where} must be a number, a list of numbers, or a range table; got {spec!r}")
    if not vals:
        raise InputError(f"{where} must not be empty")
    for v in vals:  # physical ranges are checked per point by validate_params
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(f"{where} values must be numbers; got {v!r}")
    if name == "shots":
        if any(not float(v).is_integer() or v < 0 for v in vals):
            raise InputError(f"{where} values must be integers >= 0 (0 = no tomography shots)")
        return [int(v) for v in vals]
    if name == "dt" and any(not (0 < v < math.inf) for v in vals):
        raise InputError(f"{where} values must be finite numbers in (0, +inf)")
    return [float(v) for v in vals]


def _check_range(where: str, a: Any, b: Any, n: Any, *, positive: bool) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"{where}: the number of points must be an integer >= 1; got {n!r}")
    for v in (a, b):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"{where}: range ends must be finite numbers; got {v!r}")
        if positive and v <= 0:
            raise InputError(f"{where}: geomspace ends must be > 0; got {v!r}")


def _check_run_options(run: dict[str, Any]) -> None:
    if "order" in run and run["order"] not in (1, 2):
        raise InputError(f"run.order must be 1 or 2; got {run['order']!r}")
    if "realization" in run and run["realization"] not in ("kraus", "dilated"):
        raise InputError(f"run.realization must be 'kraus' or 'dilated'; got {run['realization']!r}")
    level = run.get("level", 0.95)
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise InputError(f"run.level must be a number in (0, 1); got {level!r}")
    n = run.get("n_resamples", 1000)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"run.n_resamples must be an integer >= 1; got {n!r}")


def _check_shots_and_noise(cfg: SweepConfig) -> None:
    """Everything that would otherwise fail mid-sweep: noise specs, shots, realization vs noise."""
    noisy = [n for n in cfg.axes.get("noise", ["none"]) if n != "none"]
    if noisy:
        from .noise import parse_noise  # lazy: qiskit noise models load only when asked for

        for spec in noisy:
            try:
                parse_noise(spec)
            except ValueError as exc:
                raise InputError(f"grid.noise: {exc}") from None
        if cfg.options.get("realization", "dilated") != "dilated":
            raise InputError("run.realization must be 'dilated' when grid.noise has a noise model "
                             "(noise attaches to the hardware-native gate-level circuit)")
    if "tomography" in cfg.outputs and any(n < 1 for n in cfg.axes.get("shots", [0])):
        raise InputError("outputs.compute has 'tomography', which needs grid.shots >= 1")


def parse_config(data: dict[str, Any]) -> SweepConfig:
    """Validate a parsed TOML document; errors name the offending key and the allowed values."""
    unknown = set(data) - _SECTIONS
    if unknown:
        raise InputError(f"unknown section(s) {sorted(unknown)}; allowed: {sorted(_SECTIONS)}")
    grid = data.get("grid")
    if not isinstance(grid, dict):
        raise InputError("missing [grid] table (keys: " + ", ".join(AXES) + ")")
    bad = set(grid) - set(AXES)
    if bad:
        raise InputError(f"unknown key(s) grid.{sorted(bad)}; allowed: {', '.join(AXES)}")
    missing = [a for a in _REQUIRED if a not in grid]
    if missing:
        raise InputError(f"missing key(s) {['grid.' + m for m in missing]} (required: {', '.join(_REQUIRED)})")
    axes: dict[str, list[Any]] = {}
    ties: dict[str, str] = {}
    for a in AXES:
        spec = grid.get(a, _DEFAULTS.get(a))
        if isinstance(spec, str) and a != "noise":
            if spec not in _REQUIRED or spec == a:
                raise InputError(f"grid.{a} = {spec!r}: a tie must name another of {', '.join(_REQUIRED)}")
            ties[a] = spec
            continue
        axes[a] = _axis_values(a, spec)
    for a, src in ties.items():
        if src in ties:
            raise InputError(f"grid.{a} ties to grid.{src}, which is itself tied; tie to a free axis")
    outputs = data.get("outputs", {})
    if not isinstance(outputs, dict) or set(outputs) - {"compute"}:
        raise InputError("[outputs] allows one key: compute = [...] with values " + ", ".join(_all_kinds()))
    compute = outputs.get("compute", ["exact"])
    if isinstance(compute, str):
        compute = [compute]
    if not compute or any(k not in _all_kinds() for k in compute):
        raise InputError(f"outputs.compute = {compute!r}; allowed values: {', '.join(_all_kinds())}")
    run = data.get("run", {})
    bad = set(run) - _RUN_KEYS
    if bad:
        raise InputError(f"unknown key(s) run.{sorted(bad)}; allowed: {', '.join(sorted(_RUN_KEYS))}")
    _check_run_options(run)
    seed = run.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"run.seed must be an integer >= 0; got {seed!r}")
    heavy = any(k in ("circuit", "tomography") for k in compute)
    chunk = run.get("chunk", 1 if heavy else 256)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError(f"run.chunk must be an integer >= 1; got {chunk!r}")
    options = {k: v for k, v in run.items() if k not in ("seed", "chunk")}
    cfg = SweepConfig(axes=axes, ties=ties, outputs=tuple(compute), seed=seed, chunk=chunk, options=options)
    # Validate every point's physics parameters up front (clear error before any work).
    from .exact import _check_unique
    from .model import validate_params

    cols = {k: [] for k in _REQUIRED}  # type: dict[str, list[float]]
    for p in cfg.points():
        for k in _REQUIRED:
            cols[k].append(p[k])
    arrays = validate_params(*(np.array(cols[k]) for k in _REQUIRED))
    _check_unique(arrays[0], arrays[1], arrays[2])
    _check_shots_and_noise(cfg)
    if "perturbative" in cfg.outputs and np.any(arrays[1] == 0):
        raise InputError("outputs.compute has 'perturbative', which needs grid.p1 > 0 (its O(g^2) term ~ 1/p1)")
    return cfg


def _all_kinds() -> tuple[str, ...]:
    return (*OUTPUT_KINDS, "circuit", "tomography")  # the last two load Aer lazily


def load_config(path: str | Path) -> SweepConfig:
    """Read and validate a sweep TOML file."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file not found: {p}")
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: invalid TOML: {exc}") from None
    return parse_config(data)


def point_seed(seed: int, index: int) -> int:
    """The random seed of point ``index``: independent of execution order and of resumption."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint32)[0])


def evaluate_chunk(
    indexed_points: list[tuple[int, dict[str, Any]]], outputs: Sequence[str], seed: int, options: dict[str, Any]
) -> list[dict[str, Any]]:
    """Compute the requested outputs for a chunk of (index, point); one record per point.

    Pure function of its arguments (each point's stream comes from :func:`point_seed`), so it can
    run in any process or on any Dask worker.
    """
    idx = [i for i, _ in indexed_points]
    pts = [p for _, p in indexed_points]
    seeds = [point_seed(seed, i) for i in idx]
    records = [{"index": i, "seed": s, **p} for i, s, p in zip(idx, seeds, pts, strict=True)]
    for kind in outputs:
        fn = _resolve_kind(kind)
        for rec, out in zip(records, fn(pts, seeds, options), strict=True):
            rec[kind] = out
    return records


def _resolve_kind(kind: str) -> Callable[[list[dict[str, Any]], list[int], dict[str, Any]], list[dict[str, Any]]]:
    if kind in OUTPUT_KINDS:
        return OUTPUT_KINDS[kind]
    if kind in ("circuit", "tomography"):
        from . import emulation  # lazy: Aer and the circuit layer load only when asked for

        return emulation.circuit_records if kind == "circuit" else emulation.tomography_records
    raise InputError(f"output kind {kind!r} is not available; allowed: {', '.join(_all_kinds())}")


def read_results(out_dir: str | Path) -> list[dict[str, Any]]:
    """Records already on disk, ignoring a torn final line (from a killed process)."""
    path = Path(out_dir) / "results.jsonl"
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


class _Progress:
    def __init__(self, total: int, done: int, stream: Any = sys.stderr) -> None:
        self.total, self.done, self.stream = total, done, stream
        self.t0 = time.perf_counter()
        self._draw()

    def update(self, n: int) -> None:
        self.done += n
        self._draw()

    def _draw(self) -> None:
        width = 30
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
        dt = time.perf_counter() - self.t0
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} points  {dt:6.1f} s")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def run_sweep(
    config: SweepConfig,
    out_dir: str | Path,
    *,
    resume: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool = True,
    n_workers: int = 2,
) -> list[dict[str, Any]]:
    """Run (or resume) a sweep, appending each finished point to ``out_dir/results.jsonl``.

    Args:
        config: the validated sweep.
        out_dir: output folder (created). Holds ``sweep.json`` (config fingerprint),
            ``results.jsonl`` and, when complete, ``results.csv``.
        resume: skip points already in ``results.jsonl``; without it an existing non-empty
            results file is an error (nothing is overwritten).
        executor: ``"local"`` (this process) or ``"dask"`` (``dask.distributed``).
        scheduler: address of an existing Dask scheduler; default a ``LocalCluster``.
        progress: draw a progress bar on stderr.
        n_workers: workers of the default ``LocalCluster``.

    Returns:
        All records, sorted by point index.
    """
    if executor not in ("local", "dask"):
        raise InputError(f"executor must be 'local' or 'dask'; got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise InputError("scheduler is only used with executor='dask'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta_path = out / "sweep.json"
    results_path = out / "results.jsonl"
    meta = {"fingerprint": config.fingerprint(), "points": len(config), "outputs": list(config.outputs)}
    done = {r["index"] for r in read_results(out)}
    if done and not resume:
        raise InputError(f"{results_path} already has {len(done)} results; use --resume or a new --out")
    if resume and meta_path.exists():
        old = json.loads(meta_path.read_text())
        if old.get("fingerprint") != meta["fingerprint"]:
            raise InputError(f"{out} holds a different sweep (config changed); use a new --out")
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    _drop_torn_tail(results_path)
    # Chunks are fixed blocks of consecutive indices, so a point is always computed in the same
    # batch (bit-identical results on resume); a block with any missing point is recomputed and
    # only its missing points are written.
    all_points = list(enumerate(config.points()))
    todo = [
        all_points[b : b + config.chunk]
        for b in range(0, len(all_points), config.chunk)
        if any(i not in done for i, _ in all_points[b : b + config.chunk])
    ]
    bar = _Progress(len(config), len(done)) if progress else None
    try:
        with results_path.open("a") as fh:
            for records in _execute(todo, config, executor, scheduler, n_workers):
                new = [rec for rec in records if rec["index"] not in done]
                for rec in new:
                    fh.write(json.dumps(json_safe(rec)) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
                if bar:
                    bar.update(len(new))
    finally:
        if bar:
            bar.close()
    records = sorted(read_results(out), key=lambda r: r["index"])
    _write_csv(records, out / "results.csv")
    return records


def _execute(
    chunks: list[list[tuple[int, dict[str, Any]]]], config: SweepConfig, executor: str, scheduler: str | None,
    n_workers: int,
) -> Iterable[list[dict[str, Any]]]:
    if executor == "local":
        for ch in chunks:
            yield evaluate_chunk(ch, config.outputs, config.seed, config.options)
        return
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("executor 'dask' needs the dask extra: pip install 'qc-reset[dask]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [client.submit(evaluate_chunk, ch, config.outputs, config.seed, config.options, pure=False)
                   for ch in chunks]
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _drop_torn_tail(path: Path) -> None:
    """Remove a partial last line left by a killed writer, so appends start on a fresh line."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def _flatten(rec: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for k, v in rec.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            flat.update(_flatten(v, key + "."))
        elif isinstance(v, list) and all(not isinstance(x, list | dict) for x in v):
            for j, x in enumerate(v):
                flat[f"{key}.{j}"] = x
        else:
            flat[key] = v if not isinstance(v, list) else json.dumps(v)
    return flat


def _write_csv(records: list[dict[str, Any]], path: Path) -> None:
    rows = [_flatten(r) for r in records]
    fields: list[str] = []
    for r in rows:
        fields.extend(k for k in r if k not in fields)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
