"""Package metadata in one place: the version and the optional extras that install each dependency."""

from __future__ import annotations

__all__ = ["__version__", "OPTIONAL_EXTRAS", "install_hint"]

__version__ = "0.1.0"

#: Optional top-level packages and the extra of ``pyproject.toml`` that installs each.
OPTIONAL_EXTRAS: dict[str, str] = {
    "matplotlib": "figures",
    "dask": "dask",
    "distributed": "dask",
    "qiskit_ibm_runtime": "hardware",
    "qiskit_experiments": "hardware",
    "qiskit_addon_mpf": "hardware",
    "mitiq": "hardware",
    "quimb": "chain",
    "pandas": "frames",
}


def install_hint(package: str) -> str:
    """The command that installs optional ``package`` (a key of :data:`OPTIONAL_EXTRAS`), as the README spells it."""
    return f'pip install -e ".[{OPTIONAL_EXTRAS[package]}]"'
