"""Sample results and rule specs for the reporter tests, built by hand (no loader, no engine).

A module of its own (not ``conftest``) so that ``from reporter_samples import ...`` can
never pick up another directory's ``conftest.py``.
"""
from __future__ import annotations

from incentive_lint.base.findings import Finding, LintResult, Related, Severity, fingerprint
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.base.source import Position, Span

SECRET_AMOUNT = "40000"


def span(file: str, line: int, col: int, end_line: int | None = None, end_col: int | None = None) -> Span:
    return Span(file, Position(line, col), Position(end_line or line, end_col or col))


def make_finding(
    rule: str,
    code: str,
    family: str,
    severity: Severity,
    message: str,
    where: Span,
    *,
    template: str = "",
    args: tuple = (),
    path: str = "$",
    entities: tuple[str, ...] = (),
    evidence: tuple = (),
    related: tuple[Related, ...] = (),
    fp: str | None = None,
) -> Finding:
    return Finding(
        span=where,
        rule=rule,
        code=code,
        family=family,
        severity=severity,
        message=message,
        template=template,
        args=args,
        path=path,
        entities=entities,
        evidence=evidence,
        related=related,
        fingerprint=fingerprint(rule, entities, path) if fp is None else fp,
    )


RULES = {
    "weights-sum-to-100": RuleSpec(
        slug="weights-sum-to-100",
        code="WGT010",
        family="weights",
        severity=Severity.ERROR,
        summary="Component weights of a plan add up to 100%.",
        why="A plan whose weights do not add up to 100% pays more or less than its target.",
        fix="Change the component weights so that they add up to 100.",
    ),
    "shift-pays-volume": RuleSpec(
        slug="shift-pays-volume",
        code="ALN020",
        family="alignment",
        severity=Severity.WARNING,
        summary="A strategic shift away from volume is paid on a volume KPI.",
        why="Paying for volume after announcing a shift to outcomes tells people the shift is not real.",
        fix="Tie the component to an outcome KPI, or record an exception with a reason.",
    ),
    "kpi-unused": RuleSpec(
        slug="kpi-unused",
        code="REF030",
        family="references",
        severity=Severity.INFO,
        summary="A KPI in the catalog is used by no plan.",
        why="Unused KPIs make the catalog harder to read.",
    ),
    "payout-cap-above-limit": RuleSpec(
        slug="payout-cap-above-limit",
        code="PAY040",
        family="payout",
        severity=Severity.ERROR,
        summary="A payout cap exceeds the policy limit.",
        why="Caps above the limit need approval by the compensation committee.",
        fix="Lower the cap or attach the approval.",
    ),
    "objective-without-incentive": RuleSpec(
        slug="objective-without-incentive",
        code="ALN001",
        family="alignment",
        severity=Severity.WARNING,
        summary="A strategic objective is paid by no incentive.",
        why="Objectives nobody is paid for tend to be ignored.",
    ),
    # No finding in the sample: a passing JUnit case, still listed in SARIF.
    "plan-has-owner": RuleSpec(
        slug="plan-has-owner",
        code="GOV001",
        family="governance",
        severity=Severity.WARNING,
        summary="Every plan names an owner.",
        why="A plan without an owner has nobody to approve changes or exceptions.",
        fix="Add `owner:` with the accountable role.",
    ),
}


