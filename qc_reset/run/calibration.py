r"""Readout calibration: the measured 2x2 assignment matrix of one physical qubit under a noise spec.

The matrix feeds the readout mitigation of :mod:`qc_reset.stats.mitigation`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, integer
from . import noise
from .backends import fake_backend, require_instructions
from .noise import NoiseSpec, parse_noise

__all__ = ["MAX_QUBIT", "calibrate_readout"]

#: Qiskit allocates every qubit below the highest index of a circuit.
MAX_QUBIT = 1023


def calibrate_readout(spec: str | NoiseSpec, qubit: int, *, shots: int, seed: int) -> npt.NDArray[np.float64]:
    r"""Assignment matrix :math:`A_{ij} = P(\text{read } i\,|\,\text{prepared } j)` of one physical qubit.

    Runs "prepare 0, measure" and "x, measure" on ``qubit`` with ``shots`` each under the spec's noise
    (the ``x`` gate's own error is included, as in qiskit-experiments' ``LocalReadoutError``).
    """
    from qiskit import QuantumCircuit  # lazy: Qiskit loads only when a calibration is run

    spec = parse_noise(spec)
    shots = check_shots(shots)
    seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    if spec.kind == "fake":
        backend = fake_backend(str(spec.backend))
        qubit = integer("qubit", qubit, lo=0, hi=MAX_QUBIT)
        if qubit >= backend.num_qubits:
            raise InputError(f"qubit must be a physical qubit of {spec.backend} (0..{backend.num_qubits - 1}); "
                             f"got {qubit}")
        require_instructions(backend, {"x", "measure"}, "the readout calibration")
        n = backend.num_qubits
    else:
        qubit = integer("qubit", qubit, lo=0, hi=MAX_QUBIT)
        n = qubit + 1
    cals = []
    for bit in (0, 1):
        qc = QuantumCircuit(n, 1, name=f"readout_cal_{bit}")
        if bit:
            qc.x(qubit)
        qc.measure(qubit, 0)
        cals.append(qc)
    result = noise.simulator(spec).run(cals, shots=shots, seed_simulator=seed).result()
    A = np.empty((2, 2))
    for j in (0, 1):
        counts = result.get_counts(j)
        A[0, j] = counts.get("0", 0) / shots
        A[1, j] = 1.0 - A[0, j]
    return A
