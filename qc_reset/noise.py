r"""Noise specifications for hardware emulation: parsing, Aer noise models, readout mitigation, thresholds.

A noise *spec* is a short string (CLI ``--noise``, sweep axis ``noise``) parsed by :func:`parse_noise`
into a frozen :class:`NoiseSpec`:

* ``none``: the ideal circuit.
* Parametric, comma-separated ``KEY=VALUE`` (every key optional, at least one)::

      depol=1e-3,depol2=1e-2,t1=50us,t2=70us,gate_time=50ns,gate_time2=300ns,readout=0.02

  - ``depol``: depolarizing parameter :math:`\lambda` of every physical one-qubit gate (``sx``, ``x``),
    :math:`\rho\mapsto(1-\lambda)\rho + \lambda I/2` (Qiskit's ``depolarizing_error``), in [0, 1].
  - ``depol2``: the same for the two-qubit ``cx`` (:math:`I/4`); default: equal to ``depol`` (and it then
    follows ``depol`` when :func:`max_gate_error` scans it).
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
* ``fake:<Backend>[,layout=a-b-c-d]``: ``NoiseModel.from_backend`` of a fake IBM device of
  ``qiskit_ibm_runtime.fake_provider`` (e.g. ``fake:FakeManilaV2``); circuits are transpiled to its
  basis gates and coupling map, with the optional initial layout (physical qubits of Qiskit qubits
  0-3: paper qubit 2, paper qubit 1, two ancillas).

Readout mitigation (:func:`calibrate_readout`, :func:`mitigate_estimate`) inverts the measured physical
qubit's 2x2 assignment matrix, the one-qubit case of qiskit-experiments' ``LocalReadoutError``, and returns
the mitigated Bloch estimate with its full covariance (the three bases share one calibration).
:func:`max_gate_error` bisects the depolarizing strength at which the magic verdict is lost.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import InputError, check_bytes, integer, quote
from .model import Params

__all__ = [
    "NOISE_KINDS",
    "PARAMETRIC_KEYS",
    "BASIS_GATES",
    "NoiseSpec",
    "parse_noise",
    "fake_backend_names",
    "fake_backend",
    "noise_model",
    "simulator",
    "transpile_for",
    "require_instructions",
    "check_device",
    "SHOT_MEMORY",
    "SHOT_MEMORY_LIMIT",
    "MAX_SHOTS",
    "check_shots",
    "measured_physical_qubit",
    "calibrate_readout",
    "mitigate_counts",
    "mitigate_estimate",
    "GateErrorThreshold",
    "max_gate_error",
]

NOISE_KINDS: tuple[str, ...] = ("none", "parametric", "fake")
#: Keys of the parametric spec, in canonical order.
PARAMETRIC_KEYS: tuple[str, ...] = ("depol", "depol2", "t1", "t2", "gate_time", "gate_time2", "readout")
#: Basis of the parametric model (``rz`` is virtual and error-free).
BASIS_GATES: tuple[str, ...] = ("rz", "sx", "x", "cx", "reset", "measure")
_UNITS = {"": 1.0, "ns": 1.0, "us": 1e3, "ms": 1e6}
_TIME = re.compile(r"^\s*([0-9.eE+-]+)\s*(ns|us|ms)?\s*$")
#: Aer keeps every shot's outcome before it counts them: measured ~120 bytes per shot (10^7 shots of one
#: density-matrix circuit peak at 1.15 GB, 30 million at 3.4 GB; Aer 0.18), rounded up.
SHOT_MEMORY: int = 128
#: Memory budget of the shots of one circuit.
SHOT_MEMORY_LIMIT: int = 4 * 2**30
#: Largest number of shots of one circuit: ``SHOT_MEMORY_LIMIT // SHOT_MEMORY`` = 2**25 (about 3.4e7,
#: ~40 s of sampling per circuit); more shots are better taken as several seeded runs whose counts add.
MAX_SHOTS: int = SHOT_MEMORY_LIMIT // SHOT_MEMORY
#: Bisections of ``log p`` to ``rtol`` need ``log2(log(p_hi/p_lo)/log(1+rtol))`` runs: < 60 even for
#: ``[1e-300, 1]`` at ``rtol = 1e-15``; more evaluations than this are a mistake, not a finer answer.
_MAX_EVALUATIONS = 200
#: Qiskit allocates every qubit below the highest index of a circuit.
_MAX_QUBIT = 1023
_SYNTAX = ("noise must be 'none', a parametric spec KEY=VALUE,... with keys " + ", ".join(PARAMETRIC_KEYS)
           + " (e.g. 'depol=1e-3,t1=50us,t2=70us,readout=0.02'), or 'fake:<Backend>[,layout=a-b-c-d]'")


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
    gate_time: float = 50.0
    gate_time2: float = 300.0
    readout: tuple[float, float] = (0.0, 0.0)
    backend: str | None = None
    layout: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in NOISE_KINDS:
            raise InputError(f"noise kind must be one of {', '.join(NOISE_KINDS)}; got {self.kind!r}")
        for name in ("depol", "depol2", "t1", "t2", "gate_time", "gate_time2"):
            v = getattr(self, name)
            if v is None and name in ("depol2", "t1", "t2"):
                continue
            object.__setattr__(self, name, _real(f"noise {name}", v))
        if not isinstance(self.readout, tuple | list) or len(self.readout) != 2:
            raise InputError(f"noise readout must be a pair (E01, E10) of errors in [0, 0.5); got {self.readout!r}")
        object.__setattr__(self, "readout", tuple(_real("noise readout", e) for e in self.readout))
        if self.backend is not None and not isinstance(self.backend, str):
            raise InputError(f"noise backend must be a fake backend name (str) or None; got {self.backend!r}")
        if self.layout is not None and (
            not isinstance(self.layout, tuple | list)
            or not all(isinstance(q, int | np.integer) and not isinstance(q, bool) for q in self.layout)
        ):
            raise InputError(f"noise layout must be 4 distinct physical qubits a-b-c-d (integers); got {self.layout!r}")
        for name in ("depol", "depol2"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and 0.0 <= v <= 1.0):
                raise InputError(f"noise {name} must be in [0, 1]; got {v!r}")
        if self.t2 is not None and self.t1 is None:
            raise InputError("noise t2 needs t1 (device relaxation time)")
        for name in ("t1", "t2"):
            v = getattr(self, name)
            if v is not None and not (v > 0 and math.isfinite(v)):
                raise InputError(f"noise {name} must be a finite time > 0 (ns); got {v!r}")
        if self.t1 is not None:
            t2 = self.t1 if self.t2 is None else self.t2
            if t2 > 2.0 * self.t1 * (1 + 1e-12):
                raise InputError(f"noise t2 must satisfy t2 <= 2*t1 (physical dephasing); got t1={self.t1:g}, "
                                 f"t2={t2:g} ns")
            object.__setattr__(self, "t2", float(t2))
        for name in ("gate_time", "gate_time2"):
            v = getattr(self, name)
            if not (v >= 0 and math.isfinite(v)):
                raise InputError(f"noise {name} must be a finite time >= 0 (ns); got {v!r}")
        if len(self.readout) != 2 or not all(0.0 <= e < 0.5 for e in self.readout):
            raise InputError(f"noise readout errors must be in [0, 0.5); got {self.readout!r}")
        object.__setattr__(self, "readout", (float(self.readout[0]), float(self.readout[1])))
        if self.kind == "fake" and self.backend is None:
            raise InputError("noise kind 'fake' needs a backend name")
        if self.layout is not None:
            if len(self.layout) != 4 or len(set(self.layout)) != 4 or min(self.layout) < 0:
                raise InputError(f"noise layout must be 4 distinct physical qubits a-b-c-d; got {self.layout!r}")
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
            return f"fake:{self.backend}{lay}"
        parts = []
        if self.depol:
            parts.append(f"depol={_fmt(self.depol)}")
        if self.depol2 is not None:
            parts.append(f"depol2={_fmt(self.depol2)}")
        if self.t1 is not None:
            parts += [f"t1={_fmt(self.t1)}", f"t2={_fmt(self.t2)}"]
        if self.gate_time != 50.0:
            parts.append(f"gate_time={_fmt(self.gate_time)}")
        if self.gate_time2 != 300.0:
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


# ------------------------------------------------------------------------------------------- parsing
def _fmt(x: float | None) -> str:
    """Shortest of ``%g`` and ``repr`` that parses back to the same float (canonical strings round-trip)."""
    assert x is not None
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


def _real(name: str, value: Any) -> float:
    """A real number (int or float, numpy included; not bool or str) as float; ``ValueError`` naming it."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{name} must be a real number; got {value!r}")
    return float(value)


