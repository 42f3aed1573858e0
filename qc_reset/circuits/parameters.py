r"""What the collision circuits are built from: qubit mapping, choices, symbolic parameters, angles, size budget.

**Qubit mapping.** Paper qubit 1 (heat bath) is Qiskit qubit 1 and paper qubit 2 (spin bath) is Qiskit
qubit 0; ancillas are Qiskit qubits 2 and 3. Then Qiskit's little-endian ``DensityMatrix.data`` of the
system qubits ``[0, 1]`` is directly ``kron(rho_q1, rho_q2)``, qubit 1 first, as in the rest of the package.

The circuit-specific validators live here (``dt`` may be a circuit :class:`~qiskit.circuit.Parameter`;
the realization names are this layer's); the order and step-count validators are the package's
(:func:`qc_reset._checks.order`, :func:`qc_reset._checks.steps`), re-exported under their old names.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from qiskit.circuit import Parameter, ParameterExpression

from .. import _checks
from .._checks import InputError, check_bytes, quote
from ..model.params import Params, bath_polarization

__all__ = [
    "REALIZATIONS",
    "DYNAMIC_REALIZATIONS",
    "ORDERS",
    "EXCHANGE_GATES",
    "SYSTEM_QUBITS",
    "PAPER_TO_QISKIT",
    "ANCILLAS",
    "Angle",
    "CircuitParameters",
    "validate_dt",
    "validate_order",
    "validate_realization",
    "validate_steps",
    "MEMORY_LIMIT",
    "STEP_MEMORY",
    "circuit_memory",
    "check_circuit_steps",
    "require_params",
    "is_symbolic",
    "reset_angle",
    "bath_angle",
]

#: Realizations built from gates, ``Kraus`` and ``reset``: their channel is ``SuperOp(circuit)`` and one Aer
#: density-matrix run gives the exact state.
REALIZATIONS: tuple[str, ...] = ("kraus", "dilated")
#: Realizations with mid-circuit measurements and ``if_test`` (:mod:`qc_reset.circuits.designs`): Aer's
#: density-matrix method samples the measurement outcomes, so a saved state is an average over the shots;
#: the exact channel is the sum over measurement branches (:func:`qc_reset.run.dynamic.branch_channel`).
DYNAMIC_REALIZATIONS: tuple[str, ...] = ("dynamic",)
ORDERS: tuple[int, ...] = (1, 2)
EXCHANGE_GATES: tuple[str, ...] = ("rxx_ryy", "xx_plus_yy", "cnot2")
#: Qiskit qubits of the system, in the order whose little-endian index is (paper q1, paper q2).
SYSTEM_QUBITS: tuple[int, int] = (0, 1)
#: Paper qubit -> Qiskit qubit.
PAPER_TO_QISKIT: dict[int, int] = {1: 1, 2: 0}
#: Qiskit qubits of the dilated realization's ancillas: the "which" control / purifier, and the bath qubit.
ANCILLAS: tuple[int, int] = (2, 3)

#: A gate angle or step length: a number, or a circuit parameter expression.
Angle: TypeAlias = "float | ParameterExpression"
_T_MIN = 1.0 / 700.0  # exp(1/T) must not overflow when Qiskit binds the symbolic bath angles

#: Memory budget (bytes) of one Aer run of unrolled Trotter circuits; larger runs are refused up front.
MEMORY_LIMIT: float = 4 * 2**30
#: Peak memory per Trotter step (bytes; Qiskit circuit plus Aer's assembled copy), measured with
#: 20,000 Strang steps on Aer 0.18 / Qiskit 2.6: kraus 506 MB (10 instructions per step), dilated
#: 1.51 GB (39 instructions), superop 287 MB (one 16x16 superoperator per step: Aer keeps a copy of
#: the matrix per instruction); dynamic (measured with 5,000 Strang steps, one shot) 120 KiB per step.
#: Rounded up, so the estimate errs on the safe side.
STEP_MEMORY: dict[str, float] = {"kraus": 26 * 2**10, "dilated": 76 * 2**10, "superop": 15 * 2**10,
                                 "dynamic": 128 * 2**10}

#: The Trotter order: 1 (Lie-Trotter) or 2 (Strang) (:func:`qc_reset._checks.order`).
validate_order = _checks.order
#: A number of steps >= 1 (at most :data:`qc_reset._checks.MAX_STEPS`) or ``"auto"`` (:func:`qc_reset._checks.steps`).
validate_steps = _checks.steps


# ----------------------------------------------------------------------------------------- validation
def validate_dt(dt: Any) -> None:
    """Raise ``InputError`` unless ``dt`` is a finite number > 0 (or a circuit parameter)."""
    if isinstance(dt, ParameterExpression):
        return
    if isinstance(dt, bool) or not isinstance(dt, (int, float, np.floating, np.integer)):
        raise InputError(f"dt must be a finite number in (0, +inf); got {quote(dt)}")
    if not (math.isfinite(float(dt)) and dt > 0):
        raise InputError(f"dt must be a finite number in (0, +inf); got {quote(dt)}")


def validate_realization(realization: Any) -> str:
    """Return ``realization``, or raise ``InputError`` naming the allowed values."""
    allowed = REALIZATIONS + DYNAMIC_REALIZATIONS
    if not isinstance(realization, str) or realization not in allowed:
        raise InputError(f"realization must be one of {', '.join(allowed)}; got {quote(realization)}")
    return realization


def circuit_memory(steps: int | Sequence[int], kind: str) -> float:
    """Estimated peak memory (bytes) of running unrolled circuits of ``steps`` Trotter steps on Aer.

    ``kind`` is a realization (``"kraus"``, ``"dilated"``) or ``"superop"`` (one superoperator per step);
    a sequence of step counts is one batched run (Aer assembles every circuit of a job before running).
    """
    total = sum(int(n) for n in ([steps] if isinstance(steps, (int, np.integer)) else steps))
    return float(total) * STEP_MEMORY[kind]


def check_circuit_steps(steps: int | Sequence[int], kind: str, *, limit: float | None = None) -> None:
    """Refuse circuits whose size (linear in ``steps``) would exceed the memory budget, before building them.

    The size of an unrolled circuit grows with the number of steps (:data:`STEP_MEMORY` per step); the
    ``power`` route of :mod:`qc_reset.run.simulator` applies :math:`S^N` as one instruction and needs only
    the bound of :func:`qc_reset._checks.steps`. Raises one ``InputError`` giving the estimate, the limit
    and the largest allowed number of steps.
    """
    if kind not in STEP_MEMORY:
        raise InputError(f"kind must be one of {', '.join(STEP_MEMORY)}; got {quote(kind)}")
    budget = MEMORY_LIMIT if limit is None else float(limit)
    ns = [int(steps)] if isinstance(steps, (int, np.integer)) else [int(n) for n in steps]
    total = sum(ns)
    max_steps = int(budget // STEP_MEMORY[kind])
    what = (f"steps = {total}" if len(ns) == 1 else f"{total} steps in total over {len(ns)} circuits")
    hint = (f"at most {max_steps} steps of the {kind} circuit per run ({STEP_MEMORY[kind] / 2**10:g} KiB per "
            "step); for more steps use route 'power' (one superop S^N, cost independent of steps) or a larger dt")
    check_bytes(f"{what} on the unrolled {kind} circuit", circuit_memory(ns, kind), budget, hint)


def require_params(params: Any) -> Params | CircuitParameters:
    """``params`` if it is numeric :class:`Params` or symbolic :class:`CircuitParameters`."""
    if isinstance(params, (Params, CircuitParameters)):
        return params
    raise InputError(f"params must be a qc_reset.Params (numbers) or circuits.CircuitParameters (symbols); "
                     f"got {type(params).__name__} {quote(params, 60)}")


# ------------------------------------------------------------------------------- symbolic parameters
@dataclasses.dataclass(frozen=True)
class CircuitParameters:
    """The circuit :class:`~qiskit.circuit.Parameter` s ``g, p1, p2, T1, T2, dt`` of a dilated circuit.

    Bind them with :meth:`values` (for ``assign_parameters``) or :meth:`binds` (for Aer's
    ``run(..., parameter_binds=[...])``). The angle expressions contain :math:`e^{-1/T}`, which Qiskit
    evaluates through :math:`e^{1/T}`; so temperatures are clipped to :math:`[1/700, 10^{300}]` (0 and
    ``inf`` included). The clipping changes the bath populations by less than :math:`e^{-700}`.

    Example:
        >>> from qc_reset.circuits import step_circuit
        >>> cp = CircuitParameters.create()
        >>> qc = step_circuit(cp, realization="dilated")
        >>> sorted(p.name for p in qc.parameters)
        ['T1', 'T2', 'dt', 'g', 'p1', 'p2']
    """

    g: Parameter
    p1: Parameter
    p2: Parameter
    T1: Parameter
    T2: Parameter
    dt: Parameter

    @classmethod
    def create(cls) -> CircuitParameters:
        """Fresh parameters named ``g, p1, p2, T1, T2, dt``."""
        return cls(*(Parameter(n) for n in ("g", "p1", "p2", "T1", "T2", "dt")))

    @staticmethod
    def _numbers(params: Params, dt: float) -> tuple[float, ...]:
        params = Params.require(params)
        validate_dt(dt)
        if isinstance(dt, ParameterExpression):
            raise InputError("dt must be a number to bind (a finite number in (0, +inf)); got a Parameter")
        clip = [min(max(T, _T_MIN), 1e300) for T in (params.T1, params.T2)]
        return (params.g, params.p1, params.p2, clip[0], clip[1], float(dt))

    def parameters(self) -> tuple[Parameter, ...]:
        """``(g, p1, p2, T1, T2, dt)``."""
        return (self.g, self.p1, self.p2, self.T1, self.T2, self.dt)

    def values(self, params: Params, dt: float) -> dict[Parameter, float]:
        """``{Parameter: value}`` for :meth:`QuantumCircuit.assign_parameters`."""
        return dict(zip(self.parameters(), self._numbers(params, dt), strict=True))

    def binds(self, points: Sequence[Params], dt: float | Sequence[float]) -> dict[Parameter, list[float]]:
        """``{Parameter: [values...]}`` for Aer's ``parameter_binds`` (one entry per point)."""
        points = list(points)
        if isinstance(dt, (int, float, np.integer, np.floating)):
            dts = [float(dt)] * len(points)
        elif isinstance(dt, Sequence | np.ndarray) and not isinstance(dt, str):
            dts = [x for x in dt]
        else:
            raise InputError(f"dt must be a number or have one entry per point; got {quote(dt)}")
        if len(dts) != len(points):
            raise InputError(f"dt must be a number or have one entry per point ({len(points)}); got {len(dts)}")
        rows = [self._numbers(p, d) for p, d in zip(points, dts, strict=True)]
        return {par: [r[i] for r in rows] for i, par in enumerate(self.parameters())}


