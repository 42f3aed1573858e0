r"""Coherence and magic of one qubit, as vectorized functions of Bloch vectors.

All functions take Bloch vectors of shape ``(..., 3)`` (``r = (<X>, <Y>, <Z>)``) and
broadcast over the leading axes. :func:`bloch_vector` extracts qubit 1's Bloch vector from
two-qubit states (qubit 1 first) or a single-qubit state.

The stabilizer octahedron is :math:`\|r\|_1 = |r_x| + |r_y| + |r_z| \le 1` (paper Eq. 8): a
qubit state is a mixture of stabilizer states iff it lies inside.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._checks import InputError
from .operators import FloatArray

__all__ = [
    "reduced_state",
    "bloch_vector",
    "l1_coherence",
    "facets",
    "FACET_LABELS",
    "l1_norm",
    "has_magic",
    "robustness",
    "project_to_octahedron",
    "stabilizer_distance",
    "bloch_trace_distance",
]

#: Labels of the four facet values returned by :func:`facets`, in order.
FACET_LABELS: tuple[str, ...] = ("+rx+ry+rz", "+rx-ry+rz", "-rx+ry+rz", "-rx-ry+rz")
_FACET_SIGNS = np.array([[1, 1, 1], [1, -1, 1], [-1, 1, 1], [-1, -1, 1]], dtype=float)


def reduced_state(rho: npt.ArrayLike, qubit: int = 1) -> npt.NDArray[np.complex128]:
    """Reduced state of ``qubit`` (1 or 2) of two-qubit states of shape (..., 4, 4)."""
    r = np.asarray(rho)
    if r.shape[-2:] != (4, 4):
        raise InputError(f"rho must have shape (..., 4, 4); got {r.shape}")
    t = r.reshape(*r.shape[:-2], 2, 2, 2, 2)
    if qubit == 1:
        return np.einsum("...abcb->...ac", t)
    if qubit == 2:
        return np.einsum("...abad->...bd", t)
    raise InputError(f"qubit must be 1 or 2; got {qubit!r}")


def bloch_vector(rho: npt.ArrayLike) -> FloatArray:
    """Bloch vector of qubit 1 for states (..., 4, 4), or of single-qubit states (..., 2, 2)."""
    r = np.asarray(rho)
    if r.shape[-2:] == (4, 4):
        r = reduced_state(r, 1)
    elif r.shape[-2:] != (2, 2):
        raise InputError(f"rho must have shape (..., 4, 4) or (..., 2, 2); got {r.shape}")
    off = r[..., 0, 1]
    return np.stack([2.0 * off.real, -2.0 * off.imag, (r[..., 0, 0] - r[..., 1, 1]).real], axis=-1)


def _bloch(r: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(r, dtype=float)
    if arr.shape[-1:] != (3,):
        raise InputError(f"Bloch vectors must have shape (..., 3); got {arr.shape}")
    return arr


def l1_coherence(r: npt.ArrayLike) -> FloatArray:
    """l1-norm of coherence in the Z basis, C_l1 = 2|rho_01| = sqrt(rx^2 + ry^2)."""
    a = _bloch(r)
    return np.hypot(a[..., 0], a[..., 1])


def facets(r: npt.ArrayLike) -> FloatArray:
    """The four facet values (+rx+ry+rz, +rx-ry+rz, -rx+ry+rz, -rx-ry+rz), shape (..., 4).

    With rz >= 0 (as in the steady states of the model) these are the facets that can
    exceed 1; magic means one of them does.
    """
    return _bloch(r) @ _FACET_SIGNS.T


def l1_norm(r: npt.ArrayLike) -> FloatArray:
    """``||r||_1 = |rx| + |ry| + |rz|``, the maximum over all eight facets of the octahedron."""
    return np.abs(_bloch(r)).sum(axis=-1)


def has_magic(r: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where the state lies outside the stabilizer octahedron (||r||_1 > 1)."""
    return l1_norm(r) > 1.0


def robustness(r: npt.ArrayLike) -> FloatArray:
    """Robustness of magic of a qubit, max(1, ||r||_1) (Howard & Campbell, PRL 118, 090501)."""
    return np.maximum(1.0, l1_norm(r))


def project_to_octahedron(r: npt.ArrayLike) -> FloatArray:
    """Euclidean projection onto the unit l1 ball (Duchi et al., ICML 2008), vectorized.

    Points inside are returned unchanged. Outside, the projection soft-thresholds
    ``|r|`` by the unique theta > 0 with ``sum(max(|r_i| - theta, 0)) = 1``.
    """
    a = _bloch(r)
    u = np.sort(np.abs(a), axis=-1)[..., ::-1]
    css = np.cumsum(u, axis=-1)
    k = np.arange(1, 4)
    cond = u - (css - 1.0) / k > 0
    rho_idx = 2 - np.argmax(cond[..., ::-1], axis=-1)  # last index where cond holds
    theta = (np.take_along_axis(css, rho_idx[..., None], -1)[..., 0] - 1.0) / (rho_idx + 1)
    theta = np.where(np.abs(a).sum(axis=-1) > 1.0, theta, 0.0)
    return np.sign(a) * np.maximum(np.abs(a) - theta[..., None], 0.0)


def stabilizer_distance(r: npt.ArrayLike) -> FloatArray:
    """Trace distance to the nearest stabilizer-mixture state: (1/2)|r - P(r)|_2.

    For qubits the trace distance equals half the Euclidean distance of Bloch vectors, and
    the nearest point of the octahedron is the Euclidean projection onto the l1 ball.
    """
    a = _bloch(r)
    return 0.5 * np.linalg.norm(a - project_to_octahedron(a), axis=-1)


def bloch_trace_distance(r: npt.ArrayLike, s: npt.ArrayLike) -> FloatArray:
    """Trace distance of two qubit states from their Bloch vectors: (1/2)|r - s|_2, shape (...)."""
    return 0.5 * np.linalg.norm(_bloch(r) - _bloch(s), axis=-1)