def _number(key: str, text: str, *, time: bool = False) -> float:
    m = _TIME.match(text) if time else None
    try:
        value = float(m.group(1)) * _UNITS[m.group(2) or ""] if m else float(text)
    except ValueError:
        m = None
        value = math.nan
    if not math.isfinite(value):
        unit = " (ns; or with unit ns, us, ms)" if time else ""
        raise InputError(f"noise {key} must be a number{unit}; got {text!r}")
    return value


def check_shots(shots: Any, name: str = "shots", *, allow_zero: bool = False) -> int:
    """Shots of one circuit: a whole number in ``[1, MAX_SHOTS]`` (``[0, ...]`` with ``allow_zero``).

    The upper limit is memory: Aer holds :data:`SHOT_MEMORY` bytes per shot before counting, so the
    message gives that estimate against :data:`SHOT_MEMORY_LIMIT`.
    """
    lo = 0 if allow_zero else 1
    if isinstance(shots, bool | np.bool_) or not isinstance(shots, int | np.integer):
        raise InputError(f"{name} must be an integer >= {lo} (at most {MAX_SHOTS}); got {quote(shots)}")
    n = int(shots)
    if n < lo:
        raise InputError(f"{name} must be an integer >= {lo} (at most {MAX_SHOTS}); got {n}")
    check_bytes(f"{name} = {n} per circuit", float(n) * SHOT_MEMORY, SHOT_MEMORY_LIMIT,
                f"Aer keeps about {SHOT_MEMORY} B per shot before counting; at most {MAX_SHOTS} {name} per "
                "circuit (add the counts of several seeded runs for more)")
    return n


