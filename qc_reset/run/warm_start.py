r"""Warm start of the collision circuits: begin near the fixed point, and count the steps it saves.

The default initial state :math:`\tau_1\otimes\tau_2` is far from the fixed point :math:`\rho_\star` of the
step channel :math:`S` (qubit 1 and qubit 2 both move: qubit 2 precesses, coherence builds up). A *warm
start* prepares the product of the fixed point's reduced states,

.. math:: \rho_w = \mathrm{Tr}_2\rho_\star \otimes \mathrm{Tr}_1\rho_\star ,

whose distance to :math:`\rho_\star` is only the correlations of the fixed point. Because distances to
the fixed point shrink like :math:`|\lambda_2|^N` (:func:`qc_reset.model.channels.second_eigenvalue`), the
steps to a tolerance :math:`\epsilon` drop from about :math:`\ln(\epsilon/D_0)/\ln|\lambda_2|` to
:math:`\ln(\epsilon/D_w)/\ln|\lambda_2|`: the saving is :math:`\ln(D_0/D_w)/\ln(1/|\lambda_2|)` steps.
The exact counts are :func:`qc_reset.model.channels.auto_steps` (the gap's guess, checked and bisected with
numpy); :class:`WarmStart` records both, with the gap's guesses.

The preparation (:func:`warm_start_circuit`) needs only rotations, one CNOT and one ``reset`` per qubit on one
purifier ancilla: a single-qubit state :math:`\lambda_0|v_0\rangle\langle v_0| + \lambda_1|v_1\rangle\langle v_1|`
is ``ry(theta)`` with :math:`\cos^2(\theta/2) = \lambda_0`, a CNOT into the purifier that is then reset
(leaving :math:`\mathrm{diag}(\lambda_0, \lambda_1)`), and the ZYZ rotations of :math:`V = (v_0\; v_1)`
(Qiskit's ``OneQubitEulerDecomposer``). The general route of
:func:`qc_reset.circuits.collision.initial_state_circuit` (``StatePreparation`` of a purification on two
ancillas) prepares the same state with more gates; this product form is what a device would run. The
builder lives here rather than in :mod:`qc_reset.circuits` because it serves only this run-layer study.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.synthesis import OneQubitEulerDecomposer

from .._checks import InputError
from .._checks import order as check_order
from .._checks import steps as check_steps
from ..circuits.collision import step_circuit
from ..circuits.parameters import ANCILLAS, PAPER_TO_QISKIT, SYSTEM_QUBITS, validate_dt, validate_realization
from ..model import measures
from ..model.channels import (
    DEFAULT_TOL,
    auto_steps,
    check_tol,
    fixed_point,
    second_eigenvalue,
    trace_distance,
    trotter_step_superop,
)
from ..model.operators import ComplexArray
from ..model.params import Params
from .simulator import require_points

__all__ = [
    "warm_start_state",
    "warm_start_circuit",
    "warm_start_trotter_circuit",
    "gap_steps",
    "WarmStart",
    "warm_start_steps",
    "warm_start_table",
]


def warm_start_state(params: Params, dt: float = 0.1, *, order: int = 2) -> ComplexArray:
    r""":math:`\mathrm{Tr}_2\rho_\star\otimes\mathrm{Tr}_1\rho_\star` of the step channel's fixed point.

    A 4x4 density matrix, qubit 1 first.
    """
    params = Params.require(params)
    validate_dt(dt)
    star = fixed_point(trotter_step_superop(params, float(dt), check_order(order)))
    return np.kron(measures.reduced_state(star, 1), measures.reduced_state(star, 2))


def _prepare_qubit(qc: QuantumCircuit, rho: ComplexArray, qubit: int, purifier: int) -> None:
    """rho (2x2) on ``qubit`` from |0>: ry, CNOT into the purifier, reset, then the eigenbasis rotation."""
    lam, vec = np.linalg.eigh(0.5 * (rho + rho.conj().T))
    lam, vec = lam[::-1], vec[:, ::-1]  # lambda_0 >= lambda_1
    p0 = float(np.clip(lam[0], 0.0, 1.0))
    if p0 < 1.0 - 1e-15:
        qc.ry(2.0 * math.acos(math.sqrt(p0)), qubit)
        qc.cx(qubit, purifier)
        qc.reset(purifier)
    theta, phi, lam_z = OneQubitEulerDecomposer("ZYZ").angles(vec)
    qc.rz(lam_z, qubit)
    qc.ry(theta, qubit)
    qc.rz(phi, qubit)


def warm_start_circuit(rho: Any, *, realization: str = "dilated") -> QuantumCircuit:
    r"""Circuit preparing :math:`\mathrm{Tr}_2\rho\otimes\mathrm{Tr}_1\rho` from :math:`|0\ldots0\rangle`.

    ``rho`` is a 4x4 state (qubit 1 first), e.g. :func:`warm_start_state`; only its two reduced states
    are used. The circuit has the dilated layout's 4 qubits (system qubits 0, 1; the purifier is ancilla
    qubit 2) for every ``realization``, so it composes with the steps of either (``"kraus"`` steps act on
    qubits 0, 1 only). Gates: ``ry``, ``rz``, ``cx`` and ``reset``.
    """
    validate_realization(realization)
    r = np.asarray(rho, dtype=complex)
    if r.shape != (4, 4):
        raise InputError(f"rho must be a 4x4 two-qubit state (qubit 1 first); got shape {r.shape}")
    qc = QuantumCircuit(4, name="warm_start")
    for paper in (1, 2):
        _prepare_qubit(qc, measures.reduced_state(r, paper), PAPER_TO_QISKIT[paper], ANCILLAS[0])
    return qc


def warm_start_trotter_circuit(params: Params, dt: float, steps: int, *, order: int = 2,
                               realization: str = "dilated", save: bool = True) -> QuantumCircuit:
    """The warm-start preparation followed by ``steps`` Trotter steps (4 qubits), and Aer's ``save_density_matrix``."""
    params = Params.require(params)
    n = check_steps(steps, allow_auto=False)
    assert isinstance(n, int)
    qc = warm_start_circuit(warm_start_state(params, dt, order=order), realization=realization)
    step = step_circuit(params, float(dt), order=order, realization=realization)
    for _ in range(n):
        qc.compose(step, qubits=list(range(step.num_qubits)), inplace=True)
    if save:
        import qiskit_aer  # noqa: F401  (lazy, heavy: registers QuantumCircuit.save_density_matrix)

        qc.save_density_matrix(list(SYSTEM_QUBITS), label="rho")
    return qc


