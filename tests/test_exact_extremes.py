"""The exact steady state at the hard corners of its domain, against an mpmath reference.

The reference builds the 16x16 complex Liouvillian from scratch with mpmath matrices (no
package code), replaces one row by the trace condition and solves. It is run at two precisions
and must agree with itself, so a reference that is itself unresolved fails the test instead of
passing it. Every corner point must either come back as a valid density matrix within
:data:`REF_TOL` of the reference, or raise an InputError: never a wrong number.
"""

from __future__ import annotations

import json
import math
import tracemalloc
import warnings

import mpmath
import numpy as np
import pytest

from qc_reset import exact
from qc_reset._checks import InputError
from qc_reset.cli import main
from qc_reset.model import resolvent

#: Accuracy promised on the whole domain (the solver's own bound is 1e-13; observed ~1e-16).
REF_TOL = 1e-9
#: Positivity promised for every returned state.
PSD_TOL = 1e-12
#: Hermiticity and trace: exact up to the rounding of one normalization.
TRACE_TOL = 4 * np.finfo(float).eps
#: Two reference precisions must agree this well (far below REF_TOL).
SELF_TOL = 1e-20


def _polarization(T: float) -> mpmath.mpf:
    T = mpmath.mpf(T)
    if T == 0:
        return mpmath.mpf(1)
    if mpmath.isinf(T):
        return mpmath.mpf(0)
    return mpmath.tanh(1 / (2 * T))


def _reference_at(g: float, p1: float, p2: float, T1: float, T2: float, dps: int) -> np.ndarray:
    with mpmath.workdps(dps):
        g_, p1_, p2_ = mpmath.mpf(g), mpmath.mpf(p1), mpmath.mpf(p2)
        z1, x2 = _polarization(T1), _polarization(T2)
        half = mpmath.mpf(1) / 2
        H = mpmath.matrix(4, 4)
        H[1, 1] = H[2, 2] = half
        H[3, 3] = 1
        H[1, 2] = H[2, 1] = g_
        tau1 = [[(1 + z1) / 2, 0], [0, (1 - z1) / 2]]
        tau2 = [[half, x2 / 2], [x2 / 2, half]]
        L = mpmath.matrix(16, 16)  # acts on the row-major vec of rho, index 4a + b
        for a in range(4):
            for b in range(4):
                row = 4 * a + b
                for c in range(4):
                    L[row, 4 * c + b] += -1j * H[a, c]
                    L[row, 4 * a + c] += 1j * H[c, b]
                L[row, row] -= p1_ + p2_
        for i in range(2):
            for k in range(2):
                for j in range(2):
                    for m in range(2):
                        row = 4 * (2 * i + k) + (2 * j + m)
                        for e in range(2):  # tau1 (x) Tr_1 rho and Tr_2 rho (x) tau2
                            L[row, 4 * (2 * e + k) + (2 * e + m)] += p1_ * tau1[i][j]
                            L[row, 4 * (2 * i + e) + (2 * j + e)] += p2_ * tau2[k][m]
        rhs = mpmath.matrix(16, 1)
        for c in range(16):
            L[0, c] = 1 if c in (0, 5, 10, 15) else 0
        rhs[0] = 1
        x = mpmath.lu_solve(L, rhs)
        return np.array([[complex(x[4 * a + b]) for b in range(4)] for a in range(4)])


#: Reference digits per decade spanned by the inputs. Agreement of two precisions alone can be
#: fooled (both drop the same tiny term), so the precision must first exceed the problem's
#: scales: with every input within 10^+-L, the slowest relaxation rate relative to the fastest
#: (e.g. g^2/p1 against p1) is at worst about 10^-4L, so five digits per decade leave room.
REF_DIGITS_PER_DECADE = 5


def reference_state(g: float, p1: float, p2: float, T1: float, T2: float) -> np.ndarray:
    """High-precision steady state at digits set by the inputs' spread, confirmed at twice that."""
    values = [abs(g), p1, p2, p1 + p2, abs(0.5 - g), abs(0.5 + g)]
    spread = max(abs(math.log10(v)) for v in values if 0 < v < math.inf)
    dps = int(40 + REF_DIGITS_PER_DECADE * spread)
    lo = _reference_at(g, p1, p2, T1, T2, dps)
    hi = _reference_at(g, p1, p2, T1, T2, 2 * dps)
    assert np.abs(lo - hi).max() < SELF_TOL, f"reference unresolved at {(g, p1, p2, T1, T2)}"
    return hi


def assert_valid_state(rho: np.ndarray) -> None:
    assert np.array_equal(rho, np.swapaxes(rho, -1, -2).conj()), "not exactly Hermitian"
    np.testing.assert_allclose(np.trace(rho, axis1=-2, axis2=-1).real, 1.0, atol=TRACE_TOL, rtol=0)
    assert np.linalg.eigvalsh(rho).min() >= -PSD_TOL


def thermal(T: float) -> np.ndarray:
    z = 1.0 if T < 1e-300 else math.tanh(0.5 / T)  # tanh(1/2T) = 1 in double below T ~ 0.03
    return np.diag([(1 + z) / 2, (1 - z) / 2])


