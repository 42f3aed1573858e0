"""Compatibility module: the exact steady state and transients, now in :mod:`qc_reset.model.steady`, :mod:`qc_reset.model.dynamics`.

Kept so that ``qc_reset.exact`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .model.dynamics import *  # noqa: F403
from .model.steady import *  # noqa: F403

__all__ = [
    "SteadyStateError",
    "generator",
    "steady_state",
    "steady_bloch",
    "steady_bloch_unit",
    "evolve",
    "Transient",
    "transient",
]