def gap_steps(d0: float, lam2: float, tol: float) -> int:
    r"""The spectral gap's step estimate :math:`\lceil\ln(\mathrm{tol}/D_0)/\ln|\lambda_2|\rceil`.

    0 when :math:`D_0 \le \mathrm{tol}` already.
    """
    if d0 <= tol:
        return 0
    if not 0.0 < lam2 < 1.0:
        raise InputError(f"lam2 must be in (0, 1) for a unique fixed point; got {lam2!r}")
    return max(1, math.ceil(math.log(tol / d0) / math.log(lam2)))


@dataclasses.dataclass(frozen=True)
class WarmStart:
    r"""Steps to reach trace distance ``tol`` of the fixed point from the default and the warm-start state.

    ``d0_default``, ``d0_warm``: two-qubit trace distances of :math:`\tau_1\otimes\tau_2` and :math:`\rho_w` to
    :math:`\rho_\star`; ``steps_default``, ``steps_warm``: the exact smallest step counts
    (:func:`~qc_reset.model.channels.auto_steps`); ``gap_default``, ``gap_warm``: the spectral gap's estimates.
    """

    params: Params
    dt: float
    order: int
    tol: float
    lam2: float
    d0_default: float
    d0_warm: float
    steps_default: int
    steps_warm: int
    gap_default: int
    gap_warm: int

    def __post_init__(self) -> None:
        if min(self.steps_default, self.steps_warm) < 1:
            raise InputError("step counts must be >= 1")

    @property
    def saved(self) -> int:
        """Steps the warm start saves."""
        return self.steps_default - self.steps_warm

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields and ``saved``."""
        d = dataclasses.asdict(self)
        d["params"] = self.params.to_dict()
        return {**d, "saved": self.saved}


def warm_start_steps(params: Params, dt: float = 0.1, *, order: int = 2, tol: float = DEFAULT_TOL) -> WarmStart:
    """Step counts to ``tol`` from the default and the warm-start initial state (exact numpy channels).

    Example:
        >>> w = warm_start_steps(Params(0.06, 0.3, 0.3, 0.1, 0.02), dt=0.5, tol=1e-6)
        >>> w.saved > 0
        True
    """
    params = Params.require(params)
    validate_dt(dt)
    order = check_order(order)
    tol = check_tol(tol)
    S = trotter_step_superop(params, float(dt), order)
    star = fixed_point(S)
    lam2 = second_eigenvalue(S)
    rho_d = np.kron(params.tau1(), params.tau2())
    rho_w = np.kron(measures.reduced_state(star, 1), measures.reduced_state(star, 2))
    d_d, d_w = trace_distance(rho_d, star), trace_distance(rho_w, star)
    return WarmStart(params=params, dt=float(dt), order=order, tol=tol, lam2=lam2, d0_default=d_d, d0_warm=d_w,
                     steps_default=auto_steps(S, rho_d, tol), steps_warm=auto_steps(S, rho_w, tol),
                     gap_default=gap_steps(d_d, lam2, tol), gap_warm=gap_steps(d_w, lam2, tol))


def warm_start_table(points: Sequence[Params], dt: float = 0.1, *, order: int = 2,
                     tol: float = DEFAULT_TOL) -> list[WarmStart]:
    """:func:`warm_start_steps` at every point."""
    return [warm_start_steps(p, dt, order=order, tol=tol) for p in require_points(points)]
