"""Interoperability: the same tomography through qiskit-experiments, and the model as QuTiP objects.

:func:`qiskit_experiments_tomography` runs the collision circuit through qiskit-experiments'
``StateTomography``. :func:`to_qutip` writes the master equation in Lindblad form for QuTiP 5:
the reset dissipator ``p (tau (x) Tr_1 rho - rho)`` is exactly the Lindblad dissipator of the jump
operators ``sqrt(p lambda_k) |k><j| (x) I`` over all ``j, k`` of tau's eigenbasis ``{|k>}``
(eigenvalues ``lambda_k``): their sandwich terms sum to ``p tau (x) Tr_1 rho`` and, since the
``lambda_k`` sum to 1, their ``L^dag L`` sum to ``p I``, which gives ``-p rho``. :func:`to_qobj` and
:func:`from_qobj` move states between numpy arrays (qubit 1 first) and ``Qobj``. QuTiP's tensor order,
``qutip.tensor(A, B) = kron(A, B)``, is the package's; only its vectorization differs (QuTiP stacks
columns, :func:`qc_reset.model.operators.liouvillian` rows). Both optional packages are imported
inside the functions that need them.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from qiskit.quantum_info import DensityMatrix

from .._checks import InputError, check_shots, density_matrix, int_seed, quote
from ..circuits.collision import trotter_circuit
from ..circuits.measurement import MEASURED_QUBIT, resolve_steps
from ..model import measures
from ..model.operators import ComplexArray, FloatArray, hamiltonian, tau1, tau2
from ..model.params import Params
from .simulator import default_backend
from .tomography import convergence_tol, ideal_state

if TYPE_CHECKING:
    import qutip

__all__ = ["qiskit_experiments_tomography", "to_qutip", "to_qobj", "from_qobj", "QOBJ_DIMS"]

#: QuTiP ``dims`` of the operators this module accepts and returns: two qubits (qubit 1 first) or one.
QOBJ_DIMS: dict[int, list[list[int]]] = {4: [[2, 2], [2, 2]], 2: [[2], [2]]}


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
    from qiskit_experiments.library import StateTomography  # lazy, optional: the qiskit-experiments extra

    params = Params.require(params)
    shots = check_shots(shots)
    seed = int_seed(seed)
    n = resolve_steps(params, dt, order, steps, convergence_tol(shots))
    qc = trotter_circuit(params, dt, n, order=order, realization=realization, save=False)
    target = DensityMatrix(measures.reduced_state(ideal_state(params, dt, order, n), 1))
    exp = StateTomography(qc, measurement_indices=[MEASURED_QUBIT], target=target)
    exp.analysis.set_options(fitter="linear_inversion", rescale_positive=False, rescale_trace=False)
    with warnings.catch_warnings():  # qiskit-experiments' internal use of a deprecated runtime SamplerV2
        warnings.simplefilter("ignore", DeprecationWarning)
        data = exp.run(default_backend(), shots=shots, seed_simulator=seed).block_for_results()
    qe_to_ours = {0: 2, 1: 0, 2: 1}  # qiskit-experiments' Pauli basis index (Z, X, Y) -> (X, Y, Z)
    counts = np.zeros((3, 2), dtype=np.int64)
    for d in data.data():
        k = qe_to_ours[int(d["metadata"]["m_idx"][0])]
        counts[k] += [int(d["counts"].get("0", 0)), int(d["counts"].get("1", 0))]
    state = data.analysis_results("state", dataframe=True).iloc[0]["value"]
    return counts, measures.bloch_vector(np.asarray(state.data))


def _qutip() -> Any:
    """The qutip module (lazy, optional: only the QuTiP interop needs it; it warns at import without matplotlib)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import qutip
    except ImportError:
        raise ImportError("the QuTiP interop needs qutip >= 5: pip install qutip (or the test extra, "
                          'pip install -e ".[test]")') from None
    return qutip


def _jump_operators(tau: ComplexArray, rate: float, qubit: int) -> list[ComplexArray]:
    """``sqrt(rate lambda_k) |k><j|`` on ``qubit`` (identity on the other) for every j, k of tau's eigenbasis."""
    lam, vecs = np.linalg.eigh(tau)
    eye = np.eye(2)
    ops = []
    for k in range(2):
        for j in range(2):
            w = rate * max(float(lam[k]), 0.0)
            if w > 0:
                local = math.sqrt(w) * np.outer(vecs[:, k], vecs[:, j].conj())
                ops.append(np.kron(local, eye) if qubit == 1 else np.kron(eye, local))
    return ops


def to_qutip(params: Params) -> tuple[qutip.Qobj, list[qutip.Qobj]]:
    """The model as ``(H, c_ops)`` for QuTiP 5 (``qutip.mesolve``, ``qutip.steadystate``, ``qutip.liouvillian``).

    ``H`` is :func:`qc_reset.model.operators.hamiltonian` and ``c_ops`` the Lindblad jump operators of the
    two reset dissipators (module docstring), all ``Qobj`` with dims ``[[2, 2], [2, 2]]``, qubit 1 first.
    Operators of zero weight (a zero rate, or a zero-temperature bath's empty level) are left out.
    """
    qt = _qutip()
    params = Params.require(params)
    dims = QOBJ_DIMS[4]
    H = qt.Qobj(hamiltonian(params.g), dims=dims)
    ops = _jump_operators(tau1(params.T1), params.p1, 1) + _jump_operators(tau2(params.T2), params.p2, 2)
    return H, [qt.Qobj(op, dims=dims) for op in ops]


def to_qobj(rho: Any) -> qutip.Qobj:
    """A density matrix as a ``Qobj``: 4x4 (two qubits, qubit 1 first, dims ``[[2, 2], [2, 2]]``) or 2x2."""
    qt = _qutip()
    shape = np.shape(rho) if not isinstance(rho, (str, bytes, dict, set)) and rho is not None else ()
    dim = 2 if tuple(shape) == (2, 2) else 4
    arr = density_matrix("rho", rho, dim=dim)
    return qt.Qobj(arr, dims=QOBJ_DIMS[dim])


def from_qobj(q: Any) -> ComplexArray:
    """The numpy array of a density-matrix ``Qobj`` with dims ``[[2, 2], [2, 2]]`` (qubit 1 first) or ``[[2], [2]]``.

    Anything else (a ket, a superoperator, other dims, not a density matrix) raises :class:`InputError`.
    """
    qt = _qutip()
    if not isinstance(q, qt.Qobj):
        raise InputError(f"q must be a qutip.Qobj density matrix; got {quote(q)}")
    dims = [list(d) for d in q.dims]
    if not q.isoper or dims not in QOBJ_DIMS.values():
        raise InputError(f"q must be an operator with dims [[2, 2], [2, 2]] (qubit 1 first) or [[2], [2]]; "
                         f"got type {q.type!r} with dims {dims}")
    arr = np.asarray(q.full(), dtype=complex)
    return density_matrix("q", arr, dim=arr.shape[0])
