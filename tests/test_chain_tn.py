"""The tensor-network chain method against independent dense computations.

References, none of which uses the Pauli basis, quimb or the code under test:

* N = 2: the paper model's exact steady state (``qc_reset.steady_state``).
* N = 4, 5: the fixed point of the same Trotter step built densely on the 2^N-dimensional Hilbert space
  (partial-SWAP unitaries ``kron``-embedded, each site's local channel the matrix exponential of its
  2x2-operator Liouvillian), solved as a linear system; at full bond dimension the MPS stage results must
  equal it to the convergence tolerance.
* N = 4, 5: the exact steady state of the full Lindblad generator (dense null vector), against which the
  reported error estimate must hold.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg

import qc_reset
from qc_reset._checks import MAX_TN_SITES, InputError
from qc_reset.model import joint
from qc_reset.model.chain import Chain, Site
from qc_reset.model.chain.tn import chain_tn_steady
from qc_reset.model.params import Params

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_EXCH = np.zeros((4, 4), dtype=complex)
_EXCH[1, 2] = _EXCH[2, 1] = 1.0

#: A stage iterated to an estimated distance 1e-10 from its fixed point (full bond dimension, so no
#: truncation): the Bloch vectors agree with the dense fixed point to this (tail estimate x 10 margin).
FULL_BOND_TOL = 1e-8


def _embed(op: np.ndarray, site: int, width: int, n: int) -> np.ndarray:
    return np.kron(np.kron(np.eye(2**site), op), np.eye(2 ** (n - site - width)))


def _tau(site: Site) -> np.ndarray:
    x = math.tanh(0.5 / site.T) if site.T > 0 else 1.0
    if site.bath == "heat":
        return 0.5 * (np.eye(2) + x * _Z)
    return 0.5 * (np.eye(2) + x * _X)


def _local_superop(site: Site, t: float) -> np.ndarray:
    """Row-major 4x4 superoperator exp(t L_site) of one qubit: L = -i[w/2 |1><1|, .] + p (tau Tr - id)."""
    H = np.diag([0.0, 0.5 * site.omega])
    L = -1j * (np.kron(H, np.eye(2)) - np.kron(np.eye(2), H.T))
    if site.bath != "none":
        replace = np.outer(_tau(site).reshape(4), np.eye(2).reshape(4))
        L = L + site.p * (replace - np.eye(4))
    return scipy.linalg.expm(t * L)


def _apply_local(rho: np.ndarray, S: np.ndarray, k: int, n: int) -> np.ndarray:
    """Apply a one-qubit row-major superoperator S to qubit k of a batch of states (B, 2^n, 2^n)."""
    b = rho.shape[0]
    t = rho.reshape((b,) + (2,) * (2 * n))
    t = np.moveaxis(t, (1 + k, 1 + n + k), (1, 2)).reshape(b, 4, -1)
    t = np.einsum("ab,xbr->xar", S, t).reshape((b, 2, 2) + (2,) * (2 * n - 2))
    return np.moveaxis(t, (1, 2), (1 + k, 1 + n + k)).reshape(b, 2**n, 2**n)


def _bond_unitary(chain: Chain, parity: int, t: float) -> np.ndarray:
    n = chain.n
    U = np.eye(2**n, dtype=complex)
    for i in range(parity, n - 1, 2):
        U = _embed(scipy.linalg.expm(-1j * chain.g[i] * t * _EXCH), i, 2, n) @ U
    return U


def _dense_step(chain: Chain, dt: float, order: int) -> np.ndarray:
    """The 4^N x 4^N row-major superoperator of the step: S_1 = E(dt) L(dt) O(dt),
    S_2 = O(dt/2) E(dt/2) L(dt) E(dt/2) O(dt/2) (right to left in time)."""
    n = chain.n
    d = 2**n
    basis = np.eye(d * d, dtype=complex).reshape(d * d, d, d)

    def unitary(U: np.ndarray, X: np.ndarray) -> np.ndarray:
        return U @ X @ U.conj().T

    def local(X: np.ndarray) -> np.ndarray:
        for k, s in enumerate(chain.sites):
            X = _apply_local(X, _local_superop(s, dt), k, n)
        return X

    X = basis
    if order == 1:
        X = local(unitary(_bond_unitary(chain, 1, dt), X))
        X = unitary(_bond_unitary(chain, 0, dt), X)
    else:
        Oh, Eh = _bond_unitary(chain, 1, dt / 2), _bond_unitary(chain, 0, dt / 2)
        X = unitary(Oh, unitary(Eh, local(unitary(Eh, unitary(Oh, X)))))
    return X.reshape(d * d, d * d).T  # column k is the image of basis state k


def _lindblad(chain: Chain) -> np.ndarray:
    """The 4^N x 4^N row-major Lindblad generator of the chain."""
    n = chain.n
    d = 2**n
    H = sum((_embed(np.diag([0.0, 0.5 * s.omega]), k, 1, n) for k, s in enumerate(chain.sites)),
            np.zeros((d, d), dtype=complex))
    H = H + sum(chain.g[i] * _embed(_EXCH, i, 2, n) for i in range(n - 1))
    basis = np.eye(d * d, dtype=complex).reshape(d * d, d, d)
    out = -1j * (H @ basis - basis @ H)
    for k, s in enumerate(chain.sites):
        if s.bath != "none":
            replace = np.outer(_tau(s).reshape(4), np.eye(2).reshape(4))
            out = out + s.p * (_apply_local(basis, replace, k, n) - basis)
    return out.reshape(d * d, d * d).T


def _null_state(M: np.ndarray, n: int, identity: float) -> np.ndarray:
    """The state rho with (M - identity) vec(rho) = 0 and Tr rho = 1 (one equation replaced by the trace)."""
    d = 2**n
    A = M - identity * np.eye(d * d)
    A[0] = np.eye(d).reshape(-1)
    rhs = np.zeros(d * d, dtype=complex)
    rhs[0] = 1.0
    return np.linalg.solve(A, rhs).reshape(d, d)


def _blochs(rho: np.ndarray, n: int) -> np.ndarray:
    return np.array([[np.trace(rho @ _embed(P, k, 1, n)).real for P in (_X, _Y, _Z)] for k in range(n)])


def _chain(n: int, g: float = 0.4) -> Chain:
    sites = [Site("heat", 0.3, 0.1) if k % 2 == 0 else Site("spin", 0.5, 0.05, omega=1.2) for k in range(n)]
    return Chain(tuple(sites), g)


def test_two_sites_match_the_paper_model_within_the_reported_error() -> None:
    params = Params(g=0.5, p1=1.0, p2=1.0, T1=0.01, T2=0.01)  # an entangled steady state (C = 0.0499)
    res = chain_tn_steady(Chain.from_params(params), max_bond=8)
    rho = qc_reset.steady_state(params.g, params.p1, params.p2, params.T1, params.T2)
    exact = _blochs(rho, 2)
    err = np.abs(res.blochs - exact).max()
    assert res.error is not None and res.error < 1e-3  # a meaningful estimate, not the trivial bound
    assert err <= res.error
    # the two-site state gives the exact concurrence to the same order (concurrence is Lipschitz in rho)
    assert res.concurrence is not None
    c_exact = float(joint.concurrence(rho))
    assert c_exact > 0.04
    assert abs(res.concurrence[0] - c_exact) <= 10 * res.error


@pytest.mark.parametrize(("n", "order"), [(4, 2), (5, 1), (5, 2)])
def test_full_bond_stages_equal_the_dense_trotter_fixed_point(n: int, order: int) -> None:
    chain = _chain(n)
    dt = 0.2
    res = chain_tn_steady(chain, dt=dt, order=order, max_bond=64, tol=1e-10)
    stages = res.details["tn"]["stages"]
    dense = {}
    for name, step in (("result", dt), ("half_dt", dt / 2)):
        rho = _null_state(_dense_step(chain, step, order), n, 1.0)
        dense[name] = _blochs(rho, n)
        np.testing.assert_allclose(np.array(stages[name]["blochs"]), dense[name], rtol=0, atol=FULL_BOND_TOL)
    # the returned value is the Richardson extrapolation in dt of the two dense fixed points
    m = 2.0**order
    np.testing.assert_allclose(res.blochs, (m * dense["half_dt"] - dense["result"]) / (m - 1), rtol=0,
                               atol=FULL_BOND_TOL)


def _ends_chain(n: int) -> Chain:
    """Baths only at the two ends: the interior relaxes through the bonds alone (slow modes)."""
    return Chain((Site("heat", 0.3, 0.1),) + (Site(),) * (n - 2) + (Site("spin", 0.3, 0.02),), 0.2)


@pytest.mark.parametrize(("n", "max_bond", "ends"), [(4, 16, False), (5, 8, False), (4, 16, True)])
def test_reported_error_bounds_the_error_against_the_lindblad_steady_state(n: int, max_bond: int,
                                                                          ends: bool) -> None:
    chain = _ends_chain(n) if ends else _chain(n, g=0.6)
    res = chain_tn_steady(chain, max_bond=max_bond)
    rho = _null_state(_lindblad(chain), n, 0.0)
    exact = _blochs(rho, n)
    err = np.abs(res.blochs - exact).max()
    # neighbour concurrences from the exact two-site marginals (zero on these chains; nonzero at N = 2)
    t = rho.reshape((2,) * (2 * n))
    for i in range(n - 1):
        keep = [i, i + 1]
        others = [k for k in range(n) if k not in keep]
        letters = "abcdefghijklmnopqrstuvwx"
        row, col = list(letters[:n]), list(letters[n:2 * n])
        for k in others:
            col[k] = row[k]
        pair = np.einsum("".join(row + col) + "->" + "".join([row[i], row[i + 1], col[i], col[i + 1]]), t)
        assert res.concurrence is not None
        assert abs(res.concurrence[i] - float(joint.concurrence(pair.reshape(4, 4)))) <= 10 * res.error
    est = res.details["tn"]["estimates"]
    assert res.error is not None and res.error < 5e-2
    assert err <= res.error, (err, est)
    if max_bond == 16 and not ends:  # full bond dimension at N = 4: only the (extrapolated) Trotter error is left
        assert err < 1e-4
    if n == 5 and not ends:  # chi = 8 < 4^2: truncation is real here, and the estimate sees it
        assert est["truncation"] > 1e-6


def test_fixed_point_does_not_depend_on_the_initial_state() -> None:
    chain = _chain(4)
    a = chain_tn_steady(chain, max_bond=16, concurrence=False)
    b = chain_tn_steady(chain, max_bond=16, concurrence=False, seed=7)
    assert a.error is not None and b.error is not None
    assert np.abs(a.blochs - b.blochs).max() <= a.error + b.error


def test_a_stage_cut_short_reports_the_trivial_error() -> None:
    res = chain_tn_steady(_chain(4), max_steps=10, concurrence=False)
    assert res.details["tn"]["converged"] is False
    assert res.error == 2.0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"max_bond": 2}, "max_bond"), ({"max_bond": 4.5}, "max_bond"), ({"max_bond": 10**4}, "max_bond"),
    ({"dt": 0.0}, "dt"), ({"dt": 1.5}, "dt"), ({"dt": math.nan}, "dt"),
    ({"tol": 0.0}, "tol"), ({"tol": 0.5}, "tol"), ({"max_steps": 1}, "max_steps"),
    ({"max_steps": True}, "max_steps"), ({"order": 3}, "order"), ({"max_time_s": 0}, "max_time_s"),
    ({"seed": -1}, "seed"), ({"progress_callback": 3}, "progress_callback"),
])
def test_bad_options_name_the_parameter(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        chain_tn_steady(_chain(2), **kwargs)  # type: ignore[arg-type]


def test_bad_chain_and_too_long_chain_are_refused_before_work() -> None:
    with pytest.raises(InputError, match="chain"):
        chain_tn_steady("not a chain")  # type: ignore[arg-type]
    long = Chain(tuple(Site("heat", 0.3, 0.1) for _ in range(MAX_TN_SITES + 1)), 0.1)
    with pytest.raises(InputError, match="number of sites"):
        chain_tn_steady(long)


def test_nonzero_neighbour_concurrence_agrees_with_the_exact_solver() -> None:
    """A three-site chain whose middle-to-spin pair is entangled (the chains above have zero concurrence)."""
    from qc_reset.model.chain.exact import chain_exact_steady

    chain = Chain((Site("heat", 0.5, 0.0), Site(), Site("spin", 0.5, 0.0)), 0.4)
    exact = chain_exact_steady(chain)
    res = chain_tn_steady(chain, max_bond=16)
    assert exact.concurrence is not None and res.concurrence is not None
    assert exact.concurrence[1] > 1e-3
    # measured: exact 4.39e-3, tn 4.46e-3 (from the dt/2 stage, not extrapolated: its Trotter error)
    assert abs(res.concurrence[1] - exact.concurrence[1]) < 2e-4
