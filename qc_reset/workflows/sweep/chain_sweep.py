"""Chain sweeps: a chain template and axes over its parameters, run by the sweep engine (local or Dask).

A chain sweep config is a chain config (:mod:`.chain_config`: ``[[site]]`` tables and ``[bonds]``)
plus a ``[grid]`` of axes, an optional ``[outputs]`` and ``[run]``::

    [[site]]
    bath = "heat"
    p = 0.3
    T = 0.1
    [[site]]
    bath = "none"
    [[site]]
    bath = "spin"
    p = 0.3
    T = 0.02
    [bonds]
    g = 0.06

    [grid]
    g = {start = 0.02, stop = 0.3, num = 8}   # every bond; a number, a list or a range table
    "site.0.T" = [0.05, 0.1, 0.2]             # site i's p, T or omega (i < 0 counts from the end)
    N = [3, 4, 5]                              # chain length (see below)

    [outputs]
    compute = ["chain"]                        # the only kind of a chain sweep (the default)

    [run]
    seed = 0
    chunk = 4
    solver = "auto"                            # the exact solver (model.chain.exact)

Axes: ``g`` (one coupling for every bond), ``site.<i>.p``, ``site.<i>.T``, ``site.<i>.omega`` and
``N``. A length ``N`` keeps the template's first and last sites and fills the interior by repeating
the template's interior sites in order (``heat, none, spin`` at N = 5 is ``heat, none, none, none,
spin``); it needs a template of at least 3 sites, and one coupling for every bond. ``site.<i>``
axes apply after the length, so ``site.-1.T`` is always the last site.

Each point's record holds, under ``chain``, the per-site results of
:func:`qc_reset.model.chain.exact.chain_exact_steady` (``sites``, ``concurrence``, ``residual``,
``solver``, ``iterations``; not the wall time, so that a resumed sweep writes the same records).
Every point's chain is built and checked (ranges, a bath for every coupled group, the exact
solver's memory bound) when the config is parsed, before the store is touched; at most
:data:`MAX_CHAIN_POINTS` points.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from typing import Any

import numpy as np

from ..._checks import InputError, chain_exact_solver, quote
from ...model.chain import Chain
from ...model.chain.exact import chain_exact_steady, check_size
from .chain_config import chain_tables
from .config import SweepConfig

__all__ = ["ChainSweepConfig", "parse_chain_sweep", "chain_records", "chain_at", "MAX_CHAIN_POINTS",
           "CHAIN_SWEEP_SECTIONS"]

#: Largest chain sweep (points); each is one exact solve (milliseconds to a minute).
MAX_CHAIN_POINTS = 10**5
#: The sections of a chain sweep config.
CHAIN_SWEEP_SECTIONS = ("site", "bonds", "grid", "outputs", "run")
_SITE_AXIS = re.compile(r"^site\.(-?\d+)\.(p|T|omega)$")
_RUN_KEYS = ("seed", "chunk", "solver")


@dataclasses.dataclass(frozen=True)
class ChainSweepConfig(SweepConfig):
    """A :class:`SweepConfig` whose axes are chain parameters (module docstring).

    ``options["chain"]`` is the template (:meth:`Chain.to_dict`); the axes are the ``[grid]`` keys in
    file order, the last varying fastest; there are no ties.
    """

    @property
    def axis_order(self) -> tuple[str, ...]:
        """The ``[grid]`` axes in file order (the product order; a chain sweep has no ties)."""
        return tuple(self.axes)


def chain_at(template: dict[str, Any], point: dict[str, Any]) -> Chain:
    """The chain of one grid point: the template with the point's length, coupling and site values."""
    sites = [dict(s) for s in template["sites"]]
    g: Any = template["g"]
    if "N" in point:
        n = int(point["N"])
        inner = sites[1:-1]
        if n != len(sites):
            if not inner:
                raise InputError("grid.N needs a template of at least 3 sites (the interior is repeated)")
            if isinstance(g, list) and len(set(g)) > 1 and "g" not in point:
                raise InputError("grid.N needs one coupling for every bond (bonds.g a number, or a grid.g axis)")
            sites = [sites[0], *(dict(inner[k % len(inner)]) for k in range(n - 2)), sites[-1]]
            g = g[0] if isinstance(g, list) else g
    if "g" in point:
        g = point["g"]
    for key, value in point.items():
        m = _SITE_AXIS.match(key)
        if m:
            i = int(m.group(1))
            if not -len(sites) <= i < len(sites):
                raise InputError(f"grid.{key}: site index {i} outside the {len(sites)}-site chain")
            sites[i][m.group(2)] = value
    return Chain.from_dict({"sites": sites, "g": g})


def _axis_spec_length(key: str, spec: Any) -> int:
    if isinstance(spec, list):
        return len(spec)
    if isinstance(spec, dict):
        if set(spec) == {"start", "stop", "num"}:
            n = spec["num"]
        elif set(spec) == {"geomspace"} and isinstance(spec["geomspace"], list) and len(spec["geomspace"]) == 3:
            n = spec["geomspace"][2]
        else:
            raise InputError(f"grid.{key}: a range table must be {{start, stop, num}} or {{geomspace = [a, b, n]}}; "
                             f"got keys {quote(sorted(spec))}")
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_CHAIN_POINTS:
            raise InputError(f"grid.{key}: the number of points must be an integer in [1, {MAX_CHAIN_POINTS}]; "
                             f"got {quote(n)}")
        return n
    return 1


