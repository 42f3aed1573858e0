"""Compatibility module: Trotter circuits on Aer and the channel math, now in :mod:`qc_reset.run.simulator`, :mod:`qc_reset.model.channels`.

Kept so that ``qc_reset.simulate`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .model.channels import *  # noqa: F403
from .run.simulator import *  # noqa: F403

__all__ = [
    "ROUTES",
    "DEFAULT_TOL",
    "SimulationResult",
    "trace_distance",
    "fixed_point",
    "second_eigenvalue",
    "auto_steps",
    "system_channel",
    "default_backend",
    "check_backend",
    "simulate",
    "simulate_many",
]
