r"""Shallow collision designs: one collision of the model as a circuit, in three hardware designs (builders only).

One collision (:mod:`qc_reset.model.collision`) is the unitary :math:`U(\theta, \phi)` (free phase
``p(-theta/2)`` on each system qubit and the partial SWAP of angle :math:`\phi`, as two CNOTs) and the
two resets :math:`\rho\mapsto(1-q_i)\rho + q_i\,\tau_i\otimes\mathrm{Tr}_i\rho`. The designs differ in how
a reset with probability :math:`q` is made:

* ``"dilated"``: unitary dilation (two ancillas, a controlled SWAP written ``cx . ccx . cx``, ``reset`` of
  the ancillas), as :func:`qc_reset.circuits.step_circuit` with ``realization="dilated"``. No measurement.
* ``"dynamic"``: one reusable ancilla per bath and one *non-nested* ``if_test``: ``ry(2 asin sqrt q)`` on
  the ancilla so that :math:`P(1) = q`, ``measure`` it into a classical bit, and under
  ``with qc.if_test((bit, 1))``: ``reset`` the system qubit, ``ry(theta_tau)`` with
  :math:`\sin^2(\theta_\tau/2) = 1/(1+e^{1/T})`, a mid-circuit ``measure`` of the system qubit into a scratch
  bit (it dephases the qubit to :math:`\mathrm{diag}(1-e, e)`; left out at a numeric :math:`T = 0`), and
  ``h`` for the X-basis spin bath; then ``reset`` the ancilla for reuse. No loops, no nesting: what IBM
  devices run as dynamic circuits. A bath with numeric :math:`q = 1` gets the fresh block instead.
* ``"fresh"``: :math:`q_1 = q_2 = 1`, "a fresh bath qubit every collision": ``reset`` and preparation of
  each system qubit only (no ancilla, no ``if_test``).

**Qubits.** System qubits are Qiskit qubits 0 and 1 with paper qubit 1 (heat bath) on Qiskit qubit 1 and
paper qubit 2 (spin bath) on Qiskit qubit 0 (:data:`~.parameters.PAPER_TO_QISKIT`), so the little-endian
``DensityMatrix`` of ``[0, 1]`` is ``kron(rho_q1, rho_q2)``. Ancillas are Qiskit qubits 2 and 3: in
``dynamic`` qubit 2 serves paper qubit 1's bath and qubit 3 paper qubit 2's; in ``dilated`` they are the
"which" control and the bath qubit (:data:`~.parameters.ANCILLAS`). ``dynamic`` circuits have the classical
register ``which`` (bit 0: paper qubit 1's reset happened, bit 1: paper qubit 2's) and ``bath`` (the
dephasing scratch bits, same order); ``fresh`` has ``bath`` only.

Angles may be :class:`~qiskit.circuit.ParameterExpression` s of :class:`~.parameters.CircuitParameters`
(``g, p1, p2, T1, T2, dt``: :math:`\phi = g\,dt`, :math:`\theta = dt`, :math:`q = 1-e^{-p\,dt}`).
"""

from __future__ import annotations

import math
from typing import Any

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Clbit
from qiskit.circuit.library import XXPlusYYGate

from .._checks import InputError, quote
from ..model.collision import CollisionParams
from ..model.params import Params
from .parameters import (
    ANCILLAS,
    PAPER_TO_QISKIT,
    Angle,
    CircuitParameters,
    bath_angle,
    is_symbolic,
    reset_angle,
    validate_order,
)

__all__ = [
    "DESIGNS",
    "DYNAMIC_ANCILLA",
    "design_qubits",
    "empty_design_circuit",
    "collision_angles",
    "exchange",
    "collision_unitary",
    "dilated_reset",
    "dynamic_reset",
    "fresh_reset",
    "append_design_resets",
    "collision_circuit",
]

#: The collision designs of :func:`collision_circuit`.
DESIGNS: tuple[str, ...] = ("dilated", "dynamic", "fresh")
#: Paper qubit -> the Qiskit ancilla of its bath in the ``dynamic`` design.
DYNAMIC_ANCILLA: dict[int, int] = {1: ANCILLAS[0], 2: ANCILLAS[1]}


