"""Compatibility module: exact critical temperatures and g windows, now in :mod:`qc_reset.model.critical`.

Kept so that ``qc_reset.critical`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .model.critical import *  # noqa: F403

__all__ = [
    "critical_temperature",
    "g_window",
    "max_l1_norm",
    "GWindow",
    "g_search_grid",
    "magic_map",
    "MAGIC_RESOLUTION",
]
