"""Check functions of the engagement family, part 1: pay mix and alignment (EN01-EN12).

They answer "does variable pay reward what the strategy asks for?": where target incentive
flows (``model.kpi_map``/``component_map``/``divergence``), how each plan's components are
weighted, and whether the upside, targets, thresholds and horizons favour the new
priorities or the old drivers. Only plans in force on the as-of date are judged (roll-over
included), except the plan-design checks EN05-EN07, which judge every plan not retired.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Divergence, Model
from incentive_lint.model.entities import LEGACY, UNALIGNED, Component, Loc, Plan, Priority, Strategy
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, names, pct

#: Component types that carry no pay of their own (guardrails), left out of weights and measures.
NON_PAYING = ("gate", "modifier")
#: KPI units whose per-person targets cannot be added up into a company total.
NON_ADDITIVE_UNITS = frozenset({"percent", "%", "pct", "percentage", "score", "ratio", "rate", "index", "nps",
                                "days", "hours-per-unit"})
_EPS = 1e-9


# --------------------------------------------------------------------------- helpers


def _paying(plan: Plan) -> list[Component]:
    """Components that carry pay (gates and modifiers excluded)."""
    return [c for c in plan.components if c.type not in NON_PAYING]


def _roles(model: Model, plan: Plan) -> tuple[str, ...]:
    """The roles a plan pays today (its eligible roles if none is in force)."""
    return model.in_force().get(plan.id) or plan.eligible_roles


def _money(amount: float, currency: str | None) -> str:
    return f"{currency + ' ' if currency else ''}{amount:,.0f}"


def _currency(plans: Sequence[Plan]) -> str | None:
    """The plans' common currency, or None when they differ or do not say."""
    found = {p.currency for p in plans}
    return found.pop() if len(found) == 1 else None


def _months(value: float) -> str:
    text = pct(value)
    return f"{text} month" if text == "1" else f"{text} months"


def _legacy_drivers(model: Model, strategy: Strategy, component: Component) -> tuple[tuple[str, str], ...]:
    """(kpi, driver) pairs through which a component pays on drivers the strategy moves away from."""
    kpis = [component.kpi] if component.kpi else []
    if not kpis and component.objective and component.objective in model.objectives:
        kpis = [kr.kpi for kr in model.objectives[component.objective].key_results if kr.kpi]
    out: list[tuple[str, str]] = []
    for kid in kpis:
        kpi = model.kpis.get(kid or "")
        if kpi is None:
            continue
        out.extend((kpi.id, d) for d in kpi.drivers if d in strategy.from_drivers)
    return tuple(out)


def _strategic(model: Model, component: Component, changes: Sequence[str] = ("new", "grow")) -> list[Priority]:
    """Priorities with ``change`` in ``changes`` that a component pays towards (rules.md 3.0)."""
    out = []
    for bucket, fraction in sorted(model.component_map(component).items()):
        p = model.priorities.get(bucket)
        if fraction > 0 and p is not None and p.change in changes:
            out.append(p)
    return out


def _is_legacy(model: Model, component: Component) -> bool:
    return model.component_map(component).get(LEGACY, 0.0) > 0


def _kpi_link(model: Model, component: Component) -> list[tuple[str, Loc]]:
    kpi = model.kpis.get(component.kpi or "")
    return [link(f"KPI '{kpi.id}' and its drivers", kpi, "drivers")] if kpi else []


# --------------------------------------------------------------------------- EN01


