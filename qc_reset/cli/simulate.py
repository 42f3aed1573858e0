"""``qc-reset simulate``: Trotterized collision circuit on Aer vs the exact steady state, with optional
shot-based tomography of qubit 1 (``--shots``), hardware noise (``--noise``, or a fake device with
``--backend fake:NAME`` and ``--optimization-level``) and the largest gate error that keeps the magic verdict
(``--max-gate-error``).

The command parses, calls one library function and prints; the library checks the values (and raises
:class:`qc_reset._checks.InputError`). The command itself refuses only option *combinations* that the
library would never see and that would otherwise be silently ignored.

Routes: ``gates`` runs the gate-level circuit of the chosen realization (``kraus`` or ``dilated``);
``superop`` and ``power`` run the exact Trotter step channel, which has no gate realization. An explicit
``--realization`` therefore selects ``--route gates`` unless a route is given.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .._checks import InputError, quote
from ..io import to_json
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

if TYPE_CHECKING:
    from ..run.noise import NoiseSpec

__all__ = ["register", "run", "parse_steps", "parse_backend", "describe_noise"]


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
    p.add_argument("--realization", default=None, metavar="kraus|dilated|dynamic",
                   help="gate realization of the reset channels: Kraus instructions, hardware-native ancilla "
                        "circuits, or dynamic circuits (mid-circuit measurement and if_test; Aer averages their "
                        "state over its 1024 default shots) (default kraus; dilated with --noise). Selects "
                        "--route gates")
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
    p.add_argument("--backend", default=None, metavar="fake:NAME",
                   help="a fake IBM device of qiskit_ibm_runtime.fake_provider (e.g. fake:FakeManilaV2): its noise "
                        "model and target, transpiled at --optimization-level (default 3); instead of --noise")
    p.add_argument("--optimization-level", type=whole_number(), default=None, metavar="0-3",
                   help="transpiler optimization level of the noisy circuit (default 3 with --backend or --noise "
                        "fake:NAME, 1 with a parametric --noise); needs --backend or a --noise model")
    p.add_argument("--no-idle-noise", dest="idle_noise", action="store_false",
                   help="device noise without time: no ALAP schedule, so idle qubits (waiting for resets, "
                        "measurements, other gates) do not relax; for comparison (needs --backend or --noise fake:)")
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


def parse_backend(text: str | None) -> str | None:
    """The fake device name of ``--backend fake:NAME`` (None without it); ``InputError`` naming the form."""
    if text is None:
        return None
    if not text.startswith("fake:") or not text[5:].strip():
        raise InputError(f"backend must be fake:NAME, a fake device of qiskit_ibm_runtime.fake_provider "
                         f"(e.g. fake:FakeManilaV2); got {quote(text)}")
    return text[5:].strip()


def _validate_device(args: argparse.Namespace, spec: NoiseSpec) -> None:
    """``--backend`` replaces ``--noise``; ``--optimization-level`` needs a device or noise model to transpile to."""
    if args.backend is not None and spec.kind != "none":
        raise InputError("--backend and --noise are exclusive: the device brings its own noise model")
    if args.backend is not None and args.max_gate_error:
        raise InputError("--max-gate-error scans a parametric --noise spec; it does not apply to --backend")
    if not args.idle_noise and args.backend is None and spec.kind != "fake":
        raise InputError("--no-idle-noise applies to device noise: it needs --backend fake:NAME or --noise fake:NAME")
    if args.optimization_level is not None:
        if not 0 <= args.optimization_level <= 3:
            raise InputError(f"optimization_level must be 0, 1, 2 or 3; got {args.optimization_level}")
        if args.backend is None and spec.kind == "none":
            raise InputError("--optimization-level needs --backend or a --noise model (the ideal circuits are "
                             "not transpiled)")


def _validate(args: argparse.Namespace, spec: NoiseSpec, route: str) -> None:
    """Refuse option combinations that would be silently ignored (the library never sees them)."""
    _validate_device(args, spec)
    ideal = spec.kind == "none" and args.backend is None
    if args.shots == 0:
        for opt, value in (("--level", args.level), ("--resamples", args.resamples)):
            if value is not None:
                raise InputError(f"{opt} applies to shot-based tomography only: it needs --shots >= 1")
        if args.mitigate:
            raise InputError("--mitigate needs --shots >= 1 (readout mitigation of measured counts)")
        if args.seed is not None and ideal:
            raise InputError("--seed is unused without --shots or --noise (the ideal density-matrix run is "
                             "deterministic)")
    if args.mitigate and ideal:
        raise InputError("--mitigate needs a --noise model (with --noise none there is no readout error)")
    if args.realization is not None and ideal and route != "gates":
        raise InputError(f"--realization applies to --route gates only; route {args.route} runs the exact step "
                         "channel, which has no gate realization")
    if not ideal and args.shots == 0 and (args.route not in (None, "gates")
                                     or args.realization not in (None, "dilated")):
        # the noisy density-matrix run has no route or realization: it always runs the dilated gates
        flag = "--backend" if args.backend is not None else "--noise"
        raise InputError(f"with {flag} the circuit is the gate-level dilated one: --route must be gates and "
                         "--realization dilated (noisy dynamic circuits: qc_reset.run.noisy_fixed_point, "
                         "docs/hardware.md)")


def run(args: argparse.Namespace) -> int:
    """Simulate and print (table or JSON)."""
    # lazy: Qiskit, Aer and scipy load only when the command runs
    from ..model.params import Params
    from ..run.backends import fake_backend
    from ..run.noise import parse_noise
    from ..run.summary import default_route, simulate_summary

    spec = parse_noise(args.noise)
    name = parse_backend(args.backend)
    route = default_route(args.route, shots=args.shots, noise=spec, realization=args.realization)
    _validate(args, spec, route if name is None else (args.route or "gates"))
    params = Params(g=args.g, p1=args.p1, p2=args.p2, T1=args.T1, T2=args.T2)
    backend = None if name is None else fake_backend(name)
    d = simulate_summary(params, dt=args.dt, steps=parse_steps(args.steps), order=args.order,
                         realization=args.realization, route=args.route, tol=args.tol, shots=args.shots,
                         noise=spec, seed=args.seed, level=args.level, n_resamples=args.resamples,
                         mitigate=args.mitigate, gate_error_threshold=args.max_gate_error, backend=backend,
                         optimization_level=args.optimization_level,
                         idle_noise=None if args.idle_noise else False)
    _warn_budget(d)
    return _print(args, d, spec)


def _warn_budget(d: dict[str, Any]) -> None:
    """One ``warning:`` line on stderr when the device circuit's estimated success is below the level."""
    from ..run.budget import MIN_ESTIMATED_SUCCESS  # lazy, with the library call above

    p = (d.get("budget") or {}).get("estimated_success")
    if p is not None and p < MIN_ESTIMATED_SUCCESS:
        print(f"warning: the device circuit's estimated success probability is {p:.3g}, below "
              f"{MIN_ESTIMATED_SUCCESS:g} (qc_reset.run.budget.MIN_ESTIMATED_SUCCESS): a device run of it would "
              "mostly show noise", file=sys.stderr)


