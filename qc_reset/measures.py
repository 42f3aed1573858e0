"""Compatibility module: measures on qubit 1, now in :mod:`qc_reset.model.measures`.

Kept so that ``qc_reset.measures`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .model.measures import *  # noqa: F403

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
]
