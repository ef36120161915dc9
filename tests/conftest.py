"""Shared fixtures: the repository root, a CLI runner, and a workspace factory."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Runs on the shipped examples would write ``.incentive-lint-cache/`` into this checkout;
    the suite's runs (and the CLI processes it starts, which inherit the environment) cache in
    a temporary folder instead. Tests of where the cache goes set or clear the variable."""
    import os
    previous = os.environ.get("INCENTIVE_LINT_CACHE_DIR")
    os.environ["INCENTIVE_LINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("INCENTIVE_LINT_CACHE_DIR", None)
    else:
        os.environ["INCENTIVE_LINT_CACHE_DIR"] = previous


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def bench_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated benchmark corpus (``bench/generate.py``, 120 files), made once per session;
    tests that change it copy it first."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("bench") / "corpus"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--files", "120", "--out", str(out)],
                   check=True, capture_output=True)
    return out


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
