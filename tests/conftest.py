"""Shared fixtures: the repository root, a CLI runner, and a workspace factory."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write {relative path: text} into a temporary policy repository and return its folder."""

    def make(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return make
