"""Tests of qc_reset.exact against independent computations.

The reference steady state is the null vector of the 16x16 complex Liouvillian of
:mod:`qc_reset.model` (SVD), which shares no code with the 6x6 resolvent solver; the reference
dynamics is ``scipy.linalg.expm`` of that Liouvillian.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg

from qc_reset import exact, measures, model
from qc_reset.exact import SteadyStateError
from qc_reset.model import Params, dynamics

from .helpers import EXACT_TOL, assert_density_matrix

#: Smallest singular value of the 15x15 Pauli block, relative to its natural scale
#: min(1, nonzero rates, g^2); observed >= 0.07 on 10^4 points, so 1e-3 leaves margin.
SINGULAR_MARGIN = 1e-3
#: Two matrix exponentials of the same 16x16 generator (Pade, different bases) agree to ~1e-14.
EXPM_TOL = 1e-12

X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)
ZI = np.kron(Z, np.eye(2))


def null_state(g: float, p1: float, p2: float, T1: float, T2: float) -> tuple[np.ndarray, float]:
    """Steady state as the SVD null vector of the 16x16 Liouvillian, and its condition number.

    The condition number ||L|| / sigma_15 bounds the forward error of any backward-stable
    null-vector computation: error <~ eps * kappa.
    """
    L = model.liouvillian(g, p1, p2, T1, T2)
    _, s, vh = np.linalg.svd(L)
    rho = vh[-1].conj().reshape(4, 4)
    rho = rho / np.trace(rho)
    return 0.5 * (rho + rho.conj().T), float(s[0] / s[-2])


def qubit1_bloch(rho: np.ndarray) -> np.ndarray:
    """Qubit 1's Bloch vector from Tr(rho sigma (x) I), independent of qc_reset.measures."""
    return np.array([np.trace(rho @ np.kron(s, np.eye(2))).real for s in (X, Y, Z)])


def random_points(n: int, seed: int) -> list[tuple[float, float, float, float, float]]:
    rng = np.random.default_rng(seed)
    g = rng.uniform(-3, 3, n)
    p1, p2 = 10 ** rng.uniform(-1.3, 0.7, (2, n))
    T1, T2 = 10 ** rng.uniform(-1.7, 1.7, (2, n))
    return [tuple(float(v) for v in pt) for pt in zip(g, p1, p2, T1, T2, strict=True)]


def _id(pt: tuple[float, ...]) -> str:
    return "g{:.3g}-p{:.3g}-{:.3g}-T{:.3g}-{:.3g}".format(*pt)


# --------------------------------------------------------------------------- steady state


@pytest.mark.parametrize("pt", random_points(30, seed=2024), ids=_id)
def test_steady_state_matches_liouvillian_null_space(pt: tuple[float, ...]) -> None:
    rho = exact.steady_state(*pt)
    ref, kappa = null_state(*pt)
    assert kappa < 1e3  # moderate parameters: the comparison below is a genuine 1e-12 check
    np.testing.assert_allclose(rho, ref, atol=EXACT_TOL, rtol=0)
    np.testing.assert_allclose(model.liouvillian(*pt) @ rho.reshape(16), 0, atol=EXACT_TOL)
    assert_density_matrix(rho)


EDGE_CASES = {
    "g-negative": (-0.7, 0.3, 0.5, 0.2, 0.4),
    "g-large": (50.0, 0.3, 0.7, 1.0, 2.0),
    "g-tiny": (1e-9, 0.3, 0.3, 0.1, 0.1),
    "g-resonant-gap": (0.5, 0.3, 0.3, 0.1, 0.1),
    "p1=0": (0.2, 0.0, 0.5, 0.3, 0.4),
    "p2=0": (0.2, 0.5, 0.0, 0.3, 0.4),
    "p1=0-g-neg": (-1.1, 0.0, 2.0, 0.05, 0.0),
    "T1=0-T2=0": (0.5, 0.3, 0.3, 0.0, 0.0),
    "T1=inf-T2=inf": (0.5, 0.3, 0.3, math.inf, math.inf),
    "T1=0-T2=inf": (0.3, 0.4, 0.6, 0.0, math.inf),
    "rates-tiny": (0.1, 1e-8, 1e-8, 0.2, 0.3),
    "rates-huge": (0.1, 1e8, 1e8, 0.2, 0.3),
    "rates-asymmetric": (0.1, 1e3, 1e-3, 0.1, 0.1),
    "p1-tiny-p2=0": (0.1, 1e-6, 0.0, 0.1, 0.1),
}


