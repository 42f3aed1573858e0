"""Parameter sweeps that stream results to disk, resume after interruption and scale out on Dask.

A sweep is a Cartesian grid over ``g, p1, p2, T1, T2, dt, shots, noise`` read from a TOML file::

    [grid]
    g  = {start = 0.01, stop = 0.2, num = 20}   # linspace; or {geomspace = [a, b, n]}
    p1 = [0.1, 0.3, 1.0]                         # explicit list; or a single number
    p2 = "p1"                                     # tie to another model parameter (p1 = p2 sweeps)
    T1 = 0.1
    T2 = 0.02

    [outputs]
    compute = ["exact", "perturbative"]          # also "circuit", "tomography"

    [run]
    seed = 1234          # each point gets its own stream from (seed, point index)
    chunk = 256          # points per task

Limits, checked before anything is expanded: the config file is at most 1 MiB of UTF-8 TOML
(nesting too deep for the parser is an input error); the grid has at most :data:`MAX_POINTS`
points, computed from the axis lengths; physical ranges are checked once per axis (and for
the few value combinations that matter, e.g. g = 0 with a zero rate), never per point. Ties
exist only between the model parameters ``g, p1, p2, T1, T2``.

Output kinds. ``exact``: ``bloch``, ``l1_coherence``, ``l1_norm`` (||r||_1), ``magic``.
``perturbative``: ``l1_coherence`` (Eq. 7), ``facets`` (Eq. 9, the four facets of
:data:`qc_reset.measures.FACET_LABELS`), ``max_facet`` (their maximum), ``l1_norm`` (the
O(g^2) estimate of ||r||_1 = max |facet|, since the eight octahedron facets are the four
and their negatives) and ``magic`` (``l1_norm > 1``). Records written before schema 2 stored
the maximum facet under ``l1_norm``, which could be negative.

The store ``OUT/`` and its guarantees:

- ``OUT/.lock``: an exclusive ``flock`` held for the whole run (it holds the pid). A second
  writer on the same folder is refused at once; the lock dies with its process. It is a
  POSIX ``flock``: reliable on local file systems, on network ones only if the server honours it.
- ``OUT/sweep.json``: written once, atomically, when the sweep is created, never rewritten:
  the record ``schema``, package version, number of points, outputs and the ``fingerprint``,
  a hash of everything that changes the records (axis values, ties, outputs, seed, chunk, run
  options, record schema). ``--resume`` requires it and an equal fingerprint; a new sweep
  refuses a folder that already has one.
- ``OUT/results.jsonl``: one JSON object per point (``index``, ``seed``, the grid values and
  one object per output kind), appended chunk by chunk in one write, flushed and fsynced, so
  an interrupted sweep loses at most the points in flight. On resume every line is
  validated: UTF-8 JSON object, ``index`` an integer in range, grid values and seed equal to
  that index's, every output kind present, no repeated index. A damaged line is reported by
  file and line, appended to ``OUT/results.quarantine.jsonl`` (before ``results.jsonl`` is
  atomically rewritten without it) and its point recomputed; a
  complete last record that only lacks its newline is kept (the newline is added).
- ``OUT/results.csv``: all records sorted by index, flattened, written atomically when the
  sweep completes.

Because each point's random stream is derived from the sweep seed and the point index only,
and chunks are fixed blocks of consecutive indices, a resumed or distributed sweep gives
bit-identical records to an uninterrupted serial one. Every file is written through
:mod:`qc_reset.io` (temporary file, fsync, rename) except the append-only JSONL.

Dask: ``--scheduler`` takes ``tcp://``, ``tls://`` or ``inproc://`` addresses (or bare
``host:port``); connecting gives up after ``connect_timeout`` (10 s) and waiting for a first
worker after ``worker_timeout`` (30 s), each with a message, before the store is created.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import json
import math
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _sweep_store as store
from ._checks import InputError, quote
from .records import json_safe

__all__ = [
    "SweepConfig",
    "load_config",
    "parse_config",
    "evaluate_chunk",
    "point_seed",
    "run_sweep",
    "read_results",
    "OUTPUT_KINDS",
    "AXES",
    "MAX_POINTS",
    "MAX_CONFIG_BYTES",
    "RECORD_SCHEMA",
]

#: Grid axes, in the order of the Cartesian product (last varies fastest).
AXES: tuple[str, ...] = ("g", "p1", "p2", "T1", "T2", "dt", "shots", "noise")
#: Largest grid (points). Records are returned (and written to the CSV) all at once, ~1-2 kB
#: each in memory, so this keeps a sweep within a few GB; split larger studies into sweeps.
MAX_POINTS = 10**6
#: Largest config file read (bytes); a sweep config is a few hundred bytes.
MAX_CONFIG_BYTES = 1 << 20
#: Version of the record layout; part of the fingerprint, so older stores are not resumed.
RECORD_SCHEMA = 2
_DEFAULTS: dict[str, Any] = {"dt": 0.1, "shots": 0, "noise": "none"}
_REQUIRED = ("g", "p1", "p2", "T1", "T2")
_SECTIONS = {"grid", "outputs", "run"}
_RUN_KEYS = {"seed", "chunk", "order", "realization", "level", "n_resamples"}
_SCHEMES = ("tcp", "tls", "inproc")


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
    # The octahedron's eight facets are these four and their negatives: ||r||_1 = max |facet|.
    l1 = np.max(np.abs(fac), axis=-1)
    return [
        {"l1_coherence": float(coh[i]), "facets": fac[i].tolist(), "max_facet": float(np.max(fac[i])),
         "l1_norm": float(l1[i]), "magic": bool(l1[i] > 1)}
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

    @property
    def free_axes(self) -> tuple[str, ...]:
        """The axes that are not tied, in product order."""
        return tuple(a for a in AXES if a not in self.ties)

    def point(self, index: int) -> dict[str, Any]:
        """Grid point ``index`` (mixed radix over the free axes, the last varying fastest)."""
        if not 0 <= index < len(self):
            raise InputError(f"point index must be in [0, {len(self)}); got {quote(index)}")
        point: dict[str, Any] = {}
        rest = index
        for a in reversed(self.free_axes):
            rest, k = divmod(rest, len(self.axes[a]))
            point[a] = self.axes[a][k]
        for a, src in self.ties.items():
            point[a] = point[src]
        return {a: point[a] for a in AXES}

    def points(self) -> Iterator[dict[str, Any]]:
        """All grid points, in index order."""
        return (self.point(i) for i in range(len(self)))

    def __len__(self) -> int:
        return math.prod(len(self.axes[a]) for a in self.free_axes)

    def fingerprint(self) -> str:
        """Hash of everything that determines the records (to refuse resuming a different sweep)."""
        blob = json.dumps(
            {"schema": RECORD_SCHEMA, "axes": self.axes, "ties": self.ties, "outputs": list(self.outputs),
             "seed": self.seed, "chunk": self.chunk, "options": self.options},
            sort_keys=True, default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _axis_length(name: str, spec: Any) -> int:
    """Number of values ``spec`` will give, from the spec alone (nothing is expanded)."""
    where = f"grid.{name}"
    if isinstance(spec, list):
        return len(spec)
    if isinstance(spec, dict):
        if set(spec) == {"start", "stop", "num"}:
            n = spec["num"]
        elif set(spec) == {"geomspace"} and isinstance(spec["geomspace"], list) and len(spec["geomspace"]) == 3:
            n = spec["geomspace"][2]
        else:
            raise InputError(
                f"{where}: a range table must be {{start, stop, num}} or {{geomspace = [a, b, n]}}; "
                f"got keys {quote(sorted(spec))}"
            )
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_POINTS:
            raise InputError(f"{where}: the number of points must be an integer in [1, {MAX_POINTS}]; "
                             f"got {quote(n)}")
        return n
    return 1


def _axis_values(name: str, spec: Any) -> list[Any]:
    where = f"grid.{name}"
    if name == "noise":
        vals = spec if isinstance(spec, list) else [spec]
        if not vals or not all(isinstance(v, str) for v in vals):
            raise InputError(f"{where} must be a string or a list of strings (noise specs); got {quote(spec)}")
        return vals
    if isinstance(spec, bool):
        raise InputError(f"{where} must be a number, a list of numbers, or a range table; got {quote(spec)}")
    if isinstance(spec, int | float):
        vals = [spec]
    elif isinstance(spec, list):
        vals = spec
    elif isinstance(spec, dict):
        if "num" in spec:
            a, b, n = spec["start"], spec["stop"], spec["num"]
            _check_ends(where, a, b, positive=False)
            vals = np.linspace(a, b, n).tolist()
        else:
            a, b, n = spec["geomspace"]
            _check_ends(where, a, b, positive=True)
            vals = np.geomspace(a, b, n).tolist()
    else:
        raise InputError(f"{where} must be a number, a list of numbers, or a range table; got {quote(spec)}")
    if not vals:
        raise InputError(f"{where} must not be empty")
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(f"{where} values must be numbers; got {quote(v)}")
    if name == "shots":
        if any(not math.isfinite(v) or not float(v).is_integer() or not 0 <= v <= 2**62 for v in vals):
            raise InputError(f"{where} values must be integers in [0, 2^62] (0 = no tomography shots)")
        return [int(v) for v in vals]
    try:
        out = [float(v) for v in vals]
    except OverflowError:  # a TOML integer beyond the float range
        raise InputError(f"{where} values must be finite numbers") from None
    if name == "dt" and any(not (0 < v < math.inf) for v in out):
        raise InputError(f"{where} values must be finite numbers in (0, +inf)")
    return out


def _check_ends(where: str, a: Any, b: Any, *, positive: bool) -> None:
    for v in (a, b):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"{where}: range ends must be finite numbers; got {quote(v)}")
        if positive and v <= 0:
            raise InputError(f"{where}: geomspace ends must be > 0; got {quote(v)}")


def _check_run_options(run: dict[str, Any]) -> None:
    if "order" in run and (isinstance(run["order"], bool) or run["order"] not in (1, 2)):
        raise InputError(f"run.order must be 1 or 2; got {quote(run['order'])}")
    if "realization" in run and run["realization"] not in ("kraus", "dilated"):
        raise InputError(f"run.realization must be 'kraus' or 'dilated'; got {quote(run['realization'])}")
    level = run.get("level", 0.95)
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise InputError(f"run.level must be a number in (0, 1); got {quote(level)}")
    n = run.get("n_resamples", 1000)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10**7:
        raise InputError(f"run.n_resamples must be an integer in [1, 10^7]; got {quote(n)}")


def _check_physics(cfg: SweepConfig) -> None:
    """Model-parameter checks per axis, then on the few value combinations that can fail jointly.

    Ranges are per parameter, so each axis is checked alone. The joint conditions (p1 = p2 = 0;
    p1 + p2 too small; g = 0 with a zero rate) are monotone in each value, so a grid contains a
    failing point iff the product of each axis' minimum and (if present) zero contains one.
    """
    from .exact import _check_unique
    from .model import validate_params

    neutral: dict[str, Any] = {"g": 0.1, "p1": 1.0, "p2": 1.0, "T1": 1.0, "T2": 1.0}
    for a in _REQUIRED:
        if a in cfg.axes:
            validate_params(**{**neutral, a: np.array(cfg.axes[a])})
    src = {a: cfg.ties.get(a, a) for a in ("g", "p1", "p2")}
    involved = sorted(set(src.values()))
    reps = {a: sorted({min(cfg.axes[a]), *(0.0 for v in cfg.axes[a] if v == 0)}) for a in involved}
    combos = np.array(np.meshgrid(*(reps[a] for a in involved), indexing="ij")).reshape(len(involved), -1)
    col = {a: combos[involved.index(src[a])] for a in ("g", "p1", "p2")}
    validate_params(col["g"], col["p1"], col["p2"], 1.0, 1.0)
    _check_unique(col["g"], col["p1"], col["p2"])
    if "perturbative" in cfg.outputs and min(cfg.axes[src["p1"]]) == 0:
        raise InputError("outputs.compute has 'perturbative', which needs grid.p1 > 0 (its O(g^2) term ~ 1/p1)")


def _check_shots_and_noise(cfg: SweepConfig) -> None:
    """Everything that would otherwise fail mid-sweep: noise specs, shots, realization vs noise."""
    noisy = [n for n in cfg.axes.get("noise", ["none"]) if n != "none"]
    if noisy:
        from .noise import parse_noise  # lazy: qiskit noise models load only when asked for

        for spec in noisy:
            try:
                parse_noise(spec)
            except ValueError as exc:  # the parser's message may quote the whole spec: cut it
                reason = str(exc) if len(str(exc)) <= 200 else str(exc)[:197] + "..."
                raise InputError(f"grid.noise = {quote(spec)}: {reason}") from None
        if cfg.options.get("realization", "dilated") != "dilated":
            raise InputError("run.realization must be 'dilated' when grid.noise has a noise model "
                             "(noise attaches to the hardware-native gate-level circuit)")
    if "tomography" in cfg.outputs and any(n < 1 for n in cfg.axes.get("shots", [0])):
        raise InputError("outputs.compute has 'tomography', which needs grid.shots >= 1")


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name, {})
    if not isinstance(section, dict):
        raise InputError(f"[{name}] must be a table; got {name} = {quote(section)}")
    return section


def parse_config(data: dict[str, Any]) -> SweepConfig:
    """Validate a parsed TOML document; errors name the offending key and the allowed values."""
    if not isinstance(data, dict):
        raise InputError(f"a sweep config must be a table of sections; got {quote(data)}")
    unknown = set(data) - _SECTIONS
    if unknown:
        raise InputError(f"unknown section(s) {quote(sorted(unknown))}; allowed: {sorted(_SECTIONS)}")
    grid = data.get("grid")
    if not isinstance(grid, dict):
        raise InputError("missing [grid] table (keys: " + ", ".join(AXES) + ")")
    bad = set(grid) - set(AXES)
    if bad:
        raise InputError(f"unknown key(s) grid.{quote(sorted(bad))}; allowed: {', '.join(AXES)}")
    missing = [a for a in _REQUIRED if a not in grid]
    if missing:
        raise InputError(f"missing key(s) {['grid.' + m for m in missing]} (required: {', '.join(_REQUIRED)})")
    specs = {a: grid.get(a, _DEFAULTS.get(a)) for a in AXES}
    ties: dict[str, str] = {}
    for a in _REQUIRED:
        spec = specs[a]
        if isinstance(spec, str):
            if spec not in _REQUIRED or spec == a:
                raise InputError(f"grid.{a} = {quote(spec)}: a tie must name another model parameter "
                                 f"({', '.join(x for x in _REQUIRED if x != a)})")
            ties[a] = spec
    for a, src in ties.items():
        if src in ties:
            raise InputError(f"grid.{a} ties to grid.{src}, which is itself tied; tie to a free axis")
    for a in ("dt", "shots"):
        if isinstance(specs[a], str):
            raise InputError(f"grid.{a} must be a number, a list of numbers, or a range table; got "
                             f"{quote(specs[a])} (ties exist only between {', '.join(_REQUIRED)})")
    # Size from the specs alone, before any axis is expanded.
    size = math.prod(_axis_length(a, specs[a]) for a in AXES if a not in ties)
    if size > MAX_POINTS:
        raise InputError(f"the grid has {size:.3g} points, above the limit of {MAX_POINTS:.0e}; "
                         "split it into several sweeps")
    axes = {a: _axis_values(a, specs[a]) for a in AXES if a not in ties}
    outputs = _table(data, "outputs")
    if set(outputs) - {"compute"}:
        raise InputError("[outputs] allows one key: compute = [...] with values " + ", ".join(_all_kinds()))
    compute = outputs.get("compute", ["exact"])
    if isinstance(compute, str):
        compute = [compute]
    if (not isinstance(compute, list) or not compute or any(not isinstance(k, str) or k not in _all_kinds()
                                                             for k in compute)):
        raise InputError(f"outputs.compute = {quote(compute)}; allowed: a list of {', '.join(_all_kinds())}")
    if len(set(compute)) != len(compute):
        raise InputError(f"outputs.compute = {quote(compute)} names a kind twice")
    run = _table(data, "run")
    bad = set(run) - _RUN_KEYS
    if bad:
        raise InputError(f"unknown key(s) run.{quote(sorted(bad))}; allowed: {', '.join(sorted(_RUN_KEYS))}")
    _check_run_options(run)
    seed = run.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InputError(f"run.seed must be an integer in [0, 2^63); got {quote(seed)}")
    heavy = any(k in ("circuit", "tomography") for k in compute)
    chunk = run.get("chunk", 1 if heavy else 256)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or not 1 <= chunk <= MAX_POINTS:
        raise InputError(f"run.chunk must be an integer in [1, {MAX_POINTS}]; got {quote(chunk)}")
    options = {k: v for k, v in run.items() if k not in ("seed", "chunk")}
    cfg = SweepConfig(axes=axes, ties=ties, outputs=tuple(compute), seed=seed, chunk=chunk, options=options)
    _check_physics(cfg)
    _check_shots_and_noise(cfg)
    return cfg


def _all_kinds() -> tuple[str, ...]:
    return (*OUTPUT_KINDS, "circuit", "tomography")  # the last two load Aer lazily


def load_config(path: str | Path) -> SweepConfig:
    """Read and validate a sweep TOML file (UTF-8, at most :data:`MAX_CONFIG_BYTES`)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file not found: {p}")
    with p.open("rb") as fh:
        raw = fh.read(MAX_CONFIG_BYTES + 1)
    if len(raw) > MAX_CONFIG_BYTES:
        raise InputError(f"{p}: a sweep config must be at most {MAX_CONFIG_BYTES} bytes")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: invalid TOML: {str(exc)[:200]}") from None
    except RecursionError:
        raise InputError(f"{p}: TOML nested too deeply") from None
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
    raise InputError(f"output kind {quote(kind)} is not available; allowed: {', '.join(_all_kinds())}")


