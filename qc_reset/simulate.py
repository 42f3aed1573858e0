r"""Running the Trotter circuits of :mod:`qc_reset.circuits` on Aer, to convergence.

Everything here runs on ``AerSimulator(method="density_matrix")``. Three *routes* give the same state
:math:`S^N\rho_0` after :math:`N` steps of the exact step channel :math:`S` (they agree to ~1e-13):

* ``"gates"``: the gate-level circuit of the chosen realization (``kraus``: one circuit per point;
  ``dilated``: one parametric circuit swept with ``parameter_binds``). Noise models attach here.
* ``"superop"``: one raw 16x16 ``superop`` instruction per step; Aer applies it :math:`N` times.
* ``"power"``: numpy forms :math:`S^N` by repeated squaring (:math:`\lceil\log_2 N\rceil` 16x16 products),
  and Aer applies it as *one* ``superop`` instruction. Aer then does O(1) work per point: the time
  evolution is exact linear algebra, and Aer only applies the resulting channel.

All routes batch every parameter point into one ``backend.run`` call.

Convergence: ``steps="auto"`` picks :math:`N` from the spectral gap of :math:`S`,
:math:`N_0 = \lceil \ln(\mathrm{tol}/D_0) / \ln|\lambda_2| \rceil` with :math:`D_0` the trace distance of
:math:`\rho_0` to the fixed point :math:`\rho_\star` (:math:`S\rho_\star = \rho_\star`), then checks
:math:`D(S^N\rho_0, \rho_\star)\le\mathrm{tol}` exactly with numpy, enlarging :math:`N` if a non-normal
transient needs it and bisecting to the smallest such :math:`N` (channels contract :math:`D`). The Trotter
error :math:`D(\rho_\star, \rho_{ss})` against the exact steady state is :math:`O(dt)` for Lie-Trotter and
:math:`O(dt^2)` for Strang.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from . import circuits, exact, measures
from . import noise as noise_mod
from ._checks import InputError, quote
from .circuits import validate_dt, validate_order, validate_realization, validate_steps
from .model import ComplexArray, FloatArray, Params

__all__ = [
    "ROUTES",
    "DEFAULT_TOL",
    "SimulationResult",
    "trace_distance",
    "fixed_point",
    "second_eigenvalue",
    "auto_steps",
    "system_channel",
    "default_backend",
    "check_backend",
    "simulate",
    "simulate_many",
]

ROUTES: tuple[str, ...] = ("gates", "superop", "power")
#: Default convergence tolerance (trace distance to the step channel's fixed point).
DEFAULT_TOL = 1e-10
_MIN_TOL = 1e-12  # rounding in S^N (repeated squaring) and in the fixed point is ~1e-13
_MAX_STEPS = 10_000_000


def trace_distance(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    r"""Trace distance :math:`\tfrac12\|a - b\|_1` of two Hermitian matrices."""
    diff = np.asarray(a, dtype=complex) - np.asarray(b, dtype=complex)
    return float(0.5 * np.abs(np.linalg.eigvalsh(0.5 * (diff + diff.conj().T))).sum())


def fixed_point(S: npt.ArrayLike) -> ComplexArray:
    r"""The state :math:`\rho_\star` with :math:`S\rho_\star = \rho_\star` (row-major 16x16 ``S``), trace 1."""
    arr = np.asarray(S, dtype=complex)
    _, _, vh = np.linalg.svd(arr - np.eye(arr.shape[0]))
    d = int(round(math.sqrt(arr.shape[0])))
    rho = vh[-1].conj().reshape(d, d)
    rho = rho / np.trace(rho)
    return 0.5 * (rho + rho.conj().T)


def second_eigenvalue(S: npt.ArrayLike) -> float:
    r""":math:`|\lambda_2|`, the largest eigenvalue modulus of ``S`` apart from the eigenvalue 1.

    The spectral gap of the step channel is :math:`1 - |\lambda_2|`; distances to the fixed point
    shrink asymptotically like :math:`|\lambda_2|^N`.
    """
    lam = np.linalg.eigvals(np.asarray(S, dtype=complex))
    one = int(np.argmin(np.abs(lam - 1.0)))
    return float(np.max(np.abs(np.delete(lam, one))))


def _validate_tol(tol: Any) -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not (_MIN_TOL <= tol < 1):
        raise InputError(f"tol must be a number in [{_MIN_TOL:g}, 1); got {tol!r}")
    return float(tol)


def auto_steps(S: npt.ArrayLike, rho0: npt.ArrayLike, tol: float = DEFAULT_TOL) -> int:
    r"""Smallest :math:`N` with :math:`D(S^N\rho_0, \rho_\star) \le \mathrm{tol}` (trace distance).

    The spectral gap gives the first guess :math:`N_0 = \lceil\ln(\mathrm{tol}/D_0)/\ln|\lambda_2|\rceil`.
    Because a channel contracts the trace distance, :math:`D(S^N\rho_0, \rho_\star)` does not increase
    with :math:`N`; so the guess is enlarged until the bound holds (exact numpy ``matrix_power``; non-normal
    transients can need more than :math:`N_0`) and then bisected down to the smallest such :math:`N`.

    Raises:
        exact.SteadyStateError: if :math:`|\lambda_2| = 1` (no unique fixed point).
        ValueError: if ``tol`` is outside :math:`[10^{-12}, 1)` or the bound is not reached.
    """
    tol = _validate_tol(tol)
    S_arr = np.asarray(S, dtype=complex)
    rho0_arr = np.asarray(rho0, dtype=complex)
    star = fixed_point(S_arr)
    v0 = rho0_arr.reshape(-1)

    def dist(n: int) -> float:
        return trace_distance((np.linalg.matrix_power(S_arr, n) @ v0).reshape(rho0_arr.shape), star)

    d0 = trace_distance(rho0_arr, star)
    if d0 <= tol:
        return 1
    lam2 = second_eigenvalue(S_arr)
    if lam2 >= 1.0 - 1e-14:
        raise exact.SteadyStateError("the step channel has no unique fixed point (spectral gap 0)")
    hi = max(1, math.ceil(math.log(tol / d0) / math.log(lam2))) if lam2 > 0 else 1
    limit = min(_MAX_STEPS, 16 * hi)  # far beyond any transient; failing here means rounding dominates
    lo = 0  # invariant: dist(lo) > tol (dist(0) = d0), dist(hi) <= tol once found
    while dist(hi) > tol:
        lo, hi = hi, math.ceil(1.25 * hi) + 1
        if hi > limit:
            raise InputError(f"steps: no N <= {limit} reaches tol = {tol:g} (rounding or a tiny spectral "
                             "gap); use a larger tol or dt")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if dist(mid) <= tol else (mid, hi)
    return hi


def system_channel(circuit: Any) -> ComplexArray:
    """Row-major 16x16 channel of ``circuit`` on the system qubits (ancillas start in |0>, traced out).

    Uses ``qiskit.quantum_info.SuperOp`` (which handles gates, ``Kraus`` and ``reset``); the result is
    qubit 1 first, comparable with :func:`qc_reset.circuits.trotter_step_superop`.
    """
    from qiskit.quantum_info import SuperOp

    n = circuit.num_qubits
    na = 2 ** (n - 2)
    S = np.asarray(SuperOp(circuit).data)
    # Column stacking, little-endian, ancillas most significant: [ja, js, ia, is] for out and in.
    T = S.reshape(na, 4, na, 4, na, 4, na, 4)[:, :, :, :, 0, :, 0, :]
    return circuits.from_qiskit_superop(np.einsum("aiajkl->ijkl", T).reshape(16, 16))


_BACKEND: Any = None


def default_backend() -> Any:
    """A shared ``AerSimulator(method="density_matrix")``."""
    global _BACKEND
    if _BACKEND is None:
        from qiskit_aer import AerSimulator

        _BACKEND = AerSimulator(method="density_matrix")
    return _BACKEND


def check_backend(backend: Any, circuits_: Sequence[Any] = ()) -> Any:
    """``backend`` if it can run ``circuits_`` exactly: an ``AerSimulator(method="density_matrix")``.

    Every route saves the exact density matrix, so a statevector simulator (which samples one
    trajectory of the ``Kraus``/``reset`` channels) or a device backend (whose noise would be ignored)
    would give a silently wrong state; they are refused, as is a simulator whose ``target`` lacks an
    instruction of the circuits (e.g. ``AerSimulator.from_backend(...)`` has no ``kraus``).
    """
    from qiskit_aer import AerSimulator

    if not isinstance(backend, AerSimulator) or backend.options.method != "density_matrix":
        got = type(backend).__name__
        if isinstance(backend, AerSimulator):
            got += f"(method={backend.options.method!r})"
        raise InputError("backend must be an AerSimulator(method='density_matrix') (simulate saves the exact "
                         f"density matrix); got {got} {quote(backend, 40)}; for device noise use "
                         "qc_reset.emulation with noise='fake:NAME'")
    needed = {name for qc in circuits_ for name in qc.count_ops()}
    noise_mod.require_instructions(backend, needed, "the simulated circuits")
    return backend


@dataclasses.dataclass(frozen=True)
class SimulationResult:
    r"""The state after ``steps`` Trotter steps on Aer, with the exact steady state for comparison.

    ``rho`` is the two-qubit system state from Aer (ancillas traced out, qubit 1 first);
    ``rho_fixed`` the fixed point of the step channel; ``rho_exact`` the exact steady state.
    ``trace_distance`` compares qubit 1 of ``rho`` and ``rho_exact``; ``trotter_error`` is
    :math:`D(\rho_\star, \rho_{ss})` and ``convergence_error`` :math:`D(\rho, \rho_\star)` (two qubits).
    """

    params: Params
    dt: float
    order: int
    realization: str
    route: str
    steps: int
    rho: ComplexArray
    rho_fixed: ComplexArray
    rho_exact: ComplexArray

    def __post_init__(self) -> None:
        for name in ("rho", "rho_fixed", "rho_exact"):
            if np.shape(getattr(self, name)) != (4, 4):
                raise InputError(f"{name} must be a 4x4 matrix")

    @property
    def rho1(self) -> ComplexArray:
        """Qubit 1's reduced state from the circuit."""
        return measures.reduced_state(self.rho, 1)

    @property
    def bloch(self) -> FloatArray:
        """Qubit 1's Bloch vector from the circuit."""
        return measures.bloch_vector(self.rho)

    @property
    def bloch_exact(self) -> FloatArray:
        """Qubit 1's Bloch vector in the exact steady state."""
        return measures.bloch_vector(self.rho_exact)

    @property
    def trace_distance(self) -> float:
        """Trace distance of qubit 1, circuit vs exact steady state."""
        return trace_distance(measures.reduced_state(self.rho, 1), measures.reduced_state(self.rho_exact, 1))

    @property
    def trotter_error(self) -> float:
        """Two-qubit trace distance of the step channel's fixed point to the exact steady state."""
        return trace_distance(self.rho_fixed, self.rho_exact)

    @property
    def convergence_error(self) -> float:
        """Two-qubit trace distance of the circuit state to the step channel's fixed point."""
        return trace_distance(self.rho, self.rho_fixed)

    def measures(self) -> dict[str, Any]:
        """All qubit-1 measures of the core for the circuit state (JSON-ready)."""
        r = self.bloch
        return {
            "l1_coherence": float(measures.l1_coherence(r)),
            "l1_norm": float(measures.l1_norm(r)),
            "magic": bool(measures.has_magic(r)),
            "robustness": float(measures.robustness(r)),
            "stabilizer_distance": float(measures.stabilizer_distance(r)),
            "facets": dict(zip(measures.FACET_LABELS, measures.facets(r).tolist(), strict=True)),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON (the public keys of docs/cli.md plus diagnostics)."""
        return {
            "params": self.params.to_dict(),
            "dt": self.dt,
            "order": self.order,
            "realization": self.realization,
            "route": self.route,
            "steps": self.steps,
            "bloch_exact": self.bloch_exact.tolist(),
            "bloch_circuit": self.bloch.tolist(),
            "trace_distance": self.trace_distance,
            "trotter_error": self.trotter_error,
            "convergence_error": self.convergence_error,
            **self.measures(),
            "rho": {"re": self.rho.real.tolist(), "im": self.rho.imag.tolist()},
        }


def simulate(
    params: Params,
    dt: float = 0.1,
    *,
    steps: int | str = "auto",
    order: int = 2,
    realization: str = "kraus",
    route: str = "gates",
    initial_state: npt.ArrayLike | None = None,
    tol: float = DEFAULT_TOL,
    backend: Any = None,
) -> SimulationResult:
    """Run one parameter point on Aer; see :func:`simulate_many`.

    Example:
        >>> res = simulate(Params(0.05, 0.3, 0.3, 0.1, 0.1), dt=0.1, steps=50)
        >>> res.steps, res.rho.shape
        (50, (4, 4))
    """
    return simulate_many(
        [Params.require(params)], dt, steps=steps, order=order, realization=realization, route=route,
        initial_state=initial_state, tol=tol, backend=backend,
    )[0]


def _check_route(route: Any) -> str:
    if route not in ROUTES:
        raise InputError(f"route must be one of {', '.join(ROUTES)}; got {route!r}")
    return str(route)


def simulate_many(
    points: Sequence[Params],
    dt: float = 0.1,
    *,
    steps: int | str = "auto",
    order: int = 2,
    realization: str = "kraus",
    route: str = "power",
    initial_state: npt.ArrayLike | None = None,
    tol: float = DEFAULT_TOL,
    backend: Any = None,
) -> list[SimulationResult]:
    r"""Run :math:`N` Trotter steps from :math:`\rho_0` at every point, in one Aer ``run``.

    Args:
        points: parameter points.
        dt: step length (> 0).
        steps: :math:`N \ge 1`, or ``"auto"`` (per point from the spectral gap, to ``tol``).
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"kraus"`` or ``"dilated"``; used by ``route="gates"`` (the other routes apply the
            exact step channel, which both realizations equal to ~1e-14).
        route: ``"gates"``, ``"superop"`` or ``"power"`` (see the module docstring).
        initial_state: 4x4 density matrix or 4-vector, qubit 1 first; default :math:`\tau_1\otimes\tau_2`.
        tol: trace-distance tolerance to the fixed point for ``steps="auto"``.
        backend: an Aer backend with the density-matrix method (default :func:`default_backend`).

    With ``route="gates"`` and the dilated realization all points share one parametric circuit, so
    ``"auto"`` uses the largest :math:`N` of the points.

    Raises:
        InputError: for bad arguments, a ``backend`` that is not a density-matrix ``AerSimulator``
            (:func:`check_backend`), or circuits too large to run (the ``gates`` and ``superop`` routes grow
            linearly with the steps; :func:`qc_reset.circuits.check_circuit_steps`), before any circuit is built.
    """
    validate_dt(dt)
    order = validate_order(order)
    realization = validate_realization(realization)
    route = _check_route(route)
    n_req = validate_steps(steps)
    if n_req == "auto":
        _validate_tol(tol)
    if isinstance(points, (Params, str, bytes, dict)) or not isinstance(points, Sequence | np.ndarray):
        raise InputError(f"points must be a non-empty sequence of Params; got {quote(points)}")
    points = list(points)
    if not points:
        raise InputError("points must be a non-empty sequence of Params; got an empty sequence")
    points = [Params.require(p, f"points[{i}]") for i, p in enumerate(points)]
    if backend is not None:
        check_backend(backend)  # the method before any work; the instructions once the circuits exist
    rho0s = [
        np.kron(p.tau1(), p.tau2()) if initial_state is None else circuits._as_density_matrix(initial_state)
        for p in points
    ]
    S_list = [circuits.trotter_step_superop(p, dt, order) for p in points]
    ns = [auto_steps(S, r0, tol) if n_req == "auto" else int(n_req) for S, r0 in zip(S_list, rho0s, strict=True)]
    if route == "gates" and realization == "dilated":
        ns = [max(ns)] * len(ns)
    if route != "power":  # power: one superop S^N, O(1) in the steps
        circuits.check_circuit_steps(ns, realization if route == "gates" else "superop")
    backend = backend if backend is not None else default_backend()

    if route == "gates" and realization == "dilated":
        cp = circuits.CircuitParameters.create()
        qc = circuits.trotter_circuit(cp, None, ns[0], order=order, realization=realization,
                                      initial_state=initial_state)
        check_backend(backend, [qc])
        job = backend.run(qc, parameter_binds=[cp.binds(points, dt)])
    elif route == "gates":
        qcs = [circuits.trotter_circuit(p, dt, n, order=order, realization=realization,
                                        initial_state=initial_state) for p, n in zip(points, ns, strict=True)]
        check_backend(backend, qcs)
        job = backend.run(qcs)
    else:
        qcs = [_superop_circuit(S, r0, n, power=(route == "power")) for S, r0, n in zip(S_list, rho0s, ns, strict=True)]
        check_backend(backend, qcs)
        job = backend.run(qcs)
    result = job.result()
    if not result.success:
        raise RuntimeError(f"Aer run failed: {result.status}")

    g, p1, p2, T1, T2 = (np.array([getattr(p, f) for p in points]) for f in ("g", "p1", "p2", "T1", "T2"))
    rho_exact = exact.steady_state(g, p1, p2, T1, T2)
    return [
        SimulationResult(
            params=p, dt=float(dt), order=order, realization=realization, route=route, steps=n,
            rho=np.asarray(result.data(i)["rho"], dtype=complex), rho_fixed=fixed_point(S),
            rho_exact=rho_exact[i],
        )
        for i, (p, S, n) in enumerate(zip(points, S_list, ns, strict=True))
    ]


def _superop_circuit(S: ComplexArray, rho0: ComplexArray, n: int, *, power: bool) -> Any:
    """set_density_matrix(rho0), then superop(S) n times or superop(S^n) once, then save."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import CircuitInstruction
    from qiskit.quantum_info import DensityMatrix
    from qiskit_aer.library import SetDensityMatrix

    qc = QuantumCircuit(2, name=f"superop_{'power' if power else 'steps'}_{n}")
    qc.append(SetDensityMatrix(DensityMatrix(rho0)), list(circuits.SYSTEM_QUBITS))
    qubits = tuple(qc.qubits[q] for q in circuits.SYSTEM_QUBITS)
    if power:
        qc.append(circuits.superop_instruction(np.linalg.matrix_power(S, n)), list(circuits.SYSTEM_QUBITS))
    else:
        inst = CircuitInstruction(circuits.superop_instruction(S), qubits)
        for _ in range(n):
            qc._append(inst)  # one shared instruction: avoids ~5 us of Python per append
    qc.save_density_matrix(list(circuits.SYSTEM_QUBITS), label="rho")
    return qc
