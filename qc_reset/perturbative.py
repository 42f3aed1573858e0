"""Compatibility module: the paper's weak-coupling formulas, now in :mod:`qc_reset.model.perturbative`.

Kept so that ``qc_reset.perturbative`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .model.perturbative import *  # noqa: F403

__all__ = [
    "PAPER_FACET_INDEX",
    "PAPER_FACET_LABELS",
    "l1_coherence_eq7",
    "expansion_coefficients",
    "facets_eq9",
    "facets_eq10",
    "facets_eq16",
    "facets_eq19_21",
    "facets_eq22_24",
    "tcrit_eq15",
    "tcrit_eq18",
    "g_window_eq13",
    "g_window_eq17",
    "critical_temperature_perturbative",
    "g_window_perturbative",
]
