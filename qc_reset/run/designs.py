r"""Collision *designs* for device runs: ONE collision as a circuit, named by how its resets are made.

A design realizes one collision :math:`C = R\,U` (or its Strang form) of
:mod:`qc_reset.model.collision` on the four qubits of :mod:`qc_reset.circuits.parameters` (Qiskit 0 =
paper qubit 2, Qiskit 1 = paper qubit 1, ancillas 2, 3); its channel on the system qubits (ancillas from
:math:`|0\rangle`, traced out, classical bits discarded) is
:func:`qc_reset.model.collision.collision_superop`. Two-qubit gates before transpiling, at
:math:`T_1 = T_2 = 0`:

* ``"strang"``: dilated resets, order 2 (:func:`qc_reset.circuits.designs.collision_circuit`,
  ``"dilated"``): two partial SWAPs (2 CNOTs each) and two controlled-swap resets (9 each): 22.
* ``"trotter"``: the same, order 1: 20.
* ``"dilated_fresh"``: order 1 with :math:`q_2 = 1` (:math:`p_2 = \infty`): qubit 2 is *replaced* every
  collision (``reset`` + preparation, :func:`qc_reset.circuits.designs.fresh_reset`), qubit 1 keeps the
  controlled-swap reset: 11.
* ``"dynamic"``: order 1, both resets by a measured ancilla and one ``if_test`` (``"dynamic"`` of
  :mod:`qc_reset.circuits.designs`): 2 (the partial SWAP).
* ``"dynamic_fresh"``: ``"dynamic"`` with :math:`q_2 = 1` (qubit 2 replaced, no ancilla): 2.

The ``*_fresh`` designs are the regime of the magic optimum of :mod:`qc_reset.model.optimum`
(:math:`p_2\to\infty`, qubit 2 pinned to :math:`|+\rangle`); their ``p2`` is unused. Only
``"dilated_fresh"`` is built here, from the public pieces of :mod:`qc_reset.circuits.designs`; the others
are that module's circuits, so this module is a name table and one entry point, :func:`collision_circuit`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from qiskit import QuantumCircuit

from .._checks import InputError, quote
from ..circuits import designs as circuit_designs
from ..circuits.parameters import PAPER_TO_QISKIT
from ..model.collision import CollisionParams
from ..model.params import Params

__all__ = ["DESIGNS", "DYNAMIC_DESIGNS", "check_design", "design_q2_is_one", "collision_params",
           "collision_circuit"]

#: Collision designs of :func:`collision_circuit`.
DESIGNS: tuple[str, ...] = ("strang", "trotter", "dilated_fresh", "dynamic", "dynamic_fresh")
#: Designs with mid-circuit measurement and ``if_test`` (the device must support ``if_else``).
DYNAMIC_DESIGNS: tuple[str, ...] = ("dynamic", "dynamic_fresh")


def check_design(design: Any) -> str:
    """``design`` if it is one of :data:`DESIGNS`; ``InputError`` naming them otherwise."""
    if not isinstance(design, str) or design not in DESIGNS:
        raise InputError(f"design must be one of {', '.join(DESIGNS)}; got {quote(design)}")
    return design


def design_q2_is_one(design: str) -> bool:
    """True for the designs that replace qubit 2 every collision (:math:`q_2 = 1`, :math:`p_2` unused)."""
    return check_design(design).endswith("_fresh")


def collision_params(design: str, params: Params | CollisionParams, dt: float | None = None) -> CollisionParams:
    r"""The :class:`~qc_reset.model.collision.CollisionParams` of ``design`` at a model point.

    ``params`` is numeric :class:`~qc_reset.model.Params` with ``dt`` (:math:`q_i = 1 - e^{-p_i dt}`,
    :math:`\phi = g\,dt`, :math:`\theta = dt`) or a :class:`CollisionParams`; the order is the design's and
    the ``*_fresh`` designs set :math:`q_2 = 1`.
    """
    design = check_design(design)
    order = 2 if design == "strang" else 1
    if isinstance(params, CollisionParams):
        cp = dataclasses.replace(params, order=order)
    elif isinstance(params, Params):
        if dt is None:
            raise InputError("dt must be given for numeric Params (a finite number in (0, +inf))")
        cp = CollisionParams.from_params(params, dt, order=order)
    else:
        raise InputError(f"params must be a qc_reset.Params or a CollisionParams; got {quote(params, 60)}")
    return dataclasses.replace(cp, q2=1.0) if design_q2_is_one(design) else cp


def collision_circuit(design: str, params: Params | CollisionParams, dt: float | None = None) -> QuantumCircuit:
    r"""ONE collision of ``design`` (module docstring) at ``params`` (and ``dt`` for :class:`Params`).

    Its channel on the system qubits is :func:`qc_reset.model.collision.collision_superop` of
    :func:`collision_params` (tested with ``qiskit.quantum_info.SuperOp`` and the noisy-superoperator path).
    """
    cp = collision_params(design, params, dt)
    if design in ("strang", "trotter"):
        qc = circuit_designs.collision_circuit(cp, "dilated")
    elif design in DYNAMIC_DESIGNS:
        qc = circuit_designs.collision_circuit(cp, "dynamic")
    else:
        angles = circuit_designs.collision_angles(cp)
        qc = circuit_designs.empty_design_circuit("dynamic", name="collision_dilated_fresh")
        circuit_designs.collision_unitary(qc, angles["phi"], angles["phase"])
        circuit_designs.dilated_reset(qc, PAPER_TO_QISKIT[1], angles["theta_q"][0], angles["theta_tau"][0],
                                      x_basis=False)
        circuit_designs.fresh_reset(qc, PAPER_TO_QISKIT[2], angles["theta_tau"][1], qc.cregs[-1][1], x_basis=True,
                                    zero_T=angles["T_zero"][1])
    qc.name = f"collision_{design}"
    qc.metadata = {**(qc.metadata or {}), "run_design": design}
    return qc
