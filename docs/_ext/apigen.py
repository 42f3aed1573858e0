"""Generate the API reference pages of ``qc_reset`` from each module's ``__all__``.

Every public module gets one page, ``docs/api/<module>.rst``, written when the build starts
(the folder is generated, not kept in git). A name in a module's ``__all__`` is documented
where it is *defined* (a top-level ``def``, ``class`` or assignment in that module's source);
a module that only re-exports a name links to that definition instead, so no object is
described twice. The compatibility modules at the top level get one page that lists what
each re-exports.

:func:`plan` is importable without Sphinx: ``tests/test_docs_api.py`` and
``docs/check_api.py`` use it to check that every name of every ``__all__`` has a page.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE = "qc_reset"

#: Flat modules of earlier versions: star re-exports of the layered modules.
COMPAT = (
    "exact", "measures", "critical", "perturbative", "records", "resolvent", "simulate",
    "tomography", "emulation", "noise", "sweep", "figures",
)

#: Reference sections: (title, module prefix, intro).
LAYERS = (
    ("Top level", "qc_reset", "The main entry points, re-exported from the layers."),
    ("Base modules", "qc_reset._base", "Validators and the input-error type, the version, atomic files, strict JSON."),
    ("Model", "qc_reset.model", "The exact model: numpy/scipy physics, no Qiskit."),
    ("Statistics", "qc_reset.stats", "Shot statistics on counts arrays, numpy only."),
    ("Circuits", "qc_reset.circuits", "Qiskit circuit builders; nothing is executed."),
    ("Execution", "qc_reset.run", "Simulators and backends, noise, tomography runs."),
    ("Workflows", "qc_reset.workflows", "Resumable sweeps and the paper's figures."),
    ("Command line", "qc_reset.cli", "The ``qc-reset`` command."),
)
BASE = ("qc_reset._checks", "qc_reset._version", "qc_reset.io")


@dataclass
class ModulePlan:
    """What one module's page documents (``own``) and links to (``reexports``: name -> target)."""

    name: str
    own: list[str] = field(default_factory=list)
    reexports: dict[str, str] = field(default_factory=dict)

    @property
    def targets(self) -> dict[str, str]:
        """Every name of ``__all__`` with the full name of the object that documents it."""
        out = {n: f"{self.name}.{n}" for n in self.own}
        out.update(self.reexports)
        return out


def public_modules() -> list[str]:
    """The documented modules: every module of the package except private and compatibility ones."""
    pkg = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(pkg.__path__, PACKAGE + "."):
        parts = info.name.split(".")[1:]
        if info.name in BASE:
            names.append(info.name)
        elif len(parts) == 1 and parts[0] in COMPAT:
            continue
        elif any(p.startswith("_") for p in parts):
            continue
        else:
            names.append(info.name)
    return names


def compat_modules() -> list[str]:
    return [f"{PACKAGE}.{m}" for m in COMPAT]


