"""Compatibility module: the steady-state report and strict JSON, now in :mod:`qc_reset.model.report`, :mod:`qc_reset.io`.

Kept so that ``qc_reset.records`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .io import *  # noqa: F403
from .model.report import *  # noqa: F403

__all__ = ["SteadyReport", "steady_report", "save_json", "load_json", "to_json", "json_safe"]
