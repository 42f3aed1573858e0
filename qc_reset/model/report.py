"""The steady-state record of one parameter point: a frozen dataclass that checks its invariants and
serializes to JSON and back (the strict-JSON helpers are :mod:`qc_reset.io`'s, re-exported here).

The JSON keys are public (docs/cli.md): ``bloch``, ``l1_coherence``, ``l1_norm``,
``magic``, ``magic_class`` ("stabilizer" | "magic" | "distillable"), ``distillable``,
``distillable_by`` (the protocols, :mod:`qc_reset.model.magic`), ``robustness``, ``facets``,
``rho`` ({"re": 4x4, "im": 4x4}, qubit 1 first).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .._checks import InputError, density_matrix, quote, real_array
from ..io import json_safe, load_json, save_json, to_json
from . import magic as magic_classes
from . import measures
from .operators import ComplexArray
from .params import Params
from .steady import steady_state

__all__ = ["SteadyReport", "steady_report", "save_json", "load_json", "to_json", "json_safe"]


@dataclasses.dataclass(frozen=True)
class SteadyReport:
    """Exact steady state at one parameter point, with qubit 1's coherence and magic.

    Example:
        >>> rep = steady_report(Params(g=0.06, p1=0.3, p2=0.3, T1=0.1, T2=0.0))
        >>> rep.magic
        True
    """

    params: Params
    rho: ComplexArray

    def __post_init__(self) -> None:
        Params.require(self.params)
        rho = np.array(density_matrix("rho", self.rho), dtype=complex)  # a copy, then read-only
        rho.setflags(write=False)
        object.__setattr__(self, "rho", rho)

    @property
    def bloch(self) -> np.ndarray:
        """Qubit 1's Bloch vector (rx, ry, rz)."""
        return measures.bloch_vector(self.rho)

    @property
    def l1_coherence(self) -> float:
        """l1-norm of coherence of qubit 1 in the energy (Z) basis."""
        return float(measures.l1_coherence(self.bloch))

    @property
    def l1_norm(self) -> float:
        """||r||_1 of qubit 1; > 1 means magic."""
        return float(measures.l1_norm(self.bloch))

    @property
    def magic(self) -> bool:
        """Whether qubit 1 lies outside the stabilizer octahedron."""
        return self.l1_norm > 1.0

    @property
    def magic_class(self) -> str:
        """Qubit 1's class: "stabilizer", "magic" or "distillable" (:func:`qc_reset.model.magic.coarse_class`)."""
        return str(magic_classes.coarse_class(self.bloch))

    @property
    def distillable_by(self) -> list[str]:
        """The protocols ("T": Bravyi-Kitaev, "H": Reichardt) that distill qubit 1; empty if none."""
        return magic_classes.distillable_protocols(self.bloch)

    @property
    def distillable(self) -> bool:
        """Whether qubit 1 is distillable by one of the implemented protocols."""
        return bool(self.distillable_by)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the public keys of ``qc-reset steady --json``."""
        r = self.bloch
        return {
            "params": self.params.to_dict(),
            "bloch": r.tolist(),
            "l1_coherence": self.l1_coherence,
            "l1_norm": self.l1_norm,
            "magic": self.magic,
            "magic_class": self.magic_class,
            "distillable": self.distillable,
            "distillable_by": self.distillable_by,
            "robustness": float(measures.robustness(r)),
            "stabilizer_distance": float(measures.stabilizer_distance(r)),
            "facets": dict(zip(measures.FACET_LABELS, measures.facets(r).tolist(), strict=True)),
            "rho": {"re": self.rho.real.tolist(), "im": self.rho.imag.tolist()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SteadyReport:
        """Inverse of :meth:`to_dict` (derived fields are recomputed, not trusted).

        A ``magic_class`` or ``distillable`` in ``data`` (records written before they existed have
        neither) must agree with the recomputed value.
        """
        if not isinstance(data, dict) or not isinstance(data.get("rho"), dict) or "params" not in data:
            raise InputError(f"a SteadyReport record must be a dict with 'params' and 'rho' {{'re', 'im'}}; "
                             f"got {quote(data)}")
        re_part, im_part = data["rho"].get("re"), data["rho"].get("im")
        rho = real_array("rho.re", re_part) + 1j * real_array("rho.im", im_part)
        rep = cls(params=Params.from_dict(data["params"]), rho=rho)
        for key in ("magic_class", "distillable"):
            if key in data and data[key] != getattr(rep, key):
                raise InputError(f"{key} {quote(data[key])} contradicts rho (recomputed: {getattr(rep, key)!r})")
        return rep


def steady_report(params: Params) -> SteadyReport:
    """Solve for the exact steady state at ``params`` and wrap it in a :class:`SteadyReport`."""
    rho = steady_state(params.g, params.p1, params.p2, params.T1, params.T2)
    return SteadyReport(params=params, rho=rho)
