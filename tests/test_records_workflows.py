"""Records of the workflow layer: the sweep config is frozen and round-trips through plain data and JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from qc_reset._checks import InputError
from qc_reset._version import OPTIONAL_EXTRAS, install_hint
from qc_reset.io import json_safe, load_json, read_results, save_json, to_json
from qc_reset.workflows.sweep import SweepConfig, evaluate_chunk, parse_config, run_sweep
from qc_reset.workflows.sweep.parse import load_config

DOC = {
    "grid": {"g": {"start": 0.01, "stop": 0.2, "num": 3}, "p1": [0.1, 0.3], "p2": "p1", "T1": 0.1,
             "T2": [0.0, 0.05]},
    "outputs": {"compute": ["exact", "perturbative"]},
    "run": {"seed": 7, "chunk": 4, "order": 1, "level": 0.9},
}


def test_sweep_config_is_frozen() -> None:
    cfg = parse_config(DOC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.seed = 8  # type: ignore[misc]


def test_sweep_config_round_trips_through_dict_and_json(tmp_path: Path) -> None:
    cfg = parse_config(DOC)
    back = SweepConfig.from_dict(cfg.to_dict())
    assert back == cfg
    assert back.fingerprint() == cfg.fingerprint()
    assert [back.point(i) for i in range(len(back))] == [cfg.point(i) for i in range(len(cfg))]
    save_json(cfg, tmp_path / "cfg.json")
    again = SweepConfig.from_dict(load_json(tmp_path / "cfg.json"))
    assert again == cfg and again.fingerprint() == cfg.fingerprint()
    assert json.loads(to_json(cfg)) == json_safe(cfg.to_dict())


def test_sweep_config_from_dict_refuses_other_keys() -> None:
    data = parse_config(DOC).to_dict()
    with pytest.raises(InputError, match="keys"):
        SweepConfig.from_dict({**data, "extra": 1})
    with pytest.raises(InputError, match="dict"):
        SweepConfig.from_dict([data])  # type: ignore[arg-type]


def test_record_check_matches_the_records_it_wrote(tmp_path: Path) -> None:
    cfg = parse_config(DOC)
    records = run_sweep(cfg, tmp_path / "o", progress=False)
    check = cfg.record_check()
    assert all(check(r) is None for r in records)
    assert check({**records[0], "seed": records[0]["seed"] + 1}) == "seed differs from point 0's"
    assert read_results(tmp_path / "o", cfg) == records == read_results(tmp_path / "o")
    assert evaluate_chunk([(0, cfg.point(0))], cfg.outputs, cfg.seed, cfg.options)[0]["seed"] == records[0]["seed"]


def test_run_options_use_the_shared_validators(tmp_path: Path) -> None:
    for run, key in (({"order": 3}, "run.order"), ({"order": True}, "run.order"),
                     ({"realization": "x" * 500}, "run.realization"), ({"level": 1.0}, "run.level"),
                     ({"n_resamples": 0}, "run.n_resamples")):
        with pytest.raises(InputError, match=key) as info:
            parse_config({**DOC, "run": run})
        assert len(str(info.value)) < 300
    path = tmp_path / "c.toml"
    path.write_text('[grid]\ng = 0.1\np1 = 0.1\np2 = 0.1\nT1 = 0.1\nT2 = 0\n[run]\norder = 2\n')
    assert load_config(path).options == {"order": 2}


def test_install_hint_is_the_readme_spelling() -> None:
    assert install_hint("dask") == 'pip install -e ".[dask]"'
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for package in OPTIONAL_EXTRAS:
        assert install_hint(package) in readme
