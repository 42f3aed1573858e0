"""The API reference plan (docs/_ext/apigen.py) covers every public name of the package.

The built HTML is checked against the same plan by ``docs/check_api.py`` after the Sphinx build.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import apigen  # noqa: E402


@pytest.fixture(scope="module")
def plan() -> dict[str, apigen.ModulePlan]:
    return apigen.plan()


def test_every_public_module_is_planned(plan: dict[str, apigen.ModulePlan]) -> None:
    for layer in ("qc_reset", "qc_reset.model", "qc_reset.stats", "qc_reset.circuits", "qc_reset.run",
                  "qc_reset.workflows", "qc_reset.cli", "qc_reset.io", "qc_reset._checks"):
        assert layer in plan
    for name in plan:
        assert name.rpartition(".")[2] not in apigen.COMPAT or name.count(".") > 1


def test_every_name_of_all_is_documented_once(plan: dict[str, apigen.ModulePlan]) -> None:
    documented = {f"{m}.{n}" for m, p in plan.items() for n in p.own}
    for module, p in plan.items():
        mod = importlib.import_module(module)
        assert sorted(p.targets) == sorted(mod.__all__), module
        for name, target in p.reexports.items():
            assert target in documented, f"{module}.{name} links to {target}, which no page documents"
            home, _, attr = target.rpartition(".")
            assert getattr(importlib.import_module(home), attr) is getattr(mod, name)


def test_pages_are_generated(tmp_path: Path, plan: dict[str, apigen.ModulePlan]) -> None:
    apigen.write_pages(tmp_path)
    pages = {p.stem for p in tmp_path.glob("*.rst")}
    assert pages == set(plan) | {"index", "compat"}
    index = (tmp_path / "index.rst").read_text()
    for module in plan:
        assert f"   {module}\n" in index
    compat = (tmp_path / "compat.rst").read_text()
    for module in apigen.compat_modules():
        assert f"``{module}``" in compat
