r"""Running the chain collision circuits of :mod:`qc_reset.circuits.chain` on Aer, to convergence.

:func:`chain_circuit_steady` runs on ``AerSimulator(method="density_matrix")``: the exact density matrix
after :math:`n` Trotter steps. Its size is bounded before any work: the state takes :math:`16\cdot4^{n_q}`
bytes (:math:`n_q = N`, or :math:`N + 2` with the dilated ancillas; the run holds
:data:`STATE_COPIES` of it) and the time is estimated per step from the number of instructions and the
state size (:func:`estimate_step_seconds`, measured on two cores, rounded up).

Steps run in chunks of at most :data:`CHUNK_STEPS` (each chunk continues from the previous state through
Aer's ``set_density_matrix``), so the circuit size stays bounded and a run can stop once converged.
Convergence (``steps="auto"``):

* ``"spectral"`` (:math:`N \le` :data:`SPECTRAL_SITES`): the rule of
  :func:`qc_reset.model.channels.auto_steps` (:func:`qc_reset.model.chain.trotter.steps_to_fixed_point`) on
  the exact step superoperator (:func:`qc_reset.model.chain.trotter.chain_step_superop`): the smallest
  :math:`n` with trace distance :math:`D(S^n\rho_0, \rho_\star) \le \mathrm{tol}` to the step's fixed point.
* ``"bloch"`` (the default beyond :data:`SPECTRAL_SITES` sites): chunk by chunk until the tail of the
  successive changes of the Bloch vectors,
  :math:`\Delta_k = \max|r^{(k)} - r^{(k-1)}|`, extrapolated geometrically,
  :math:`\Delta_k\,\rho/(1-\rho)` with :math:`\rho = \Delta_k/\Delta_{k-1} < 1`, is below ``tol`` for two
  chunks in a row.

The fixed point :math:`\rho_\star` of the Trotter step differs from the steady state by :math:`O(dt)`
(Lie-Trotter) or :math:`O(dt^2)` (Strang); ``details`` says which, and for :math:`N \le` :data:`SPECTRAL_SITES`
gives the distance of the circuit state to :math:`\rho_\star` exactly.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import InputError, check_bytes, check_seconds, choice, interval_number
from .._checks import order as check_order
from .._checks import seed as check_seed
from .._checks import steps as check_steps
from ..circuits.chain import chain_num_qubits, chain_step_circuit, chain_trotter_circuit, pair_label
from ..circuits.parameters import validate_dt
from ..model import joint, measures
from ..model.chain.exact import chain_exact_steady
from ..model.chain.result import ChainResult
from ..model.chain.spec import Chain
from ..model.chain.trotter import (
    chain_initial_state,
    chain_step_superop,
    product_state,
    steps_to_fixed_point,
    trotter_error_order,
)
from ..model.channels import fixed_point
from .simulator import check_backend, default_backend

if TYPE_CHECKING:
    from qiskit_aer import AerSimulator

__all__ = ["CHAIN_REALIZATIONS", "CONVERGENCE_RULES", "DEFAULT_CHAIN_TOL", "SPECTRAL_SITES", "EXACT_COMPARE_SITES",
           "CHUNK_STEPS",
           "MAX_AUTO_CHUNKS",
           "STATE_MEMORY_LIMIT", "STATE_COPIES", "DEFAULT_MAX_SECONDS", "SECONDS_PER_INSTRUCTION",
           "SECONDS_PER_AMPLITUDE", "SECONDS_PER_CHUNK", "ChainRunError", "state_memory", "estimate_step_seconds",
           "check_chain_run", "pair_states", "pair_blochs", "require_saved", "chain_circuit_steady"]

#: The reset realizations of chain circuits (:mod:`qc_reset.circuits.chain`).
CHAIN_REALIZATIONS = ("kraus", "dilated")
#: Default tolerance: trace distance to the step's fixed point (spectral rule) or extrapolated Bloch change.
DEFAULT_CHAIN_TOL = 1e-8
#: The convergence rules of ``steps="auto"`` (see the module docstring).
CONVERGENCE_RULES = ("auto", "spectral", "bloch")
#: Largest chain whose step count comes from the spectral gap of the exact step (a 256 x 256 superoperator).
SPECTRAL_SITES = 4
#: Largest chain whose circuit result is compared with the exact steady state (the exact solve took 3 s at
#: N = 5 and 12 s at N = 6 on two shared cores, less than the circuit run to convergence itself).
EXACT_COMPARE_SITES = 6
#: Most Trotter steps in one Aer circuit; longer runs continue chunk by chunk from the saved state.
CHUNK_STEPS = 100
#: Most chunks of a ``steps="auto"`` run of a long chain (then it gives up with :class:`ChainRunError`).
MAX_AUTO_CHUNKS = 1000
#: Memory budget (bytes) of the density matrices of one run.
STATE_MEMORY_LIMIT: float = 8 * 2**30
#: Density matrices a run holds at once: Aer's state, the saved copy, the next chunk's initial state.
STATE_COPIES = 3
#: Default time budget (seconds) of one run, checked before work from :func:`estimate_step_seconds`.
DEFAULT_MAX_SECONDS = 1800.0
#: Estimated seconds per instruction and per amplitude of the density matrix (Aer 0.18, two cores). Measured
#: per Strang step: kraus 1.2 ms (N = 4, 34 instructions), 4.7 ms (6), 87 ms (8), 0.51 s (10); dilated
#: 5 ms (N = 4), 0.14 s (6), 1.8 s (8; 10 qubits); the model below is above all of them (3.5x at kraus N = 10).
SECONDS_PER_INSTRUCTION = 1e-4
SECONDS_PER_AMPLITUDE = 3.5e-8
#: Estimated fixed seconds per chunk (assembly, setting and saving the state).
SECONDS_PER_CHUNK = 0.1


class ChainRunError(RuntimeError):
    """An Aer run of a chain circuit that gave no usable data (failed, empty, or not converged)."""


def _realization(value: Any) -> str:
    return str(choice("realization", value, CHAIN_REALIZATIONS))


def state_memory(n_qubits: int) -> float:
    """Bytes of the density matrices a run on ``n_qubits`` holds: :data:`STATE_COPIES` x 16 x 4^n."""
    return STATE_COPIES * 16.0 * 4.0**n_qubits


def estimate_step_seconds(chain: Chain, *, order: int = 2, realization: str = "kraus") -> float:
    """Estimated Aer seconds of one Trotter step (instructions x (overhead + 4^n_q amplitudes))."""
    step = chain_step_circuit(chain, 0.1, order=order, realization=_realization(realization))
    return len(step.data) * (SECONDS_PER_INSTRUCTION + SECONDS_PER_AMPLITUDE * 4.0**step.num_qubits)


def check_chain_run(chain: Chain, *, steps: int, order: int, realization: str, max_seconds: float) -> float:
    """Refuse a run whose memory or estimated time is above budget, before building it; the estimate (s)."""
    nq = chain_num_qubits(chain.n, realization)
    check_bytes(f"a {chain.n}-site {realization} chain on {nq} qubits", state_memory(nq), STATE_MEMORY_LIMIT,
                "use fewer sites, or the kraus realization (no ancillas)")
    seconds = (steps * estimate_step_seconds(chain, order=order, realization=realization)
               + math.ceil(steps / CHUNK_STEPS) * SECONDS_PER_CHUNK)
    check_seconds(f"{steps} Trotter step(s) of a {chain.n}-site {realization} chain", seconds, max_seconds,
                  "use fewer sites or steps, a larger dt, or raise max_seconds")
    return seconds


def pair_states(data: dict[str, Any], n: int) -> list[np.ndarray]:
    """The N - 1 saved neighbour states ``pair_i`` (4x4, site i first) of one Aer result's data."""
    return [np.asarray(data[pair_label(i)], dtype=complex) for i in range(n - 1)]


