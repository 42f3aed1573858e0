"""One simulated parameter point as a plain result dict: the JSON of ``qc-reset simulate``.

:func:`simulate_summary` picks the run from the inputs (ideal density matrix, noisy density matrix,
or shot-based tomography of qubit 1, optionally followed by the largest gate error that keeps the
magic verdict) and returns the dict the command prints with ``--json``: ``params``, ``dt``,
``order``, ``realization``, ``route``, ``steps``, ``bloch_exact``, ``bloch_circuit``,
``trace_distance``, the measures of the circuit state and, with shots, ``tomography`` (docs/cli.md).
Noisy results also say what the noise covers (``noise_scope``); device results (``fake:`` specs and
``backend=``) say whether idle time was noisy (``idle_noise``, :mod:`qc_reset.run.device_noise`) and give
the ``budget`` of the device circuit (:func:`qc_reset.run.budget.circuit_budget`, one collision per step).
The sweep's ``circuit`` output kind runs its points through the same function.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from .._checks import InputError, quote
from .._checks import order as check_order
from ..circuits.collision import trotter_circuit
from ..circuits.measurement import MEASURED_QUBIT, final_layout, noisy_tomography_circuits
from ..model import measures
from ..model.params import Params
from ..model.steady import steady_bloch
from ..stats.estimators import DEFAULT_LEVEL, DEFAULT_RESAMPLES
from .backends import DEVICE_OPTIMIZATION_LEVEL, fake_backend
from .budget import CircuitBudget, circuit_budget
from .device_noise import DEVICE_NOISE_SCOPE, GATE_NOISE_SCOPE, DevicePassManager, device_pass_manager, has_timing
from .noise import parse_noise
from .seeds import seed_streams, stream_seed
from .simulator import DEFAULT_TOL, simulate
from .threshold import max_gate_error
from .tomography import fresh_seed, noisy_state, run_tomography

if TYPE_CHECKING:
    from qiskit.providers import BackendV2

    from .noise import NoiseSpec

__all__ = ["simulate_summary", "default_route", "NOISY_TOL", "NOISE_SCOPE", "DEVICE_NOISE_SCOPE"]

#: Default ``tol`` of ``steps="auto"`` for a noisy density-matrix run without shots.
NOISY_TOL = 1e-6
#: What gate-attached noise covers, reported with parametric noise and with device noise without idle
#: noise (``idle_noise=False``): idle relaxation during resets and measurements is missing and a device
#: would do worse. Device noise with idle noise reports :data:`DEVICE_NOISE_SCOPE` (docs/emulation.md).
NOISE_SCOPE = GATE_NOISE_SCOPE


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
    idle_noise: bool | None = None,
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
            (:func:`qc_reset.run.tomography.run_tomography`; default 3 on a device, ``fake:`` specs included).
        idle_noise: on a device (``fake:`` spec or ``backend``), schedule ALAP with delays and let idle,
            resetting and measured qubits relax (:mod:`qc_reset.run.device_noise`); default True (for a
            ``fake:`` spec its ``idle=`` option; for a backend without durations or T1 in its target, False).
            ``False`` keeps gate- and readout-only noise, for comparison.
    """
    params = Params.require(params)
    spec = parse_noise(noise)
    order = check_order(order)
    if idle_noise is not None and not isinstance(idle_noise, bool):
        raise InputError(f"idle_noise must be a bool or None; got {quote(idle_noise)}")
    if idle_noise is not None and spec.kind != "fake" and backend is None:
        raise InputError("idle_noise applies to device noise: it needs a 'fake:<Backend>' noise spec or backend=")
    if spec.kind == "fake":
        on = (True if spec.idle is None else spec.idle) if idle_noise is None else idle_noise
        spec = dataclasses.replace(spec, idle=on)
        if optimization_level is None:
            optimization_level = DEVICE_OPTIMIZATION_LEVEL
    level = DEFAULT_LEVEL if level is None else float(level)
    if shots > 0 and seed is None:
        seed = fresh_seed()  # one recorded seed for the tomography and the threshold search
    # the transpiler seed of the runs: noisy_state's seed, or run_tomography's transpiler stream
    tr_seed = (seed or 0) if shots == 0 else stream_seed(seed_streams(seed, 4)[1])
    pm: DevicePassManager | None = None
    if backend is not None:
        target = getattr(backend, "target", None)
        timed = target is not None and has_timing(target)
        if idle_noise or (idle_noise is None and timed):
            pm = device_pass_manager(backend, optimization_level=optimization_level, seed=tr_seed, idle_noise=True)
    if shots == 0 and spec.kind == "none" and backend is None:
        res = simulate(params, dt, steps=steps, order=order, realization=realization or "kraus",
                       route=route or "gates", tol=DEFAULT_TOL if tol is None else tol)
        d = res.to_dict()
    elif shots == 0:
        d = _noisy_state(params, spec, dt=dt, order=order, steps=steps, tol=NOISY_TOL if tol is None else tol,
                         seed=seed or 0, backend=backend, optimization_level=None if pm else optimization_level,
                         pass_manager=pm)
    else:
        d = run_tomography(params, shots=shots, seed=seed, noise=spec, dt=dt, order=order,
                           realization=realization or "dilated", steps=steps, level=level,
                           n_resamples=DEFAULT_RESAMPLES if n_resamples is None else n_resamples,
                           mitigate=mitigate, route=route if backend is not None else default_route(
                               route, shots=shots, noise=spec, realization=realization),
                           tol=tol, backend=backend, optimization_level=None if pm else optimization_level,
                           pass_manager=pm).to_dict()
    if spec.kind != "none" or backend is not None:
        idle = bool(spec.idle) if spec.kind == "fake" else pm is not None
        d["noise_scope"] = DEVICE_NOISE_SCOPE if idle and (spec.kind == "fake" or backend is not None) else NOISE_SCOPE
    if spec.kind == "fake" or backend is not None:
        d["idle_noise"] = bool(idle)
        device = backend if backend is not None else fake_backend(str(spec.backend))
        if getattr(device, "target", None) is not None:
            d["budget"] = device_budget(
                params, device, dt=dt, order=order, steps=int(d["steps"]), shots=shots, seed=seed,
                pm=pm if pm is not None else device_pass_manager(
                    device, optimization_level=optimization_level, idle_noise=False, seed=tr_seed,
                    initial_layout=spec.layout)).to_dict()
    if gate_error_threshold:
        d["max_gate_error"] = max_gate_error(params, shots=shots, seed=seed, level=level, noise=spec, dt=dt,
                                             order=order, steps=steps, mitigate=mitigate).to_dict()
    return d


