"""qc_reset: steady coherence and magic of a qubit coupled to a heat bath and, through a
partial SWAP, to a qubit reset by a spin bath; exact, perturbative and circuit-emulated.

The package is layered; each layer imports only the ones below it:

* :mod:`qc_reset.model`: numpy/scipy physics, no Qiskit (parameters, operators, steady state,
  dynamics, channel math, measures, magic classes, critical temperatures, perturbative results);
* :mod:`qc_reset.stats`: shot statistics on counts arrays (estimators, witness and verdict,
  readout-mitigation math, result records), numpy only;
* :mod:`qc_reset.circuits`: Qiskit circuit builders, nothing executed;
* :mod:`qc_reset.run`: executes circuits (simulators and backends, noise, tomography runs);
* :mod:`qc_reset.workflows`: resumable sweeps and the paper's figures;
* :mod:`qc_reset.cli`: the ``qc-reset`` command (docs/cli.md).

``_checks`` (validators, one input-error type) and :mod:`qc_reset.io` (atomic files, strict
JSON) sit below them all. This top level re-exports the main entry points. The flat modules of
earlier versions (``qc_reset.exact``, ``measures``, ``critical``, ``perturbative``, ``records``,
``simulate``, ``tomography``, ``emulation``, ``noise``, ``sweep``, ``figures``) remain as
compatibility re-exports. Qiskit, Aer and matplotlib load only when a module that needs them is
imported.
"""

from __future__ import annotations

from ._checks import InputError
from ._version import __version__
from .model.critical import critical_temperature, g_window
from .model.dynamics import transient
from .model.params import Params
from .model.steady import SteadyStateError, steady_bloch, steady_state

__all__ = [
    "__version__",
    "InputError",
    "Params",
    "SteadyStateError",
    "steady_state",
    "steady_bloch",
    "transient",
    "critical_temperature",
    "g_window",
]
