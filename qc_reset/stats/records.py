r"""Frozen result records of single-qubit tomography, with their JSON form (``to_dict``/``from_dict``).

* :class:`Estimate`: a value with a confidence interval.
* :class:`MagicVerdict`: the witness :math:`W = \|r\|_1 - 1`, its interval and the verdict the
  interval implies (:func:`classify`, one of :data:`VERDICTS`).
* :class:`ClassVerdict`: the three-way class verdict ("stabilizer" | "magic" | "distillable" |
  "inconclusive") with the intervals of the magic witness and of the T- and H-type distillation
  margins (:func:`classify_class`, one of :data:`CLASS_VERDICTS`).
* :class:`TomographyResult`: Bloch vector, standard errors, covariance, C_l1 and the verdicts; its
  :meth:`~TomographyResult.to_dict` keys are the public ``tomography`` keys of docs/cli.md.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import InputError, confidence_level, covariance, quote
from ..model.operators import FloatArray
from .estimators import DEFAULT_LEVEL, get_estimator

__all__ = [
    "VERDICTS",
    "classify",
    "Estimate",
    "MagicVerdict",
    "CLASS_VERDICTS",
    "classify_class",
    "ClassVerdict",
    "TomographyResult",
]

#: Possible outcomes of a magic verdict.
VERDICTS: tuple[str, ...] = ("magic", "stabilizer", "inconclusive")


def classify(lo: npt.ArrayLike, hi: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Verdicts from witness bounds: "magic" iff lo > 0, "stabilizer" iff hi < 0, else "inconclusive"."""
    lo_a, hi_a = np.asarray(lo), np.asarray(hi)
    return np.where(lo_a > 0, "magic", np.where(hi_a < 0, "stabilizer", "inconclusive"))


#: Possible outcomes of a class verdict.
CLASS_VERDICTS: tuple[str, ...] = ("stabilizer", "magic", "distillable", "inconclusive")


def classify_class(witness: tuple[npt.ArrayLike, npt.ArrayLike], t_margin: tuple[npt.ArrayLike, npt.ArrayLike],
                   h_margin: tuple[npt.ArrayLike, npt.ArrayLike]) -> npt.NDArray[np.str_]:
    """Class verdicts from the (lo, hi) bounds of the witness and of the T and H margins (arrays broadcast).

    "distillable" iff a margin's lower bound is > 0; else "stabilizer" iff the witness's upper
    bound is < 0; else "magic" iff the witness's lower bound is > 0 and both margins' upper bounds
    are < 0; else "inconclusive".
    """
    (w_lo, w_hi), (t_lo, t_hi), (h_lo, h_hi) = (tuple(np.asarray(x, float) for x in b)
                                                for b in (witness, t_margin, h_margin))
    dist = (t_lo > 0) | (h_lo > 0)
    magic = (w_lo > 0) & (t_hi < 0) & (h_hi < 0)
    return np.where(dist, "distillable", np.where(w_hi < 0, "stabilizer", np.where(magic, "magic", "inconclusive")))


def _field(data: Any, key: str, what: str) -> Any:
    if not isinstance(data, dict):
        raise InputError(f"{what} must be a dict; got {quote(data)}")
    if key not in data:
        raise InputError(f"{what} needs the key {key!r}; got keys {quote(sorted(map(str, data)))}")
    return data[key]