def pair_blochs(pairs: list[np.ndarray]) -> np.ndarray:
    """Per-site Bloch vectors (N, 3) from the neighbour states: site i from pair i, the last from the last."""
    first = [measures.bloch_vector(measures.reduced_state(p, 1)) for p in pairs]
    return np.array([*first, measures.bloch_vector(measures.reduced_state(pairs[-1], 2))])


def require_saved(result: Any, labels: list[str], *, shots: int | None = None, experiment: int = 0) -> dict[str, Any]:
    """The data of one experiment of an Aer result, or :class:`ChainRunError` if any saved label is missing.

    Aer's ``matrix_product_state`` method can report ``success=True`` with an empty data dict (qiskit-aer
    issue 2380); a result without its data is never passed on. With ``shots``, per-shot data must have one
    entry per shot.
    """
    if not getattr(result, "success", False):
        raise ChainRunError(f"Aer run failed: {getattr(result, 'status', 'no status')}")
    try:
        data = dict(result.data(experiment))
    except Exception as exc:  # Aer raises on an experiment without data
        raise ChainRunError(f"Aer run reported success but returned no data ({exc})") from exc
    missing = [k for k in labels if k not in data]
    if missing:
        raise ChainRunError(f"Aer run reported success but returned no saved data for {len(missing)} of "
                            f"{len(labels)} label(s) (first: {missing[0]!r}); this is the empty-result failure "
                            "of Aer's matrix_product_state method: the result is refused")
    if shots is not None:
        short = [k for k in labels if np.size(data[k]) != shots]
        if short:
            raise ChainRunError(f"Aer run returned {np.size(data[short[0]])} per-shot values for {short[0]!r}, "
                                f"expected {shots}: the result is refused")
    return data


