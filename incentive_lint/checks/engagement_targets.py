"""Check functions of the engagement family: targets, quotas, thresholds and reward horizons of the paying components."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Plan
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, names, pct
from incentive_lint.checks.engagement import _EPS, executive_packages, _is_legacy, _kpi_link, _legacy_drivers, _roles, _strategic

#: KPI units whose per-person targets cannot be added up into a company total.
NON_ADDITIVE_UNITS = frozenset({"percent", "%", "pct", "percentage", "score", "ratio", "rate", "index", "nps",
                                "days", "hours-per-unit"})


def _months(value: float) -> str:
    text = pct(value)
    return f"{text} month" if text == "1" else f"{text} months"


# --------------------------------------------------------------------------- EN09


def legacy_baseline_target(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN09: a target set as last year's actual where last year means nothing (a new priority)
    or asks for growth in a driver the strategy abandons."""
    strategy = model.strategy
    if strategy is None:
        return
    for plan in model.focused(model.in_force_plans()):
        for c in plan.paying:
            if c.target_basis != "last-year-actual":
                continue
            new = _strategic(model, c, ("new",))
            pairs = _legacy_drivers(model, strategy, c)
            uplift = c.uplift_pct
            if new:
                reason = f"'{new[0].id}' is a new priority, so last year's result is no representative history"
                related = [link(f"priority '{p.id}' is change: new", p, "change") for p in new]
            elif _is_legacy(model, c) and uplift is not None and uplift > 0 and pairs:
                drivers = sorted({d for _, d in pairs})
                reason = f"it asks for growth in {', '.join(drivers)}, which {strategy.id} is moving away from"
                related = [(f"{strategy.id} moves away from '{d}'", item_loc(strategy, ("shift", "from_drivers"), d))
                           for d in drivers]
            else:
                continue
            kpi = model.kpis.get(c.kpi or "")
            baseline = kpi.baseline.get("value") if kpi and kpi.baseline else None
            base_text = f" ({baseline:g})" if isinstance(baseline, (int, float)) else ""
            up_text = f" {'+' if uplift >= 0 else ''}{pct(uplift)}%" if uplift is not None else ""
            yield Hit(
                at=c.field_loc("target"),
                args={"component": c.key, "baseline": base_text, "uplift": up_text, "reason": reason},
                entities=(c.key, plan.id),
                related=(*related, *_kpi_link(model, c)),
                evidence={"basis": c.target_basis, "uplift_pct": uplift, "baseline": baseline,
                          "priorities": [p.id for p in new], "legacy_drivers": sorted({d for _, d in pairs})})


# --------------------------------------------------------------------------- EN10


def _individual(model: Model, c: Component) -> bool:
    if c.measured_at is not None:
        return c.measured_at == "individual"
    kpi = model.kpis.get(c.kpi or "")
    return bool(kpi and kpi.measurable_at == "individual")


def _additive(model: Model, kpi_id: str) -> bool:
    kpi = model.kpis.get(kpi_id)
    if kpi is None:
        return False
    unit = str(kpi.raw.get("unit") or "").strip().lower()
    return bool(unit) and unit not in NON_ADDITIVE_UNITS and kpi.raw.get("direction", "up") == "up"


