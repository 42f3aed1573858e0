"""Check the built API reference against the package: every name of every public module's ``__all__``
has a page entry.

Run after the HTML build::

    python docs/check_api.py docs/_build/html

Each documented module's page must carry the anchor of every name the module defines, and every
name it re-exports must link to the defining module's anchor. Exits 1 listing what is missing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "_ext"))

import apigen  # noqa: E402


def missing(html_dir: Path) -> list[str]:
    api = html_dir / "api"
    problems: list[str] = []
    for module, p in apigen.plan().items():
        page = api / f"{module}.html"
        if not page.exists():
            problems.append(f"{module}: no page {page}")
            continue
        text = page.read_text(encoding="utf-8")
        ids = set(re.findall(r'id="([^"]+)"', text))
        if f"module-{module}" not in ids:
            problems.append(f"{module}: no module anchor")
        for name in p.own:
            if f"{module}.{name}" not in ids:
                problems.append(f"{module}.{name}: not documented on {page.name}")
        for name, target in p.reexports.items():
            home, _, _ = target.rpartition(".")
            if f"{home}.html#{target}" not in text:
                problems.append(f"{module}.{name}: no link to {target}")
    compat = api / "compat.html"
    if not compat.exists():
        problems.append("compatibility page missing")
    else:
        text = compat.read_text(encoding="utf-8")
        for module in apigen.compat_modules():
            if module not in text:
                problems.append(f"{module}: not on the compatibility page")
    return problems


def main(argv: list[str]) -> int:
    html_dir = Path(argv[1] if len(argv) > 1 else HERE / "_build" / "html")
    problems = missing(html_dir)
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    n = sum(len(p.own) + len(p.reexports) for p in apigen.plan().values())
    print(f"API reference: {len(apigen.plan())} modules, {n} public names checked, {len(problems)} missing")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
