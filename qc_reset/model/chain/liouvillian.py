r"""The sparse Liouvillian of an N-site collision chain (scipy.sparse, :math:`4^N \times 4^N`).

.. math::

    \mathcal L\rho = -i[H, \rho] + \sum_{i\in\text{baths}} p_i\,(\tau_i\otimes\mathrm{Tr}_i\rho - \rho),
    \qquad H = \sum_i \frac{\omega_i}{2} n_i + \sum_i g_i\,(\sigma^+_i\sigma^-_{i+1} + \sigma^-_i\sigma^+_{i+1}),

in the package's row-major vectorization ``rho.reshape(4**N)`` (site 0 the most significant bit of
a row or column index), so that :math:`\mathrm{vec}(A\rho B) = (A\otimes B^T)\,\mathrm{vec}\,\rho`
(:mod:`qc_reset.model.operators`). The replacement :math:`\tau_i\otimes\mathrm{Tr}_i` is local to site
i: :math:`\tau\otimes_i\mathrm{Tr}_i\rho = \sum_{j,k,c}\tau_{jk}\,E^{(i)}_{jc}\,\rho\,E^{(i)}_{ck}` with
:math:`E_{jc} = |j\rangle\langle c|` on site i, eight sparse Kronecker products of
:math:`4^{N-1}` entries each. This module only builds operators; :mod:`.exact` solves.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..operators import ComplexArray, bath_polarization
from .spec import Chain, Site

__all__ = ["bath_state", "hamiltonian", "local_operator", "liouvillian", "trace_vector", "liouvillian_nnz"]

_PAULI_X = np.array([[0, 1], [1, 0]], dtype=complex)
_PAULI_Z = np.array([[1, 0], [0, -1]], dtype=complex)


def bath_state(site: Site) -> ComplexArray:
    r"""The 2x2 state :math:`\tau` a bath site is reset to (``"heat"``: Bloch (0, 0, x), ``"spin"``:
    (x, 0, 0), :math:`x = \tanh(1/2T)`); the maximally mixed state for ``"none"`` (never used)."""
    x = float(bath_polarization(site.T))
    if site.bath == "heat":
        return 0.5 * (np.eye(2) + x * _PAULI_Z)
    if site.bath == "spin":
        return 0.5 * (np.eye(2) + x * _PAULI_X)
    return 0.5 * np.eye(2, dtype=complex)


def local_operator(op: Any, site: int, n: int) -> sp.csr_matrix:
    """The operator ``op`` of k consecutive sites (a 2^k x 2^k matrix) from ``site`` on, identity elsewhere."""
    op = sp.csr_matrix(op)
    k = int(round(np.log2(op.shape[0])))
    left = sp.identity(2**site, dtype=complex, format="csr")
    right = sp.identity(2 ** (n - site - k), dtype=complex, format="csr")
    return sp.csr_matrix(sp.kron(sp.kron(left, op, format="csr"), right, format="csr"))


def hamiltonian(chain: Chain) -> sp.csr_matrix:
    """The sparse :math:`2^N\\times2^N` Hamiltonian H of the chain (site 0 first).

    Built from index arithmetic rather than Kronecker products (which cost ~1 ms each in SciPy's
    Python layer): the exchange on bond (i, i+1) maps a basis state whose bits i and i+1 differ to the
    state with both flipped, with amplitude :math:`g_i`.
    """
    n = chain.n
    d = 2**n
    index = np.arange(d)
    bits = (index[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1  # bits[a, i] = n_i of |a>
    diag = bits @ np.array([0.5 * site.omega for site in chain.sites])
    rows, cols, vals = [index], [index], [diag.astype(complex)]
    for i, g in enumerate(chain.g):
        if g != 0.0:
            flip = bits[:, i] != bits[:, i + 1]
            mask = (1 << (n - 1 - i)) | (1 << (n - 2 - i))
            rows.append(index[flip] ^ mask)
            cols.append(index[flip])
            vals.append(np.full(int(flip.sum()), g, dtype=complex))
    H = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(d, d))
    H = sp.csr_matrix(H)
    H.eliminate_zeros()
    return H


@functools.lru_cache(maxsize=64)
def _replace_terms(site: int, n: int) -> tuple[sp.csr_matrix, ...]:
    r"""The four superoperators :math:`\rho\mapsto\sum_c E_{jc}\rho E_{ck}` (j, k in {0, 1}) on ``site``."""
    out = []
    for j in range(2):
        for k in range(2):
            S = None
            for c in range(2):
                Ejc = np.zeros((2, 2))
                Ejc[j, c] = 1.0
                Eck_T = np.zeros((2, 2))
                Eck_T[k, c] = 1.0  # (|c><k|)^T = |k><c|
                term = sp.kron(local_operator(Ejc, site, n), local_operator(Eck_T, site, n), format="csr")
                S = term if S is None else S + term
            out.append(sp.csr_matrix(S))
    return tuple(out)


def liouvillian(chain: Chain) -> sp.csr_matrix:
    """The sparse :math:`4^N\\times4^N` Liouvillian of ``chain`` acting on ``rho.reshape(4**N)``.

    The caller bounds N (:func:`qc_reset.model.chain.exact.check_size`): the matrix has about
    :func:`liouvillian_nnz` entries.
    """
    n = chain.n
    d = 2**n
    H = hamiltonian(chain)
    eye_d = sp.identity(d, dtype=complex, format="csr")
    L = -1j * (sp.kron(H, eye_d, format="csr") - sp.kron(eye_d, H.T, format="csr"))
    total_rate = 0.0
    for i, site in enumerate(chain.sites):
        if site.bath == "none":
            continue
        tau = bath_state(site)
        terms = _replace_terms(i, n)
        for (j, k), S in zip(((0, 0), (0, 1), (1, 0), (1, 1)), terms, strict=True):
            if tau[j, k] != 0:
                L = L + (site.p * tau[j, k]) * S
        total_rate += site.p
    L = L - total_rate * sp.identity(d * d, dtype=complex, format="csr")
    L = sp.csr_matrix(L)
    L.eliminate_zeros()
    return L


def trace_vector(n: int) -> np.ndarray:
    """The row vector t with :math:`t\\cdot\\mathrm{vec}\\,\\rho = \\mathrm{Tr}\\,\\rho` for N = ``n`` sites."""
    d = 2**n
    t = np.zeros(d * d)
    t[np.arange(d) * (d + 1)] = 1.0
    return t


def liouvillian_nnz(n: int) -> int:
    """An upper bound on the number of stored entries of the Liouvillian of an ``n``-site chain.

    The commutator has at most :math:`2\\cdot 4^N (1 + (N-1)/2)` entries, the diagonal and each bath
    site's four replacement terms :math:`4^N(1 + 2N)` together.
    """
    D = 4**n
    return int(2 * D * (1 + (n - 1) / 2) + D * (1 + 2 * n))
