"""The sweep's output kinds: one record dict per grid point for each of exact, perturbative, circuit, tomography.

Each kind is a function ``(points, seeds, run options) -> list of dicts``; :func:`evaluate_chunk`
runs the requested kinds over a chunk of indexed points, in any process or on any Dask worker.
``exact`` and ``perturbative`` use the numpy model only; ``circuit`` and ``tomography`` load the
circuit stack and Aer on first use (:func:`resolve_kind`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..._checks import InputError, quote
from ...model import measures
from ...model import perturbative as pt
from ...model.params import Params
from ...model.steady import steady_bloch
from .chain_sweep import chain_records
from .config import MODEL_AXES, point_seed

__all__ = [
    "OUTPUT_KINDS",
    "KIND_NAMES",
    "Kind",
    "exact_records",
    "perturbative_records",
    "circuit_records",
    "tomography_records",
    "resolve_kind",
    "evaluate_chunk",
]

#: An output kind: (points, point seeds, run options) -> one record dict per point.
Kind = Callable[[list[dict[str, Any]], list[int], dict[str, Any]], list[dict[str, Any]]]


def _columns(points: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    return {k: np.array([p[k] for p in points], dtype=float) for k in MODEL_AXES}


def _params(d: dict[str, Any]) -> Params:
    return Params(g=d["g"], p1=d["p1"], p2=d["p2"], T1=d["T1"], T2=d["T2"])


def exact_records(points: list[dict[str, Any]], seeds: list[int], opts: dict[str, Any]) -> list[dict[str, Any]]:
    """Output kind ``exact``: ``bloch``, ``l1_coherence``, ``l1_norm`` and ``magic`` of the exact steady state."""
    cols = _columns(points)
    r = steady_bloch(cols["g"], cols["p1"], cols["p2"], cols["T1"], cols["T2"])
    l1 = measures.l1_norm(r)
    coh = measures.l1_coherence(r)
    return [
        {"bloch": r[i].tolist(), "l1_coherence": float(coh[i]), "l1_norm": float(l1[i]), "magic": bool(l1[i] > 1)}
        for i in range(len(points))
    ]


def perturbative_records(points: list[dict[str, Any]], seeds: list[int], opts: dict[str, Any]) -> list[dict[str, Any]]:
    """Output kind ``perturbative``: Eq. 7's coherence, Eq. 9's facets, their maximum, ||r||_1 and ``magic``."""
    cols = _columns(points)
    coh = pt.l1_coherence_eq7(cols["g"], cols["p1"], cols["p2"], cols["T1"], cols["T2"])
    fac = np.asarray(pt.facets_eq9(cols["g"], cols["p1"], cols["p2"], cols["T1"], cols["T2"]))
    # The octahedron's eight facets are these four and their negatives: ||r||_1 = max |facet|.
    l1 = np.max(np.abs(fac), axis=-1)
    return [
        {"l1_coherence": float(coh[i]), "facets": fac[i].tolist(), "max_facet": float(np.max(fac[i])),
         "l1_norm": float(l1[i]), "magic": bool(l1[i] > 1)}
        for i in range(len(points))
    ]


def _device(options: dict[str, Any]) -> Any:
    """The device of the circuit kinds: a ``BackendV2`` given to the runner, or ``run.backend = "fake:NAME"``."""
    if options.get("device") is not None:
        return options["device"]
    name = options.get("backend")
    if not name:
        return None
    from ...run.backends import fake_backend  # lazy: the fake provider (hardware extra), only for run.backend

    return fake_backend(str(name)[len("fake:"):])


def circuit_records(points: list[dict[str, Any]], seeds: list[int], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Output kind ``circuit``: the converged circuit state of qubit 1 (no shots), one dict per point.

    Ideal points use the exact step channel (route ``"power"``, ``tol`` 1e-10); noisy points the noisy
    dilated circuit's density matrix (``tol`` 1e-6, transpiler seeded by the point's seed), both
    through :func:`qc_reset.run.summary.simulate_summary`.
    """
    from ...run.summary import simulate_summary  # lazy: Qiskit and Aer load only for this kind

    if options.get("sampler") is not None:
        raise InputError("output kind 'circuit' needs exact density matrices, which only Aer's density-matrix "
                         "method gives, not a sampler: use backend= (emulated on AerSimulator.from_backend(..., "
                         "method='density_matrix')) or the 'tomography' kind with sampler=")
    order = options.get("order", 2)
    device = _device(options)
    out = []
    for d, s in zip(points, seeds, strict=True):
        P = _params(d)
        run = simulate_summary(P, dt=d["dt"], order=order, route="power", noise=d.get("noise", "none"), seed=s,
                               backend=device)
        rc = np.asarray(run["bloch_circuit"])
        out.append({"bloch_exact": run["bloch_exact"], "bloch_circuit": rc.tolist(),
                    "trace_distance": float(run["trace_distance"]), "steps": run["steps"],
                    "noise": run.get("noise", "none"),
                    "l1_coherence": float(measures.l1_coherence(rc)), "l1_norm": float(measures.l1_norm(rc))})
    return out


