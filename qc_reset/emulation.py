"""Compatibility module: shot-based tomography runs on Aer, now in :mod:`qc_reset.run.tomography`, :mod:`qc_reset.run.interop`, :mod:`qc_reset.circuits.measurement`, :mod:`qc_reset.run.seeds`, :mod:`qc_reset.workflows.sweep.kinds`.

Kept so that ``qc_reset.emulation`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .circuits.measurement import *  # noqa: F403
from .run.interop import *  # noqa: F403
from .run.seeds import *  # noqa: F403
from .run.tomography import *  # noqa: F403
from .workflows.sweep.kinds import *  # noqa: F403

__all__ = [
    "BASES",
    "MEASURED_QUBIT",
    "convergence_tol",
    "resolve_steps",
    "tomography_circuits",
    "TomographyRun",
    "run_tomography",
    "tomography_points",
    "noisy_state",
    "degradation_table",
    "circuit_records",
    "tomography_records",
    "qiskit_experiments_tomography",
    "fresh_seed",
]
