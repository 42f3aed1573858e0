r"""Noise specifications for hardware emulation: the spec language, Aer noise models and transpiling to them.

A noise *spec* is a short string (CLI ``--noise``, sweep axis ``noise``) parsed by :func:`parse_noise`
into a frozen :class:`NoiseSpec`:

* ``none``: the ideal circuit.
* Parametric, comma-separated ``KEY=VALUE`` (every key optional, at least one)::

      depol=1e-3,depol2=1e-2,t1=50us,t2=70us,gate_time=50ns,gate_time2=300ns,readout=0.02

  - ``depol``: depolarizing parameter :math:`\lambda` of every physical one-qubit gate (``sx``, ``x``),
    :math:`\rho\mapsto(1-\lambda)\rho + \lambda I/2` (Qiskit's ``depolarizing_error``), in [0, 1].
  - ``depol2``: the same for the two-qubit ``cx`` (:math:`I/4`); default: equal to ``depol`` (and it then
    follows ``depol`` when :func:`qc_reset.run.threshold.max_gate_error` scans it).
  - ``t1``, ``t2``: the device's relaxation and dephasing times (thermal relaxation to :math:`|0\rangle`
    during each gate); ``t2`` defaults to ``t1`` and must satisfy :math:`T_2 \le 2T_1`.
  - ``gate_time``, ``gate_time2``: durations of one- and two-qubit gates (defaults 50 ns and 300 ns).
  - ``readout``: symmetric assignment error :math:`P(1|0) = P(0|1)`, or ``E01:E10`` for
    :math:`P(1|0)`, :math:`P(0|1)`; each in [0, 0.5).

  **Units.** Device times are physical: a number without unit is in **nanoseconds**; the suffixes
  ``ns``, ``us``, ``ms`` are accepted. They are unrelated to the model's time unit :math:`1/\omega`
  (a Trotter step of model time ``dt`` is a fixed set of gates whose duration is set by the device).
  The circuits are transpiled to the basis ``rz, sx, x, cx, reset, measure``; ``rz`` is virtual
  (error-free), there is no idle noise (only gate-attached errors, as in Aer's device models without
  scheduling) and ``reset`` is ideal.
* ``fake:<Backend>[,layout=a-b-c-d][,idle=off]``: ``NoiseModel.from_backend`` of a fake IBM device of
  ``qiskit_ibm_runtime.fake_provider`` (e.g. ``fake:FakeManilaV2``); circuits are transpiled to its
  basis gates and coupling map, with the optional initial layout (physical qubits of Qiskit qubits
  0-3: paper qubit 2, paper qubit 1, two ancillas). ``idle=on``: circuits are scheduled ALAP with delays and
  idle qubits relax (:mod:`qc_reset.run.device_noise`); ``idle=off`` or unset: gate and readout noise only
  (as ``backend=`` tomography runs), but :func:`qc_reset.run.summary.simulate_summary` turns unset to on.

The fake devices are listed by :mod:`qc_reset.run.backends`; readout calibration is
:mod:`qc_reset.run.calibration`, its mitigation math :mod:`qc_reset.stats.mitigation`, and the
gate-error threshold search :mod:`qc_reset.run.threshold`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .._checks import InputError, integer, quote, real_scalar
from .backends import DEVICE_OPTIMIZATION_LEVEL, check_fake_name, fake_backend, require_instructions
from .device_noise import device_pass_manager

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel, QuantumError

__all__ = [
    "NOISE_KINDS",
    "PARAMETRIC_KEYS",
    "BASIS_GATES",
    "DEFAULT_GATE_TIME",
    "DEFAULT_GATE_TIME2",
    "NoiseSpec",
    "parse_noise",
    "noise_model",
    "simulator",
    "transpile_for",
    "check_device",
]

NOISE_KINDS: tuple[str, ...] = ("none", "parametric", "fake")
#: Keys of the parametric spec, in canonical order.
PARAMETRIC_KEYS: tuple[str, ...] = ("depol", "depol2", "t1", "t2", "gate_time", "gate_time2", "readout")
#: Basis of the parametric model (``rz`` is virtual and error-free).
BASIS_GATES: tuple[str, ...] = ("rz", "sx", "x", "cx", "reset", "measure")
#: Default durations (ns) of one- and two-qubit gates of a parametric spec.
DEFAULT_GATE_TIME: float = 50.0
DEFAULT_GATE_TIME2: float = 300.0
_UNITS = {"": 1.0, "ns": 1.0, "us": 1e3, "ms": 1e6}
_TIME = re.compile(r"^\s*([0-9.eE+-]+)\s*(ns|us|ms)?\s*$")
_SYNTAX = ("noise must be 'none', a parametric spec KEY=VALUE,... with keys " + ", ".join(PARAMETRIC_KEYS)
           + " (e.g. 'depol=1e-3,t1=50us,t2=70us,readout=0.02'), or 'fake:<Backend>[,layout=a-b-c-d]'")
_Circuits = TypeVar("_Circuits", "QuantumCircuit", "list[QuantumCircuit]")


@dataclasses.dataclass(frozen=True)
class NoiseSpec:
    """A validated noise specification; ``str(spec)`` is its canonical spec string.

    Times are in nanoseconds. ``depol2=None`` means "equal to ``depol``".

    Example:
        >>> str(parse_noise("t1=50us,depol=1e-3"))
        'depol=0.001,t1=50000,t2=50000'
    """

    kind: str = "none"
    depol: float = 0.0
    depol2: float | None = None
    t1: float | None = None
    t2: float | None = None
    gate_time: float = DEFAULT_GATE_TIME
    gate_time2: float = DEFAULT_GATE_TIME2
    readout: tuple[float, float] = (0.0, 0.0)
    backend: str | None = None
    layout: tuple[int, ...] | None = None
    idle: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in NOISE_KINDS:
            raise InputError(f"noise kind must be one of {', '.join(NOISE_KINDS)}; got {quote(self.kind)}")
        for name in ("depol", "depol2", "t1", "t2", "gate_time", "gate_time2"):
            v = getattr(self, name)
            if v is None and name in ("depol2", "t1", "t2"):
                continue
            object.__setattr__(self, name, real_scalar(f"noise {name}", v))
        if not isinstance(self.readout, tuple | list) or len(self.readout) != 2:
            raise InputError("noise readout must be a pair (E01, E10) of errors in [0, 0.5); "
                             f"got {quote(self.readout)}")
        object.__setattr__(self, "readout", tuple(real_scalar("noise readout", e) for e in self.readout))
        if self.backend is not None and not isinstance(self.backend, str):
            raise InputError(f"noise backend must be a fake backend name (str) or None; got {quote(self.backend)}")
        if self.layout is not None and (
            not isinstance(self.layout, tuple | list)
            or not all(isinstance(q, int | np.integer) and not isinstance(q, bool) for q in self.layout)
        ):
            raise InputError("noise layout must be 4 distinct physical qubits a-b-c-d (integers); "
                             f"got {quote(self.layout)}")
        for name in ("depol", "depol2"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and 0.0 <= v <= 1.0):
                raise InputError(f"noise {name} must be in [0, 1]; got {quote(v)}")
        if self.t2 is not None and self.t1 is None:
            raise InputError("noise t2 needs t1 (device relaxation time)")
        for name in ("t1", "t2"):
            v = getattr(self, name)
            if v is not None and not (v > 0 and math.isfinite(v)):
                raise InputError(f"noise {name} must be a finite time > 0 (ns); got {quote(v)}")
        if self.t1 is not None:
            t2 = self.t1 if self.t2 is None else self.t2
            if t2 > 2.0 * self.t1 * (1 + 1e-12):
                raise InputError(f"noise t2 must satisfy t2 <= 2*t1 (physical dephasing); got t1={self.t1:g}, "
                                 f"t2={t2:g} ns")
            object.__setattr__(self, "t2", float(t2))
        for name in ("gate_time", "gate_time2"):
            v = getattr(self, name)
            if not (v >= 0 and math.isfinite(v)):
                raise InputError(f"noise {name} must be a finite time >= 0 (ns); got {quote(v)}")
        if len(self.readout) != 2 or not all(0.0 <= e < 0.5 for e in self.readout):
            raise InputError(f"noise readout errors must be in [0, 0.5); got {quote(self.readout)}")
        object.__setattr__(self, "readout", (float(self.readout[0]), float(self.readout[1])))
        if self.kind == "fake" and self.backend is None:
            raise InputError("noise kind 'fake' needs a backend name")
        if self.idle is not None and (not isinstance(self.idle, bool) or self.kind != "fake"):
            raise InputError(f"noise idle must be None, or a bool for a fake device; got {quote(self.idle)}")
        if self.layout is not None:
            if len(self.layout) != 4 or len(set(self.layout)) != 4 or min(self.layout) < 0:
                raise InputError(f"noise layout must be 4 distinct physical qubits a-b-c-d; got {quote(self.layout)}")
            object.__setattr__(self, "layout", tuple(int(q) for q in self.layout))

    @property
    def is_ideal(self) -> bool:
        """True for ``none`` (and for a parametric spec whose every error is zero)."""
        return self.kind == "none" or (
            self.kind == "parametric" and self.depol == 0 and not self.depol2 and self.t1 is None
            and self.readout == (0.0, 0.0)
        )

    @property
    def two_qubit_depol(self) -> float:
        """The effective ``cx`` depolarizing parameter (``depol2`` or ``depol``)."""
        return self.depol if self.depol2 is None else self.depol2

    def with_depol(self, p: float) -> NoiseSpec:
        """A copy with ``depol = p`` (``depol2`` follows unless set explicitly); ``none`` becomes parametric."""
        if self.kind == "fake":
            raise InputError("with_depol needs a parametric or 'none' noise spec; got a fake backend")
        base = self if self.kind == "parametric" else NoiseSpec(kind="parametric")
        return dataclasses.replace(base, depol=float(p))

    def __str__(self) -> str:
        if self.kind == "none":
            return "none"
        if self.kind == "fake":
            lay = "" if self.layout is None else ",layout=" + "-".join(map(str, self.layout))
            return f"fake:{self.backend}{lay}" + ("" if self.idle is None else f",idle={'on' if self.idle else 'off'}")
        parts = []
        if self.depol:
            parts.append(f"depol={_fmt(self.depol)}")
        if self.depol2 is not None:
            parts.append(f"depol2={_fmt(self.depol2)}")
        if self.t1 is not None:
            parts += [f"t1={_fmt(self.t1)}", f"t2={_fmt(self.t2)}"]
        if self.gate_time != DEFAULT_GATE_TIME:
            parts.append(f"gate_time={_fmt(self.gate_time)}")
        if self.gate_time2 != DEFAULT_GATE_TIME2:
            parts.append(f"gate_time2={_fmt(self.gate_time2)}")
        if self.readout != (0.0, 0.0):
            e01, e10 = self.readout
            parts.append(f"readout={_fmt(e01)}" if e01 == e10 else f"readout={_fmt(e01)}:{_fmt(e10)}")
        return ",".join(parts) or "depol=0"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields plus the canonical ``spec`` string."""
        d = dataclasses.asdict(self)
        d["readout"] = list(self.readout)
        d["layout"] = None if self.layout is None else list(self.layout)
        return {"spec": str(self), **d}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NoiseSpec:
        """Inverse of :meth:`to_dict`; a dict with only ``spec`` is parsed (:func:`parse_noise`).

        With both fields and ``spec``, the fields must give back that canonical spec string.
        """
        if not isinstance(data, dict):
            raise InputError(f"noise spec record must be a dict; got {quote(data)}")
        fields = {k: v for k, v in data.items() if k != "spec"}
        unknown = sorted(set(fields) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise InputError(f"noise spec record has unknown keys {quote(unknown)}")
        if not fields:
            if "spec" not in data:
                raise InputError("noise spec record needs 'spec' or the fields of NoiseSpec")
            return parse_noise(data["spec"])
        for key in ("readout", "layout"):
            if isinstance(fields.get(key), list):
                fields[key] = tuple(fields[key])
        spec = cls(**fields)
        if "spec" in data and data["spec"] != str(spec):
            raise InputError(f"noise spec record: spec {quote(data['spec'])} differs from its fields "
                             f"({quote(str(spec))})")
        return spec


def _fmt(x: float | None) -> str:
    """Shortest of ``%g`` and ``repr`` that parses back to the same float (canonical strings round-trip)."""
    assert x is not None
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


def _spec_number(key: str, text: str, *, time: bool = False) -> float:
    """The number of one ``KEY=VALUE`` field (a time in ns, with an optional unit, when ``time``)."""
    m = _TIME.match(text) if time else None
    try:
        value = float(m.group(1)) * _UNITS[m.group(2) or ""] if m else float(text)
    except ValueError:
        m = None
        value = math.nan
    if not math.isfinite(value):
        unit = " (ns; or with unit ns, us, ms)" if time else ""
        raise InputError(f"noise {key} must be a number{unit}; got {quote(text, 40)}")
    return value


def _parse_fake(rest: str) -> NoiseSpec:
    """``<Backend>[,layout=a-b-c-d][,idle=on|off]``, the part of a spec after ``fake:``."""
    name, *opts = (s.strip() for s in rest.split(","))
    check_fake_name(name)
    fields: dict[str, Any] = {}
    for opt in opts:
        key, _, val = (s.strip() for s in opt.partition("="))
        if key not in ("layout", "idle") or not val or key in fields:
            raise InputError(f"fake backend options are layout=a-b-c-d and idle=on|off, once each; got {quote(opt)}")
        if key == "idle":
            if val not in ("on", "off"):
                raise InputError(f"noise idle must be on or off; got {quote(val)}")
            fields["idle"] = val == "on"
            continue
        try:
            fields["layout"] = tuple(int(q) for q in val.split("-"))
        except ValueError:
            raise InputError(f"noise layout must be 4 distinct physical qubits a-b-c-d; got {quote(val)}") from None
    return NoiseSpec(kind="fake", backend=name, **fields)


def parse_noise(spec: str | NoiseSpec) -> NoiseSpec:
    """Parse a noise spec string (see the module docstring); ``ValueError`` lists the valid choices.

    Example:
        >>> parse_noise("depol=1e-3,readout=0.01:0.03").readout
        (0.01, 0.03)
    """
    if isinstance(spec, NoiseSpec):
        return spec
    if not isinstance(spec, str):
        raise InputError(f"{_SYNTAX}; got {quote(spec)}")
    text = spec.strip()
    if text.lower() in ("none", "ideal", ""):
        return NoiseSpec()
    if text.startswith("fake:"):
        return _parse_fake(text[5:].strip())
    if "=" not in text:
        raise InputError(f"{_SYNTAX}; got {quote(spec)}")
    fields: dict[str, Any] = {}
    for item in text.split(","):
        key, sep, val = (s.strip() for s in item.partition("="))
        if not sep or key not in PARAMETRIC_KEYS:
            raise InputError(f"unknown noise key {quote(key, 40)} in {quote(spec)}; valid keys: "
                             f"{', '.join(PARAMETRIC_KEYS)}")
        if key in fields:
            raise InputError(f"noise key {key!r} given twice in {quote(spec)}")
        if key == "readout":
            errs = [_spec_number(key, v) for v in val.split(":")]
            if len(errs) not in (1, 2):
                raise InputError(f"noise readout must be E or E01:E10; got {quote(val, 40)}")
            fields[key] = (errs[0], errs[-1])
        else:
            fields[key] = _spec_number(key, val, time=key.startswith(("t", "gate")))
    return NoiseSpec(kind="parametric", **fields)


def noise_model(spec: str | NoiseSpec) -> NoiseModel | None:
    """Aer ``NoiseModel`` of a spec, or ``None`` for ``none``."""
    # lazy: Aer loads only when a noisy circuit is run
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error, thermal_relaxation_error

    s = parse_noise(spec)
    if s.kind == "none":
        return None
    if s.kind == "fake":
        return NoiseModel.from_backend(fake_backend(str(s.backend)))
    model = NoiseModel(basis_gates=list(BASIS_GATES))
    err1: QuantumError | None = depolarizing_error(s.depol, 1) if s.depol > 0 else None
    err2: QuantumError | None = depolarizing_error(s.two_qubit_depol, 2) if s.two_qubit_depol > 0 else None
    if s.t1 is not None:
        assert s.t2 is not None
        th1 = thermal_relaxation_error(s.t1, s.t2, s.gate_time)
        th2 = thermal_relaxation_error(s.t1, s.t2, s.gate_time2)
        err1 = th1 if err1 is None else err1.compose(th1)
        err2 = th2.expand(th2) if err2 is None else err2.compose(th2.expand(th2))
    if err1 is not None:
        model.add_all_qubit_quantum_error(err1, ["sx", "x"])
    if err2 is not None:
        model.add_all_qubit_quantum_error(err2, ["cx"])
    if s.readout != (0.0, 0.0):
        e01, e10 = s.readout
        model.add_all_qubit_readout_error(ReadoutError([[1 - e01, e01], [e10, 1 - e10]]))
    return model


@functools.lru_cache(maxsize=32)
def simulator(spec: NoiseSpec) -> AerSimulator:
    """``AerSimulator(method="density_matrix", noise_model=noise_model(spec))`` (cached per spec)."""
    from qiskit_aer import AerSimulator  # lazy: Aer loads only when a circuit is run

    return AerSimulator(method="density_matrix", noise_model=noise_model(spec))


def transpile_for(
    circuits: _Circuits, spec: NoiseSpec, *, seed: int = 0, extra: Sequence[str] = (),
    optimization_level: int | None = None,
) -> _Circuits:
    """Transpile to the spec's hardware: ``BASIS_GATES`` (parametric) or the fake device with its layout.

    ``none`` returns the circuits unchanged. ``seed`` fixes the transpiler's randomized passes;
    ``optimization_level`` (0-3) is the preset pass manager's level (default 1 parametric, 3 on a device).
    On a fake device with ``spec.idle`` True the circuits are also scheduled ALAP with delays and get the
    measurement and reset noise passes (:func:`qc_reset.run.device_noise.device_pass_manager`).
    For a fake device, its ``target`` must hold every non-gate instruction of the circuits (``reset``,
    ``measure``), a two-qubit gate, and the native instructions ``extra`` that the caller appends
    after transpiling; otherwise ``InputError`` names what is missing (:func:`require_instructions`).
    """
    # lazy: the transpiler loads only when circuits are transpiled
    from qiskit import transpile
    from qiskit.circuit import Gate

    spec = parse_noise(spec)
    seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    default = DEVICE_OPTIMIZATION_LEVEL if spec.kind == "fake" else 1
    level = integer("optimization_level", default if optimization_level is None else optimization_level, lo=0, hi=3)
    if spec.kind == "none":
        return circuits
    if spec.kind == "parametric":
        return transpile(circuits, basis_gates=list(BASIS_GATES), optimization_level=level, seed_transpiler=seed)
    backend = fake_backend(str(spec.backend))
    if spec.layout is not None and max(spec.layout) >= backend.num_qubits:
        raise InputError(f"noise layout {spec.layout} exceeds the {backend.num_qubits} qubits of {spec.backend}")
    qcs = circuits if isinstance(circuits, list | tuple) else [circuits]
    needed = ({"two-qubit gate"} if qcs else set()) | set(extra)
    for qc in qcs:
        needed |= {op.name for op in (inst.operation for inst in qc.data)
                   if not isinstance(op, Gate)} - {"barrier"}
    require_instructions(backend, needed, f"the circuits on fake:{spec.backend}")
    return device_pass_manager(backend, optimization_level=level, seed=seed, initial_layout=spec.layout,
                               idle_noise=bool(spec.idle)).run(circuits)


def check_device(spec: str | NoiseSpec, needed: Sequence[str]) -> None:
    """For a ``fake:`` spec, :func:`require_instructions` of the device; nothing for other specs.

    Called before a circuit is built, so that a device that cannot run it fails at once.
    """
    s = parse_noise(spec)
    if s.kind == "fake":
        require_instructions(fake_backend(str(s.backend)), set(needed), f"the circuits on fake:{s.backend}")
