"""The report and the findings print the same numbers: both come from ``Model.divergence``.

If the engagement rules are not in the catalog the finding comparisons are skipped; the
report is still checked against the model itself (test_report_data.py).
"""
from __future__ import annotations

import re

import pytest

from incentive_lint.base.findings import flatten
from incentive_lint.outputs.report import fmt


def _findings(result, rule: str):
    found = [f for f in flatten(result.findings) if f.rule == rule]
    if rule not in result.rules_run:
        pytest.skip(f"rule '{rule}' is not in the catalog yet")
    return found


def _evidence(finding) -> dict:
    return {k: v for k, v in finding.evidence}


@pytest.mark.parametrize("example", ["manufacturer", "aligned"])
def test_divergence_finding_agrees_with_report(example, request) -> None:
    result, ws, report = request.getfixturevalue(example)
    found = _findings(result, "incentive-strategy-divergence")
    strategy_id = report.strategy_id
    overall = [f for f in found if f.entities == (strategy_id,)]
    if report.overall.level in ("warning", "error"):
        assert len(overall) == 1, "the report shows a score above threshold: the rule must report it"
        finding = overall[0]
        assert _evidence(finding)["score"] == pytest.approx(report.overall.score, abs=1e-4)
        assert f"D={fmt.score(report.overall.score)}" in finding.message
        assert finding.severity.label == report.overall.level
    else:
        assert not overall, "the report shows a score below threshold: the rule must stay silent"
    for score in report.scores:
        if score.scope != "function":
            continue
        mine = [f for f in found if f.entities and f.entities[0] == score.id]
        if score.level in ("warning", "error"):
            assert len(mine) == 1, score.id
            d = re.search(r"D=([0-9.]+)", mine[0].message)
            assert d and d.group(1) == fmt.score(score.score), (score.id, mine[0].message)
            assert _evidence(mine[0])["score"] == pytest.approx(score.score, abs=1e-4)
        else:
            assert not mine, score.id


def test_manufacturer_reports_d_071_in_both(manufacturer) -> None:
    result, _, report = manufacturer
    found = _findings(result, "incentive-strategy-divergence")
    assert any("D=0.71" in f.message for f in found)
    assert fmt.score(report.overall.score) == "0.71"


def test_unrewarded_priority_share_agrees_with_report(manufacturer) -> None:
    result, _, report = manufacturer
    found = _findings(result, "strategic-priority-unrewarded")
    assert found
    for f in found:
        evidence = _evidence(f)
        priority = f.entities[0]
        assert evidence["pay_share"] == pytest.approx(report.share(priority) * 100, abs=0.01)
        row = next(c for c in report.coverage if c.priority == priority)
        assert row.checks["incentives"].status in ("partial", "no")
        assert f.code in row.checks["incentives"].rules
