"""Benchmark: a PUB sweep on FakeManilaV2 through the runtime sampler, against Aer routes measured side by side.

The sweep: ``--points`` values of T1 in [0.05, 1] at g = 0.06, p1 = p2 = 0.3, T2 = 0, the dilated Strang
circuit with step ``--dt`` and ``--steps`` steps, X, Y, Z measured on qubit 1 with ``--shots`` shots each.
Rows (best of ``--repeats``, ``time.perf_counter``, all in the same run):

* baseline: ``run_sweep`` on Aer's default ``SamplerV2`` (untranspiled circuits, no device);
* ``transpile``: the three circuits transpiled to FakeManilaV2 at level 3, step by step
  (``qc_reset.run.pub_transpile.device_circuits``);
* ``backend=``: ``run_sweep(backend=FakeManilaV2())``, Aer's density-matrix ``SamplerV2`` of the device;
* ``runtime SamplerV2``: ``run_sweep(sampler=qiskit_ibm_runtime.SamplerV2(mode=FakeManilaV2()))``, local mode.

Then the runtime sweep's Bloch vectors against the noisy density-matrix prediction of the same transpiled
circuits (``NoiseModel.from_backend``, readout error applied): the largest |z| in standard errors. The
readout differs between the two samplers: a fake device's own ``run`` (the runtime sampler's local mode)
applies the asymmetric assignment matrix of its calibration properties, ``AerSimulator.from_backend`` the
symmetric one of the target's measure error; each row is compared with its own.

    python benchmarks/bench_pub_devices.py [--points 4] [--shots 2000] [--dt 0.5] [--steps 6] [--repeats 2]
"""

from __future__ import annotations

import argparse
import platform
import warnings

import numpy as np
import qiskit
import qiskit_aer
import qiskit_ibm_runtime
from _timing import best_of
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel
from qiskit_aer.noise.device.models import basic_device_readout_errors as readout_errors
from qiskit_ibm_runtime import SamplerV2
from qiskit_ibm_runtime.fake_provider import FakeManilaV2

from qc_reset.circuits.parameters import CircuitParameters
from qc_reset.model.params import Params
from qc_reset.run import primitives as pr
from qc_reset.run.backends import measured_physical_qubit
from qc_reset.run.pub_transpile import device_circuits

TSEED = 5


def predicted(device: FakeManilaV2, circuits: tuple, pts: list[Params], dt: float,  # type: ignore[type-arg]
              readout: str) -> np.ndarray:
    """Noisy density matrix before the measurement, then the readout of the device's properties or target."""
    nm = NoiseModel.from_backend(device)
    sim = AerSimulator(method="density_matrix", noise_model=nm)
    cp = CircuitParameters.create()
    values = pr.sweep_values(cp, pts, dt)
    out = np.zeros((len(pts), 3))
    for b, qc in enumerate(circuits):
        q = measured_physical_qubit(qc)
        source = {"properties": device.properties()} if readout == "properties" else {"target": device.target}
        ro = [e for e in readout_errors(**source) if tuple(e[0]) == (q,)]
        A = np.asarray(ro[0][1].probabilities)
        body = qc.remove_final_measurements(inplace=False)
        body.save_density_matrix([q], label="rho")
        for k in range(len(pts)):
            by_name = {p.name: v for p, v in zip(cp.parameters(), values[k], strict=True)}
            rho = sim.run(body.assign_parameters({p: by_name[p.name] for p in body.parameters})).result().data(0)["rho"]
            p = np.real(np.diag(np.asarray(rho))) @ A
            out[k, b] = p[0] - p[1]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=4)
    ap.add_argument("--shots", type=int, default=2000)
    ap.add_argument("--dt", type=float, default=0.5)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    pts = [Params(0.06, 0.3, 0.3, float(T), 0.0) for T in np.linspace(0.05, 1.0, args.points)]
    device = FakeManilaV2()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sampler = SamplerV2(mode=device)
    sampler.options.simulator.seed_simulator = 7
    kw = dict(shots=args.shots, seed=3, dt=args.dt, steps=args.steps, analysis=False)
    runs: dict[str, pr.PubSweep] = {}

    def route(name: str, **extra: object):  # type: ignore[no-untyped-def]
        def f() -> None:
            runs[name] = pr.run_sweep(pts, **kw, **extra)  # type: ignore[arg-type]
        return f

    rows = [
        ("Aer SamplerV2, no device (baseline)", best_of(route("aer"), args.repeats)[0]),
        ("transpile to FakeManilaV2, level 3", best_of(lambda: device_circuits(
            CircuitParameters.create(), args.steps, device, seed=TSEED), args.repeats)[0]),
        ("backend=FakeManilaV2 (Aer density matrix)", best_of(route("backend", backend=device,
                                                                    seed_transpiler=TSEED), args.repeats)[0]),
        ("runtime SamplerV2(mode=FakeManilaV2)", best_of(route("runtime", sampler=sampler,
                                                               seed_transpiler=TSEED), args.repeats)[0]),
    ]
    base = rows[0][1]
    print(f"# python {platform.python_version()}, qiskit {qiskit.__version__}, qiskit-aer {qiskit_aer.__version__}, "
          f"qiskit-ibm-runtime {qiskit_ibm_runtime.__version__}; points {args.points}, shots/basis {args.shots}, "
          f"dt {args.dt}, steps {args.steps}, best of {args.repeats}")
    print(f"{'route':<46} {'time [s]':>9} {'ratio':>7}")
    for name, t in rows:
        print(f"{name:<46} {t:>9.2f} {t / base:>7.1f}")
    dev = device_circuits(CircuitParameters.create(), args.steps, device, seed=TSEED, creg=pr.CREG)
    for name, readout in (("runtime", "properties"), ("backend", "target")):
        want = predicted(device, dev.circuits, pts, args.dt, readout)
        z = (runs[name].bloch - want) / runs[name].stderr
        print(f"{name}: max |z| vs the noisy density matrix {np.max(np.abs(z)):.2f} over {z.size} components; "
              f"layout {runs[name].layout}, measured qubit {runs[name].measured_qubit}, "
              f"budget two-qubit gates {runs[name].budget['two_qubit_gates'] if runs[name].budget else None}")


if __name__ == "__main__":
    main()
