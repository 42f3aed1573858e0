"""Qiskit circuit builders of the collision model; nothing is executed here.

:mod:`.parameters` (qubit mapping, choices, symbolic parameters, angles, size budget), :mod:`.collision`
(the Trotter-step and state-preparation builders), :mod:`qc_reset.circuits.designs` (one collision in the
dilated, dynamic and fresh designs), :mod:`.measurement` (tomography measurements) and
:mod:`.qasm` (the OpenQASM 3 reference files). Their names are re-exported here, so
``qc_reset.circuits.trotter_circuit`` keeps working.
"""

from __future__ import annotations

from .collision import *  # noqa: F403
from .collision import __all__ as _collision_all
from .designs import *  # noqa: F403
from .designs import __all__ as _designs_all
from .measurement import *  # noqa: F403
from .measurement import __all__ as _measurement_all
from .parameters import *  # noqa: F403
from .parameters import __all__ as _parameters_all
from .qasm import *  # noqa: F403
from .qasm import __all__ as _qasm_all

__all__ = [*_parameters_all, *_collision_all, *_measurement_all, *_qasm_all, *_designs_all]
