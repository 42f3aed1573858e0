"""Chain sweeps on the sweep engine: records equal direct exact solves, resume, Dask, config errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qc_reset._checks import InputError
from qc_reset.cli import main
from qc_reset.model.chain import Chain, Site
from qc_reset.model.chain.exact import chain_exact_steady
from qc_reset.workflows.sweep import load_config, parse_config, read_results, run_sweep
from qc_reset.workflows.sweep.chain_sweep import ChainSweepConfig, chain_at

TEMPLATE = """
[[site]]
bath = "heat"
p = 0.3
T = 0.1
[[site]]
bath = "none"
[[site]]
bath = "spin"
p = 0.3
T = 0.02
[bonds]
g = 0.06
"""

SMALL = TEMPLATE + """
[grid]
N = [3, 4]
g = [0.05, 0.2]
"site.0.T" = [0.05, 0.5]
[run]
seed = 3
chunk = 3
"""


def _write(tmp_path: Path, text: str, name: str = "chain_sweep.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_records_equal_direct_solves(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, SMALL))
    assert isinstance(cfg, ChainSweepConfig) and len(cfg) == 8
    records = run_sweep(cfg, tmp_path / "out", progress=False)
    assert [r["index"] for r in records] == list(range(8))
    r5 = records[5]  # N = 4 (second), g = 0.05 (first), T = 0.5 (second): index 1*4 + 0*2 + 1
    assert (r5["N"], r5["g"], r5["site.0.T"]) == (4, 0.05, 0.5)
    chain = Chain((Site("heat", 0.3, 0.5), Site(), Site(), Site("spin", 0.3, 0.02)), 0.05)
    ref = chain_exact_steady(chain)
    np.testing.assert_allclose([s["bloch"] for s in r5["chain"]["sites"]], ref.blochs, atol=1e-14, rtol=0)
    np.testing.assert_allclose(r5["chain"]["concurrence"], ref.concurrence or (), atol=1e-14, rtol=0)
    assert r5["chain"]["residual"] < 1e-12 and "seconds" not in r5["chain"]
    assert "chain.sites" in (tmp_path / "out" / "results.csv").read_text().splitlines()[0]


def test_length_axis_repeats_the_interior() -> None:
    template = {"sites": [{"bath": "heat", "p": 0.3, "T": 0.1}, {"bath": "none"}, {"bath": "spin", "p": 0.2, "T": 0.0,
                                                                                   "omega": 1.2}], "g": 0.1}
    chain = chain_at(template, {"N": 6, "site.-1.T": 0.4})
    assert [s.bath for s in chain.sites] == ["heat", "none", "none", "none", "none", "spin"]
    assert chain.sites[-1].T == 0.4 and chain.sites[-1].omega == 1.2 and chain.g == (0.1,) * 5
    assert chain_at(template, {"N": 3}).sites[1].bath == "none"


def test_resume_after_lost_lines_and_changed_config(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, SMALL))
    out = tmp_path / "out"
    full = run_sweep(cfg, out, progress=False)
    lines = (out / "results.jsonl").read_text().splitlines(keepends=True)
    (out / "results.jsonl").write_text("".join(lines[:4]))
    resumed = run_sweep(cfg, out, resume=True, progress=False)
    assert resumed == full
    changed = load_config(_write(tmp_path, SMALL.replace("seed = 3", "seed = 4"), "changed.toml"))
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(changed, out, resume=True, progress=False)


def test_dask_local_cluster_matches_local(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, SMALL))
    local = run_sweep(cfg, tmp_path / "local", progress=False)
    dask = run_sweep(cfg, tmp_path / "dask", executor="dask", n_workers=2, progress=False)
    assert dask == local


def test_cli_sweep_runs_a_chain_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, TEMPLATE + '[grid]\n"site.2.p" = [0.3, 1.0]\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "cli"), "--no-progress"]) == 0
    assert "2 points" in capsys.readouterr().out
    recs = read_results(tmp_path / "cli")
    assert json.loads(json.dumps(recs[1]["chain"]["sites"][2]["bloch"])) == pytest.approx(
        chain_exact_steady(Chain((Site("heat", 0.3, 0.1), Site(), Site("spin", 1.0, 0.02)), 0.06)).sites[2].bloch,
        abs=1e-14)


BAD = [
    (TEMPLATE + "[grid]\nh = [1, 2]\n", "unknown axis grid.'h'"),
    (TEMPLATE, "needs a [grid] table"),
    (TEMPLATE + '[grid]\n"site.5.T" = [0.1]\n', "site index 5 outside the 3-site chain"),
    (TEMPLATE + '[grid]\n"site.1.T" = [0.1]\n', "site[1].T must be 0"),
    (TEMPLATE + "[grid]\ng = [0.1, 0.0]\n", "no bath and no nonzero bond"),
    (TEMPLATE + "[grid]\nN = [3, 12]\n", "memory"),
    (TEMPLATE + "[grid]\nN = [2.5]\n", "grid.N values must be integers"),
    (TEMPLATE.replace('[[site]]\nbath = "none"\n', "") + "[grid]\nN = [4]\n", "at least 3 sites"),
    (TEMPLATE + '[grid]\ng = [0.1]\n[outputs]\ncompute = ["exact"]\n', "computes [\"chain\"] only"),
    (TEMPLATE + "[grid]\ng = [0.1]\n[run]\norder = 2\n", "unknown key(s) run.order"),
    (TEMPLATE + "[grid]\ng = [0.1]\n[run]\nsolver = \"lu\"\n", "run.solver must be one of"),
    (TEMPLATE + "[grid]\ng = {start = 0, stop = 1, num = 200001}\n", "number of points"),
    (TEMPLATE + "[grid]\ng = [0.1]\n[extra]\n", "unknown section(s) 'extra'"),
]


@pytest.mark.parametrize(("text", "match"), BAD, ids=range(len(BAD)))
def test_config_errors_name_the_key(text: str, match: str) -> None:
    import tomllib

    with pytest.raises(InputError) as info:
        parse_config(tomllib.loads(text))
    assert match in str(info.value)


def test_grid_configs_cannot_name_the_chain_kind() -> None:
    with pytest.raises(InputError, match="outputs.compute"):
        parse_config({"grid": {"g": 0.1, "p1": 0.3, "p2": 0.3, "T1": 0.1, "T2": 0.0},
                      "outputs": {"compute": ["chain"]}})


def test_config_round_trip() -> None:
    import tomllib

    cfg = parse_config(tomllib.loads(SMALL))
    again = ChainSweepConfig.from_dict(cfg.to_dict())
    assert again == cfg and again.fingerprint() == cfg.fingerprint()
    assert [again.point(i) for i in range(len(cfg))] == list(cfg.points())
