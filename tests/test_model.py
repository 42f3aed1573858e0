"""Tests of qc_reset.model: operators, bath states, validation, Liouvillian and step channels.

Expected values are built here from first principles (kets, explicit partial traces,
scipy.linalg.expm), never read back from the module under test.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
import scipy.linalg

from qc_reset import exact, model
from qc_reset.model import Params

from .helpers import EXACT_TOL, assert_cptp_superop, assert_density_matrix

#: A nonzero commutator of channels must be far above rounding (entries are O(q * g dt)).
NONCOMMUTING_MIN = 1e-3

KET0 = np.array([1.0, 0.0], dtype=complex)
KET1 = np.array([0.0, 1.0], dtype=complex)
PLUS = (KET0 + KET1) / math.sqrt(2)
MINUS = (KET0 - KET1) / math.sqrt(2)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)


def ket(a: int, b: int) -> np.ndarray:
    """|a b> with qubit 1 first."""
    return np.kron([KET0, KET1][a], [KET0, KET1][b])


def bloch2(rho: np.ndarray) -> np.ndarray:
    """Bloch vector of a 2x2 state from Tr(rho sigma), independent of qc_reset.measures."""
    return np.array([np.trace(rho @ s).real for s in (X, Y, Z)])


def partial_trace(rho: np.ndarray, keep: int) -> np.ndarray:
    """Reduced 2x2 state of qubit ``keep`` from explicit sums over the traced index."""
    out = np.zeros((2, 2), dtype=complex)
    for i in range(2):
        for j in range(2):
            for k in range(2):
                if keep == 1:
                    out[i, j] += rho[2 * i + k, 2 * j + k]
                else:
                    out[i, j] += rho[2 * k + i, 2 * k + j]
    return out


def rhs(rho: np.ndarray, g: float, p1: float, p2: float, T1: float, T2: float) -> np.ndarray:
    """Right-hand side of the master equation written out directly."""
    z1, x2 = math.tanh(0.5 / T1), math.tanh(0.5 / T2)
    t1 = np.outer(KET0, KET0) * (1 + z1) / 2 + np.outer(KET1, KET1) * (1 - z1) / 2
    t2 = np.outer(PLUS, PLUS) * (1 + x2) / 2 + np.outer(MINUS, MINUS) * (1 - x2) / 2
    n1 = np.outer(KET1, KET1)
    H = 0.5 * np.kron(n1, np.eye(2)) + 0.5 * np.kron(np.eye(2), n1)
    H = H + g * (np.outer(ket(0, 1), ket(1, 0)) + np.outer(ket(1, 0), ket(0, 1)))
    return (
        -1j * (H @ rho - rho @ H)
        + p1 * (np.kron(t1, partial_trace(rho, 2)) - rho)
        + p2 * (np.kron(partial_trace(rho, 1), t2) - rho)
    )


def random_state(rng: np.random.Generator, d: int = 4) -> np.ndarray:
    A = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = A @ A.conj().T
    return rho / np.trace(rho)


# --------------------------------------------------------------------------- Hamiltonian


@pytest.mark.parametrize("g", [0.0, 0.3, -1.7], ids=["g0", "g0.3", "g-1.7"])
def test_hamiltonian_matrix_elements(g: float) -> None:
    H = model.hamiltonian(g)
    np.testing.assert_allclose(H, H.conj().T, atol=0, rtol=0)
    np.testing.assert_allclose(H @ ket(0, 0), 0 * ket(0, 0), atol=EXACT_TOL)
    np.testing.assert_allclose(H @ ket(0, 1), 0.5 * ket(0, 1) + g * ket(1, 0), atol=EXACT_TOL)
    np.testing.assert_allclose(H @ ket(1, 0), 0.5 * ket(1, 0) + g * ket(0, 1), atol=EXACT_TOL)
    np.testing.assert_allclose(H @ ket(1, 1), 1.0 * ket(1, 1), atol=EXACT_TOL)


def test_exchange_is_half_xx_plus_yy() -> None:
    H = model.hamiltonian(1.0) - model.hamiltonian(0.0)
    np.testing.assert_allclose(H, 0.5 * (np.kron(X, X) + np.kron(Y, Y)), atol=EXACT_TOL)


# --------------------------------------------------------------------------- bath states


@pytest.mark.parametrize("T", [0.05, 0.3, 1.0, 7.0], ids=lambda T: f"T{T}")
def test_bath_states_match_definition(T: float) -> None:
    w = math.exp(-1.0 / T)
    t1 = (np.outer(KET0, KET0) + w * np.outer(KET1, KET1)) / (1 + w)
    t2 = (np.outer(PLUS, PLUS) + w * np.outer(MINUS, MINUS)) / (1 + w)
    np.testing.assert_allclose(model.tau1(T), t1, atol=EXACT_TOL)
    np.testing.assert_allclose(model.tau2(T), t2, atol=EXACT_TOL)
    np.testing.assert_allclose(bloch2(model.tau1(T)), [0, 0, math.tanh(0.5 / T)], atol=EXACT_TOL)
    np.testing.assert_allclose(bloch2(model.tau2(T)), [math.tanh(0.5 / T), 0, 0], atol=EXACT_TOL)


def test_bath_limits() -> None:
    np.testing.assert_allclose(model.tau1(0.0), np.outer(KET0, KET0), atol=0)
    np.testing.assert_allclose(model.tau2(0.0), np.outer(PLUS, PLUS), atol=EXACT_TOL)
    np.testing.assert_allclose(model.tau1(math.inf), np.eye(2) / 2, atol=0)
    np.testing.assert_allclose(model.tau2(math.inf), np.eye(2) / 2, atol=0)


EXTREME_T = [0.0, 5e-324, 1e-320, 1e-300, 1e-3, 1e3, 1e300, 1.7e308, math.inf]


@pytest.mark.parametrize("T", EXTREME_T, ids=lambda T: f"T={T:g}")
def test_extreme_temperatures_no_warnings(T: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = float(model.bath_polarization(T))
        t1, t2 = model.tau1(T), model.tau2(T)
        L = model.liouvillian(0.2, 0.3, 0.4, T, T)
        rho = exact.steady_state(0.2, 0.3, 0.4, T, T)
    assert 0.0 <= z <= 1.0
    # tanh(1/2T): 1 for T <= ~0.03 in double precision, 1/(2T) to first order for large T.
    expected = 1.0 if T < 0.02 else (0.0 if T == math.inf else math.tanh(0.5 / T))
    assert z == pytest.approx(expected, rel=1e-15, abs=0)
    for a in (t1, t2, L, rho):
        assert np.all(np.isfinite(a))
    assert_density_matrix(t1)
    assert_density_matrix(t2)
    assert_density_matrix(rho)


def test_bath_polarization_vectorized_no_warnings() -> None:
    T = np.array([[0.0, 5e-324], [1.0, np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = model.bath_polarization(T)
    np.testing.assert_allclose(z, [[1.0, 1.0], [math.tanh(0.5), 0.0]], atol=0, rtol=1e-15)


# --------------------------------------------------------------------------- Params / validation


def test_params_frozen_and_to_dict() -> None:
    p = Params(g=0.1, p1=0.2, p2=0.3, T1=0.4, T2=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.g = 1.0  # type: ignore[misc]
    assert p.to_dict() == {"g": 0.1, "p1": 0.2, "p2": 0.3, "T1": 0.4, "T2": 0.5}
    assert p.z1 == pytest.approx(math.tanh(0.5 / 0.4), rel=1e-15)
    assert p.x2 == pytest.approx(math.tanh(0.5 / 0.5), rel=1e-15)
    assert isinstance(p.g, float)


def test_params_accepts_boundaries() -> None:
    p = Params(g=-5, p1=0, p2=1, T1=0, T2=math.inf)
    assert (p.p1, p.T1, p.T2) == (0.0, 0.0, math.inf)


BAD_FIELDS = [
    ("g", math.nan, r"^g must be a finite real number"),
    ("g", math.inf, r"^g must be a finite real number"),
    ("g", -math.inf, r"^g must be a finite real number"),
    ("p1", -0.1, r"^p1 must be a number in \[0, \+inf\)"),
    ("p1", math.nan, r"^p1 must be a number in \[0, \+inf\)"),
    ("p1", math.inf, r"^p1 must be a number in \[0, \+inf\)"),
    ("p2", -1e-300, r"^p2 must be a number in \[0, \+inf\)"),
    ("p2", math.nan, r"^p2 must be a number in \[0, \+inf\)"),
    ("p2", math.inf, r"^p2 must be a number in \[0, \+inf\)"),
    ("T1", -1.0, r"^T1 must be a number in \[0, \+inf\]"),
    ("T1", math.nan, r"^T1 must be a number in \[0, \+inf\]"),
    ("T2", -1e-9, r"^T2 must be a number in \[0, \+inf\]"),
    ("T2", math.nan, r"^T2 must be a number in \[0, \+inf\]"),
]
GOOD = {"g": 0.1, "p1": 0.2, "p2": 0.3, "T1": 0.4, "T2": 0.5}


@pytest.mark.parametrize(("field", "value", "match"), BAD_FIELDS, ids=[f"{f}={v}" for f, v, _ in BAD_FIELDS])
def test_params_rejects_bad_field(field: str, value: float, match: str) -> None:
    kwargs = {**GOOD, field: value}
    with pytest.raises(ValueError, match=match):
        Params(**kwargs)
    with pytest.raises(ValueError, match=match):
        model.validate_params(**kwargs)
    with pytest.raises(ValueError, match=match):
        model.liouvillian(**kwargs)
    with pytest.raises(ValueError, match=match):
        exact.steady_state(**kwargs)


def test_bad_value_inside_array_is_reported() -> None:
    with pytest.raises(ValueError, match=r"^p2 must be .* got -2\.0"):
        model.validate_params(0.1, 0.2, [0.3, -2.0, 0.1], 0.4, 0.5)


def test_both_rates_zero_rejected() -> None:
    with pytest.raises(ValueError, match="p1 and p2 must not both be 0"):
        Params(g=0.1, p1=0.0, p2=0.0, T1=0.4, T2=0.5)
    with pytest.raises(ValueError, match="p1 and p2 must not both be 0"):
        model.validate_params(0.1, [0.0, 1.0], [0.0, 1.0], 0.4, 0.5)


def test_params_rejects_arrays() -> None:
    with pytest.raises(ValueError, match="must be a scalar for Params"):
        Params(g=0.1, p1=np.array([0.1, 0.2]), p2=0.3, T1=0.4, T2=0.5)  # type: ignore[arg-type]


def test_params_array_error_names_the_array_field() -> None:
    with pytest.raises(ValueError, match="^p1 must be a scalar for Params"):
        Params(g=0.1, p1=np.array([0.1, 0.2]), p2=0.3, T1=0.4, T2=0.5)  # type: ignore[arg-type]


def test_validate_params_broadcast_error() -> None:
    with pytest.raises(ValueError, match="must broadcast to a common shape"):
        model.validate_params(np.zeros(2) + 0.1, np.ones(3), 1.0, 1.0, 1.0)


def test_validate_params_broadcasts() -> None:
    out = model.validate_params(np.zeros((3, 1)), np.ones(4), 1.0, 0.0, np.inf)
    assert all(a.shape == (3, 4) and a.dtype == np.float64 for a in out)


# --------------------------------------------------------------------------- Liouvillian

LIOUVILLE_POINTS = [
    (0.05, 0.3, 0.3, 0.1, 0.2),
    (-1.3, 0.0, 0.7, 2.0, 0.5),
    (2.5, 1.1, 0.0, 0.6, 3.0),
    (0.0, 0.4, 0.9, 0.25, 0.8),
]


@pytest.mark.parametrize("pt", LIOUVILLE_POINTS, ids=lambda pt: "g{}-p{}-{}-T{}-{}".format(*pt))
def test_liouvillian_matches_direct_master_equation(pt: tuple[float, ...]) -> None:
    rng = np.random.default_rng(11)
    L = model.liouvillian(*pt)
    assert L.shape == (16, 16)
    for _ in range(3):
        rho = random_state(rng)
        np.testing.assert_allclose(L @ rho.reshape(16), rhs(rho, *pt).reshape(16), atol=EXACT_TOL)
    # Trace preserving: <vec I| L = 0.
    np.testing.assert_allclose(np.eye(4).reshape(16) @ L, 0, atol=EXACT_TOL)


@pytest.mark.parametrize("pt", LIOUVILLE_POINTS, ids=lambda pt: "g{}-p{}-{}-T{}-{}".format(*pt))
def test_liouvillian_annihilates_steady_state(pt: tuple[float, ...]) -> None:
    rho = exact.steady_state(*pt)
    np.testing.assert_allclose(model.liouvillian(*pt) @ rho.reshape(16), 0, atol=EXACT_TOL)
    np.testing.assert_allclose(Params(*pt).liouvillian(), model.liouvillian(*pt), atol=0)


# --------------------------------------------------------------------------- step channels

STEP_CASES = [
    (Params(0.3, 0.5, 0.8, 0.2, 0.4), 0.1),
    (Params(-1.2, 0.0, 2.0, 0.0, 0.0), 0.7),
    (Params(0.05, 3.0, 0.1, math.inf, 1.0), 2.0),
]
STEP_IDS = ["generic", "p1=0-T=0", "Tinf-large-dt"]


def _reset_parts(p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split the Liouvillian (affine in p1, p2) into reset-1, reset-2 and unitary parts."""
    L = p.liouvillian()
    eps = 1.0  # the parts are linear in p_i, so differences with a shifted rate isolate them
    D1 = (model.liouvillian(p.g, p.p1 + eps, p.p2, p.T1, p.T2) - L) * (p.p1 / eps)
    D2 = (model.liouvillian(p.g, p.p1, p.p2 + eps, p.T1, p.T2) - L) * (p.p2 / eps)
    return D1, D2, L - D1 - D2


