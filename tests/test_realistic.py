"""Realistic policy repositories: what a compensation expert expects the linter to say.

Each folder under ``tests/realistic/`` is a small policy repository modelled on a documented
public situation (sources and the expert's decisions are in its README). The tests pin the
findings at the level of rule + entity, never total counts, so that they stay true while
consequences are folded under their causes: every expected finding must be present
(folded or not), every must-not-fire pair must be absent, and the documents themselves must be
valid (no finding of the input family).
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from incentive_lint.base.findings import Finding, LintResult, Severity, flatten
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
REALISTIC = Path("tests") / "realistic"


@dataclass(frozen=True)
class Repo:
    """One realistic repository and the date it is checked on."""

    name: str
    as_of: _dt.date


REPOS: dict[str, Repo] = {
    r.name: r for r in (
        Repo("wells-fargo-2016", _dt.date(2017, 2, 1)),
        Repo("health-system-value-based", _dt.date(2022, 3, 1)),
        Repo("microsoft-cloud-2017", _dt.date(2017, 9, 1)),
    )
}


@functools.lru_cache(maxsize=None)
def _result(name: str) -> LintResult:
    # Cached so that each repository is linted once per session, whatever the number of tests.
    repo = REPOS[name]
    result, _ = lint(LintOptions(paths=[REALISTIC / repo.name], as_of=repo.as_of, cwd=ROOT))
    return result


def _all(name: str) -> list[Finding]:
    """Every finding, with the consequences folded under a cause as findings of their own."""
    return flatten(_result(name).findings)


def _hits(name: str, rule: str, entity: str) -> list[Finding]:
    return [f for f in _all(name) if f.rule == rule and entity in f.entities]


def _describe(name: str) -> str:
    return "\n".join(f"  {f.severity.label} {f.rule} {', '.join(f.entities)}: {f.message}" for f in _all(name))


def _case(*case: str) -> Any:
    return pytest.param(*case, id="-".join(case))


# ----------------------------------------------------------------------------- expectations

#: (repository, rule, entity) a compensation expert expects; the README of each repository
#: numbers the decisions these findings support.
EXPECTED: list[Any] = [
    # Wells Fargo Community Bank, pre-2017 sales-goal plans rolled into the customer-first strategy.
    # 1. Re-weight away from products opened.
    _case("wells-fargo-2016", "pays-on-deprioritized-driver", "ip-banker-2017.solutions"),
    _case("wells-fargo-2016", "pays-on-deprioritized-driver", "ip-branch-leadership-2017.solutions"),
    _case("wells-fargo-2016", "pays-on-deprioritized-driver", "ip-exec-bonus-2017.cross-sell"),
    _case("wells-fargo-2016", "incentive-strategy-divergence", "community-bank-customer-first"),
    _case("wells-fargo-2016", "strategic-priority-unrewarded", "p-sales-integrity"),
    _case("wells-fargo-2016", "strategic-priority-unrewarded", "p-customer-experience"),
    _case("wells-fargo-2016", "unaligned-variable-pay", "ip-banker-2017"),
    _case("wells-fargo-2016", "legacy-baseline-target", "ip-banker-2017.solutions"),
    _case("wells-fargo-2016", "legacy-kpi-still-cascaded", "o-branches-solutions"),
    _case("wells-fargo-2016", "diagnose-and-sell-conflict", "personal-banker"),
    # 2. Credit only accounts that are funded and used; reverse the rest.
    _case("wells-fargo-2016", "clawback-missing", "ip-banker-2017"),
    _case("wells-fargo-2016", "clawback-missing", "ip-branch-leadership-2017"),
    _case("wells-fargo-2016", "payout-before-value-realized", "ip-banker-2017.solutions"),
    _case("wells-fargo-2016", "missing-guardrail", "ip-banker-2017.solutions"),
    _case("wells-fargo-2016", "missing-guardrail", "ip-branch-leadership-2017.solutions"),
    # 3. The people paid produce the number.
    _case("wells-fargo-2016", "measure-controlled-by-payee", "ip-banker-2017.solutions"),
    # 4. Leaders' large variable share on one gameable count.
    _case("wells-fargo-2016", "high-powered-single-measure", "ip-branch-leadership-2017"),
    # 5. More upside on the legacy count than on customer experience.
    _case("wells-fargo-2016", "upside-asymmetry", "ip-banker-2017"),
    # 6. Plans not reviewed after the strategy.
    _case("wells-fargo-2016", "plan-not-reviewed-since-strategy", "ip-banker-2017"),
    _case("wells-fargo-2016", "plan-not-reviewed-since-strategy", "ip-branch-leadership-2017"),

    # Health system entering value-based contracts while physicians are paid on wRVUs.
    # 1. Physician pay on volume.
    _case("health-system-value-based", "pays-on-deprioritized-driver", "ip-physician-2022.productivity"),
    _case("health-system-value-based", "incentive-strategy-divergence", "volume-to-value-2022"),
    _case("health-system-value-based", "strategic-priority-unrewarded", "p-population-health"),
    _case("health-system-value-based", "strategic-priority-unrewarded", "p-patient-access"),
    _case("health-system-value-based", "high-powered-single-measure", "ip-physician-2022"),
    _case("health-system-value-based", "diagnose-and-sell-conflict", "primary-care-physician"),
    _case("health-system-value-based", "diagnose-and-sell-conflict", "specialist-physician"),
    _case("health-system-value-based", "legacy-baseline-target", "ip-physician-2022.productivity"),
    # 2. The quality bonus is too small, capped, and individual.
    _case("health-system-value-based", "measure-weight-too-small", "ip-physician-2022.quality"),
    _case("health-system-value-based", "upside-asymmetry", "ip-physician-2022"),
    _case("health-system-value-based", "team-goal-individual-pay", "p-quality-outcomes"),
    # 3. Executive bonus on margin and volume, all annual.
    _case("health-system-value-based", "leadership-scorecard-misaligned", "ip-exec-2022"),
    _case("health-system-value-based", "pays-on-deprioritized-driver", "ip-exec-2022.volume"),
    _case("health-system-value-based", "short-reward-horizon", "ip-exec-2022"),
    # 4. Care management does not exist.
    _case("health-system-value-based", "missing-required-function", "p-population-health"),
    _case("health-system-value-based", "offer-delivery-gap", "mssp-aco"),
    # 5. Risk stratification and claims analytics arrive 18 months late.
    _case("health-system-value-based", "system-capability-missing", "p-population-health"),
    _case("health-system-value-based", "capability-lead-time", "population-health-platform"),
]

#: (repository, rule, entity) that must stay silent, each with the reason an expert would give.
MUST_NOT_FIRE: list[Any] = [
    # Wells Fargo
    _case("wells-fargo-2016", "clawback-missing", "ip-exec-bonus-2017"),        # misconduct + restatement, 36 months
    _case("wells-fargo-2016", "clawback-missing", "ip-exec-psu-2017"),          # same clawback on the share units
    _case("wells-fargo-2016", "short-reward-horizon", "ip-exec-bonus-2017"),    # 3-year PSUs are 2/3 of target pay
    _case("wells-fargo-2016", "short-reward-horizon", "ip-exec-psu-2017"),
    _case("wells-fargo-2016", "high-powered-single-measure", "ip-banker-2017"),  # variable pay is only 15% of pay
    _case("wells-fargo-2016", "missing-required-function", "p-sales-integrity"),  # oversight function is active
    _case("wells-fargo-2016", "system-capability-missing", "p-sales-integrity"),  # complaint tracking is live
    _case("wells-fargo-2016", "measurement-cadence-mismatch", "ip-banker-2017"),  # survey refreshes monthly
    _case("wells-fargo-2016", "line-of-sight-mismatch", "ip-banker-2017.experience"),  # declared a team measure
    _case("wells-fargo-2016", "plan-coverage-gap", "personal-banker"),          # a plan is in force
    _case("wells-fargo-2016", "plan-not-reviewed-since-strategy", "ip-exec-bonus-2017"),  # reviewed after approval
    _case("wells-fargo-2016", "cascade-gap", "p-sales-integrity"),             # both contributors have objectives
    # Health system
    _case("health-system-value-based", "pricing-model-mismatch", "p-population-health"),  # ACO agreement active
    _case("health-system-value-based", "clawback-missing", "ip-exec-2022"),     # restatement + misconduct, 36 months
    _case("health-system-value-based", "clawback-missing", "ip-physician-2022"),  # paid on billed work, not bookings
    _case("health-system-value-based", "measurement-cadence-mismatch", "ip-physician-2022"),  # quarterly and quarterly
    _case("health-system-value-based", "line-of-sight-mismatch", "ip-physician-2022.quality"),  # panel quality
    _case("health-system-value-based", "priority-unfunded", "p-population-health"),  # platform and ACO office funded
    _case("health-system-value-based", "cross-function-conflict", "primary-care"),  # both groups on the same driver
    _case("health-system-value-based", "plan-coverage-gap", "care-manager"),    # nobody employed yet: CA01's finding
    _case("health-system-value-based", "plan-not-reviewed-since-strategy", "ip-physician-2022"),  # reviewed after
    # Microsoft (the counter-example): the design choices that make it right.
    _case("microsoft-cloud-2017", "pricing-model-mismatch", "p-cloud-consumption"),  # usage and subscription live
    _case("microsoft-cloud-2017", "credit-excludes-strategic-offer", "ip-account-executive-fy18"),  # cloud credited
    _case("microsoft-cloud-2017", "clawback-missing", "ip-account-executive-fy18"),  # credited when billed, reversible
    _case("microsoft-cloud-2017", "clawback-missing", "ip-customer-success-fy18"),  # nothing credited at booking
    _case("microsoft-cloud-2017", "clawback-missing", "ip-exec-bonus-fy18"),    # restatement, 36 months
    _case("microsoft-cloud-2017", "clawback-missing", "ip-exec-psa-fy18"),
    _case("microsoft-cloud-2017", "payout-before-value-realized", "ip-account-executive-fy18.consumption"),
    _case("microsoft-cloud-2017", "short-reward-horizon", "ip-exec-bonus-fy18"),  # 3-year PSAs are 3/4 of target pay
    _case("microsoft-cloud-2017", "short-reward-horizon", "p-customer-success"),  # measured over 12 months
    _case("microsoft-cloud-2017", "leadership-scorecard-misaligned", "ip-exec-bonus-fy18"),  # 70% on to-drivers
    _case("microsoft-cloud-2017", "cross-function-conflict", "enterprise-sales"),  # consumption vs usage: no conflict
    _case("microsoft-cloud-2017", "team-goal-individual-pay", "p-cloud-consumption"),  # CSMs paid as a team
    _case("microsoft-cloud-2017", "measure-controlled-by-payee", "ip-account-executive-fy18.consumption"),  # finance
    _case("microsoft-cloud-2017", "upside-asymmetry", "ip-account-executive-fy18"),  # no legacy measure
    _case("microsoft-cloud-2017", "incentive-strategy-divergence", "commercial-cloud-fy18"),
    _case("microsoft-cloud-2017", "capability-lead-time", "customer-success"),  # unit live on the strategy's first day
    _case("microsoft-cloud-2017", "pays-on-deprioritized-driver", "licence-bookings"),  # deprecated, paid by nobody
]


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", sorted(REPOS))
def test_documents_are_valid(name: str) -> None:
    """The repositories are well-formed policy data: nothing of the input family fires."""
    result = _result(name)
    inputs = [f for f in _all(name) if f.family == "input"]
    assert not inputs, f"{name} has invalid documents:\n" + "\n".join(f"  {f.rule}: {f.message}" for f in inputs)
    files = {p.name for p in (ROOT / REALISTIC / name).rglob("*.yaml")}
    assert result.files_checked == len(files) and result.files_skipped == 0


@pytest.mark.parametrize(("name", "rule", "entity"), EXPECTED)
def test_expected_finding(name: str, rule: str, entity: str) -> None:
    assert _hits(name, rule, entity), f"{name}: expected {rule} on '{entity}'; found:\n{_describe(name)}"


@pytest.mark.parametrize(("name", "rule", "entity"), MUST_NOT_FIRE)
def test_must_not_fire(name: str, rule: str, entity: str) -> None:
    hits = _hits(name, rule, entity)
    assert not hits, f"{name}: {rule} must not fire on '{entity}': {hits[0].message}"


def test_well_designed_counter_example_is_quiet() -> None:
    """The Microsoft repository is the redesign done right: no warning and no error."""
    loud = [f for f in _all("microsoft-cloud-2017") if f.severity >= Severity.WARNING]
    assert not loud, "the counter-example should be quiet:\n" + "\n".join(
        f"  {f.severity.label} {f.rule} {', '.join(f.entities)}: {f.message}" for f in loud)


def test_expectation_rules_exist() -> None:
    """A typo in a rule slug would make a must-not-fire test pass for nothing."""
    known = {p.parent.name for p in (ROOT / "rules").glob("*/*/rule.yaml")}
    used = {p.values[1] for p in EXPECTED + MUST_NOT_FIRE}
    assert used <= known, f"unknown rules: {sorted(used - known)}"


def test_must_not_fire_entities_exist() -> None:
    """A must-not-fire entity that no document defines would pass for nothing."""
    for param in MUST_NOT_FIRE:
        name, _, entity = param.values
        text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / REALISTIC / name).rglob("*.yaml"))
        component = entity.split(".", 1)
        if len(component) == 2:
            assert re.search(rf"\bid: {re.escape(component[0])}\b", text), (name, entity)
            assert re.search(rf"\bid: {re.escape(component[1])}\b", text), (name, entity)
        else:
            assert re.search(rf"\bid: {re.escape(entity)}\b", text), (name, entity)


@pytest.mark.parametrize("name", sorted(REPOS))
def test_readme_names_every_expectation(name: str) -> None:
    """The README beside each repository lists the findings the tests expect and forbid."""
    readme = (ROOT / REALISTIC / name / "README.md").read_text(encoding="utf-8")
    assert "## Sources" in readme and "illustrative" in readme
    for param in EXPECTED + MUST_NOT_FIRE:
        repo, rule, entity = param.values
        if repo == name:
            assert f"{rule}" in readme and f"{entity}" in readme, (rule, entity)
