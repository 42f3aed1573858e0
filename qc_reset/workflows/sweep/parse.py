"""Sweep config parsing: a TOML file or document to a validated :class:`SweepConfig`, with every check.

Limits, checked before anything is expanded: the config file is at most
:data:`~qc_reset.workflows.sweep.config.MAX_CONFIG_BYTES` of UTF-8 TOML (nesting too deep for the
parser is an input error); the grid has at most :data:`~qc_reset.workflows.sweep.config.MAX_POINTS`
points, computed from the axis lengths; physical ranges are checked once per axis (and for the few
value combinations that matter, e.g. g = 0 with a zero rate), never per point. Ties exist only
between the model parameters ``g, p1, p2, T1, T2``. Every error is an :class:`InputError` naming
the offending key and the allowed values.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ... import _checks
from ..._checks import InputError, quote
from ...model.params import validate_params
from ...model.steady import require_unique
from .chain_sweep import parse_chain_sweep
from .config import AXES, MAX_POINTS, MODEL_AXES, SweepConfig, read_toml
from .kinds import KIND_NAMES

__all__ = ["parse_config", "load_config"]

_DEFAULTS: dict[str, Any] = {"dt": 0.1, "shots": 0, "noise": "none"}
_SECTIONS = {"grid", "outputs", "run"}
_RUN_KEYS = {"seed", "chunk", "order", "realization", "level", "n_resamples", "backend"}


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
    """``order``, ``realization``, ``level`` and ``n_resamples`` of ``[run]``, by the package's validators."""
    if "order" in run:
        _checks.order(run["order"], "run.order")
    if "realization" in run:
        # lazy: the circuit layer (Qiskit) loads only for a config that names a realization
        from ...circuits.parameters import validate_realization

        try:
            validate_realization(run["realization"])
        except InputError as exc:
            raise InputError(f"run.{exc}") from None
    if "level" in run:
        _checks.confidence_level(run["level"], "run.level")
    if "n_resamples" in run:
        _checks.integer("run.n_resamples", run["n_resamples"], lo=1, hi=10**7)
    if "backend" in run:
        name = run["backend"]
        if not isinstance(name, str) or not name.startswith("fake:"):
            raise InputError(f"run.backend must be 'fake:NAME' (a device of qiskit_ibm_runtime.fake_provider); "
                             f"got {quote(name)}")
        # lazy: the fake provider (the hardware extra) loads only for a config that names a device
        from ...run.backends import check_fake_name

        try:
            check_fake_name(name[len("fake:"):])
        except InputError as exc:
            raise InputError(f"run.backend: {exc}") from None


def _check_physics(cfg: SweepConfig) -> None:
    """Model-parameter checks per axis, then on the few value combinations that can fail jointly.

    Ranges are per parameter, so each axis is checked alone. The joint conditions (p1 = p2 = 0;
    p1 + p2 too small; g = 0 with a zero rate) are monotone in each value, so a grid contains a
    failing point iff the product of each axis' minimum and (if present) zero contains one.
    """
    neutral: dict[str, Any] = {"g": 0.1, "p1": 1.0, "p2": 1.0, "T1": 1.0, "T2": 1.0}
    for a in MODEL_AXES:
        if a in cfg.axes:
            validate_params(**{**neutral, a: np.array(cfg.axes[a])})
    src = {a: cfg.ties.get(a, a) for a in ("g", "p1", "p2")}
    involved = sorted(set(src.values()))
    reps = {a: sorted({min(cfg.axes[a]), *(0.0 for v in cfg.axes[a] if v == 0)}) for a in involved}
    combos = np.array(np.meshgrid(*(reps[a] for a in involved), indexing="ij")).reshape(len(involved), -1)
    col = {a: combos[involved.index(src[a])] for a in ("g", "p1", "p2")}
    validate_params(col["g"], col["p1"], col["p2"], 1.0, 1.0)
    require_unique(col["g"], col["p1"], col["p2"])
    if "perturbative" in cfg.outputs and min(cfg.axes[src["p1"]]) == 0:
        raise InputError("outputs.compute has 'perturbative', which needs grid.p1 > 0 (its O(g^2) term ~ 1/p1)")