def require_instructions(backend: Any, needed: Any, purpose: str) -> None:
    """Raise ``InputError`` unless ``backend.target`` has every instruction name in ``needed``.

    Checked before transpiling or submitting: a device without ``reset`` (FakeMelbourneV2, FakeBerlin,
    FakeMiami) would otherwise fail deep in the transpiler, and one without the native ``rz``/``sx`` the
    tomography appends would run those gates without their noise. ``"two-qubit gate"`` in ``needed``
    asks for any two-qubit gate (the transpiler translates the circuit's gates into the target's).
    """
    target = getattr(backend, "target", None)
    if target is None:
        raise InputError(f"backend {_backend_name(backend)} has no target (a BackendV2 is needed) for {purpose}")
    have = set(target.operation_names)
    missing = sorted(n for n in set(needed) - {"two-qubit gate", "barrier"} if n not in have)
    ops = [target.operation_from_name(n) for n in have]  # control flow is stored as a class: no num_qubits
    if "two-qubit gate" in needed and not any(getattr(op, "num_qubits", 0) == 2 for op in ops
                                              if not isinstance(op, type)):
        missing.append("a two-qubit gate")
    if missing:
        shown = ", ".join(repr(m) for m in missing)
        raise InputError(f"backend {_backend_name(backend)} does not support {shown}, needed by {purpose}; its "
                         f"instructions: {', '.join(sorted(have))[:200]}")


def check_device(spec: str | NoiseSpec, needed: Sequence[str]) -> None:
    """For a ``fake:`` spec, :func:`require_instructions` of the device; nothing for other specs.

    Called before a circuit is built, so that a device that cannot run it fails at once.
    """
    s = parse_noise(spec)
    if s.kind == "fake":
        require_instructions(fake_backend(str(s.backend)), set(needed), f"the circuits on fake:{s.backend}")


