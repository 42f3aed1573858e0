r"""The steady state of a long collision chain as a matrix product state (quimb), with error estimates.

The density matrix is the real vector of its coefficients in the orthonormal Pauli basis
(:mod:`.pauli`), stored as a quimb ``MatrixProductState`` of local dimension 4 and evolved by a
Trotterized collision map to its fixed point. With :math:`\mathcal E`, :math:`\mathcal O` the
exchanges on the even bonds (0, 1), (2, 3), ... and the odd bonds (1, 2), (3, 4), ... and
:math:`\mathcal L_{loc} = \sum_i \mathcal L_i` the sites' own generators (free phase and reset, each an
exact 4x4 channel), the step is

.. math::

    S_1 = e^{\mathcal E dt} e^{\mathcal L_{loc} dt} e^{\mathcal O dt}, \qquad
    S_2 = e^{\mathcal O h} e^{\mathcal E h} e^{\mathcal L_{loc} dt} e^{\mathcal E h} e^{\mathcal O h},
    \ h = dt/2

(right to left in time). Each even pair's :math:`e^{\mathcal E h}(e^{\mathcal L_i dt}\otimes
e^{\mathcal L_{i+1} dt})e^{\mathcal E h}` is one 16x16 gate, and the odd halves of neighbouring
steps merge, so one step is one even and one odd layer of two-site gates, each applied by quimb's
``gate_split`` at the orthogonality centre (``canonicalize``), truncated to ``max_bond``. The
fixed point of :math:`S_2` differs from the steady state by :math:`O(dt^2)` in even powers of dt
(the step is symmetric), that of :math:`S_1` by :math:`O(dt)`.

Three errors are estimated and reported with every result (``ChainResult.error`` is their sum,
the max over sites and components of the Bloch vectors):

* **convergence** (steps): every ``check_every`` steps the Bloch vectors are read; the change
  :math:`\delta_k` between reads and its decay ratio :math:`q` (the largest of the last three, so
  slowly decaying or oscillating modes are not mistaken for convergence) bound the remaining
  distance by the geometric tail :math:`\delta_k q/(1-q)`; a stage stops when that is below ``tol``.
* **truncation**: the fixed point is computed at ``max_bond // 2`` and then, warm-started, at
  ``max_bond``; their difference estimates (and for a converging bond dimension over-estimates) the
  truncation error of the latter.
* **Trotter**: the fixed point at ``dt`` and, warm-started, at ``dt/2``; the leading term
  :math:`c\,dt^k` (k = order) gives the error of the ``dt/2`` result as
  :math:`|f(dt) - f(dt/2)|/(2^k - 1)`; the reported value is the Richardson extrapolation
  :math:`(2^k f(dt/2) - f(dt))/(2^k - 1)`, whose true error is normally far smaller than this
  (conservative) estimate.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from ..._checks import chain_tn_options, chain_unique
from ..._checks import seed as check_seed
from ..._version import install_hint
from .. import joint
from ..progress import ProgressCallback, Tracker
from . import pauli
from .result import ChainResult
from .spec import Chain

__all__ = ["DEFAULT_DT", "DEFAULT_MAX_BOND", "DEFAULT_TOL", "DEFAULT_MAX_STEPS", "CUTOFF", "step_gates",
           "chain_tn_steady"]

#: Default step: Strang at dt = 0.2, with the check at dt = 0.1 and the extrapolation in dt.
DEFAULT_DT = 0.2
#: Default bond dimension of the reported fixed point (the truncation check runs at half of it).
DEFAULT_MAX_BOND = 32
#: Default target of the estimated remaining distance to each stage's fixed point.
DEFAULT_TOL = 1e-6
#: Default largest number of steps of one stage.
DEFAULT_MAX_STEPS = 20_000
#: Relative singular-value cutoff of every split (far below any error the estimates resolve).
CUTOFF = 1e-12
#: Steps between convergence checks.
CHECK_EVERY = 10
#: Checks in the window that detects a plateau of the iteration (see :func:`_stage`).
PLATEAU = 6


def _quimb() -> Any:
    try:
        import quimb.tensor as qtn
    except ImportError as exc:  # pragma: no cover - quimb is in the test extra
        raise ImportError(f"the tensor-network chain method needs quimb: {install_hint('quimb')}") from exc
    return qtn


def step_gates(chain: Chain, dt: float, order: int) -> dict[str, Any]:
    """The gates of one step: ``"even"`` {i: 16x16 gate on (i, i+1)}, ``"odd"`` the same for the odd
    bonds over ``dt`` (the merged halves), ``"odd_half"`` over ``dt/2`` (order 2, to turn the iterated
    state into the fixed point of :math:`S_2`), and ``"single"`` {i: 4x4} for a site no even pair
    covers (the last site of an odd chain). Transfer matrices in the orthonormal Pauli basis."""
    n = chain.n
    loc = [pauli.local_channel(s, dt) for s in chain.sites]
    h = 0.5 * dt if order == 2 else dt
    even: dict[int, npt.NDArray[np.float64]] = {}
    for i in range(0, n - 1, 2):
        B = pauli.bond_channel(chain.g[i], h)
        L = np.kron(loc[i], loc[i + 1])
        even[i] = B @ L @ B if order == 2 else B @ L
    odd = {i: pauli.bond_channel(chain.g[i], dt) for i in range(1, n - 1, 2)}
    half = {i: pauli.bond_channel(chain.g[i], 0.5 * dt) for i in range(1, n - 1, 2)} if order == 2 else {}
    single = {n - 1: loc[n - 1]} if n % 2 == 1 else {}
    return {"even": even, "odd": odd, "odd_half": half, "single": single}


class _Evolver:
    """An MPS and the bookkeeping of its orthogonality centre, advanced layer by layer."""

    def __init__(self, mps: Any, max_bond: int) -> None:
        self.mps, self.max_bond = mps, max_bond
        self.info: dict[str, Any] = {"cur_orthog": "calc"}

    def pair(self, G: npt.NDArray[np.float64], i: int, absorb: str) -> None:
        self.mps.canonicalize_((i, i + 1), info=self.info)
        self.mps.gate_split_(G, (i, i + 1), absorb=absorb, max_bond=self.max_bond, cutoff=CUTOFF,
                             cutoff_mode="rel")
        c = i + 1 if absorb == "right" else i
        self.info["cur_orthog"] = (c, c)

    def layer(self, gates: dict[int, npt.NDArray[np.float64]], right_to_left: bool) -> None:
        for i in sorted(gates, reverse=right_to_left):
            self.pair(gates[i], i, "left" if right_to_left else "right")

    def single(self, gates: dict[int, npt.NDArray[np.float64]]) -> None:
        for i, G in gates.items():
            self.mps.gate_(G, i, contract=True)
            cur = self.info["cur_orthog"]
            lo, hi = (cur, cur) if isinstance(cur, int) else cur
            self.info["cur_orthog"] = (min(lo, i), max(hi, i))

    def step(self, gates: dict[str, Any]) -> None:
        self.layer(gates["odd"], right_to_left=True)
        self.layer(gates["even"], right_to_left=False)
        self.single(gates["single"])

    def blochs(self) -> npt.NDArray[np.float64]:
        return pauli.site_blochs(self.mps.arrays)


def _stage(ev: _Evolver, gates: dict[str, Any], *, tol: float, max_steps: int, tracker: Tracker,
           deadline: float) -> dict[str, Any]:
    """Iterate one (dt, chi) stage to its fixed point; returns the stage's facts and Bloch vectors.

    Stops when the geometric tail is below ``tol``, or on a plateau: a truncated step is not exactly a
    contraction, and at some bond dimensions the iterates wander at a floor set by the discarded
    singular values. A plateau is the change per check no longer decreasing over ``PLATEAU`` checks
    while the iterates do not drift (their spread over the window stays within 3 changes per check); its
    convergence error is that spread, measured, not assumed.
    """
    t0 = time.perf_counter()
    prev = ev.blochs()
    history = [prev]
    deltas: list[float] = []
    steps, tail, q, plateau = 0, math.inf, math.nan, False
    W = PLATEAU
    while steps < max_steps:
        n = min(CHECK_EVERY, max_steps - steps)
        for _ in range(n):
            ev.step(gates)
        steps += n
        tracker.step(n)
        cur = ev.blochs()
        deltas.append(float(np.abs(cur - prev).max()))
        prev = cur
        history = (history + [cur])[-(2 * W + 1):]
        if deltas[-1] == 0.0:
            tail, q = 0.0, 0.0
            break
        if len(deltas) >= 4:
            q = max(deltas[-k] / deltas[-k - 1] if deltas[-k - 1] > 0 else math.inf for k in (1, 2, 3))
            tail = deltas[-1] * q / (1.0 - q) if q < 1.0 else math.inf
            if tail <= tol:
                break
        if len(deltas) >= 3 * W and min(deltas[-W:]) >= 0.5 * min(deltas[-2 * W:-W]):
            stack = np.array(history)
            spread = float((stack.max(axis=0) - stack.min(axis=0)).max())
            if spread <= 3.0 * max(deltas[-2 * W:]):
                tail, plateau = spread, True
                break
        if time.perf_counter() > deadline:
            break
    if gates["odd_half"]:  # the iterated state w is fixed by M O(dt); the fixed point of S_2 is O(dt/2) w
        half = _Evolver(ev.mps.copy(), ev.max_bond)
        half.info = dict(ev.info)
        half.layer(gates["odd_half"], right_to_left=True)
        final, state = half.blochs(), half.mps
    else:
        final, state = prev, ev.mps
    converged = tail <= tol or plateau
    return {"blochs": final, "state": state, "steps": steps, "converged": converged, "plateau": plateau,
            "convergence_error": float(tail) if converged else 2.0,
            "contraction_per_check": float(q) if math.isfinite(q) else None,
            "max_bond": int(ev.mps.max_bond()), "time_s": time.perf_counter() - t0}


def _initial(chain: Chain, seed: int | np.random.Generator | None) -> list[npt.NDArray[np.float64]]:
    """Per-site Pauli vectors of the starting product state: each site's own fixed point (with its bath
    and free phase, no bonds), or with ``seed`` random Bloch vectors in the unit ball."""
    if seed is not None:
        rng = np.random.default_rng(seed)
        rs = rng.normal(size=(chain.n, 3))
        rs *= (rng.uniform(size=(chain.n, 1)) ** (1 / 3)) / np.linalg.norm(rs, axis=1, keepdims=True)
        return [pauli.pauli_vector(r) for r in rs]
    out = []
    for s in chain.sites:
        if s.bath == "none":
            out.append(pauli.pauli_vector(np.zeros(3)))
            continue
        G = pauli.local_generator(s)
        # fixed point of the 4x4 generator with v_0 = 1/sqrt2: solve the Bloch block
        r = np.linalg.solve(G[1:, 1:], -G[1:, 0])
        out.append(pauli.pauli_vector(r))
    return out


def chain_tn_steady(
    chain: Chain,
    *,
    dt: float = DEFAULT_DT,
    order: int = 2,
    max_bond: int = DEFAULT_MAX_BOND,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_time_s: float | None = None,
    concurrence: bool = True,
    seed: int | np.random.Generator | None = None,
    progress_callback: ProgressCallback | None = None,
) -> ChainResult:
    r"""The chain's steady state from the fixed point of a Trotterized collision map on an MPS.

    Runs three stages, each warm-started from the last: (dt, max_bond // 2), (dt, max_bond),
    (dt/2, max_bond); the module docstring gives the step and the three error estimates.

    Args:
        chain: the chain (:class:`~qc_reset.model.chain.spec.Chain`).
        dt: the step of the first two stages, in (0, 1].
        order: 1 (Lie-Trotter) or 2 (Strang, default).
        max_bond: the bond dimension of the reported result, in [4, 256].
        tol: the target of each stage's estimated remaining distance to its fixed point, in
            [1e-10, 1e-2].
        max_steps: the most steps of one stage, in [10, 10^6].
        max_time_s: a wall-time budget for all stages (None: none); a stage cut short reports
            ``converged: false`` and the trivial error 2.
        concurrence: also compute the neighbour concurrences from two-site reduced states (of the
            dt/2 fixed point at max_bond; not extrapolated, and not covered by ``error``).
        seed: None starts from each site's own fixed point; a seed from a random product state
            (the fixed point does not depend on it; a check of that).
        progress_callback: called with :class:`~qc_reset.model.progress.Progress` records in steps.

    Returns:
        ``ChainResult(method="tn")`` with ``error`` the estimated max abs error of the Bloch
        components (convergence + truncation + Trotter) and ``details["tn"]`` the estimates, bond
        dimensions, steps and times of each stage.

    Raises:
        InputError: a bad option (named), or a chain longer than the method accepts.
        ImportError: quimb is not installed (with the command that installs it).
    """
    chain = Chain.require(chain)
    dt, order, max_bond, tol, max_steps, max_time_s = chain_tn_options(
        chain.n, dt, order, max_bond, tol, max_steps, max_time_s)
    chain_unique([s.bath for s in chain.sites], chain.g)
    seed = check_seed(seed)
    qtn = _quimb()
    t_start = time.perf_counter()
    deadline = t_start + (max_time_s if max_time_s is not None else math.inf)
    tracker = Tracker(progress_callback, total=3 * max_steps, unit="steps")
    mps = qtn.MPS_product_state(_initial(chain, seed))
    plan = [("check_bond", dt, max(2, max_bond // 2)), ("result", dt, max_bond), ("half_dt", 0.5 * dt, max_bond)]
    stages: dict[str, dict[str, Any]] = {}
    ev = _Evolver(mps, plan[0][2])
    for name, step, chi in plan:
        ev.max_bond = chi
        gates = step_gates(chain, step, order)
        stages[name] = _stage(ev, gates, tol=tol, max_steps=max_steps, tracker=tracker, deadline=deadline)
        stages[name]["dt"], stages[name]["bond_limit"] = step, chi
    tracker.finish()
    f_lo, f_chi, f_half = (stages[n]["blochs"] for n in ("check_bond", "result", "half_dt"))
    m = 2.0 ** order
    extrapolated = (m * f_half - f_chi) / (m - 1.0)
    truncation = float(np.abs(f_chi - f_lo).max())
    trotter = float(np.abs(f_chi - f_half).max() / (m - 1.0))
    convergence = max(float(s["convergence_error"]) for s in stages.values())
    error = min(2.0, convergence + truncation + trotter)
    radius = np.linalg.norm(extrapolated, axis=1, keepdims=True)
    blochs = np.where(radius > 1.0, extrapolated / np.maximum(radius, 1e-300), extrapolated)
    conc = None
    if concurrence:
        pairs = pauli.pair_states(stages["half_dt"]["state"].arrays)  # the fixed point of S at dt/2
        conc = tuple(float(c) for c in joint.concurrence(_physical(pairs)))
    details = {"tn": {
        "dt": dt, "order": order, "max_bond": max_bond, "tol": tol,
        "estimates": {"convergence": convergence, "truncation": truncation, "trotter": trotter},
        "extrapolation": f"Richardson in dt: ({int(m)} f(dt/2) - f(dt)) / {int(m) - 1}",
        "bond_dimensions": [int(b) for b in ev.mps.bond_sizes()],
        "converged": all(bool(s["converged"]) for s in stages.values()),
        "stages": {n: {**{k: v for k, v in s.items() if k != "state"}, "blochs": np.asarray(s["blochs"]).tolist()}
                   for n, s in stages.items()},
        "time_s": time.perf_counter() - t_start,
    }}
    return ChainResult.from_blochs("tn", blochs, concurrence=conc, error=error, details=details)


def _physical(rhos: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
    """Hermitian part of truncated two-site states with negative eigenvalues (truncation noise)
    clipped, renormalized: the concurrence needs a state."""
    out = np.empty_like(rhos)
    for k, r in enumerate(rhos):
        w, V = np.linalg.eigh(0.5 * (r + r.conj().T))
        w = np.clip(w, 0.0, None)
        out[k] = (V * (w / w.sum())) @ V.conj().T
    return out
