"""The wheel carries the rule catalog and schemas as package data, not as top-level packages."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_rules_and_schemas(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and ("connection" in proc.stderr.lower() or "network" in proc.stderr.lower()):
        pytest.skip("building the wheel needs hatchling from the package index, which is unreachable")
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("incentive_lint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    rule_files = [n for n in names if n.startswith("incentive_lint/_catalog/") and n.endswith("/rule.yaml")]
    assert len(rule_files) == len(list((ROOT / "rules").glob("*/*/rule.yaml")))
    assert "incentive_lint/_catalog/taxonomy.yaml" in names
    assert "incentive_lint/_schemas/incentive-plan.schema.json" in names
    assert "incentive_lint/py.typed" in names
    assert not any(n.startswith(("rules/", "schemas/", "tests/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "incentive-lint = incentive_lint.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