def _backend_name(backend: Any) -> str:
    name = getattr(backend, "name", None)
    return f"{type(backend).__name__}" + (f" ({name})" if isinstance(name, str) and name else "")


def fake_backend_names() -> list[str]:
    """Names of the fake IBM devices (``BackendV2``) in ``qiskit_ibm_runtime.fake_provider``."""
    return list(_fake_names())


@functools.cache
def _fake_names() -> tuple[str, ...]:
    from qiskit_ibm_runtime import fake_provider
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    return tuple(
        n for n in sorted(dir(fake_provider))
        if n.startswith("Fake") and isinstance(getattr(fake_provider, n), type)
        and issubclass(getattr(fake_provider, n), FakeBackendV2)
    )


def _parse_fake(rest: str) -> NoiseSpec:
    name, _, opts = rest.partition(",")
    names = _fake_names()
    if name not in names:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise InputError(f"unknown fake backend {name!r}; valid: {shown} ({len(names)} in "
                         "qiskit_ibm_runtime.fake_provider, e.g. fake:FakeManilaV2)")
    layout = None
    if opts:
        key, _, val = opts.partition("=")
        if key.strip() != "layout" or not val:
            raise InputError(f"fake backend option must be layout=a-b-c-d; got {opts!r}")
        try:
            layout = tuple(int(q) for q in val.split("-"))
        except ValueError:
            raise InputError(f"noise layout must be 4 distinct physical qubits a-b-c-d; got {val!r}") from None
    return NoiseSpec(kind="fake", backend=name, layout=layout)


def parse_noise(spec: str | NoiseSpec) -> NoiseSpec:
    """Parse a noise spec string (see the module docstring); ``ValueError`` lists the valid choices.

    Example:
        >>> parse_noise("depol=1e-3,readout=0.01:0.03").readout
        (0.01, 0.03)
    """
    if isinstance(spec, NoiseSpec):
        return spec
    if not isinstance(spec, str):
        raise InputError(f"{_SYNTAX}; got {spec!r}")
    text = spec.strip()
    if text.lower() in ("none", "ideal", ""):
        return NoiseSpec()
    if text.startswith("fake:"):
        return _parse_fake(text[5:].strip())
    if "=" not in text:
        raise InputError(f"{_SYNTAX}; got {spec!r}")
    fields: dict[str, Any] = {}
    for item in text.split(","):
        key, sep, val = (s.strip() for s in item.partition("="))
        if not sep or key not in PARAMETRIC_KEYS:
            raise InputError(f"unknown noise key {key!r} in {spec!r}; valid keys: {', '.join(PARAMETRIC_KEYS)}")
        if key in fields:
            raise InputError(f"noise key {key!r} given twice in {spec!r}")
        if key == "readout":
            errs = [_number(key, v) for v in val.split(":")]
            if len(errs) not in (1, 2):
                raise InputError(f"noise readout must be E or E01:E10; got {val!r}")
            fields[key] = (errs[0], errs[-1])
        else:
            fields[key] = _number(key, val, time=key.startswith(("t", "gate")))
    return NoiseSpec(kind="parametric", **fields)


# ------------------------------------------------------------------------------------ models, backends
@functools.cache
def fake_backend(name: str) -> Any:
    """An instance of ``qiskit_ibm_runtime.fake_provider.<name>`` (cached)."""
    from qiskit_ibm_runtime import fake_provider

    if name not in _fake_names():
        raise InputError(f"unknown fake backend {name!r}; valid: {', '.join(_fake_names()[:10])}, ...")
    backend = getattr(fake_provider, name)()
    if backend.num_qubits < 4:
        raise InputError(f"fake backend {name} has {backend.num_qubits} qubits; the dilated circuits need 4")
    return backend