@pytest.mark.parametrize(("params", "dt"), STEP_CASES, ids=STEP_IDS)
def test_step_channels_cptp(params: Params, dt: float) -> None:
    ch = model.step_channels(params, dt)
    assert set(ch) == {"free", "exchange", "reset1", "reset2"}
    for S in ch.values():
        assert S.shape == (16, 16)
        assert_cptp_superop(S)


@pytest.mark.parametrize(("params", "dt"), STEP_CASES, ids=STEP_IDS)
def test_reset_channels_integrate_dissipator_exactly(params: Params, dt: float) -> None:
    ch = model.step_channels(params, dt)
    D1, D2, _ = _reset_parts(params)
    np.testing.assert_allclose(ch["reset1"], scipy.linalg.expm(dt * D1), atol=EXACT_TOL)
    np.testing.assert_allclose(ch["reset2"], scipy.linalg.expm(dt * D2), atol=EXACT_TOL)


@pytest.mark.parametrize(("params", "dt"), STEP_CASES, ids=STEP_IDS)
def test_unitary_part_is_exp_of_hamiltonian(params: Params, dt: float) -> None:
    ch = model.step_channels(params, dt)
    _, _, LH = _reset_parts(params)
    H = rhs_hamiltonian(params.g)
    U = scipy.linalg.expm(-1j * dt * H)
    # Row-major: vec(U rho U^+) = kron(U, conj(U)) vec(rho).
    S_U = np.kron(U, U.conj())
    np.testing.assert_allclose(ch["free"] @ ch["exchange"], S_U, atol=EXACT_TOL)
    np.testing.assert_allclose(ch["exchange"] @ ch["free"], S_U, atol=EXACT_TOL)
    np.testing.assert_allclose(scipy.linalg.expm(dt * LH), S_U, atol=EXACT_TOL)
    np.testing.assert_allclose(model.free_unitary(dt) @ model.exchange_unitary(params.g, dt), U, atol=EXACT_TOL)


