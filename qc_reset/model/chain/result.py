"""The result record shared by every chain method: per-site observables of qubit reduced states.

:class:`SiteResult` holds one site's Bloch vector and what follows from it (l1 coherence,
:math:`\\|r\\|_1`, the magic verdict and class, through :mod:`qc_reset.model.measures` and
:mod:`qc_reset.model.magic`); :class:`ChainResult` the list of them, the method that produced them,
optional neighbour concurrences and the method's error estimate.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..._checks import InputError, quote
from .. import magic, measures

__all__ = ["CHAIN_METHODS", "SiteResult", "ChainResult", "site_result"]

#: The methods that compute a chain's steady state.
CHAIN_METHODS = ("exact", "circuit", "tn")


@dataclasses.dataclass(frozen=True)
class SiteResult:
    """One site's steady state: its Bloch vector and the measures of it.

    ``l1_norm`` is :math:`|r_x| + |r_y| + |r_z|` and ``magic`` is ``l1_norm > 1``;
    ``magic_class`` is the label of :func:`qc_reset.model.magic.magic_class` (stabilizer, magic, or
    distillable with its type).
    """

    bloch: tuple[float, float, float]
    l1_coherence: float
    l1_norm: float
    magic: bool
    magic_class: str

    def __post_init__(self) -> None:
        r = tuple(float(x) for x in self.bloch)
        if len(r) != 3 or not all(math.isfinite(x) for x in r):
            raise InputError(f"bloch must be three finite numbers; got {quote(self.bloch)}")
        if math.sqrt(sum(x * x for x in r)) > 1 + 1e-6:
            raise InputError(f"bloch must lie in the unit ball; got |r| = {math.sqrt(sum(x * x for x in r)):.9g}")
        object.__setattr__(self, "bloch", r)

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict (the chain CLI's JSON ``sites`` entries)."""
        return {"bloch": list(self.bloch), "l1_coherence": self.l1_coherence, "l1_norm": self.l1_norm,
                "magic": self.magic, "magic_class": self.magic_class}


def site_result(bloch: npt.ArrayLike) -> SiteResult:
    """The :class:`SiteResult` of one Bloch vector (rx, ry, rz)."""
    r = np.asarray(bloch, dtype=float).reshape(3)
    l1n = float(measures.l1_norm(r))
    return SiteResult(bloch=(float(r[0]), float(r[1]), float(r[2])), l1_coherence=float(np.hypot(r[0], r[1])),
                      l1_norm=l1n, magic=bool(l1n > 1.0), magic_class=str(magic.magic_class(r)))


@dataclasses.dataclass(frozen=True)
class ChainResult:
    """A chain's steady state by one method.

    Attributes:
        method: one of :data:`CHAIN_METHODS`.
        sites: one :class:`SiteResult` per site, in chain order.
        concurrence: the concurrence of each neighbouring pair's reduced state (N - 1 values), or None
            where the method does not give two-site states.
        error: the method's estimate of the error of the Bloch components (max abs), or None where the
            result is exact to solver precision (then ``residual`` says how well it solved).
        details: method-specific facts (steps, bond dimension, residual, timings), JSON-ready.
    """

    method: str
    sites: tuple[SiteResult, ...]
    concurrence: tuple[float, ...] | None = None
    error: float | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method not in CHAIN_METHODS:
            raise InputError(f"method must be one of {', '.join(CHAIN_METHODS)}; got {quote(self.method)}")
        sites = tuple(self.sites)
        if len(sites) < 2 or not all(isinstance(s, SiteResult) for s in sites):
            raise InputError("sites must hold at least two SiteResult records")
        object.__setattr__(self, "sites", sites)
        if self.concurrence is not None:
            c = tuple(float(x) for x in self.concurrence)
            if len(c) != len(sites) - 1:
                raise InputError(f"concurrence must have N - 1 = {len(sites) - 1} entries; got {len(c)}")
            object.__setattr__(self, "concurrence", c)

    @property
    def blochs(self) -> npt.NDArray[np.float64]:
        """The per-site Bloch vectors as an (N, 3) array."""
        return np.array([s.bloch for s in self.sites])

    def to_dict(self) -> dict[str, Any]:
        """``{"method", "sites": [...], "concurrence", "error", ...details}`` (the chain CLI's JSON)."""
        out: dict[str, Any] = {"method": self.method, "sites": [s.to_dict() for s in self.sites]}
        if self.concurrence is not None:
            out["concurrence"] = list(self.concurrence)
        out["error"] = self.error
        out.update(self.details)
        return out

    @classmethod
    def from_blochs(cls, method: str, blochs: Sequence[npt.ArrayLike] | npt.ArrayLike, **kwargs: Any) -> ChainResult:
        """The record from per-site Bloch vectors (an (N, 3) array)."""
        arr = np.asarray(blochs, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 3:
            raise InputError(f"blochs must be an (N, 3) array; got shape {arr.shape}")
        return cls(method, tuple(site_result(r) for r in arr), **kwargs)
