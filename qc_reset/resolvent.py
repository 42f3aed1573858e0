"""Compatibility module: the resolvent reduction of the steady state, now in :mod:`qc_reset.model.resolvent`.

Kept so that ``qc_reset.resolvent`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .model.resolvent import *  # noqa: F403

__all__ = ["steady_local", "steady_rho"]