def _axis_values(key: str, spec: Any) -> list[Any]:
    if isinstance(spec, dict):
        a, b, n = (spec["start"], spec["stop"], spec["num"]) if "num" in spec else spec["geomspace"]
        for v in (a, b):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise InputError(f"grid.{key}: range ends must be finite numbers; got {quote(v)}")
            if "geomspace" in spec and v <= 0:
                raise InputError(f"grid.{key}: geomspace ends must be > 0; got {quote(v)}")
        vals = (np.linspace(a, b, n) if "num" in spec else np.geomspace(a, b, n)).tolist()
    else:
        vals = spec if isinstance(spec, list) else [spec]
    if not vals:
        raise InputError(f"grid.{key} must not be empty")
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(f"grid.{key} values must be numbers; got {quote(v)}")
    if key == "N":
        if any(not float(v).is_integer() or not 2 <= v <= 64 for v in vals):
            raise InputError(f"grid.N values must be integers in [2, 64]; got {quote(spec)}")
        return [int(v) for v in vals]
    try:
        return [float(v) for v in vals]
    except OverflowError:
        raise InputError(f"grid.{key} values must be finite numbers") from None


def parse_chain_sweep(data: dict[str, Any]) -> ChainSweepConfig:
    """Validate a parsed chain sweep TOML document (module docstring); every point's chain is checked."""
    unknown = sorted(set(data) - set(CHAIN_SWEEP_SECTIONS))
    if unknown:
        raise InputError(f"unknown section(s) {', '.join(map(repr, unknown))} of a chain sweep; allowed: "
                         "[[site]], [bonds], [grid], [outputs], [run]")
    template = Chain.from_dict(chain_tables(data)).to_dict()
    grid = data.get("grid", {})
    if not isinstance(grid, dict) or not grid:
        raise InputError("a chain sweep needs a [grid] table with at least one axis: g, N, site.<i>.p|T|omega")
    for key in grid:
        if key not in ("g", "N") and not _SITE_AXIS.match(key):
            raise InputError(f"unknown axis grid.{quote(key)}; allowed: g, N, site.<i>.p, site.<i>.T, site.<i>.omega")
    size = math.prod(_axis_spec_length(k, v) for k, v in grid.items())
    if size > MAX_CHAIN_POINTS:
        raise InputError(f"the chain grid has {size:.3g} points, above the limit of {MAX_CHAIN_POINTS:.0e}; "
                         "split it into several sweeps")
    axes = {k: _axis_values(k, v) for k, v in grid.items()}
    outputs = data.get("outputs", {})
    if not isinstance(outputs, dict) or set(outputs) - {"compute"}:
        raise InputError("[outputs] allows one key: compute = [\"chain\"]")
    compute = outputs.get("compute", ["chain"])
    if compute not in ("chain", ["chain"]):
        raise InputError(f"outputs.compute = {quote(compute)}; a chain sweep computes [\"chain\"] only")
    run = data.get("run", {})
    if not isinstance(run, dict):
        raise InputError(f"[run] must be a table; got run = {quote(run)}")
    bad = sorted(set(run) - set(_RUN_KEYS))
    if bad:
        raise InputError(f"unknown key(s) run.{', run.'.join(bad)} of a chain sweep; allowed: {', '.join(_RUN_KEYS)}")
    seed = run.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InputError(f"run.seed must be an integer in [0, 2^63); got {quote(seed)}")
    chunk = run.get("chunk", 4)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or not 1 <= chunk <= MAX_CHAIN_POINTS:
        raise InputError(f"run.chunk must be an integer in [1, {MAX_CHAIN_POINTS}]; got {quote(chunk)}")
    solver = chain_exact_solver(run.get("solver", "auto"), "run.solver")
    cfg = ChainSweepConfig(axes=axes, ties={}, outputs=("chain",), seed=seed, chunk=chunk,
                           options={"kind": "chain", "chain": template, "solver": solver})
    for values in itertools.product(*axes.values()):
        point = dict(zip(axes, values, strict=True))
        try:
            check_size(chain_at(template, point), solver)
        except InputError as exc:
            raise InputError(f"grid point {quote(point)}: {exc}") from None
    return cfg


def chain_records(points: list[dict[str, Any]], seeds: list[int], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Output kind ``chain``: the exact steady state's per-site results at each point (module docstring)."""
    template = options.get("chain")
    if not isinstance(template, dict):
        raise InputError("output kind 'chain' needs a chain sweep config ([[site]] tables, [bonds] and [grid])")
    out = []
    for point in points:
        d = chain_exact_steady(chain_at(template, point), solver=options.get("solver", "auto")).to_dict()
        d.pop("seconds", None)
        d.pop("method", None)
        out.append(d)
    return out
