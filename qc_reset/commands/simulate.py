"""``qc-reset simulate``: Trotterized collision circuit on Aer vs the exact steady state, with optional
shot-based tomography of qubit 1 (``--shots``), hardware noise (``--noise``) and the largest gate error that
keeps the magic verdict (``--max-gate-error``).

The command parses, calls one library function and prints; the library checks the values (and raises
:class:`qc_reset._checks.InputError`). The command itself refuses only option *combinations* that the
library would never see and that would otherwise be silently ignored.

Routes: ``gates`` runs the gate-level circuit of the chosen realization (``kraus`` or ``dilated``);
``superop`` and ``power`` run the exact Trotter step channel, which has no gate realization. An explicit
``--realization`` therefore selects ``--route gates`` unless a route is given.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .._checks import InputError, quote
from ._common import (
    add_json_option,
    add_param_options,
    fmt,
    fmt_ci,
    fmt_params,
    fmt_vec,
    number,
    print_table,
    whole_number,
)

__all__ = ["register", "run", "parse_steps", "describe_noise"]

def _shots(text: str) -> int:
    """argparse type of ``--shots``: a whole number >= 0 (0: no tomography); the library bounds it."""
    n = whole_number()(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"shots must be a whole number >= 0 (0: no tomography); got {quote(text)}")
    return n


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p = sub.add_parser(
        "simulate", help="Trotter circuit on Aer (density matrix) vs the exact steady state",
        description="Run the Trotterized collision circuit to convergence on AerSimulator(method="
                    "'density_matrix') and compare qubit 1 with the exact steady state. Model quantities "
                    "(--g, --p1, --p2, --T1, --T2, --dt) are in units of omega; --T1/--T2 are bath "
                    "temperatures, unrelated to the device times t1=/t2= of --noise (nanoseconds).",
    )
    add_param_options(p, ("g", "p1", "p2", "T1", "T2"))
    p.add_argument("--dt", type=number, default=0.1,
                   help="Trotter step length in model time (units of 1/omega; > 0; default 0.1)")
    p.add_argument("--steps", default="auto", metavar="N|auto",
                   help="number of steps, or 'auto' for convergence to --tol (default auto)")
    p.add_argument("--order", default="2", metavar="1|2", help="1 Lie-Trotter, 2 Strang (default 2)")
    p.add_argument("--realization", default=None, metavar="kraus|dilated",
                   help="gate realization of the reset channels: Kraus instructions or hardware-native ancilla "
                        "circuits (default kraus; dilated with --noise). Selects --route gates")
    p.add_argument("--route", default=None, metavar="gates|superop|power",
                   help="what Aer runs: the gate-level circuit (default), or the exact step channel as one "
                        "superop per step or one for all steps (default with --shots, no noise and no "
                        "--realization: power; with noise: gates)")
    p.add_argument("--tol", type=number, default=None,
                   help="trace-distance tolerance to the step channel's fixed point for --steps auto "
                        "(default 1e-10; with shots 0.1/sqrt(shots); noise without shots 1e-6)")
    p.add_argument("--shots", type=_shots, default=0, metavar="N",
                   help="shots per basis for X, Y, Z tomography of qubit 1 (default 0: no tomography)")
    p.add_argument("--noise", default="none", metavar="SPEC",
                   help="device noise: none (default); parametric, e.g. depol=1e-3,t1=50us,t2=70us,readout=0.02, "
                        "where t1/t2 are the device qubits' relaxation/dephasing TIMES (ns unless suffixed "
                        "ns/us/ms; not the bath temperatures --T1/--T2); or fake:<Backend>[,layout=a-b-c-d], "
                        "e.g. fake:FakeManilaV2 (needs the hardware extra)")
    p.add_argument("--seed", type=whole_number(), default=None, metavar="S",
                   help="random seed (integer >= 0): shots, transpiler, calibration, bootstrap; needs --shots or "
                        "--noise (without shots it seeds the transpiler). With --shots and no seed a fresh one is "
                        "drawn and reported")
    p.add_argument("--level", type=number, default=None,
                   help="confidence level of intervals and verdicts (default 0.95; needs --shots)")
    p.add_argument("--resamples", type=whole_number(), default=None,
                   help="bootstrap resamples for the C_l1 interval (default 1000; needs --shots)")
    p.add_argument("--mitigate", action="store_true",
                   help="readout-error mitigation (calibrated assignment matrix of the measured physical qubit); "
                        "needs --shots and a --noise model")
    p.add_argument("--max-gate-error", action="store_true",
                   help="also bisect the largest depolarizing gate error at which the verdict stays 'magic' "
                        "(--noise as the base spec; with --shots 0 the exact threshold ||r||_1 = 1)")
    add_json_option(p)
    p.set_defaults(func=run)


def parse_steps(text: str) -> int | str:
    """``"auto"`` or a whole number (the library checks its range); ``InputError`` naming ``steps`` otherwise."""
    if text == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise InputError(f"steps must be an integer >= 1 or 'auto'; got {quote(text)}") from None


def _route(args: argparse.Namespace, spec: Any) -> str:
    """The route that runs: as given, else power for ideal shots without --realization, else gates."""
    if args.route is not None:
        return str(args.route)
    return "power" if args.shots > 0 and spec.kind == "none" and args.realization is None else "gates"


def _validate(args: argparse.Namespace, spec: Any) -> None:
    """Refuse option combinations that would be silently ignored (the library never sees them)."""
    if args.shots == 0:
        for opt, value in (("--level", args.level), ("--resamples", args.resamples)):
            if value is not None:
                raise InputError(f"{opt} applies to shot-based tomography only: it needs --shots >= 1")
        if args.mitigate:
            raise InputError("--mitigate needs --shots >= 1 (readout mitigation of measured counts)")
        if args.seed is not None and spec.kind == "none":
            raise InputError("--seed is unused without --shots or --noise (the ideal density-matrix run is "
                             "deterministic)")
    if args.mitigate and spec.kind == "none":
        raise InputError("--mitigate needs a --noise model (with --noise none there is no readout error)")
    if args.realization is not None and spec.kind == "none" and _route(args, spec) != "gates":
        raise InputError(f"--realization applies to --route gates only; route {args.route} runs the exact step "
                         "channel, which has no gate realization")
    if spec.kind != "none" and args.shots == 0 and (args.route not in (None, "gates")
                                                     or args.realization not in (None, "dilated")):
        # noisy_state has no route or realization argument: it always runs the dilated gates
        raise InputError("with --noise the circuit is the gate-level dilated one: --route must be gates and "
                         "--realization dilated")


def run(args: argparse.Namespace) -> int:
    """Simulate and print (table or JSON)."""
    from ..model import Params
    from ..noise import parse_noise

    spec = parse_noise(args.noise)
    _validate(args, spec)
    params = Params(g=args.g, p1=args.p1, p2=args.p2, T1=args.T1, T2=args.T2)
    steps = parse_steps(args.steps)
    if args.shots > 0 and args.seed is None:
        from ..emulation import fresh_seed

        args.seed = fresh_seed()  # one recorded seed for the tomography and the threshold search
    if args.shots == 0 and spec.kind == "none":
        d = _ideal(args, params, steps)
    elif args.shots == 0:
        d = _noisy_state(args, params, spec, steps)
    else:
        d = _tomography(args, params, spec, steps)
    if args.max_gate_error:
        d["max_gate_error"] = _threshold(args, params, spec, steps)
    return _print(args, d, spec)


def _ideal(args: argparse.Namespace, params: Any, steps: int | str) -> dict[str, Any]:
    from ..simulate import DEFAULT_TOL, simulate

    res = simulate(params, args.dt, steps=steps, order=args.order, realization=args.realization or "kraus",
                   route=args.route or "gates", tol=DEFAULT_TOL if args.tol is None else args.tol)
    return res.to_dict()


def _noisy_state(args: argparse.Namespace, params: Any, spec: Any, steps: int | str) -> dict[str, Any]:
    from .. import measures
    from ..emulation import noisy_state
    from ..exact import steady_bloch

    rho, n = noisy_state(params, spec, dt=args.dt, order=args.order, steps=steps,
                         tol=1e-6 if args.tol is None else args.tol, seed=args.seed or 0)
    rc, re = measures.bloch_vector(rho), steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    return {"params": params.to_dict(), "dt": args.dt, "order": int(args.order), "realization": "dilated",
            "route": "gates", "steps": n, "noise": str(spec), "bloch_exact": re.tolist(), "bloch_circuit": rc.tolist(),
            "trace_distance": float(0.5 * np.linalg.norm(rc - re)), "l1_coherence": float(measures.l1_coherence(rc)),
            "l1_norm": float(measures.l1_norm(rc)), "magic": bool(measures.has_magic(rc)),
            "rho": {"re": rho.real.tolist(), "im": rho.imag.tolist()}}


def _tomography(args: argparse.Namespace, params: Any, spec: Any, steps: int | str) -> dict[str, Any]:
    from ..emulation import run_tomography

    run = run_tomography(params, shots=args.shots, seed=args.seed, noise=spec, dt=args.dt, order=args.order,
                         realization=args.realization or "dilated", steps=steps, level=_level(args),
                         n_resamples=1000 if args.resamples is None else args.resamples, mitigate=args.mitigate,
                         route=_route(args, spec), tol=args.tol)
    return run.to_dict()


def _threshold(args: argparse.Namespace, params: Any, spec: Any, steps: int | str) -> dict[str, Any]:
    from ..noise import max_gate_error

    return max_gate_error(params, shots=args.shots, seed=args.seed, level=_level(args), noise=spec, dt=args.dt,
                          order=args.order, steps=steps, mitigate=args.mitigate).to_dict()


def _level(args: argparse.Namespace) -> float:
    return 0.95 if args.level is None else float(args.level)


def _time(ns: float) -> str:
    """A device time given in nanoseconds, in the largest unit of ns, us, ms that keeps it >= 1."""
    for unit, scale in (("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{fmt(ns / scale)} {unit}"
    return f"{fmt(ns)} ns"


def describe_noise(spec: Any) -> str:
    """A parametric noise spec for tables: device times with units, named so they cannot be read as ``--T1``."""
    if spec.kind != "parametric":
        return str(spec)
    parts = [f"depol={fmt(spec.depol)}"] if spec.depol else []
    if spec.depol2 is not None:
        parts.append(f"depol2={fmt(spec.depol2)}")
    if spec.t1 is not None:
        parts.append(f"device relaxation t1={_time(spec.t1)}, dephasing t2={_time(spec.t2)}, "
                     f"gate times {_time(spec.gate_time)} (1q), {_time(spec.gate_time2)} (2q)")
    if spec.readout != (0.0, 0.0):
        e01, e10 = spec.readout
        parts.append(f"readout={fmt(e01)}" if e01 == e10 else f"readout P(1|0)={fmt(e01)}, P(0|1)={fmt(e10)}")
    return ", ".join(parts)


def _circuit_label(d: dict[str, Any]) -> str:
    """What ran: the gate realization only where gates ran; the other routes run the exact step channel."""
    what = f"{d['realization']} gates" if d["route"] == "gates" else "exact step channel (no gate realization)"
    return f"{what}, order {d['order']}, dt {fmt(float(d['dt']))}, route {d['route']}"


def _print(args: argparse.Namespace, d: dict[str, Any], spec: Any) -> int:
    from ..records import to_json

    if args.json:
        print(to_json(d))
        return 0
    rows: list[tuple[str, object]] = [
        ("parameters", fmt_params(d["params"]) + " (T1, T2: bath temperatures, units of omega)"),
        ("circuit", _circuit_label(d)),
        ("noise", describe_noise(spec)),
        ("steps", d["steps"]),
        ("bloch circuit (rx, ry, rz)", fmt_vec(d["bloch_circuit"])),
        ("bloch exact   (rx, ry, rz)", fmt_vec(d["bloch_exact"])),
        ("trace distance (qubit 1)", d["trace_distance"]),
    ]
    if "trotter_error" in d:
        rows += [("trotter error (fixed point)", d["trotter_error"]), ("convergence error", d["convergence_error"])]
    if "l1_coherence" in d:
        rows += [("l1 coherence", d["l1_coherence"]), ("||r||_1", d["l1_norm"]), ("magic", d["magic"])]
    if "robustness" in d:
        rows.append(("robustness", d["robustness"]))
    if "tomography" in d:
        t = d["tomography"]
        lc, mw = t["l1_coherence"], t["magic_witness"]
        rows += [
            ("shots per basis, seed", f"{d['shots']}, {d['seed']}"),
            ("tomography bloch", fmt_vec(t["bloch"])),
            ("tomography stderr", fmt_vec(t["stderr"], signed=False)),
            (f"l1 coherence ({t['level']:.0%} CI)", fmt_ci(lc["value"], lc["ci"])),
            (f"magic witness ({t['level']:.0%} CI)", fmt_ci(mw["value"], mw["ci"], signed=True)),
            ("verdict", mw["verdict"]),
        ]
        if d.get("mitigation"):
            a = ", ".join("[" + fmt_vec(row, signed=False)[1:-1] + "]" for row in d["mitigation"]["assignment"])
            rows.append(("readout assignment A", f"[{a}]"))
    if "max_gate_error" in d:
        m = d["max_gate_error"]
        rows.append(("max gate error (magic)",
                     f"{fmt(m['p_max'])} ({m['status']}; first failure at {fmt(m['p_fail'])})"))
    print_table(rows)
    return 0
