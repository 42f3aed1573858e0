r"""Trotterized collision circuits of the model: builders only (running is in :mod:`qc_reset.run.simulator`).

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
  :class:`~qiskit.circuit.ParameterExpression` s of the :class:`~.parameters.CircuitParameters`
  ``g, p1, p2, T1, T2, dt``.

The qubit mapping, angles and size budget are in :mod:`.parameters`. Qiskit's ``SuperOp`` (and Aer's
``superop`` instruction) stack columns; :func:`to_qiskit_superop` converts from the package's row-major
superoperators.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Instruction, ParameterExpression
from qiskit.circuit.library import StatePreparation
from qiskit.quantum_info import Kraus

from .._checks import InputError, two_qubit_state
from .._checks import steps as check_steps
from ..model import operators as model
from ..model.channels import from_qiskit_superop, replace_kraus, reset_kraus, to_qiskit_superop, trotter_step_superop
from ..model.params import ComplexArray, Params
from .designs import append_design_resets, collision_angles, dilated_reset, empty_design_circuit, exchange
from .parameters import (
    ANCILLAS,
    EXCHANGE_GATES,
    PAPER_TO_QISKIT,
    SYSTEM_QUBITS,
    Angle,
    CircuitParameters,
    bath_angle,
    check_circuit_steps,
    is_symbolic,
    require_params,
    reset_angle,
    validate_dt,
    validate_order,
    validate_realization,
)

__all__ = [
    "trotter_step_superop",
    "to_qiskit_superop",
    "from_qiskit_superop",
    "superop_instruction",
    "reset_kraus",
    "replace_kraus",
    "step_circuit",
    "initial_state_circuit",
    "trotter_circuit",
]

_ANCILLA_A, _ANCILLA_B = ANCILLAS


# ---------------------------------------------------------------------------- exact channels / conversion
def superop_instruction(S: npt.ArrayLike, label: str | None = None) -> Instruction:
    """Aer's raw ``superop`` instruction for a package (row-major) 16x16 superoperator.

    Append it on :data:`SYSTEM_QUBITS`; it runs in ``AerSimulator(method="density_matrix")``.
    """
    inst = Instruction("superop", 2, 0, [to_qiskit_superop(S)])
    if label is not None:
        inst.label = label
    return inst


# --------------------------------------------------------------------------------------------- builders
def _unitary_block(qc: QuantumCircuit, g: Angle, dt: Angle, exchange_gate: str) -> None:
    """exp(-i H dt): free phases p(-dt/2) on both qubits, then the partial SWAP (they commute)."""
    qc.p(-dt / 2, 0)
    qc.p(-dt / 2, 1)
    exchange(qc, 0, 1, g * dt, exchange_gate)


def _reset_block(qc: QuantumCircuit, params: Params | CircuitParameters, dt: Angle, realization: str) -> None:
    if realization == "dynamic":  # measurement + one if_test per bath (circuits.designs)
        append_design_resets(qc, "dynamic", collision_angles(params, dt))
        return
    for paper, p, T, x_basis in ((1, params.p1, params.T1, False), (2, params.p2, params.T2, True)):
        qubit = PAPER_TO_QISKIT[paper]
        if realization == "dilated":
            dilated_reset(qc, qubit, reset_angle(p, dt), bath_angle(T), x_basis=x_basis)
        else:
            if is_symbolic(p, T, dt):
                raise InputError("realization 'kraus' needs numeric parameters (Kraus matrices cannot be Parameters)")
            tau = model.tau1(float(T)) if paper == 1 else model.tau2(float(T))
            q = -math.expm1(-float(p) * float(dt))
            qc.append(Kraus(reset_kraus(tau, q)), [qubit])


def _num_qubits(realization: str) -> int:
    return 4 if realization in ("dilated", "dynamic") else 2


def _empty(realization: str, name: str) -> QuantumCircuit:
    if realization == "dynamic":  # the classical bits of the mid-circuit measurements
        return empty_design_circuit("dynamic", name=name)
    return QuantumCircuit(_num_qubits(realization), name=name)


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
    r"""One Trotter step as a circuit on 2 (``kraus``) or 4 (``dilated``, ``dynamic``) qubits.

    Its channel on the system qubits, ancillas starting in :math:`|0\rangle` and traced out, is
    :func:`trotter_step_superop`: :math:`S_1 = R\,U(dt)` or :math:`S_2 = U(dt/2)\,R\,U(dt/2)`.

    Args:
        params: numeric :class:`~qc_reset.model.Params`, or :class:`CircuitParameters` (dilated only).
        dt: step length; defaults to ``params.dt`` for :class:`CircuitParameters`.
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"kraus"``, ``"dilated"`` or ``"dynamic"`` (mid-circuit measurements and one
            ``if_test`` per bath, :mod:`qc_reset.circuits.designs`; its channel is the sum over measurement
            outcomes).
        exchange_gate: ``"rxx_ryy"`` (default for kraus), ``"cnot2"`` (default for dilated and dynamic: two CNOTs,
            ``s``/``sdg``/``ry``) or ``"xx_plus_yy"`` (``XXPlusYYGate``; must be transpiled for Aer).
    """
    params = require_params(params)
    realization = validate_realization(realization)
    order = validate_order(order)
    step = _resolve(params, dt)
    gate = exchange_gate or ("cnot2" if realization in ("dilated", "dynamic") else "rxx_ryy")
    if gate not in EXCHANGE_GATES:
        raise InputError(f"exchange_gate must be one of {', '.join(EXCHANGE_GATES)}; got {gate!r}")
    qc = _empty(realization, f"trotter{order}_step")
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
    params = require_params(params)
    realization = validate_realization(realization)
    qc = _empty(realization, "prepare")
    if initial_state is None:
        if realization in ("dilated", "dynamic"):
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
        rho0 = two_qubit_state(initial_state)
    if realization == "kraus":
        qc.append(Kraus(replace_kraus(rho0)), list(SYSTEM_QUBITS))
        return qc
    _append_purification(qc, rho0)
    return qc


def _append_purification(qc: QuantumCircuit, rho0: ComplexArray) -> None:
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
    n = check_steps(steps, allow_auto=False)
    assert isinstance(n, int)
    params = require_params(params)
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
        import qiskit_aer  # noqa: F401  (lazy, heavy: registers QuantumCircuit.save_density_matrix)

        qc.save_density_matrix(list(SYSTEM_QUBITS), label="rho")
    qc.metadata = {"order": validate_order(order), "realization": realization, "steps": n}
    return qc