@pytest.mark.parametrize("pt", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_steady_state_edge_cases(pt: tuple[float, ...]) -> None:
    rho = exact.steady_state(*pt)
    ref, kappa = null_state(*pt)
    L = model.liouvillian(*pt)
    # Both solvers are backward stable: forward error scales with the condition number.
    np.testing.assert_allclose(rho, ref, atol=EXACT_TOL * max(1.0, kappa), rtol=0)
    residual = np.abs(L @ rho.reshape(16)).max()
    assert residual <= EXACT_TOL * max(1.0, np.linalg.norm(L, 2))
    assert_density_matrix(rho)


def test_steady_state_batch_is_density_matrices() -> None:
    g, p1, p2, T1, T2 = np.array(random_points(200, seed=7)).T
    rho = exact.steady_state(g, p1, p2, T1, T2)
    assert rho.shape == (200, 4, 4)
    assert rho.dtype == np.complex128
    assert_density_matrix(rho)


def test_broadcasting_matches_scalar_loop() -> None:
    rng = np.random.default_rng(3)
    g = rng.uniform(-1, 1, (3, 1, 2))
    p1 = rng.uniform(0.1, 1, (4, 1))
    p2, T1, T2 = 0.4, np.array([0.2, 0.0]), 0.7
    rho = exact.steady_state(g, p1, p2, T1, T2)
    r = exact.steady_bloch(g, p1, p2, T1, T2)
    assert rho.shape == (3, 4, 2, 4, 4)
    assert r.shape == (3, 4, 2, 3)
    for i, j, k in np.ndindex(3, 4, 2):
        args = (g[i, 0, k], p1[j, 0], p2, T1[k], T2)
        np.testing.assert_allclose(rho[i, j, k], exact.steady_state(*args), atol=EXACT_TOL, rtol=0)
        np.testing.assert_allclose(r[i, j, k], exact.steady_bloch(*args), atol=EXACT_TOL, rtol=0)


def test_scalar_call_shapes() -> None:
    assert exact.steady_state(0.1, 0.2, 0.3, 0.4, 0.5).shape == (4, 4)
    assert exact.steady_bloch(0.1, 0.2, 0.3, 0.4, 0.5).shape == (3,)


def precessing_bath_state(p2: float, T2: float) -> np.ndarray:
    """Steady state of qubit 2 alone: free precession dr/dt = (ry/2, -rx/2, 0) plus reset to x2 X.

    Solving 0 = ry/2 + p2 (x2 - rx), 0 = -rx/2 - p2 ry gives
    r = x2 (4 p2^2, -2 p2, 0) / (1 + 4 p2^2): tau2 itself only for p2 -> inf (or x2 = 0).
    """
    x2 = 1.0 if T2 == 0 else math.tanh(0.5 / T2)
    rx, ry = 4 * p2**2 * x2 / (1 + 4 * p2**2), -2 * p2 * x2 / (1 + 4 * p2**2)
    return 0.5 * (np.eye(2) + rx * X + ry * Y)


@pytest.mark.parametrize(
    ("T1", "T2"),
    [(0.3, 0.6), (0.0, 0.0), (math.inf, 0.2), (2.0, math.inf)],
    ids=["T", "T0", "T1inf", "T2inf"],
)
def test_uncoupled_is_product_of_bath_states(T1: float, T2: float) -> None:
    """g = 0: tau1 (x) [qubit 2 reset to tau2 while precessing]; tau1 commutes with H, tau2 does not."""
    z1 = 1.0 if T1 == 0 else math.tanh(0.5 / T1)
    tau1 = 0.5 * (np.eye(2) + z1 * Z)
    p2 = 1.3
    rho = exact.steady_state(0.0, 0.4, p2, T1, T2)
    np.testing.assert_allclose(rho, np.kron(tau1, precessing_bath_state(p2, T2)), atol=EXACT_TOL, rtol=0)


def test_uncoupled_fast_spin_bath_approaches_tau1_tau2() -> None:
    p2, T1, T2 = 1e6, 0.3, 0.6
    tau1 = 0.5 * (np.eye(2) + math.tanh(0.5 / T1) * Z)
    tau2 = 0.5 * (np.eye(2) + math.tanh(0.5 / T2) * X)
    # Qubit 2's Bloch vector differs from tau2's by O(1/p2) (the ry term).
    np.testing.assert_allclose(exact.steady_state(0.0, 0.4, p2, T1, T2), np.kron(tau1, tau2), atol=1 / p2)


@pytest.mark.parametrize(("p1", "p2", "which"), [(0.0, 0.5, "p1"), (0.5, 0.0, "p2")], ids=["p1=0", "p2=0"])
def test_non_unique_steady_state_raises(p1: float, p2: float, which: str) -> None:
    match = rf"no unique steady state at g = 0 with {which} = 0"
    assert issubclass(SteadyStateError, ValueError)
    with pytest.raises(SteadyStateError, match=match):
        exact.steady_state(0.0, p1, p2, 0.3, 0.3)
    with pytest.raises(SteadyStateError, match=match):
        exact.steady_bloch(0.0, p1, p2, 0.3, 0.3)
    with pytest.raises(SteadyStateError, match=match):
        exact.steady_bloch_unit(0.0, p1, p2, 0.3)
    # One bad point inside a batch is enough.
    with pytest.raises(SteadyStateError, match=match):
        exact.steady_state([0.1, 0.0], p1, p2, 0.3, 0.3)


def _singular_scale(g: np.ndarray, p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    pmin = np.minimum(np.where(p1 > 0, p1, np.inf), np.where(p2 > 0, p2, np.inf))
    return np.minimum(1.0, np.minimum(pmin, g**2))


def test_only_singular_cases_are_decoupled_without_bath() -> None:
    rng = np.random.default_rng(99)
    n = 3000
    g = rng.choice([-1, 1], n) * 10 ** rng.uniform(-1.5, 0.5, n)
    p1, p2 = 10 ** rng.uniform(-1.5, 1, (2, n))
    T1 = np.where(rng.random(n) < 0.1, 0.0, 10 ** rng.uniform(-2, 2, n))
    T2 = np.where(rng.random(n) < 0.1, np.inf, 10 ** rng.uniform(-2, 2, n))
    p1[: n // 6] = 0.0  # g != 0 with one rate 0 is still unique
    p2[n // 6 : n // 3] = 0.0
    G = exact.generator(g, p1, p2, T1, T2)[..., 1:, 1:]
    smin = np.linalg.svd(G, compute_uv=False)[..., -1]
    assert np.all(smin > SINGULAR_MARGIN * _singular_scale(g, p1, p2))
    # ...while exactly the excluded cases are singular.
    for p1_, p2_ in [(0.0, 0.7), (0.7, 0.0)]:
        Gs = exact.generator(0.0, p1_, p2_, 0.3, 0.4)[1:, 1:]
        assert np.linalg.svd(Gs, compute_uv=False)[-1] < EXACT_TOL


def test_generator_is_pauli_form_of_liouvillian() -> None:
    """dc/dt = G c with c_k = Tr(rho P_k): check on random states against the Liouvillian."""
    rng = np.random.default_rng(4)
    pt = (0.37, 0.8, 0.25, 0.3, 1.5)
    G = exact.generator(*pt)
    L = model.liouvillian(*pt)
    paulis = [np.kron(a, b) for a in (np.eye(2), X, Y, Z) for b in (np.eye(2), X, Y, Z)]
    for _ in range(3):
        A = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
        rho = A @ A.conj().T
        rho /= np.trace(rho)
        c = np.array([np.trace(rho @ P).real for P in paulis])
        drho = (L @ rho.reshape(16)).reshape(4, 4)
        dc = np.array([np.trace(drho @ P).real for P in paulis])
        np.testing.assert_allclose(G @ c, dc, atol=EXACT_TOL)


@pytest.mark.parametrize(
    "pt",
    [(0.3, 0.4, 0.7, 0.2), (-1.2, 0.05, 1.5, 0.0), (0.05, 0.9, 0.1, 3.0)],
    ids=["generic", "T2=0", "weak-g"],
)
def test_qubit1_bloch_proportional_to_heat_bath_polarization(pt: tuple[float, ...]) -> None:
    g, p1, p2, T2 = pt
    ref, _ = null_state(g, p1, p2, 0.0, T2)
    unit = qubit1_bloch(ref)
    assert np.abs(unit).max() > 1e-3  # a nontrivial vector
    np.testing.assert_allclose(exact.steady_bloch_unit(g, p1, p2, T2), unit, atol=EXACT_TOL, rtol=0)
    for T1 in [0.02, 0.1, 0.5, 1.0, 4.0, 50.0, math.inf]:
        z1 = math.tanh(0.5 / T1)
        r_svd = qubit1_bloch(null_state(g, p1, p2, T1, T2)[0])
        np.testing.assert_allclose(r_svd, z1 * unit, atol=EXACT_TOL, rtol=0)
        np.testing.assert_allclose(exact.steady_bloch(g, p1, p2, T1, T2), z1 * unit, atol=EXACT_TOL, rtol=0)


@pytest.mark.parametrize("pt", [(0.3, 0.7, 0.2, 0.4), (-2.0, 0.1, 0.0, 0.0)], ids=["generic", "T=0"])
def test_qubit1_unpolarized_without_heat_bath(pt: tuple[float, ...]) -> None:
    """Corollary of the proportionality: with p1 = 0 nothing depends on T1, and r = 0 at T1 = inf."""
    g, p2, T1, T2 = pt
    np.testing.assert_allclose(qubit1_bloch(null_state(g, 0.0, p2, T1, T2)[0]), 0, atol=EXACT_TOL)
    np.testing.assert_allclose(exact.steady_bloch(g, 0.0, p2, T1, T2), 0, atol=EXACT_TOL)


def test_steady_bloch_equals_bloch_of_steady_state() -> None:
    g, p1, p2, T1, T2 = np.array(random_points(100, seed=8)).T
    r = exact.steady_bloch(g, p1, p2, T1, T2)
    np.testing.assert_allclose(r, measures.bloch_vector(exact.steady_state(g, p1, p2, T1, T2)), atol=EXACT_TOL)
    np.testing.assert_allclose(r[0], qubit1_bloch(exact.steady_state(g[0], p1[0], p2[0], T1[0], T2[0])))


def test_coupling_sign_symmetry() -> None:
    """Z (x) I maps H(g) to H(-g) and leaves tau1, tau2 on their own qubits unchanged.

    Hence rho(-g) = (Z (x) I) rho(g) (Z (x) I) and qubit 1's Bloch vector maps
    (rx, ry, rz) -> (-rx, -ry, rz): coherence, rz and ||r||_1 are invariant.
    """
    np.testing.assert_allclose(ZI @ model.hamiltonian(0.8) @ ZI, model.hamiltonian(-0.8), atol=EXACT_TOL)
    g, p1, p2, T1, T2 = np.array(random_points(50, seed=9)).T
    rp, rm = exact.steady_state(g, p1, p2, T1, T2), exact.steady_state(-g, p1, p2, T1, T2)
    np.testing.assert_allclose(rm, ZI @ rp @ ZI, atol=EXACT_TOL)
    bp, bm = exact.steady_bloch(g, p1, p2, T1, T2), exact.steady_bloch(-g, p1, p2, T1, T2)
    np.testing.assert_allclose(bm, bp * np.array([-1, -1, 1]), atol=EXACT_TOL)
    np.testing.assert_allclose(np.abs(bm).sum(-1), np.abs(bp).sum(-1), atol=EXACT_TOL)
    assert np.abs(bp[:, :2]).max() > 0.05  # the symmetry is not trivially satisfied by r_xy = 0


@pytest.mark.parametrize(
    ("name", "args", "match"),
    [
        ("steady_state", (0.1, -1.0, 0.3, 0.4, 0.5), r"^p1 must be a number in \[0, \+inf\)"),
        ("steady_bloch", (math.nan, 0.2, 0.3, 0.4, 0.5), r"^g must be a finite real number"),
        ("steady_bloch_unit", (0.1, 0.2, 0.3, -0.5), r"^T2 must be a number in \[0, \+inf\]"),
        ("generator", (0.1, 0.0, 0.0, 0.4, 0.5), r"p1 and p2 must not both be 0"),
    ],
    ids=["steady_state-p1", "steady_bloch-g", "unit-T2", "generator-rates"],
)
def test_exact_validation(name: str, args: tuple[float, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        getattr(exact, name)(*args)


# --------------------------------------------------------------------------- transients


def expm_trajectory(params: Params, rho0: np.ndarray, times: np.ndarray) -> np.ndarray:
    L = params.liouvillian()
    return np.array([(scipy.linalg.expm(L * t) @ rho0.reshape(16)).reshape(4, 4) for t in times])


def _product_state(r1: tuple[float, float, float], r2: tuple[float, float, float]) -> np.ndarray:
    def one(r: tuple[float, float, float]) -> np.ndarray:
        return 0.5 * (np.eye(2) + r[0] * X + r[1] * Y + r[2] * Z)

    return np.kron(one(r1), one(r2))


EVOLVE_CASES = {
    "generic": Params(0.6, 0.3, 0.5, 0.2, 0.4),
    "p2=0": Params(-1.0, 0.7, 0.0, 0.0, 1.0),
    "nonunique-g0-p1=0": Params(0.0, 0.0, 0.8, 0.3, 0.1),
}


@pytest.mark.parametrize("params", list(EVOLVE_CASES.values()), ids=list(EVOLVE_CASES))
def test_evolve_matches_scipy_expm(params: Params) -> None:
    rho0 = _product_state((0.3, -0.5, 0.6), (0.1, 0.7, -0.2))
    times = np.array([0.0, 0.3, 1.7, 6.0, 25.0])
    rho_t = dynamics.evolve(params, rho0, times)
    assert rho_t.shape == (5, 4, 4)
    np.testing.assert_allclose(rho_t, expm_trajectory(params, rho0, times), atol=EXPM_TOL)
    np.testing.assert_allclose(rho_t[0], rho0, atol=EXACT_TOL)
    assert_density_matrix(rho_t, atol=EXPM_TOL)
    np.testing.assert_allclose(dynamics.evolve(params, rho0, 1.7), rho_t[2], atol=EXACT_TOL)


def test_evolve_reaches_steady_state() -> None:
    params = Params(0.4, 0.5, 0.6, 0.1, 0.3)
    rho0 = _product_state((0.0, 0.0, -1.0), (0.0, 0.0, -1.0))
    # Slowest decay rate >= 0.2 here, so exp(-0.2 * 400) ~ 1e-35.
    rho_inf = dynamics.evolve(params, rho0, [400.0])[0]
    np.testing.assert_allclose(rho_inf, exact.steady_state(0.4, 0.5, 0.6, 0.1, 0.3), atol=EXPM_TOL)


def test_evolve_without_unique_steady_state_keeps_qubit1() -> None:
    """g = 0, p1 = 0: qubit 1 only precesses, dr/dt = (ry/2, -rx/2, 0); qubit 2 relaxes to tau2."""
    params = Params(0.0, 0.0, 0.8, 0.3, 0.1)
    r1 = np.array([0.3, -0.5, 0.6])
    rho0 = _product_state(tuple(r1), (0.0, 0.0, 1.0))
    times = np.linspace(0.0, 40.0, 9)
    rho_t = dynamics.evolve(params, rho0, times)
    c, s = np.cos(times / 2), np.sin(times / 2)
    expected = np.stack([r1[0] * c + r1[1] * s, r1[1] * c - r1[0] * s, np.full_like(times, r1[2])], axis=-1)
    got = np.array([qubit1_bloch(r) for r in rho_t])
    np.testing.assert_allclose(got, expected, atol=EXPM_TOL)
    # Qubit 2 relaxes (32 decay times) to its precessing-bath steady state, not to tau2.
    rho2 = np.einsum("abad->bd", rho_t[-1].reshape(2, 2, 2, 2))
    np.testing.assert_allclose(rho2, precessing_bath_state(0.8, 0.1), atol=EXPM_TOL)


@pytest.mark.parametrize(
    ("rho0", "times", "match"),
    [
        (np.eye(4) / 4, [[0.0, 1.0]], r"^times must be a 1-d array"),
        (np.eye(4) / 4, [0.0, -1.0], r"^times must be a 1-d array of finite numbers in \[0, \+inf\)"),
        (np.eye(4) / 4, [0.0, math.nan], r"^times must be a 1-d array"),
        (np.eye(4) / 4, [math.inf], r"^times must be a 1-d array"),
        (np.eye(2) / 2, [1.0], r"^rho0 must be a 4x4 density matrix"),
    ],
    ids=["2d", "negative", "nan", "inf", "rho0-shape"],
)
def test_evolve_validation(rho0: np.ndarray, times: list[float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        dynamics.evolve(Params(0.1, 0.2, 0.3, 0.4, 0.5), rho0, times)


def test_transient_fields_and_overshoot() -> None:
    # Weak damping, strong exchange: coherence rings up past its steady value.
    params = Params(1.0, 0.1, 0.1, 0.05, 0.05)
    times = np.linspace(0.0, 60.0, 241)
    tr = dynamics.transient(params, times)
    n = len(times)
    assert tr.bloch.shape == (n, 3)
    assert tr.l1_coherence.shape == tr.l1_norm.shape == (n,)
    np.testing.assert_array_equal(tr.times, times)
    # Independent trajectory from tau1 (x) tau2 via scipy expm, and the SVD steady state.
    tau1 = 0.5 * (np.eye(2) + math.tanh(10.0) * Z)
    tau2 = 0.5 * (np.eye(2) + math.tanh(10.0) * X)
    traj = expm_trajectory(params, np.kron(tau1, tau2), times)
    r = np.array([qubit1_bloch(rho) for rho in traj])
    r_ss = qubit1_bloch(null_state(1.0, 0.1, 0.1, 0.05, 0.05)[0])
    np.testing.assert_allclose(tr.bloch, r, atol=EXPM_TOL)
    np.testing.assert_allclose(tr.l1_coherence, np.hypot(r[:, 0], r[:, 1]), atol=EXPM_TOL)
    np.testing.assert_allclose(tr.l1_norm, np.abs(r).sum(-1), atol=EXPM_TOL)
    np.testing.assert_allclose(tr.steady_bloch, r_ss, atol=EXACT_TOL)
    c_ss, m_ss = math.hypot(r_ss[0], r_ss[1]), float(np.abs(r_ss).sum())
    assert tr.steady_l1_coherence == pytest.approx(c_ss, abs=EXACT_TOL)
    assert tr.steady_l1_norm == pytest.approx(m_ss, abs=EXACT_TOL)
    expected_c = np.hypot(r[:, 0], r[:, 1]).max() - c_ss
    expected_m = np.abs(r).sum(-1).max() - m_ss
    assert expected_c > 0.01  # the constructed case does overshoot
    assert tr.coherence_overshoot == pytest.approx(expected_c, abs=EXPM_TOL)
    assert tr.magic_overshoot == pytest.approx(expected_m, abs=EXPM_TOL)
    d = tr.to_dict()
    assert d["steady_l1_norm"] == tr.steady_l1_norm and len(d["bloch"]) == n


def test_transient_negative_overshoot_and_custom_start() -> None:
    params = Params(0.3, 0.4, 0.4, 0.1, 0.1)
    # At t = 0 from tau1 (x) tau2 qubit 1 has no coherence: overshoot = -C_ss < 0.
    tr0 = dynamics.transient(params, [0.0])
    assert tr0.l1_coherence[0] == pytest.approx(0.0, abs=EXACT_TOL)
    assert tr0.coherence_overshoot == pytest.approx(-tr0.steady_l1_coherence, abs=EXACT_TOL)
    assert tr0.coherence_overshoot < 0
    # Starting in the steady state, nothing moves: overshoots vanish.
    rho_ss = exact.steady_state(0.3, 0.4, 0.4, 0.1, 0.1)
    tr = dynamics.transient(params, np.linspace(0, 10, 11), rho0=rho_ss)
    assert tr.coherence_overshoot == pytest.approx(0.0, abs=EXPM_TOL)
    assert tr.magic_overshoot == pytest.approx(0.0, abs=EXPM_TOL)