def _defined_names(module: Any) -> set[str]:
    """Names bound at top level (also inside top-level ``if``/``try``) by the module's own source."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return set()
    out: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(node.name)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            out.add(n.id)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
                out.add(node.target.id)
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for h in node.handlers:
                    visit(h.body)
                visit(node.orelse)
    visit(tree.body)
    return out


def plan(modules: list[str] | None = None) -> dict[str, ModulePlan]:
    """Map each documented module to the names its page defines and the ones it links to."""
    modules = public_modules() if modules is None else modules
    mods = {m: importlib.import_module(m) for m in modules}
    # A name is documented where it is both defined and listed in ``__all__``.
    defined = {m: _defined_names(mod) & set(getattr(mod, "__all__", [])) for m, mod in mods.items()}
    out: dict[str, ModulePlan] = {}
    for m, mod in mods.items():
        p = ModulePlan(m)
        for n in getattr(mod, "__all__", []):
            if n in defined[m]:
                p.own.append(n)
                continue
            obj = getattr(mod, n)
            home = getattr(obj, "__module__", None) if inspect.isclass(obj) or inspect.isroutine(obj) else None
            if home in mods and n in defined[home]:
                p.reexports[n] = f"{home}.{n}"
                continue
            homes = [d for d in mods if d != m and n in defined[d] and getattr(mods[d], n, None) is obj]
            if not homes and hasattr(mod, "__path__"):
                # Defined outside the documented modules (or not listed there): a package links to
                # the leaf module that lists it, which documents it.
                homes = [d for d in mods if d != m and not hasattr(mods[d], "__path__")
                         and n in getattr(mods[d], "__all__", []) and getattr(mods[d], n, None) is obj]
            if homes:
                p.reexports[n] = f"{homes[0]}.{n}"
            else:
                p.own.append(n)
        out[m] = p
    return out


def _directive(obj: Any) -> str:
    if inspect.isclass(obj):
        return "autoexception" if issubclass(obj, BaseException) else "autoclass"
    if inspect.isroutine(obj):
        return "autofunction"
    return "autodata"


def _title(text: str, ch: str = "=") -> str:
    return f"{text}\n{ch * len(text)}\n"


def module_page(p: ModulePlan) -> str:
    mod = importlib.import_module(p.name)
    lines = [_title(f"``{p.name}``"), f".. automodule:: {p.name}\n", f".. currentmodule:: {p.name}\n"]
    if p.own:
        lines += [".. rubric:: Contents\n", ".. autosummary::", "   :nosignatures:\n"]
        lines += [f"   {n}" for n in p.own]
        lines.append("")
    if p.reexports:
        lines.append(".. rubric:: Re-exported here\n")
        lines += [f"- :py:obj:`{n} <{t}>`" for n, t in p.reexports.items()]
        lines.append("")
    if p.own:
        lines.append(".. rubric:: Reference\n")
    for n in p.own:
        d = _directive(getattr(mod, n))
        lines.append(f".. {d}:: {n}")
        if d in ("autoclass", "autoexception"):
            lines += ["   :members:", "   :show-inheritance:"]
        lines.append("")
    return "\n".join(lines)


def compat_page() -> str:
    lines = [
        _title("Compatibility modules"),
        "The flat modules of earlier versions remain importable; each only re-exports names of the",
        "layered modules, documented there. New code should import from the layers.\n",
    ]
    targets: dict[int, str] = {}
    for p in plan().values():
        mod = importlib.import_module(p.name)
        for n, t in p.targets.items():
            targets.setdefault(id(getattr(mod, n)), t)
    for m in compat_modules():
        mod = importlib.import_module(m)
        lines.append(_title(f"``{m}``", "-"))
        items = []
        for n in getattr(mod, "__all__", []):
            t = targets.get(id(getattr(mod, n)))
            items.append(f"- :py:obj:`{n} <{t}>`" if t else f"- ``{n}``")
        lines += items + [""]
    return "\n".join(lines)


def _layer_of(m: str) -> str:
    if m in BASE:
        return "qc_reset._base"
    if m == PACKAGE:
        return PACKAGE
    return ".".join(m.split(".")[:2])


def index_page(modules: list[str]) -> str:
    lines = [
        _title("API reference"),
        "One page per module, in the package's layers (each imports only the ones above it in this",
        "list's order, base first). Names re-exported by a package are documented in the module",
        "that defines them and linked from the package's page.\n",
    ]
    for title, prefix, intro in LAYERS:
        mods = [m for m in modules if _layer_of(m) == prefix]
        lines += [_title(title, "-"), intro + "\n", ".. toctree::", "   :maxdepth: 1", ""]
        lines += [f"   {m}" for m in mods]
        lines.append("")
    lines += [_title("Compatibility", "-"), ".. toctree::", "   :maxdepth: 1", "", "   compat", ""]
    return "\n".join(lines)


def write_pages(out: Path) -> list[Path]:
    """Write the reference into ``out`` (rewriting only files whose text changed)."""
    out.mkdir(parents=True, exist_ok=True)
    modules = public_modules()
    pages = {f"{p.name}.rst": module_page(p) for p in plan(modules).values()}
    pages["compat.rst"] = compat_page()
    pages["index.rst"] = index_page(modules)
    for stale in out.glob("*.rst"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, text in pages.items():
        path = out / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        written.append(path)
    return written


def _on_builder_inited(app: Any) -> None:
    write_pages(Path(app.srcdir) / "api")


def _drop_borrowed_docstring(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """A module constant without a docstring of its own must not show the docstring of its value's type.

    Type aliases such as ``npt.NDArray[np.float64]`` carry ``numpy.ndarray``'s docstring.
    """
    if what not in ("data", "attribute") or not lines:
        return
    borrowed = getattr(obj, "__doc__", None)
    if isinstance(borrowed, str) and "\n".join(lines).strip() == inspect.cleandoc(borrowed).strip():
        lines.clear()


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    app.connect("autodoc-process-docstring", _drop_borrowed_docstring, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
