"""Compatibility module: resumable parameter sweeps, now in :mod:`qc_reset.workflows.sweep`.

Kept so that ``qc_reset.sweep`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .workflows.sweep import *  # noqa: F403

__all__ = [
    "SweepConfig",
    "load_config",
    "parse_config",
    "evaluate_chunk",
    "point_seed",
    "run_sweep",
    "read_results",
    "OUTPUT_KINDS",
    "AXES",
    "MAX_POINTS",
    "MAX_CONFIG_BYTES",
    "RECORD_SCHEMA",
]
