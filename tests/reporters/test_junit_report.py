from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from reporter_samples import make_finding, make_result, span

from incentive_lint.base.findings import Severity
from incentive_lint.outputs.formats import REPORTERS, junit

junitparser = pytest.importorskip("junitparser", reason="pip install junitparser (in the test extra)")


def cases_by_name(text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(text)
    return {c.get("name"): c for c in root.iter("testcase")}


def test_parsed_by_elementtree_with_right_counts(result, rules):
    text = junit.render(result, rules)
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "incentive-lint"
    suite = suites[0]
    expected_rules = set(rules) | {f.rule for f in result.findings}
    failing = {f.rule for f in result.findings}
    cases = suite.findall("testcase")
    assert sorted(c.get("name") for c in cases) == sorted(expected_rules)
    assert suite.get("tests") == str(len(expected_rules)) == root.get("tests")
    assert suite.get("failures") == str(len(failing)) == root.get("failures")
    assert suite.get("errors") == "0"
    assert sum(1 for c in cases if c.find("failure") is not None) == len(failing)
    assert "timestamp" not in text


def test_parsed_by_junitparser(result, rules):
    xml = junitparser.JUnitXml.fromstring(junit.render(result, rules))
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    assert suite.name == "incentive-lint"
    cases = list(suite)
    failing = {f.rule for f in result.findings}
    assert {c.name for c in cases} == set(rules) | failing
    assert suite.tests == len(cases)
    assert suite.failures == len(failing)
    assert suite.errors == 0
    for case in cases:
        spec_family = rules[case.name].family if case.name in rules else "input"
        assert case.classname == spec_family
        if case.name in failing:
            assert not case.is_passed and len(case.result) == 1
            assert isinstance(case.result[0], junitparser.Failure)
        else:
            assert case.is_passed
    # junitparser's own recount agrees with what we wrote.
    before = (suite.tests, suite.failures, suite.errors)
    suite.update_statistics()
    assert (suite.tests, suite.failures, suite.errors) == before


def test_failure_type_message_and_body(result, rules):
    case = cases_by_name(junit.render(result, rules))["weights-sum-to-100"]
    failure = case.find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message") == "Component weights of plan ip-sales-na sum to 90, not 100."
    body = failure.text
    assert "comp/sales-na.yaml:41:5" in body
    assert "-> weight 50 (comp/sales-na.yaml:44:7)" in body
    assert "-> weight 40 (comp/sales-na.yaml:49:7)" in body


def test_every_finding_of_a_rule_is_in_its_one_failure(result, rules):
    case = cases_by_name(junit.render(result, rules))["objective-without-incentive"]
    failures = case.findall("failure")
    assert len(failures) == 1  # GitLab and Jenkins read only the first <failure>
    assert failures[0].get("message").startswith("2 findings; first: ")
    assert "strategy/2026.yaml:30:5" in failures[0].text
    assert "strategy/2026-h2.yaml:8:5" in failures[0].text


def test_worst_severity_is_the_type():
    a = make_finding("r", "X001", "fam", Severity.INFO, "low", span("a.yaml", 1, 1))
    b = make_finding("r", "X001", "fam", Severity.WARNING, "mid", span("b.yaml", 1, 1))
    case = cases_by_name(junit.render(make_result([a, b]), {}))["r"]
    assert case.find("failure").get("type") == "warning"


def test_rules_without_findings_pass(result, rules):
    cases = cases_by_name(junit.render(result, rules))
    assert cases["kpi-unused"].find("failure") is not None
    clean = [c for name, c in cases.items() if name not in {f.rule for f in result.findings}]
    assert clean  # there is at least one rule without findings in the sample
    for case in clean:
        assert list(case) == []


def test_illegal_xml_characters_are_escaped(result, rules):
    text = junit.render(result, rules)
    assert "\x1b" not in text
    case = cases_by_name(text)["yaml-syntax"]
    assert "\\x1b[31m" in case.find("failure").text  # written visibly (base.escape), not raw
    assert "<b>&amp;</b>" in case.find("failure").text  # markup survives as text
    assert junit.xml_safe("a\x00b\ud800c\ufffe") == "a#x00b#xD800c#xFFFE"


def test_clean_run(empty_result, rules):
    root = ET.fromstring(junit.render(empty_result, rules))
    assert root.get("tests") == str(len(rules)) and root.get("failures") == "0"


def test_deterministic(result, rules):
    text = junit.render(result, rules)
    assert text == junit.render(result, rules)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')


def test_registered():
    assert REPORTERS["junit"] is junit.render
