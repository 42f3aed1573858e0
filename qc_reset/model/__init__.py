"""The exact model: numpy/scipy physics, no Qiskit.

The parameter point (:mod:`.params`) and the operators built from it (:mod:`.operators`), the
steady state (:mod:`.steady`, with the internal resolvent reduction of :mod:`.resolvent`),
transients (:mod:`.dynamics`), channel math shared with the circuit layers (:mod:`.channels`),
measures on qubit 1 (:mod:`.measures`), exact and perturbative critical temperatures
(:mod:`.critical`, :mod:`.perturbative`) and the steady-state report (:mod:`.report`). The names of
:mod:`.params` and :mod:`.operators` are re-exported here, so ``qc_reset.model.Params`` and
``qc_reset.model.hamiltonian`` keep working.
"""

from __future__ import annotations

from .operators import *  # noqa: F403 - the operator layer is this package's namespace
from .operators import __all__ as _operators_all
from .params import *  # noqa: F403
from .params import __all__ as _params_all

__all__ = list(_params_all) + [n for n in _operators_all if n not in _params_all]
