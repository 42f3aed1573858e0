r"""Sampled chain runs: Aer's ``matrix_product_state`` method with shots (quantum trajectories), guarded.

Each shot of the MPS method samples one trajectory of the ``Kraus`` reset channels of the collision
circuit (:mod:`qc_reset.circuits.chain`, ``kraus`` realization); the per-shot expectation values
:math:`\langle X_i\rangle, \langle Y_i\rangle, \langle Z_i\rangle` average to the density-matrix result
with standard errors :math:`s/\sqrt{\mathrm{shots}}`. This is the sampling-realistic path: its error is
shot noise (plus the Trotter error of the step, as for the density-matrix run).

The backend is ``AerSimulator(method="matrix_product_state", max_memory_mb=-1, max_parallel_shots=1)``:
Aer 0.18 errors on large MPS circuits without both options, and can return ``success=True`` with no saved
data (qiskit-aer issues 2056, 2246, 2380). Every result goes through
:func:`qc_reset.run.chain.require_saved`, which raises :class:`~qc_reset.run.chain.ChainRunError` rather than
return a result without data.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import InputError, check_bytes, check_seconds, check_shots, interval_number, quote
from .._checks import order as check_order
from .._checks import seed as check_seed
from .._checks import steps as check_steps
from ..circuits.chain import chain_qubits, chain_step_circuit, chain_trotter_circuit
from ..circuits.parameters import validate_dt
from ..model.chain.result import ChainResult
from ..model.chain.spec import Chain
from ..model.chain.trotter import chain_initial_state, chain_step_superop, trotter_error_order
from ..model.channels import auto_steps
from .chain import DEFAULT_CHAIN_TOL, DEFAULT_MAX_SECONDS, SPECTRAL_SITES, require_saved

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator

__all__ = ["MPS_OPTIONS", "SECONDS_PER_SHOT_OP", "INSTRUCTION_MEMORY", "CIRCUIT_MEMORY_LIMIT", "mps_backend",
           "chain_trajectories"]

#: Options of the MPS backend that avoid Aer's large-circuit failures.
MPS_OPTIONS: dict[str, Any] = {"method": "matrix_product_state", "max_memory_mb": -1, "max_parallel_shots": 1}
#: Estimated seconds per instruction per shot (measured 5 us on three sites; grows with the bond dimension,
#: which is not known in advance, so this is a floor and the budget check a first guard only).
SECONDS_PER_SHOT_OP = 1e-5
#: Bytes per circuit instruction (Qiskit circuit plus Aer's assembled copy, as in circuits.parameters).
INSTRUCTION_MEMORY = 2.6 * 2**10
#: Memory budget (bytes) of one unrolled trajectory circuit.
CIRCUIT_MEMORY_LIMIT: float = 2 * 2**30
_PAULIS = ("X", "Y", "Z")


def mps_backend(*, seed: int | None = None) -> AerSimulator:
    """``AerSimulator`` with :data:`MPS_OPTIONS` (and ``seed_simulator`` if given)."""
    from qiskit_aer import AerSimulator  # lazy, heavy

    extra = {} if seed is None else {"seed_simulator": int(seed)}
    return AerSimulator(**MPS_OPTIONS, **extra)


def _labels(n: int) -> list[str]:
    return [f"{p}{i}" for i in range(n) for p in _PAULIS]


def chain_trajectories(chain: Chain, *, dt: float = 0.1, order: int = 2, steps: int | str = "auto",
                       shots: int = 1000, tol: float = DEFAULT_CHAIN_TOL, seed: int | np.random.Generator | None = None,
                       backend: AerSimulator | None = None, max_seconds: float = DEFAULT_MAX_SECONDS) -> ChainResult:
    r"""Per-site Bloch vectors of the chain's collision circuit from ``shots`` MPS trajectories.

    Args:
        chain: the chain.
        dt: step length (> 0).
        order: 1 (Lie-Trotter) or 2 (Strang).
        steps: a number of steps, or ``"auto"`` for :math:`N \le` :data:`~qc_reset.run.chain.SPECTRAL_SITES`
            (the spectral-gap step count of :func:`qc_reset.run.chain.chain_circuit_steady`).
        shots: trajectories.
        tol: the ``"auto"`` tolerance (trace distance to the step's fixed point).
        seed: seeds Aer's sampler (``None``: fresh entropy, recorded in ``details``).
        backend: an ``AerSimulator(method="matrix_product_state")`` (default :func:`mps_backend`).
        max_seconds: budget for the estimated time (a floor; see :data:`SECONDS_PER_SHOT_OP`).

    Returns:
        ``ChainResult(method="circuit")``: the shot means; ``error`` the largest standard error;
        ``details`` the per-component standard errors (``stderr``, (N, 3)), shots, seed and steps. No
        concurrences (the trajectories give one-site expectation values only).

    Raises:
        InputError: bad arguments or a run above budget (before any work).
        ChainRunError: Aer failed or returned no data (the MPS method's empty results).
    """
    chain = Chain.require(chain)
    validate_dt(dt)
    dt = float(dt)
    order = check_order(order)
    n_req = check_steps(steps)
    shots = check_shots(shots)
    if shots < 2:
        raise InputError(f"shots must be an integer >= 2 (a standard error needs two trajectories); got {shots}")
    max_seconds = interval_number("max_seconds", max_seconds, lo=0.0, hi=math.inf, lo_open=True)
    given = check_seed(seed)
    entropy = (int(given.integers(2**63)) if isinstance(given, np.random.Generator)
               else int(np.random.default_rng().integers(2**63)) if given is None else given)
    aer_seed = int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint32)[0])
    if n_req == "auto":
        if chain.n > SPECTRAL_SITES:
            raise InputError(f"steps='auto' needs at most {SPECTRAL_SITES} sites for trajectories (the spectral "
                             f"step count); got {chain.n} sites: give steps= (e.g. from chain_circuit_steady)")
        tol = interval_number("tol", tol, lo=1e-12, hi=1.0, hi_open=True)
        S = chain_step_superop(chain, dt, order)
        rho0 = np.ones((1, 1), dtype=complex)
        for s in chain_initial_state(chain):
            rho0 = np.kron(rho0, s)
        n_steps = auto_steps(S, rho0, tol)
    else:
        n_steps = int(n_req)
    n_ops = len(chain_step_circuit(chain, dt, order=order).data)
    check_bytes(f"{n_steps} unrolled steps of a {chain.n}-site trajectory circuit", n_steps * n_ops *
                INSTRUCTION_MEMORY, CIRCUIT_MEMORY_LIMIT, "use fewer steps or a larger dt")
    check_seconds(f"{shots} trajectories of {n_steps} steps", shots * n_steps * n_ops * SECONDS_PER_SHOT_OP,
                  max_seconds, "use fewer shots or steps, or raise max_seconds")
    if backend is None:
        backend = mps_backend()
    elif getattr(getattr(backend, "options", None), "method", None) != "matrix_product_state":
        raise InputError(f"backend must be an AerSimulator(method='matrix_product_state'); got {quote(backend, 60)}")
    qc = chain_trotter_circuit(chain, dt, n_steps, order=order, realization="kraus", pairs=False)
    from qiskit.quantum_info import Pauli

    for i, q in enumerate(chain_qubits(chain.n)):
        for p in _PAULIS:
            qc.save_expectation_value(Pauli(p), [q], label=f"{p}{i}", pershot=True)
    result = backend.run(qc, shots=shots, seed_simulator=aer_seed).result()
    data = require_saved(result, _labels(chain.n), shots=shots)
    values = np.array([[np.asarray(data[f"{p}{i}"], dtype=float) for p in _PAULIS] for i in range(chain.n)])
    blochs = values.mean(axis=-1)
    stderr = values.std(axis=-1, ddof=1) / math.sqrt(shots)
    details = {"steps": n_steps, "dt": dt, "order": order, "realization": "kraus", "backend": "matrix_product_state",
               "shots": shots, "seed": entropy, "stderr": stderr.tolist(),
               "trotter_error_order": trotter_error_order(order),
               "error_kind": "largest standard error of the shot means (Trotter error not included)"}
    return ChainResult.from_blochs("circuit", blochs, error=float(np.max(stderr)), details=details)
