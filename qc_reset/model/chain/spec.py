r"""The description of an N-site collision chain: :class:`Site` and :class:`Chain`, validated once.

.. math::

    H = \sum_i \frac{\omega_i}{2}|1\rangle\langle 1|_i
        + \sum_{i} g_i\,(|01\rangle\langle10| + |10\rangle\langle01|)_{i,i+1}, \qquad
    \dot\rho = -i[H,\rho] + \sum_{i\in\text{baths}} p_i\,(\tau_i\otimes\mathrm{Tr}_i\rho - \rho),

with :math:`\tau_i` thermal in Z (``"heat"``, Bloch vector :math:`(0, 0, \tanh(1/2T_i))`) or in X
(``"spin"``, Bloch vector :math:`(\tanh(1/2T_i), 0, 0)`). Site 0 is the first tensor factor. The
two-site chain with a heat bath on site 0 and a spin bath on site 1 is exactly the paper's model
(:meth:`Chain.from_params`).

Bath states use the same polarization as the two-qubit model, :math:`\tanh(1/2T)` (the bath's own
energy scale is 1, as in the paper); a per-site ``omega`` changes only the site's Hamiltonian.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ..._checks import CHAIN_BATHS, InputError, chain_bonds, chain_site, quote
from ..params import Params

__all__ = ["CHAIN_BATHS", "Site", "Chain"]


@dataclasses.dataclass(frozen=True)
class Site:
    """One qubit of the chain and its bath.

    Attributes:
        bath: ``"heat"`` (reset to a state thermal in Z), ``"spin"`` (thermal in X) or ``"none"``.
        p: reset rate, > 0 for a bath site, 0 for ``"none"``.
        T: bath temperature in [0, +inf] (0: pure ``|0>`` or ``|+>``), 0 for ``"none"``.
        omega: the site frequency, :math:`H_i = (\\omega/2)|1\\rangle\\langle1|` (1: resonant, as in the paper).

    Example:
        >>> Site("heat", p=0.3, T=0.1)
        Site(bath='heat', p=0.3, T=0.1, omega=1.0)
    """

    bath: str = "none"
    p: float = 0.0
    T: float = 0.0
    omega: float = 1.0

    def __post_init__(self) -> None:
        bath, p, T, omega = chain_site(0, self.bath, self.p, self.T, self.omega)
        for field, value in (("bath", bath), ("p", p), ("T", T), ("omega", omega)):
            object.__setattr__(self, field, value)

    def to_dict(self) -> dict[str, Any]:
        """The site as a plain dict (JSON-ready; ``T`` may be ``inf``)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Chain:
    """An N-site collision chain: its sites in chain order and the N - 1 bond couplings.

    Example:
        >>> chain = Chain.from_params(Params(g=0.05, p1=0.3, p2=0.3, T1=0.1, T2=0.0))
        >>> chain.n, chain.g, [s.bath for s in chain.sites]
        (2, (0.05,), ['heat', 'spin'])
    """

    sites: tuple[Site, ...]
    g: tuple[float, ...]

    def __post_init__(self) -> None:
        if isinstance(self.sites, (str, bytes, Mapping)) or not isinstance(self.sites, Sequence):
            raise InputError(f"sites must be a sequence of Site records; got {quote(self.sites)}")
        sites = tuple(self.sites)
        for i, site in enumerate(sites):
            if not isinstance(site, Site):
                raise InputError(f"site[{i}] must be a Site record; got {quote(site)}")
        g = chain_bonds(self.g, len(sites))
        if not any(s.bath != "none" for s in sites):
            raise InputError("a chain needs at least one site with a bath (heat or spin): "
                             "without one it has no unique steady state")
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "g", g)

    @classmethod
    def require(cls, value: Any, name: str = "chain") -> Chain:
        """``value`` if it is a :class:`Chain`; otherwise an ``InputError`` naming ``name`` (with a hint
        for the dict form :meth:`from_dict` reads)."""
        if isinstance(value, cls):
            return value
        hint = "; use Chain.from_dict(d)" if isinstance(value, Mapping) else ""
        raise InputError(f"{name} must be a qc_reset.model.chain.Chain; got {type(value).__name__} "
                         f"{quote(value, 60)}{hint}")

    @property
    def n(self) -> int:
        """The number of sites N."""
        return len(self.sites)

    @classmethod
    def from_params(cls, params: Params) -> Chain:
        """The paper's model as a two-site chain: heat bath (p1, T1) on site 0, spin bath (p2, T2) on site 1.

        A rate of 0 in ``params`` becomes a site without a bath.
        """
        params = Params.require(params)
        s0 = Site("heat", params.p1, params.T1) if params.p1 > 0 else Site()
        s1 = Site("spin", params.p2, params.T2) if params.p2 > 0 else Site()
        return cls((s0, s1), (params.g,))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Chain:
        """A chain from ``{"sites": [{"bath": ..., "p": ..., "T": ..., "omega": ...}, ...], "g": ...}``
        (``g`` one number or a list of N - 1); every error names the offending site or bond."""
        if not isinstance(data, Mapping):
            raise InputError(f"a chain must be a table with 'sites' and 'g'; got {quote(data)}")
        unknown = sorted(set(data) - {"sites", "g"})
        if unknown:
            raise InputError(f"unknown chain key(s) {', '.join(map(repr, unknown))}; allowed: 'sites', 'g'")
        raw = data.get("sites")
        if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)) or len(raw) < 2:
            raise InputError(f"sites must be a list of at least 2 site tables; got {quote(raw)}")
        sites = []
        for i, entry in enumerate(raw):
            if not isinstance(entry, Mapping):
                raise InputError(f"site[{i}] must be a table with bath, p, T (omega optional); got {quote(entry)}")
            extra = sorted(set(entry) - {"bath", "p", "T", "omega"})
            if extra:
                raise InputError(f"site[{i}] has unknown key(s) {', '.join(map(repr, extra))}; "
                                 "allowed: 'bath', 'p', 'T', 'omega'")
            bath, p, T, omega = chain_site(i, entry.get("bath", "none"), entry.get("p", 0.0), entry.get("T", 0.0),
                                           entry.get("omega", 1.0))
            sites.append(Site(bath, p, T, omega))
        if "g" not in data:
            raise InputError("g (the bond coupling: one number or a list of N - 1) is required")
        return cls(tuple(sites), data["g"])

    def to_dict(self) -> dict[str, Any]:
        """``{"sites": [...], "g": [...]}``, the inverse of :meth:`from_dict`."""
        return {"sites": [s.to_dict() for s in self.sites], "g": list(self.g)}