def rhs_hamiltonian(g: float) -> np.ndarray:
    """H from kets, independent of model.hamiltonian."""
    n1 = np.outer(KET1, KET1)
    H = 0.5 * np.kron(n1, np.eye(2)) + 0.5 * np.kron(np.eye(2), n1)
    return H + g * (np.outer(ket(0, 1), ket(1, 0)) + np.outer(ket(1, 0), ket(0, 1)))


def _comm_norm(A: np.ndarray, B: np.ndarray) -> float:
    return float(np.abs(A @ B - B @ A).max())


def test_commutation_structure() -> None:
    ch = model.step_channels(Params(0.4, 0.6, 0.9, 0.3, 0.2), 0.5)
    U = ch["free"] @ ch["exchange"]
    assert _comm_norm(ch["reset1"], ch["reset2"]) < EXACT_TOL
    assert _comm_norm(ch["reset1"], U) > NONCOMMUTING_MIN
    assert _comm_norm(ch["reset2"], U) > NONCOMMUTING_MIN
    # tau1 is diagonal in Z, so the heat-bath reset commutes with free precession; the X-basis
    # spin bath does not. (The sign of the free rotation is pinned by
    # test_unitary_part_is_exp_of_hamiltonian, not here.)
    assert _comm_norm(ch["reset1"], ch["free"]) < EXACT_TOL
    assert _comm_norm(ch["reset2"], ch["free"]) > NONCOMMUTING_MIN


