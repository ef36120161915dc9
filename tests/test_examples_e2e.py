"""The worked examples end to end: the manufacturer reports what model.md 5.5 expects
(the three failures the founding essay names among them, each with its chain); the
aligned company has no error."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from incentive_lint.base.findings import Severity, flatten
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)

#: (rule, the entity it is about, severity) from model.md 5.5
EXPECTED = {
    ("credit-excludes-strategic-offer", "ip-sales-2025", "error"),
    ("diagnose-and-sell-conflict", "ip-service-2024.hours", "error"),
    ("incentive-strategy-divergence", "servitization-2025", "error"),
    ("kpi-without-owner", "service-contract-attach", "error"),
    ("measurement-cadence-mismatch", "ip-service-2024.csat", "error"),
    ("missing-required-function", "p-installed-base", "error"),
    ("missing-required-function", "p-uptime", "error"),
    ("offer-delivery-gap", "uptime-guarantee", "error"),
    ("pays-on-deprioritized-driver", "ip-sales-2025.units", "error"),
    ("pays-on-deprioritized-driver", "ip-service-2024.hours", "error"),
    ("plan-coverage-gap", "ip-service-2024", "error"),
    ("pricing-model-mismatch", "p-uptime", "error"),
    ("upside-asymmetry", "ip-sales-2025", "error"),
    ("upside-asymmetry", "ip-service-2024", "error"),
    ("budget-strategy-divergence", "budget-fy2025", "warning"),
    ("cascade-gap", "p-installed-base", "warning"),
    ("cascade-gap", "p-margin", "warning"),
    ("cascade-gap", "p-uptime", "warning"),
    ("clawback-missing", "ip-sales-2025", "warning"),
    ("cross-function-conflict", "sales", "warning"),
    ("discount-authority-on-volume-pay", "account-manager", "warning"),
    ("kpi-without-data-source", "net-revenue-retention", "warning"),
    ("leadership-scorecard-misaligned", "ip-exec-2025", "warning"),
    ("legacy-baseline-target", "ip-sales-2025.attach", "warning"),
    ("legacy-baseline-target", "ip-sales-2025.units", "warning"),
    ("legacy-kpi-still-cascaded", "o-service-hours", "warning"),
    ("measure-controlled-by-payee", "ip-sales-2025.attach", "warning"),
    ("measure-weight-too-small", "ip-sales-2025.attach", "warning"),
    ("orphan-objective", "o-service-hours", "warning"),
    ("payout-before-value-realized", "ip-sales-2025.attach", "warning"),
    ("plan-not-reviewed-since-strategy", "ip-sales-2025", "warning"),
    ("priority-unfunded", "p-installed-base", "warning"),
    ("short-reward-horizon", "ip-exec-2025", "warning"),
    ("short-reward-horizon", "p-installed-base", "warning"),
    ("short-reward-horizon", "p-uptime", "warning"),
    ("strategic-priority-unrewarded", "p-installed-base", "warning"),
    ("strategic-priority-unrewarded", "p-uptime", "warning"),
    ("system-capability-missing", "p-uptime", "warning"),
    ("threshold-too-high-on-new-measure", "ip-sales-2025.attach", "warning"),
    ("windfall-provision-missing", "ip-sales-2025", "info"),
    ("windfall-provision-missing", "ip-service-2024", "info"),
}


@pytest.fixture(scope="module")
def manufacturer():
    result, _ = lint(LintOptions(paths=[ROOT / "examples" / "manufacturer"], as_of=AS_OF, cwd=ROOT))
    return result


def test_manufacturer_reports_what_the_model_expects(manufacturer) -> None:
    # every finding counts, whether a problem of its own or folded under its cause
    got = {(f.rule, entity, f.severity.label) for f in flatten(manufacturer.findings) for entity in f.entities}
    missing = {e for e in EXPECTED if e not in got}
    assert not missing, sorted(missing)


def test_the_waived_finding_is_accepted_until_its_end(manufacturer) -> None:
    [accepted] = manufacturer.suppressed
    assert (accepted.rule, accepted.entities[0]) == ("kpi-without-data-source", "uptime-contract-acv")
    later, _ = lint(LintOptions(paths=[ROOT / "examples" / "manufacturer"], as_of=_dt.date(2025, 7, 1), cwd=ROOT))
    [back] = [f for f in later.findings if f.rule == "kpi-without-data-source" and "uptime-contract-acv" in f.entities]
    assert "expired on 2025-06-30" in back.note


@pytest.mark.parametrize("rule", ["pays-on-deprioritized-driver", "pricing-model-mismatch",
                                  "missing-required-function"])
def test_the_three_failures_are_errors_with_chains(manufacturer, rule: str) -> None:
    found = [f for f in manufacturer.findings if f.rule == rule]
    assert found and all(f.severity is Severity.ERROR for f in found)
    assert all(len(f.related) >= 1 and f.evidence for f in found)


def test_aligned_has_no_error() -> None:
    result, _ = lint(LintOptions(paths=[ROOT / "examples" / "aligned"], as_of=AS_OF, cwd=ROOT))
    assert result.counts()["error"] == 0, [f.message for f in result.findings if f.severity is Severity.ERROR]
    assert result.files_checked == 10


def test_readme_shows_real_output() -> None:
    import re
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(examples/manufacturer/.*?)```", readme, re.S).group(1).splitlines()
    proc = subprocess.run([sys.executable, "-m", "incentive_lint", "check", "examples/manufacturer", "--as-of",
                           "2025-03-01", "--no-color"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert all(line in proc.stdout.splitlines() for line in shown), "the README's sample output is out of date"
