"""``check -`` with ``--stdin-filename``: unsaved text checked as that file, the rest read from disk."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incentive_lint", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin, timeout=120)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "aligned", tmp_path / "repo")
    return tmp_path / "repo"


def _findings(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_stdin_text_replaces_the_file_on_disk(repo: Path) -> None:
    plan = repo / "plans" / "cs-2025.yaml"
    edited = plan.read_text(encoding="utf-8").replace("kpi: csat,", "kpi: no-such-kpi,")
    proc = run("check", "-", "--stdin-filename", "plans/cs-2025.yaml", "--format", "json", "--as-of", "2025-03-01",
               cwd=repo, stdin=edited)
    found = _findings(proc)
    dangling = [f for f in found if f["rule"] == "dangling-reference"]
    assert len(dangling) == 1 and dangling[0]["file"] == "plans/cs-2025.yaml"
    assert "kpi: csat," in plan.read_text(encoding="utf-8")  # the file on disk is untouched
    # the same text on disk gives the same finding at the same place
    plan.write_text(edited, encoding="utf-8")
    on_disk = _findings(run("check", "--format", "json", "--as-of", "2025-03-01", cwd=repo))
    where = ("file", "start_line", "start_column", "end_line", "end_column")
    assert [tuple(f[k] for k in where) for f in on_disk if f["rule"] == "dangling-reference"] == \
        [tuple(dangling[0][k] for k in where)]


def test_stdin_reports_findings_that_involve_the_file(repo: Path) -> None:
    text = (repo / "plans" / "sales-2025.yaml").read_text(encoding="utf-8")
    found = _findings(run("check", "-", "--stdin-filename", "plans/sales-2025.yaml", "--format", "json",
                          "--as-of", "2025-03-01", cwd=repo, stdin=text))
    assert [f["rule"] for f in found] == ["pays-on-deprioritized-driver"]  # not the strategy's cascade gaps


def test_stdin_as_a_new_file(repo: Path) -> None:
    text = "kind: IncentivePlan\nschema: incentive-lint/v1\nid: ip-new\nnot_a_field: 1\n"
    proc = run("check", "-", "--stdin-filename", "plans/new.yaml", "--format", "json", cwd=repo, stdin=text)
    found = _findings(proc)
    assert found and {f["file"] for f in found} == {"plans/new.yaml"}
    assert not (repo / "plans" / "new.yaml").exists()


def test_dash_without_stdin_filename_is_a_clear_usage_error(repo: Path) -> None:
    proc = run("check", "-", cwd=repo)
    assert proc.returncode == 2 and "--stdin-filename" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("check", "--stdin-filename", "plans/x.yaml", cwd=repo)
    assert proc.returncode == 2 and "check -" in proc.stderr


def test_stdin_that_is_not_utf8(repo: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "incentive_lint", "check", "-", "--stdin-filename", "plans/x.yaml"],
                          cwd=repo, capture_output=True, input=b"kind: \xff\n", timeout=120)
    assert proc.returncode == 2 and b"not UTF-8" in proc.stderr