def pays_on_deprioritized_driver(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN01: an in-force component pays on a KPI whose drivers the strategy's shift moves away from."""
    strategy = model.strategy
    if strategy is None or not strategy.from_drivers:
        return
    warn = float(options.get("legacy_weight_warn", 10))
    error = float(options.get("legacy_weight_error", 20))
    for plan in model.in_force_plans():
        ti = model.target_incentive(plan.id)
        for c in _paying(plan):
            fraction = model.component_map(c).get(LEGACY, 0.0)
            weight = c.weight * fraction
            pairs = _legacy_drivers(model, strategy, c)
            if fraction <= 0 or weight < warn or not pairs:
                continue
            kpis = sorted({k for k, _ in pairs})
            drivers = sorted({d for _, d in pairs})
            related = [(f"{strategy.id} moves away from '{d}'", item_loc(strategy, ("shift", "from_drivers"), d))
                       for d in drivers]
            for kid, driver in pairs:
                kpi = model.kpis[kid]
                related.append((f"KPI '{kid}' is tagged '{driver}'", item_loc(kpi, ("drivers",), driver)))
            related.append(link(f"'{plan.id}' pays roles {names(_roles(model, plan))}", plan, "eligible_roles"))
            yield Hit(
                at=c.field_loc("weight"),
                args={"component": c.key, "weight": pct(weight), "kpi": ", ".join(kpis),
                      "driver": ", ".join(drivers), "strategy": strategy.id},
                entities=(c.key, plan.id, *kpis, strategy.id),
                related=tuple(related),
                evidence={"weight": weight, "legacy_drivers": drivers, "kpis": kpis,
                          "roles": list(_roles(model, plan)), "target_pay_at_stake": round(ti * weight / 100, 2),
                          "rolled_over": model.rolled_over(plan),
                          "legacy_weight_warn": warn, "legacy_weight_error": error},
                severity=Severity.ERROR if weight >= error else None)


# --------------------------------------------------------------------------- EN02


def strategic_priority_unrewarded(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN02: a weighty priority gets far less of target variable pay than its strategy weight."""
    strategy = model.strategy
    divergence = model.divergence()
    if strategy is None or divergence is None:
        return
    min_ratio = float(options.get("min_ratio", 0.25))
    min_weight = float(options.get("min_priority_weight", 10))
    plans = model.in_force_plans()
    for p in sorted(strategy.priorities, key=lambda x: x.id):
        pi = divergence.pi.get(p.id, 0.0)
        if p.change == "reduce" or p.weight < min_weight or pi <= 0:
            continue
        q = divergence.q.get(p.id, 0.0)
        ratio = q / pi
        if ratio >= min_ratio:
            continue
        paid_by = []
        related: list[tuple[str, Loc]] = []
        for plan in plans:
            for c in _paying(plan):
                fraction = model.component_map(c).get(p.id, 0.0)
                if fraction > 0:
                    paid_by.append({"component": c.key, "weight": c.weight * fraction,
                                    "amount": round(model.target_incentive(plan.id) * c.weight / 100 * fraction, 2)})
                    related.append(link(f"'{c.key}' pays {pct(c.weight * fraction)}% on it", c, "weight"))
        if not related:  # nothing pays on it: point at the plans of its contributors
            related = [link(f"'{plan.id}' pays {names(model.plan_functions(plan))} nothing on it", plan, "components")
                       for plan in plans if set(model.plan_functions(plan)) & set(p.contributors)]
        yield Hit(
            at=p.field_loc("weight"),
            args={"priority": p.id, "weight": pct(pi * 100), "share": pct(q * 100)},
            entities=(p.id, strategy.id),
            related=tuple(related),
            evidence={"priority_weight": pi * 100, "pay_share": round(q * 100, 2), "ratio": round(ratio, 4),
                      "min_ratio": min_ratio, "min_priority_weight": min_weight,
                      "total_target_pay": divergence.total_pay, "paid_by": paid_by},
            severity=Severity.ERROR if q <= _EPS else None)


# --------------------------------------------------------------------------- EN03


def _contributors_text(d: Divergence, limit: int) -> str:
    rows = [r for r in d.contributors() if abs(r[1] - r[2]) >= 0.0005][:limit]
    return ", ".join(f"{k} {pct(q * 100)}% vs {pct(pi * 100)}%" for k, q, pi in rows)


def _divergence_hit(model: Model, d: Divergence, plans: Sequence[Plan], at: Loc, scope: str,
                    entities: tuple[str, ...], options: Mapping[str, Any], function: str | None = None) -> Hit | None:
    warn = float(options.get("divergence_warn", 0.25))
    error = float(options.get("divergence_error", 0.50))
    if d.score < warn - _EPS:
        return None
    related = [link(f"'{p.id}' in force with {_money(model.target_incentive(p.id), p.currency)} target pay", p)
               for p in sorted(plans, key=lambda x: x.id)]
    for pid, w in sorted(d.pi.items()):
        priority = model.priorities.get(pid)
        if priority is not None:
            share = "" if function is None else f" ({pct(w * 100)}% of the priorities {function} contributes to)"
            related.append(link(f"priority '{pid}' weighs {pct(priority.weight)}%{share}", priority, "weight"))
    buckets = {k: {"q": round(q, 4), "pi": round(pi, 4)} for k, q, pi in sorted(d.contributors())}
    return Hit(
        at=at,
        args={"scope": scope, "d": f"{d.score:.2f}", "x": f"{d.score * 100:.0f}",
              "total": _money(d.total_pay, _currency(plans)),
              "top": _contributors_text(d, int(options.get("top_contributors", 5)))},
        entities=entities,
        related=tuple(related),
        evidence={"score": round(d.score, 4), "total_target_pay": d.total_pay, "buckets": buckets,
                  "plans": sorted(p.id for p in plans), "divergence_warn": warn, "divergence_error": error},
        severity=Severity.ERROR if d.score >= error - _EPS else None)


def incentive_strategy_divergence(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN03: where target variable pay flows differs from the priority weights (TVD, rules.md 3.4),
    overall and for each contributing function's non-executive plans."""
    strategy = model.strategy
    if strategy is None:
        return
    overall = model.divergence()
    if overall is not None:
        hit = _divergence_hit(model, overall, model.in_force_plans(), strategy.loc, f"'{strategy.id}'",
                              (strategy.id,), options)
        if hit is not None:
            yield hit
    if not options.get("per_function", True):
        return
    contributors = sorted({f for p in strategy.priorities for f in p.contributors})
    for fid in contributors:
        function = model.functions.get(fid)
        plans = model.function_plans(fid)
        if function is None or not plans:
            continue
        d = model.divergence(plans, function=fid)
        if d is None:
            continue
        hit = _divergence_hit(model, d, plans, function.loc,
                              f"function '{fid}' (against the priorities it contributes to)", (fid, strategy.id),
                              options, function=fid)
        if hit is not None:
            yield hit


# --------------------------------------------------------------------------- EN04


_BUCKET_WORDS = {LEGACY: "on a driver the strategy moves away from", UNALIGNED: "on no priority"}


def unaligned_variable_pay(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN04: most of a plan's target incentive maps to legacy drivers or to no priority at all."""
    limit = float(options.get("max_unaligned_share", 50))
    for plan in model.in_force_plans():
        paying = _paying(plan)
        total = sum(c.weight for c in paying)
        if total <= 0:
            continue
        parts: list[tuple[Component, str, float]] = []
        for c in paying:
            m = model.component_map(c)
            for bucket in (LEGACY, UNALIGNED):
                if m.get(bucket, 0.0) > 0:
                    parts.append((c, bucket, c.weight * m[bucket]))
        share = sum(w for _, _, w in parts) / total * 100
        if share <= limit + _EPS:
            continue
        detail = ", ".join(f"'{c.id}' {pct(w / total * 100)}% {_BUCKET_WORDS[bucket]}" for c, bucket, w in parts)
        yield Hit(
            at=plan.field_loc("components"), on_key="components" in plan.raw,
            args={"plan": plan.id, "share": pct(share), "detail": detail},
            entities=(plan.id,),
            related=tuple(link(f"'{c.key}' maps to {bucket}", c, "kpi") for c, bucket, _ in parts),
            evidence={"share": round(share, 2), "max_unaligned_share": limit,
                      "components": [{"component": c.key, "bucket": b, "weight": w} for c, b, w in parts]})


# --------------------------------------------------------------------------- EN05-EN07 (plan design)


def _designed_plans(model: Model) -> list[Plan]:
    """Every plan that is not retired, by id."""
    return [model.plans[k] for k in sorted(model.plans) if model.plans[k].status != "retired"]


def component_weights_sum(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN05: the weights of a plan's paying components do not add up to 100."""
    tolerance = float(options.get("tolerance", 0.5))
    for plan in _designed_plans(model):
        paying = _paying(plan)
        if not paying:
            continue
        total = sum(c.weight for c in paying)
        if abs(total - 100) <= tolerance:
            continue
        yield Hit(
            at=plan.field_loc("components"), on_key="components" in plan.raw,
            args={"plan": plan.id, "sum": pct(total)},
            entities=(plan.id,),
            related=tuple(link(f"'{c.key}' weighs {pct(c.weight)}%", c, "weight") for c in paying),
            evidence={"sum": total, "weights": {c.id: c.weight for c in paying}, "tolerance": tolerance,
                      "excluded": [c.id for c in plan.components if c.type in NON_PAYING]})


def too_many_measures(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN06: a plan pays on more measures than a payee can keep in mind."""
    limit = int(options.get("max_measures", 3))
    for plan in _designed_plans(model):
        paying = _paying(plan)
        if len(paying) <= limit:
            continue
        yield Hit(
            at=plan.field_loc("components"), on_key="components" in plan.raw,
            args={"plan": plan.id, "n": len(paying), "max": limit,
                  "measures": ", ".join(f"{c.id} {pct(c.weight)}%" for c in paying)},
            entities=(plan.id,),
            related=tuple(link(f"measure '{c.key}'", c) for c in paying),
            evidence={"measures": len(paying), "max_measures": limit, "weights": {c.id: c.weight for c in paying}})


def measure_weight_too_small(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN07: a paying component's weight is too small to change behaviour."""
    minimum = float(options.get("min_measure_weight", 15))
    for plan in _designed_plans(model):
        ti = model.target_incentive(plan.id) if plan.id in model.in_force() else None
        for c in _paying(plan):
            if c.weight >= minimum:
                continue
            evidence: dict[str, Any] = {"weight": c.weight, "min_measure_weight": minimum}
            if plan.target_amount is not None:
                evidence["target_pay_per_person"] = round(plan.target_amount * c.weight / 100, 2)
            if ti:
                evidence["target_pay_total"] = round(ti * c.weight / 100, 2)
            yield Hit(
                at=c.field_loc("weight"),
                args={"component": c.key, "weight": pct(c.weight), "min": pct(minimum)},
                entities=(c.key, plan.id),
                evidence=evidence)


# --------------------------------------------------------------------------- EN08


def _upside(c: Component) -> str:
    text = "uncapped" if c.uncapped else f"capped at {pct(c.cap or 0)}%"
    if c.max_multiplier > 1:
        text += f" with accelerators up to x{c.max_multiplier:.1f}"
    return text


def _asymmetric(s: Component, legacy: Component) -> list[str]:
    """How a legacy component's upside beats a strategic one's (empty if it does not)."""
    why = []
    if legacy.uncapped and not s.uncapped:
        why.append("legacy uncapped")
    elif not legacy.uncapped and not s.uncapped and (s.cap or 0) <= (legacy.cap or 0):
        why.append("strategic cap not above legacy cap")
    if legacy.max_multiplier > s.max_multiplier:
        why.append("higher legacy accelerator")
    return why


def upside_asymmetry(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN08: in one plan a legacy component has more upside (cap, accelerators) than a strategic one."""
    strategy = model.strategy
    if strategy is None:
        return
    for plan in model.in_force_plans():
        paying = sorted(_paying(plan), key=lambda c: (-c.weight, c.id))
        strategic = [c for c in paying if c.weight > 0 and _strategic(model, c)]
        legacy = [c for c in paying if c.weight > 0 and _is_legacy(model, c)]
        pairs = [(s, lc, why) for lc in legacy for s in strategic if (why := _asymmetric(s, lc))]
        if not pairs:
            continue
        s, lc, _ = pairs[0]
        priorities = _strategic(model, s)
        yield Hit(
            at=lc.loc,
            args={"plan": plan.id, "strategic": s.id, "legacy": lc.id, "strategic_upside": _upside(s),
                  "legacy_upside": _upside(lc)},
            entities=(plan.id, s.key, lc.key),
            related=(link(f"strategic '{s.key}' ({names(p.id for p in priorities)}): {_upside(s)}", s,
                          "cap" if "cap" in s.raw else None),
                     *[link(f"priority '{p.id}' is change: {p.change}", p, "change") for p in priorities],
                     *_kpi_link(model, lc),
                     *[(f"{strategy.id} moves away from '{d}'", item_loc(strategy, ("shift", "from_drivers"), d))
                       for d in sorted({d for _, d in _legacy_drivers(model, strategy, lc)})]),
            evidence={"pairs": [{"strategic": a.id, "legacy": b.id, "strategic_cap": None if a.uncapped else a.cap,
                                 "legacy_cap": None if b.uncapped else b.cap,
                                 "strategic_max_multiplier": a.max_multiplier,
                                 "legacy_max_multiplier": b.max_multiplier, "why": why}
                                for a, b, why in pairs]})


# --------------------------------------------------------------------------- EN09


def legacy_baseline_target(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN09: a target set as last year's actual where last year means nothing (a new priority)
    or asks for growth in a driver the strategy abandons."""
    strategy = model.strategy
    if strategy is None:
        return
    for plan in model.in_force_plans():
        for c in _paying(plan):
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
                for c in _paying(plan):
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
    for plan in model.in_force_plans():
        for c in _paying(plan):
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
        paying = [(plan, c, _horizon(plan, c)) for plan in plans for c in _paying(plan)
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
    for plan in plans:
        if not model.is_executive_plan(plan):
            continue
        weighted = [c for c in _paying(plan) if c.weight > 0]
        total = sum(c.weight for c in weighted)
        if total <= 0:
            continue
        long_weight = 0.0
        for c in weighted:
            perf = float(c.performance_period_months) if c.performance_period_months else plan.payout_months
            if perf + _holding(plan) >= long_h:
                long_weight += c.weight
            elif _horizon(plan, c) >= long_h:
                long_weight += c.weight * (plan.deferral_pct or 0) / 100
        share = long_weight / total * 100
        if share >= min_share - _EPS:
            continue
        yield Hit(
            at=plan.loc,
            args={"subject": f"'{plan.id}'",
                  "detail": f"{pct(share)}% of executive variable pay has a reward horizon of {long_h:g} months "
                            f"or more (expected at least {pct(min_share)}%); the strategy's horizon is "
                            f"{_months(strategy_h)}"},
            entities=(plan.id,),
            related=tuple(link(f"'{c.key}' is earned over {_months(_horizon(plan, c))}", c) for c in weighted),
            evidence={"long_share": round(share, 2), "exec_long_horizon": long_h, "exec_min_long_share": min_share,
                      "deferral_pct": plan.deferral_pct, "deferral_months": plan.deferral_months,
                      "strategy_horizon": strategy_h})


FUNCTIONS: dict[str, CheckFunction] = {
    "pays-on-deprioritized-driver": pays_on_deprioritized_driver,
    "strategic-priority-unrewarded": strategic_priority_unrewarded,
    "incentive-strategy-divergence": incentive_strategy_divergence,
    "unaligned-variable-pay": unaligned_variable_pay,
    "component-weights-sum": component_weights_sum,
    "too-many-measures": too_many_measures,
    "measure-weight-too-small": measure_weight_too_small,
    "upside-asymmetry": upside_asymmetry,
    "legacy-baseline-target": legacy_baseline_target,
    "quota-target-coverage": quota_target_coverage,
    "threshold-too-high-on-new-measure": threshold_too_high_on_new_measure,
    "short-reward-horizon": short_reward_horizon,
}
