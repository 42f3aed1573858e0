r"""Collision *designs*: ONE collision of the model as a circuit, for the noisy fixed point of a device.

A design is a way of realizing one collision :math:`C = R\,U` (or its Strang form) on hardware; each
returns a circuit on the four qubits of :mod:`qc_reset.circuits.parameters` (Qiskit 0 = paper qubit 2,
Qiskit 1 = paper qubit 1, ancillas 2, 3), whose channel on the system qubits (ancillas start in
:math:`|0\rangle` and are traced out) is the collision:

* ``"strang"``: the dilated Strang step of :func:`qc_reset.circuits.step_circuit` (22 CNOTs before
  transpiling: two partial SWAPs of 2 and two controlled-swap resets of 9).
* ``"trotter"``: the dilated Lie-Trotter step (13 CNOTs: one partial SWAP, two controlled-swap resets).
* ``"fresh"``: the Lie-Trotter step with :math:`q_2 = 1` (:math:`p_2 = \infty`): qubit 2 is *replaced*
  every collision by ``reset`` + preparation of :math:`\tau_2` (``h`` at :math:`T_2 = 0`; a CNOT into an
  ancilla that is reset dephases it at :math:`T_2 > 0`), so it needs no controlled swap; qubit 1 keeps
  the controlled-swap reset (11 CNOTs at :math:`T_2 = 0`).
* ``"fresh_dynamic"``: ``"fresh"`` with qubit 1's reset done by a mid-circuit measurement: the ancilla
  ``ry(theta_q)`` (:math:`\sin^2(\theta_q/2) = q_1`) is measured and ``if_test`` resets qubit 1 (and
  prepares :math:`\tau_1` when :math:`T_1 > 0`): at :math:`T_1 = T_2 = 0` the only two-qubit gates are the
  2 CNOTs of the partial SWAP. The channel is the same: the measured ancilla is a classical coin.

``"fresh"`` and ``"fresh_dynamic"`` are the regime of the magic optimum of :mod:`qc_reset.model.optimum`
(:math:`p_2\to\infty`, qubit 2 pinned to :math:`|+\rangle`). The builders accept numeric
:class:`~qc_reset.model.Params` or :class:`~qc_reset.circuits.CircuitParameters` (angles as
``ParameterExpression`` s, so one transpiled circuit serves a whole search); with numeric temperatures
:math:`T = 0` the bath-dephasing CNOTs are left out. They are built from the gates of
:mod:`qc_reset.circuits.collision` (the same partial SWAP and controlled-swap reset); this module holds
the designs that :mod:`qc_reset.circuits` does not build, behind the one entry point
:func:`collision_circuit`, so that a design added there replaces its entry here without changing callers.
"""

from __future__ import annotations

import math

from qiskit import QuantumCircuit

from .._checks import InputError, quote
from ..circuits.collision import step_circuit
from ..circuits.parameters import (
    ANCILLAS,
    PAPER_TO_QISKIT,
    Angle,
    CircuitParameters,
    bath_angle,
    is_symbolic,
    require_params,
    reset_angle,
    validate_dt,
)
from ..model.params import Params

__all__ = ["DESIGNS", "DYNAMIC_DESIGNS", "check_design", "collision_circuit", "design_q2_is_one"]

#: Collision designs of :func:`collision_circuit`.
DESIGNS: tuple[str, ...] = ("strang", "trotter", "fresh", "fresh_dynamic")
#: Designs with mid-circuit measurement and ``if_test`` (the device must support ``if_else``).
DYNAMIC_DESIGNS: tuple[str, ...] = ("fresh_dynamic",)

_A, _B = ANCILLAS
_Q1, _Q2 = PAPER_TO_QISKIT[1], PAPER_TO_QISKIT[2]


def check_design(design: object) -> str:
    """``design`` if it is one of :data:`DESIGNS`; ``InputError`` naming them otherwise."""
    if not isinstance(design, str) or design not in DESIGNS:
        raise InputError(f"design must be one of {', '.join(DESIGNS)}; got {quote(design)}")
    return design


def design_q2_is_one(design: str) -> bool:
    """True for the designs that replace qubit 2 every collision (:math:`q_2 = 1`, :math:`p_2` unused)."""
    return check_design(design).startswith("fresh")


