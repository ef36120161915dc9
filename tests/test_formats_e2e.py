"""The manufacturer example through every CI format, checked against each consumer's contract."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("formats")
    files = {name: out / f"result.{name}" for name in ("sarif", "junit", "gitlab", "json")}
    args = [f"--format={name}={path}" for name, path in files.items()]
    proc = subprocess.run([sys.executable, "-m", "incentive_lint", "check", "examples/manufacturer",
                           "--as-of", "2025-03-01", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    return files


def test_sarif_validates_and_carries_chains(outputs) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"the official SARIF schema is not at {SARIF_SCHEMA} (it ships in ../shared/data)")
    sarif = json.loads(outputs["sarif"].read_text())
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    results = sarif["runs"][0]["results"]
    findings = json.loads(outputs["json"].read_text())["findings"]
    assert len(results) == len(findings)
    en01 = [r for r in results if r["ruleId"] == "pays-on-deprioritized-driver"]
    assert en01 and all(len(r["relatedLocations"]) >= 3 for r in en01)
    assert "snippet" not in outputs["sarif"].read_text()


def test_junit_is_read_by_a_junit_reader(outputs) -> None:
    junitparser = pytest.importorskip("junitparser")
    xml = junitparser.JUnitXml.fromfile(str(outputs["junit"]))
    suites = list(xml) if isinstance(xml, junitparser.JUnitXml) else [xml]
    cases = [case for suite in suites for case in suite]
    failed = {case.name for case in cases if case.result}
    assert "pays-on-deprioritized-driver" in failed


def test_gitlab_code_quality_fields(outputs) -> None:
    issues = json.loads(outputs["gitlab"].read_text())
    assert issues
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(fingerprints) == len(set(fingerprints))
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1
