r"""Running the Trotter circuits of :mod:`qc_reset.circuits` on Aer, to convergence; its result record.

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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction
from qiskit.quantum_info import DensityMatrix, SuperOp

from .._checks import InputError, quote, two_qubit_state
from .._checks import order as check_order
from .._checks import steps as check_steps
from ..circuits.collision import superop_instruction, trotter_circuit
from ..circuits.parameters import (
    SYSTEM_QUBITS,
    CircuitParameters,
    check_circuit_steps,
    validate_dt,
    validate_realization,
)
from ..model import measures
from ..model import steady as exact
from ..model.channels import (
    DEFAULT_TOL,
    auto_steps,
    check_tol,
    fixed_point,
    from_qiskit_superop,
    second_eigenvalue,
    trace_distance,
    trotter_step_superop,
)
from ..model.operators import ComplexArray, FloatArray
from ..model.params import Params
from .backends import require_instructions

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator


__all__ = [
    "ROUTES",
    "DYNAMIC_SHOTS",
    "DEFAULT_TOL",
    "SimulationResult",
    "trace_distance",
    "fixed_point",
    "second_eigenvalue",
    "auto_steps",
    "system_channel",
    "default_backend",
    "check_backend",
    "require_points",
    "simulate",
    "simulate_many",
]

ROUTES: tuple[str, ...] = ("gates", "superop", "power")
#: Shots over which Aer averages a dynamic circuit's saved state (a sampled average: ``state_shots``).
DYNAMIC_SHOTS = 1024


def system_channel(circuit: QuantumCircuit) -> ComplexArray:
    """Row-major 16x16 channel of ``circuit`` on the system qubits (ancillas start in ``|0>``, traced out).

    Uses ``qiskit.quantum_info.SuperOp`` (which handles gates, ``Kraus`` and ``reset``); the result is
    qubit 1 first, comparable with :func:`qc_reset.circuits.trotter_step_superop`.
    """
    n = circuit.num_qubits
    na = 2 ** (n - 2)
    S = np.asarray(SuperOp(circuit).data)
    # Column stacking, little-endian, ancillas most significant: [ja, js, ia, is] for out and in.
    T = S.reshape(na, 4, na, 4, na, 4, na, 4)[:, :, :, :, 0, :, 0, :]
    return from_qiskit_superop(np.einsum("aiajkl->ijkl", T).reshape(16, 16))


_BACKEND: AerSimulator | None = None


def default_backend() -> AerSimulator:
    """A shared ``AerSimulator(method="density_matrix")``."""
    global _BACKEND
    if _BACKEND is None:
        from qiskit_aer import AerSimulator  # lazy, heavy: Aer loads when a circuit is first run

        _BACKEND = AerSimulator(method="density_matrix")
    return _BACKEND


def check_backend(backend: Any, circuits_: Sequence[QuantumCircuit] = ()) -> AerSimulator:
    """``backend`` if it can run ``circuits_`` exactly: an ``AerSimulator(method="density_matrix")``.

    Every route saves the exact density matrix, so a statevector simulator (which samples one
    trajectory of the ``Kraus``/``reset`` channels) or a device backend (whose noise would be ignored)
    would give a silently wrong state; they are refused, as is a simulator whose ``target`` lacks an
    instruction of the circuits (e.g. ``AerSimulator.from_backend(...)`` has no ``kraus``).
    """
    from qiskit_aer import AerSimulator  # lazy, heavy: Aer loads when a circuit is first run

    if not isinstance(backend, AerSimulator) or backend.options.method != "density_matrix":
        got = type(backend).__name__
        if isinstance(backend, AerSimulator):
            got += f"(method={backend.options.method!r})"
        raise InputError("backend must be an AerSimulator(method='density_matrix') (simulate saves the exact "
                         f"density matrix); got {got} {quote(backend, 40)}; for device noise use "
                         "qc_reset.emulation with noise='fake:NAME' or backend=<device>")
    needed = {name for qc in circuits_ for name in qc.count_ops()}
    require_instructions(backend, needed, "the simulated circuits")
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
    #: None for an exact density matrix; the number of shots Aer averaged it over for dynamic circuits.
    state_shots: int | None = None

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
            "state_shots": self.state_shots,
            **self.measures(),
            "rho": {"re": self.rho.real.tolist(), "im": self.rho.imag.tolist()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SimulationResult:
        """The record of :meth:`to_dict` (derived keys are recomputed, not read).

        ``rho_fixed`` and ``rho_exact`` are functions of ``params``, ``dt`` and ``order`` (the fixed point of
        the exact step channel and the exact steady state), so they are recomputed rather than stored.
        """
        if not isinstance(d, dict):
            raise InputError(f"a SimulationResult record must be a dict; got {quote(d)}")
        missing = [k for k in ("params", "dt", "order", "realization", "route", "steps", "rho") if k not in d]
        if missing:
            raise InputError(f"a SimulationResult record needs the keys {', '.join(missing)}")
        params = Params.from_dict(d["params"])
        dt, order = float(d["dt"]), check_order(d["order"])
        rho = d["rho"]
        if not isinstance(rho, dict) or set(rho) != {"re", "im"}:
            raise InputError("rho must be a dict with keys 're' and 'im' (4x4 each)")
        steps = check_steps(d["steps"], allow_auto=False)
        assert isinstance(steps, int)
        return cls(
            params=params, dt=dt, order=order, realization=validate_realization(d["realization"]),
            route=_check_route(d["route"]), steps=steps,
            rho=np.asarray(rho["re"], dtype=float) + 1j * np.asarray(rho["im"], dtype=float),
            rho_fixed=fixed_point(trotter_step_superop(params, dt, order)),
            rho_exact=exact.steady_state(params.g, params.p1, params.p2, params.T1, params.T2),
            state_shots=None if d.get("state_shots") is None else int(d["state_shots"]),
        )


def simulate(
    params: Params, dt: float = 0.1, *, steps: int | str = "auto", order: int = 2, realization: str = "kraus",
    route: str = "gates", initial_state: npt.ArrayLike | None = None, tol: float = DEFAULT_TOL,
    backend: AerSimulator | None = None,
) -> SimulationResult:
    """Run one parameter point on Aer; see :func:`simulate_many`.

    Example:
        >>> res = simulate(Params(0.05, 0.3, 0.3, 0.1, 0.1), dt=0.1, steps=50)
        >>> res.steps, res.rho.shape
        (50, (4, 4))
    """
    return simulate_many([Params.require(params)], dt, steps=steps, order=order, realization=realization,
                         route=route, initial_state=initial_state, tol=tol, backend=backend)[0]


def _check_route(route: Any) -> str:
    if not isinstance(route, str) or route not in ROUTES:
        raise InputError(f"route must be one of {', '.join(ROUTES)}; got {quote(route)}")
    return route


def require_points(points: Any) -> list[Params]:
    """``points`` as a non-empty list of :class:`Params` (each checked, named ``points[i]``)."""
    if isinstance(points, (Params, str, bytes, dict)) or not isinstance(points, Sequence | np.ndarray):
        raise InputError(f"points must be a non-empty sequence of Params; got {quote(points)}")
    out = [Params.require(p, f"points[{i}]") for i, p in enumerate(points)]
    if not out:
        raise InputError("points must be a non-empty sequence of Params; got an empty sequence")
    return out


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
    backend: AerSimulator | None = None,
) -> list[SimulationResult]:
    r"""Run :math:`N` Trotter steps from :math:`\rho_0` at every point, in one Aer ``run``.

    Args:
        points: parameter points.
        dt: step length (> 0).
        steps: :math:`N \ge 1`, or ``"auto"`` (per point from the spectral gap, to ``tol``).
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"kraus"``, ``"dilated"`` or ``"dynamic"``; used by ``route="gates"`` (the other routes
            apply the exact step channel, which every realization equals to ~1e-12; a dynamic circuit's state
            is Aer's average over :data:`DYNAMIC_SHOTS` shots, recorded as ``state_shots``).
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
    order = check_order(order)
    realization = validate_realization(realization)
    route = _check_route(route)
    n_req = check_steps(steps)
    if n_req == "auto":
        check_tol(tol)
    points = require_points(points)
    if backend is not None:
        check_backend(backend)  # the method before any work; the instructions once the circuits exist
    rho0s = [
        np.kron(p.tau1(), p.tau2()) if initial_state is None else two_qubit_state(initial_state)
        for p in points
    ]
    S_list = [trotter_step_superop(p, dt, order) for p in points]
    ns = [auto_steps(S, r0, tol) if n_req == "auto" else int(n_req) for S, r0 in zip(S_list, rho0s, strict=True)]
    if route == "gates" and realization == "dilated":
        ns = [max(ns)] * len(ns)
    if route != "power":  # power: one superop S^N, O(1) in the steps
        check_circuit_steps(ns, realization if route == "gates" else "superop")
    backend = backend if backend is not None else default_backend()
    qcs: list[QuantumCircuit]

    if route == "gates" and realization == "dilated":
        cp = CircuitParameters.create()
        qc = trotter_circuit(cp, None, ns[0], order=order, realization=realization,
                                      initial_state=initial_state)
        check_backend(backend, [qc])
        job = backend.run(qc, parameter_binds=[cp.binds(points, dt)])
    elif route == "gates":
        qcs = [trotter_circuit(p, dt, n, order=order, realization=realization,
                               initial_state=initial_state) for p, n in zip(points, ns, strict=True)]
        check_backend(backend, qcs)
        # A dynamic circuit's mid-circuit measurements are sampled per shot: its saved state is an average.
        job = backend.run(qcs, shots=DYNAMIC_SHOTS) if realization == "dynamic" else backend.run(qcs)
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
            rho_exact=rho_exact[i], state_shots=DYNAMIC_SHOTS if route == "gates" and realization == "dynamic"
            else None,
        )
        for i, (p, S, n) in enumerate(zip(points, S_list, ns, strict=True))
    ]