def _embed_ancillas(rho: np.ndarray, n_qubits: int) -> np.ndarray:
    """The system state with the ancillas (most significant qubits) in |0...0>."""
    d = rho.shape[0]
    full = np.zeros((2**n_qubits, 2**n_qubits), dtype=complex)
    full[:d, :d] = rho
    return full


def _run_chunk(backend: AerSimulator, chain: Chain, rho: np.ndarray | None, n_steps: int, *, dt: float, order: int,
               realization: str, seed: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """``n_steps`` steps from ``rho`` (None: the initial state); the system state, Bloch vectors and pairs."""
    from qiskit import QuantumCircuit
    from qiskit_aer.library import SetDensityMatrix  # lazy, heavy: Aer loads when a circuit is first run

    body = chain_trotter_circuit(chain, dt, n_steps, order=order, realization=realization,
                                 prepare=rho is None, full=True)
    if rho is None:
        qc = body
    else:
        qc = QuantumCircuit(body.num_qubits, name=body.name)
        qc.append(SetDensityMatrix(_embed_ancillas(rho, body.num_qubits)), range(body.num_qubits))
        qc.compose(body, inplace=True)
    labels = [pair_label(i) for i in range(chain.n - 1)] + ["rho"]
    data = require_saved(backend.run(qc, seed_simulator=seed).result(), labels)
    pairs = pair_states(data, chain.n)
    return np.asarray(data["rho"], dtype=complex), pair_blochs(pairs), pairs


def chain_circuit_steady(chain: Chain, *, dt: float = 0.1, order: int = 2, realization: str = "kraus",
                         steps: int | str = "auto", tol: float = DEFAULT_CHAIN_TOL, backend: AerSimulator | None = None,
                         seed: int | np.random.Generator | None = None,
                         max_seconds: float = DEFAULT_MAX_SECONDS, rule: str = "auto",
                         compare_exact: bool = True) -> ChainResult:
    r"""The chain's steady state from its collision circuit on Aer's density-matrix method.

    Args:
        chain: the chain (N sites; bounded by memory and time before work, see the module docstring).
        dt: step length (> 0).
        order: 1 (Lie-Trotter) or 2 (Strang).
        realization: ``"kraus"`` (Kraus resets, N qubits) or ``"dilated"`` (one shared ancilla pair, N + 2).
        steps: a number of steps, or ``"auto"`` (see the module docstring).
        tol: convergence tolerance of ``"auto"``, in ``[1e-12, 1)``.
        backend: an ``AerSimulator(method="density_matrix")`` (default: a shared one).
        seed: recorded for Aer (the density-matrix method draws nothing).
        max_seconds: time budget checked before work (and before each chunk of an ``"auto"`` run).
        rule: the convergence rule of ``"auto"``: ``"spectral"`` (:math:`N \le` :data:`SPECTRAL_SITES`),
            ``"bloch"`` (the chunked Bloch-change rule) or ``"auto"`` (spectral where it applies).
        compare_exact: for :math:`N \le` :data:`EXACT_COMPARE_SITES`, also solve the exact steady state
            (:func:`qc_reset.model.chain.exact.chain_exact_steady`) and report the actual error.

    Returns:
        ``ChainResult(method="circuit")`` with per-site Bloch vectors, neighbour concurrences, ``error`` and
        ``details`` (steps, dt, order, realization, Trotter error order, seconds, estimate, and what ``error``
        covers in ``error_scope``). ``error`` is the largest deviation of a Bloch component from the exact
        steady state where that is solved (``compare_exact``); otherwise the distance to the step's fixed
        point (exact for :math:`N \le` :data:`SPECTRAL_SITES`, else the extrapolated tail): the
        :math:`O(dt^k)` Trotter error is then not included, and ``details["trotter_error"]`` is None.

    Raises:
        InputError: bad arguments, or a run above the memory or time budget (before any circuit is run).
        ChainRunError: Aer gave no data, or ``"auto"`` did not converge within the budget.
    """
    chain = Chain.require(chain)
    validate_dt(dt)
    dt = float(dt)
    order = check_order(order)
    realization = _realization(realization)
    n_req = check_steps(steps)
    tol = interval_number("tol", tol, lo=1e-12, hi=1.0, hi_open=True)
    max_seconds = interval_number("max_seconds", max_seconds, lo=0.0, hi=math.inf, lo_open=True)
    seeds = np.random.SeedSequence(_entropy(check_seed(seed)))
    aer_seed = int(seeds.generate_state(1, dtype=np.uint32)[0])
    rule = str(choice("rule", rule, CONVERGENCE_RULES))
    if rule == "spectral" and chain.n > SPECTRAL_SITES:
        raise InputError(f"rule 'spectral' needs at most {SPECTRAL_SITES} sites (a 4^N x 4^N step superoperator); "
                         f"got {chain.n}: use rule 'bloch' or 'auto'")
    if rule == "auto":
        rule = "spectral" if chain.n <= SPECTRAL_SITES else "bloch"
    star = None
    if chain.n <= SPECTRAL_SITES:
        S = chain_step_superop(chain, dt, order)
        star = fixed_point(S)
    if n_req != "auto":
        n_total = int(n_req)
    elif rule == "spectral":
        assert star is not None
        n_total = steps_to_fixed_point(S, product_state(chain_initial_state(chain)), star, tol)
    else:
        n_total = CHUNK_STEPS
    chunked = n_req == "auto" and rule == "bloch"
    estimate = check_chain_run(chain, steps=n_total, order=order, realization=realization, max_seconds=max_seconds)

    backend = check_backend(backend) if backend is not None else default_backend()
    t0 = time.perf_counter()
    rho: np.ndarray | None = None
    done, prev, converged = 0, None, 0
    deltas: list[float] = []
    while True:
        chunk = CHUNK_STEPS if chunked else min(CHUNK_STEPS, n_total - done)
        rho, blochs, pairs = _run_chunk(backend, chain, rho, chunk, dt=dt, order=order, realization=realization,
                                        seed=aer_seed)
        done += chunk
        if prev is not None and chunk == CHUNK_STEPS:
            deltas.append(float(np.max(np.abs(blochs - prev))))
        prev = blochs
        tail = _tail(deltas)
        if not chunked:
            if done >= n_total:
                break
            continue
        converged = converged + 1 if tail <= tol else 0
        if converged >= 2:
            break
        elapsed = time.perf_counter() - t0
        if done // CHUNK_STEPS >= MAX_AUTO_CHUNKS or elapsed * (1 + CHUNK_STEPS / done) > max_seconds:
            last = f"{deltas[-1]:.3g}" if deltas else "none yet"
            raise ChainRunError(f"steps='auto' did not converge to tol = {tol:g} within {done} steps "
                                f"({elapsed:.0f} s; last Bloch change per chunk {last}, extrapolated tail "
                                f"{tail:.3g}); give steps=, a larger tol or dt, or raise max_seconds")
    seconds = time.perf_counter() - t0
    details: dict[str, Any] = {"steps": done, "dt": dt, "order": order, "realization": realization,
                               "trotter_error_order": trotter_error_order(order),
                               "n_qubits": chain_num_qubits(chain.n, realization), "seconds": seconds,
                               "seconds_per_step": seconds / done, "estimated_seconds": estimate,
                               "convergence": rule if n_req == "auto" else "fixed steps"}
    # The distance to the step's fixed point: exact where the superoperator exists, else the tail estimate
    # (inf when fewer than three chunks ran: unknown, never reported as zero).
    error = float(np.max(np.abs(blochs - _site_blochs(star, chain.n)))) if star is not None else tail
    details["convergence_error"] = error
    details["trotter_error"] = None
    details["error_scope"] = "distance to the Trotter step's fixed point (Trotter error not included)"
    if compare_exact and chain.n <= EXACT_COMPARE_SITES:
        exact = chain_exact_steady(chain).blochs
        error = float(np.max(np.abs(blochs - exact)))
        details["error_scope"] = "largest deviation from the exact steady state (Trotter and convergence)"
        details["exact_bloch"] = exact.tolist()
        if star is not None:  # the Trotter error of the fixed point itself, exactly
            details["trotter_error"] = float(np.max(np.abs(_site_blochs(star, chain.n) - exact)))
    concurrence = tuple(float(joint.concurrence(p)) for p in pairs)
    return ChainResult.from_blochs("circuit", blochs, concurrence=concurrence, error=error, details=details)


def _entropy(seed: int | np.random.Generator | None) -> int:
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    return int(np.random.default_rng().integers(2**63)) if seed is None else int(seed)


def _tail(deltas: list[float]) -> float:
    """Geometric tail of the last change: Delta_k r / (1 - r), r = Delta_k / Delta_{k-1}; inf without two."""
    if len(deltas) < 2 or deltas[-2] == 0.0:
        return 0.0 if deltas and deltas[-1] == 0.0 else math.inf
    r = deltas[-1] / deltas[-2]
    return deltas[-1] * r / (1.0 - r) if r < 1.0 else math.inf


def _site_blochs(rho: np.ndarray, n: int) -> np.ndarray:
    """Per-site Bloch vectors (N, 3) of an N-site state (site 0 first), by partial traces in numpy."""
    t = rho.reshape((2,) * (2 * n))
    out = []
    for i in range(n):
        keep = np.moveaxis(t, (i, n + i), (0, 1)).reshape(2, 2, 2 ** (n - 1), 2 ** (n - 1))
        out.append(measures.bloch_vector(np.einsum("abkk->ab", keep)))
    return np.array(out)
