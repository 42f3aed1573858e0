"""Compatibility module: the paper's figures, now in :mod:`qc_reset.workflows.figures`.

Kept so that ``qc_reset.figures`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .workflows.figures import *  # noqa: F403

__all__ = ["FIGURE_PARAMS", "SeriesLog", "make_figures", "FIGURES"]
