"""Text hygiene of the repository: no control bytes in tracked Python and Markdown files.

A docstring without its ``r`` prefix turns ``\\a`` (as in ``\\alpha``) into the BEL byte 0x07
and ``\\b`` into a backspace; such bytes are invisible in most editors and corrupt rendered
math. Every ``.py`` and ``.md`` file tracked by git is scanned for bytes 0x00-0x1f and 0x7f
other than tab, newline and carriage return.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: C0 control bytes and DEL, except \t (0x09), \n (0x0a) and \r (0x0d).
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def tracked_text_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z", "--", "*.py", "*.md"], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / name for name in out.stdout.decode().split("\0") if name]


def control_bytes(data: bytes) -> list[tuple[int, int]]:
    """(line, byte value) of every control byte in ``data``."""
    return [(data.count(b"\n", 0, m.start()) + 1, m.group()[0]) for m in CONTROL.finditer(data)]


def test_scanner_finds_a_bel_byte() -> None:
    assert control_bytes(b"ok\n\tfine\r\n") == []
    assert control_bytes(b"a\nq = z_{1-\x07lpha/8}\n") == [(2, 7)]  # "\alpha" in a string without the r prefix


def test_no_control_bytes_in_tracked_text_files() -> None:
    files = tracked_text_files()
    assert any(p.name == "tomography.py" for p in files)  # the scan sees the package's sources
    bad = {str(p.relative_to(ROOT)): hits for p in files if p.is_file() and (hits := control_bytes(p.read_bytes()))}
    assert not bad, f"control bytes (line, value): {bad}"
