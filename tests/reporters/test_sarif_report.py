from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from incentive_lint.base.findings import Severity
from incentive_lint.outputs.formats import REPORTERS, sarif

SCHEMA_NAME = "sarif-schema-2.1.0.json"
_HERE = Path(__file__).resolve()
_REPO_ROOT = _HERE.parents[2]
SCHEMA_CANDIDATES = (
    _HERE.parents[3] / "shared" / "data" / SCHEMA_NAME,
    (_REPO_ROOT / ".." / "shared" / "data" / SCHEMA_NAME).resolve(),
    _REPO_ROOT / "tests" / "data" / SCHEMA_NAME,
)


@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is needed to validate SARIF")
    for candidate in SCHEMA_CANDIDATES:
        if candidate.is_file():
            schema = json.loads(candidate.read_text(encoding="utf-8"))
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            return cls(schema)
    pytest.skip("SARIF 2.1.0 schema not found; looked in: " + ", ".join(str(c) for c in SCHEMA_CANDIDATES))


def walk(node: Any, path: str = "$") -> Iterator[tuple[str, Any, Any]]:
    """Every (path, key, value) of a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v
            yield from walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def load(result, rules) -> dict:
    return json.loads(sarif.render(result, rules))


def test_valid_against_the_sarif_schema(result, rules, sarif_validator):
    doc = load(result, rules)
    errors = sorted(sarif_validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_empty_result_is_valid(empty_result, rules, sarif_validator):
    doc = load(empty_result, rules)
    sarif_validator.validate(doc)
    assert doc["runs"][0]["results"] == []
    assert [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]] == sorted(rules)


def test_github_required_fields(result, rules):
    doc = load(result, rules)
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json")
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "incentive-lint"
    assert driver["informationUri"].startswith("https://")
    assert isinstance(driver["version"], str) and driver["version"]
    for rule in driver["rules"]:
        assert rule["id"]
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"]
        assert len(rule["name"]) <= 255
    assert len(run["results"]) == len(result.findings)
    for res in run["results"]:
        assert res["message"]["text"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert all(v >= 1 for v in region.values())
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])


def test_rules_are_the_given_ones_plus_those_with_findings_sorted(result, rules):
    driver = load(result, rules)["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(set(rules) | {f.rule for f in result.findings})
    assert "yaml-syntax" in ids  # has a finding but no RuleSpec
    for res in load(result, rules)["runs"][0]["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_rule_descriptor_metadata(result, rules):
    driver = load(result, rules)["runs"][0]["tool"]["driver"]
    weights = next(r for r in driver["rules"] if r["id"] == "weights-sum-to-100")
    spec = rules["weights-sum-to-100"]
    assert weights["shortDescription"]["text"] == spec.summary
    assert weights["fullDescription"]["text"] == spec.why
    assert spec.fix in weights["help"]["text"]
    assert spec.fix in weights["help"]["markdown"]
    assert weights["helpUri"] == spec.help_uri
    assert weights["defaultConfiguration"]["level"] == "error"
    assert weights["properties"]["tags"] == ["weights"]
    assert weights["properties"]["problem.severity"] == "error"
    info_rule = next(r for r in driver["rules"] if r["id"] == "kpi-unused")
    assert info_rule["defaultConfiguration"]["level"] == "note"
    assert info_rule["properties"]["problem.severity"] == "recommendation"


def test_levels_are_mapped(result, rules):
    doc = load(result, rules)
    expected = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    got = [r["level"] for r in doc["runs"][0]["results"]]
    assert got == [expected[f.severity] for f in result.findings]
    assert {"error", "warning", "note"} <= set(got)


def test_related_locations_and_links(result, rules):
    doc = load(result, rules)
    results = doc["runs"][0]["results"]
    for finding, res in zip(result.findings, results):
        if not finding.related:
            assert "relatedLocations" not in res
            continue
        related = res["relatedLocations"]
        assert [r["id"] for r in related] == list(range(1, len(finding.related) + 1))
        assert [r["message"]["text"] for r in related] == [x.label for x in finding.related]
        assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == [
            x.span.file for x in finding.related
        ]
        for i in range(1, len(related) + 1):
            assert f"]({i})" in res["message"]["text"]  # linked from the message
    shift = next(r for r in results if r["ruleId"] == "shift-pays-volume")
    # Literal brackets are escaped once the message holds embedded links.
    assert "\\[0\\]" in shift["message"]["text"]


def test_no_snippets_or_file_uris_anywhere(result, rules):
    doc = load(result, rules)
    keys = {k for _, k, _ in walk(doc)}
    assert not keys & {"snippet", "contextRegion", "contents", "rendered"}
    text = sarif.render(result, rules)
    assert "file:" not in text
    base = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]
    assert "uri" not in base  # no machine-specific absolute path


def test_locations_are_repo_relative_uris(result, rules):
    doc = load(result, rules)
    for finding, res in zip(result.findings, doc["runs"][0]["results"]):
        loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc["uriBaseId"] == "%SRCROOT%"
        assert not loc["uri"].startswith("/")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert "kpis/Sales%20Team/kpis.yaml" in uris  # spaces percent-encoded
    assert "comp/sales-na.yaml" in uris


def test_fingerprints(result, rules):
    results = load(result, rules)["runs"][0]["results"]
    for finding, res in zip(result.findings, results):
        assert res["partialFingerprints"]["incentiveLint/v1"] == finding.fingerprint
    primary = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(primary)) == len(primary)  # duplicates get an occurrence suffix


def test_properties_carry_structured_evidence(result, rules):
    results = load(result, rules)["runs"][0]["results"]
    weights = next(r for r in results if r["ruleId"] == "weights-sum-to-100")
    assert weights["properties"]["evidence"] == {"weights": [50, 40], "total": 90}
    assert weights["properties"]["entities"] == ["ip-sales-na"]
    assert weights["properties"]["path"] == "$.components"
    shift = next(r for r in results if r["ruleId"] == "shift-pays-volume")
    assert shift["properties"]["evidence"]["ratio"] == "nan"  # NaN is not JSON


def test_deterministic(result, rules):
    first = sarif.render(result, rules)
    assert first == sarif.render(result, rules)
    assert first.endswith("\n")
    assert first.isascii()


def test_registered():
    assert REPORTERS["sarif"] is sarif.render
