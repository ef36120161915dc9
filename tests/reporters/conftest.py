"""Fixtures for the reporter tests; the sample data lives in ``reporter_samples``."""
from __future__ import annotations

import pytest
from reporter_samples import RULES, make_result, sample_findings

from incentive_lint.base.findings import Finding, LintResult
from incentive_lint.settings.rulespec import RuleSpec


@pytest.fixture
def rules() -> dict[str, RuleSpec]:
    return dict(RULES)


@pytest.fixture
def result() -> LintResult:
    return make_result(sample_findings())


@pytest.fixture
def empty_result() -> LintResult:
    return LintResult(findings=(), files_checked=3, documents=3, rules_run=tuple(sorted(RULES)))


@pytest.fixture
def secret_finding(result: LintResult) -> Finding:
    return next(f for f in result.findings if f.rule == "payout-cap-above-limit")