def test_reset_superop_action() -> None:
    rng = np.random.default_rng(5)
    rho = random_state(rng)
    tau = random_state(rng, 2)
    q = 0.3
    out1 = (model.reset_superop(tau, 1, q) @ rho.reshape(16)).reshape(4, 4)
    out2 = (model.reset_superop(tau, 2, q) @ rho.reshape(16)).reshape(4, 4)
    np.testing.assert_allclose(out1, (1 - q) * rho + q * np.kron(tau, partial_trace(rho, 2)), atol=EXACT_TOL)
    np.testing.assert_allclose(out2, (1 - q) * rho + q * np.kron(partial_trace(rho, 1), tau), atol=EXACT_TOL)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"qubit": 3, "q": 0.5}, r"^qubit must be 1 or 2"),
        ({"qubit": 1, "q": 1.5}, r"^q must be a probability in \[0, 1\]"),
        ({"qubit": 2, "q": -0.1}, r"^q must be a probability in \[0, 1\]"),
        ({"qubit": 2, "q": math.nan}, r"^q must be a probability in \[0, 1\]"),
    ],
    ids=["qubit3", "q>1", "q<0", "qnan"],
)
def test_reset_superop_validation(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        model.reset_superop(np.eye(2) / 2, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("dt", [0.0, -0.1, math.nan, math.inf], ids=["0", "neg", "nan", "inf"])
def test_step_channels_rejects_bad_dt(dt: float) -> None:
    with pytest.raises(ValueError, match=r"^dt must be a finite number in \(0, \+inf\)"):
        model.step_channels(Params(0.1, 0.2, 0.3, 0.4, 0.5), dt)