# ------------------------------------------------------------------ the reported defects

REPORTED = {
    "p2=0-tiny-g-large-p1": (3.162e-6, 316.2, 0.0, 0.05, 0.1),
    "cli-p2=0-g=1e-12": (1e-12, 0.3, 0.0, 0.001, 0.02),
    "p1=1e-18": (1e-12, 1e-18, 1.0, 0.0, 0.0),
    "p1=1e-12": (1e-12, 1e-12, 1.0, 0.0, 0.0),
    "near-p2=0": (3.162e-6, 316.2, 1e-12, 0.05, 0.1),
    "g=1e308": (1e308, 0.3, 0.3, 0.1, 0.02),
    "rates=1e308": (0.06, 1e308, 1e308, 0.1, 0.02),
    # g >> 1/2 with p1 >> g: the gaps 1/2 -+ g nearly cancel in their sum, which carries the
    # precession of qubit 2 (found by a random sweep over the full double range).
    "g=1e20-p1=1e42": (1e20, 1e42, 1e-5, np.inf, 1.0),
    "g=2e83-p1=4e186": (1.9130063970475503e83, 4.477937651572416e186, 6.396732210726951e-24, np.inf, 1.0),
}


@pytest.mark.parametrize("pt", REPORTED.values(), ids=REPORTED.keys())
def test_reported_points_match_reference(pt: tuple[float, ...]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way either
        rho = exact.steady_state(*pt)
        r = exact.steady_bloch(*pt)
    ref = reference_state(*pt)
    assert_valid_state(rho)
    np.testing.assert_allclose(rho, ref, atol=REF_TOL, rtol=0)
    r_ref = [2 * ref[0, 2].real + 2 * ref[1, 3].real, 2 * ref[2, 0].imag + 2 * ref[3, 1].imag,
             (ref[0, 0] + ref[1, 1] - ref[2, 2] - ref[3, 3]).real]
    np.testing.assert_allclose(r, r_ref, atol=REF_TOL, rtol=0)


def test_p1_1e_18_bloch_value() -> None:
    # The value quoted for this point from a 50-digit solve.
    assert abs(exact.steady_bloch(1e-12, 1e-18, 1.0, 0.0, 0.0)[2] - 0.9999988) < 1e-7


@pytest.mark.parametrize("g", [1e-300, 1e-12, 3.162e-6, 0.3, -2.0, 1e200])
@pytest.mark.parametrize("p1", [5e-324, 1e-9, 316.2, 1e300])
def test_p2_zero_is_tau1_tau1(g: float, p1: float) -> None:
    # Analytic: at p2 = 0 and g != 0 qubit 2 thermalizes through the exchange.
    T1 = np.array([0.0, 5e-324, 0.05, 1.0, np.inf])
    rho = exact.steady_state(g, p1, 0.0, T1, 0.02)
    expected = np.array([np.kron(thermal(t), thermal(t)) for t in T1])
    np.testing.assert_allclose(rho, expected, atol=1e-15, rtol=0)
    assert_valid_state(rho)


# ------------------------------------------------------------------ hard corners

CORNER_G = [1e-150, 1e-12, 0.5, -3.0, 1e150]
CORNER_P = [(1e-300, 1.0), (1e-15, 0.3), (0.3, 1e-15), (1.0, 1e-300), (5e-324, 2.0),
            (1e150, 1e-150), (1e-12, 1e-12), (1e300, 1e300)]
CORNER_T = [0.0, 5e-324, 1e-300, np.inf]


def corner_points() -> list[tuple[float, float, float, float, float]]:
    rng = np.random.default_rng(7)
    pts = []
    for g in CORNER_G:
        for p1, p2 in CORNER_P:
            T1, T2 = rng.choice(CORNER_T, 2)
            pts.append((g, p1, p2, float(T1), float(T2)))
    return pts


@pytest.fixture(scope="module")
def corners() -> list[tuple[float, float, float, float, float]]:
    return corner_points()


def test_corners_accurate_or_refused(corners: list[tuple[float, ...]]) -> None:
    solved = 0
    for pt in corners:
        try:
            rho = exact.steady_state(*pt)
        except InputError as exc:
            assert "g=" in str(exc) and "p1=" in str(exc)  # names the point
            continue
        assert_valid_state(rho)
        np.testing.assert_allclose(rho, reference_state(*pt), atol=REF_TOL, rtol=0, err_msg=str(pt))
        solved += 1
    assert solved == len(corners)  # nothing in this set is beyond the high-precision path


def test_corners_batched_equals_scalar(corners: list[tuple[float, ...]]) -> None:
    cols = [np.array(c) for c in zip(*corners, strict=True)]
    rho = exact.steady_state(*cols)
    r = exact.steady_bloch(*cols)
    for i, pt in enumerate(corners):
        np.testing.assert_array_equal(rho[i], exact.steady_state(*pt))
        np.testing.assert_array_equal(r[i], exact.steady_bloch(*pt))


def test_wide_random_sample_is_valid() -> None:
    # Log-uniform over 20 decades; no reference (cost), but every state must be valid and the
    # Bloch vectors inside the ball.
    rng = np.random.default_rng(11)
    n = 20_000
    g = rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(-10, 10, n)
    p1, p2 = 10 ** rng.uniform(-10, 10, (2, n))
    T1, T2 = rng.choice(CORNER_T + [0.1, 3.0], (2, n))
    rho = exact.steady_state(g, p1, p2, T1, T2)
    assert_valid_state(rho)
    r = exact.steady_bloch(g, p1, p2, T1, T2)
    assert np.all(np.linalg.norm(r, axis=-1) <= 1 + 1e-12)


# ------------------------------------------------------------------ high-precision path


def test_high_precision_path_matches_reference() -> None:
    # Double precision underflows here (p1/p2 ~ 1e-347): the point must go the slow, exact way.
    pt = (-9.3e-146, 2.6e-123, 9.2e223, 0.1, 1.0)
    g, p1, p2 = (np.array([v]) for v in pt[:3])
    _, bound = resolvent._solve_double(g, p1, p2, np.array([1.0]), np.array([0.5]))
    assert not bound[0] <= resolvent.TRUST_BOUND
    np.testing.assert_allclose(exact.steady_state(*pt), reference_state(*pt), atol=REF_TOL, rtol=0)


def test_too_many_high_precision_points_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolvent, "MAX_HP_POINTS", 1)
    with pytest.raises(InputError, match=r"2 parameter points .* g=.*p1=.*p2="):
        exact.steady_bloch(-9.3e-146, [2.6e-123, 2.7e-123], 9.2e223, 0.1, 1.0)


