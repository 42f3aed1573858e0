"""``qc-reset chain CONFIG.toml [--method exact|circuit|tn] [--json]``: the steady state of an N-site chain.

The config (``[[site]]`` tables and ``[bonds]``) is described in
:mod:`qc_reset.workflows.sweep.chain_config`. ``--method exact`` solves the sparse Liouvillian
(:func:`qc_reset.model.chain.exact.chain_exact_steady`), ``circuit`` runs the collision circuits on
Aer's density-matrix method (:func:`qc_reset.run.chain.chain_circuit_steady`), ``tn`` evolves a
matrix-product density operator (``qc_reset.model.chain.tn.chain_tn_steady``); each is imported
only when asked for, and a method this installation does not have exits 2 saying so. ``--json``
prints :meth:`qc_reset.model.chain.ChainResult.to_dict`.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from .._checks import InputError
from ..io import to_json
from ._common import add_json_option, fmt, fmt_vec, print_table

__all__ = ["register", "run", "METHODS", "resolve_method"]

#: ``--method`` name -> (module, function) computing a :class:`~qc_reset.model.chain.ChainResult`.
METHODS: dict[str, tuple[str, str]] = {
    "exact": ("qc_reset.model.chain.exact", "chain_exact_steady"),
    "circuit": ("qc_reset.run.chain", "chain_circuit_steady"),
    "tn": ("qc_reset.model.chain.tn", "chain_tn_steady"),
}


def register(sub: Any) -> None:
    """Add the ``chain`` subcommand."""
    p = sub.add_parser("chain", help="steady state of an N-site collision chain from a TOML config",
                       description="Steady state of an N-site chain ([[site]] tables with bath, p, T; "
                                   "[bonds] g): per-site Bloch vectors, coherence, magic, neighbour concurrence.")
    p.add_argument("config", metavar="CONFIG.toml", help="chain configuration ([[site]] tables and [bonds])")
    p.add_argument("--method", choices=tuple(METHODS), default="exact",
                   help="exact (sparse Liouvillian), circuit (Aer collision circuits) or tn (tensor network)")
    add_json_option(p)
    p.set_defaults(func=run)


def resolve_method(method: str) -> Callable[..., Any]:
    """The function of ``--method``; InputError if this installation does not have it."""
    module_name, function = METHODS[method]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:  # a missing dependency inside it: the CLI names the extra
            raise
        raise InputError(f"--method {method} is not available in this installation "
                         f"({module_name} is missing)") from None
    fn = getattr(module, function, None)
    if fn is None:
        raise InputError(f"--method {method} is not available in this installation "
                         f"({module_name}.{function} is missing)")
    return fn


def run(args: argparse.Namespace) -> int:
    """Read the config, compute the steady state by the chosen method, print a table or JSON."""
    from ..workflows.sweep.chain_config import load_chain  # lazy: the model loads only here

    chain = load_chain(args.config)
    result = resolve_method(args.method)(chain)
    d = result.to_dict()
    if args.json:
        print(to_json(d))
        return 0
    rows: list[tuple[str, object]] = [("method", d["method"]), ("sites", chain.n),
                                      ("bonds g", ", ".join(fmt(g) for g in chain.g))]
    for i, (site, rec) in enumerate(zip(chain.sites, d["sites"], strict=True)):
        bath = "no bath" if site.bath == "none" else f"{site.bath} p={fmt(site.p)} T={fmt(site.T)}"
        rows.append((f"site {i} ({bath})", f"bloch {fmt_vec(rec['bloch'])}  l1 coherence {fmt(rec['l1_coherence'])}  "
                                            f"||r||_1 {fmt(rec['l1_norm'])}  {rec['magic_class']}"))
    if d.get("concurrence") is not None:
        rows.append(("concurrence (i, i+1)", ", ".join(fmt(c) for c in d["concurrence"])))
    rows.append(("error estimate", d["error"]))
    for key in ("residual", "solver", "steps"):
        if key in d:
            rows.append((key, d[key]))
    print_table(rows)
    return 0