def design_qubits(design: str) -> int:
    """Number of qubits of a design's circuit: 4 (``dilated``, ``dynamic``) or 2 (``fresh``)."""
    return 2 if _check_design(design) == "fresh" else 4


def _check_design(design: Any) -> str:
    if not isinstance(design, str) or design not in DESIGNS:
        raise InputError(f"design must be one of {', '.join(DESIGNS)}; got {quote(design)}")
    return design


def empty_design_circuit(design: str, name: str | None = None) -> QuantumCircuit:
    """The empty circuit of a design: its qubits and (``dynamic``: ``which`` and ``bath``; ``fresh``: ``bath``)
    classical registers, laid out as in the module docstring."""
    design = _check_design(design)
    regs: list[Any] = [QuantumRegister(design_qubits(design), "q")]
    if design == "dynamic":
        regs.append(ClassicalRegister(2, "which"))
    if design in ("dynamic", "fresh"):
        regs.append(ClassicalRegister(2, "bath"))
    return QuantumCircuit(*regs, name=name)


def collision_angles(
    params: CollisionParams | Params | CircuitParameters, dt: Angle | None = None
) -> dict[str, Any]:
    r"""The angles of one collision: ``phi``, ``phase``, ``theta_q`` and ``theta_tau`` (each a pair for paper
    qubits 1 and 2), ``q_one`` (numeric :math:`q = 1` per bath) and ``T_zero`` (numeric :math:`T = 0`).

    :math:`\sin^2(\theta_q/2) = q` and :math:`\sin^2(\theta_\tau/2) = 1/(1+e^{1/T})`. ``params`` is a
    :class:`~qc_reset.model.collision.CollisionParams`, or numeric :class:`Params` / symbolic
    :class:`CircuitParameters` with ``dt`` (default ``params.dt`` for the latter).
    """
    if isinstance(params, CollisionParams):
        qs: tuple[Any, Any] = (params.q1, params.q2)
        theta_q: tuple[Any, Any] = tuple(2.0 * math.asin(math.sqrt(q)) for q in qs)  # type: ignore[assignment]
        phi: Any = params.phi
        phase: Any = params.phase
        Ts: tuple[Any, Any] = (params.T1, params.T2)
        q_one = (params.q1 == 1.0, params.q2 == 1.0)
    elif isinstance(params, (Params, CircuitParameters)):
        if dt is None:
            if not isinstance(params, CircuitParameters):
                raise InputError("dt must be given for numeric Params (a finite number in (0, +inf))")
            dt = params.dt
        if isinstance(params, Params) and not is_symbolic(dt):
            return collision_angles(CollisionParams.from_params(params, float(dt)))
        theta_q = (reset_angle(params.p1, dt), reset_angle(params.p2, dt))
        phi, phase, Ts, q_one = params.g * dt, dt, (params.T1, params.T2), (False, False)
    else:
        raise InputError(f"params must be a CollisionParams, Params or CircuitParameters; got "
                         f"{type(params).__name__} {quote(params, 60)}")
    return {"phi": phi, "phase": phase, "theta_q": theta_q, "theta_tau": tuple(bath_angle(T) for T in Ts),
            "q_one": q_one, "T_zero": tuple((not is_symbolic(T)) and float(T) == 0.0 for T in Ts)}


def exchange(qc: QuantumCircuit, a: int, b: int, phi: Angle, gate: str = "cnot2") -> None:
    r"""Append the partial SWAP :math:`e^{-i\phi(XX+YY)/2}` on qubits ``a``, ``b`` (symmetric in them).

    ``gate`` (:data:`~.parameters.EXCHANGE_GATES`): ``"cnot2"``, Qiskit's two-CNOT definition of
    ``XXPlusYYGate(2 phi)`` (with :math:`S R_x(a) S^\dagger = R_y(a)`); ``"rxx_ryy"``, the commuting
    ``rxx(phi) ryy(phi)``; ``"xx_plus_yy"``, the library gate itself. The one builder of the exchange
    for every circuit of the package (two-qubit steps, designs, chains).
    """
    if gate == "rxx_ryy":
        qc.rxx(phi, a, b)
        qc.ryy(phi, a, b)
    elif gate == "xx_plus_yy":
        qc.append(XXPlusYYGate(2 * phi), [a, b])
    else:
        qc.s(a)
        qc.ry(math.pi / 2, b)
        qc.cx(b, a)
        qc.ry(-phi, a)
        qc.ry(-phi, b)
        qc.cx(b, a)
        qc.sdg(a)
        qc.ry(-math.pi / 2, b)


