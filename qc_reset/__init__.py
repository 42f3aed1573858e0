"""qc_reset: steady coherence and magic of a qubit coupled to a heat bath and, through a
partial SWAP, to a qubit reset by a spin bath; exact, perturbative and circuit-emulated."""

from __future__ import annotations

from .exact import SteadyStateError, steady_bloch, steady_state, transient
from .model import Params

__all__ = ["Params", "SteadyStateError", "steady_state", "steady_bloch", "transient"]
__version__ = "0.1.0"
