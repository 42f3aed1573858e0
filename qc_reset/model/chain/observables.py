r"""Observables of an N-site chain state: per-site and neighbour-pair reduced states, their records.

For a :math:`2^N\times2^N` state (site 0 the first tensor factor) :func:`site_state` is
:math:`\rho_i = \mathrm{Tr}_{\neq i}\rho` and :func:`pair_state` the 4x4 state of sites
(i, i + 1) (site i first). :func:`chain_result` turns a state into the
:class:`~qc_reset.model.chain.result.ChainResult` every chain method returns: per-site Bloch vectors
(:func:`~qc_reset.model.chain.result.site_result`: l1 coherence, :math:`\|r\|_1`, magic and its class)
and the Wootters concurrence of each neighbouring pair (:func:`qc_reset.model.joint.concurrence`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..._checks import InputError, integer
from ..joint import concurrence
from ..operators import PAULI, ComplexArray, FloatArray
from .result import ChainResult

__all__ = ["n_sites", "site_state", "pair_state", "site_blochs", "pair_concurrences", "chain_result"]


def n_sites(rho: npt.ArrayLike) -> int:
    """N for a :math:`2^N\\times2^N` state (InputError for any other shape)."""
    shape = np.shape(rho)
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] < 4 or shape[0] & (shape[0] - 1):
        raise InputError(f"a chain state must be a 2^N x 2^N matrix with N >= 2; got shape {shape}")
    return int(shape[0]).bit_length() - 1


def _reduce(rho: ComplexArray, site: int, width: int) -> ComplexArray:
    n = n_sites(rho)
    integer("site", site, lo=0, hi=n - width)
    left, mid, right = 2**site, 2**width, 2 ** (n - site - width)
    r = np.asarray(rho).reshape(left, mid, right, left, mid, right)
    return np.einsum("aibajb->ij", r)


def site_state(rho: npt.ArrayLike, site: int) -> ComplexArray:
    """The 2x2 reduced state of ``site``."""
    return _reduce(np.asarray(rho, dtype=complex), site, 1)


def pair_state(rho: npt.ArrayLike, site: int) -> ComplexArray:
    """The 4x4 reduced state of sites (``site``, ``site`` + 1), ``site`` the first factor."""
    return _reduce(np.asarray(rho, dtype=complex), site, 2)


def site_blochs(rho: npt.ArrayLike) -> FloatArray:
    """The (N, 3) Bloch vectors :math:`r_i = (\\langle X_i\\rangle, \\langle Y_i\\rangle, \\langle Z_i\\rangle)`."""
    rho = np.asarray(rho, dtype=complex)
    out = np.empty((n_sites(rho), 3))
    for i in range(out.shape[0]):
        s = site_state(rho, i)
        out[i] = [np.trace(s @ P).real for P in PAULI[1:]]
    return out


def pair_concurrences(rho: npt.ArrayLike) -> FloatArray:
    """The Wootters concurrence of each neighbouring pair (N - 1 values)."""
    rho = np.asarray(rho, dtype=complex)
    pairs = np.array([pair_state(rho, i) for i in range(n_sites(rho) - 1)])
    return np.asarray(concurrence(pairs), dtype=float)


def chain_result(rho: npt.ArrayLike, method: str, *, error: float | None = None,
                 details: dict[str, Any] | None = None) -> ChainResult:
    """The :class:`ChainResult` of a chain state: per-site records and neighbour concurrences."""
    rho = np.asarray(rho, dtype=complex)
    return ChainResult.from_blochs(method, site_blochs(rho), concurrence=tuple(pair_concurrences(rho)),
                                   error=error, details=dict(details or {}))