def tomography_records(
    points: list[dict[str, Any]], seeds: list[int], options: dict[str, Any]
) -> list[dict[str, Any]]:
    """Output kind ``tomography``: one tomography run per point (``shots`` >= 1 required).

    Returns the ``tomography`` dict of docs/cli.md plus ``verdict``, ``steps``, ``bloch_circuit``,
    ``counts`` and ``noise``; deterministic given the point seeds.
    """
    from ...run.summary import simulate_summary  # lazy: Qiskit and Aer load only for this kind
    from ...run.tomography import run_tomography
    from ...stats.estimators import DEFAULT_LEVEL, DEFAULT_RESAMPLES

    device, sampler = _device(options), options.get("sampler")
    out = []
    for d, s in zip(points, seeds, strict=True):
        if int(d.get("shots", 0)) < 1:
            raise InputError("output kind 'tomography' needs grid.shots >= 1 (shots per basis)")
        ideal = d.get("noise", "none") == "none" and device is None and sampler is None
        if sampler is not None:  # the summary has no sampler input: the run itself, with the same record
            full = run_tomography(
                _params(d), shots=int(d["shots"]), seed=int(s), noise=d.get("noise", "none"), dt=d["dt"],
                order=options.get("order", 2), realization=options.get("realization", "dilated"), route="gates",
                level=options.get("level") or DEFAULT_LEVEL, sampler=sampler, backend=device,
                n_resamples=options.get("n_resamples") or DEFAULT_RESAMPLES).to_dict()
        else:
            full = simulate_summary(
                _params(d), shots=int(d["shots"]), seed=int(s), noise=d.get("noise", "none"), dt=d["dt"],
                order=options.get("order", 2), realization=options.get("realization", "dilated"),
                route="power" if ideal else None, level=options.get("level"),
                n_resamples=options.get("n_resamples"), backend=device,
            )
        out.append({**full["tomography"], "verdict": full["tomography"]["magic_witness"]["verdict"],
                    "steps": full["steps"], "bloch_circuit": full["bloch_circuit"], "counts": full["counts"],
                    "noise": full["noise"]})
    return out


#: Output kinds computed from the model alone: name -> :data:`Kind`.
OUTPUT_KINDS: dict[str, Kind] = {
    "exact": exact_records,
    "perturbative": perturbative_records,
}
_CIRCUIT_KINDS: dict[str, Kind] = {"circuit": circuit_records, "tomography": tomography_records}
#: The kind of chain sweeps (:mod:`.chain_sweep`); not in KIND_NAMES, since a [grid] config has no chain.
_CHAIN_KINDS: dict[str, Kind] = {"chain": chain_records}
#: Every output kind a config may name (the last two load Aer lazily).
KIND_NAMES: tuple[str, ...] = (*OUTPUT_KINDS, *_CIRCUIT_KINDS)


def resolve_kind(kind: str) -> Kind:
    """The function of output kind ``kind``; :class:`InputError` naming the allowed kinds otherwise."""
    if kind in OUTPUT_KINDS:
        return OUTPUT_KINDS[kind]
    if kind in _CIRCUIT_KINDS:
        return _CIRCUIT_KINDS[kind]
    if kind in _CHAIN_KINDS:
        return _CHAIN_KINDS[kind]
    raise InputError(f"output kind {quote(kind)} is not available; allowed: {', '.join(KIND_NAMES)}")


def evaluate_chunk(
    indexed_points: list[tuple[int, dict[str, Any]]], outputs: Sequence[str], seed: int, options: dict[str, Any],
    devices: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Compute the requested outputs for a chunk of (index, point); one record per point.

    Pure function of its arguments (each point's stream comes from
    :func:`qc_reset.workflows.sweep.config.point_seed`), so it can run in any process or on any Dask worker.
    ``devices`` holds the Python objects of :func:`~qc_reset.workflows.sweep.runner.run_sweep`'s ``sampler=``
    (key ``"sampler"``) and ``backend=`` (key ``"device"``), passed to the circuit kinds with the options.
    """
    options = {**options, **(devices or {})}
    idx = [i for i, _ in indexed_points]
    pts = [p for _, p in indexed_points]
    seeds = [point_seed(seed, i) for i in idx]
    records = [{"index": i, "seed": s, **p} for i, s, p in zip(idx, seeds, pts, strict=True)]
    for kind in outputs:
        fn = resolve_kind(kind)
        for rec, out in zip(records, fn(pts, seeds, options), strict=True):
            rec[kind] = out
    return records