def _nonzero(angle: Angle) -> bool:
    return is_symbolic(angle) or abs(float(angle)) > 0.0


def _exchange(qc: QuantumCircuit, g: Angle, dt: Angle) -> None:
    """exp(-i H dt): p(-dt/2) on both qubits, then the two-CNOT partial SWAP (as circuits.collision's cnot2)."""
    qc.p(-dt / 2, 0)
    qc.p(-dt / 2, 1)
    phi = g * dt
    qc.s(0)
    qc.ry(math.pi / 2, 1)
    qc.cx(1, 0)
    qc.ry(-phi, 0)
    qc.ry(-phi, 1)
    qc.cx(1, 0)
    qc.sdg(0)
    qc.ry(-math.pi / 2, 1)


def _prepare_bath(qc: QuantumCircuit, qubit: int, theta_tau: Angle, x_basis: bool) -> None:
    """``qubit`` (in |0>) -> tau: ry(theta_tau), dephased by a CNOT into ancilla A that is reset; h for X."""
    if _nonzero(theta_tau):
        qc.ry(theta_tau, qubit)
        qc.cx(qubit, _A)
        qc.reset(_A)
    if x_basis:
        qc.h(qubit)


def _swap_reset(qc: QuantumCircuit, theta_q: Angle, theta_tau: Angle) -> None:
    """Qubit 1 -> tau1 with probability q: bath ancilla B, which-ancilla A, controlled swap (cx.ccx.cx)."""
    a, b = _A, _B
    if _nonzero(theta_tau):
        qc.ry(theta_tau, b)
        qc.cx(b, a)
        qc.reset(a)
    qc.ry(theta_q, a)
    qc.cx(_Q1, b)
    qc.ccx(a, b, _Q1)
    qc.cx(_Q1, b)
    qc.reset(a)
    qc.reset(b)


def _measured_reset(qc: QuantumCircuit, theta_q: Angle, theta_tau: Angle) -> None:
    """Qubit 1 -> tau1 with probability q: measure ancilla A after ry(theta_q); if 1, reset and prepare."""
    qc.ry(theta_q, _A)
    qc.measure(_A, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.reset(_Q1)
        if _nonzero(theta_tau):
            qc.ry(theta_tau, _Q1)
            qc.cx(_Q1, _B)
            qc.reset(_B)
    qc.reset(_A)


def collision_circuit(design: str, params: Params | CircuitParameters, dt: Angle | None = None) -> QuantumCircuit:
    r"""ONE collision of ``design`` (see the module docstring) on 4 qubits (1 clbit for the dynamic design).

    Args:
        design: one of :data:`DESIGNS`.
        params: numeric :class:`~qc_reset.model.Params` or :class:`~qc_reset.circuits.CircuitParameters`
            (``p2`` is unused by the ``fresh`` designs: :math:`q_2 = 1`).
        dt: collision length (model time); defaults to ``params.dt`` for :class:`CircuitParameters`.

    The channel of the circuit on the system qubits, ancillas from :math:`|0\rangle`, is
    :func:`qc_reset.model.channels.trotter_step_superop` of order 2 (``strang``) or 1 (the others), with
    :math:`q_2 = 1` for the ``fresh`` designs (tested with ``qiskit.quantum_info.SuperOp``).
    """
    design = check_design(design)
    params = require_params(params)
    if dt is None:
        if not isinstance(params, CircuitParameters):
            raise InputError("dt must be given for numeric Params (a finite number in (0, +inf))")
        dt = params.dt
    validate_dt(dt)
    if not is_symbolic(dt):
        dt = float(dt)
    if design in ("strang", "trotter"):
        qc = step_circuit(params, dt, order=2 if design == "strang" else 1, realization="dilated")
        qc.name = f"collision_{design}"
        return qc
    dynamic = design in DYNAMIC_DESIGNS
    qc = QuantumCircuit(4, 1 if dynamic else 0, name=f"collision_{design}")
    _exchange(qc, params.g, dt)
    theta_q, theta_1 = reset_angle(params.p1, dt), bath_angle(params.T1)
    if dynamic:
        _measured_reset(qc, theta_q, theta_1)
    else:
        _swap_reset(qc, theta_q, theta_1)
    qc.reset(_Q2)
    _prepare_bath(qc, _Q2, bath_angle(params.T2), x_basis=True)
    return qc