def _time(ns: float) -> str:
    """A device time given in nanoseconds, in the largest unit of ns, us, ms that keeps it >= 1."""
    for unit, scale in (("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{fmt(ns / scale)} {unit}"
    return f"{fmt(ns)} ns"


def describe_noise(spec: NoiseSpec) -> str:
    """A parametric noise spec for tables: device times with units, named so they cannot be read as ``--T1``."""
    if spec.kind != "parametric":
        return str(spec)
    parts = [f"depol={fmt(spec.depol)}"] if spec.depol else []
    if spec.depol2 is not None:
        parts.append(f"depol2={fmt(spec.depol2)}")
    if spec.t1 is not None:
        t2 = spec.t1 if spec.t2 is None else spec.t2
        parts.append(f"device relaxation t1={_time(spec.t1)}, dephasing t2={_time(t2)}, "
                     f"gate times {_time(spec.gate_time)} (1q), {_time(spec.gate_time2)} (2q)")
    if spec.readout != (0.0, 0.0):
        e01, e10 = spec.readout
        parts.append(f"readout={fmt(e01)}" if e01 == e10 else f"readout P(1|0)={fmt(e01)}, P(0|1)={fmt(e10)}")
    return ", ".join(parts)


def _circuit_label(d: dict[str, Any]) -> str:
    """What ran: the gate realization only where gates ran; the other routes run the exact step channel."""
    what = f"{d['realization']} gates" if d["route"] == "gates" else "exact step channel (no gate realization)"
    return f"{what}, order {d['order']}, dt {fmt(float(d['dt']))}, route {d['route']}"


def _budget_rows(b: dict[str, Any]) -> list[tuple[str, object]]:
    """The device circuit's budget: totals and per collision (Trotter step)."""
    per = b.get("per_collision") or {}

    def both(key: str, unit: float = 1.0, suffix: str = "") -> str:
        total, one = b.get(key), per.get(key)
        if total is None:
            return "-"
        return f"{fmt(total / unit)}{suffix}" + ("" if one is None else f" ({fmt(one / unit)}{suffix} per step)")

    return [
        ("budget: two-qubit gates", both("two_qubit_gates")),
        ("budget: depth", both("depth")),
        ("budget: resets, measurements", f"{b['resets']}, {b['measurements']}"),
        ("budget: duration", both("duration_s", 1e-6, " us")),
        ("budget: estimated success", both("estimated_success")),
    ]


def _print(args: argparse.Namespace, d: dict[str, Any], spec: NoiseSpec) -> int:
    if args.json:
        print(to_json(d))
        return 0
    rows: list[tuple[str, object]] = [
        ("parameters", fmt_params(d["params"]) + " (T1, T2: bath temperatures, units of omega)"),
        ("circuit", _circuit_label(d)),
        ("noise", describe_noise(spec) if args.backend is None else f"{args.backend} (device noise model)"),
        *([("noise scope", d["noise_scope"])] if "noise_scope" in d else []),
        *([("idle noise", "on (ALAP schedule)" if d["idle_noise"] else "off")] if "idle_noise" in d else []),
        ("steps", d["steps"]),
        ("bloch circuit (rx, ry, rz)", fmt_vec(d["bloch_circuit"])),
        ("bloch exact   (rx, ry, rz)", fmt_vec(d["bloch_exact"])),
        ("trace distance (qubit 1)", d["trace_distance"]),
    ]
    if d.get("state_shots") is not None:  # a dynamic circuit: the state is a sampled average, not exact
        rows.append(("circuit state", f"average over {d['state_shots']} shots (mid-circuit measurements "
                                      "are sampled; the exact channel: --route power, without --realization)"))
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
    if "budget" in d:
        rows += _budget_rows(d["budget"])
    if "max_gate_error" in d:
        m = d["max_gate_error"]
        rows.append(("max gate error (magic)",
                     f"{fmt(m['p_max'])} ({m['status']}; first failure at {fmt(m['p_fail'])})"))
    print_table(rows)
    return 0