def collision_unitary(qc: QuantumCircuit, phi: Angle, phase: Angle) -> None:
    r"""Append :math:`U = e^{-i\theta H_0}e^{-i\phi(XX+YY)/2}` on the system qubits: ``p(-theta/2)`` on each,
    then Qiskit's two-CNOT form of ``XXPlusYYGate(2 phi)`` (:func:`exchange`)."""
    qc.p(-phase / 2, 0)
    qc.p(-phase / 2, 1)
    exchange(qc, 0, 1, phi)


def dilated_reset(qc: QuantumCircuit, qubit: int, theta_q: Angle, theta_tau: Angle, *, x_basis: bool,
                  ancillas: tuple[int, int] = ANCILLAS) -> None:
    """Append the dilated reset of ``qubit`` with the ancilla pair ``ancillas`` (left in ``|0>`` for reuse).

    The bath ancilla ``ry(theta_tau)`` is dephased by a CNOT into the other ancilla and its reset (the
    purification is traced out), ``h`` for an X-basis bath; the other ancilla's ``ry(theta_q)`` then controls a
    swap into ``qubit``, written CNOT-Toffoli-CNOT (Aer's density-matrix method has ``ccx`` but not ``cswap``).
    """
    a, b = ancillas
    qc.ry(theta_tau, b)
    qc.cx(b, a)
    qc.reset(a)  # trace out the purification: b is now diag(1 - e, e)
    if x_basis:
        qc.h(b)
    qc.ry(theta_q, a)
    qc.cx(qubit, b)
    qc.ccx(a, b, qubit)
    qc.cx(qubit, b)
    qc.reset(a)
    qc.reset(b)


def _prepare(qc: QuantumCircuit, qubit: int, theta_tau: Angle, scratch: Clbit | int, *, x_basis: bool,
             zero_T: bool) -> None:
    """reset; ry(theta_tau); measure (dephase; not at T = 0); h for the X basis."""
    qc.reset(qubit)
    if not zero_T:
        qc.ry(theta_tau, qubit)
        qc.measure(qubit, scratch)
    if x_basis:
        qc.h(qubit)


def fresh_reset(qc: QuantumCircuit, qubit: int, theta_tau: Angle, scratch: Clbit | int, *, x_basis: bool,
                zero_T: bool = False) -> None:
    r"""Append the certain reset of ``qubit`` to :math:`\tau` (:math:`q = 1`): ``reset``, ``ry``, a dephasing
    ``measure`` into ``scratch`` (left out with ``zero_T``), ``h`` for the X basis."""
    _prepare(qc, qubit, theta_tau, scratch, x_basis=x_basis, zero_T=zero_T)


def dynamic_reset(qc: QuantumCircuit, qubit: int, ancilla: int, which: Clbit | int, scratch: Clbit | int,
                  theta_q: Angle, theta_tau: Angle, *, x_basis: bool, zero_T: bool = False) -> None:
    r"""Append the reset of ``qubit`` to :math:`\tau` with probability :math:`q = \sin^2(\theta_q/2)`.

    ``ry(theta_q)`` on ``ancilla``, ``measure`` it into ``which``, and under one ``if_test((which, 1))`` the
    fresh block (:func:`fresh_reset`); then ``reset`` the ancilla for reuse.
    """
    qc.ry(theta_q, ancilla)
    qc.measure(ancilla, which)
    with qc.if_test((which, 1)):
        _prepare(qc, qubit, theta_tau, scratch, x_basis=x_basis, zero_T=zero_T)
    qc.reset(ancilla)