def quota_target_coverage(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN10: per-person quotas on a KPI do not add up to the strategy's target for it, or a plan's
    history shows that too few or too many people reach target. Silent without that data."""
    low, high = float(options.get("min_coverage", 1.0)), float(options.get("max_coverage", 1.3))
    strategy = model.strategy
    plans = model.in_force_plans()
    if strategy is not None:
        targets = sorted(((t, p) for p in strategy.priorities for t in p.targets
                          if t.kpi and t.value and t.value > 0 and t.by), key=lambda x: (x[0].kpi or "", x[0].by))
        done: set[str] = set()
        for target, priority in targets:
            kid = target.kpi or ""
            if kid in done or not _additive(model, kid):
                continue
            quotas = []
            complete = True
            for plan in plans:
                if not (plan.covers(target.by) or model.rolled_over(plan)):  # type: ignore[arg-type]
                    continue
                for c in plan.paying:
                    if c.kpi != kid or not _individual(model, c):
                        continue
                    value = (c.raw.get("target") or {}).get("value") if isinstance(c.raw.get("target"), dict) else None
                    if not isinstance(value, (int, float)) or isinstance(value, bool):
                        complete = False
                        continue
                    heads = sum(model.roles[r].headcount for r in _roles(model, plan) if r in model.roles)
                    quotas.append((c, float(value), heads))
            total = sum(v * h for _, v, h in quotas)
            if not complete or total <= 0:
                continue
            done.add(kid)
            ratio = total / float(target.value or 1)
            if low - _EPS <= ratio <= high + _EPS:
                continue
            first = max(quotas, key=lambda x: (x[1] * x[2], x[0].key))[0]
            detail = " + ".join(f"{h} x {v:,.0f} ({c.key})" for c, v, h in quotas)
            yield Hit(
                at=first.field_loc("target"),
                args={"subject": f"quotas for '{kid}' add up to",
                      "detail": f"{ratio:.2f}x the strategy target: {detail} = {total:,.0f} vs {target.value:,.0f} "
                                f"by {target.by}",
                      "expected": f"{low:.1f}-{high:.1f}x"},
                entities=(kid, priority.id),
                related=(link(f"'{priority.id}' targets {target.value:,.0f} by {target.by}", target, "value"),
                         *[link(f"'{c.key}' quota {v:,.0f} for {h} people", c, "target") for c, v, h in quotas]),
                evidence={"ratio": round(ratio, 4), "quota_total": total, "strategy_target": target.value,
                          "by": target.by.isoformat() if target.by else None, "min_coverage": low,
                          "max_coverage": high,
                          "quotas": [{"component": c.key, "quota": v, "headcount": h} for c, v, h in quotas]})
    rate_low = float(options.get("min_attainment_rate", 50))
    rate_high = float(options.get("max_attainment_rate", 80))
    for plan in plans:
        history = plan.raw.get("history")
        if not isinstance(history, dict):
            continue
        rate = history.get("attainment_rate")
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate_low <= rate <= rate_high:
            continue
        period = history.get("period")
        yield Hit(
            at=item_loc(plan, ("history", "attainment_rate")),
            args={"subject": f"'{plan.id}':",
                  "detail": f"{pct(rate)}% of participants reached target{f' in {period}' if period else ''}",
                  "expected": f"{rate_low:g}-{rate_high:g}%"},
            entities=(plan.id,),
            evidence={"attainment_rate": rate, "period": period, "min_attainment_rate": rate_low,
                      "max_attainment_rate": rate_high})


# --------------------------------------------------------------------------- EN11


def threshold_too_high_on_new_measure(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN11: a component on a new priority pays nothing until attainment is already high."""
    limit = float(options.get("max_threshold", 90))
    for plan in model.focused(model.in_force_plans()):
        for c in plan.paying:
            new = _strategic(model, c, ("new",))
            if not new or c.threshold is None or c.threshold < limit:
                continue
            yield Hit(
                at=c.field_loc("threshold"),
                args={"component": c.key, "threshold": pct(c.threshold), "measure": c.kpi or c.objective or c.id,
                      "priority": new[0].id},
                entities=(c.key, plan.id),
                related=tuple(link(f"priority '{p.id}' is change: new", p, "change") for p in new),
                evidence={"threshold": c.threshold, "max_threshold": limit, "priorities": [p.id for p in new]})


# --------------------------------------------------------------------------- EN12


def _holding(plan: Plan) -> int:
    value = plan.raw.get("holding_months")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _deferral(plan: Plan) -> int:
    return (plan.deferral_months or 0) if (plan.deferral_pct or 0) > 0 else 0


def _horizon(plan: Plan, c: Component) -> float:
    """Reward horizon (rules.md 3.0): performance period (default payout period) + deferral + holding."""
    perf = float(c.performance_period_months) if c.performance_period_months else plan.payout_months
    return perf + _deferral(plan) + _holding(plan)


def short_reward_horizon(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN12: pay on a long-horizon priority is earned over too short a period; executives have too
    little variable pay on a horizon of three years or more."""
    strategy = model.strategy
    if strategy is None:
        return
    min_h = float(options.get("min_priority_horizon", 24))
    floor = float(options.get("min_reward_horizon", 12))
    divisor = float(options.get("horizon_divisor", 3))
    plans = model.in_force_plans()
    for p in sorted(strategy.priorities, key=lambda x: x.id):
        if p.horizon_months is None or p.horizon_months < min_h:
            continue
        paying = [(plan, c, _horizon(plan, c)) for plan in plans for c in plan.paying
                  if c.weight > 0 and model.component_map(c).get(p.id, 0.0) > 0]
        if not paying:
            continue
        needed = max(floor, p.horizon_months / divisor)
        best = max(h for _, _, h in paying)
        if best >= needed - _EPS:
            continue
        yield Hit(
            at=p.field_loc("horizon_months"),
            args={"subject": f"'{p.id}'",
                  "detail": f"longest reward horizon is {_months(best)} ({names(c.key for _, c, _ in paying)}) "
                            f"vs priority horizon {_months(p.horizon_months)}; expected at least {_months(needed)}"},
            entities=(p.id, strategy.id),
            related=tuple((f"'{c.key}' is earned over {_months(h)}",
                           c.field_loc("performance_period_months") if "performance_period_months" in c.raw
                           else plan.field_loc("payout_frequency"))
                          for plan, c, h in paying),
            evidence={"horizon_months": p.horizon_months, "longest_reward_horizon": best, "needed": needed,
                      "components": {c.key: h for _, c, h in paying}})
    long_h = float(options.get("exec_long_horizon", 36))
    min_share = float(options.get("exec_min_long_share", 30))
    strategy_h = max((p.horizon_months or 0 for p in strategy.priorities), default=0)
    if strategy_h < min_h:
        return
    for package in executive_packages(model):
        if not any(c.weight > 0 for plan in package.plans for c in plan.paying):
            continue  # nothing says how these plans are earned
        long_by_plan = {plan.id: _long_fraction(plan, long_h) for plan in package.plans}
        share_by_role = {r: 100 * sum(f * long_by_plan[pid] for pid, f in package.shares[r].items())
                         for r in package.roles}
        short = [r for r in package.roles if share_by_role[r] < min_share - _EPS]
        if not short:
            continue
        low, high = min(share_by_role[r] for r in short), max(share_by_role[r] for r in short)
        share_text = pct(low) if pct(low) == pct(high) else f"{pct(low)}-{pct(high)}"
        first = short[0]
        fractions = package.shares[first]
        # The plan to change first: the one carrying most short-horizon pay.
        main = min(package.plans, key=lambda p: (-fractions.get(p.id, 0.0) * (1 - long_by_plan[p.id]), p.id))
        if len(package.plans) == 1:
            where = f"in '{main.id}', the only plan in force for {', '.join(short)}"
        else:
            parts = ", ".join(f"'{p.id}' {pct(100 * fractions.get(p.id, 0.0))}% of target pay, "
                              f"{pct(100 * long_by_plan[p.id])}% of it long-term" for p in package.plans)
            basis = " (no target pay given: plans counted equally)" if package.by_weight else ""
            where = f"across the plans in force for {', '.join(short)}: {parts}{basis}"
        unpriced = (f"; left out for want of a target or exchange rate: {', '.join(p.id for p in package.unpriced)}"
                    if package.unpriced else "")
        yield Hit(
            at=main.loc,
            args={"subject": f"'{package.label()}'",
                  "detail": f"{share_text}% of executive variable pay has a reward horizon of {long_h:g} months "
                            f"or more {where} (expected at least {pct(min_share)}%){unpriced}; the strategy's "
                            f"horizon is {_months(strategy_h)}"},
            entities=(main.id, *(p.id for p in package.plans if p is not main)),
            related=(*(link(f"'{p.id}'{f' ({p.plan_type})' if p.plan_type else ''} is in force for "
                            f"{', '.join(short)}", p) for p in package.plans if p is not main),
                     *(link(f"'{c.key}' is earned over {_months(_horizon(plan, c))}", c)
                       for plan in package.plans for c in plan.paying if c.weight > 0)),
            evidence={"long_share": round(low, 2), "long_share_by_role": {r: round(share_by_role[r], 2) for r in short},
                      "plans": {p.id: {"target_pay_fraction": round(fractions.get(p.id, 0.0), 4),
                                       "long_fraction": round(long_by_plan[p.id], 4),
                                       "deferral_pct": p.deferral_pct, "deferral_months": p.deferral_months}
                                for p in package.plans},
                      "unpriced_plans": [p.id for p in package.unpriced], "weighted_by_target_pay": not package.by_weight,
                      "exec_long_horizon": long_h, "exec_min_long_share": min_share,
                      "strategy_horizon": strategy_h})


def _long_fraction(plan: Plan, long_h: float) -> float:
    """Fraction of a plan's pay with a reward horizon of ``long_h`` months or more: a component
    whose performance period plus holding reaches it counts whole, one that reaches it only with
    the deferral counts for the deferred part. A plan without weighted components is judged on
    its payout period, deferral and holding."""
    weighted = [c for c in plan.paying if c.weight > 0]
    total = sum(c.weight for c in weighted)
    if total <= 0:
        if plan.payout_months + _holding(plan) >= long_h:
            return 1.0
        return (plan.deferral_pct or 0) / 100 if plan.payout_months + _deferral(plan) + _holding(plan) >= long_h else 0.0
    long_weight = 0.0
    for c in weighted:
        perf = float(c.performance_period_months) if c.performance_period_months else plan.payout_months
        if perf + _holding(plan) >= long_h:
            long_weight += c.weight
        elif _horizon(plan, c) >= long_h:
            long_weight += c.weight * (plan.deferral_pct or 0) / 100
    return long_weight / total


FUNCTIONS: dict[str, CheckFunction] = {
    "legacy-baseline-target": legacy_baseline_target,
    "quota-target-coverage": quota_target_coverage,
    "threshold-too-high-on-new-measure": threshold_too_high_on_new_measure,
    "short-reward-horizon": short_reward_horizon,
}
