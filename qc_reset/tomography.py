"""Compatibility module: shot statistics of qubit-1 tomography, now in :mod:`qc_reset.stats`.

Kept so that ``qc_reset.tomography`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from .stats import *  # noqa: F403

__all__ = [
    "BASES",
    "VERDICTS",
    "linear_inversion",
    "standard_errors",
    "maximum_likelihood",
    "sample_counts",
    "bootstrap",
    "confidence_interval",
    "witness_interval",
    "classify",
    "Estimate",
    "MagicVerdict",
    "magic_verdict",
    "TomographyResult",
    "analyze",
    "facet_standard_errors",
    "gaussian_witness_interval",
    "analyze_estimate",
    "FACET_SIGNS",
    "MAX_RESAMPLE_BYTES",
    "BYTES_PER_RESAMPLE",
]
