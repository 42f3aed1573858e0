"""Shot-based tomography of qubit 1 on Aer, devices and samplers: the names of three modules in one place.

* :mod:`qc_reset.run.tomography_states`: exact states (:func:`ideal_state`, :func:`noisy_state`), the devices
  of noisy runs and :func:`convergence_tol`.
* :mod:`qc_reset.run.tomography_run`: one run and its record (:func:`run_tomography`, :class:`TomographyRun`).
* :mod:`qc_reset.run.tomography_batch`: many points (:func:`tomography_points`, :func:`degradation_table`).

Each name is documented where it is defined; this module re-exports them so ``qc_reset.run.tomography``
imports keep working.
"""

from __future__ import annotations

from .seeds import fresh_seed
from .tomography_batch import degradation_table, tomography_points
from .tomography_run import TomographyRun, run_tomography
from .tomography_states import convergence_tol, ideal_backend, ideal_state, noisy_state, transpiled_state

# Older names of two helpers, kept for callers (and tests) that reached them here.
_ideal_backend = ideal_backend
_transpiled_state = transpiled_state

__all__ = [
    "convergence_tol",
    "ideal_state",
    "fresh_seed",
    "noisy_state",
    "TomographyRun",
    "run_tomography",
    "tomography_points",
    "degradation_table",
]
