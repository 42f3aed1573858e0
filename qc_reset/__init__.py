"""qc_reset: steady coherence and magic of a qubit coupled to a heat bath and, through a
partial SWAP, to a qubit reset by a spin bath; exact, perturbative and circuit-emulated.

The top level holds the public entry points (docs/cli.md lists the CLI); everything else lives in its
module (``qc_reset.model``, ``exact``, ``measures``, ``critical``, ``perturbative``, ``circuits``,
``simulate``, ``tomography``, ``emulation``, ``noise``, ``sweep``, ``figures``). Qiskit, Aer and
matplotlib load only when a module that needs them is imported.
"""

from __future__ import annotations

from .critical import critical_temperature, g_window
from .exact import SteadyStateError, steady_bloch, steady_state, transient
from .model import Params

__all__ = [
    "Params",
    "SteadyStateError",
    "steady_state",
    "steady_bloch",
    "transient",
    "critical_temperature",
    "g_window",
]
__version__ = "0.1.0"
