"""Workflows built on the layers below: resumable sweeps and the paper's figures."""

from __future__ import annotations

__all__: list[str] = []
