"""An emulated shot run of the dynamic_fresh design on a Heron fake backend, with readout mitigation.

The N-collision circuit (``N`` collisions of the operating point found by tools/hardware_table.py, read
from its ``hardware.json``) is transpiled as a whole to the device (level 3, seed 0), the native X/Y/Z
rotation and a measurement of paper qubit 1's final physical qubit are appended, and the three circuits
run on ``AerSimulator.from_backend(device)`` with ``--shots`` shots per basis (the mid-circuit
measurements and ``if_test`` resets are sampled shot by shot). The readout of that qubit is calibrated
with as many shots per prepared state, the counts are mitigated (``stats.mitigation.mitigate_estimate``)
and analysed (``stats.tomography.analyze_estimate``: union-bound witness at 95 %). The estimate is
compared with the exact noisy fixed point of the same noise (``timeline=False``: the errors
``NoiseModel.from_backend`` attaches; Aer cannot schedule idle time around control flow) and with the
full-device-noise fixed point::

    nice -n 10 python tools/heron_shot_run.py --backend FakeTorino --shots 100000
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

from qc_reset.circuits.measurement import append_native_measurement
from qc_reset.model.collision import CollisionParams
from qc_reset.run.backends import fake_backend, transpile_to
from qc_reset.run.designs import collision_circuit
from qc_reset.run.noisy_fixed_point import noisy_fixed_point
from qc_reset.stats.mitigation import mitigate_estimate
from qc_reset.stats.tomography import analyze_estimate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="FakeTorino")
    parser.add_argument("--shots", type=int, default=100_000)
    parser.add_argument("--json", default="docs/figures/hardware/hardware.json")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from qiskit import ClassicalRegister, QuantumCircuit
    from qiskit.result import marginal_counts
    from qiskit_aer import AerSimulator

    rows = json.loads(Path(args.json).read_text())["rows"]
    row = next(r for r in rows if r["kind"] == "operating" and r["backend"] == args.backend
               and r["design"] == "dynamic_fresh")
    cp = CollisionParams(**row["collision"])
    n = int(row["collisions"])
    be = fake_backend(args.backend)
    t0 = time.perf_counter()
    one = collision_circuit("dynamic_fresh", cp)
    qc = one.copy_empty_like()
    for _ in range(n):
        qc.compose(one, inplace=True)
    m = ClassicalRegister(1, "m")
    qc.add_register(m)
    tqc = transpile_to(qc, be, seed=0, optimization_level=3)
    phys = tqc.layout.final_index_layout()[1]
    circuits = []
    for basis in "XYZ":
        c = tqc.copy()
        append_native_measurement(c, basis, phys, c.clbits[-1])
        circuits.append(c)
    cal = []
    for bit in (0, 1):
        c = QuantumCircuit(be.num_qubits, 1)
        if bit:
            c.x(phys)
        c.measure(phys, 0)
        cal.append(c)
    sim = AerSimulator.from_backend(be, method="statevector")
    res = sim.run(circuits + cal, shots=args.shots, seed_simulator=args.seed).result()
    index = tqc.num_clbits - 1  # the tomography bit: the last clbit
    counts = np.zeros((3, 2), dtype=np.int64)
    for k in range(3):
        mc = marginal_counts(res.get_counts(k), indices=[index])
        counts[k] = [mc.get("0", 0), mc.get("1", 0)]
    zeros = np.array([res.get_counts(3 + j).get("0", 0) for j in (0, 1)]) / args.shots
    A = np.array([zeros, 1 - zeros])
    est, cov = mitigate_estimate(counts, A, args.shots)
    result = analyze_estimate(est, cov, seed=args.seed)
    gate_only = noisy_fixed_point("dynamic_fresh", cp, None, be, timeline=False)
    full = noisy_fixed_point("dynamic_fresh", cp, None, be)
    z = (result.bloch - gate_only.bloch) / result.stderr
    w = result.magic_witness
    print(f"{args.backend}: dynamic_fresh, {n} collisions, {tqc.count_ops().get('cz', 0)} CZ in the whole "
          f"circuit, measured physical qubit {phys}, {args.shots} shots per basis (+ calibration), "
          f"{time.perf_counter() - t0:.0f} s")
    print(f"  collision: {cp.to_dict()}")
    print(f"  readout assignment A = {A.round(4).tolist()}")
    print(f"  mitigated Bloch {np.round(result.bloch, 4).tolist()} +- {np.round(result.stderr, 4).tolist()}")
    print(f"  exact fixed point, gate + readout noise: {np.round(gate_only.bloch, 4).tolist()} "
          f"(||r||_1 = {gate_only.l1_norm:.4f}); z = {np.round(z, 2).tolist()}")
    print(f"  exact fixed point, full device noise: {np.round(full.bloch, 4).tolist()} "
          f"(||r||_1 = {full.l1_norm:.4f})")
    print(f"  ||r||_1 estimate {float(np.abs(result.bloch).sum()):.4f}; witness W = {w.value:+.4f} "
          f"[{w.ci[0]:+.4f}, {w.ci[1]:+.4f}] (95 %): {w.verdict}")


if __name__ == "__main__":
    main()