def noise_model(spec: str | NoiseSpec) -> Any:
    """Aer ``NoiseModel`` of a spec, or ``None`` for ``none``."""
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error, thermal_relaxation_error

    s = parse_noise(spec)
    if s.kind == "none":
        return None
    if s.kind == "fake":
        return NoiseModel.from_backend(fake_backend(str(s.backend)))
    model = NoiseModel(basis_gates=list(BASIS_GATES))
    err1: Any = depolarizing_error(s.depol, 1) if s.depol > 0 else None
    err2: Any = depolarizing_error(s.two_qubit_depol, 2) if s.two_qubit_depol > 0 else None
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
def simulator(spec: NoiseSpec) -> Any:
    """``AerSimulator(method="density_matrix", noise_model=noise_model(spec))`` (cached per spec)."""
    from qiskit_aer import AerSimulator

    return AerSimulator(method="density_matrix", noise_model=noise_model(spec))


def transpile_for(circuits: Any, spec: NoiseSpec, *, seed: int = 0, extra: Sequence[str] = ()) -> Any:
    """Transpile to the spec's hardware: ``BASIS_GATES`` (parametric) or the fake device with its layout.

    ``none`` returns the circuits unchanged. ``seed`` fixes the transpiler's randomized passes.
    For a fake device, its ``target`` must hold every non-gate instruction of the circuits (``reset``,
    ``measure``), a two-qubit gate, and the native instructions ``extra`` that the caller appends
    after transpiling; otherwise ``InputError`` names what is missing (:func:`require_instructions`).
    """
    from qiskit import transpile
    from qiskit.circuit import Gate

    spec = parse_noise(spec)
    seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    if spec.kind == "none":
        return circuits
    if spec.kind == "parametric":
        return transpile(circuits, basis_gates=list(BASIS_GATES), optimization_level=1, seed_transpiler=seed)
    backend = fake_backend(str(spec.backend))
    if spec.layout is not None and max(spec.layout) >= backend.num_qubits:
        raise InputError(f"noise layout {spec.layout} exceeds the {backend.num_qubits} qubits of {spec.backend}")
    qcs = circuits if isinstance(circuits, list | tuple) else [circuits]
    needed = {"two-qubit gate"} if qcs else set()
    needed |= set(extra)
    for qc in qcs:
        needed |= {op.name for op in (inst.operation for inst in qc.data)
                   if not isinstance(op, Gate)} - {"barrier"}
    require_instructions(backend, needed, f"the circuits on fake:{spec.backend}")
    return transpile(circuits, backend=backend, initial_layout=list(spec.layout) if spec.layout else None,
                     optimization_level=1, seed_transpiler=seed)


def measured_physical_qubit(circuit: Any) -> int:
    """The (single) qubit index measured in a transpiled circuit."""
    qubits = {circuit.find_bit(q).index for inst in circuit.data if inst.operation.name == "measure"
              for q in inst.qubits}
    if len(qubits) != 1:
        raise InputError(f"expected one measured qubit; got {sorted(qubits)}")
    return qubits.pop()


# ------------------------------------------------------------------------------------ readout mitigation
def calibrate_readout(spec: str | NoiseSpec, qubit: int, *, shots: int, seed: int) -> npt.NDArray[np.float64]:
    r"""Assignment matrix :math:`A_{ij} = P(\text{read } i\,|\,\text{prepared } j)` of one physical qubit.

    Runs "prepare 0, measure" and "x, measure" on ``qubit`` with ``shots`` each under the spec's noise
    (the ``x`` gate's own error is included, as in qiskit-experiments' ``LocalReadoutError``).
    """
    from qiskit import QuantumCircuit

    spec = parse_noise(spec)
    shots = check_shots(shots)
    seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    if spec.kind == "fake":
        backend = fake_backend(str(spec.backend))
        qubit = integer("qubit", qubit, lo=0, hi=_MAX_QUBIT)
        if qubit >= backend.num_qubits:
            raise InputError(f"qubit must be a physical qubit of {spec.backend} (0..{backend.num_qubits - 1}); "
                             f"got {qubit}")
        require_instructions(backend, {"x", "measure"}, "the readout calibration")
        n = backend.num_qubits
    else:
        qubit = integer("qubit", qubit, lo=0, hi=_MAX_QUBIT)
        n = qubit + 1
    cals = []
    for bit in (0, 1):
        qc = QuantumCircuit(n, 1, name=f"readout_cal_{bit}")
        if bit:
            qc.x(qubit)
        qc.measure(qubit, 0)
        cals.append(qc)
    result = simulator(spec).run(cals, shots=shots, seed_simulator=seed).result()
    A = np.empty((2, 2))
    for j in (0, 1):
        counts = result.get_counts(j)
        A[0, j] = counts.get("0", 0) / shots
        A[1, j] = 1.0 - A[0, j]
    return A


