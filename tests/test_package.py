"""Package hygiene: the public top level, and light imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import qc_reset


def test_design_entry_points_at_top_level() -> None:
    rho = qc_reset.steady_state(np.array([0.05, 0.06]), 0.3, 0.3, 0.1, 0.02)
    assert rho.shape == (2, 4, 4)
    T, g = qc_reset.critical_temperature(0.3, 0.3, 0.02, method="exact")
    Tp, gp = qc_reset.critical_temperature(0.3, 0.3, 0.02, method="perturbative")
    assert 0 < Tp < T < 1 and g > 0 and gp > 0  # p = 0.3: perturbative 0.8 % low (docs/comparison.md)


def test_core_import_loads_no_heavy_optional_packages() -> None:
    """The exact core must not pull in Qiskit, Aer, matplotlib, Dask or QuTiP at import time."""
    code = ("import sys, qc_reset, qc_reset.critical, qc_reset.perturbative, qc_reset.sweep, qc_reset.cli; "
            "heavy = [m for m in ('qiskit', 'qiskit_aer', 'matplotlib', 'dask', 'qutip') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == ""


def test_numpy_layers_import_without_qiskit_or_dense_scipy() -> None:
    """Importing the model and stats layers (every module) loads no Qiskit, matplotlib or scipy.linalg."""
    code = ("import sys, pkgutil, importlib, qc_reset.model, qc_reset.stats\n"
            "for pkg in (qc_reset.model, qc_reset.stats):\n"
            "    for m in pkgutil.iter_modules(pkg.__path__):\n"
            "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
            "heavy = [m for m in ('qiskit', 'qiskit_aer', 'matplotlib', 'scipy.linalg', 'dask', 'qutip')"
            " if m in sys.modules]\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == ""


def test_compatibility_modules_keep_their_names() -> None:
    """Every name the flat modules exported is still there, and is the layered module's object."""
    import importlib

    from qc_reset.model import dynamics, steady
    from qc_reset.run import noise, threshold, tomography

    for name, module in {"exact": steady, "noise": noise, "emulation": tomography}.items():
        shim = importlib.import_module(f"qc_reset.{name}")
        assert shim.__all__, name
        for attr in shim.__all__:
            assert hasattr(shim, attr), f"qc_reset.{name}.{attr}"
        shared = set(shim.__all__) & set(module.__all__)
        assert shared and all(getattr(shim, a) is getattr(module, a) for a in shared)
    assert importlib.import_module("qc_reset.exact").transient is dynamics.transient
    assert importlib.import_module("qc_reset.noise").max_gate_error is threshold.max_gate_error