def device_budget(params: Params, device: BackendV2, *, dt: float, order: int, steps: int, shots: int,
                  seed: int | None, pm: DevicePassManager) -> CircuitBudget:
    """The budget of the device circuit a noisy summary runs: ``steps`` dilated steps, transpiled as the run does.

    ``pm`` (:func:`qc_reset.run.device_noise.device_pass_manager`, the run's options and transpiler seed) gives
    the circuit without scheduling; the budget is read on ``device.target`` (counts only if it has no durations,
    :func:`qc_reset.run.device_noise.has_timing`) with one collision per step. With
    shots it is the costliest of the three tomography circuits (lowest estimated success).
    """
    qc = trotter_circuit(params, dt, steps, order=order, realization="dilated", save=False)
    tq = pm.transpile_only(qc)
    target = device.target if has_timing(device.target) else None  # e.g. AerSimulator(): counts only
    if shots == 0:
        return circuit_budget(tq, target, collisions=steps)
    tcs = noisy_tomography_circuits(tq, final_layout(tq)[MEASURED_QUBIT], {"steps": steps})
    budgets = [circuit_budget(t, target, collisions=steps) for t in tcs]
    return min(budgets, key=lambda b: b.estimated_success if b.estimated_success is not None else 1.0)


def _noisy_state(params: Params, spec: NoiseSpec, *, dt: float, order: int, steps: int | str, tol: float,
                 seed: int, backend: BackendV2 | None, optimization_level: int | None,
                 pass_manager: DevicePassManager | None) -> dict[str, Any]:
    """The noisy dilated circuit's exact density matrix (no shots), compared with the exact steady state."""
    rho, n = noisy_state(params, spec, dt=dt, order=order, steps=steps, tol=tol, seed=seed, backend=backend,
                         optimization_level=optimization_level, pass_manager=pass_manager)
    rc, re = measures.bloch_vector(rho), steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    return {"params": params.to_dict(), "dt": dt, "order": int(order), "realization": "dilated",
            "route": "gates", "steps": n,
            "noise": str(spec) if backend is None else f"backend:{backend.name}", "bloch_exact": re.tolist(),
            "bloch_circuit": rc.tolist(), "trace_distance": float(measures.bloch_trace_distance(rc, re)),
            "l1_coherence": float(measures.l1_coherence(rc)), "l1_norm": float(measures.l1_norm(rc)),
            "magic": bool(measures.has_magic(rc)), "rho": {"re": rho.real.tolist(), "im": rho.imag.tolist()}}
