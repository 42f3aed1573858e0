"""Chain configs: a TOML file of ``[[site]]`` tables and a ``[bonds]`` table to a validated :class:`Chain`.

The file format (one ``[[site]]`` table per qubit, in chain order)::

    [[site]]
    bath = "heat"       # "heat" (thermal in Z), "spin" (thermal in X) or "none"
    p = 0.3             # reset rate (bath sites only)
    T = 0.1             # bath temperature (bath sites only)
    [[site]]
    bath = "none"
    [[site]]
    bath = "spin"
    p = 0.3
    T = 0.02
    omega = 1.0         # optional on every site: the site frequency (default 1)
    [bonds]
    g = 0.06            # one value for every bond, or a list of N - 1 values

Files are read with the same guards as sweep configs (:func:`~qc_reset.workflows.sweep.config.read_toml`: at most
:data:`~qc_reset.workflows.sweep.config.MAX_CONFIG_BYTES` of UTF-8 TOML, parser errors and nesting
too deep for the parser as input errors naming the file). Unknown tables and keys are refused by
name; site errors name the site (``site[1].p must be ...``), via :meth:`Chain.from_dict`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..._checks import MAX_CHAIN_SITES, InputError, quote
from ...model.chain import Chain
from .config import read_toml

__all__ = ["chain_tables", "chain_from_config", "load_chain", "CHAIN_TABLES"]

#: The tables of a chain config.
CHAIN_TABLES = ("site", "bonds")


def chain_tables(data: dict[str, Any]) -> dict[str, Any]:
    """The ``{"sites": [...], "g": ...}`` of :meth:`Chain.from_dict` from the ``site`` and ``bonds``
    tables of ``data`` (other keys of ``data`` are the caller's to check)."""
    sites = data.get("site")
    if sites is None:
        raise InputError("missing [[site]] tables (one per qubit, in chain order, with bath, p, T)")
    if not isinstance(sites, list) or not all(isinstance(s, dict) for s in sites):
        raise InputError(f"site must be an array of tables ([[site]] entries); got site = {quote(sites)}")
    if not 2 <= len(sites) <= MAX_CHAIN_SITES:
        raise InputError(f"a chain needs between 2 and {MAX_CHAIN_SITES} [[site]] tables; got {len(sites)}")
    bonds = data.get("bonds")
    if not isinstance(bonds, dict):
        raise InputError("missing [bonds] table (g = one coupling for every bond, or a list of N - 1)")
    extra = sorted(set(bonds) - {"g"})
    if extra:
        raise InputError(f"unknown key(s) bonds.{', bonds.'.join(extra)}; allowed: bonds.g")
    if "g" not in bonds:
        raise InputError("bonds.g (the bond coupling: one number or a list of N - 1) is required")
    return {"sites": sites, "g": bonds["g"]}


def chain_from_config(data: dict[str, Any]) -> Chain:
    """A :class:`Chain` from a parsed chain config (module docstring); unknown tables refused by name."""
    if not isinstance(data, dict):
        raise InputError(f"a chain config must be a table; got {quote(data)}")
    unknown = sorted(set(data) - set(CHAIN_TABLES))
    if unknown:
        raise InputError(f"unknown table(s) or key(s) {', '.join(map(repr, unknown))}; allowed: [[site]], [bonds]")
    return Chain.from_dict(chain_tables(data))


def load_chain(path: str | Path) -> Chain:
    """Read and validate a chain config file."""
    return chain_from_config(read_toml(path, "chain config"))
