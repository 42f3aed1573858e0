"""``qc-reset steady``: the exact steady state at one parameter point.

The table names the facets ``+-rx+-ry+rz`` in the package's convention and, beside each, the
paper's name for it: the paper's (rx, ry) are minus the package's (``docs/perturbative.md``), so
its ``rx+ry+rz`` is the package's ``-rx-ry+rz``. ``--json`` keys are the package's labels.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..io import to_json
from ._common import add_json_option, add_param_options, fmt_params, fmt_vec, print_table

__all__ = ["register", "run", "paper_facet_label"]

#: Printed once below the table, so the facet names cannot be misread.
FACET_LEGEND = ("facets: package convention; the paper's (rx, ry) are minus the package's, "
                "so the paper's rx+ry+rz is the package's -rx-ry+rz")


def register(sub: Any) -> None:
    """Add the ``steady`` subcommand."""
    p = sub.add_parser("steady", help="exact steady state, coherence and magic of qubit 1",
                       description="Exact steady state of the model at one parameter point. " + FACET_LEGEND + ".")
    add_param_options(p, ("g", "p1", "p2", "T1", "T2"))
    add_json_option(p)
    p.set_defaults(func=run)


def paper_facet_label(label: str) -> str:
    """The paper's name of the package facet ``label`` (signs of rx and ry flipped): ``-rx-ry+rz`` -> ``rx+ry+rz``."""
    flip = {"+": "-", "-": "+"}
    text = f"{flip[label[0]]}rx{flip[label[3]]}ry{label[6:]}"
    return text[1:] if text.startswith("+") else text


#: Table names of the distillation protocols (:mod:`qc_reset.model.magic`).
PROTOCOL_NAMES = {"T": "T-type, Bravyi-Kitaev", "H": "H-type, Reichardt"}


def _class_text(cls: str, protocols: list[str]) -> str:
    """``distillable (H-type, Reichardt)``, or the class alone when no protocol distills."""
    return f"{cls} ({'; '.join(PROTOCOL_NAMES[p] for p in protocols)})" if protocols else cls


def run(args: argparse.Namespace) -> int:
    """Solve and print (table or JSON)."""
    # lazy: scipy loads only when the command runs
    from ..model.params import Params
    from ..model.report import steady_report

    rep = steady_report(Params(g=args.g, p1=args.p1, p2=args.p2, T1=args.T1, T2=args.T2))
    d = rep.to_dict()
    if args.json:
        print(to_json(d))
        return 0
    rows: list[tuple[str, object]] = [
        ("parameters", fmt_params(d["params"]) + " (T1, T2: bath temperatures, units of omega)"),
        ("bloch (rx, ry, rz)", fmt_vec(d["bloch"])),
        ("l1 coherence", d["l1_coherence"]),
        ("||r||_1", d["l1_norm"]),
        ("magic", d["magic"]),
        ("class", _class_text(d["magic_class"], d["distillable_by"])),
        ("robustness", d["robustness"]),
        ("stabilizer distance", d["stabilizer_distance"]),
    ]
    rows += [(f"facet {k} (paper {paper_facet_label(k)})", v) for k, v in d["facets"].items()]
    print_table(rows)
    print(FACET_LEGEND)
    return 0
