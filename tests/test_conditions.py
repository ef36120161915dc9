"""Rule conditions on well-designed plans (issue 9, point 4): each test edits a copy of
examples/aligned so that one rule's condition is met or just missed, and checks the finding
(or its absence) and what its message tells the analyst."""
from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path

import pytest

from incentive_lint.base.findings import Finding
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)
EXEC_ROLES = "[ceo, coo, cfo, vp-sales, vp-service, vp-customer-success]"


@pytest.fixture()
def aligned(tmp_path: Path) -> Path:
    target = tmp_path / "aligned"
    shutil.copytree(ROOT / "examples" / "aligned", target)
    return target


def edit(repo: Path, name: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` (which must be there) in one file of the copied repository."""
    path = repo / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def findings(repo: Path, rule: str) -> list[Finding]:
    """The rule's findings, those folded under another finding as its consequences included."""
    result, _ = lint(LintOptions(paths=[repo], as_of=AS_OF, use_config=False, cwd=repo.parent))
    every = [one for f in result.findings for one in f.with_consequences()]
    return [f for f in every if f.rule == rule]


def ev(finding: Finding, *path: str | int) -> object:
    """A value from a finding's (frozen) evidence: string steps look up keys, integers index."""
    node: object = finding.evidence
    for step in path:
        if isinstance(step, int):
            node = node[step]  # type: ignore[index]
        else:
            node = dict(node)[step]  # type: ignore[call-overload]
    return node


def add_ltip(repo: Path, pct_of_base: float, currency: str = "EUR",
             components: str = "  - {id: uptime-acv, kpi: uptime-contract-acv, weight: 100, type: bonus, "
                               "measured_at: company, cap: 200, performance_period_months: 36}\n") -> None:
    """A three-year LTIP for every executive of the aligned example."""
    (repo / "plans" / "ltip-2025.yaml").write_text(
        "kind: IncentivePlan\nschema: incentive-lint/v1\nid: ip-ltip-2025\ntitle: Executive LTIP 2025-2027\n"
        f"owner: board-remco\nstatus: active\nplan_type: ltip\neligible_roles: {EXEC_ROLES}\n"
        "effective: {from: 2025-01-01, to: 2027-12-31}\nlast_reviewed: 2024-12-12\ncommunicated_on: 2024-12-20\n"
        f"acknowledged_by: {EXEC_ROLES}\ncurrency: {currency}\ntarget_incentive: {{pct_of_base: {pct_of_base}}}\n"
        "payout_frequency: annual\nclawback: {triggers: [restatement, misconduct], lookback_months: 36}\n"
        "windfall_review: none\ncomponents:\n" + components, encoding="utf-8")
    edit(repo, "org/org.yaml", "plans: [ip-exec-2025]", "plans: [ip-exec-2025, ip-ltip-2025]", count=-1)


# --------------------------------------------------------------------------- short-reward-horizon


def exec_horizon(repo: Path) -> list[Finding]:
    return [f for f in findings(repo, "short-reward-horizon") if f.entities[0].startswith("ip-")]


def test_annual_bonus_alone_without_deferral_is_short(aligned: Path) -> None:
    edit(aligned, "plans/exec-2025.yaml", "deferral: {pct: 40, months: 36}\n", "")
    [finding] = exec_horizon(aligned)
    assert finding.entities == ("ip-exec-2025",)
    assert "0% of executive variable pay" in finding.message
    assert "the only plan in force for" in finding.message


def test_executive_ltip_covering_the_horizon_is_no_finding(aligned: Path) -> None:
    edit(aligned, "plans/exec-2025.yaml", "deferral: {pct: 40, months: 36}\n", "")
    add_ltip(aligned, pct_of_base=120)  # two thirds of target variable pay, over 36 months
    assert exec_horizon(aligned) == []


def test_a_small_ltip_is_weighed_by_target_pay_and_named(aligned: Path) -> None:
    edit(aligned, "plans/exec-2025.yaml", "deferral: {pct: 40, months: 36}\n", "")
    add_ltip(aligned, pct_of_base=10)  # 10 of 70 % of base: 14.3 % long-term
    [finding] = exec_horizon(aligned)
    assert finding.entities == ("ip-exec-2025", "ip-ltip-2025")
    assert "14.3% of executive variable pay" in finding.message
    assert "'ip-ltip-2025' 14.3% of target pay" in finding.message
    assert ev(finding, "plans", "ip-ltip-2025", "long_fraction") == 1.0


def test_an_ltip_in_a_currency_without_rate_is_left_out_not_added(aligned: Path) -> None:
    edit(aligned, "plans/exec-2025.yaml", "deferral: {pct: 40, months: 36}\n", "")
    add_ltip(aligned, pct_of_base=120, currency="JPY")
    [finding] = exec_horizon(aligned)
    assert "left out for want of a target or exchange rate: ip-ltip-2025" in finding.message
    assert ev(finding, "unpriced_plans") == ("ip-ltip-2025",)


# --------------------------------------------------------------------------- leadership-scorecard-misaligned

EFFICIENCY_BONUS = """components:
  - {id: ebit, kpi: ebit, weight: 40, type: bonus, measured_at: company, threshold: 90, cap: 150,
     performance_period_months: 12}
  - {id: cost, kpi: cost-per-unit, weight: 60, type: bonus, measured_at: company, cap: 150,
     performance_period_months: 12}
"""


def inward_bonus(repo: Path) -> None:
    path = repo / "plans" / "exec-2025.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("components:")] + EFFICIENCY_BONUS, encoding="utf-8")


def test_an_inward_looking_bonus_alone_is_misaligned(aligned: Path) -> None:
    inward_bonus(aligned)
    [finding] = findings(aligned, "leadership-scorecard-misaligned")
    assert finding.entities[0] == "ip-exec-2025"
    assert "0% of leaders' variable pay" in finding.message and "60% on internal efficiency" in finding.message


def test_an_ltip_on_the_to_drivers_balances_the_bonus(aligned: Path) -> None:
    inward_bonus(aligned)
    add_ltip(aligned, pct_of_base=120, components=(
        "  - {id: uptime-acv, kpi: uptime-contract-acv, weight: 60, cap: 200, performance_period_months: 36}\n"
        "  - {id: nrr, kpi: net-revenue-retention, weight: 40, cap: 200, performance_period_months: 36}\n"))
    assert findings(aligned, "leadership-scorecard-misaligned") == []


def test_a_small_ltip_is_named_in_the_scorecard_message(aligned: Path) -> None:
    inward_bonus(aligned)
    add_ltip(aligned, pct_of_base=10)
    [finding] = findings(aligned, "leadership-scorecard-misaligned")
    assert finding.entities[:2] == ("ip-exec-2025", "ip-ltip-2025")
    assert "'ip-exec-2025' + 'ip-ltip-2025': 14.3% of leaders' variable pay" in finding.message
    assert "ip-exec-2025 85.7%, ip-ltip-2025 14.3% of target pay" in finding.message


# --------------------------------------------------------------------------- clawback and deferral cover


def book_uptime(repo: Path, clawback: str, lag: int = 36) -> None:
    """Credit the sales plan's uptime contracts at booking, with the given clawback line."""
    edit(repo, "plans/sales-2025.yaml", "credit_on: outcome-verified", "credit_on: booking")
    edit(repo, "plans/sales-2025.yaml",
         "clawback: {triggers: [contract-cancellation, non-payment, outcome-credit-reversal], lookback_months: 36}",
         clawback)
    edit(repo, "kpis/kpis.yaml", "realization_lag_months: 36,\n     introduced: 2025-01-01",
         f"realization_lag_months: {lag},\n     introduced: 2025-01-01")


def test_a_clawback_over_the_whole_realisation_period_is_enough(aligned: Path) -> None:
    book_uptime(aligned, "clawback: {triggers: [contract-cancellation], lookback_months: 120}", lag=120)
    assert findings(aligned, "payout-before-value-realized") == []
    assert findings(aligned, "clawback-missing") == []


def test_a_clawback_shorter_than_the_value_horizon_says_how_much_it_covers(aligned: Path) -> None:
    book_uptime(aligned, "clawback: {triggers: [contract-cancellation], lookback_months: 12}", lag=120)
    [early] = findings(aligned, "payout-before-value-realized")
    assert early.entities[0] == "ip-sales-2025.uptime-acv"
    assert "clawback covers 12 of 120 months" in early.message
    assert (ev(early, "needed_months"), ev(early, "covered_months")) == (120, 12)
    [missing] = findings(aligned, "clawback-missing")
    assert "its clawback covers 12 of 120 months" in missing.message


def test_a_restatement_clawback_does_not_cover_cancelled_bookings(aligned: Path) -> None:
    book_uptime(aligned, "clawback: {triggers: [restatement], lookback_months: 36}")
    [early] = findings(aligned, "payout-before-value-realized")
    assert "clawback triggers (restatement) do not cover cancellation or churn" in early.message
    [missing] = findings(aligned, "clawback-missing")
    assert "pays on bookings" in missing.message and "do not cover cancellation or churn" in missing.message


@pytest.mark.parametrize("trigger,covered", [("customer-cancellation", True), ("customer-churn", True),
                                              ("termination-for-cause", False), ("non-payment", False)])
def test_cancellation_triggers_are_matched_by_whole_words(aligned: Path, trigger: str, covered: bool) -> None:
    book_uptime(aligned, f"clawback: {{triggers: [{trigger}], lookback_months: 36}}")
    assert (findings(aligned, "payout-before-value-realized") == []) is covered


def test_a_short_deferral_says_how_much_it_covers(aligned: Path) -> None:
    book_uptime(aligned, "clawback: none\ndeferral: {pct: 50, months: 12}")
    [early] = findings(aligned, "payout-before-value-realized")
    assert "deferral (50%) covers 12 of 36 months" in early.message


def test_an_executive_clawback_without_restatement_is_a_finding(aligned: Path) -> None:
    edit(aligned, "plans/exec-2025.yaml", "clawback: {triggers: [restatement, misconduct], lookback_months: 36}",
         "clawback: {triggers: [misconduct], lookback_months: 36}")
    [finding] = findings(aligned, "clawback-missing")
    assert "'ip-exec-2025' is an annual bonus and its clawback triggers (misconduct) do not cover restatement" \
        == finding.message


def test_credit_on_estimate_counts_like_booking_for_clawback_missing(aligned: Path) -> None:
    edit(aligned, "plans/sales-2025.yaml", "credit_on: outcome-verified", "credit_on: estimate")
    edit(aligned, "plans/sales-2025.yaml",
         "clawback: {triggers: [contract-cancellation, non-payment, outcome-credit-reversal], lookback_months: 36}",
         "clawback: none")
    [finding] = findings(aligned, "clawback-missing")
    assert finding.entities == ("ip-sales-2025", "ip-sales-2025.uptime-acv")
    assert "pays on estimated values ('ip-sales-2025.uptime-acv') and has no clawback" in finding.message


# --------------------------------------------------------------------------- upside-asymmetry

STRATEGIC = ("cap: 250,\n     accelerators: [{from: 100, multiplier: 1.5}, {from: 120, multiplier: 2.0}],\n"
             "     credit_on: outcome-verified")


def test_equal_caps_without_accelerators_are_no_asymmetry(aligned: Path) -> None:
    edit(aligned, "plans/sales-2025.yaml", STRATEGIC, "cap: 100,\n     credit_on: outcome-verified")
    assert findings(aligned, "upside-asymmetry") == []


def test_a_higher_legacy_cap_is_an_asymmetry(aligned: Path) -> None:
    edit(aligned, "plans/sales-2025.yaml", STRATEGIC, "cap: 100,\n     credit_on: outcome-verified")
    edit(aligned, "plans/sales-2025.yaml", "threshold: 50, cap: 100,\n     credit_on: shipment",
         "threshold: 50, cap: 150,\n     credit_on: shipment")
    [finding] = findings(aligned, "upside-asymmetry")
    assert finding.message == ("'ip-sales-2025': 'uptime-acv' (strategic) capped at 100% while 'units' (legacy) "
                               "is capped at 150%")


def test_a_steeper_legacy_accelerator_at_equal_caps_is_an_asymmetry(aligned: Path) -> None:
    edit(aligned, "plans/sales-2025.yaml", STRATEGIC, "cap: 100,\n     credit_on: outcome-verified")
    edit(aligned, "plans/sales-2025.yaml", "threshold: 50, cap: 100,\n     credit_on: shipment",
         "threshold: 50, cap: 100, accelerators: [{from: 100, multiplier: 1.5}],\n     credit_on: shipment")
    [finding] = findings(aligned, "upside-asymmetry")
    assert ev(finding, "pairs", 0, "why") == ("higher legacy accelerator",)


# --------------------------------------------------------------------------- team-goal-individual-pay


def individual_installed_base(repo: Path) -> None:
    """Customer success and field service pay on retention and CSAT per person only."""
    edit(repo, "plans/cs-2025.yaml", "kpi: net-revenue-retention, weight: 30, type: bonus, measured_at: team",
         "kpi: net-revenue-retention, weight: 30, type: bonus, measured_at: individual")
    edit(repo, "plans/cs-2025.yaml", "kpi: csat, weight: 20, type: bonus, measured_at: team",
         "kpi: csat, weight: 20, type: bonus, measured_at: individual")
    edit(repo, "plans/service-2025.yaml", "kpi: csat, weight: 40, type: bonus, measured_at: team",
         "kpi: csat, weight: 40, type: bonus, measured_at: individual")


def installed_base(repo: Path) -> list[Finding]:
    return [f for f in findings(repo, "team-goal-individual-pay") if f.entities[0] == "p-installed-base"]


def test_company_level_executive_pay_makes_the_goal_shared(aligned: Path) -> None:
    individual_installed_base(aligned)
    # The executives sit in operations, which is no contributor of p-installed-base.
    for role in ("vp-sales", "vp-service", "vp-customer-success"):
        edit(aligned, "org/org.yaml", f"{{id: {role}, function: ", f"{{id: {role}, function: operations, x-was: ")
    assert installed_base(aligned) == []
    edit(aligned, "plans/exec-2025.yaml", "kpi: net-revenue-retention, weight: 25, type: bonus, measured_at: company",
         "kpi: net-revenue-retention, weight: 25, type: bonus, measured_at: individual")
    [finding] = installed_base(aligned)
    assert "ip-exec-2025.nrr" in finding.entities


def test_team_pay_of_a_function_sharing_the_accounts_counts(aligned: Path) -> None:
    individual_installed_base(aligned)
    edit(aligned, "plans/exec-2025.yaml", "kpi: net-revenue-retention, weight: 25, type: bonus, measured_at: company",
         "kpi: net-revenue-retention, weight: 25, type: bonus, measured_at: individual")
    assert len(installed_base(aligned)) == 1
    # Sales is no contributor, but declares shared accounts with customer success.
    edit(aligned, "plans/sales-2025.yaml", "kpi: product-gross-margin, weight: 35, type: bonus, measured_at: individual",
         "kpi: net-revenue-retention, weight: 35, type: bonus, measured_at: team")
    assert installed_base(aligned) == []


# --------------------------------------------------------------------------- cross-function-conflict


def add_parts_plan(repo: Path, headcount: int, target: int) -> None:
    """A plan for a sales role that pays 100 % on units shipped."""
    edit(repo, "org/org.yaml", "systems:\n",
         f"  - {{id: parts-specialist, function: sales, level: individual, headcount: {headcount}, "
         "base_salary: 50000, customer_facing: true, plans: [ip-parts-2025]}\nsystems:\n")
    (repo / "plans" / "parts-2025.yaml").write_text(
        "kind: IncentivePlan\nschema: incentive-lint/v1\nid: ip-parts-2025\nowner: vp-sales\nstatus: active\n"
        "plan_type: sales-bonus\neligible_roles: [parts-specialist]\neffective: {from: 2025-01-01, to: 2025-12-31}\n"
        f"currency: EUR\ntarget_incentive: {target}\npayout_frequency: quarterly\nclawback: none\n"
        "windfall_review: none\ncomponents:\n  - {id: units, kpi: units-shipped, weight: 100, cap: 150}\n",
        encoding="utf-8")


def test_a_small_plan_does_not_make_the_function_volume_driven(aligned: Path) -> None:
    add_parts_plan(aligned, headcount=2, target=5000)  # EUR 10,000 of sales' EUR 4,010,000
    assert findings(aligned, "cross-function-conflict") == []


def test_a_plan_carrying_most_of_the_pay_does(aligned: Path) -> None:
    add_parts_plan(aligned, headcount=200, target=40000)  # units: EUR 8.6m of sales' EUR 12m
    found = findings(aligned, "cross-function-conflict")
    volume = "sales is paid 71.7% on unit-volume ('units-shipped', ip-parts-2025, ip-sales-2025)"
    assert any(volume in f.message and "sales" in f.entities for f in found), [f.message for f in found]