def _check_shots_and_noise(cfg: SweepConfig) -> None:
    """Everything that would otherwise fail mid-sweep: noise specs, shots, realization vs noise."""
    noisy = [n for n in cfg.axes.get("noise", ["none"]) if n != "none"]
    if "backend" in cfg.options and cfg.options.get("realization", "dilated") != "dilated":
        raise InputError("run.realization must be 'dilated' with run.backend (the device runs the hardware-native "
                         "gate-level circuit)")
    if noisy:
        from ...run.noise import parse_noise  # lazy: qiskit noise models load only when asked for

        for spec in noisy:
            try:
                parse_noise(spec)
            except ValueError as exc:  # the parser's message may quote the whole spec: cut it
                reason = str(exc) if len(str(exc)) <= 200 else str(exc)[:197] + "..."
                raise InputError(f"grid.noise = {quote(spec)}: {reason}") from None
        if "backend" in cfg.options:
            raise InputError("run.backend and a grid.noise model are exclusive: the device brings its own noise")
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
    if "site" in data:  # [[site]] tables: a chain sweep (.chain_sweep)
        return parse_chain_sweep(data)
    unknown = set(data) - _SECTIONS
    if unknown:
        raise InputError(f"unknown section(s) {quote(sorted(unknown))}; allowed: {sorted(_SECTIONS)}")
    grid = data.get("grid")
    if not isinstance(grid, dict):
        raise InputError("missing [grid] table (keys: " + ", ".join(AXES) + ")")
    bad = set(grid) - set(AXES)
    if bad:
        raise InputError(f"unknown key(s) grid.{quote(sorted(bad))}; allowed: {', '.join(AXES)}")
    missing = [a for a in MODEL_AXES if a not in grid]
    if missing:
        raise InputError(f"missing key(s) {['grid.' + m for m in missing]} (required: {', '.join(MODEL_AXES)})")
    specs = {a: grid.get(a, _DEFAULTS.get(a)) for a in AXES}
    ties: dict[str, str] = {}
    for a in MODEL_AXES:
        spec = specs[a]
        if isinstance(spec, str):
            if spec not in MODEL_AXES or spec == a:
                raise InputError(f"grid.{a} = {quote(spec)}: a tie must name another model parameter "
                                 f"({', '.join(x for x in MODEL_AXES if x != a)})")
            ties[a] = spec
    for a, src in ties.items():
        if src in ties:
            raise InputError(f"grid.{a} ties to grid.{src}, which is itself tied; tie to a free axis")
    for a in ("dt", "shots"):
        if isinstance(specs[a], str):
            raise InputError(f"grid.{a} must be a number, a list of numbers, or a range table; got "
                             f"{quote(specs[a])} (ties exist only between {', '.join(MODEL_AXES)})")
    # Size from the specs alone, before any axis is expanded.
    size = math.prod(_axis_length(a, specs[a]) for a in AXES if a not in ties)
    if size > MAX_POINTS:
        raise InputError(f"the grid has {size:.3g} points, above the limit of {MAX_POINTS:.0e}; "
                         "split it into several sweeps")
    axes = {a: _axis_values(a, specs[a]) for a in AXES if a not in ties}
    outputs = _table(data, "outputs")
    if set(outputs) - {"compute"}:
        raise InputError("[outputs] allows one key: compute = [...] with values " + ", ".join(KIND_NAMES))
    compute = outputs.get("compute", ["exact"])
    if isinstance(compute, str):
        compute = [compute]
    if (not isinstance(compute, list) or not compute or any(not isinstance(k, str) or k not in KIND_NAMES
                                                             for k in compute)):
        raise InputError(f"outputs.compute = {quote(compute)}; allowed: a list of {', '.join(KIND_NAMES)}")
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


def load_config(path: str | Path) -> SweepConfig:
    """Read and validate a sweep TOML file (UTF-8, at most :data:`MAX_CONFIG_BYTES`)."""
    return parse_config(read_toml(path, "sweep config"))
