"""The package's layers, read from its source: imports point only down, no cycles, no private reach.

Layers (lowest first): ``_checks``/``_version``/``io`` < ``model`` < ``stats``, ``circuits`` < ``run``
< ``workflows`` < ``cli``; ``stats`` depends on ``model`` alone and ``circuits`` does not use
``stats``. The top-level ``qc_reset/__init__.py`` and the compatibility modules beside it are
facades: they may import anything, and nothing inside the layers may import them. Every import
counts, at module level or inside a function (a lazy import still is a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qc_reset"

#: Rank of each layer; a module may import its own layer or a lower rank, except the pairs in
#: FORBIDDEN (sibling layers that must stay independent).
RANK = {"base": 0, "model": 1, "stats": 2, "circuits": 2, "run": 3, "workflows": 4, "cli": 5}
FORBIDDEN = {("stats", "circuits"), ("circuits", "stats")}
BASE_MODULES = {"_checks", "_version", "io"}
#: Largest module allowed without a docstring saying it is one concept.
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(("qc_reset",) + parts)] = path
    return out


MODULES = _modules()


def _layer(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts:
        return "facade"
    if parts[0] in RANK and len(parts) >= 1 and (PACKAGE / parts[0]).is_dir():
        return parts[0]
    if parts[0] in BASE_MODULES:
        return "base"
    return "facade"


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    pkg = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = pkg[: len(pkg) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import of the package itself."""
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names if a.name.split(".")[0] == "qc_reset"]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            if target.split(".")[0] != "qc_reset":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # `from pkg import module`
                    out.append((sub, None, node.lineno))
                else:
                    out.append((target, alias.name, node.lineno))
    return out


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def _edges() -> list[tuple[str, str, int]]:
    return [(m, t, line) for m, deps in GRAPH.items() for t, _, line in deps if t in MODULES and t != m]


def test_graph_was_read() -> None:
    # A guard against a vacuous pass: the package has layers and they import each other.
    layers = {_layer(m) for m in MODULES}
    assert {"model", "circuits", "stats", "run", "workflows", "cli"} <= layers
    assert len(_edges()) > 50


def test_imports_point_down() -> None:
    bad = []
    for src, dst, line in _edges():
        a, b = _layer(src), _layer(dst)
        if a == "facade":
            continue
        if b == "facade":
            bad.append(f"{MODULES[src].name}:{line} {src} -> {dst} (a facade)")
        elif RANK[b] > RANK[a] or (a, b) in FORBIDDEN:
            bad.append(f"{src}:{line} -> {dst} ({a} may not import {b})")
    assert not bad, "imports that point up a layer:\n" + "\n".join(bad)


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for src, dst, _ in _edges():
        # A package's __init__ re-exporting its own submodules is not a dependency cycle.
        if dst.startswith(src + "."):
            continue
        graph[src].add(dst)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_private_names_across_modules() -> None:
    bad = [
        f"{src}:{line} imports {name} from {dst}"
        for src, deps in GRAPH.items()
        for dst, name, line in deps
        if name is not None and _private(name) and dst != src
    ]
    bad += _private_attribute_uses()
    assert not bad, "\n".join(bad)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_attribute_uses() -> list[str]:
    """``alias._name`` where ``alias`` is another module of the package bound by an import."""
    bad = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, path, node)
                for a in node.names:
                    if f"{target}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{target}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in MODULES and a.asname:
                        aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and _private(node.attr) and aliases[node.value.id] != module):
                bad.append(f"{module}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    return bad


def test_modules_stay_small_or_say_why() -> None:
    big = []
    for module, path in MODULES.items():
        n = len(path.read_text().splitlines())
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if n > MAX_LINES and "one concept" not in doc.lower():
            big.append(f"{module}: {n} lines")
    assert not big, f"modules over {MAX_LINES} lines without saying they are one concept:\n" + "\n".join(big)


@pytest.mark.parametrize("layer", ["model", "stats"])
def test_numpy_layers_do_not_import_qiskit(layer: str) -> None:
    offenders = []
    for module, path in MODULES.items():
        if _layer(module) != layer:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{module}: {n}" for n in names if n.split(".")[0] in {"qiskit", "qiskit_aer", "matplotlib"}]
    assert not offenders, "\n".join(offenders)
