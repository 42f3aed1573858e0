"""Tests of qc_reset.measures on known states, analytic values and an independent projection."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from qc_reset import measures

from .helpers import EXACT_TOL

#: Projection by exhaustive search over faces, edges and vertices: exact up to rounding.
PROJECTION_TOL = 1e-12

S3 = math.sqrt(3.0)
KET0 = np.array([1, 0], dtype=complex)
KET1 = np.array([0, 1], dtype=complex)
PLUS = np.array([1, 1], dtype=complex) / math.sqrt(2)
PLUS_I = np.array([1, 1j], dtype=complex) / math.sqrt(2)
MINUS_I = np.array([1, -1j], dtype=complex) / math.sqrt(2)


def proj(v: np.ndarray) -> np.ndarray:
    return np.outer(v, v.conj())


def state_from_bloch(r: np.ndarray) -> np.ndarray:
    X = np.array([[0, 1], [1, 0]], dtype=complex)
    Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
    Z = np.diag([1.0, -1.0]).astype(complex)
    return 0.5 * (np.eye(2) + r[0] * X + r[1] * Y + r[2] * Z)


KNOWN_STATES = {
    "|0>": (proj(KET0), [0, 0, 1]),
    "|1>": (proj(KET1), [0, 0, -1]),
    "|+>": (proj(PLUS), [1, 0, 0]),
    "|+i>": (proj(PLUS_I), [0, 1, 0]),
    "|-i>": (proj(MINUS_I), [0, -1, 0]),
    "I/2": (np.eye(2) / 2, [0, 0, 0]),
}


@pytest.mark.parametrize(("rho", "r"), list(KNOWN_STATES.values()), ids=list(KNOWN_STATES))
def test_bloch_vector_of_known_states(rho: np.ndarray, r: list[float]) -> None:
    np.testing.assert_allclose(measures.bloch_vector(rho), r, atol=EXACT_TOL)
    # As qubit 1 of a product state with an arbitrary partner.
    partner = proj(PLUS_I) * 0.6 + proj(KET1) * 0.4
    np.testing.assert_allclose(measures.bloch_vector(np.kron(rho, partner)), r, atol=EXACT_TOL)


def test_qubit_order_asymmetric_product() -> None:
    ra, rb = np.array([0.3, -0.2, 0.5]), np.array([-0.6, 0.1, -0.7])
    rho_a, rho_b = state_from_bloch(ra), state_from_bloch(rb)
    rho = np.kron(rho_a, rho_b)  # qubit 1 first
    np.testing.assert_allclose(measures.bloch_vector(rho), ra, atol=EXACT_TOL)
    np.testing.assert_allclose(measures.reduced_state(rho, 1), rho_a, atol=EXACT_TOL)
    np.testing.assert_allclose(measures.reduced_state(rho, 2), rho_b, atol=EXACT_TOL)
    np.testing.assert_allclose(measures.bloch_vector(measures.reduced_state(rho, 2)), rb, atol=EXACT_TOL)


def test_reduced_state_of_entangled_state() -> None:
    # cos a |01> + sin a |10>: rho_1 = diag(cos^2, sin^2), rho_2 = diag(sin^2, cos^2).
    a = 0.3
    psi = np.zeros(4, dtype=complex)
    psi[1], psi[2] = math.cos(a), math.sin(a)
    rho = proj(psi)
    np.testing.assert_allclose(measures.reduced_state(rho, 1), np.diag([math.cos(a) ** 2, math.sin(a) ** 2]))
    np.testing.assert_allclose(measures.reduced_state(rho, 2), np.diag([math.sin(a) ** 2, math.cos(a) ** 2]))
    np.testing.assert_allclose(measures.bloch_vector(rho), [0, 0, math.cos(2 * a)], atol=EXACT_TOL)


def test_l1_coherence_is_twice_offdiagonal() -> None:
    rng = np.random.default_rng(1)
    for _ in range(10):
        A = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
        rho = A @ A.conj().T
        rho /= np.trace(rho)
        r = measures.bloch_vector(rho)
        assert measures.l1_coherence(r) == pytest.approx(2 * abs(rho[0, 1]), abs=EXACT_TOL)


def test_facets_and_l1_norm() -> None:
    r = np.array([0.2, -0.3, 0.4])
    np.testing.assert_allclose(measures.facets(r), [0.3, 0.9, -0.1, 0.5], atol=EXACT_TOL)
    assert measures.FACET_LABELS == ("+rx+ry+rz", "+rx-ry+rz", "-rx+ry+rz", "-rx-ry+rz")
    assert measures.l1_norm(r) == pytest.approx(0.9, abs=EXACT_TOL)
    # ||r||_1 is the maximum over all eight facets.
    rng = np.random.default_rng(2)
    pts = rng.uniform(-1, 1, (50, 3))
    signs = np.array(list(itertools.product([-1, 1], repeat=3)))
    np.testing.assert_allclose(measures.l1_norm(pts), (pts @ signs.T).max(-1), atol=EXACT_TOL)
    # With rz >= 0 the four returned facets already attain it.
    pts[:, 2] = np.abs(pts[:, 2])
    np.testing.assert_allclose(measures.facets(pts).max(-1), measures.l1_norm(pts), atol=EXACT_TOL)


def test_t_state() -> None:
    r = np.ones(3) / S3
    assert measures.l1_norm(r) == pytest.approx(S3, abs=EXACT_TOL)
    assert measures.robustness(r) == pytest.approx(S3, abs=EXACT_TOL)
    assert measures.has_magic(r)
    # Nearest octahedron point lies on the face x + y + z = 1 (foot (1,1,1)/3 is inside it):
    # Euclidean distance |x + y + z - 1| / sqrt(3) = (sqrt3 - 1)/sqrt3; trace distance is half.
    np.testing.assert_allclose(measures.project_to_octahedron(r), np.ones(3) / 3, atol=EXACT_TOL)
    assert measures.stabilizer_distance(r) == pytest.approx((S3 - 1) / (2 * S3), abs=EXACT_TOL)


@pytest.mark.parametrize(
    ("r", "magic", "robustness"),
    [
        ([0, 0, 1], False, 1.0),
        ([0.5, 0.5, 0.0], False, 1.0),
        ([0.5, -0.3, 0.3], True, 1.1),
        ([0.0, 0.0, 0.0], False, 1.0),
    ],
    ids=["stabilizer-pure", "on-face", "magic", "origin"],
)
def test_magic_and_robustness(r: list[float], magic: bool, robustness: float) -> None:
    assert bool(measures.has_magic(r)) is magic
    assert measures.robustness(r) == pytest.approx(robustness, abs=EXACT_TOL)


def _project_segment(r: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    t = np.clip(np.dot(r - a, b - a) / np.dot(b - a, b - a), 0.0, 1.0)
    return a + t * (b - a)


def brute_force_projection(r: np.ndarray) -> np.ndarray:
    """Nearest point of the unit l1 ball by exhaustive search over its boundary pieces.

    For r outside a convex polytope the nearest point lies on a face, edge or vertex; we try
    the plane projection onto each of the 8 faces (kept if inside the face), the 12 edges and the
    6 vertices, and take the closest candidate.
    """
    if np.abs(r).sum() <= 1:
        return r.copy()
    cands = []
    for s in itertools.product([-1.0, 1.0], repeat=3):
        s = np.array(s)
        p = r - (s @ r - 1.0) / 3.0 * s
        if np.all(s * p >= 0):
            cands.append(p)
    verts = [sgn * np.eye(3)[i] for i in range(3) for sgn in (-1.0, 1.0)]
    cands += verts
    for a, b in itertools.combinations(verts, 2):
        if np.dot(a, b) == 0:  # adjacent vertices span an edge
            cands.append(_project_segment(r, a, b))
    return min(cands, key=lambda p: np.linalg.norm(r - p))


def test_projection_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    pts = np.concatenate([rng.normal(size=(300, 3)), rng.uniform(-1, 1, (100, 3))])
    pts[:20] *= [1.0, 0.0, 0.0]  # on an axis
    pts[20:40, 0] = pts[20:40, 1]  # ties in |r_i|
    got = measures.project_to_octahedron(pts)
    ref = np.array([brute_force_projection(p) for p in pts])
    np.testing.assert_allclose(got, ref, atol=PROJECTION_TOL)
    dist = measures.stabilizer_distance(pts)
    np.testing.assert_allclose(dist, 0.5 * np.linalg.norm(pts - ref, axis=-1), atol=PROJECTION_TOL)
    inside = np.abs(pts).sum(-1) <= 1
    assert inside.any() and (~inside).any()
    np.testing.assert_array_equal(dist[inside], 0.0)
    assert np.all(dist[~inside] > 0)


def test_vectorized_shapes() -> None:
    rng = np.random.default_rng(4)
    r = rng.uniform(-1, 1, (2, 5, 3))
    assert measures.l1_coherence(r).shape == (2, 5)
    assert measures.l1_norm(r).shape == (2, 5)
    assert measures.has_magic(r).shape == (2, 5)
    assert measures.robustness(r).shape == (2, 5)
    assert measures.facets(r).shape == (2, 5, 4)
    assert measures.project_to_octahedron(r).shape == (2, 5, 3)
    assert measures.stabilizer_distance(r).shape == (2, 5)
    for i, j in np.ndindex(2, 5):
        assert measures.stabilizer_distance(r)[i, j] == pytest.approx(
            float(measures.stabilizer_distance(r[i, j])), abs=EXACT_TOL
        )
    rho = np.broadcast_to(np.kron(state_from_bloch(np.array([0.1, 0.2, 0.3])), np.eye(2) / 2), (3, 2, 4, 4))
    assert measures.bloch_vector(rho).shape == (3, 2, 3)
    assert measures.reduced_state(rho, 2).shape == (3, 2, 2, 2)


@pytest.mark.parametrize(
    ("func", "arg", "match"),
    [
        (measures.bloch_vector, np.eye(3), r"rho must have shape \(\.\.\., 4, 4\) or \(\.\.\., 2, 2\)"),
        (measures.reduced_state, np.eye(2), r"rho must have shape \(\.\.\., 4, 4\)"),
        (measures.l1_norm, np.zeros(4), r"Bloch vectors must have shape \(\.\.\., 3\)"),
        (measures.stabilizer_distance, np.zeros((2, 2)), r"Bloch vectors must have shape"),
    ],
    ids=["bloch-shape", "reduced-shape", "l1-shape", "distance-shape"],
)
def test_measures_validation(func: object, arg: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        func(arg)  # type: ignore[operator]


def test_reduced_state_bad_qubit() -> None:
    with pytest.raises(ValueError, match="qubit must be 1 or 2"):
        measures.reduced_state(np.eye(4) / 4, qubit=3)
