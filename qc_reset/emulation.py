r"""Shot-based tomography of qubit 1 on Aer: tomography circuits, ideal and noisy runs, sweep records.

Builds the X, Y and Z basis measurements of the heat-bath qubit (paper qubit 1 = Qiskit qubit 1)
appended to the collision circuits of :mod:`qc_reset.circuits`, runs them with shots and a seed on
``AerSimulator(method="density_matrix")`` and analyses the counts with :mod:`qc_reset.tomography`.
The basis rotations are ``h`` (X) and ``sdg; h`` (Y), so outcome 0 is always the +1 eigenstate, as the
counts arrays (3, 2) of :mod:`qc_reset.tomography` expect.

Two paths:

* **Ideal** (``noise="none"``): by default the ``"power"`` route, i.e. Aer's ``set_density_matrix``
  (:math:`\tau_1\otimes\tau_2`) followed by one ``superop`` instruction :math:`S^N` (the exact channel of
  :math:`N` Trotter steps, equal to the gate-level circuit's to ~1e-14), then rotation and measurement.
  Its cost does not grow with :math:`N`. ``route="gates"`` runs the gate-level circuit instead.
* **Noisy** (any other spec of :mod:`qc_reset.noise`): the hardware-native dilated circuit is transpiled
  *once* to the spec's basis (and device layout for ``fake:<Backend>``); the three basis rotations (native
  ``rz``/``sx``) and the measurement are appended on the final physical qubit of paper qubit 1, so all
  three bases and the saved density matrix share one layout. Optional readout mitigation calibrates that
  same physical qubit's assignment matrix and analyses the mitigated estimate with its full covariance
  (:func:`qc_reset.noise.mitigate_estimate`, :func:`qc_reset.tomography.analyze_estimate`).

``steps="auto"`` converges the *ideal* step channel to a trace distance ``tol`` of its fixed point; by
default :func:`convergence_tol`, a tenth of the shot noise :math:`1/\sqrt{N_{shots}}`, so the residual
transient is negligible against the error bars. (Gate noise only adds contraction, so the noisy chain is
at least as close to its own fixed point in practice.)

Seeds: an integer ``seed`` is expanded with ``numpy.random.SeedSequence`` into independent streams for
Aer's sampler, the transpiler, the readout calibration and the bootstrap; a run is a deterministic
function of its arguments. ``seed=None`` draws one integer seed from fresh OS entropy and records it
(``TomographyRun.seed``), so every run can be repeated.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from . import circuits, exact, measures, simulate, tomography
from . import noise as noise_mod
from ._checks import InputError, integer, quote
from ._checks import seed as check_seed
from .model import ComplexArray, FloatArray, Params

__all__ = [
    "BASES",
    "MEASURED_QUBIT",
    "convergence_tol",
    "resolve_steps",
    "tomography_circuits",
    "TomographyRun",
    "run_tomography",
    "tomography_points",
    "noisy_state",
    "degradation_table",
    "circuit_records",
    "tomography_records",
    "qiskit_experiments_tomography",
    "fresh_seed",
]

BASES: tuple[str, ...] = tomography.BASES
#: Qiskit index of the measured qubit (paper qubit 1, the heat-bath qubit).
MEASURED_QUBIT: int = circuits.PAPER_TO_QISKIT[1]
_ROUTES = ("gates", "power")
SeedLike = int | np.random.Generator | None


# ------------------------------------------------------------------------------------------- helpers
def convergence_tol(shots: int) -> float:
    r"""Default ``tol`` for ``steps="auto"``: :math:`0.1/\sqrt{N_{shots}}` in [1e-10, 1e-3]; 1e-6 for no shots."""
    if shots <= 0:
        return 1e-6
    return float(np.clip(0.1 / np.sqrt(shots), 1e-10, 1e-3))


def resolve_steps(params: Params, dt: float, order: int, steps: int | str, tol: float) -> int:
    """``steps`` as an int: ``"auto"`` is :func:`qc_reset.simulate.auto_steps` of the ideal step channel."""
    params = Params.require(params)
    n = circuits.validate_steps(steps)
    if n != "auto":
        return int(n)
    S = circuits.trotter_step_superop(params, dt, order)
    return simulate.auto_steps(S, np.kron(params.tau1(), params.tau2()), tol)


def _seeds(seed: SeedLike, n: int) -> list[np.random.SeedSequence]:
    seed = check_seed(seed)
    if isinstance(seed, np.random.Generator):
        return [np.random.SeedSequence(int(seed.integers(2**63))) for _ in range(n)]
    return np.random.SeedSequence(seed).spawn(n)


def _int_seed_arg(seed: Any) -> int:
    """An integer seed (the transpiler's, or one to record): :func:`qc_reset._checks.integer` naming ``seed``."""
    return integer("seed", seed, lo=0, hi=2**63 - 1)


def fresh_seed() -> int:
    """One integer seed in [0, 2**63) from fresh OS entropy (recorded wherever ``seed=None`` was given)."""
    return int(np.random.default_rng().integers(2**63))


def _int_seed(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def _check_shots(shots: Any, *, allow_zero: bool = False, name: str = "shots") -> int:
    """Shots of one circuit, bounded by Aer's per-shot memory (:func:`qc_reset.noise.check_shots`)."""
    return noise_mod.check_shots(shots, name, allow_zero=allow_zero)


def _append_native_measurement(qc: Any, basis: str, qubit: int) -> None:
    """Basis rotation in the native ``rz``/``sx`` gates (``h`` and ``sdg; h`` up to phase), then measure."""
    if basis == "X":
        qc.rz(np.pi / 2, qubit)
        qc.sx(qubit)
        qc.rz(np.pi / 2, qubit)
    elif basis == "Y":
        qc.sx(qubit)
        qc.rz(np.pi / 2, qubit)
    qc.measure(qubit, 0)


def _append_measurement(qc: Any, basis: str, qubit: int) -> None:
    if basis == "X":
        qc.h(qubit)
    elif basis == "Y":
        qc.sdg(qubit)
        qc.h(qubit)
    qc.measure(qubit, 0)


def _ideal_state(params: Params, dt: float, order: int, n: int) -> ComplexArray:
    S = circuits.trotter_step_superop(params, dt, order)
    rho0 = np.kron(params.tau1(), params.tau2())
    return (np.linalg.matrix_power(S, n) @ rho0.reshape(16)).reshape(4, 4)


@functools.cache
def _ideal_backend() -> Any:
    """Aer density-matrix simulator for the ideal path; one thread: its pool costs ~40 ms per run here."""
    from qiskit_aer import AerSimulator

    return AerSimulator(method="density_matrix", max_parallel_threads=1)


def _counts(result: Any, i: int) -> list[int]:
    c = result.get_counts(i)
    return [int(c.get("0", 0)), int(c.get("1", 0))]


# ------------------------------------------------------------------------------------------- circuits
def tomography_circuits(
    params: Params,
    dt: float = 0.1,
    *,
    steps: int | str = "auto",
    order: int = 2,
    realization: str = "dilated",
    route: str = "gates",
    tol: float = 1e-6,
) -> list[Any]:
    """The X, Y, Z tomography circuits of qubit 1 for one point (logical, not transpiled).

    Each has one classical bit; ``metadata`` holds ``basis``, ``qubit`` (:data:`MEASURED_QUBIT`),
    ``clbits``, ``route``, ``realization``, ``order``, ``dt``, ``steps`` and ``params``.

    Args:
        params: the parameter point.
        dt: Trotter step length.
        steps: number of steps or ``"auto"`` (to trace distance ``tol`` of the fixed point).
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"dilated"`` (hardware-native) or ``"kraus"``; for ``route="gates"``.
        route: ``"gates"`` (the gate-level collision circuit) or ``"power"`` (one ``superop`` :math:`S^N`).

    Example:
        >>> qcs = tomography_circuits(Params(0.06, 0.3, 0.3, 0.1, 0.0), 0.5, steps=3)
        >>> [qc.metadata["basis"] for qc in qcs], qcs[0].metadata["qubit"]
        (['X', 'Y', 'Z'], 1)
    """
    from qiskit import ClassicalRegister, QuantumCircuit

    params = Params.require(params)
    circuits.validate_dt(dt)
    order = circuits.validate_order(order)
    realization = circuits.validate_realization(realization)
    if route not in _ROUTES:
        raise InputError(f"route must be one of {', '.join(_ROUTES)}; got {route!r}")
    n = resolve_steps(params, dt, order, steps, tol)
    if route == "power":
        from qiskit.quantum_info import DensityMatrix
        from qiskit_aer.library import SetDensityMatrix

        base = QuantumCircuit(2)
        base.append(SetDensityMatrix(DensityMatrix(np.kron(params.tau1(), params.tau2()))),
                    list(circuits.SYSTEM_QUBITS))
        S_n = np.linalg.matrix_power(circuits.trotter_step_superop(params, dt, order), n)
        base.append(circuits.superop_instruction(S_n), list(circuits.SYSTEM_QUBITS))
    else:
        base = circuits.trotter_circuit(params, dt, n, order=order, realization=realization, save=False)
    out = []
    for b in BASES:
        qc = base.copy(name=f"tomo_{b}_{route}_{n}")
        qc.add_register(ClassicalRegister(1, "meas"))
        _append_measurement(qc, b, MEASURED_QUBIT)
        qc.metadata = {"basis": b, "qubit": MEASURED_QUBIT, "clbits": [0], "route": route,
                       "realization": realization, "order": order, "dt": float(dt), "steps": n,
                       "params": params.to_dict()}
        out.append(qc)
    return out


def _final_layout(qc: Any) -> list[int]:
    """``final[q]``: the physical qubit holding logical qubit ``q`` at the end of a transpiled circuit."""
    layout = getattr(qc, "layout", None)
    return list(layout.final_index_layout()) if layout is not None else list(range(qc.num_qubits))


def _with_saved_state(qc: Any) -> Any:
    """A transpiled state circuit with ``save_density_matrix`` on the final positions of qubits 0, 1."""
    import qiskit_aer  # noqa: F401  (registers save_density_matrix)

    final = _final_layout(qc)
    qc.save_density_matrix([final[q] for q in circuits.SYSTEM_QUBITS], label="rho")
    return qc


#: Native instructions the noisy tomography appends after transpiling (:func:`_append_native_measurement`).
_NATIVE_MEASUREMENT = ("rz", "sx", "measure")


def _transpiled_state(
    params: Params, spec: noise_mod.NoiseSpec, dt: float, order: int, n: int, seed: int,
    extra: Sequence[str] = (),
) -> tuple[Any, int]:
    """The noisy dilated circuit of ``n`` steps transpiled once, and the physical qubit of paper qubit 1.

    ``extra``: native instructions appended afterwards, checked in the device's target beforehand.
    """
    # The dilated circuit resets its ancillas and entangles: check the device before building anything.
    noise_mod.check_device(spec, ("reset", "two-qubit gate", *extra))
    qc = circuits.trotter_circuit(params, dt, n, order=order, realization="dilated", save=False)
    tqc = noise_mod.transpile_for(qc, spec, seed=seed, extra=extra)
    return tqc, _final_layout(tqc)[MEASURED_QUBIT]


def _noisy_tomography_circuits(tqc: Any, physical: int, metadata: dict[str, Any]) -> list[Any]:
    """X, Y, Z measurements of physical qubit ``physical`` appended to copies of one transpiled circuit."""
    from qiskit import ClassicalRegister

    out = []
    for b in BASES:
        qc = tqc.copy(name=f"tomo_{b}_noisy_{metadata['steps']}")
        qc.add_register(ClassicalRegister(1, "meas"))
        _append_native_measurement(qc, b, physical)
        qc.metadata = {"basis": b, "qubit": MEASURED_QUBIT, "physical_qubit": physical, "clbits": [0], **metadata}
        out.append(qc)
    return out


def noisy_state(
    params: Params,
    noise_spec: str | noise_mod.NoiseSpec,
    *,
    dt: float = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    tol: float = 1e-6,
    seed: int = 0,
) -> tuple[ComplexArray, int]:
    """Exact (no shot noise, no readout error) system state of the noisy dilated circuit, and its steps.

    Returns the 4x4 density matrix (qubit 1 first; ancillas traced out) after ``steps`` noisy steps,
    from Aer's ``save_density_matrix`` on the transpiled circuit. ``seed`` (integer >= 0) fixes the
    transpiler.
    """
    params = Params.require(params)
    spec = noise_mod.parse_noise(noise_spec)
    seed = _int_seed_arg(seed)
    order = circuits.validate_order(order)
    n = resolve_steps(params, dt, order, steps, tol)
    if spec.kind == "none":
        return _ideal_state(params, dt, order, n), n
    tq, _ = _transpiled_state(params, spec, dt, order, n, seed)
    result = noise_mod.simulator(spec).run(_with_saved_state(tq)).result()
    return np.asarray(result.data(0)["rho"], dtype=complex), n


# ------------------------------------------------------------------------------------------- runs
@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare to_dict() instead
class TomographyRun:
    """One tomography run of qubit 1: counts, estimates and the states they estimate.

    ``counts`` (3, 2) are the raw counts (bases X, Y, Z; outcomes 0, 1); with mitigation, ``result`` is
    the analysis of the mitigated estimate and its full covariance (:func:`qc_reset.noise.mitigate_estimate`,
    :func:`qc_reset.tomography.analyze_estimate`), ``assignment`` the calibrated matrix of physical qubit
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
    result: tomography.TomographyResult
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
        return float(0.5 * np.linalg.norm(np.asarray(self.bloch_circuit) - np.asarray(self.bloch_exact)))

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


def run_tomography(
    params: Params,
    *,
    shots: int,
    seed: SeedLike,
    noise: str | noise_mod.NoiseSpec = "none",
    dt: float = 0.1,
    order: int = 2,
    realization: str = "dilated",
    steps: int | str = "auto",
    level: float = 0.95,
    n_resamples: int = 1000,
    mitigate: bool = False,
    route: str | None = None,
    tol: float | None = None,
    cal_shots: int | None = None,
    estimator: tomography.Estimator = "linear_inversion",
    witness_method: tomography.WitnessMethod = "union",
) -> TomographyRun:
    """Tomography of qubit 1 at one point: 3 basis circuits with ``shots`` each, one Aer run.

    Args:
        params: the parameter point.
        shots: shots per basis (>= 1).
        seed: integer >= 0 (deterministic), numpy Generator, or None (a fresh integer seed is drawn and
            recorded in the result).
        noise: ``"none"``, a parametric spec or ``"fake:<Backend>"`` (:func:`qc_reset.noise.parse_noise`).
        dt, order, steps: Trotter step, order (1, 2) and steps (``"auto"``: to ``tol``).
        realization: ``"dilated"`` (required with noise) or ``"kraus"`` (ideal ``route="gates"`` only).
        level, n_resamples, estimator, witness_method: passed to :func:`qc_reset.tomography.analyze`
            (:func:`qc_reset.tomography.analyze_estimate` with mitigation; ``estimator`` must then be
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
    spec = noise_mod.parse_noise(noise)
    shots = _check_shots(shots)
    if not isinstance(mitigate, bool | np.bool_):
        raise InputError(f"mitigate must be a bool; got {mitigate!r}")
    m = _check_shots(cal_shots if cal_shots is not None else shots, name="cal_shots") if mitigate else None
    if mitigate and estimator != "linear_inversion":
        raise InputError(f"estimator must be 'linear_inversion' with mitigate=True (the mitigated estimate is the "
                         f"inverted assignment, not a likelihood fit); got {estimator!r}")
    seed = check_seed(seed)
    if seed is None:
        seed = fresh_seed()
    ideal = spec.kind == "none"
    route = route if route is not None else ("power" if ideal else "gates")
    if not ideal and (route != "gates" or realization != "dilated"):
        raise InputError("noisy runs use the gate-level dilated circuit: route must be 'gates' and realization "
                         f"'dilated' with noise {str(spec)!r}; got route={route!r}, realization={realization!r}")
    order = circuits.validate_order(order)
    tol = convergence_tol(shots) if tol is None else tol
    n = resolve_steps(params, dt, order, steps, tol)
    s_aer, s_tr, s_cal, s_boot = _seeds(seed, 4)

    if ideal:
        circs = tomography_circuits(params, dt, steps=n, order=order, realization=realization, route=route)
        result = _ideal_backend().run(circs, shots=shots, seed_simulator=_int_seed(s_aer)).result()
        rho = _ideal_state(params, dt, order, n)
        qubit = MEASURED_QUBIT
    else:
        circuits.validate_dt(dt)
        tstate, qubit = _transpiled_state(params, spec, dt, order, n, _int_seed(s_tr), extra=_NATIVE_MEASUREMENT)
        meta = {"route": route, "realization": realization, "order": order, "dt": float(dt), "steps": n,
                "params": params.to_dict()}
        tcs = _noisy_tomography_circuits(tstate, qubit, meta)
        saved = _with_saved_state(tstate.copy())
        result = noise_mod.simulator(spec).run([*tcs, saved], shots=shots, seed_simulator=_int_seed(s_aer)).result()
        rho = np.asarray(result.data(3)["rho"], dtype=complex)
    if not result.success:
        raise RuntimeError(f"Aer run failed: {result.status}")
    counts = np.array([_counts(result, i) for i in range(3)], dtype=np.int64)

    A = None
    boot = np.random.default_rng(s_boot)
    if m is not None:
        A = noise_mod.calibrate_readout(spec, qubit, shots=m, seed=_int_seed(s_cal))
        bloch, cov = noise_mod.mitigate_estimate(counts, A, m)
        analysis = tomography.analyze_estimate(bloch, cov, level=level, n_resamples=n_resamples, seed=boot,
                                               witness_method=witness_method)
    else:
        analysis = tomography.analyze(counts, level=level, n_resamples=n_resamples, seed=boot,
                                      estimator=estimator, witness_method=witness_method)
    r_exact = exact.steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    return TomographyRun(
        params=params, dt=float(dt), order=order, realization=realization, route=route, steps=n, shots=shots,
        seed=seed if isinstance(seed, int) else None, noise=str(spec), counts=counts, result=analysis,
        bloch_exact=np.asarray(r_exact, dtype=float), bloch_circuit=measures.bloch_vector(rho),
        assignment=A, measured_qubit=int(qubit), cal_shots=m,
    )


def tomography_points(
    points: Sequence[Params], *, dt: float, order: int, shots: int, seed: int | None
) -> tuple[FloatArray, FloatArray]:
    """Ideal-path tomography of many points in one Aer run: linear-inversion ``bloch`` and ``stderr``, (n, 3).

    Each point is converged with ``steps="auto"`` at :func:`convergence_tol` and runs on the ``"power"``
    route. Aer gives circuit ``i`` of a job the seed ``seed_simulator + 2113 i``, so point ``k``'s counts
    depend only on ``(seed, k)``, not on the other points.
    """
    if isinstance(points, (Params, str, bytes, dict)) or not isinstance(points, Sequence | np.ndarray):
        raise InputError(f"points must be a non-empty sequence of Params; got {quote(points)}")
    pts = [Params.require(p, f"points[{i}]") for i, p in enumerate(points)]
    if not pts:
        raise InputError("points must be a non-empty sequence of Params; got an empty sequence")
    shots = _check_shots(shots)
    tol = convergence_tol(shots)
    circs = [qc for p in pts for qc in tomography_circuits(p, dt, order=order, route="power", tol=tol)]
    aer_seed = _int_seed(_seeds(seed, 1)[0])
    result = _ideal_backend().run(circs, shots=shots, seed_simulator=aer_seed).result()
    counts = np.array([_counts(result, i) for i in range(len(circs))], dtype=np.int64).reshape(len(pts), 3, 2)
    return tomography.linear_inversion(counts), tomography.standard_errors(counts)


def degradation_table(
    params: Params,
    depols: Sequence[float],
    *,
    base: str = "none",
    dt: float = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    tol: float = 1e-6,
) -> list[dict[str, Any]]:
    """C_l1 and ||r||_1 of qubit 1 from the exact noisy density matrix, for each depolarizing ``p``.

    ``p = 0`` rows use the ideal circuit. ``base`` is a parametric spec whose ``depol`` is replaced.
    """
    params = Params.require(params)
    spec0 = noise_mod.parse_noise(base)
    if isinstance(depols, (str, bytes, dict)) or not isinstance(depols, Sequence | np.ndarray):
        raise InputError(f"depols must be a sequence of numbers in [0, 1]; got {quote(depols)}")
    ps = [noise_mod._real("depol", p) for p in depols]
    bad = [p for p in ps if not 0.0 <= p <= 1.0]
    if bad:
        raise InputError(f"depols must be numbers in [0, 1]; got {bad[0]!r}")
    rows = []
    for p in ps:
        spec = spec0.with_depol(p) if p > 0 else spec0
        rho, n = noisy_state(params, spec, dt=dt, order=order, steps=steps, tol=tol)
        r = measures.bloch_vector(rho)
        rows.append({"depol": float(p), "noise": str(spec), "steps": n, "bloch": r.tolist(),
                     "l1_coherence": float(measures.l1_coherence(r)), "l1_norm": float(measures.l1_norm(r)),
                     "magic": bool(measures.has_magic(r))})
    return rows


# ------------------------------------------------------------------------------------------- sweeps
def _point(d: dict[str, Any]) -> Params:
    return Params(g=d["g"], p1=d["p1"], p2=d["p2"], T1=d["T1"], T2=d["T2"])


def circuit_records(points: list[dict[str, Any]], seeds: list[int], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Sweep output kind ``circuit``: the converged circuit state of qubit 1 (no shots), one dict per point.

    Ideal points use the exact step channel (route ``"power"``, ``tol`` 1e-10); noisy points the noisy
    dilated circuit's density matrix (``tol`` 1e-6, transpiler seeded by the point's seed).
    """
    order = options.get("order", 2)
    out = []
    for d, s in zip(points, seeds, strict=True):
        P, spec = _point(d), noise_mod.parse_noise(d.get("noise", "none"))
        if spec.kind == "none":
            res = simulate.simulate(P, d["dt"], order=order, route="power")
            rc, n = res.bloch, res.steps
        else:
            rho, n = noisy_state(P, spec, dt=d["dt"], order=order, seed=s)
            rc = measures.bloch_vector(rho)
        re = exact.steady_bloch(P.g, P.p1, P.p2, P.T1, P.T2)
        out.append({"bloch_exact": re.tolist(), "bloch_circuit": rc.tolist(),
                    "trace_distance": float(0.5 * np.linalg.norm(rc - re)), "steps": n, "noise": str(spec),
                    "l1_coherence": float(measures.l1_coherence(rc)), "l1_norm": float(measures.l1_norm(rc))})
    return out


def tomography_records(
    points: list[dict[str, Any]], seeds: list[int], options: dict[str, Any]
) -> list[dict[str, Any]]:
    """Sweep output kind ``tomography``: one :func:`run_tomography` per point (``shots`` >= 1 required).

    Returns the ``tomography`` dict of docs/cli.md plus ``verdict``, ``steps``, ``bloch_circuit``
    and ``counts``; deterministic given the point seeds.
    """
    out = []
    for d, s in zip(points, seeds, strict=True):
        if int(d.get("shots", 0)) < 1:
            raise InputError("output kind 'tomography' needs grid.shots >= 1 (shots per basis)")
        run = run_tomography(
            _point(d), shots=int(d["shots"]), seed=int(s), noise=d.get("noise", "none"), dt=d["dt"],
            order=options.get("order", 2), realization=options.get("realization", "dilated"),
            level=options.get("level", 0.95), n_resamples=options.get("n_resamples", 1000),
        )
        full = run.to_dict()
        out.append({**full["tomography"], "verdict": run.verdict, "steps": run.steps,
                    "bloch_circuit": full["bloch_circuit"], "counts": full["counts"], "noise": run.noise})
    return out


# ------------------------------------------------------------------------------------------- interop
def qiskit_experiments_tomography(
    params: Params,
    *,
    shots: int,
    seed: int,
    dt: float = 0.5,
    order: int = 2,
    realization: str = "dilated",
    steps: int | str = "auto",
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """The same collision circuit through qiskit-experiments' ``StateTomography`` of qubit 1.

    Measures only :data:`MEASURED_QUBIT` (``measurement_indices=[1]``) with an explicit ``target`` (the
    circuit's exact reduced state: the automatic target cannot handle ``Kraus``/``reset``), fits by
    linear inversion without PSD rescaling, and returns ``(counts, bloch)``: the experiment's counts
    reordered to this package's (3, 2) layout (qiskit-experiments indexes its Pauli bases Z, X, Y as 0,
    1, 2) and the Bloch vector of its fitted state.
    """
    from qiskit.quantum_info import DensityMatrix
    from qiskit_experiments.library import StateTomography

    params = Params.require(params)
    shots = _check_shots(shots)
    seed = _int_seed_arg(seed)
    n = resolve_steps(params, dt, order, steps, convergence_tol(shots))
    qc = circuits.trotter_circuit(params, dt, n, order=order, realization=realization, save=False)
    target = DensityMatrix(measures.reduced_state(_ideal_state(params, dt, order, n), 1))
    exp = StateTomography(qc, measurement_indices=[MEASURED_QUBIT], target=target)
    exp.analysis.set_options(fitter="linear_inversion", rescale_positive=False, rescale_trace=False)
    with warnings.catch_warnings():  # qiskit-experiments' internal use of a deprecated runtime SamplerV2
        warnings.simplefilter("ignore", DeprecationWarning)
        data = exp.run(simulate.default_backend(), shots=shots, seed_simulator=seed).block_for_results()
    qe_to_ours = {0: 2, 1: 0, 2: 1}  # qiskit-experiments' Pauli basis index (Z, X, Y) -> (X, Y, Z)
    counts = np.zeros((3, 2), dtype=np.int64)
    for d in data.data():
        k = qe_to_ours[int(d["metadata"]["m_idx"][0])]
        counts[k] += [int(d["counts"].get("0", 0)), int(d["counts"].get("1", 0))]
    state = data.analysis_results("state", dataframe=True).iloc[0]["value"]
    return counts, measures.bloch_vector(np.asarray(state.data))

