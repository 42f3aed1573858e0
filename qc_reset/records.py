"""Result records: frozen dataclasses that check their invariants, serialize to JSON and back.

The JSON keys are public (docs/cli.md): ``bloch``, ``l1_coherence``, ``l1_norm``,
``magic``, ``robustness``, ``facets``, ``rho`` ({"re": 4x4, "im": 4x4}, qubit 1 first).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from . import measures
from ._checks import InputError
from .exact import steady_state
from .io import atomic_write_text
from .model import ComplexArray, Params

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
        rho = np.asarray(self.rho, dtype=complex)
        if rho.shape != (4, 4):
            raise InputError(f"rho must be 4x4; got shape {rho.shape}")
        if not np.allclose(rho, rho.conj().T, atol=1e-10) or abs(np.trace(rho) - 1) > 1e-10:
            raise InputError("rho must be Hermitian with unit trace")
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the public keys of ``qc-reset steady --json``."""
        r = self.bloch
        return {
            "params": self.params.to_dict(),
            "bloch": r.tolist(),
            "l1_coherence": self.l1_coherence,
            "l1_norm": self.l1_norm,
            "magic": self.magic,
            "robustness": float(measures.robustness(r)),
            "stabilizer_distance": float(measures.stabilizer_distance(r)),
            "facets": dict(zip(measures.FACET_LABELS, measures.facets(r).tolist(), strict=True)),
            "rho": {"re": self.rho.real.tolist(), "im": self.rho.imag.tolist()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SteadyReport:
        """Inverse of :meth:`to_dict` (derived fields are recomputed, not trusted)."""
        rho = np.asarray(data["rho"]["re"]) + 1j * np.asarray(data["rho"]["im"])
        params = Params(**{k: float(v) for k, v in data["params"].items()})
        return cls(params=params, rho=rho)


def steady_report(params: Params) -> SteadyReport:
    """Solve for the exact steady state at ``params`` and wrap it in a :class:`SteadyReport`."""
    rho = steady_state(params.g, params.p1, params.p2, params.T1, params.T2)
    return SteadyReport(params=params, rho=rho)


def save_json(record: Any, path: str | Path) -> None:
    """Write ``record.to_dict()`` (or a plain dict) to ``path`` as strict JSON.

    NaN is written as null and infinities as the strings "inf" / "-inf" (which ``float()``
    and the package's validators read back). The file is replaced atomically: an interrupted
    write leaves the previous file complete (:func:`qc_reset.io.atomic_write_text`).
    """
    atomic_write_text(path, to_json(record) + "\n")


def to_json(record: Any) -> str:
    """Strict-JSON text of ``record.to_dict()`` (or a plain dict), as :func:`save_json` writes."""
    data = record.to_dict() if hasattr(record, "to_dict") else record
    return json.dumps(json_safe(data), indent=2)


def load_json(path: str | Path) -> dict[str, Any]:
    """Read a JSON file written by :func:`save_json`."""
    data: dict[str, Any] = json.loads(Path(path).read_text())
    return data


def json_safe(obj: Any) -> Any:
    """Plain, strict-JSON data: numpy scalars and arrays to Python, NaN -> None, +-inf -> "inf"/"-inf"."""
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    elif isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        if np.isnan(obj):
            return None
        return obj if np.isfinite(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj
