r"""Readout calibration: the measured 2x2 assignment matrix of one physical qubit under a noise spec.

The matrix feeds the readout mitigation of :mod:`qc_reset.stats.mitigation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, check_shots, integer
from . import noise
from .backends import fake_backend, require_instructions, sampler_counts
from .noise import NoiseSpec, parse_noise

if TYPE_CHECKING:
    from qiskit.providers import BackendV2
    from qiskit_aer import AerSimulator

__all__ = ["MAX_QUBIT", "calibrate_readout"]

#: Qiskit allocates every qubit below the highest index of a circuit.
MAX_QUBIT = 1023


def calibrate_readout(
    spec: str | NoiseSpec, qubit: int, *, shots: int, seed: int, device: BackendV2 | None = None,
    simulator: AerSimulator | None = None, sampler: Any = None,
) -> npt.NDArray[np.float64]:
    r"""Assignment matrix :math:`A_{ij} = P(\text{read } i\,|\,\text{prepared } j)` of one physical qubit.

    Runs "prepare 0, measure" and "x, measure" on ``qubit`` with ``shots`` each under the spec's noise
    (the ``x`` gate's own error is included, as in qiskit-experiments' ``LocalReadoutError``).
    ``simulator`` (an Aer density-matrix simulator with a noise model) replaces the spec's; ``device`` is the
    device whose qubits and ``x``, ``measure`` are checked (circuits span its width); with ``sampler`` the
    two circuits run as PUBs of one sampler job (its own seed applies; ``seed`` is then unused).
    """
    from qiskit import QuantumCircuit  # lazy: Qiskit loads only when a calibration is run

    spec = parse_noise(spec)
    shots = check_shots(shots)
    seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    device = fake_backend(str(spec.backend)) if spec.kind == "fake" and device is None else device
    if device is not None:
        qubit = integer("qubit", qubit, lo=0, hi=MAX_QUBIT)
        if qubit >= device.num_qubits:
            name = spec.backend if spec.kind == "fake" else device.name
            raise InputError(f"qubit must be a physical qubit of {name} (0..{device.num_qubits - 1}); "
                             f"got {qubit}")
        require_instructions(device, {"x", "measure"}, "the readout calibration")
        n = device.num_qubits
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
    if sampler is not None:
        zeros = sampler_counts(sampler, cals, shots)[:, 0]
    else:
        sim = noise.simulator(spec) if simulator is None else simulator
        result = sim.run(cals, shots=shots, seed_simulator=seed).result()
        zeros = np.array([result.get_counts(j).get("0", 0) for j in (0, 1)])
    A = np.empty((2, 2))
    A[0] = zeros / shots
    A[1] = 1.0 - A[0]
    return A
