"""``qc-reset simulate``: Trotterized collision circuit on Aer vs the exact steady state, with optional
shot-based tomography of qubit 1 (``--shots``), hardware noise (``--noise``) and the largest gate error that
keeps the magic verdict (``--max-gate-error``)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .._checks import InputError
from ._common import add_json_option, add_param_options, print_table

__all__ = ["register", "run", "parse_steps"]


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand."""
    p = sub.add_parser(
        "simulate", help="Trotter circuit on Aer (density matrix) vs the exact steady state",
        description="Run the Trotterized collision circuit to convergence on AerSimulator(method="
                    "'density_matrix') and compare qubit 1 with the exact steady state.",
    )
    add_param_options(p, ("g", "p1", "p2", "T1", "T2"))
    p.add_argument("--dt", type=float, default=0.1, help="Trotter step length (> 0; default 0.1)")
    p.add_argument("--steps", default="auto", metavar="N|auto",
                   help="number of steps, or 'auto' for convergence to --tol (default auto)")
    p.add_argument("--order", default="2", metavar="1|2", help="1 Lie-Trotter, 2 Strang (default 2)")
    p.add_argument("--realization", default=None, metavar="kraus|dilated",
                   help="reset channels as Kraus instructions or hardware-native ancilla circuits "
                        "(default kraus; dilated with --shots or --noise)")
    p.add_argument("--route", default=None, metavar="gates|superop|power",
                   help="what Aer runs: the gate-level circuit (default), one superop per step, or one "
                        "superop for all steps (default with --shots and no noise: power; noise: gates)")
    p.add_argument("--tol", type=float, default=None,
                   help="trace-distance tolerance to the step channel's fixed point for --steps auto "
                        "(default 1e-10; with shots 0.1/sqrt(shots); noise without shots 1e-6)")
    p.add_argument("--shots", type=int, default=0, metavar="N",
                   help="shots per basis for X, Y, Z tomography of qubit 1 (default 0: no tomography)")
    p.add_argument("--noise", default="none", metavar="SPEC",
                   help="none (default); parametric, e.g. depol=1e-3,t1=50us,t2=70us,readout=0.02 (times in "
                        "ns unless suffixed ns/us/ms); or fake:<Backend>[,layout=a-b-c-d], e.g. fake:FakeManilaV2")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed (integer >= 0): shots, transpiler, calibration, bootstrap; needs --shots or "
                        "--noise (without shots it seeds the transpiler). With --shots and no seed a fresh one is "
                        "drawn and reported")
    p.add_argument("--level", type=float, default=None,
                   help="confidence level of intervals and verdicts (default 0.95; needs --shots)")
    p.add_argument("--resamples", type=int, default=None,
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
    """``"auto"`` or a positive integer; ``ValueError`` naming ``steps`` otherwise."""
    if text == "auto":
        return "auto"
    try:
        n = int(text)
    except ValueError:
        raise InputError(f"steps must be an integer >= 1 or 'auto'; got {text!r}") from None
    if n < 1:
        raise InputError(f"steps must be an integer >= 1 or 'auto'; got {text!r}")
    return n


def _validate(args: argparse.Namespace, spec: Any) -> None:
    """Reject options that would be silently ignored (exit 2 with one ``error:`` line)."""
    if args.shots < 0:
        raise InputError(f"shots must be an integer >= 0; got {args.shots}")
    if args.seed is not None and args.seed < 0:
        raise InputError(f"seed must be an integer >= 0; got {args.seed}")
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
    ideal_shots = args.shots > 0 and spec.kind == "none"
    route = args.route or ("power" if ideal_shots else "gates")
    if args.realization is not None and spec.kind == "none" and route != "gates":
        raise InputError(f"--realization applies to --route gates only; route {route} runs the exact step channel "
                         "(add --route gates)")


def run(args: argparse.Namespace) -> int:
    """Simulate and print (table or JSON)."""
    from ..model import Params
    from ..noise import parse_noise

    spec = parse_noise(args.noise)
    _validate(args, spec)
    params = Params(g=args.g, p1=args.p1, p2=args.p2, T1=args.T1, T2=args.T2)
    if args.shots > 0 and args.seed is None:
        from ..emulation import fresh_seed

        args.seed = fresh_seed()  # one recorded seed for the tomography and the threshold search
    steps = parse_steps(args.steps)
    if args.shots == 0 and spec.kind == "none":
        d = _ideal(args, params, steps)
    elif args.shots == 0:
        d = _noisy_state(args, params, spec, steps)
    else:
        d = _tomography(args, params, spec, steps)
    if args.max_gate_error:
        d["max_gate_error"] = _threshold(args, params, spec, steps)
    return _print(args, d)


def _ideal(args: argparse.Namespace, params: Any, steps: int | str) -> dict[str, Any]:
    from ..simulate import DEFAULT_TOL, simulate

    res = simulate(params, args.dt, steps=steps, order=args.order, realization=args.realization or "kraus",
                   route=args.route or "gates", tol=DEFAULT_TOL if args.tol is None else args.tol)
    return res.to_dict()


def _noisy_state(args: argparse.Namespace, params: Any, spec: Any, steps: int | str) -> dict[str, Any]:
    from .. import measures
    from ..emulation import noisy_state
    from ..exact import steady_bloch

    _check_noisy(args, spec)
    rho, n = noisy_state(params, spec, dt=args.dt, order=args.order, steps=steps,
                         tol=1e-6 if args.tol is None else args.tol, seed=args.seed or 0)
    rc, re = measures.bloch_vector(rho), steady_bloch(params.g, params.p1, params.p2, params.T1, params.T2)
    return {"params": params.to_dict(), "dt": args.dt, "order": int(args.order), "realization": "dilated",
            "route": "gates", "steps": n, "noise": str(spec), "bloch_exact": re.tolist(), "bloch_circuit": rc.tolist(),
            "trace_distance": float(0.5 * np.linalg.norm(rc - re)), "l1_coherence": float(measures.l1_coherence(rc)),
            "l1_norm": float(measures.l1_norm(rc)), "magic": bool(measures.has_magic(rc)),
            "rho": {"re": rho.real.tolist(), "im": rho.imag.tolist()}}


def _check_noisy(args: argparse.Namespace, spec: Any) -> None:
    if spec.kind != "none" and (args.route not in (None, "gates") or args.realization not in (None, "dilated")):
        raise InputError("with --noise the circuit is the gate-level dilated one: --route must be gates and "
                         "--realization dilated")


def _tomography(args: argparse.Namespace, params: Any, spec: Any, steps: int | str) -> dict[str, Any]:
    from ..emulation import run_tomography

    _check_noisy(args, spec)
    if args.route == "superop":
        raise InputError("route must be one of gates, power with --shots; got 'superop'")
    run = run_tomography(params, shots=args.shots, seed=args.seed, noise=spec, dt=args.dt, order=args.order,
                         realization=args.realization or "dilated", steps=steps, level=_level(args),
                         n_resamples=1000 if args.resamples is None else args.resamples, mitigate=args.mitigate,
                         route=args.route, tol=args.tol)
    return run.to_dict()


def _threshold(args: argparse.Namespace, params: Any, spec: Any, steps: int | str) -> dict[str, Any]:
    from ..noise import max_gate_error

    return max_gate_error(params, shots=args.shots, seed=args.seed, level=_level(args), noise=spec, dt=args.dt,
                          order=args.order, steps=steps, mitigate=args.mitigate).to_dict()


def _level(args: argparse.Namespace) -> float:
    return 0.95 if args.level is None else float(args.level)


def _vec(r: list[float]) -> str:
    return "(" + ", ".join(f"{x:+.8f}" for x in r) + ")"


def _print(args: argparse.Namespace, d: dict[str, Any]) -> int:
    from ..records import to_json

    if args.json:
        print(to_json(d))
        return 0
    rows: list[tuple[str, object]] = [
        ("circuit", f"{d['realization']}, order {d['order']}, dt {d['dt']:g}, route {d['route']}"),
        ("noise", d.get("noise", "none")),
        ("steps", d["steps"]),
        ("bloch circuit (rx, ry, rz)", _vec(d["bloch_circuit"])),
        ("bloch exact   (rx, ry, rz)", _vec(d["bloch_exact"])),
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
            ("tomography bloch", _vec(t["bloch"])),
            ("tomography stderr", _vec(t["stderr"])),
            (f"l1 coherence ({t['level']:.0%} CI)", f"{lc['value']:.6f} [{lc['ci'][0]:.6f}, {lc['ci'][1]:.6f}]"),
            (f"magic witness ({t['level']:.0%} CI)", f"{mw['value']:+.6f} [{mw['ci'][0]:+.6f}, {mw['ci'][1]:+.6f}]"),
            ("verdict", mw["verdict"]),
        ]
        if d.get("mitigation"):
            rows.append(("readout assignment A", str(d["mitigation"]["assignment"])))
    if "max_gate_error" in d:
        m = d["max_gate_error"]
        rows.append(("max gate error (magic)", f"{m['p_max']} ({m['status']}; first failure at {m['p_fail']})"))
    print_table(rows)
    return 0