def sample_findings() -> list[Finding]:
    weights = make_finding(
        "weights-sum-to-100", "WGT010", "weights", Severity.ERROR,
        "Component weights of plan ip-sales-na sum to 90, not 100.",
        span("comp/sales-na.yaml", 41, 5, 41, 17),
        template="Component weights of plan {plan} sum to {total}, not 100.",
        args=(("plan", "ip-sales-na"), ("total", 90)),
        path="$.components", entities=("ip-sales-na",),
        evidence=(("weights", (50, 40)), ("total", 90)),
        related=(Related(span("comp/sales-na.yaml", 44, 7, 44, 17), "weight 50"),
                 Related(span("comp/sales-na.yaml", 49, 7, 49, 17), "weight 40")),
    )
    shift = make_finding(
        "shift-pays-volume", "ALN020", "alignment", Severity.WARNING,
        "Shift 'sell outcomes' | plan SALES-NA pays 60% on units_shipped,\nwhich is volume: see [0]",
        span("strategy/2026.yaml", 14, 3, 16, 9),  # spans three lines
        path="$.components[1].kpi", entities=("S-2026", "SALES-NA", "units_shipped"),
        evidence=(("share", 0.6), ("kpi_class", "volume"), ("ratio", float("nan"))),
        related=(Related(span("comp/sales-na.yaml", 41, 5), "component C2 pays 60% on units_shipped"),
                 Related(span("kpis.yaml", 88, 3), "units_shipped is classified as volume")),
    )
    unused = make_finding(
        "kpi-unused", "REF030", "references", Severity.INFO,
        "KPI nps_b2b is used by no plan.",
        span("kpis.yaml", 120, 3, 120, 10),
        path="$.kpis[7]", entities=("nps_b2b",),
    )
    cap = make_finding(
        "payout-cap-above-limit", "PAY040", "payout", Severity.ERROR,
        f"Plan ip-sales-2025 caps the payout at {SECRET_AMOUNT} EUR, above the limit of 30000 EUR.",
        span("comp/ip-sales-2025.yaml", 12, 9, 12, 14),
        template="Plan {plan} caps the payout at {cap:,} EUR, above the limit of {limit} EUR.",
        args=(("plan", "ip-sales-2025"), ("cap", 40000), ("limit", 30000)),
        path="$.payout.cap", entities=("ip-sales-2025",),
        evidence=(("cap", 40000), ("tiers", ((0, 10000), (1, 40000))), ("owner", ("alice", 40000))),
        related=(Related(span("policy/limits.yaml", 3, 1), f"limit 30000, cap {SECRET_AMOUNT}"),
                 Related(span("comp/ip-sales-2025.yaml", 2, 5), "ip-sales-2025")),
    )
    # Two findings that share one engine fingerprint (same rule, entities and path).
    dup_fp = fingerprint("objective-without-incentive", ("O-3",), "$.objectives[2]")
    dup_a = make_finding(
        "objective-without-incentive", "ALN001", "alignment", Severity.WARNING,
        "Objective O-3 is paid by no incentive.",
        span("strategy/2026.yaml", 30, 5), path="$.objectives[2]", entities=("O-3",), fp=dup_fp,
    )
    dup_b = make_finding(
        "objective-without-incentive", "ALN001", "alignment", Severity.WARNING,
        "Objective O-3 is paid by no incentive (second document).",
        span("strategy/2026-h2.yaml", 8, 5), path="$.objectives[2]", entities=("O-3",), fp=dup_fp,
    )
    # A rule that is not in RULES (e.g. an engine rule) and awkward characters everywhere.
    odd = make_finding(
        "yaml-syntax", "ISL001", "input", Severity.ERROR,
        "Bad YAML: 100% broken, key: value\r\nnext line \x1b[31m <b>&amp;</b> ::error::injected",
        span("comp/odd, name: v2.yaml", 3, 7, 3, 2),  # end before start on one line
        path="$", entities=(),
    )
    spaced = make_finding(
        "kpi-unused", "REF030", "references", Severity.INFO,
        "KPI churn is used by no plan.",
        span("kpis/Sales Team/kpis.yaml", 5, 1, 5, 6),
        path="$.kpis[0]", entities=("churn",),
    )
    return [weights, shift, unused, cap, dup_a, dup_b, odd, spaced]


def make_result(findings: list[Finding]) -> LintResult:
    return LintResult(
        findings=tuple(sorted(findings)),
        files_checked=12,
        documents=15,
        rules_run=tuple(sorted(RULES)),
    )
