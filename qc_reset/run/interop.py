"""Interoperability with qiskit-experiments: the same tomography through its ``StateTomography``."""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
from qiskit.quantum_info import DensityMatrix

from .._checks import check_shots, int_seed
from ..circuits.collision import trotter_circuit
from ..circuits.measurement import MEASURED_QUBIT, resolve_steps
from ..model import measures
from ..model.operators import FloatArray
from ..model.params import Params
from .simulator import default_backend
from .tomography import convergence_tol, ideal_state

__all__ = ["qiskit_experiments_tomography"]


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
