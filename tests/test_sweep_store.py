"""The sweep store cannot lose, duplicate or mix records; configs are bounded; Dask waits are bounded."""

from __future__ import annotations

import errno
import itertools
import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.cli import main
from qc_reset.model import measures, validate_params
from qc_reset.model.steady import steady_bloch
from qc_reset.workflows.sweep import MAX_POINTS, load_config, parse_config, read_results, run_sweep, store

SMALL = """
[grid]
g = {start = 0.01, stop = 0.2, num = 4}
p1 = [0.1, 0.3]
p2 = "p1"
T1 = 0.1
T2 = [0.0, 0.05]
[outputs]
compute = ["exact"]
[run]
seed = 7
chunk = 3
"""
N_SMALL = 16


def _cfg(tmp_path: Path, text: str = SMALL, name: str = "cfg.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture
def finished(tmp_path: Path) -> tuple[Path, Path, list[dict[str, object]]]:
    """A completed small sweep: (config path, output folder, its records)."""
    cfg = _cfg(tmp_path)
    out = tmp_path / "out"
    recs = run_sweep(load_config(cfg), out, progress=False)
    return cfg, out, recs


def _lines(out: Path) -> list[bytes]:
    return (out / "results.jsonl").read_bytes().split(b"\n")


def _resume(cfg: Path, out: Path, log: list[str] | None = None) -> list[dict[str, object]]:
    sink = log if log is not None else []
    return run_sweep(load_config(cfg), out, resume=True, progress=False, log=sink.append)


# --------------------------------------------------------------------------- the folder lock
def test_second_writer_is_refused_while_the_lock_is_held(finished: tuple[Path, Path, list]) -> None:
    cfg, out, _ = finished
    errors: list[BaseException] = []
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.folder_lock(out):
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert holding.wait(30)
        try:
            _resume(cfg, out)
        except InputError as exc:
            errors.append(exc)
    finally:
        release.set()
        t.join()
    assert len(errors) == 1
    assert "in use by another sweep" in str(errors[0]) and str(out) in str(errors[0])
    assert len(_resume(cfg, out)) == N_SMALL  # free again once the holder is done


def test_second_process_is_refused_at_once_with_the_pid(finished: tuple[Path, Path, list]) -> None:
    import os

    cfg, out, _ = finished
    before = (out / "results.jsonl").read_bytes()
    with store.folder_lock(out):
        proc = subprocess.run([sys.executable, "-m", "qc_reset.cli", "sweep", str(cfg), "--out", str(out),
                               "--resume", "--no-progress"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error:") and proc.stderr.count("\n") == 1
    assert f"(pid {os.getpid()})" in proc.stderr and str(out) in proc.stderr
    assert (out / "results.jsonl").read_bytes() == before


def test_concurrent_cli_sweeps_write_each_point_once(tmp_path: Path) -> None:
    """Two sweeps started together, then two resumes together: one writer at a time, N records."""
    cfg, out = _cfg(tmp_path), tmp_path / "out"

    def start(*extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "qc_reset.cli", "sweep", str(cfg), "--out", str(out),
                                 "--no-progress", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    for extra in ((), ("--resume",)):  # the second pair starts after the first has ended
        procs = [start(*extra), start(*extra)]
        codes = [p.wait(timeout=120) for p in procs]
        errs = [p.communicate()[1] for p in procs]
        assert set(codes) <= {0, 2} and (codes.count(0) == 1 or bool(extra)), (codes, errs)
        for code, err in zip(codes, errs, strict=True):
            if code == 2:  # refused at once: locked, or (if it came late) the folder has a sweep
                assert ("in use by another sweep" in err or "already holds a sweep" in err), err
        lines = (out / "results.jsonl").read_bytes().splitlines()
        assert sorted(json.loads(x)["index"] for x in lines) == list(range(N_SMALL))


def test_new_sweep_refuses_a_folder_with_a_sweep(finished: tuple[Path, Path, list], tmp_path: Path) -> None:
    cfg, out, _ = finished
    (out / "results.jsonl").unlink()  # even with no records yet, sweep.json claims the folder
    with pytest.raises(InputError, match="already holds a sweep.*--resume"):
        run_sweep(load_config(cfg), out, progress=False)


# --------------------------------------------------------------------------- sweep.json
def test_resume_requires_sweep_json(finished: tuple[Path, Path, list]) -> None:
    cfg, out, _ = finished
    (out / "sweep.json").unlink()
    with pytest.raises(InputError, match="sweep.json is missing"):
        _resume(cfg, out)


@pytest.mark.parametrize("content", [b"[1, 2]", b"{}", b"\xff\xfe{", b'{"fingerprint": 3}', b""],
                         ids=["list", "empty-object", "not-utf8", "bad-type", "empty-file"])
def test_damaged_sweep_json_is_an_input_error_naming_it(finished: tuple[Path, Path, list], content: bytes,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    cfg, out, _ = finished
    (out / "sweep.json").write_bytes(content)
    assert main(["sweep", str(cfg), "--out", str(out), "--resume", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1 and "sweep.json" in err


def test_sweep_json_is_written_once(finished: tuple[Path, Path, list]) -> None:
    cfg, out, _ = finished
    meta = out / "sweep.json"
    before = (meta.read_bytes(), meta.stat().st_ino, meta.stat().st_mtime_ns)
    _resume(cfg, out)
    assert (meta.read_bytes(), meta.stat().st_ino, meta.stat().st_mtime_ns) == before
    data = json.loads(meta.read_bytes())
    assert data["points"] == N_SMALL and data["chunk"] == 3 and data["schema"] >= 2


@pytest.mark.parametrize(("old", "new"), [("chunk = 3", "chunk = 4"), ("seed = 7", "seed = 8"),
                                           ('compute = ["exact"]', 'compute = ["exact", "perturbative"]'),
                                           ("T1 = 0.1", "T1 = 0.2")], ids=["chunk", "seed", "outputs", "grid"])
def test_fingerprint_covers_what_changes_records(finished: tuple[Path, Path, list], tmp_path: Path,
                                                 old: str, new: str) -> None:
    _, out, _ = finished
    changed = _cfg(tmp_path, SMALL.replace(old, new), "changed.toml")
    with pytest.raises(InputError, match="different sweep"):
        _resume(changed, out)


# --------------------------------------------------------------------------- records on read
def test_complete_last_record_without_newline_is_kept(finished: tuple[Path, Path, list]) -> None:
    cfg, out, full = finished
    path = out / "results.jsonl"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    log: list[str] = []
    resumed = _resume(cfg, out, log)
    assert resumed == full and log == []
    assert path.read_bytes().endswith(b"}\n") and path.read_bytes().count(b"\n") == N_SMALL
    assert (out / "results.csv").read_text().count("\n") == N_SMALL + 1
    assert not (out / store.QUARANTINE).exists()


def test_torn_last_record_is_quarantined_and_recomputed(finished: tuple[Path, Path, list]) -> None:
    cfg, out, full = finished
    lines = _lines(out)
    torn = lines[N_SMALL - 1][:25]
    (out / "results.jsonl").write_bytes(b"\n".join(lines[: N_SMALL - 1]) + b"\n" + torn)
    log: list[str] = []
    assert _resume(cfg, out, log) == full
    assert (out / store.QUARANTINE).read_bytes() == torn + b"\n"
    assert len(log) == 1 and f"results.jsonl line {N_SMALL}" in log[0] and "quarantine" in log[0]


DAMAGED = {
    "index-out-of-range": lambda rec: json.dumps({**rec, "index": 10000}).encode(),
    "number": lambda rec: b"123",
    "empty-object": lambda rec: b"{}",
    "not-utf8": lambda rec: b"\xff\xfe\xfd garbage",
    "bool-index": lambda rec: json.dumps({**rec, "index": True}).encode(),
    "other-grid": lambda rec: json.dumps({**rec, "T1": 0.25}).encode(),
    "missing-output": lambda rec: json.dumps({k: v for k, v in rec.items() if k != "exact"}).encode(),
    "wrong-seed": lambda rec: json.dumps({**rec, "seed": rec["seed"] + 1}).encode(),
}


@pytest.mark.parametrize("kind", list(DAMAGED))
def test_damaged_middle_line_is_reported_quarantined_and_recomputed(finished: tuple[Path, Path, list],
                                                                     kind: str) -> None:
    cfg, out, full = finished
    lines = _lines(out)
    bad = DAMAGED[kind](json.loads(lines[7]))
    lines[7] = bad
    (out / "results.jsonl").write_bytes(b"\n".join(lines))
    log: list[str] = []
    resumed = _resume(cfg, out, log)
    assert resumed == full  # the point behind line 8 was recomputed, nothing else changed
    assert len(log) == 1 and "results.jsonl line 8" in log[0]
    assert (out / store.QUARANTINE).read_bytes() == bad + b"\n"
    assert sorted(r["index"] for r in read_results(out)) == list(range(N_SMALL))


def test_duplicate_records_are_quarantined_not_kept(finished: tuple[Path, Path, list]) -> None:
    cfg, out, full = finished
    path = out / "results.jsonl"
    data = path.read_bytes()
    path.write_bytes(data + data)  # e.g. two writers of an older version
    log: list[str] = []
    assert _resume(cfg, out, log) == full
    assert len(log) == N_SMALL and path.read_bytes() == data
    assert all("repeats index" in m for m in log)


def test_records_of_another_grid_are_not_mixed_in(finished: tuple[Path, Path, list], tmp_path: Path) -> None:
    cfg, out, full = finished
    other = run_sweep(load_config(_cfg(tmp_path, SMALL.replace("T1 = 0.1", "T1 = 0.3"), "o.toml")),
                      tmp_path / "other", progress=False)
    assert len(other) == N_SMALL
    (out / "results.jsonl").write_bytes((tmp_path / "other" / "results.jsonl").read_bytes())
    log: list[str] = []
    assert _resume(cfg, out, log) == full
    assert len(log) == N_SMALL and all("grid values differ" in m for m in log)


def test_failed_csv_write_keeps_the_old_table(finished: tuple[Path, Path, list],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, out, _ = finished
    before = (out / "results.csv").read_bytes()

    def disk_full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("qc_reset.io.os.replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        _resume(cfg, out)
    assert (out / "results.csv").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".lock", "results.csv", "results.jsonl", "sweep.json"]


# --------------------------------------------------------------------------- config bounds
BASE = {"g": 0.1, "p1": 0.3, "p2": 0.3, "T1": 0.1, "T2": 0.02}


def _grid(**axes: object) -> dict[str, object]:
    return {"grid": {**BASE, **axes}}


@pytest.mark.parametrize(("doc", "match"), [
    (_grid(g={"start": 0.01, "stop": 0.2, "num": 10**3}, p1={"start": 0.1, "stop": 1, "num": 10**3},
           T1={"geomspace": [0.01, 1, 10**3]}), "above the limit"),
    (_grid(g={"start": 0.01, "stop": 0.2, "num": 10**18}), "grid.g: the number of points"),
    (_grid(g={"start": 0.01, "stop": 0.2, "num": MAX_POINTS + 1}), "grid.g: the number of points"),
    (_grid(dt="g"), "ties exist only"),
    (_grid(shots="p1"), "ties exist only"),
    ({**_grid(), "outputs": {"compute": 3}}, "outputs.compute"),
    ({**_grid(), "outputs": {"compute": ["exact", "exact"]}}, "twice"),
    ({**_grid(), "outputs": {"compute": [["exact"]]}}, "outputs.compute"),
    ({**_grid(), "run": 3}, r"\[run\] must be a table"),
    ({**_grid(), "outputs": 3}, r"\[outputs\] must be a table"),
    ({"grid": [1, 2]}, r"missing \[grid\]"),
    ({**_grid(), "run": {"chunk": 10**18}}, "run.chunk"),
    ({**_grid(), "run": {"seed": 2**64}}, "run.seed"),
    ({**_grid(), "run": {"order": True}}, "run.order"),
    (_grid(g=[0.1, 2**1100]), "grid.g"),
    (_grid(shots=[10**30]), "grid.shots"),
], ids=["1e9-grid", "num-1e18", "num-above-limit", "dt-tie", "shots-tie", "compute-int", "compute-dup",
        "compute-nested", "run-int", "outputs-int", "grid-list", "chunk-huge", "seed-huge", "order-bool",
        "int-overflow", "shots-huge"])
def test_bounded_config_errors(doc: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_config(doc)


def test_grid_limit_is_on_points_not_values() -> None:
    n = int(round(MAX_POINTS ** (1 / 2)))
    side = {"start": 0.01, "stop": 0.2, "num": n}
    with pytest.raises(InputError, match="above the limit"):
        parse_config(_grid(g=side, p1={"start": 0.1, "stop": 1.0, "num": n + 1}))


def test_toml_size_depth_and_encoding_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = "[grid]\ng = 0.1\np1 = 0.3\nT1 = 0.1\nT2 = 0.02\n"
    cases = {
        "big.toml": (head + 'p2 = "' + "x" * (2 << 20) + '"\n', "at most"),
        "long.toml": (head + 'p2 = "' + "x" * 500_000 + '"\n', "grid.p2"),
        "noise.toml": (head + 'p2 = 0.3\nnoise = "depol=' + "1" * 500_000 + '"\n', "grid.noise"),
        "deep.toml": (head + "p2 = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    }
    for name, (text, match) in cases.items():
        path = _cfg(tmp_path, text, name)
        with pytest.raises(InputError, match=match):
            load_config(path)
        assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and err.count("\n") == 1 and len(err) < 400, name
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(SMALL.replace("seed = 7", "# caf\xe9\nseed = 7").encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_config(bad)


def _brute_force_ok(doc: dict[str, dict[str, object]]) -> bool:
    """The per-point check of the former implementation: every point through the validators."""
    from qc_reset.model.steady import require_unique

    axes = {k: (v if isinstance(v, list) else [v]) for k, v in doc["grid"].items()}
    free = [k for k in BASE if not isinstance(axes[k][0], str)]
    pts = []
    for vals in itertools.product(*(axes[k] for k in free)):
        p = dict(zip(free, vals, strict=True))
        for k in BASE:
            if k not in p:
                p[k] = p[axes[k][0]]  # type: ignore[index]
        pts.append(p)
    try:
        arrs = validate_params(*(np.array([p[k] for p in pts], dtype=float) for k in BASE))
        require_unique(arrs[0], arrs[1], arrs[2])
    except ValueError:
        return False
    return True


def test_per_axis_validation_agrees_with_per_point_validation() -> None:
    rng = np.random.default_rng(5)
    choices = [0.0, 1e-9, 0.1, 0.7]
    for _ in range(300):
        grid: dict[str, object] = {}
        for k in ("g", "p1", "p2"):
            grid[k] = sorted(set(rng.choice(choices, size=rng.integers(1, 3)).tolist()))
        grid["T1"], grid["T2"] = 0.1, 0.02
        tie = rng.integers(0, 4)
        if tie == 1:
            grid["p2"] = "p1"
        elif tie == 2:
            grid["g"] = "p2"
        doc = {"grid": grid}
        try:
            parse_config(doc)
            ok = True
        except ValueError:
            ok = False
        assert ok == _brute_force_ok(doc), grid


# --------------------------------------------------------------------------- perturbative record
def test_perturbative_record_names_max_facet_and_stores_the_norm(tmp_path: Path) -> None:
    text = """
[grid]
g = [0.002, 0.3]
p1 = 0.1
p2 = 0.3
T1 = 0.1
T2 = 0.02
[outputs]
compute = ["exact", "perturbative"]
"""
    recs = run_sweep(load_config(_cfg(tmp_path, text)), tmp_path / "o", progress=False)
    small, large = (r["perturbative"] for r in recs)
    for rec in (small, large):
        assert rec["l1_norm"] == max(abs(f) for f in rec["facets"]) >= 0
        assert rec["max_facet"] == max(rec["facets"])
        assert rec["magic"] == (rec["l1_norm"] > 1)
    assert large["max_facet"] < 0  # where the O(g^2) series breaks down, max(facets) is no norm
    # At small g the O(g^2) estimate of ||r||_1 matches the exact solver to O(g^3).
    exact = float(measures.l1_norm(steady_bloch(0.002, 0.1, 0.3, 0.1, 0.02)))
    SERIES_TOL = 1e-5  # O(g^3) with g = 2e-3 and coefficients ~ 1/p1^2 = 100 (Eq. 9's b)
    assert small["l1_norm"] == pytest.approx(exact, abs=SERIES_TOL)


# --------------------------------------------------------------------------- Dask waits
def test_unsupported_scheduler_scheme_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _cfg(tmp_path)
    assert main(["sweep", str(cfg), "--out", str(tmp_path / "o"), "--executor", "dask",
                 "--scheduler", "ucx://127.0.0.1:1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "unsupported scheme" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()  # refused before anything was created


def test_unreachable_scheduler_fails_within_the_connect_timeout(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    with pytest.raises(InputError, match="could not connect.*within 1 s"):
        run_sweep(load_config(_cfg(tmp_path)), tmp_path / "o", executor="dask", scheduler="tcp://127.0.0.1:1",
                  connect_timeout=1.0, progress=False)
    assert not (tmp_path / "o" / "sweep.json").exists()  # connected before the store was created


def test_scheduler_without_workers_fails_with_a_message(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        with pytest.raises(InputError, match="no worker after 0.5 s"):
            run_sweep(load_config(_cfg(tmp_path)), tmp_path / "o", executor="dask",
                      scheduler=cluster.scheduler_address, worker_timeout=0.5, progress=False)
    assert read_results(tmp_path / "o") == [] and not (tmp_path / "o" / "sweep.json").exists()


def test_dask_refills_a_bounded_window_of_tasks(tmp_path: Path) -> None:
    """More blocks than the in-flight window (8 for one worker): every point once, as computed locally."""
    distributed = pytest.importorskip("dask.distributed")
    cfg = load_config(_cfg(tmp_path, SMALL.replace("chunk = 3", "chunk = 1")))
    local = run_sweep(cfg, tmp_path / "local", progress=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = run_sweep(cfg, tmp_path / "remote", executor="dask", scheduler=cluster.scheduler_address,
                           progress=False)
    assert remote == local
    assert (tmp_path / "remote" / "results.jsonl").read_bytes().count(b"\n") == N_SMALL
