r"""Shot-based tomography of qubit 1 on Aer: ideal and noisy runs, their record, exact noisy states.

The basis measurements are built by :mod:`qc_reset.circuits.measurement`; this module runs them with
shots and a seed on ``AerSimulator(method="density_matrix")`` and analyses the counts with
:mod:`qc_reset.stats`. **Ideal** runs (``noise="none"``) take by default the ``"power"`` route: Aer's
``set_density_matrix`` (:math:`\tau_1\otimes\tau_2`), one ``superop`` :math:`S^N` (equal to the
gate-level circuit's channel to ~1e-14, at a cost independent of :math:`N`), rotation and measurement;
``route="gates"`` runs the gate-level circuit. **Noisy** runs (any other spec of :mod:`qc_reset.run.noise`)
transpile the dilated circuit *once* to the spec's basis and device layout, then append the native
rotations and measurement on the final physical qubit of paper qubit 1, so the three bases and the saved
density matrix share one layout; optional readout mitigation calibrates that same qubit.

``steps="auto"`` converges the *ideal* step channel to a trace distance ``tol`` of its fixed point; by
default :func:`convergence_tol`, a tenth of the shot noise :math:`1/\sqrt{N_{shots}}`. Seeds: an integer
``seed`` is expanded with ``numpy.random.SeedSequence`` into independent streams for Aer's sampler, the
transpiler, the readout calibration and the bootstrap, so a run is a deterministic function of its
arguments; ``seed=None`` draws one integer seed from fresh OS entropy and records it (``TomographyRun.seed``).

Inputs of the ecosystem: ``noise=`` is a spec or a ``qiskit_aer.noise.NoiseModel`` (the circuit is transpiled
to its basis gates); ``backend=`` any ``BackendV2`` (a device runs on ``AerSimulator.from_backend``, transpiled
to its target at ``optimization_level``, default 3, with ``initial_layout`` or a user ``pass_manager``);
``sampler=`` any ``BaseSamplerV2``, which receives the three basis circuits as PUBs (transpiled to its backend,
if it has one), while the exact state still comes from Aer. Every device is checked (:mod:`qc_reset.run.backends`)
before a job is submitted. The exact states and devices are in :mod:`qc_reset.run.tomography_states`; many points in
:mod:`qc_reset.run.tomography_batch`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, int_seed, quote
from .._checks import order as check_order
from .._checks import seed as check_seed
from .._checks import steps as check_steps
from ..circuits.measurement import (
    MEASURED_QUBIT,
    NATIVE_MEASUREMENT,
    noisy_tomography_circuits,
    resolve_steps,
    tomography_circuits,
    with_saved_state,
)
from ..circuits.parameters import validate_dt, validate_realization
from ..model import measures
from ..model import steady as exact
from ..model.operators import FloatArray
from ..model.params import Params
from ..stats.estimators import DEFAULT_LEVEL, DEFAULT_RESAMPLES, Estimator, SeedLike
from ..stats.mitigation import mitigate_estimate
from ..stats.records import TomographyResult
from ..stats.tomography import analyze, analyze_estimate
from ..stats.verdict import WitnessMethod
from . import backends
from . import noise as noise_mod
from .calibration import calibrate_readout
from .seeds import fresh_seed, seed_streams, stream_seed
from .tomography_states import aer_counts, convergence_tol, ideal_backend, ideal_state, resolve_device, transpiled_state

if TYPE_CHECKING:
    from qiskit.providers import BackendV2
    from qiskit_aer.noise import NoiseModel

__all__ = ["TomographyRun", "run_tomography"]


@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare to_dict() instead
class TomographyRun:
    """One tomography run of qubit 1: counts, estimates and the states they estimate.

    ``counts`` (3, 2) are the raw counts (bases X, Y, Z; outcomes 0, 1); with mitigation, ``result`` is
    the analysis of the mitigated estimate and its full covariance (:func:`qc_reset.stats.mitigation.mitigate_estimate`,
    :func:`qc_reset.stats.tomography.analyze_estimate`), ``assignment`` the calibrated matrix of physical qubit
    ``measured_qubit`` from ``cal_shots`` shots per prepared state.
    ``bloch_exact`` is qubit 1 in the exact steady state; ``bloch_circuit`` the state the tomography
    measures without shot noise and readout error (ideal: :math:`S^N\\rho_0`; noisy: Aer's density
    matrix of the noisy circuit).
    """

    params: Params
    dt: float
    order: int
    realization: str
    route: str
    steps: int
    shots: int
    seed: int | None
    noise: str
    counts: npt.NDArray[np.int64]
    result: TomographyResult
    bloch_exact: FloatArray
    bloch_circuit: FloatArray
    assignment: FloatArray | None = None
    measured_qubit: int = MEASURED_QUBIT
    cal_shots: int | None = None

    def __post_init__(self) -> None:
        if np.shape(self.counts) != (3, 2):
            raise InputError(f"counts must have shape (3, 2); got {np.shape(self.counts)}")
        for name in ("bloch_exact", "bloch_circuit"):
            if np.shape(getattr(self, name)) != (3,):
                raise InputError(f"{name} must have shape (3,)")

    @property
    def trace_distance(self) -> float:
        """Trace distance of qubit 1, circuit state vs exact steady state (= half the Bloch distance)."""
        return float(measures.bloch_trace_distance(self.bloch_circuit, self.bloch_exact))

    @property
    def verdict(self) -> str:
        """The magic verdict: "magic", "stabilizer" or "inconclusive"."""
        return self.result.magic_witness.verdict

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the public keys of docs/cli.md (``tomography`` etc.) plus diagnostics."""
        rc = np.asarray(self.bloch_circuit)
        return {
            "params": self.params.to_dict(), "dt": self.dt, "order": self.order,
            "realization": self.realization, "route": self.route, "steps": self.steps,
            "shots": self.shots, "seed": self.seed, "noise": self.noise,
            "bloch_exact": np.asarray(self.bloch_exact).tolist(), "bloch_circuit": rc.tolist(),
            "trace_distance": self.trace_distance,
            "circuit_measures": {"l1_coherence": float(measures.l1_coherence(rc)),
                                 "l1_norm": float(measures.l1_norm(rc)), "magic": bool(measures.has_magic(rc))},
            "counts": np.asarray(self.counts).tolist(),
            "measured_qubit": self.measured_qubit,
            "mitigation": None if self.assignment is None else {
                "assignment": np.asarray(self.assignment).tolist(), "cal_shots": self.cal_shots,
                "qubit": self.measured_qubit},
            "tomography": self.result.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TomographyRun:
        """The record of :meth:`to_dict` (derived keys such as ``trace_distance`` are recomputed, not read)."""
        if not isinstance(d, dict):
            raise InputError(f"a TomographyRun record must be a dict; got {quote(d)}")
        keys = ("params", "dt", "order", "realization", "route", "steps", "shots", "seed", "noise",
                "bloch_exact", "bloch_circuit", "counts", "measured_qubit", "mitigation", "tomography")
        if missing := [k for k in keys if k not in d]:
            raise InputError(f"a TomographyRun record needs the keys {', '.join(missing)}")
        mit = d["mitigation"]
        if mit is not None and (not isinstance(mit, dict) or not {"assignment", "cal_shots"} <= set(mit)):
            raise InputError("mitigation must be null or a dict with keys 'assignment' and 'cal_shots'")
        steps = check_steps(d["steps"], allow_auto=False)
        assert isinstance(steps, int)
        return cls(
            params=Params.from_dict(d["params"]), dt=float(d["dt"]), order=check_order(d["order"]),
            realization=validate_realization(d["realization"]), route=str(d["route"]), steps=steps,
            shots=check_shots(d["shots"]), seed=None if d["seed"] is None else int_seed(d["seed"]),
            noise=str(d["noise"]), counts=np.asarray(d["counts"], dtype=np.int64),
            result=TomographyResult.from_dict(d["tomography"]),
            bloch_exact=np.asarray(d["bloch_exact"], dtype=float),
            bloch_circuit=np.asarray(d["bloch_circuit"], dtype=float),
            assignment=None if mit is None else np.asarray(mit["assignment"], dtype=float),
            measured_qubit=int(d["measured_qubit"]), cal_shots=None if mit is None else check_shots(mit["cal_shots"]),
        )


def run_tomography(
    params: Params,
    *,
    shots: int,
    seed: SeedLike,
    noise: str | noise_mod.NoiseSpec | NoiseModel = "none",
    dt: float = 0.1,
    order: int = 2,
    realization: str = "dilated",
    steps: int | str = "auto",
    level: float = DEFAULT_LEVEL,
    n_resamples: int = DEFAULT_RESAMPLES,
    mitigate: bool = False,
    route: str | None = None,
    tol: float | None = None,
    cal_shots: int | None = None,
    estimator: Estimator = "linear_inversion",
    witness_method: WitnessMethod = "union",
    backend: BackendV2 | None = None,
    sampler: Any = None,
    optimization_level: int | None = None,
    initial_layout: Sequence[int] | None = None,
    pass_manager: Any = None,
) -> TomographyRun:
    """Tomography of qubit 1 at one point: 3 basis circuits with ``shots`` each, one Aer run (or sampler job).

    Args:
        params: the parameter point.
        shots: shots per basis (>= 1).
        seed: integer >= 0 (deterministic), numpy Generator, or None (a fresh integer seed is drawn and
            recorded in the result).
        noise: ``"none"``, a parametric spec or ``"fake:<Backend>"`` (:func:`qc_reset.run.noise.parse_noise`),
            or a ``qiskit_aer.noise.NoiseModel`` (transpiled to its basis gates; recorded as ``"noise_model"``).
        backend: any ``BackendV2`` instead of ``noise``: a device runs on ``AerSimulator.from_backend`` (its noise
            and target; recorded as ``"backend:<name>"``); an ``AerSimulator`` must use the density-matrix method.
        sampler: any ``BaseSamplerV2``; the three basis circuits are its PUBs (transpiled to its backend when it
            has one, e.g. ``qiskit_ibm_runtime.SamplerV2(mode=device)``); its own seed applies. The ideal default
            route ``"power"`` needs an Aer sampler; ``route="gates"`` runs on any. The exact state
            (``bloch_circuit``) and the readout calibration of ``mitigate`` still come from Aer / the sampler.
        optimization_level, initial_layout, pass_manager: transpilation for ``backend`` (level default 3) or
            ``noise`` (level only; default 1).
        dt, order, steps: Trotter step, order (1, 2) and steps (``"auto"``: to ``tol``).
        realization: ``"dilated"`` (required with noise) or ``"kraus"`` (ideal ``route="gates"`` only).
        level, n_resamples, estimator, witness_method: passed to :func:`qc_reset.stats.tomography.analyze`
            (:func:`qc_reset.stats.tomography.analyze_estimate` with mitigation; ``estimator`` must then be
            ``"linear_inversion"``).
        mitigate: readout mitigation with a calibration of ``cal_shots`` (default ``shots``) per state on
            the measured physical qubit; the estimate's covariance includes the calibration noise shared
            by the three bases.
        route: ``"power"`` (default without noise) or ``"gates"`` (forced with noise).
        tol: convergence tolerance for ``steps="auto"``; default :func:`convergence_tol` of ``shots``.

    Example:
        >>> run = run_tomography(Params(0.06, 0.3, 0.3, 0.1, 0.0), shots=20000, seed=1, n_resamples=200)
        >>> run.verdict, run.counts.shape
        ('magic', (3, 2))
    """
    params = Params.require(params)
    shots = check_shots(shots)
    if sampler is not None and backend is None:
        backend = backends.sampler_backend(sampler)
    dev = resolve_device(noise, backend, optimization_level, initial_layout, pass_manager)
    if not isinstance(mitigate, bool | np.bool_):
        raise InputError(f"mitigate must be a bool; got {mitigate!r}")
    m = check_shots(cal_shots if cal_shots is not None else shots, "cal_shots") if mitigate else None
    if mitigate and estimator != "linear_inversion":
        raise InputError(f"estimator must be 'linear_inversion' with mitigate=True (the mitigated estimate is the "
                         f"inverted assignment, not a likelihood fit); got {estimator!r}")
    seed = check_seed(seed)
    if seed is None:
        seed = fresh_seed()
    ideal = dev is None
    if sampler is not None and ideal and not isinstance(noise, str | noise_mod.NoiseSpec):
        raise InputError("with sampler= the noise is the sampler's: noise must be 'none'")
    label = "none" if dev is None else dev.label
    route = route if route is not None else ("power" if ideal else "gates")
    if not ideal and (route != "gates" or realization != "dilated"):
        raise InputError("noisy runs use the gate-level dilated circuit: route must be 'gates' and realization "
                         f"'dilated' with noise {label!r}; got route={route!r}, realization={realization!r}")
    order = check_order(order)
    tol = convergence_tol(shots) if tol is None else tol
    n = resolve_steps(params, dt, order, steps, tol)
    s_aer, s_tr, s_cal, s_boot = seed_streams(seed, 4)

    if dev is None:
        circs = tomography_circuits(params, dt, steps=n, order=order, realization=realization, route=route)
        if sampler is not None:
            counts = backends.sampler_counts(sampler, circs, shots)
        else:
            result = ideal_backend().run(circs, shots=shots, seed_simulator=stream_seed(s_aer)).result()
        rho = ideal_state(params, dt, order, n)
        qubit = MEASURED_QUBIT
    else:
        validate_dt(dt)
        tstate, qubit = transpiled_state(params, dev, dt, order, n, stream_seed(s_tr), extra=NATIVE_MEASUREMENT)
        meta = {"route": route, "realization": realization, "order": order, "dt": float(dt), "steps": n,
                "params": params.to_dict()}
        tcs = noisy_tomography_circuits(tstate, qubit, meta)
        saved = with_saved_state(tstate.copy())
        if sampler is not None:
            counts = backends.sampler_counts(sampler, tcs, shots)
            result = dev.sim.run(saved).result()
            rho = np.asarray(result.data(0)["rho"], dtype=complex)
        else:
            result = dev.sim.run([*tcs, saved], shots=shots, seed_simulator=stream_seed(s_aer)).result()
            rho = np.asarray(result.data(3)["rho"], dtype=complex)
    if sampler is None:
        if not result.success:
            raise RuntimeError(f"Aer run failed: {result.status}")
        counts = np.array([aer_counts(result, i) for i in range(3)], dtype=np.int64)

    A = None
    boot = np.random.default_rng(s_boot)
    if m is not None:
        A = calibrate_readout(label if dev is None else dev.spec, qubit, shots=m, seed=stream_seed(s_cal),
                              device=None if dev is None else dev.device,
                              simulator=None if dev is None else dev.sim, sampler=sampler)
        bloch, cov = mitigate_estimate(counts, A, m)
        analysis = analyze_estimate(bloch, cov, level=level, n_resamples=n_resamples, seed=boot,
                                               witness_method=witness_method)
    else:
        analysis = analyze(counts, level=level, n_resamples=n_resamples, seed=boot,
                                      estimator=estimator, witness_method=witness_method)
    r_exact = exact.steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    return TomographyRun(
        params=params, dt=float(dt), order=order, realization=realization, route=route, steps=n, shots=shots,
        seed=seed if isinstance(seed, int) else None, noise=label, counts=counts, result=analysis,
        bloch_exact=np.asarray(r_exact, dtype=float), bloch_circuit=measures.bloch_vector(rho),
        assignment=A, measured_qubit=int(qubit), cal_shots=m,
    )
