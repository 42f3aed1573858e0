"""The closed-form steady state against the numerical solver and an independent mpmath solve."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.model.closed_form import (
    ABS_ERROR_BOUND,
    ACCURATE_MAX,
    ACCURATE_MIN,
    closed_form_is_accurate,
    steady_bloch_closed,
    steady_local_closed,
)
from qc_reset.model.measures import bloch_vector
from qc_reset.model.steady import steady_bloch, steady_state

#: The numerical solver's certified accuracy (1e-13 against a high-precision solve) plus the
#: closed form's bound: the largest difference two correct answers may show.
SOLVER_TOL = 1e-13 + ABS_ERROR_BOUND
#: Working digits of the reference: enough for the 16x16 solve to keep 20 digits after losing
#: up to 12 digits per decade spanned by the inputs (checked by the two-precision agreement).
REF_BASE_DIGITS = 40
REF_DIGITS_PER_DECADE = 12


def _mp_steady(g: float, p1: float, p2: float, z1: float, x2: float, dps: int) -> list[mpmath.mpf]:
    """(r, s) from the null space of the 16x16 Pauli-basis Liouvillian, built here in mpmath."""
    with mpmath.workdps(dps):
        g, p1, p2, z1, x2 = (mpmath.mpf(v) for v in (g, p1, p2, z1, x2))
        paulis = [mpmath.matrix([[1, 0], [0, 1]]), mpmath.matrix([[0, 1], [1, 0]]),
                  mpmath.matrix([[0, -1j], [1j, 0]]), mpmath.matrix([[1, 0], [0, -1]])]

        def kron(a: mpmath.matrix, b: mpmath.matrix) -> mpmath.matrix:
            m = mpmath.matrix(4, 4)
            for i in range(2):
                for j in range(2):
                    for k in range(2):
                        for m_ in range(2):
                            m[2 * i + k, 2 * j + m_] = a[i, j] * b[k, m_]
            return m

        H = mpmath.matrix(4, 4)
        H[1, 1] = H[2, 2] = mpmath.mpf(1) / 2
        H[3, 3] = 1
        H[1, 2] = H[2, 1] = g
        tau1 = (paulis[0] + z1 * paulis[3]) / 2
        tau2 = (paulis[0] + x2 * paulis[1]) / 2
        basis = [kron(paulis[a], paulis[b]) for a in range(4) for b in range(4)]

        def lindblad(rho: mpmath.matrix) -> mpmath.matrix:
            rho1, rho2 = mpmath.matrix(2, 2), mpmath.matrix(2, 2)
            for a in range(2):
                for b in range(2):
                    rho2[a, b] = rho[a, b] + rho[2 + a, 2 + b]
                    rho1[a, b] = rho[2 * a, 2 * b] + rho[2 * a + 1, 2 * b + 1]
            return -1j * (H * rho - rho * H) + p1 * (kron(tau1, rho2) - rho) + p2 * (kron(rho1, tau2) - rho)

        G = mpmath.matrix(16, 16)
        for k in range(16):
            image = lindblad(basis[k] / 4)
            for j in range(16):
                G[j, k] = mpmath.re(sum(basis[j][a, b] * image[b, a] for a in range(4) for b in range(4)))
        A, rhs = mpmath.matrix(15, 15), mpmath.matrix(15, 1)
        for j in range(15):
            rhs[j] = -G[j + 1, 0]
            for k in range(15):
                A[j, k] = G[j + 1, k + 1]
        c = mpmath.lu_solve(A, rhs)
        return [c[k - 1] for k in (4, 8, 12, 1, 2, 3)]


def _reference(g: float, p1: float, p2: float, z1: float, x2: float) -> np.ndarray:
    scales = [abs(v) for v in (g, p1, p2, p1 + p2, 0.5 - g, 0.5 + g) if v != 0]
    decades = max(abs(math.log10(v)) for v in scales)
    dps = int(REF_BASE_DIGITS + REF_DIGITS_PER_DECADE * decades)
    lo, hi = _mp_steady(g, p1, p2, z1, x2, dps), _mp_steady(g, p1, p2, z1, x2, 2 * dps)
    assert max(abs(a - b) for a, b in zip(lo, hi, strict=True)) < 1e-20  # the reference converged
    return np.array([float(v) for v in hi])


# Corners of the certified domain: rates and couplings at its ends, g at and near 1/2, one rate
# zero, T in {0, inf} (z1, x2 in {1, 0}).
CORNERS = [
    (0.3, 0.7, 0.4, 0.8, 0.6),
    (ACCURATE_MIN, 0.3, 0.5, 1.0, 1.0),
    (0.0, 0.2, 0.9, 1.0, 1.0),
    (0.5, ACCURATE_MIN, 0.3, 1.0, 1.0),
    (0.5, 0.4, ACCURATE_MIN, 1.0, 1.0),
    (0.5 + 1e-9, 1e-12, 1e-12, 1.0, 1.0),
    (-0.2, 0.0, 0.7, 1.0, 1.0),
    (0.2, 0.7, 0.0, 1.0, 0.0),
    (ACCURATE_MAX, 0.1, 0.2, 1.0, 1.0),
    (0.3, ACCURATE_MAX, 0.2, 1.0, 1.0),
    (0.3, 0.1, ACCURATE_MAX, 1.0, 1.0),
    (ACCURATE_MAX, ACCURATE_MAX, ACCURATE_MAX, 0.0, 1.0),
    (1e3, 1e-6, 1e2, 0.5, 1.0),
    (1e-20, 1e-25, 1e-22, 1.0, 1.0),
]


@pytest.mark.parametrize("point", CORNERS)
def test_against_independent_liouvillian_solve(point: tuple[float, ...]) -> None:
    g, p1, p2, z1, x2 = point
    assert closed_form_is_accurate(g, p1, p2)
    got = steady_local_closed(*(np.array([v]) for v in point))[0]
    assert np.abs(got - _reference(*point)).max() <= ABS_ERROR_BOUND


def _log_uniform_points(n: int, lo: float, hi: float, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    g = rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(lo, hi, n)
    p1, p2 = 10 ** rng.uniform(lo, hi, n), 10 ** rng.uniform(lo, hi, n)
    g[::11] = 0.5 + g[::11] * 1e-7
    g[::13] = 0.0
    p1[::17] = 0.0
    p2[::19] = 0.0
    p1[(p1 == 0) & (p2 == 0)] = 1.0
    g[(g == 0) & ((p1 == 0) | (p2 == 0))] = 0.25
    T1 = np.where(rng.random(n) < 0.2, rng.choice([0.0, np.inf], n), rng.uniform(0.01, 3, n))
    T2 = np.where(rng.random(n) < 0.2, rng.choice([0.0, np.inf], n), rng.uniform(0.01, 3, n))
    return g, p1, p2, T1, T2


def test_against_numerical_solver_over_the_domain() -> None:
    # Rates and couplings over 19 decades (the numerical solver's own test range and beyond).
    args = _log_uniform_points(4000, -12.0, 6.0, seed=5)
    assert closed_form_is_accurate(*args[:3]).all()
    # steady_bloch itself evaluates the closed form on this domain, so the reference is the
    # resolvent solve behind steady_state (qubit 1's Bloch vector of the full state).
    diff = np.abs(steady_bloch_closed(*args, both=False) - _solver_bloch(*args))
    assert diff.max() <= SOLVER_TOL


def _solver_bloch(*args: np.ndarray) -> np.ndarray:
    return bloch_vector(steady_state(*args))


def test_steady_bloch_mixes_closed_form_and_solver_points() -> None:
    # One batch with points inside the certified domain and points outside it (p1 = 1e-35,
    # g = 1e13): every point must agree with the resolvent solve, in its own position.
    g = np.array([0.06, 1e13, 0.3, 0.06, -0.2])
    p1 = np.array([0.3, 0.4, 1e-35, 0.3, 2.0])
    p2 = np.array([0.3, 0.2, 0.5, 0.0, 1e-3])
    T1, T2 = np.array([0.1, 0.0, 0.2, np.inf, 0.05]), np.array([0.02, 0.3, 0.0, 1.0, 0.0])
    fast = closed_form_is_accurate(g, p1, p2)
    assert fast.any() and not fast.all()
    np.testing.assert_allclose(steady_bloch(g, p1, p2, T1, T2), _solver_bloch(g, p1, p2, T1, T2),
                               atol=SOLVER_TOL, rtol=0)


def test_qubit2_against_the_full_state() -> None:
    args = _log_uniform_points(300, -6.0, 3.0, seed=6)
    rho = steady_state(*args)
    paulis = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
    s = np.einsum("nabac,kcb->nk", rho.reshape(-1, 2, 2, 2, 2), paulis).real
    got = steady_bloch_closed(*args, both=True)
    assert np.abs(got[:, 3:] - s).max() <= SOLVER_TOL


def test_known_limits() -> None:
    p2 = np.array([0.05, 0.5, 3.0])
    # g = 0: qubit 1 thermal, qubit 2 precesses against its bath.
    u = steady_bloch_closed(0.0, 0.4, p2, 0.3, 0.7, both=True)
    x2, z1 = math.tanh(1 / 1.4), math.tanh(1 / 0.6)
    want = x2 * np.stack([4 * p2**2, -2 * p2, 0 * p2], axis=1) / (1 + 4 * p2**2)[:, None]
    assert np.abs(u[:, 3:] - want).max() <= ABS_ERROR_BOUND
    assert np.abs(u[:, :3] - [0, 0, z1]).max() <= ABS_ERROR_BOUND
    # p2 = 0: tau1 (x) tau1.
    u = steady_bloch_closed(0.3, 0.4, 0.0, 0.3, 0.7, both=True)
    assert np.abs(u - [0, 0, z1, 0, 0, z1]).max() <= ABS_ERROR_BOUND
    # Qubit 1 is proportional to z1: T1 = inf gives zero, and the ratio is exact to rounding.
    assert np.all(steady_bloch_closed(0.3, 0.4, 0.5, np.inf, 0.2) == 0)
    a, b = steady_bloch_closed(0.3, 0.4, 0.5, [0.0, 0.5], 0.2)
    assert np.abs(b - math.tanh(1.0) * a).max() <= ABS_ERROR_BOUND


def test_broadcasting_and_shapes() -> None:
    out = steady_bloch_closed(np.linspace(-1, 1, 5)[:, None], 0.3, [0.1, 0.2, 0.4], 0.2, 0.1)
    assert out.shape == (5, 3, 3)
    assert steady_bloch_closed(0.1, 0.2, 0.3, 0.1, 0.1).shape == (3,)
    assert steady_bloch_closed(0.1, 0.2, 0.3, 0.1, 0.1, both=True).shape == (6,)
    n = 3 * 2**13 + 7  # several blocks
    g = np.linspace(-2, 2, n)
    assert np.array_equal(steady_bloch_closed(g, 0.3, 0.2, 0.1, 0.5)[-7:],
                          steady_bloch_closed(g[-7:], 0.3, 0.2, 0.1, 0.5))


def test_accuracy_guard() -> None:
    ok = closed_form_is_accurate([0.1, 1e13, 1e-31, 0.0, 0.0, 0.2], [0.1, 0.1, 0.1, 0.2, 0.0, 0.0],
                                 [0.1, 0.1, 0.1, 0.3, 0.3, 0.1])
    assert ok.tolist() == [True, False, False, True, False, True]


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"g": np.nan}, "g"), ({"p1": -1.0}, "p1"), ({"p2": "x"}, "p2"), ({"T1": -0.1}, "T1"),
    ({"T2": 1j}, "T2"), ({"g": 0.0, "p2": 0.0}, "p2"), ({"p1": 0.0, "p2": 0.0}, "p1"),
])
def test_bad_input_names_the_parameter(kwargs: dict[str, object], name: str) -> None:
    args = {"g": 0.1, "p1": 0.2, "p2": 0.3, "T1": 0.1, "T2": 0.1, **kwargs}
    with pytest.raises(InputError, match=name):
        steady_bloch_closed(**args)  # type: ignore[arg-type]


def test_shape_mismatch_is_input_error() -> None:
    with pytest.raises(InputError, match="broadcast"):
        steady_bloch_closed([0.1, 0.2], 0.2, [0.1, 0.2, 0.3], 0.1, 0.1)