def is_symbolic(*xs: Any) -> bool:
    """Whether any of ``xs`` is a circuit :class:`~qiskit.circuit.ParameterExpression`."""
    return any(isinstance(x, ParameterExpression) for x in xs)


# ------------------------------------------------------------------------------------------- angles
def reset_angle(p: Angle, dt: Angle) -> Angle:
    r"""Angle :math:`\theta_q` of the "which" control: :math:`\sin^2(\theta_q/2) = q = 1 - e^{-p\,dt}`.

    Numerically :math:`\theta_q = 2\arcsin\sqrt{q}`; symbolically :math:`\arccos(2e^{-p\,dt} - 1)`.
    """
    if is_symbolic(p, dt):
        rate: Any = p * dt
        return (2 * (-rate).exp() - 1).arccos()
    q = -math.expm1(-float(p) * float(dt))
    return 2.0 * math.asin(math.sqrt(min(max(q, 0.0), 1.0)))


def bath_angle(T: Angle) -> Angle:
    r"""Angle :math:`\theta_\tau` of the bath ancilla: :math:`\cos\theta_\tau = \tanh(1/2T)`.

    ``ry(theta_tau)`` then dephasing leaves :math:`\mathrm{diag}(1-e, e)` with the excited population
    :math:`e = \sin^2(\theta_\tau/2) = 1/(1+e^{1/T})`. Safe at ``T = 0`` and ``T = inf`` numerically.
    """
    if is_symbolic(T):
        beta: Any = 1 / T
        x = (-beta).exp()
        return ((1 - x) / (1 + x)).arccos()
    e = 0.5 * (1.0 - float(bath_polarization(float(T))))
    return 2.0 * math.asin(math.sqrt(e))
