r"""The model's parameter point: :class:`Params` (g, p1, p2, T1, T2), validated once.

Units :math:`\omega = \hbar = k_B = 1`. The coupling g is any finite real number, the reset rates
p1, p2 are finite and >= 0 (not both 0) and the bath temperatures T1, T2 lie in [0, +inf] (0 is the
ground-state limit, inf the maximally mixed state). The batched validator
:func:`validate_params` is the package's shared one (:mod:`qc_reset._checks`) and the bath
polarization :func:`bath_polarization` belongs to the bath states of :mod:`.operators`; both are
re-exported here, beside the point that uses them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .._checks import InputError, quote, real_array, validate_params
from .operators import ComplexArray, bath_polarization, hamiltonian, liouvillian, tau1, tau2

__all__ = ["Params", "validate_params", "bath_polarization"]


@dataclasses.dataclass(frozen=True)
class Params:
    r"""One validated parameter point (g, p1, p2, T1, T2) of the model.

    .. math:: \dot\rho = -i[H,\rho] + p_1(\tau_1\otimes\mathrm{Tr}_1\rho - \rho)
              + p_2(\mathrm{Tr}_2\rho\otimes\tau_2 - \rho)

    Example:
        >>> Params(g=0.05, p1=0.3, p2=0.3, T1=0.1, T2=0.0).z1
        0.9999999092...
    """

    g: float
    p1: float
    p2: float
    T1: float
    T2: float

    def __post_init__(self) -> None:
        names = ("g", "p1", "p2", "T1", "T2")
        for field in names:
            # real_array first: np.ndim of a dict or a symbolic Parameter is 0, which would pass here
            if real_array(field, getattr(self, field)).ndim != 0:
                raise InputError(f"{field} must be a scalar for Params; use the batched functions for arrays")
        checked = validate_params(self.g, self.p1, self.p2, self.T1, self.T2)
        for field, value in zip(names, checked, strict=True):
            object.__setattr__(self, field, float(value))

    @classmethod
    def require(cls, value: Any, name: str = "params") -> Params:
        """``value`` if it is a :class:`Params`; otherwise an ``InputError`` naming ``name``.

        Entry points that need numbers call this first, so that symbolic
        :class:`~qc_reset.circuits.CircuitParameters`, dicts or tuples fail with a message instead of an
        ``AttributeError`` deep inside.
        """
        if isinstance(value, cls):
            return value
        hint = ""
        if type(value).__name__ == "CircuitParameters":
            hint = ("; CircuitParameters are symbolic (build a circuit with qc_reset.circuits.trotter_circuit "
                    "and bind numbers with CircuitParameters.values)")
        elif isinstance(value, dict):
            hint = "; use Params(**d)"
        raise InputError(f"{name} must be a qc_reset.Params(g, p1, p2, T1, T2) of numbers; got "
                         f"{type(value).__name__} {quote(value, 60)}{hint}")

    @property
    def z1(self) -> float:
        """Bloch z component of tau1, tanh(1/(2 T1))."""
        return float(bath_polarization(self.T1))

    @property
    def x2(self) -> float:
        """Bloch x component of tau2, tanh(1/(2 T2))."""
        return float(bath_polarization(self.T2))

    def to_dict(self) -> dict[str, float]:
        """The parameters as a plain dict (JSON-ready)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Params:
        """Inverse of :meth:`to_dict`: a dict with exactly the keys g, p1, p2, T1, T2 (validated again;
        infinities may be the strings "inf"/"-inf" of strict JSON)."""
        keys = ("g", "p1", "p2", "T1", "T2")
        if not isinstance(data, dict) or set(data) != set(keys):
            raise InputError(f"params must be a dict with the keys {', '.join(keys)}; got {quote(data)}")
        # strict JSON writes an infinite temperature as "inf" (qc_reset.io.json_safe)
        return cls(**{k: (float(v) if v in ("inf", "-inf") else v) for k, v in ((k, data[k]) for k in keys)})

    def hamiltonian(self) -> ComplexArray:
        """The 4x4 Hamiltonian H."""
        return hamiltonian(self.g)

    def tau1(self) -> ComplexArray:
        """Heat-bath state tau1 (2x2)."""
        return tau1(self.T1)

    def tau2(self) -> ComplexArray:
        """Spin-bath state tau2 (2x2)."""
        return tau2(self.T2)

    def liouvillian(self) -> ComplexArray:
        """The 16x16 Liouvillian (row-major vectorization, qubit 1 first)."""
        return liouvillian(self.g, self.p1, self.p2, self.T1, self.T2)
