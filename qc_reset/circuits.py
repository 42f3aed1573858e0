r"""Trotterized collision circuits of the model: builders only (running is in :mod:`qc_reset.simulate`).

One Trotter step of length :math:`dt` is built from the pieces of :func:`qc_reset.model.step_channels`:
the free evolution :math:`e^{-iH_0 dt}` (two phase gates ``p(-dt/2)``), the partial SWAP
:math:`e^{-i g\,dt (XX+YY)/2}` and the two reset-to-thermal channels
:math:`\rho\mapsto(1-q_i)\rho + q_i\,\tau_i\otimes\mathrm{Tr}_i\rho` with :math:`q_i = 1-e^{-p_i dt}`.
With :math:`U = e^{-iH dt}` (exact, since :math:`H_0` commutes with the exchange) and
:math:`R = R_2 R_1` (the resets commute), the two orderings are

.. math::

    S_1(dt) = R(dt)\,U(dt) \quad\text{(Lie-Trotter)}, \qquad
    S_2(dt) = U(dt/2)\,R(dt)\,U(dt/2) \quad\text{(Strang)}.

Two realizations of the reset channels:

* ``"kraus"``: exact ``Kraus`` instructions (Aer's density-matrix method; no ancillas). The exchange is
  ``rxx(g dt) ryy(g dt)`` (they commute), which Aer runs natively.
* ``"dilated"``: hardware-native, only ``stdgates.inc`` gates and ``reset``: two ancillas, a "which" control
  ``ry(theta_q)`` with :math:`\sin^2(\theta_q/2) = q`, a bath ancilla ``ry(theta_tau)`` with
  :math:`\cos\theta_\tau = \tanh(1/2T)` dephased by a CNOT into the other ancilla and a ``reset`` of it
  (the purification is traced out), ``h`` for the X-basis spin bath, then a controlled swap into the system
  qubit (written ``cx . ccx . cx``, which Aer's density-matrix method runs natively) and ``reset`` of both
  ancillas for reuse. The exchange is Qiskit's two-CNOT decomposition of ``XXPlusYYGate``. Its angles may be
  :class:`~qiskit.circuit.ParameterExpression` s of the :class:`CircuitParameters` ``g, p1, p2, T1, T2, dt``.

**Qubit mapping.** Paper qubit 1 (heat bath) is Qiskit qubit 1 and paper qubit 2 (spin bath) is Qiskit
qubit 0; ancillas are Qiskit qubits 2 and 3. Then Qiskit's little-endian ``DensityMatrix.data`` of the
system qubits ``[0, 1]`` is directly ``kron(rho_q1, rho_q2)``, qubit 1 first, as in the rest of the package.
Qiskit's ``SuperOp`` (and Aer's ``superop`` instruction) stack columns; :func:`to_qiskit_superop`
converts from the package's row-major superoperators.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from qiskit import QuantumCircuit
from qiskit.circuit import Instruction, Parameter, ParameterExpression

from . import model
from ._checks import InputError, check_bytes, quote
from .model import ComplexArray, Params

__all__ = [
    "REALIZATIONS",
    "ORDERS",
    "EXCHANGE_GATES",
    "SYSTEM_QUBITS",
    "PAPER_TO_QISKIT",
    "CircuitParameters",
    "validate_dt",
    "validate_order",
    "validate_realization",
    "validate_steps",
    "MEMORY_LIMIT",
    "STEP_MEMORY",
    "circuit_memory",
    "check_circuit_steps",
    "reset_angle",
    "bath_angle",
    "trotter_step_superop",
    "to_qiskit_superop",
    "from_qiskit_superop",
    "superop_instruction",
    "reset_kraus",
    "replace_kraus",
    "step_circuit",
    "initial_state_circuit",
    "trotter_circuit",
    "REFERENCE_PARAMS",
    "REFERENCE_DT",
    "REFERENCE_ORDER",
    "REFERENCE_TOL",
    "reference_circuits",
    "export_qasm",
]

REALIZATIONS: tuple[str, ...] = ("kraus", "dilated")
ORDERS: tuple[int, ...] = (1, 2)
EXCHANGE_GATES: tuple[str, ...] = ("rxx_ryy", "xx_plus_yy", "cnot2")
#: Qiskit qubits of the system, in the order whose little-endian index is (paper q1, paper q2).
SYSTEM_QUBITS: tuple[int, int] = (0, 1)
#: Paper qubit -> Qiskit qubit.
PAPER_TO_QISKIT: dict[int, int] = {1: 1, 2: 0}
_ANCILLA_A, _ANCILLA_B = 2, 3  # "which" control / purifier, and the bath qubit

#: A gate angle or step length: a number, or a circuit parameter expression.
Angle: TypeAlias = "float | ParameterExpression"
_T_MIN = 1.0 / 700.0  # exp(1/T) must not overflow when Qiskit binds the symbolic bath angles

#: Memory budget (bytes) of one Aer run of unrolled Trotter circuits; larger runs are refused up front.
MEMORY_LIMIT: float = 4 * 2**30
#: Peak memory per Trotter step (bytes; Qiskit circuit plus Aer's assembled copy), measured with
#: 20,000 Strang steps on Aer 0.18 / Qiskit 2.6: kraus 506 MB (10 instructions per step), dilated
#: 1.51 GB (39 instructions), superop 287 MB (one 16x16 superoperator per step: Aer keeps a copy of
#: the matrix per instruction). Rounded up, so the estimate errs on the safe side.
STEP_MEMORY: dict[str, float] = {"kraus": 26 * 2**10, "dilated": 76 * 2**10, "superop": 15 * 2**10}


# ----------------------------------------------------------------------------------------- validation
def validate_dt(dt: Any) -> None:
    """Raise ``ValueError`` unless ``dt`` is a finite number > 0 (or a circuit parameter)."""
    if isinstance(dt, ParameterExpression):
        return
    if isinstance(dt, bool) or not isinstance(dt, (int, float, np.floating, np.integer)):
        raise InputError(f"dt must be a finite number in (0, +inf); got {dt!r}")
    if not (math.isfinite(float(dt)) and dt > 0):
        raise InputError(f"dt must be a finite number in (0, +inf); got {dt!r}")


def validate_order(order: Any) -> int:
    """Return ``order`` as an int, or raise ``ValueError`` naming the allowed values 1, 2."""
    if isinstance(order, (int, np.integer, str)) and not isinstance(order, bool) and str(order) in ("1", "2"):
        return int(order)
    raise InputError(f"order must be one of 1 (Lie-Trotter), 2 (Strang); got {order!r}")


def validate_realization(realization: Any) -> str:
    """Return ``realization``, or raise ``ValueError`` naming the allowed values."""
    if realization not in REALIZATIONS:
        raise InputError(f"realization must be one of {', '.join(REALIZATIONS)}; got {realization!r}")
    return str(realization)


def validate_steps(steps: Any, *, allow_auto: bool = True) -> int | Literal["auto"]:
    """Return ``steps`` as an int >= 1 (or ``"auto"``), or raise ``ValueError``.

    This checks the type only; how many steps a circuit may have depends on how it is run
    (:func:`check_circuit_steps`).
    """
    if allow_auto and isinstance(steps, str) and steps == "auto":
        return "auto"
    allowed = "an integer >= 1" + (" or 'auto'" if allow_auto else "")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InputError(f"steps must be {allowed}; got {quote(steps)}")
    return int(steps)


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
    ``power`` route of :mod:`qc_reset.simulate` applies :math:`S^N` as one instruction and needs no such
    check. Raises one ``InputError`` giving the estimate, the limit and the largest allowed number of steps.
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


def _params_or_symbols(params: Any) -> Params | CircuitParameters:
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


def _is_symbolic(*xs: Any) -> bool:
    return any(isinstance(x, ParameterExpression) for x in xs)


def reset_angle(p: Angle, dt: Angle) -> Angle:
    r"""Angle :math:`\theta_q` of the "which" control: :math:`\sin^2(\theta_q/2) = q = 1 - e^{-p\,dt}`.

    Numerically :math:`\theta_q = 2\arcsin\sqrt{q}`; symbolically :math:`\arccos(2e^{-p\,dt} - 1)`.
    """
    if _is_symbolic(p, dt):
        rate: Any = p * dt
        return (2 * (-rate).exp() - 1).arccos()
    q = -math.expm1(-float(p) * float(dt))
    return 2.0 * math.asin(math.sqrt(min(max(q, 0.0), 1.0)))


def bath_angle(T: Angle) -> Angle:
    r"""Angle :math:`\theta_\tau` of the bath ancilla: :math:`\cos\theta_\tau = \tanh(1/2T)`.

    ``ry(theta_tau)`` then dephasing leaves :math:`\mathrm{diag}(1-e, e)` with the excited population
    :math:`e = \sin^2(\theta_\tau/2) = 1/(1+e^{1/T})`. Safe at ``T = 0`` and ``T = inf`` numerically.
    """
    if _is_symbolic(T):
        beta: Any = 1 / T
        x = (-beta).exp()
        return ((1 - x) / (1 + x)).arccos()
    e = 0.5 * (1.0 - float(model.bath_polarization(float(T))))
    return 2.0 * math.asin(math.sqrt(e))


# ---------------------------------------------------------------------------- exact channels / conversion
def trotter_step_superop(params: Params, dt: float, order: int = 1) -> ComplexArray:
    r"""Exact 16x16 row-major superoperator of one Trotter step (qubit 1 first).

    :math:`S_1 = R_2 R_1 U(dt)`, :math:`S_2 = U(dt/2) R_2 R_1 U(dt/2)`, from :func:`model.step_channels`.
    """
    params = Params.require(params)
    validate_dt(dt)
    if isinstance(dt, ParameterExpression):
        raise InputError("dt must be a finite number in (0, +inf) for the exact step channel; got a Parameter")
    order = validate_order(order)
    full = model.step_channels(params, dt)
    R = full["reset2"] @ full["reset1"]
    if order == 1:
        return R @ full["free"] @ full["exchange"]
    half = model.step_channels(params, 0.5 * dt)
    U_half = half["free"] @ half["exchange"]
    return U_half @ R @ U_half


def to_qiskit_superop(S: npt.ArrayLike) -> ComplexArray:
    """Row-major (package) 16x16 superoperator -> Qiskit/Aer column-stacking ``SuperOp`` data.

    With the qubit mapping of this module the operator index order already agrees, so only the
    vectorization differs: ``S_col[(j,i),(l,k)] = S_row[(i,j),(k,l)]``.
    """
    arr = np.asarray(S, dtype=complex)
    d = int(round(math.sqrt(arr.shape[0])))
    return np.ascontiguousarray(arr.reshape(d, d, d, d).transpose(1, 0, 3, 2).reshape(d * d, d * d))


def from_qiskit_superop(S: npt.ArrayLike) -> ComplexArray:
    """Inverse of :func:`to_qiskit_superop` (the permutation is an involution)."""
    return to_qiskit_superop(S)


def superop_instruction(S: npt.ArrayLike, label: str | None = None) -> Instruction:
    """Aer's raw ``superop`` instruction for a package (row-major) 16x16 superoperator.

    Append it on :data:`SYSTEM_QUBITS`; it runs in ``AerSimulator(method="density_matrix")``.
    """
    inst = Instruction("superop", 2, 0, [to_qiskit_superop(S)])
    if label is not None:
        inst.label = label
    return inst


def _eig_kraus(rho: ComplexArray, dim: int) -> list[ComplexArray]:
    """Kraus operators sqrt(lambda_k)|psi_k><j| of rho -> Tr(rho_in) rho (replace channel)."""
    lam, vec = np.linalg.eigh(0.5 * (rho + rho.conj().T))
    ops = []
    for k in range(dim):
        if lam[k] > 1e-15:
            for j in range(dim):
                ops.append(math.sqrt(lam[k]) * np.outer(vec[:, k], np.eye(dim)[j]))
    return ops


def reset_kraus(tau: ComplexArray, q: float) -> list[ComplexArray]:
    r"""Single-qubit Kraus operators of :math:`\rho\mapsto(1-q)\rho + q\,\tau\,\mathrm{Tr}\rho`."""
    ops = [math.sqrt(q) * K for K in _eig_kraus(np.asarray(tau, dtype=complex), 2)]
    return ([math.sqrt(1.0 - q) * np.eye(2, dtype=complex)] if q < 1.0 else []) + ops


def replace_kraus(rho: npt.ArrayLike) -> list[ComplexArray]:
    """Two-qubit Kraus operators of the channel that prepares ``rho`` (4x4, qubit 1 first) from any state."""
    return _eig_kraus(np.asarray(rho, dtype=complex), 4)


# --------------------------------------------------------------------------------------------- builders
def _unitary_block(qc: QuantumCircuit, g: Angle, dt: Angle, exchange_gate: str) -> None:
    """exp(-i H dt): free phases p(-dt/2) on both qubits, then the partial SWAP (they commute)."""
    qc.p(-dt / 2, 0)
    qc.p(-dt / 2, 1)
    phi = g * dt
    if exchange_gate == "rxx_ryy":
        qc.rxx(phi, 0, 1)
        qc.ryy(phi, 0, 1)
    elif exchange_gate == "xx_plus_yy":
        from qiskit.circuit.library import XXPlusYYGate

        qc.append(XXPlusYYGate(2 * phi), [0, 1])
    else:  # cnot2: Qiskit's two-CNOT definition of XXPlusYYGate, with S Rx(a) S^dagger = Ry(a).
        qc.s(0)
        qc.ry(math.pi / 2, 1)
        qc.cx(1, 0)
        qc.ry(-phi, 0)
        qc.ry(-phi, 1)
        qc.cx(1, 0)
        qc.sdg(0)
        qc.ry(-math.pi / 2, 1)


def _dilated_reset(qc: QuantumCircuit, qubit: int, theta_q: Angle, theta_tau: Angle, x_basis: bool) -> None:
    a, b = _ANCILLA_A, _ANCILLA_B
    qc.ry(theta_tau, b)
    qc.cx(b, a)
    qc.reset(a)  # trace out the purification: b is now diag(1 - e, e)
    if x_basis:
        qc.h(b)
    qc.ry(theta_q, a)
    # cswap(a, b, qubit) as CNOT-Toffoli-CNOT: Aer's density-matrix method has ccx but not cswap.
    qc.cx(qubit, b)
    qc.ccx(a, b, qubit)
    qc.cx(qubit, b)
    qc.reset(a)
    qc.reset(b)


def _reset_block(qc: QuantumCircuit, params: Params | CircuitParameters, dt: Angle, realization: str) -> None:
    for paper, p, T, x_basis in ((1, params.p1, params.T1, False), (2, params.p2, params.T2, True)):
        qubit = PAPER_TO_QISKIT[paper]
        if realization == "dilated":
            _dilated_reset(qc, qubit, reset_angle(p, dt), bath_angle(T), x_basis)
        else:
            from qiskit.quantum_info import Kraus

            if _is_symbolic(p, T, dt):
                raise InputError("realization 'kraus' needs numeric parameters (Kraus matrices cannot be Parameters)")
            tau = model.tau1(float(T)) if paper == 1 else model.tau2(float(T))
            q = -math.expm1(-float(p) * float(dt))
            qc.append(Kraus(reset_kraus(tau, q)), [qubit])


def _num_qubits(realization: str) -> int:
    return 4 if realization == "dilated" else 2


def _resolve(params: Params | CircuitParameters, dt: Angle | None) -> Angle:
    if dt is None:
        if isinstance(params, CircuitParameters):
            return params.dt
        raise InputError("dt must be given for numeric Params (a finite number in (0, +inf))")
    validate_dt(dt)
    return float(dt) if not isinstance(dt, ParameterExpression) else dt


def step_circuit(
    params: Params | CircuitParameters,
    dt: Angle | None = None,
    *,
    order: int = 1,
    realization: str = "kraus",
    exchange_gate: str | None = None,
) -> QuantumCircuit:
    r"""One Trotter step as a circuit on 2 (``kraus``) or 4 (``dilated``) qubits.

    Its channel on the system qubits, ancillas starting in :math:`|0\rangle` and traced out, is
    :func:`trotter_step_superop`: :math:`S_1 = R\,U(dt)` or :math:`S_2 = U(dt/2)\,R\,U(dt/2)`.

    Args:
        params: numeric :class:`~qc_reset.model.Params`, or :class:`CircuitParameters` (dilated only).
        dt: step length; defaults to ``params.dt`` for :class:`CircuitParameters`.
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"kraus"`` or ``"dilated"``.
        exchange_gate: ``"rxx_ryy"`` (default for kraus), ``"cnot2"`` (default for dilated: two CNOTs,
            ``s``/``sdg``/``ry``) or ``"xx_plus_yy"`` (``XXPlusYYGate``; must be transpiled for Aer).
    """
    params = _params_or_symbols(params)
    realization = validate_realization(realization)
    order = validate_order(order)
    step = _resolve(params, dt)
    gate = exchange_gate or ("cnot2" if realization == "dilated" else "rxx_ryy")
    if gate not in EXCHANGE_GATES:
        raise InputError(f"exchange_gate must be one of {', '.join(EXCHANGE_GATES)}; got {gate!r}")
    qc = QuantumCircuit(_num_qubits(realization), name=f"trotter{order}_step")
    if order == 1:
        _unitary_block(qc, params.g, step, gate)
        _reset_block(qc, params, step, realization)
    else:
        _unitary_block(qc, params.g, step / 2, gate)
        _reset_block(qc, params, step, realization)
        _unitary_block(qc, params.g, step / 2, gate)
    return qc


def initial_state_circuit(
    params: Params | CircuitParameters,
    initial_state: npt.ArrayLike | None = None,
    *,
    realization: str = "kraus",
) -> QuantumCircuit:
    r"""Circuit preparing the initial state from :math:`|0\ldots0\rangle`; default :math:`\tau_1\otimes\tau_2`.

    ``initial_state`` is a 4x4 density matrix or a length-4 state vector, qubit 1 first. ``kraus``
    prepares it with one Kraus "replace" instruction; ``dilated`` with standard gates only: a pure state
    by ``StatePreparation`` on the system, a mixed one by preparing a purification on system + ancillas and
    resetting the ancillas, and the default by ``ry`` + a CNOT into an ancilla that is reset (+ ``h``).
    """
    params = _params_or_symbols(params)
    realization = validate_realization(realization)
    qc = QuantumCircuit(_num_qubits(realization), name="prepare")
    if initial_state is None:
        if realization == "dilated":
            for paper, T, x_basis in ((1, params.T1, False), (2, params.T2, True)):
                s = PAPER_TO_QISKIT[paper]
                qc.ry(bath_angle(T), s)
                qc.cx(s, _ANCILLA_A)
                qc.reset(_ANCILLA_A)
                if x_basis:
                    qc.h(s)
            return qc
        if not isinstance(params, Params):
            raise InputError("realization 'kraus' needs numeric parameters (Kraus matrices cannot be Parameters)")
        rho0: ComplexArray = np.kron(params.tau1(), params.tau2())
    else:
        rho0 = _as_density_matrix(initial_state)
    if realization == "kraus":
        from qiskit.quantum_info import Kraus

        qc.append(Kraus(replace_kraus(rho0)), list(SYSTEM_QUBITS))
        return qc
    _append_purification(qc, rho0)
    return qc


def _as_density_matrix(state: npt.ArrayLike) -> ComplexArray:
    if isinstance(state, (str, bytes, dict, set)):
        raise InputError(f"initial_state must be a 4x4 density matrix or a 4-vector; got {quote(state)}")
    try:
        arr = np.asarray(state, dtype=complex)
    except (TypeError, ValueError):
        raise InputError(f"initial_state must be a 4x4 density matrix or a 4-vector of numbers; got "
                         f"{quote(state)}") from None
    if arr.shape == (4,):
        norm = np.linalg.norm(arr)
        if not np.isfinite(norm) or abs(norm - 1.0) > 1e-8:
            raise InputError(f"initial_state must be a normalized 4-vector; got norm {norm!r}")
        return np.outer(arr, arr.conj())
    if arr.shape != (4, 4):
        raise InputError(f"initial_state must be a 4x4 density matrix or a 4-vector; got shape {arr.shape}")
    herm = np.abs(arr - arr.conj().T).max() <= 1e-10
    if not (herm and abs(np.trace(arr) - 1.0) <= 1e-10 and np.linalg.eigvalsh(arr).min() >= -1e-10):
        raise InputError("initial_state must be a density matrix (Hermitian, trace 1, positive semidefinite)")
    return 0.5 * (arr + arr.conj().T)


def _append_purification(qc: QuantumCircuit, rho0: ComplexArray) -> None:
    from qiskit import transpile
    from qiskit.circuit.library import StatePreparation

    lam, vec = np.linalg.eigh(rho0)
    lam = np.clip(lam, 0.0, None)
    keep = [k for k in np.argsort(lam)[::-1] if lam[k] > 1e-15]
    n_anc = 0 if len(keep) == 1 else (1 if len(keep) == 2 else 2)
    # Little-endian: index = ancilla_index * 4 + system_index (system index = paper (q1, q2) order).
    psi = np.zeros(4 << n_anc, dtype=complex)
    for slot, k in enumerate(keep):
        psi[slot * 4 : slot * 4 + 4] = math.sqrt(lam[k]) * vec[:, k]
    psi /= np.linalg.norm(psi)
    qubits = [0, 1, _ANCILLA_A, _ANCILLA_B][: 2 + n_anc]
    prep = QuantumCircuit(len(qubits))
    prep.append(StatePreparation(psi), range(len(qubits)))
    prep = transpile(prep, basis_gates=["rx", "ry", "rz", "cx"], optimization_level=1)
    qc.compose(prep, qubits, inplace=True)
    for a in qubits[2:]:
        qc.reset(a)


def trotter_circuit(
    params: Params | CircuitParameters,
    dt: Angle | None = None,
    steps: int = 1,
    *,
    order: int = 1,
    realization: str = "kraus",
    initial_state: npt.ArrayLike | None = None,
    exchange_gate: str | None = None,
    loop: bool = False,
    save: bool = True,
) -> QuantumCircuit:
    """Initial state, then ``steps`` Trotter steps, then (``save``) Aer's ``save_density_matrix``.

    The saved state (label ``"rho"``) is the two-qubit system state with ancillas traced out, whose
    ``data`` is qubit 1 first. With ``loop=True`` the steps are one ``for`` loop (compact OpenQASM 3);
    otherwise they are unrolled. Set ``save=False`` for a circuit that exports to OpenQASM 3.
    """
    n = validate_steps(steps, allow_auto=False)
    assert isinstance(n, int)
    params = _params_or_symbols(params)
    # A for loop is compact to build, but Aer unrolls it when it assembles the circuit: same budget.
    check_circuit_steps(n, validate_realization(realization))
    step = step_circuit(params, dt, order=order, realization=realization, exchange_gate=exchange_gate)
    qc = initial_state_circuit(params, initial_state, realization=realization)
    qc.name = f"trotter{order}_{realization}_{n}"
    if loop:
        with qc.for_loop(range(n)):
            qc.compose(step, inplace=True)
    else:
        for _ in range(n):
            qc.compose(step, inplace=True)
    if save:
        import qiskit_aer  # noqa: F401  (registers QuantumCircuit.save_density_matrix)

        qc.save_density_matrix(list(SYSTEM_QUBITS), label="rho")
    qc.metadata = {"order": validate_order(order), "realization": realization, "steps": n}
    return qc


# ------------------------------------------------------------------------------------ reference files
#: Reference point of the OpenQASM 3 files in ``circuits/`` (qubit 1 has steady magic here).
REFERENCE_PARAMS = Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0)
REFERENCE_DT = 0.1
REFERENCE_ORDER = 2
REFERENCE_TOL = 1e-10


def reference_circuits() -> tuple[dict[str, QuantumCircuit], dict[str, Any]]:
    r"""The dilated reference circuits (numeric angles, no save instruction) and their metadata.

    Returns ``({"dilated_step": one Strang step, "dilated_run": tau1 (x) tau2 then N steps in a for loop},
    metadata)``, with ``N = auto_steps`` to :data:`REFERENCE_TOL` and the expected final state
    :math:`S^N(\tau_1\otimes\tau_2)` (numpy, qubit 1 first) in the metadata.
    """
    from .simulate import auto_steps

    P, dt, order = REFERENCE_PARAMS, REFERENCE_DT, REFERENCE_ORDER
    S = trotter_step_superop(P, dt, order)
    rho0 = np.kron(P.tau1(), P.tau2())
    n = auto_steps(S, rho0, REFERENCE_TOL)
    rho_n = (np.linalg.matrix_power(S, n) @ rho0.reshape(16)).reshape(4, 4)
    step = step_circuit(P, dt, order=order, realization="dilated")
    run = trotter_circuit(P, dt, n, order=order, realization="dilated", loop=True, save=False)
    meta = {
        "params": P.to_dict(), "dt": dt, "order": order, "steps": n, "tol": REFERENCE_TOL,
        "qubits": {"paper_qubit_1": PAPER_TO_QISKIT[1], "paper_qubit_2": PAPER_TO_QISKIT[2],
                   "ancillas": [_ANCILLA_A, _ANCILLA_B]},
        # Rounded so that regenerating is byte-identical across BLAS builds (5e-14 << the 1e-10 checks).
        "rho_expected": {"re": np.round(rho_n.real, 13).tolist(), "im": np.round(rho_n.imag, 13).tolist()},
        "note": "rho_expected = S^N (tau1 x tau2), qubit 1 first, on Qiskit qubits [0, 1] with ancillas "
                "traced out; regenerate with `qc-reset export-qasm --out circuits/`.",
    }
    return {"dilated_step": step, "dilated_run": run}, meta


def export_qasm(out: str | Path) -> list[Path]:
    """Write ``dilated_step.qasm``, ``dilated_run.qasm`` and ``reference.json`` into ``out``.

    The output is deterministic: regenerating gives byte-identical files.
    """
    import json

    from qiskit import qasm3

    from .io import atomic_write_text  # a killed export never leaves a truncated file

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    circs, meta = reference_circuits()
    what = {
        "dilated_step": "one Trotter step (the channel S)",
        "dilated_run": f"tau1 (x) tau2, then {meta['steps']} steps (converged to tol={meta['tol']:g})",
    }
    paths = []
    for name, qc in circs.items():
        header = (
            f"// qc_reset dilated Trotter circuit, written by `qc-reset export-qasm`: {what[name]}.\n"
            "// Hardware-native: stdgates.inc gates and reset only. Reference point: g={g}, p1={p1}, "
            "p2={p2},\n// T1={T1}, T2={T2}; dt={dt}, order={order} (Strang). Paper qubit 1 = q[1], "
            "qubit 2 = q[0],\n// ancillas q[2], q[3]. See reference.json for the expected final state.\n"
        ).format(**meta["params"], dt=meta["dt"], order=meta["order"])
        path = folder / f"{name}.qasm"
        atomic_write_text(path, header + qasm3.dumps(qc) + "\n")
        paths.append(path)
    path = folder / "reference.json"
    atomic_write_text(path, json.dumps(meta, indent=1) + "\n")
    paths.append(path)
    return paths
