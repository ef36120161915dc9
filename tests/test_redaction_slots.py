"""``--redact`` replaces the values in a message's slots, not the sentence (issue 12, point 4)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from incentive_lint.gate.redact import REDACTED, redact_result, redact_row, redact_slot, redact_template

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "manufacturer"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incentive_lint", *args], cwd=EXAMPLE, capture_output=True,
                          text=True, timeout=120)


def test_empty_and_composed_slots_keep_the_sentence():
    template = "KPI '{kpi}' has no owner{detail}{paid}"
    args = {"kpi": "service-contract-attach", "detail": "", "paid": " but is paid on (ip-sales-2025.attach)"}
    text = redact_template(template, args, keep={"service-contract-attach", "ip-sales-2025.attach"})
    assert text == "KPI 'service-contract-attach' has no owner but is paid on (ip-sales-2025.attach)"
    assert "[redacted][redacted]" not in text


@pytest.mark.parametrize(("value", "expected"), [
    (4000000, REDACTED),
    ("EUR 6,400,000", REDACTED),
    ("alice", REDACTED),
    ("", ""),
    ("head", "head"),          # a schema field: the tool's word
    ("monthly", "monthly"),    # an enum value
    ("; did you mean 'vp-sales'?", f"; did you mean '{REDACTED}'?"),
    ("the key 'listed' appears twice (also on line 4)", f"the key 'listed' appears twice (also on line {REDACTED})"),
])
def test_slot_values(value, expected):
    assert redact_slot(value, keep=()) == expected


def test_no_value_of_the_example_survives_and_words_do():
    plain = json.loads(run("check", "-f", "json").stdout)
    clean = json.loads(run("check", "-f", "json", "--redact").stdout)
    text = json.dumps(clean)
    for secret in ("6,400,000", "4,000,000", "93.8%", "1850"):
        assert secret in json.dumps(plain)
        assert secret not in text
    owner = next(f["message"] for f in clean["findings"] if f["rule"] == "kpi-without-owner")
    assert owner.startswith("KPI 'service-contract-attach' has no owner but is paid on (")
    for f in clean["findings"]:  # evidence keeps its keys (structure), values go
        before = next(p for p in plain["findings"] if p["fingerprint"] == f["fingerprint"])
        assert sorted(f["evidence"]) == sorted(before["evidence"])


def test_redact_result_keeps_identity():
    from incentive_lint.run import LintOptions, lint

    result, _ = lint(LintOptions(paths=[EXAMPLE], cwd=EXAMPLE))
    clean = redact_result(result)
    assert sorted(f.fingerprint for f in clean.findings) == sorted(f.fingerprint for f in result.findings)
    assert list(clean.findings) == sorted(clean.findings)


def test_baseline_and_exceptions_redact():
    baseline = run("baseline", "-o", "-", "--redact").stdout
    assert "6,400,000" not in baseline and "fingerprint:" in baseline
    listing = json.loads(run("exceptions", "-f", "json", "--redact").stdout)["exceptions"]
    assert listing and all(e["reason"] in (REDACTED, None, "") for e in listing)
    assert all(e["rule"] != REDACTED for e in listing)


def test_redact_row_keeps_empty_cells():
    assert redact_row({"owner": "cfo", "ticket": "", "rule": "EN01"}, ("owner", "ticket")) == \
        {"owner": REDACTED, "ticket": "", "rule": "EN01"}
