"""Devices the circuits can run on: the fake IBM backend registry and checks of a device's instructions.

* :func:`fake_backend_names`, :func:`fake_backend`: the ``BackendV2`` fake devices of
  ``qiskit_ibm_runtime.fake_provider`` (the ``fake:<Backend>`` noise specs of :mod:`qc_reset.run.noise`).
* :func:`require_instructions`: refuse a backend whose ``target`` lacks an instruction the circuits
  need, before anything is transpiled or submitted.
* :func:`measured_physical_qubit`: the physical qubit a transpiled tomography circuit measures.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._checks import InputError, quote

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.providers import BackendV2

__all__ = [
    "MIN_QUBITS",
    "fake_backend_names",
    "fake_backend",
    "check_fake_name",
    "require_instructions",
    "measured_physical_qubit",
]

#: Qubits of the dilated circuits (paper qubits 2 and 1, two ancillas): smaller devices are refused.
MIN_QUBITS = 4


def fake_backend_names() -> list[str]:
    """Names of the fake IBM devices (``BackendV2``) in ``qiskit_ibm_runtime.fake_provider``."""
    return list(_fake_names())


@functools.cache
def _fake_names() -> tuple[str, ...]:
    # lazy: qiskit_ibm_runtime is an optional dependency (extra "hardware"), loaded only for fake: specs
    from qiskit_ibm_runtime import fake_provider
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    return tuple(
        n for n in sorted(dir(fake_provider))
        if n.startswith("Fake") and isinstance(getattr(fake_provider, n), type)
        and issubclass(getattr(fake_provider, n), FakeBackendV2)
    )


def check_fake_name(name: str) -> str:
    """``name`` if it is one of :func:`fake_backend_names`; ``InputError`` listing some otherwise."""
    names = _fake_names()
    if name not in names:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise InputError(f"unknown fake backend {quote(name)}; valid: {shown} ({len(names)} in "
                         "qiskit_ibm_runtime.fake_provider, e.g. fake:FakeManilaV2)")
    return name


@functools.cache
def fake_backend(name: str) -> BackendV2:
    """An instance of ``qiskit_ibm_runtime.fake_provider.<name>`` (cached)."""
    # lazy: qiskit_ibm_runtime is an optional dependency (extra "hardware"), loaded only for fake: specs
    from qiskit_ibm_runtime import fake_provider

    if name not in _fake_names():
        raise InputError(f"unknown fake backend {quote(name)}; valid: {', '.join(_fake_names()[:10])}, ...")
    backend: BackendV2 = getattr(fake_provider, name)()
    if backend.num_qubits < MIN_QUBITS:
        raise InputError(f"fake backend {name} has {backend.num_qubits} qubits; the dilated circuits need "
                         f"{MIN_QUBITS}")
    return backend


def _backend_name(backend: Any) -> str:
    name = getattr(backend, "name", None)
    return f"{type(backend).__name__}" + (f" ({name})" if isinstance(name, str) and name else "")


def require_instructions(backend: BackendV2, needed: Iterable[str], purpose: str) -> None:
    """Raise ``InputError`` unless ``backend.target`` has every instruction name in ``needed``.

    Checked before transpiling or submitting: a device without ``reset`` (FakeMelbourneV2, FakeBerlin,
    FakeMiami) would otherwise fail deep in the transpiler, and one without the native ``rz``/``sx`` the
    tomography appends would run those gates without their noise. ``"two-qubit gate"`` in ``needed``
    asks for any two-qubit gate (the transpiler translates the circuit's gates into the target's).
    """
    needed = set(needed)
    target = getattr(backend, "target", None)
    if target is None:
        raise InputError(f"backend {_backend_name(backend)} has no target (a BackendV2 is needed) for {purpose}")
    have = set(target.operation_names)
    missing = sorted(n for n in needed - {"two-qubit gate", "barrier"} if n not in have)
    ops = [target.operation_from_name(n) for n in have]  # control flow is stored as a class: no num_qubits
    if "two-qubit gate" in needed and not any(getattr(op, "num_qubits", 0) == 2 for op in ops
                                              if not isinstance(op, type)):
        missing.append("a two-qubit gate")
    if missing:
        shown = ", ".join(repr(m) for m in missing)
        raise InputError(f"backend {_backend_name(backend)} does not support {shown}, needed by {purpose}; its "
                         f"instructions: {', '.join(sorted(have))[:200]}")


def measured_physical_qubit(circuit: QuantumCircuit) -> int:
    """The (single) qubit index measured in a transpiled circuit."""
    qubits = {circuit.find_bit(q).index for inst in circuit.data if inst.operation.name == "measure"
              for q in inst.qubits}
    if len(qubits) != 1:
        raise InputError(f"expected one measured qubit; got {sorted(qubits)}")
    return qubits.pop()