def _superop_circuit(S: ComplexArray, rho0: ComplexArray, n: int, *, power: bool) -> QuantumCircuit:
    """set_density_matrix(rho0), then superop(S) n times or superop(S^n) once, then save."""
    from qiskit_aer.library import SetDensityMatrix  # lazy, heavy: Aer loads when a circuit is first run

    qubits = list(SYSTEM_QUBITS)
    qc = QuantumCircuit(2, name=f"superop_{'power' if power else 'steps'}_{n}")
    qc.append(SetDensityMatrix(DensityMatrix(rho0)), qubits)
    if power:
        qc.append(superop_instruction(np.linalg.matrix_power(S, n)), qubits)
    else:
        # One shared instruction (it holds no parameters), appended through Qiskit's documented fast
        # path: QuantumCircuit._append's docstring allows callers other than QuantumCircuit when the
        # arguments are already checked and the circuit is referenced only inside the calling function,
        # as here (``qc`` is built locally). It is 5-10x faster than ``append`` at 10^5 steps, which is
        # what this route is for (docs/benchmarks.md).
        instruction = CircuitInstruction(superop_instruction(S), tuple(qc.qubits[q] for q in qubits))
        for _ in range(n):
            qc._append(instruction)
    qc.save_density_matrix(qubits, label="rho")
    return qc
