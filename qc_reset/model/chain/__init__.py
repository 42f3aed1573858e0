r"""N-site collision chains: the model family beyond the paper's two qubits (numpy/scipy, no Qiskit).

A chain of N qubits, site 0 the first tensor factor, each with :math:`H_i = (\omega_i/2)|1\rangle\langle1|`,
nearest-neighbour partial SWAPs :math:`g_i(|01\rangle\langle10| + |10\rangle\langle01|)` on bond
:math:`(i, i+1)`, and on each site optionally a reset-to-thermal bath (``"heat"``: thermal in Z,
``"spin"``: thermal in X, or ``"none"``). The chain description is :mod:`.spec`; the result record of
every method (exact, circuit, tensor network) is :mod:`.result`.
"""

from __future__ import annotations

from .result import ChainResult, SiteResult
from .spec import Chain, Site

__all__ = ["Chain", "Site", "ChainResult", "SiteResult"]