def test_unresolved_point_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolvent, "HP_BASE_DIGITS", 6)  # 6 and 12 digits never agree to 1e-15
    monkeypatch.setattr(resolvent, "HP_DIGITS_PER_DECADE", 0)
    with pytest.raises(InputError, match=r"no accurate steady state at g=.*p1=.*p2="):
        exact.steady_state(-9.3e-146, 2.6e-123, 9.2e223, 0.1, 1.0)


# ------------------------------------------------------------------ command line


def test_cli_p2_zero_prints_valid_state(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["steady", "--g", "1e-12", "--p1", "0.3", "--p2", "0", "--T1", "0.001", "--T2", "0.02", "--json"]
    assert main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    rho = np.array(d["rho"]["re"]) + 1j * np.array(d["rho"]["im"])
    t1 = thermal(0.001)
    np.testing.assert_allclose(rho, np.kron(t1, t1), atol=1e-15)
    assert d["magic"] is False


def test_cli_tcrit_huge_rate(capsys: pytest.CaptureFixture[str]) -> None:
    # A huge p1 pins qubit 1 to tau1: no magic. (From p1 ~ 6e305 the g grid, gamma * 10^2.5,
    # overflowed and the error blamed g: test_g_search_grid_finite_for_huge_rates.)
    assert main(["tcrit", "--p1=1e200", "--p2", "0.3", "--T2", "0.02", "--method", "exact", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["exact"]["T_crit"] is None


# ------------------------------------------------------------------ bounded memory


def _peak(f: object, *args: object) -> tuple[int, object]:
    tracemalloc.start()
    try:
        out = f(*args)  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1], out
    finally:
        tracemalloc.stop()


#: Peak traced memory over the output size. The peak is the output plus one chunk's work
#: (about 2 kB per point for 2^14 points, ~31 MB), so at these sizes it is 1.6x (states) and
#: 2.7x (Bloch vectors) the output; 3.5 leaves room for allocator details, and a solver that
#: materializes the whole batch (~2 kB per point) would exceed it many times over.
MEMORY_FACTOR = 3.5


@pytest.mark.parametrize("func, n, per_point", [(exact.steady_bloch, 800_000, 24),
                                                (exact.steady_state, 200_000, 256)],
                         ids=["steady_bloch", "steady_state"])
def test_peak_memory_is_a_few_outputs(func: object, n: int, per_point: int) -> None:
    rng = np.random.default_rng(3)
    g = rng.uniform(-1, 1, n)
    p1 = rng.uniform(0.1, 1, n)
    peak, out = _peak(func, g, p1, 0.3, 0.1, 0.02)
    assert out.nbytes == n * per_point  # type: ignore[attr-defined]
    assert peak < MEMORY_FACTOR * out.nbytes  # type: ignore[attr-defined]


def test_oversized_output_refused_before_allocation() -> None:
    g = np.zeros((100_000, 1)) + 0.1
    p1 = np.full(100_000, 0.3)  # broadcast shape (1e5, 1e5): 2.3 TiB of states
    tracemalloc.start()
    try:
        shape = r"steady_state of shape \(100000, 100000\) would need about .*TiB.*limit of 4 GiB"
        with pytest.raises(InputError, match=shape):
            exact.steady_state(g, p1, 0.3, 0.1, 0.02)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_g_search_grid_finite_for_huge_rates() -> None:
    from qc_reset.critical import g_search_grid

    for gamma in (1e306, 1e308, math.inf):
        grid = g_search_grid(gamma)
        assert grid.size > 100 and np.all(np.isfinite(grid)) and np.all(grid > 0)
