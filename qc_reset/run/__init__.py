"""Execution: simulators and backends, noise specs and models, tomography runs."""

from __future__ import annotations

__all__: list[str] = []