def _assignment(A: npt.ArrayLike) -> npt.NDArray[np.float64]:
    a = np.asarray(A, dtype=float)
    if a.shape[-2:] != (2, 2) or not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > 1):
        raise InputError(f"assignment matrix A must have shape (..., 2, 2) with entries in [0, 1]; got {a.shape}")
    s = a[..., 0, 0] + a[..., 1, 1] - 1.0
    if not np.all(s > 0.05):
        raise InputError(f"readout assignment matrix is too close to singular (A00 + A11 - 1 = {np.min(s):.3g}; "
                         "need > 0.05)")
    return a


def mitigate_estimate(
    counts: npt.ArrayLike, A: npt.ArrayLike, cal_shots: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    r"""Readout-mitigated Bloch estimate (..., 3) and its full covariance (..., 3, 3).

    Per basis :math:`k`, :math:`\hat r_k = (r_{obs,k} - (a_0 - a_1)) / s` with :math:`a_0 = A_{00}`,
    :math:`a_1 = A_{11}`, :math:`s = a_0 + a_1 - 1` (the inverse of the assignment matrix; not clipped,
    like linear inversion). All three bases share the *same* estimated :math:`a_0, a_1` (``cal_shots``
    :math:`= M` shots per prepared state), so their errors are correlated. Delta method, with
    :math:`\partial\hat r_k/\partial a_0 = -(1 + \hat r_k)/s` and
    :math:`\partial\hat r_k/\partial a_1 = (1 - \hat r_k)/s`:

    .. math:: C_{jk} = \Big[\delta_{jk}\frac{1 - r_{obs,k}^2}{N_k}
              + (1 + \hat r_j)(1 + \hat r_k)\frac{a_0(1 - a_0)}{M}
              + (1 - \hat r_j)(1 - \hat r_k)\frac{a_1(1 - a_1)}{M}\Big] / s^2.

    Binomial variances are floored as in :func:`qc_reset.tomography.standard_errors` (half a
    pseudo-count in an unseen outcome), so an exact-looking calibration (:math:`a_0 = 1` from
    :math:`M` shots) still carries its :math:`O(1/M)` uncertainty. Feed the result to
    :func:`qc_reset.tomography.analyze_estimate`. Vectorized over leading axes of ``counts``
    (..., 3, 2) and ``A`` (..., 2, 2).
    """
    from .tomography import _counts

    c = _counts(counts)
    a = _assignment(A)
    m = check_shots(cal_shots, "cal_shots")
    a0, a1 = a[..., 0, 0, None], a[..., 1, 1, None]
    s = a0 + a1 - 1.0
    n = c.sum(axis=-1)
    r_obs = (c[..., 0] - c[..., 1]) / n
    r = (r_obs - (a0 - a1)) / s
    v_obs = np.maximum(1.0 - r_obs**2, np.minimum(1.0, 2.0 / n)) / n
    floor = min(0.25, 0.5 / m)
    v0 = np.maximum(a0 * (1 - a0), floor) / m
    v1 = np.maximum(a1 * (1 - a1), floor) / m
    up, dn = 1.0 + r, 1.0 - r
    cov = (up[..., :, None] * up[..., None, :] * v0[..., None] + dn[..., :, None] * dn[..., None, :] * v1[..., None])
    cov = cov + v_obs[..., :, None] * np.eye(3)
    cov = cov / (s[..., None] ** 2)
    return r, cov


def mitigate_counts(counts: npt.ArrayLike, A: npt.ArrayLike, cal_shots: int) -> npt.NDArray[np.int64]:
    r"""Per-basis readout-mitigated pseudo-counts (3, 2): for display only, **not** for the magic verdict.

    Encodes each basis's mitigated estimate and its *marginal* delta-method variance
    (:func:`mitigate_estimate`) as an effective shot number :math:`N_{eff} = (1 - \hat r^2)/\mathrm{Var}`
    with :math:`n_0 = N_{eff}(1 + \hat r)/2` (estimate clipped to [-1, 1]). This loses the correlation
    between the bases (they share one calibration), which makes the union-bound verdict on such
    counts anti-conservative, and breaks down near :math:`|\hat r| = 1`; :func:`qc_reset.emulation.run_tomography`
    therefore analyses :func:`mitigate_estimate` with :func:`qc_reset.tomography.analyze_estimate`.
    """
    r_full, cov = mitigate_estimate(counts, A, cal_shots)
    c = np.asarray(counts, dtype=float)
    if c.shape != (3, 2):
        raise InputError(f"counts must have shape (3, 2); got {c.shape}")
    n = c.sum(axis=-1)
    r = np.clip(r_full, -1.0, 1.0)
    var = np.maximum(np.diag(cov), 1.0 / (n * n))
    n_eff = np.maximum(np.rint(np.maximum(1 - r * r, 1.0 / n) / var), 1.0)
    n0 = np.rint(n_eff * (1 + r) / 2)
    return np.stack([n0, n_eff - n0], axis=-1).astype(np.int64)


# ------------------------------------------------------------------------------------ gate-error threshold
@dataclasses.dataclass(frozen=True)
class GateErrorThreshold:
    """Result of :func:`max_gate_error`: the largest depolarizing ``p`` with a "magic" verdict.

    ``status`` is ``"found"`` (``p_max`` is the lower end of a final bracket of relative width
    ``rtol``), ``"max_evaluations"`` (the evaluation cap was hit first: ``[p_max, p_fail]`` is the
    last, wider bracket), ``"above_bracket"`` (magic even at the bracket's top; ``p_max`` = top) or
    ``"below_bracket"`` (not magic at the bottom; ``p_max`` is None). ``evaluations`` lists
    ``(p, verdict, witness)`` in the order evaluated. ``seed`` is the seed every trial used (drawn
    and recorded when none was given with ``shots > 0``; unused for ``shots=0``, which has no randomness).
    """

    p_max: float | None
    p_fail: float | None
    status: str
    params: Params
    noise: str
    shots: int
    seed: int | None
    level: float
    dt: float
    order: int
    steps: int
    evaluations: tuple[tuple[float, str, float], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d = dataclasses.asdict(self)
        d["params"] = self.params.to_dict()
        d["evaluations"] = [{"p": p, "verdict": v, "witness": w} for p, v, w in self.evaluations]
        return d


def max_gate_error(
    params: Params,
    *,
    shots: int,
    seed: int | None,
    level: float = 0.95,
    noise: str | NoiseSpec = "none",
    bracket: tuple[float, float] = (1e-5, 1e-1),
    rtol: float = 0.05,
    dt: float = 0.1,
    order: int = 2,
    steps: int | str = "auto",
    max_evaluations: int = 24,
    mitigate: bool = False,
) -> GateErrorThreshold:
    r"""Largest depolarizing gate error :math:`p` at which the magic verdict is still "magic".

    Bisection on :math:`\log p` over ``bracket``: the depolarizing parameter of every one- and
    two-qubit gate is set to :math:`p` (``depol2`` follows ``depol`` unless ``noise`` fixes it; other
    errors of ``noise``, e.g. ``t1``, ``readout``, stay), the dilated circuit runs at each trial
    :math:`p` and the verdict (:func:`qc_reset.tomography.magic_verdict`, union interval at ``level``)
    decides the half. With ``shots > 0`` this is a *statistical* statement: the verdict of a finite
    sample, whose false-"magic" rate is at most ``1 - level`` at each :math:`p`; every trial reuses the
    same ``seed`` (common random numbers, so the verdict is monotone in :math:`p` up to rare crossings),
    which makes the result deterministic. ``shots=0`` uses the exact noisy density matrix (no shot noise,
    no readout error): the asymptotic threshold :math:`\|r\|_1 = 1`.

    Args:
        params: the parameter point (should have magic without noise).
        shots: shots per basis (0 = exact density matrix).
        seed: seed of every trial (integer >= 0). ``None`` with ``shots > 0`` draws one integer seed
            from fresh OS entropy, uses it for every trial and records it in the result, so the run can
            be repeated exactly.
        level: confidence level of the verdict.
        noise: base spec (``none`` or parametric) whose ``depol`` is scanned.
        bracket: ``(p_lo, p_hi)`` with ``0 < p_lo < p_hi <= 1``.
        rtol: stop when ``p_hi / p_lo <= 1 + rtol``.
        dt, order, steps: Trotter step, order and steps (``"auto"``: converged to the shot-noise scale).
        max_evaluations: hard cap on circuit runs (>= 2); hitting it gives status ``"max_evaluations"``.
        mitigate: readout mitigation of each trial (:func:`mitigate_counts`); ignored for ``shots=0``.
    """
    from . import emulation, tomography

    base = parse_noise(noise)
    if base.kind == "fake":
        raise InputError("max_gate_error scans a parametric depolarizing error; noise must be 'none' or "
                         "a parametric spec, not a fake backend")
    lo, hi = (float(x) for x in bracket)
    if not 0 < lo < hi <= 1:
        raise InputError(f"bracket must satisfy 0 < p_lo < p_hi <= 1; got {bracket!r}")
    shots = check_shots(shots, allow_zero=True)  # 0 = exact density matrix
    if not rtol > 0:
        raise InputError(f"rtol must be > 0; got {rtol!r}")
    max_evaluations = integer("max_evaluations", max_evaluations, lo=2, hi=_MAX_EVALUATIONS)
    if not isinstance(mitigate, bool | np.bool_):
        raise InputError(f"mitigate must be a bool; got {mitigate!r}")
    params = Params.require(params)
    if seed is not None:
        seed = integer("seed", seed, lo=0, hi=2**63 - 1)
    elif shots > 0:
        seed = emulation.fresh_seed()
    level = tomography._level(level)
    n_steps = emulation.resolve_steps(params, dt, order, steps, emulation.convergence_tol(shots))
    evals: list[tuple[float, str, float]] = []

    def verdict(p: float) -> bool:
        spec = base.with_depol(p)
        if shots == 0:
            rho, _ = emulation.noisy_state(params, spec, dt=dt, order=order, steps=n_steps)
            from .measures import bloch_vector, l1_norm

            w = float(l1_norm(bloch_vector(rho))) - 1.0
            v = "magic" if w > 0 else "stabilizer"
        else:
            run = emulation.run_tomography(params, shots=shots, seed=seed, noise=spec, dt=dt, order=order,
                                           steps=n_steps, level=level, n_resamples=1, mitigate=mitigate)
            w, v = run.result.magic_witness.value, run.result.magic_witness.verdict
        evals.append((p, v, w))
        return v == "magic"

    def done(p_max: float | None, p_fail: float | None, status: str) -> GateErrorThreshold:
        return GateErrorThreshold(p_max=p_max, p_fail=p_fail, status=status, params=params, noise=str(base),
                                  shots=shots, seed=seed, level=level, dt=float(dt), order=int(order),
                                  steps=n_steps, evaluations=tuple(evals))

    if not verdict(lo):
        return done(None, lo, "below_bracket")
    if verdict(hi):
        return done(hi, None, "above_bracket")
    while hi / lo > 1 + rtol:
        if len(evals) >= max_evaluations:
            return done(lo, hi, "max_evaluations")
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if verdict(mid) else (lo, mid)
    return done(lo, hi, "found")

