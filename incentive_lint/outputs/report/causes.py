"""Page one of the report, "What to change": the causes that move most pay, and what is already right.

A cause is a top-level finding (its consequences folded under it, see ``engine.fold``). The pay
it puts at stake is read from the model in the reporting currency, from the most specific
thing the finding names: a plan component (its weight x its plan's target pay), else a plan
(its target pay), else a priority (the pay it is short of its weight). A finding that names
none of these (a KPI without a baseline) moves no pay directly and is listed after those
that do. The divergence finding itself is not a cause: page one opens with its score. Errors come
before warnings (a committee acts on those first); infos are not causes.
"""
from __future__ import annotations

from typing import Sequence

from incentive_lint.base.findings import Finding, Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import NON_PAYING, Component, Plan
from incentive_lint.outputs.report.data import DIMENSIONS, DIVERGENCE_RULE, Cause, CoverageRow, Score
from incentive_lint.outputs.report import fmt
from incentive_lint.settings.catalog import Catalog

#: How many causes page one lists: a committee reads a handful, the rest is in the findings
#: (four, with the masthead, the score and what is right, fit one printed A4 landscape page).
TOP = 4


def _components(model: Model) -> dict[str, tuple[Plan, Component]]:
    return {c.key: (plan, c) for plan in model.plans.values() for c in plan.components}


def at_stake(f: Finding, model: Model, in_force: set[str], total: float,
             shares: dict[str, float]) -> tuple[float | None, str]:
    """The target variable pay a finding puts at stake, in the reporting currency, and how it was found."""
    evidence = dict(f.evidence) if all(isinstance(i, tuple) and len(i) == 2 for i in f.evidence) else {}
    stated = evidence.get("target_pay_at_stake")
    if isinstance(stated, (int, float)) and not isinstance(stated, bool):
        currency = evidence.get("currency")
        converted = model.to_reporting(float(stated), currency if isinstance(currency, str) else None)
        if converted is not None:
            return converted, "as the rule computed it"
    components = _components(model)
    named = [components[e] for e in f.entities if e in components and components[e][0].id in in_force]
    if named:
        amount = sum(model.target_pay(plan.id) * c.weight / 100 for plan, c in named
                     if c.type not in NON_PAYING)
        which = ", ".join(c.key for _, c in named)
        return amount, f"on {which}"
    plans = [e for e in f.entities if e in model.plans and e in in_force]
    if plans:
        return sum(model.target_pay(p) for p in plans), f"plan {', '.join(plans)}"
    weights = {p.id: p.weight for p in model.strategy_priorities()}
    weight_total = sum(weights.values())
    priorities = [e for e in f.entities if e in weights]
    if priorities and weight_total > 0 and total > 0:
        short = sum(max(0.0, weights[p] / weight_total - shares.get(p, 0.0)) for p in priorities)
        return short * total, f"short of the weight of {', '.join(priorities)}"
    return None, "no amount of pay is named"


def causes(findings: Sequence[Finding], model: Model, catalog: Catalog, total: float,
           shares: dict[str, float]) -> tuple[Cause, ...]:
    """The errors, then the warnings, each by the pay they put at stake, largest first (then by file)."""
    in_force = {p.id for p in model.in_force_plans()}
    out = []
    for f in findings:
        if f.rule == DIVERGENCE_RULE or f.severity < Severity.WARNING:
            continue
        amount, basis = at_stake(f, model, in_force, total, shares)
        spec = catalog.rules.get(f.rule)
        out.append(Cause(f, amount, basis, spec.summary if spec else "", " ".join((spec.fix if spec else "").split())))
    # errors first: a committee acts on those; within a severity, the most money first
    out.sort(key=lambda c: (-int(c.finding.severity), c.at_stake is None, -round(c.at_stake or 0.0, 2),
                            c.finding.sort_key()))
    return tuple(out[:TOP])


def already_right(coverage: Sequence[CoverageRow], overall: Score, scores: Sequence[Score]) -> tuple[str, ...]:
    """Plain sentences on what needs no change: covered dimensions, rewarded priorities, scores below threshold."""
    out = []
    if coverage:
        for _, key, name in DIMENSIONS:
            if all(c.checks[key].status in ("yes", "n/a") for c in coverage) and any(
                    c.checks[key].status == "yes" for c in coverage):
                out.append(f"{name}: every priority that needs it has it.")
        if not all(c.checks["incentives"].status == "yes" for c in coverage):
            for c in coverage:
                if c.checks["incentives"].status == "yes":
                    out.append(f"{c.title or c.priority} ({c.priority}) is paid on: {c.checks['incentives'].detail}.")
    for s in (overall, *scores):
        if s.level == "ok" and s.score is not None:
            out.append(f"Divergence of {s.label}: D = {fmt.score(s.score)}, below the warning threshold.")
    return tuple(out)
