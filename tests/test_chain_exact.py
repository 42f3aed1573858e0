"""The exact chain steady state against independent computations.

Oracles: the package's two-qubit solver (``qc_reset.steady_state``, a resolvent reduction on the
Pauli basis that shares no code with the sparse chain Liouvillian) for the two-site chain; QuTiP 5
(``qutip.steadystate`` of H and the Lindblad jump operators sqrt(p lambda_k)|k><j| in each bath
state's eigenbasis, built here from QuTiP primitives) for N = 3-5 with mixed baths; the g = 0
product state in closed form; ``qutip.concurrence`` for the Wootters concurrence.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import qc_reset
from qc_reset._checks import InputError
from qc_reset.model.chain import Chain, Site
from qc_reset.model.chain.exact import (
    MAX_EXACT_BYTES,
    chain_exact_steady,
    chain_steady_state,
    memory_estimate,
    solve_steady,
)
from qc_reset.model.chain.liouvillian import liouvillian
from qc_reset.model.chain.observables import pair_state, site_blochs, site_state
from qc_reset.model.params import Params

from .helpers import assert_density_matrix

with warnings.catch_warnings():  # qutip warns at import when matplotlib is absent
    warnings.simplefilter("ignore")
    import qutip

#: Exact sparse linear algebra on 4^N-dimensional systems in double precision (N = 2).
EXACT_TOL = 1e-12
#: QuTiP's sparse direct solve and ours each agree with exact arithmetic to ~1e-13 at N <= 5;
#: GMRES stops at a relative preconditioned residual of 1e-13, i.e. a state error of ~1e-12.
QUTIP_TOL = 1e-9

PAPER_POINTS = [
    Params(g=0.05, p1=0.3, p2=0.3, T1=0.1, T2=0.0),
    Params(g=0.368, p1=0.504, p2=5.0, T1=0.0, T2=0.0),
    Params(g=0.2, p1=1.0, p2=0.1, T1=math.inf, T2=0.5),
    Params(g=-0.1, p1=0.2, p2=2.0, T1=0.3, T2=math.inf),
    Params(g=0.5, p1=0.05, p2=0.7, T1=2.0, T2=0.01),
]


@pytest.mark.parametrize("solver", ["direct", "iterative"])
@pytest.mark.parametrize("P", PAPER_POINTS, ids=lambda P: f"g{P.g}-T1{P.T1}-T2{P.T2}")
def test_two_site_chain_is_the_paper_model(P: Params, solver: str) -> None:
    rho = chain_steady_state(Chain.from_params(P), solver=solver)
    ref = qc_reset.steady_state(P.g, P.p1, P.p2, P.T1, P.T2)
    np.testing.assert_allclose(rho, ref, atol=EXACT_TOL, rtol=0)
    np.testing.assert_allclose(site_blochs(rho)[0], qc_reset.steady_bloch(P.g, P.p1, P.p2, P.T1, P.T2),
                               atol=EXACT_TOL, rtol=0)


def _qutip_chain(chain: Chain) -> tuple[qutip.Qobj, list[qutip.Qobj]]:
    """H and the jump operators of ``chain`` from QuTiP primitives (site 0 = first tensor factor)."""
    n = chain.n
    eye = qutip.qeye(2)

    def on(ops: dict[int, qutip.Qobj]) -> qutip.Qobj:
        return qutip.tensor([ops.get(i, eye) for i in range(n)])

    H = sum(0.5 * s.omega * on({i: qutip.num(2)}) for i, s in enumerate(chain.sites))
    sm = qutip.destroy(2)  # |0><1|
    for i, g in enumerate(chain.g):
        H += g * (on({i: sm, i + 1: sm.dag()}) + on({i: sm.dag(), i + 1: sm}))
    c_ops = []
    for i, s in enumerate(chain.sites):
        if s.bath == "none":
            continue
        w1 = 0.0 if s.T == 0 else math.exp(-1.0 / s.T)
        lam = [1.0 / (1.0 + w1), w1 / (1.0 + w1)]
        basis = ([qutip.basis(2, 0), qutip.basis(2, 1)] if s.bath == "heat" else
                 [(qutip.basis(2, 0) + qutip.basis(2, 1)).unit(), (qutip.basis(2, 0) - qutip.basis(2, 1)).unit()])
        for k in range(2):
            for j in range(2):
                if lam[k] > 0:
                    c_ops.append(math.sqrt(s.p * lam[k]) * on({i: basis[k] * basis[j].dag()}))
    return H, c_ops


MIXED_CHAINS = [
    Chain((Site("heat", 0.3, 0.1), Site(), Site("spin", 0.4, 0.02)), 0.06),
    Chain((Site("spin", 0.5, 0.2), Site("heat", 0.2, 1.0), Site(), Site("spin", 1.5, 0.0, omega=1.3)),
          (0.1, -0.3, 0.25)),
    Chain((Site("heat", 0.3, 0.0), Site(), Site(omega=0.7), Site("heat", 0.8, math.inf), Site("spin", 0.3, 0.05)),
          (0.2, 0.15, 0.3, 0.1)),
]


@pytest.mark.parametrize("chain", MIXED_CHAINS, ids=lambda c: f"N{c.n}")
def test_against_qutip_steadystate(chain: Chain) -> None:
    H, c_ops = _qutip_chain(chain)
    ref = qutip.steadystate(H, c_ops).full()
    res = solve_steady(chain)
    np.testing.assert_allclose(res.rho, ref, atol=QUTIP_TOL, rtol=0)
    assert_density_matrix(res.rho, atol=1e-10)
    assert res.residual < 1e-12
    # The residual is ||L rho|| of QuTiP's own Liouvillian too (column-stacking vec of rho).
    L_qt = qutip.liouvillian(H, c_ops).full()
    assert np.linalg.norm(L_qt @ res.rho.reshape(-1, order="F")) < 1e-11


def test_liouvillian_equals_qutip_on_random_states() -> None:
    chain = MIXED_CHAINS[1]
    H, c_ops = _qutip_chain(chain)
    L_qt = qutip.liouvillian(H, c_ops).full()
    L = liouvillian(chain)
    rng = np.random.default_rng(5)
    d = 2**chain.n
    for _ in range(3):
        X = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        ours = (L @ X.reshape(-1)).reshape(d, d)
        theirs = (L_qt @ X.reshape(-1, order="F")).reshape(d, d, order="F")
        np.testing.assert_allclose(ours, theirs, atol=1e-12, rtol=0)


def test_direct_and_iterative_agree_and_report() -> None:
    chain = MIXED_CHAINS[2]
    a = solve_steady(chain, solver="direct")
    b = solve_steady(chain, solver="iterative")
    np.testing.assert_allclose(a.rho, b.rho, atol=1e-10, rtol=0)
    assert b.iterations > 0 and a.iterations == 0
    res = chain_exact_steady(chain)
    assert res.method == "exact" and res.error is None
    assert res.details["solver"] == "iterative" and res.details["residual"] < 1e-12
    d = res.to_dict()
    np.testing.assert_allclose([s["bloch"] for s in d["sites"]], site_blochs(b.rho), atol=1e-10, rtol=0)
    assert len(d["concurrence"]) == chain.n - 1


def test_g_zero_product_of_single_site_fixed_points() -> None:
    """At g = 0 every bath site is alone: heat -> tau, spin -> x (p^2, -p w/2, 0)/(p^2 + w^2/4).

    With w = 1 the spin site's vector is x (4p^2, -2p, 0)/(1 + 4p^2) (the two-qubit model's g = 0
    limit); tau precesses about z at w/2 while it is reset at rate p.
    """
    sites = (Site("heat", 0.3, 0.2), Site("spin", 0.7, 0.1), Site("spin", 0.4, 0.5, omega=2.0), Site("heat", 1.1, 0.0))
    chain = Chain(sites, 0.0)
    rho = chain_steady_state(chain)
    r = site_blochs(rho)
    x = [math.tanh(1 / (2 * s.T)) if s.T > 0 else 1.0 for s in sites]
    np.testing.assert_allclose(r[0], [0, 0, x[0]], atol=EXACT_TOL)
    np.testing.assert_allclose(r[3], [0, 0, 1.0], atol=EXACT_TOL)
    np.testing.assert_allclose(r[1], x[1] * np.array([4 * 0.49, -1.4, 0]) / (1 + 4 * 0.49), atol=EXACT_TOL)
    p, w = 0.4, 2.0
    np.testing.assert_allclose(r[2], x[2] * np.array([p * p, -p * w / 2, 0]) / (p * p + w * w / 4), atol=EXACT_TOL)
    product = np.kron(np.kron(site_state(rho, 0), site_state(rho, 1)), np.kron(site_state(rho, 2), site_state(rho, 3)))
    np.testing.assert_allclose(rho, product, atol=EXACT_TOL)
    assert chain_exact_steady(chain).concurrence == (0.0, 0.0, 0.0)


def test_concurrence_against_qutip() -> None:
    chain = Chain((Site("heat", 0.5, 0.0), Site(), Site("spin", 0.5, 0.0)), 0.4)
    res = chain_exact_steady(chain)
    rho = chain_steady_state(chain)
    for i, c in enumerate(res.concurrence or ()):
        q = qutip.concurrence(qutip.Qobj(pair_state(rho, i), dims=[[2, 2], [2, 2]]))
        assert c == pytest.approx(q, abs=1e-12)
    assert max(res.concurrence or (0.0,)) > 1e-3  # the test would see a wrong formula


UNDETERMINED = [
    Chain((Site("heat", 0.3, 0.1), Site(), Site("spin", 0.3, 0.1)), 0.0),  # isolated middle site
    Chain((Site("heat", 0.3, 0.1), Site(), Site()), (0.1, 0.0)),  # isolated end site
    Chain((Site("heat", 0.3, 0.1), Site(), Site(), Site()), (0.0, 0.2, 0.3)),  # a group of three, no bath
]


@pytest.mark.parametrize("chain", UNDETERMINED, ids=["middle", "end", "group"])
def test_refuses_sites_without_bath_or_coupling(chain: Chain) -> None:
    with pytest.raises(InputError, match=r"site.*no bath and no nonzero bond.*no unique steady state"):
        solve_steady(chain)


def test_size_bounded_before_work() -> None:
    chain = Chain((Site("heat", 0.3, 0.1),) + (Site(),) * 10 + (Site("spin", 0.3, 0.0),), 0.1)
    with pytest.raises(InputError, match=r"12-site chain.*about .* GiB of memory, above the limit of 3 GiB"):
        solve_steady(chain)
    assert memory_estimate(12) > MAX_EXACT_BYTES > memory_estimate(10)
    with pytest.raises(InputError, match=r"solver 'direct' accepts chains of at most 6 sites"):
        solve_steady(Chain((Site("heat", 0.3, 0.1),) + (Site(),) * 6, 0.1), solver="direct")
    with pytest.raises(InputError, match=r"solver must be one of"):
        solve_steady(MIXED_CHAINS[0], solver="lu")