def _record_check(config: SweepConfig) -> Callable[[Any], str | None]:
    """A validator of one stored record against ``config`` (returns the reason it is rejected)."""
    n = len(config)

    def check(obj: Any) -> str | None:
        if not isinstance(obj, dict):
            return "not a JSON object"
        index = obj.get("index")
        if isinstance(index, bool) or not isinstance(index, int):
            return "no integer 'index'"
        if not 0 <= index < n:
            return f"index {index} outside [0, {n})"
        point = json_safe(config.point(index))
        if any(obj.get(a) != v for a, v in point.items()):
            return f"grid values differ from point {index} of this sweep"
        if obj.get("seed") != point_seed(config.seed, index):
            return f"seed differs from point {index}'s"
        missing = [k for k in config.outputs if not isinstance(obj.get(k), dict)]
        if missing:
            return f"missing output(s) {', '.join(missing)}"
        return None

    return check


def _loose_check(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return "not a JSON object"
    index = obj.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        return "no integer 'index' >= 0"
    return None


def read_results(out_dir: str | Path, config: SweepConfig | None = None) -> list[dict[str, Any]]:
    """The valid records of a sweep folder, sorted by index (read only; nothing is repaired).

    Damaged lines (torn, not JSON, not an object with an integer ``index``, a repeated index;
    with ``config`` also every check of the resume path) are skipped with a warning naming the
    file and line.

    Args:
        out_dir: the sweep's output folder.
        config: if given, records are checked against this sweep's grid, seed and outputs.
    """
    import warnings

    path = Path(out_dir) / store.RESULTS
    found = store.scan(path, _loose_check if config is None else _record_check(config))
    for line, _, reason in found.bad:
        warnings.warn(f"{path} line {line}: {reason}; skipped", stacklevel=2)
    return [found.records[i] for i in sorted(found.records)]


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


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _check_scheduler(scheduler: str) -> None:
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise InputError(f"scheduler must be an address such as tcp://host:8786; got {quote(scheduler)}")
    scheme = scheduler.split("://", 1)[0] if "://" in scheduler else "tcp"
    if scheme not in _SCHEMES:
        raise InputError(f"scheduler {quote(scheduler)}: unsupported scheme {quote(scheme)}; allowed: "
                         f"{', '.join(s + '://' for s in _SCHEMES)} or host:port")


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

    Returns:
        All records, sorted by point index.
    """
    if executor not in ("local", "dask"):
        raise InputError(f"executor must be 'local' or 'dask'; got {quote(executor)}")
    if scheduler is not None:
        if executor != "dask":
            raise InputError("scheduler is only used with executor='dask'")
        _check_scheduler(scheduler)
    for name, value in (("connect_timeout", connect_timeout), ("worker_timeout", worker_timeout)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86400:
            raise InputError(f"{name} must be a number of seconds in (0, 86400]; got {quote(value)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with store.folder_lock(out), _executor(config, executor, scheduler, n_workers, float(connect_timeout),
                                           float(worker_timeout)) as runner:
        return _run_locked(config, out, resume, runner, progress, log)


def _run_locked(config: SweepConfig, out: Path, resume: bool, runner: _Runner, progress: bool,
                log: Callable[[str], None]) -> list[dict[str, Any]]:
    from . import __version__

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
    found = store.scan(results_path, _record_check(config))
    store.repair(results_path, found, log)
    records = found.records
    # Chunks are fixed blocks of consecutive indices, so a point is always computed in the same
    # batch (bit-identical results on resume); a block with any missing point is recomputed and
    # only its missing points are written.
    n = len(config)
    todo = [range(b, min(b + config.chunk, n)) for b in range(0, n, config.chunk)
            if any(i not in records for i in range(b, min(b + config.chunk, n)))]
    bar = _Progress(n, len(records)) if progress else None
    try:
        with store.open_results(results_path) as fh:
            for chunk in runner(todo):
                new = [json_safe(rec) for rec in chunk if rec["index"] not in records]
                store.append_records(fh, new)
                # Keep what a reader will load from disk (strict JSON), not the in-memory floats.
                records.update((rec["index"], json.loads(json.dumps(rec))) for rec in new)
                if bar:
                    bar.update(len(new))
    finally:
        if bar:
            bar.close()
    ordered = [records[i] for i in sorted(records)]
    store.write_csv(ordered, out / "results.csv")
    return ordered


_Runner = Callable[[list[range]], Iterable[list[dict[str, Any]]]]


@contextlib.contextmanager
def _executor(config: SweepConfig, executor: str, scheduler: str | None, n_workers: int,
              connect_timeout: float, worker_timeout: float) -> Iterator[_Runner]:
    """Yield a function that evaluates blocks of point indices, in this process or on Dask.

    The Dask cluster is connected (and has a worker) before the store is touched, so a failed
    connection leaves no half-created sweep behind. Points are built per block, never all at
    once.
    """

    def task(block: range) -> tuple[list[tuple[int, dict[str, Any]]], Sequence[str], int, dict[str, Any]]:
        return [(i, config.point(i)) for i in block], config.outputs, config.seed, config.options

    if executor == "local":
        yield lambda blocks: (evaluate_chunk(*task(b)) for b in blocks)
        return
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("executor 'dask' needs the dask extra: pip install 'qc-reset[dask]'") from None
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            address = cluster.scheduler_address
        else:
            address = scheduler
        try:
            client = stack.enter_context(Client(address, timeout=connect_timeout))
        except (OSError, TimeoutError) as exc:
            raise InputError(f"could not connect to the Dask scheduler at {quote(address)} within "
                             f"{connect_timeout:g} s ({type(exc).__name__}); check --scheduler") from None
        try:
            client.wait_for_workers(1, timeout=worker_timeout)
        except TimeoutError:
            raise InputError(f"the Dask scheduler at {quote(address)} has no worker after "
                             f"{worker_timeout:g} s; start workers or raise --worker-timeout") from None

        def run(blocks: list[range]) -> Iterator[list[dict[str, Any]]]:
            if not blocks:
                return
            # A bounded window of tasks in flight keeps the client's memory independent of the grid.
            window = max(4 * len(client.scheduler_info().get("workers", {})), 8)
            pending = iter(blocks)
            queue = as_completed([client.submit(evaluate_chunk, *task(b), pure=False)
                                  for b in itertools.islice(pending, window)])
            for fut in queue:
                for b in itertools.islice(pending, 1):
                    queue.add(client.submit(evaluate_chunk, *task(b), pure=False))
                yield fut.result()

        yield run
