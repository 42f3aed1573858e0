"""Compatibility module: noise specs, fake backends, readout calibration and mitigation, the gate-error threshold, now in :mod:`qc_reset.run.noise`, :mod:`qc_reset.run.backends`, :mod:`qc_reset.run.calibration`, :mod:`qc_reset.stats.mitigation`, :mod:`qc_reset.run.threshold`.

Kept so that ``qc_reset.noise`` imports keep working; new code should import from the layered
modules named above.
"""

from __future__ import annotations

from ._checks import MAX_SHOTS, SHOT_MEMORY, SHOT_MEMORY_LIMIT, check_shots  # noqa: F401
from .run.backends import *  # noqa: F403
from .run.calibration import *  # noqa: F403
from .run.noise import *  # noqa: F403
from .run.threshold import *  # noqa: F403
from .stats.mitigation import *  # noqa: F403

__all__ = [
    "NOISE_KINDS",
    "PARAMETRIC_KEYS",
    "BASIS_GATES",
    "NoiseSpec",
    "parse_noise",
    "fake_backend_names",
    "fake_backend",
    "noise_model",
    "simulator",
    "transpile_for",
    "require_instructions",
    "check_device",
    "SHOT_MEMORY",
    "SHOT_MEMORY_LIMIT",
    "MAX_SHOTS",
    "check_shots",
    "measured_physical_qubit",
    "calibrate_readout",
    "mitigate_counts",
    "mitigate_estimate",
    "GateErrorThreshold",
    "max_gate_error",
]
