"""``report --new-since``: before and after, in figures and in sentences."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from incentive_lint.base.findings import flatten
from incentive_lint.run import LintOptions, lint
from incentive_lint.outputs.report import build, compare
from incentive_lint.outputs.report.run import ReportOptions, render

from .conftest import AS_OF, ROOT

SALES = "plans/sales-2025.yaml"
ATTACH = """  - {id: attach, kpi: service-contract-attach, weight: 10, target: {basis: last-year-actual, uplift_pct: 50},
     threshold: 90, cap: 100, credit_on: booking}
"""


def _drop_attach(folder: Path) -> None:
    """The change under review: the sales plan's only uptime measure goes, units take its weight."""
    plan = folder / SALES
    text = plan.read_text(encoding="utf-8")
    assert ATTACH in text
    text = text.replace(ATTACH, "").replace("{id: units, kpi: units-shipped, weight: 65,",
                                            "{id: units, kpi: units-shipped, weight: 75,")
    plan.write_text(text, encoding="utf-8")


def _report(folder: Path):
    result, ws = lint(LintOptions(paths=[Path(folder.name)], as_of=AS_OF, cwd=folder.parent))
    return build(result, ws)


def test_compare_explains_the_change(tmp_path) -> None:
    before_dir, after_dir = tmp_path / "before" / "policies", tmp_path / "after" / "policies"
    shutil.copytree(ROOT / "examples" / "manufacturer", before_dir)
    shutil.copytree(ROOT / "examples" / "manufacturer", after_dir)
    _drop_attach(after_dir)
    before, after = _report(before_dir), _report(after_dir)
    cmp = compare(before, after, "main")
    sentences = list(cmp.sentences)
    assert "priority p-uptime loses its only incentive (ip-sales-2025.attach)" in sentences
    assert "this change lowers the p-uptime weighting of ip-sales-2025 from 10% to 0%" in sentences
    assert "this change raises the legacy-driver weighting of ip-sales-2025 from 65% to 75%" in sentences
    assert f"this change raises the divergence score from 0.71 to {after.overall.score:.2f}" in sentences
    assert after.overall.score > before.overall.score
    assert ("p-uptime", 0.5, 0.5, pytest.approx(before.share("p-uptime")), 0.0) == cmp.priorities[0]
    prints_before = {f.fingerprint for f in flatten(before.findings)}
    prints_after = {f.fingerprint for f in flatten(after.findings)}
    assert {f.fingerprint for f in cmp.added} == prints_after - prints_before
    assert {f.fingerprint for f in cmp.removed} == prints_before - prints_after
    assert cmp.removed, "dropping the attach component resolves the findings on it"


def test_compare_of_identical_trees_says_nothing_moved(manufacturer) -> None:
    report = manufacturer[2]
    cmp = compare(report, report, "HEAD")
    assert cmp.sentences == ("this change leaves the divergence score at 0.71",)
    assert not cmp.added and not cmp.removed


def _git(*args: str, cwd: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_new_since_compares_with_the_merge_base(tmp_path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", repo / "policies")
    _git("init", "-q", "-b", "main", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "policies", cwd=repo)
    _drop_attach(repo / "policies")
    monkeypatch.chdir(repo)
    text = render(ReportOptions(paths=[Path("policies")], format="markdown", as_of=AS_OF, new_since="main"))
    assert "### Before and after (since `main`)" in text
    assert "- Priority p-uptime loses its only incentive (ip-sales-2025.attach)." in text
    assert "- This change lowers the p-uptime weighting of ip-sales-2025 from 10% to 0%." in text
    page = render(ReportOptions(paths=[Path("policies")], format="html", as_of=AS_OF, new_since="main"))
    assert 'id="change-sentences"' in page and "loses its only incentive" in page
