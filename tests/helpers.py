"""Physics assertions and named tolerances shared by the test modules (``from .helpers import ...``)."""

from __future__ import annotations

import numpy as np

#: Exact linear algebra on 4x4/16x16 matrices in double precision.
EXACT_TOL = 1e-12


def assert_density_matrix(rho: np.ndarray, atol: float = EXACT_TOL) -> None:
    """Hermitian, unit trace and positive semidefinite (to ``atol``), over a batch (..., d, d)."""
    rho = np.asarray(rho)
    np.testing.assert_allclose(rho, np.swapaxes(rho, -1, -2).conj(), atol=atol, rtol=0)
    np.testing.assert_allclose(np.trace(rho, axis1=-2, axis2=-1), 1.0, atol=atol, rtol=0)
    evals = np.linalg.eigvalsh(0.5 * (rho + np.swapaxes(rho, -1, -2).conj()))
    assert evals.min() >= -atol, f"negative eigenvalue {evals.min()}"


def assert_cptp_superop(S: np.ndarray, atol: float = EXACT_TOL) -> None:
    """A 16x16 row-major superoperator is trace preserving and completely positive."""
    d = int(round(np.sqrt(S.shape[0])))
    # Trace preservation: sum_i <ii| S = <vec I|.
    np.testing.assert_allclose(np.eye(d).reshape(-1) @ S, np.eye(d).reshape(-1), atol=atol, rtol=0)
    # Choi matrix: C[(i,k),(j,l)] = S[(i,j),(k,l)] (row-major vec) must be PSD.
    choi = S.reshape(d, d, d, d).transpose(0, 2, 1, 3).reshape(d * d, d * d)
    np.testing.assert_allclose(choi, choi.conj().T, atol=atol, rtol=0)
    assert np.linalg.eigvalsh(choi).min() >= -atol