def _pair(value: Any, name: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(f"{name} must be a pair [lo, hi]; got {quote(value)}")
    return (value[0], value[1])


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A point estimate with a confidence interval ``ci = (lo, hi)``."""

    value: float
    ci: tuple[float, float]

    def __post_init__(self) -> None:
        lo, hi = (float(x) for x in self.ci)
        if not lo <= hi:
            raise InputError(f"ci must satisfy lo <= hi; got {quote(self.ci)}")
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "ci", (lo, hi))

    def to_dict(self) -> dict[str, Any]:
        """``{"value": float, "ci": [lo, hi]}``."""
        return {"value": self.value, "ci": list(self.ci)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Estimate:
        """Inverse of :meth:`to_dict`."""
        return cls(value=_field(data, "value", "estimate"), ci=_pair(_field(data, "ci", "estimate"), "ci"))


@dataclasses.dataclass(frozen=True)
class MagicVerdict(Estimate):
    r"""The witness :math:`W = \|r\|_1 - 1`, its interval and the verdict that interval implies.

    Example:
        >>> from qc_reset.stats import magic_verdict, sample_counts
        >>> v = magic_verdict(sample_counts([0.45, 0.45, 0.45], 20000, seed=1))
        >>> v.verdict
        'magic'
    """

    verdict: str = "inconclusive"
    level: float = DEFAULT_LEVEL
    method: str = "union"

    def __post_init__(self) -> None:
        super().__post_init__()
        expected = str(classify(self.ci[0], self.ci[1]))
        if self.verdict != expected:
            raise InputError(f"verdict {quote(self.verdict)} contradicts ci {self.ci} (expected {expected!r})")
        object.__setattr__(self, "level", confidence_level(self.level))

    def to_dict(self) -> dict[str, Any]:
        """``{"value", "ci", "verdict", "level", "method"}``."""
        return {**super().to_dict(), "verdict": self.verdict, "level": self.level, "method": self.method}

    @classmethod
    def from_dict(cls, data: dict[str, Any], level: float | None = None) -> MagicVerdict:
        """Inverse of :meth:`to_dict` (``level`` is the fallback when ``data`` has none; the verdict is re-checked)."""
        return cls(
            value=_field(data, "value", "magic_witness"),
            ci=_pair(_field(data, "ci", "magic_witness"), "ci"),
            verdict=_field(data, "verdict", "magic_witness"),
            level=float(data.get("level", DEFAULT_LEVEL if level is None else level)),
            method=data.get("method", "union"),
        )


@dataclasses.dataclass(frozen=True)
class ClassVerdict:
    r"""Three-way class verdict of one state and the intervals it is read from.

    ``witness``: :math:`W = \|r\|_1 - 1` (union bound over the 8 octahedron facets,
    :math:`z_{1-\alpha/8}`); ``t_margin``: :math:`\|r\|_1 - 3/\sqrt7` and ``h_margin``:
    :math:`\max_{i<j}(|r_i| + |r_j|) - 1`, both with :math:`z_{1-\alpha/K}`, K = ``n_pieces``
    (20: the 8 T facets and the 12 H facets), so that the false-"distillable" rate is <= 1 - level
    at every non-distillable state. ``protocols``: the protocols whose margin's lower bound is > 0.
    See :func:`qc_reset.stats.verdict.class_verdict`.
    """

    verdict: str
    witness: Estimate
    t_margin: Estimate
    h_margin: Estimate
    level: float = DEFAULT_LEVEL
    n_pieces: int = 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", confidence_level(self.level))
        expected = str(classify_class(self.witness.ci, self.t_margin.ci, self.h_margin.ci))
        if self.verdict != expected:
            raise InputError(f"class verdict {quote(self.verdict)} contradicts its intervals (expected {expected!r})")
        if not isinstance(self.n_pieces, int) or self.n_pieces < 1:
            raise InputError(f"n_pieces must be a whole number >= 1; got {quote(self.n_pieces)}")

    @property
    def protocols(self) -> list[str]:
        """Protocols ("T", "H") whose margin's lower bound is > 0."""
        return [p for p, m in (("T", self.t_margin), ("H", self.h_margin)) if m.ci[0] > 0]

    def to_dict(self) -> dict[str, Any]:
        """``{"verdict", "protocols", "witness", "t_margin", "h_margin", "level", "n_pieces"}``."""
        return {"verdict": self.verdict, "protocols": self.protocols, "witness": self.witness.to_dict(),
                "t_margin": self.t_margin.to_dict(), "h_margin": self.h_margin.to_dict(), "level": self.level,
                "n_pieces": self.n_pieces}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassVerdict:
        """Inverse of :meth:`to_dict` (the verdict is re-checked; ``protocols`` is recomputed)."""
        return cls(
            verdict=_field(data, "verdict", "magic_class"),
            witness=Estimate.from_dict(_field(data, "witness", "magic_class")),
            t_margin=Estimate.from_dict(_field(data, "t_margin", "magic_class")),
            h_margin=Estimate.from_dict(_field(data, "h_margin", "magic_class")),
            level=float(_field(data, "level", "magic_class")),
            n_pieces=_field(data, "n_pieces", "magic_class"),
        )


@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare to_dict() instead
class TomographyResult:
    """Tomography of qubit 1: Bloch vector, standard errors, C_l1, the magic witness and the class verdict.

    ``to_dict()`` has the public keys of docs/cli.md: ``bloch``, ``stderr``,
    ``l1_coherence`` {value, ci}, ``magic_witness`` {value, ci, verdict}, ``magic_class``
    (:class:`ClassVerdict` as a dict, or ``None``; records written before it existed load with
    ``None``) (plus extras:
    ``level``, ``estimator`` and ``covariance``, the 3x3 covariance of ``bloch``; diagonal for
    counts, where the bases are independent; full for readout-mitigated estimates).

    Example:
        >>> from qc_reset.stats import analyze, sample_counts
        >>> res = analyze(sample_counts([0.5, 0.1, 0.8], 4000, seed=0), seed=0)
        >>> sorted(res.to_dict()["magic_witness"])[:3]
        ['ci', 'level', 'method']
    """

    bloch: FloatArray
    stderr: FloatArray
    l1_coherence: Estimate
    magic_witness: MagicVerdict
    level: float = DEFAULT_LEVEL
    estimator: str = "linear_inversion"
    covariance: FloatArray | None = None
    magic_class: ClassVerdict | None = None

    def __post_init__(self) -> None:
        if self.covariance is not None:
            cov = covariance(self.covariance)
            if cov.shape != (3, 3):
                raise InputError(f"covariance must have shape (3, 3); got {cov.shape}")
            cov.setflags(write=False)
            object.__setattr__(self, "covariance", cov)
        for name in ("bloch", "stderr"):
            arr = np.array(getattr(self, name), dtype=float)
            if arr.shape != (3,) or not np.all(np.isfinite(arr)):
                raise InputError(f"{name} must be 3 finite numbers; got {quote(arr)}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if np.any(self.stderr < 0):
            raise InputError("stderr must be >= 0")
        object.__setattr__(self, "level", confidence_level(self.level))
        if self.magic_witness.level != self.level:
            raise InputError(f"level {self.level} differs from magic_witness.level {self.magic_witness.level}")
        if self.magic_class is not None and self.magic_class.level != self.level:
            raise InputError(f"level {self.level} differs from magic_class.level {self.magic_class.level}")
        get_estimator(self.estimator)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists and floats)."""
        return {
            "bloch": self.bloch.tolist(),
            "stderr": self.stderr.tolist(),
            "l1_coherence": self.l1_coherence.to_dict(),
            "magic_witness": self.magic_witness.to_dict(),
            "level": self.level,
            "estimator": self.estimator,
            "covariance": None if self.covariance is None else self.covariance.tolist(),
            "magic_class": None if self.magic_class is None else self.magic_class.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TomographyResult:
        """Inverse of :meth:`to_dict` (the verdict is re-checked against its interval)."""
        lc = _field(data, "l1_coherence", "tomography")
        mw = _field(data, "magic_witness", "tomography")
        fallback: Any = mw.get("level", DEFAULT_LEVEL) if isinstance(mw, dict) else DEFAULT_LEVEL
        level = float(data.get("level", fallback))
        cov = data.get("covariance")
        mc = data.get("magic_class")
        return cls(
            bloch=np.asarray(_field(data, "bloch", "tomography"), dtype=float),
            stderr=np.asarray(_field(data, "stderr", "tomography"), dtype=float),
            l1_coherence=Estimate.from_dict(lc),
            magic_witness=MagicVerdict.from_dict(mw, level),
            level=level,
            estimator=data.get("estimator", "linear_inversion"),
            covariance=None if cov is None else np.asarray(cov, dtype=float),
            magic_class=None if mc is None else ClassVerdict.from_dict(mc),
        )
