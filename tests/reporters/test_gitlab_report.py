from __future__ import annotations

import json

from reporter_samples import make_finding, make_result, span

from incentive_lint.base.findings import Severity
from incentive_lint.outputs.formats import REPORTERS, gitlab

REQUIRED = {"description", "check_name", "fingerprint", "severity", "location"}


def test_array_with_required_fields(result, rules):
    issues = json.loads(gitlab.render(result, rules))
    assert isinstance(issues, list) and len(issues) == len(result.findings)
    for finding, issue in zip(result.findings, issues):
        assert REQUIRED <= set(issue)
        assert issue["check_name"] == finding.rule
        assert issue["description"].startswith(f"{finding.code}: ")
        assert issue["location"]["path"] == finding.span.file
        assert issue["location"]["lines"]["begin"] == finding.span.start.line
        assert issue["location"]["lines"]["end"] >= issue["location"]["lines"]["begin"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]


def test_severity_mapping(result, rules):
    issues = json.loads(gitlab.render(result, rules))
    expected = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}
    assert [i["severity"] for i in issues] == [expected[f.severity] for f in result.findings]
    assert {i["severity"] for i in issues} <= {"info", "minor", "major", "critical", "blocker"}


def test_fingerprints_unique_even_when_findings_share_one(result, rules):
    dups = [f for f in result.findings if f.rule == "objective-without-incentive"]
    assert len(dups) == 2 and dups[0].fingerprint == dups[1].fingerprint
    issues = json.loads(gitlab.render(result, rules))
    fps = [i["fingerprint"] for i in issues]
    assert len(set(fps)) == len(fps)
    # The first keeps the engine's fingerprint; the salted one is stable across runs.
    assert dups[0].fingerprint in fps
    assert gitlab.render(result, rules) == gitlab.render(result, rules)


def test_three_identical_fingerprints_and_missing_ones():
    same = [
        make_finding("r", "X001", "fam", Severity.WARNING, f"m{i}", span("a.yaml", i, 1), fp="abc")
        for i in range(1, 4)
    ]
    blank = [
        make_finding("r", "X001", "fam", Severity.WARNING, f"n{i}", span("b.yaml", i, 1), fp="")
        for i in range(1, 3)
    ]
    fps = [i["fingerprint"] for i in json.loads(gitlab.render(make_result(same + blank), {}))]
    assert len(set(fps)) == 5 and "abc" in fps and "" not in fps


def test_line_independent_fallback_fingerprint():
    a = make_finding("r", "X001", "fam", Severity.ERROR, "m", span("a.yaml", 3, 1), path="$.x", fp="")
    b = make_finding("r", "X001", "fam", Severity.ERROR, "m", span("a.yaml", 30, 1), path="$.x", fp="")
    fa = json.loads(gitlab.render(make_result([a]), {}))[0]["fingerprint"]
    fb = json.loads(gitlab.render(make_result([b]), {}))[0]["fingerprint"]
    assert fa == fb  # moving the node to another line keeps the issue


def test_related_chain_in_description(result, rules):
    issues = json.loads(gitlab.render(result, rules))
    weights = next(i for i in issues if i["check_name"] == "weights-sum-to-100")
    assert "weight 50 (comp/sales-na.yaml:44)" in weights["description"]


def test_empty(empty_result, rules):
    assert json.loads(gitlab.render(empty_result, rules)) == []


def test_registered():
    assert REPORTERS["gitlab"] is gitlab.render
