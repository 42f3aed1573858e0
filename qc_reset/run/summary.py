"""One simulated parameter point as a plain result dict: the JSON of ``qc-reset simulate``.

:func:`simulate_summary` picks the run from the inputs (ideal density matrix, noisy density matrix,
or shot-based tomography of qubit 1, optionally followed by the largest gate error that keeps the
magic verdict) and returns the dict the command prints with ``--json``: ``params``, ``dt``,
``order``, ``realization``, ``route``, ``steps``, ``bloch_exact``, ``bloch_circuit``,
``trace_distance``, the measures of the circuit state and, with shots, ``tomography`` (docs/cli.md).
The sweep's ``circuit`` output kind runs its points through the same function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._checks import order as check_order
from ..model import measures
from ..model.params import Params
from ..model.steady import steady_bloch
from ..stats.estimators import DEFAULT_LEVEL, DEFAULT_RESAMPLES
from .noise import parse_noise
from .simulator import DEFAULT_TOL, simulate
from .threshold import max_gate_error
from .tomography import fresh_seed, noisy_state, run_tomography

if TYPE_CHECKING:
    from qiskit.providers import BackendV2

    from .noise import NoiseSpec

__all__ = ["simulate_summary", "default_route", "NOISY_TOL", "NOISE_SCOPE"]

#: Default ``tol`` of ``steps="auto"`` for a noisy density-matrix run without shots.
NOISY_TOL = 1e-6
#: What the emulated device noise covers, reported with every noisy result: errors are attached to
#: gates and readout only (docs/emulation.md), so idle relaxation during resets and measurements is
#: missing and a device would do worse.
NOISE_SCOPE = ("gate and readout errors only: idle time, reset and measurement durations are not "
               "modelled, so a device would do worse")


def default_route(route: str | None, *, shots: int, noise: str | NoiseSpec, realization: str | None) -> str:
    """The route that runs: ``route`` if given, else ``power`` for ideal shots without a realization, else ``gates``."""
    if route is not None:
        return str(route)
    ideal = parse_noise(noise).kind == "none"
    return "power" if shots > 0 and ideal and realization is None else "gates"


def simulate_summary(
    params: Params,
    *,
    dt: float = 0.1,
    steps: int | str = "auto",
    order: int | str = 2,
    realization: str | None = None,
    route: str | None = None,
    tol: float | None = None,
    shots: int = 0,
    noise: str | NoiseSpec = "none",
    seed: int | None = None,
    level: float | None = None,
    n_resamples: int | None = None,
    mitigate: bool = False,
    gate_error_threshold: bool = False,
    backend: BackendV2 | None = None,
    optimization_level: int | None = None,
) -> dict[str, Any]:
    """Simulate one point and return the result dict of ``qc-reset simulate --json``.

    Args:
        params: the parameter point.
        dt, steps, order: Trotter step length, number of steps (or ``"auto"``: converge to ``tol``)
            and order (1 or 2).
        realization: gate realization (default ``kraus`` without noise, ``dilated`` otherwise).
        route: ``gates``, ``superop`` or ``power`` (default :func:`default_route`).
        tol: convergence tolerance of ``steps="auto"`` (default 1e-10 ideal, :data:`NOISY_TOL` noisy
            without shots, a tenth of the shot noise with shots).
        shots: shots per basis of the X, Y, Z tomography of qubit 1 (0: none).
        noise: ``"none"``, a parametric spec or ``"fake:<Backend>"``.
        seed: integer >= 0; with shots and no seed a fresh one is drawn and reported under ``seed``.
        level, n_resamples: confidence level and bootstrap resamples (defaults of :mod:`qc_reset.stats`).
        mitigate: readout-error mitigation of the counts (needs shots and noise).
        gate_error_threshold: add ``max_gate_error``, the largest depolarizing gate error at which the
            verdict stays magic.
        backend, optimization_level: a device instead of ``noise`` and the transpiler level
            (:func:`qc_reset.run.tomography.run_tomography`).
    """
    params = Params.require(params)
    spec = parse_noise(noise)
    order = check_order(order)
    level = DEFAULT_LEVEL if level is None else float(level)
    if shots > 0 and seed is None:
        seed = fresh_seed()  # one recorded seed for the tomography and the threshold search
    if shots == 0 and spec.kind == "none" and backend is None:
        res = simulate(params, dt, steps=steps, order=order, realization=realization or "kraus",
                       route=route or "gates", tol=DEFAULT_TOL if tol is None else tol)
        d = res.to_dict()
    elif shots == 0:
        d = _noisy_state(params, spec, dt=dt, order=order, steps=steps, tol=NOISY_TOL if tol is None else tol,
                         seed=seed or 0, backend=backend, optimization_level=optimization_level)
    else:
        d = run_tomography(params, shots=shots, seed=seed, noise=spec, dt=dt, order=order,
                           realization=realization or "dilated", steps=steps, level=level,
                           n_resamples=DEFAULT_RESAMPLES if n_resamples is None else n_resamples,
                           mitigate=mitigate, route=route if backend is not None else default_route(
                               route, shots=shots, noise=spec, realization=realization),
                           tol=tol, backend=backend, optimization_level=optimization_level).to_dict()
    if spec.kind != "none" or backend is not None:
        d["noise_scope"] = NOISE_SCOPE
    if gate_error_threshold:
        d["max_gate_error"] = max_gate_error(params, shots=shots, seed=seed, level=level, noise=spec, dt=dt,
                                             order=order, steps=steps, mitigate=mitigate).to_dict()
    return d


def _noisy_state(params: Params, spec: NoiseSpec, *, dt: float, order: int, steps: int | str, tol: float,
                 seed: int, backend: BackendV2 | None, optimization_level: int | None) -> dict[str, Any]:
    """The noisy dilated circuit's exact density matrix (no shots), compared with the exact steady state."""
    rho, n = noisy_state(params, spec, dt=dt, order=order, steps=steps, tol=tol, seed=seed, backend=backend,
                         optimization_level=optimization_level)
    rc, re = measures.bloch_vector(rho), steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    return {"params": params.to_dict(), "dt": dt, "order": int(order), "realization": "dilated",
            "route": "gates", "steps": n,
            "noise": str(spec) if backend is None else f"backend:{backend.name}", "bloch_exact": re.tolist(),
            "bloch_circuit": rc.tolist(), "trace_distance": float(measures.bloch_trace_distance(rc, re)),
            "l1_coherence": float(measures.l1_coherence(rc)), "l1_norm": float(measures.l1_norm(rc)),
            "magic": bool(measures.has_magic(rc)), "rho": {"re": rho.real.tolist(), "im": rho.imag.tolist()}}
