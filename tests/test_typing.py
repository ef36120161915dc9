"""The package type-checks: ``mypy incentive_lint --ignore-missing-imports`` reports no errors.

mypy is not in the test extra (CI does not install it), so the test is skipped where it is absent.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is not installed (pip install mypy types-PyYAML types-tabulate)")

ROOT = Path(__file__).resolve().parents[1]


def test_package_has_no_type_errors(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "incentive_lint", "--ignore-missing-imports",
         "--cache-dir", str(tmp_path / "mypy_cache"), "--no-color-output", "--no-error-summary"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"mypy found errors:\n{result.stdout}{result.stderr}"
