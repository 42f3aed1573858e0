"""The sweep record: :class:`SweepConfig` (grid axes, ties, outputs, run options) and point seeds.

A config is a frozen, validated value (:func:`qc_reset.workflows.sweep.parse.parse_config` builds
one from TOML); it maps a point index to its grid values, derives each point's random seed, checks
a stored record against the sweep it claims to belong to, and serializes to a plain dict and back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..._checks import InputError, quote
from ...io import json_safe

__all__ = [
    "read_toml",
    "SweepConfig",
    "point_seed",
    "AXES",
    "MODEL_AXES",
    "MAX_POINTS",
    "MAX_CONFIG_BYTES",
    "RECORD_SCHEMA",
]

#: Grid axes, in the order of the Cartesian product (last varies fastest).
AXES: tuple[str, ...] = ("g", "p1", "p2", "T1", "T2", "dt", "shots", "noise")
#: The model parameters: required axes, and the only ones that may be tied to each other.
MODEL_AXES: tuple[str, ...] = ("g", "p1", "p2", "T1", "T2")
#: Largest grid (points). Records are returned (and written to the CSV) all at once, ~1-2 kB
#: each in memory, so this keeps a sweep within a few GB; split larger studies into sweeps.
MAX_POINTS = 10**6
#: Largest config file read (bytes); a sweep config is a few hundred bytes.
MAX_CONFIG_BYTES = 1 << 20
#: Version of the record layout; part of the fingerprint, so older stores are not resumed.
RECORD_SCHEMA = 2


def point_seed(seed: int, index: int) -> int:
    """The random seed of point ``index``: independent of execution order and of resumption."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint32)[0])


@dataclasses.dataclass(frozen=True)
class SweepConfig:
    """A validated sweep: axis values, output kinds and run options.

    Example:
        >>> cfg = SweepConfig(axes={"g": [0.1, 0.2], "p1": [0.3], "T1": [0.1], "T2": [0.0], "dt": [0.1],
        ...                         "shots": [0], "noise": ["none"]}, ties={"p2": "p1"},
        ...                   outputs=("exact",), seed=1, chunk=256, options={})
        >>> len(cfg), cfg.point(1)["g"], SweepConfig.from_dict(cfg.to_dict()) == cfg
        (2, 0.2, True)
    """

    axes: dict[str, list[Any]]
    ties: dict[str, str]
    outputs: tuple[str, ...]
    seed: int
    chunk: int
    options: dict[str, Any]

    @property
    def axis_order(self) -> tuple[str, ...]:
        """The keys of a grid point, in order (the model axes; other sweep kinds override it)."""
        return AXES

    @property
    def free_axes(self) -> tuple[str, ...]:
        """The axes that are not tied, in product order."""
        return tuple(a for a in self.axis_order if a not in self.ties)

    def point(self, index: int) -> dict[str, Any]:
        """Grid point ``index`` (mixed radix over the free axes, the last varying fastest)."""
        if not 0 <= index < len(self):
            raise InputError(f"point index must be in [0, {len(self)}); got {quote(index)}")
        point: dict[str, Any] = {}
        rest = index
        for a in reversed(self.free_axes):
            rest, k = divmod(rest, len(self.axes[a]))
            point[a] = self.axes[a][k]
        for a, src in self.ties.items():
            point[a] = point[src]
        return {a: point[a] for a in self.axis_order}

    def points(self) -> Iterator[dict[str, Any]]:
        """All grid points, in index order."""
        return (self.point(i) for i in range(len(self)))

    def __len__(self) -> int:
        return math.prod(len(self.axes[a]) for a in self.free_axes)

    def fingerprint(self) -> str:
        """Hash of everything that determines the records (to refuse resuming a different sweep)."""
        blob = json.dumps(
            {"schema": RECORD_SCHEMA, "axes": self.axes, "ties": self.ties, "outputs": list(self.outputs),
             "seed": self.seed, "chunk": self.chunk, "options": self.options},
            sort_keys=True, default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def record_check(self) -> Callable[[Any], str | None]:
        """A validator of one stored record against this sweep (returns why it is rejected, or None)."""
        n = len(self)

        def check(obj: Any) -> str | None:
            if not isinstance(obj, dict):
                return "not a JSON object"
            index = obj.get("index")
            if isinstance(index, bool) or not isinstance(index, int):
                return "no integer 'index'"
            if not 0 <= index < n:
                return f"index {index} outside [0, {n})"
            point = json_safe(self.point(index))
            if any(obj.get(a) != v for a, v in point.items()):
                return f"grid values differ from point {index} of this sweep"
            if obj.get("seed") != point_seed(self.seed, index):
                return f"seed differs from point {index}'s"
            missing = [k for k in self.outputs if not isinstance(obj.get(k), dict)]
            if missing:
                return f"missing output(s) {', '.join(missing)}"
            return None

        return check

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): ``axes``, ``ties``, ``outputs``, ``seed``, ``chunk``, ``options``."""
        return {"axes": {a: list(v) for a, v in self.axes.items()}, "ties": dict(self.ties),
                "outputs": list(self.outputs), "seed": self.seed, "chunk": self.chunk,
                "options": dict(self.options)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepConfig:
        """Inverse of :meth:`to_dict` (the values are taken as given; parse TOML with ``parse_config``)."""
        if not isinstance(data, dict):
            raise InputError(f"a sweep config record must be a dict; got {quote(data)}")
        keys = {"axes", "ties", "outputs", "seed", "chunk", "options"}
        if set(data) != keys:
            raise InputError(f"a sweep config record has the keys {', '.join(sorted(keys))}; "
                             f"got {quote(sorted(data))}")
        return cls(axes={a: list(v) for a, v in data["axes"].items()}, ties=dict(data["ties"]),
                   outputs=tuple(data["outputs"]), seed=int(data["seed"]), chunk=int(data["chunk"]),
                   options=dict(data["options"]))


def read_toml(path: str | Path, what: str = "config") -> dict[str, Any]:
    """A TOML file as a dict: UTF-8, at most :data:`MAX_CONFIG_BYTES`; every failure an InputError naming the file."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} file not found: {p}")
    with p.open("rb") as fh:
        raw = fh.read(MAX_CONFIG_BYTES + 1)
    if len(raw) > MAX_CONFIG_BYTES:
        raise InputError(f"{p}: a {what} must be at most {MAX_CONFIG_BYTES} bytes")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: invalid TOML: {str(exc)[:200]}") from None
    except RecursionError:
        raise InputError(f"{p}: TOML nested too deeply") from None
