r"""The exact steady state of an N-site collision chain: sparse LU while it fits, preconditioned GMRES beyond.

The steady state solves :math:`\mathcal L\rho = 0`, :math:`\mathrm{Tr}\rho = 1` with the sparse
Liouvillian of :mod:`.liouvillian`. Two solvers:

* ``"direct"``: sparse LU (SuperLU, COLAMD ordering) of :math:`\mathcal L` with its first row (the
  equation of :math:`\rho_{00}`) replaced by the trace condition. The LU fill grows fast (about 7x
  the entries of :math:`\mathcal L` at N = 4, 67x at N = 6, about 1.3 s), so it is used up to
  :data:`DIRECT_MAX_SITES` sites.
* ``"iterative"``: GMRES on :math:`\mathcal L`, left-preconditioned by the inverse of its
  non-reset part. Splitting :math:`\mathcal L = \mathcal R - P + \mathcal L_H` with
  :math:`P = \sum_i p_i`, :math:`\mathcal R = \sum_i p_i\,\tau_i\otimes\mathrm{Tr}_i` and
  :math:`\mathcal L_H = -i[H,\cdot]`, the preconditioner
  :math:`\mathcal M = (P - \mathcal L_H)^{-1}` is diagonal in the eigenbasis of H
  (:math:`\tilde X_{ab} / (P + i(E_a - E_b))`), so it costs two basis changes of a
  :math:`2^N\times2^N` matrix. :math:`\mathcal K = \mathcal M\mathcal R` is a channel (the state
  just before the next reset, :math:`\int_0^\infty P e^{-Pt}e^{t\mathcal L_H}dt`, after one), and
  :math:`-\mathcal M\mathcal L = 1 - \mathcal K`: the steady state is the fixed point of
  :math:`\mathcal K`. GMRES solves the nonsingular system
  :math:`(1 - \mathcal K + \rho_0 t^T)\,x = \rho_0` with :math:`\rho_0 = I/2^N` and
  :math:`t^T x = \mathrm{Tr}\,x` (the rank-one term moves only the eigenvalue 0, because
  :math:`t^T` is the left eigenvector of :math:`1 - \mathcal K` for it).

Either way the returned state is made exactly Hermitian with unit trace, and the residual
:math:`\|\mathcal L\rho\|_2` (of ``rho.reshape(4**N)``) is computed from the sparse Liouvillian and
returned; a solve whose residual exceeds :data:`MAX_RESIDUAL` is refused (a chain without a unique
steady state, or a GMRES that did not converge), never returned. Sizes are bounded before any work
by a memory estimate (:func:`memory_estimate`, limit :data:`MAX_EXACT_BYTES`).

Hand-written rather than ``qutip.steadystate`` because the preconditioner uses the model's
structure (``benchmarks/bench_chain_exact.py`` compares both).
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg import solve_triangular

from ..._checks import InputError, chain_exact_solver, chain_unique, check_bytes, integer, interval_number
from ..operators import ComplexArray
from .liouvillian import bath_state, hamiltonian, liouvillian, liouvillian_nnz, trace_vector
from .observables import chain_result
from .result import ChainResult
from .spec import Chain

__all__ = [
    "chain_exact_steady",
    "chain_steady_state",
    "solve_steady",
    "memory_estimate",
    "check_size",
    "SteadySolve",
    "DIRECT_MAX_SITES",
    "AUTO_DIRECT_SITES",
    "MAX_EXACT_BYTES",
    "MAX_RESIDUAL",
]

#: Largest chain the sparse LU accepts (its fill makes N = 7 take minutes).
DIRECT_MAX_SITES = 6
#: ``solver="auto"`` uses the LU up to this many sites and GMRES beyond (LU: 1 ms at N = 4).
AUTO_DIRECT_SITES = 4
#: Largest memory estimate (bytes) of one exact solve: N = 10 needs about 2.9 GiB, N = 11 (12 GiB) is refused.
MAX_EXACT_BYTES = 3 * 2**30
#: Largest residual ||L rho||_2 a returned state may have (a unique, converged solve gives ~1e-15).
MAX_RESIDUAL = 1e-8
#: GMRES restart length (Krylov vectors kept).
_RESTART = 100
#: Measured LU fill factors (entries of L + U over entries of L) by N, with a margin.
_LU_FILL = {2: 4.0, 3: 8.0, 4: 10.0, 5: 40.0, 6: 100.0}


@dataclasses.dataclass(frozen=True)
class SteadySolve:
    """The outcome of :func:`solve_steady`: the density matrix and how it was obtained.

    Attributes:
        rho: the :math:`2^N\\times 2^N` steady state (site 0 first, exactly Hermitian, unit trace).
        residual: :math:`\\|\\mathcal L\\rho\\|_2` of the returned state.
        solver: ``"direct"`` or ``"iterative"``.
        iterations: GMRES matrix-vector products (0 for the LU).
        seconds: wall time of the solve (building the Liouvillian included).
    """

    rho: ComplexArray
    residual: float
    solver: str
    iterations: int
    seconds: float

    def details(self) -> dict[str, Any]:
        """``{"residual", "solver", "iterations", "seconds"}`` (JSON-ready)."""
        return {"residual": self.residual, "solver": self.solver, "iterations": self.iterations,
                "seconds": self.seconds}


def _pick(chain: Chain, solver: str) -> str:
    solver = chain_exact_solver(solver)
    if solver == "auto":
        return "direct" if chain.n <= AUTO_DIRECT_SITES else "iterative"
    if solver == "direct" and chain.n > DIRECT_MAX_SITES:
        raise InputError(f"solver 'direct' accepts chains of at most {DIRECT_MAX_SITES} sites (its LU fill grows "
                         f"about 10x per site); got N = {chain.n}: use solver='iterative' or 'auto'")
    return solver


def memory_estimate(n: int, solver: str = "auto") -> float:
    """Estimated peak memory (bytes) of an exact solve of an ``n``-site chain.

    The sparse Liouvillian (16 bytes of value and 4 of index per entry, twice while it is assembled),
    plus for the LU its fill (:math:`\\approx` measured factor times the entries), for GMRES its
    100 + 8 Krylov vectors and a few dense :math:`4^N` work arrays.
    """
    n = integer("number of sites", n, lo=2, hi=10**6)
    solver = chain_exact_solver(solver)
    if solver == "auto":
        solver = "direct" if n <= AUTO_DIRECT_SITES else "iterative"
    D = 4.0**n
    base = 2 * 20.0 * liouvillian_nnz(n)
    if solver == "direct":
        return base + 24.0 * _LU_FILL.get(n, 1e3) * liouvillian_nnz(n) + 8 * 16 * D
    return base + (_RESTART + 8) * 16 * D


def check_size(chain: Chain, solver: str = "auto") -> str:
    """Refuse, before any work, a chain whose exact solve exceeds :data:`MAX_EXACT_BYTES`, a direct
    solve above :data:`DIRECT_MAX_SITES`, or a chain without a unique steady state; return the solver used."""
    chosen = _pick(chain, solver)
    check_bytes(f"the exact steady state of a {chain.n}-site chain (solver {chosen!r})",
                memory_estimate(chain.n, chosen), MAX_EXACT_BYTES,
                "the exact method handles about N <= 10 sites; use method 'tn' for longer chains")
    chain_unique([s.bath for s in chain.sites], chain.g)
    return chosen


def _residual(L: sp.csr_matrix, x: ComplexArray) -> float:
    return float(np.linalg.norm(L @ x))


def _finish(x: ComplexArray, d: int) -> ComplexArray:
    m = x.reshape(d, d)
    rho: ComplexArray = 0.5 * (m + m.conj().T)
    return rho / np.trace(rho).real


def _direct(L: sp.csr_matrix, n: int) -> tuple[ComplexArray, int]:
    D = L.shape[0]
    keep = np.ones(D)
    keep[0] = 0.0
    t = trace_vector(n)
    cols = np.flatnonzero(t)
    row = sp.csr_matrix((t[cols].astype(complex), (np.zeros(cols.size, dtype=int), cols)), shape=(D, D))
    A = sp.csc_matrix(sp.diags(keep) @ L + row)
    b = np.zeros(D, dtype=complex)
    b[0] = 1.0
    try:
        x = spla.splu(A, permc_spec="COLAMD").solve(b)
    except RuntimeError as exc:  # "Factor is exactly singular"
        raise InputError(f"the chain has no unique steady state (its Liouvillian is singular: {exc})") from None
    return x, 0


def _iterative(chain: Chain, L: sp.csr_matrix, tol: float, maxiter: int) -> tuple[ComplexArray, int]:
    n = chain.n
    d = 2**n
    P = sum(s.p for s in chain.sites)
    # H is real (real frequencies and couplings), so its eigenvectors U are real: each product with U is
    # done on the real and imaginary parts stacked side by side, two real GEMMs instead of four complex
    # ones' worth of work (a complex GEMM costs about four real ones).
    E, U = np.linalg.eigh(hamiltonian(chain).toarray().real)
    denom = P + 1j * (E[:, None] - E[None, :])
    U = np.ascontiguousarray(U)
    Ut = np.ascontiguousarray(U.T)

    def sandwich(A: np.ndarray, V: ComplexArray, B: np.ndarray) -> ComplexArray:  # A V B, A and B real
        W = A @ np.hstack([V.real, V.imag])
        X = np.vstack([W[:, :d], W[:, d:]]) @ B
        return X[:d] + 1j * X[d:]

    def precondition(v: ComplexArray) -> ComplexArray:  # (P - L_H)^{-1}
        X = sandwich(Ut, np.asarray(v).reshape(d, d), U)
        return sandwich(U, X / denom, Ut).reshape(-1)

    t = trace_vector(n)
    rho0 = (np.eye(d, dtype=complex) / d).reshape(-1)
    count = [0]

    def matvec(v: ComplexArray) -> ComplexArray:  # (1 - K + rho0 t^T) v = -M L v + rho0 Tr v
        count[0] += 1
        return -precondition(L @ v) + rho0 * (t @ v)

    # Start from the product of the bath states (the maximally mixed state on bath-less sites).
    x0 = np.ones((1, 1), dtype=complex)
    for site in chain.sites:
        x0 = np.kron(x0, bath_state(site))
    x, converged = _gmres(matvec, rho0, x0.reshape(-1), tol, _RESTART, maxiter)
    if not converged:
        raise InputError(f"GMRES did not reach the relative residual {tol:g} in {count[0]} iterations on this "
                         f"{n}-site chain; raise maxiter, or use solver='direct' for N <= {DIRECT_MAX_SITES}")
    return x, count[0]


def _gmres(matvec: Any, b: ComplexArray, x0: ComplexArray, tol: float, restart: int,
           cycles: int) -> tuple[ComplexArray, bool]:
    """Restarted GMRES(``restart``) with block classical Gram-Schmidt, reorthogonalized once (CGS2).

    Hand-written rather than ``scipy.sparse.linalg.gmres`` because SciPy orthogonalizes vector by
    vector in a Python loop, which was more than half of the solve at N = 6; here each
    orthogonalization is two products with the Krylov basis, and the Hessenberg matrix is reduced
    by Givens rotations as it grows (their last sine gives the residual norm).
    """
    bnorm = float(np.linalg.norm(b))
    x = x0.astype(complex, copy=True)
    V = np.empty((restart + 1, b.size), dtype=complex)
    for _ in range(cycles):
        r = b - matvec(x)
        beta = float(np.linalg.norm(r))
        if beta <= tol * bnorm:
            return x, True
        V[0] = r / beta
        R = np.zeros((restart, restart), dtype=complex)
        cs: list[float] = []
        sn: list[complex] = []
        gvec: list[complex] = [complex(beta)]
        k = 0
        for j in range(restart):
            w = matvec(V[j])
            basis = V[: j + 1]
            h = (basis @ w.conj()).conj()
            w = w - h @ basis
            h2 = (basis @ w.conj()).conj()
            w = w - h2 @ basis
            col = [complex(z) for z in h + h2]
            sub = float(np.linalg.norm(w))
            for i, (c, s_) in enumerate(zip(cs, sn, strict=True)):  # earlier rotations on the new column
                a_, b_ = col[i], col[i + 1]
                col[i] = c * a_ + s_ * b_
                col[i + 1] = -s_.conjugate() * a_ + c * b_
            a = col[j]
            rad = math.hypot(abs(a), sub)
            c_new = abs(a) / rad
            phase = a / abs(a) if abs(a) > 0 else 1.0 + 0j
            s_new = phase * sub / rad
            col[j] = phase * rad
            cs.append(c_new)
            sn.append(s_new)
            gvec.append(-s_new.conjugate() * gvec[j])
            gvec[j] = c_new * gvec[j]
            R[: j + 1, j] = col[: j + 1]
            k = j + 1
            if abs(gvec[j + 1]) <= 0.5 * tol * bnorm or sub <= 1e-300:
                break
            V[j + 1] = w / sub
        y = solve_triangular(R[:k, :k], np.array(gvec[:k]))
        x = x + y @ V[:k]
    return x, float(np.linalg.norm(b - matvec(x))) <= tol * bnorm


def solve_steady(chain: Chain, *, solver: str = "auto", tol: float = 1e-13, maxiter: int = 100) -> SteadySolve:
    """The steady state of ``chain`` with its residual (see the module docstring for the solvers).

    Args:
        chain: the chain (every site group joined by nonzero bonds needs a bath, else InputError).
        solver: ``"auto"`` (LU up to :data:`AUTO_DIRECT_SITES` sites, GMRES beyond), ``"direct"`` or
            ``"iterative"``.
        tol: GMRES relative tolerance on the preconditioned system (ignored by the LU).
        maxiter: GMRES restart cycles (of 100 iterations each).

    Raises:
        InputError: size above the memory limit, no unique steady state, or a residual above
            :data:`MAX_RESIDUAL` (GMRES not converged).
    """
    chain = Chain.require(chain)
    chosen = check_size(chain, solver)
    tol = interval_number("tol", tol, lo=0.0, hi=1e-3, lo_open=True)
    maxiter = integer("maxiter", maxiter, lo=1, hi=10**5)
    start = time.perf_counter()
    L = liouvillian(chain)
    if chosen == "direct":
        x, iterations = _direct(L, chain.n)
    else:
        x, iterations = _iterative(chain, L, tol, maxiter)
    if not np.all(np.isfinite(x)) or abs(trace_vector(chain.n) @ x) < 1e-300:
        raise InputError("the chain has no unique steady state (the solve gave no normalizable state)")
    rho = _finish(x, 2**chain.n)
    residual = _residual(L, rho.reshape(-1))
    seconds = time.perf_counter() - start
    if not math.isfinite(residual) or residual > MAX_RESIDUAL:
        raise InputError(f"the {chosen} solve of this {chain.n}-site chain left a residual ||L rho|| = "
                         f"{residual:.3g} > {MAX_RESIDUAL:g} (no unique steady state, or not converged in "
                         f"{iterations} iterations)")
    return SteadySolve(rho, residual, chosen, iterations, seconds)


def chain_steady_state(chain: Chain, *, solver: str = "auto", tol: float = 1e-13) -> ComplexArray:
    """The :math:`2^N\\times 2^N` steady state of ``chain`` (site 0 first); :func:`solve_steady` without the facts."""
    return solve_steady(chain, solver=solver, tol=tol).rho


def chain_exact_steady(chain: Chain, *, solver: str = "auto", tol: float = 1e-13) -> ChainResult:
    """The exact steady state of ``chain`` as a :class:`~qc_reset.model.chain.result.ChainResult`.

    ``method`` is ``"exact"``, ``error`` None (exact to solver precision), ``concurrence`` the
    neighbour-pair concurrences and ``details`` ``{"residual", "solver", "iterations", "seconds"}``.

    Example:
        >>> from qc_reset.model.chain import Chain, Site
        >>> chain = Chain((Site("heat", 0.3, 0.1), Site(), Site("spin", 0.3, 0.02)), 0.06)
        >>> res = chain_exact_steady(chain)
        >>> res.details["residual"] < 1e-12, len(res.sites)
        (True, 3)
    """
    solved = solve_steady(chain, solver=solver, tol=tol)
    return chain_result(solved.rho, "exact", details=solved.details())