def _resets(qc: QuantumCircuit, design: str, angles: dict[str, Any]) -> None:
    for k, (paper, x_basis) in enumerate(((1, False), (2, True))):
        qubit = PAPER_TO_QISKIT[paper]
        th_q, th_tau, zero_T = angles["theta_q"][k], angles["theta_tau"][k], angles["T_zero"][k]
        if design == "dilated":
            dilated_reset(qc, qubit, th_q, th_tau, x_basis=x_basis)
        elif design == "fresh" or angles["q_one"][k]:
            fresh_reset(qc, qubit, th_tau, qc.cregs[-1][k], x_basis=x_basis, zero_T=zero_T)
        else:
            which, bath = qc.cregs
            dynamic_reset(qc, qubit, DYNAMIC_ANCILLA[paper], which[k], bath[k], th_q, th_tau, x_basis=x_basis,
                          zero_T=zero_T)


def append_design_resets(qc: QuantumCircuit, design: str, angles: dict[str, Any]) -> None:
    """Append both resets of ``design`` with ``angles`` (:func:`collision_angles`) to a circuit built by
    :func:`empty_design_circuit` (used by :func:`qc_reset.circuits.step_circuit` for ``realization="dynamic"``)."""
    _resets(qc, _check_design(design), angles)


def collision_circuit(
    params: CollisionParams | Params | CircuitParameters,
    design: str = "dilated",
    order: int | None = None,
    *,
    dt: Angle | None = None,
) -> QuantumCircuit:
    r"""One collision of ``design`` as a circuit.

    System qubits are Qiskit qubits 0 and 1: paper qubit 1 (heat bath) is Qiskit qubit 1 and paper qubit 2
    (spin bath) Qiskit qubit 0 (:data:`~qc_reset.circuits.parameters.PAPER_TO_QISKIT`); ``dilated`` and
    ``dynamic`` add the ancillas 2 and 3 (``dynamic``: 2 for paper qubit 1's bath, 3 for paper qubit 2's),
    ``fresh`` has none. Classical registers: ``dynamic`` ``which`` and ``bath``, ``fresh`` ``bath`` (bit k
    for paper qubit k + 1); ``metadata`` records the design, order and the qubit mapping.

    Its channel on the system qubits (ancillas from and back to :math:`|0\rangle`, classical bits discarded) is
    :func:`qc_reset.model.collision.collision_superop`: order 1 :math:`RU`, order 2 :math:`U_{1/2}RU_{1/2}`.

    Args:
        params: a :class:`~qc_reset.model.collision.CollisionParams` (``q = 1`` allowed), or numeric
            :class:`Params` / symbolic :class:`CircuitParameters` with ``dt`` (the Trotter step of length dt).
        design: ``"dilated"``, ``"dynamic"`` or ``"fresh"`` (``fresh`` needs ``q1 = q2 = 1``).
        order: 1 or 2; default ``params.order`` for :class:`CollisionParams`, else 1.
        dt: step length for :class:`Params` / :class:`CircuitParameters` (default ``params.dt`` for the latter).

    Example:
        >>> cp = CollisionParams(q1=1.0, q2=1.0, phi=0.3, phase=0.5, T1=0.2, T2=0.0)
        >>> collision_circuit(cp, "fresh").count_ops()["reset"]
        2
    """
    design = _check_design(design)
    if order is None:
        order = params.order if isinstance(params, CollisionParams) else 1
    order = validate_order(order)
    angles = collision_angles(params, dt)
    if design == "fresh" and not all(angles["q_one"]):
        got = (f"q1 = {params.q1:g}, q2 = {params.q2:g}" if isinstance(params, CollisionParams)
               else "finite rates p1, p2 (q < 1)")
        raise InputError(f"design 'fresh' needs q1 = q2 = 1 (a certain reset every collision); got {got}")
    qc = empty_design_circuit(design, name=f"collision_{design}_{order}")
    if order == 1:
        collision_unitary(qc, angles["phi"], angles["phase"])
        _resets(qc, design, angles)
    else:
        collision_unitary(qc, angles["phi"] / 2, angles["phase"] / 2)
        _resets(qc, design, angles)
        collision_unitary(qc, angles["phi"] / 2, angles["phase"] / 2)
    qc.metadata = {"design": design, "order": order, "system_qubits": [0, 1],
                   "paper_to_qiskit": dict(PAPER_TO_QISKIT)}
    return qc
