"""The ``report`` command: formats, output files, errors."""
from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from incentive_lint.cli import cli

from .conftest import ROOT


def test_report_html_to_file(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(cli, ["report", "examples/manufacturer", "--as-of", "2025-03-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and ">0.71<" in page


def test_report_format_from_suffix_and_terminal(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "summary.md"
    result = CliRunner().invoke(cli, ["report", "examples/aligned", "--as-of", "2025-03-01", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("## Where the money points")
    result = CliRunner().invoke(cli, ["report", "examples/aligned", "--as-of", "2025-03-01"])
    assert result.exit_code == 0
    assert "D = 0.22" in result.output


def test_report_errors_exit_2() -> None:
    bad_date = subprocess.run([sys.executable, "-m", "incentive_lint", "report", "examples/aligned", "--as-of",
                               "March"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad_date.returncode == 2
    assert "--as-of must be a date" in bad_date.stderr
    missing = subprocess.run([sys.executable, "-m", "incentive_lint", "report", "no/such/folder"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
