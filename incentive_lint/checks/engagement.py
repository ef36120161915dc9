"""Check functions of the engagement family, part 1: where variable pay flows and whether it is aligned (with the helpers the other EN01-EN12 modules share).

They answer "does variable pay reward what the strategy asks for?": where target incentive
flows (``model.kpi_map``/``component_map``/``divergence``), how each plan's components are
weighted, and whether the upside, targets, thresholds and horizons favour the new
priorities or the old drivers. Only plans in force on the as-of date are judged (roll-over
included), except the plan-design checks EN05-EN07, which judge every plan not retired.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Divergence, Model
from incentive_lint.model.entities import LEGACY, UNALIGNED, Component, Loc, Plan, Priority, Strategy
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, names, pct

#: Component types that carry no pay of their own (guardrails), left out of weights and measures.
_EPS = 1e-9


# --------------------------------------------------------------------------- helpers




def _roles(model: Model, plan: Plan) -> tuple[str, ...]:
    """The roles a plan pays today (its eligible roles if none is in force)."""
    return model.in_force().get(plan.id) or plan.eligible_roles


def _money(amount: float, currency: str | None) -> str:
    return f"{currency + ' ' if currency else ''}{amount:,.0f}"


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


@dataclass(frozen=True)
class Package:
    """The plans in force for a group of executive roles, judged together: a bonus and an LTIP
    paying the same people are one pay package. ``shares`` is, per role, each plan's fraction of
    that role's target variable pay (in one currency); plans without a target or without an
    exchange rate are in ``unpriced`` and carry no share, unless no plan has a price, when every
    plan counts equally (``by_weight``)."""

    plans: tuple[Plan, ...]
    roles: tuple[str, ...]
    shares: Mapping[str, Mapping[str, float]]
    unpriced: tuple[Plan, ...] = ()
    by_weight: bool = False

    def plan_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.plans)

    def label(self) -> str:
        """How messages name the package: 'ip-exec-2025' or 'ip-bonus-2025' + 'ip-ltip-2025'
        (meant to sit inside the message's own quotes)."""
        return "' + '".join(self.plan_ids())

    def weighting(self, role: str) -> str:
        """'ip-bonus-2025 40%, ip-ltip-2025 60% of target pay' for messages ('' for one plan)."""
        if len(self.plans) < 2:
            return ""
        shares = self.shares.get(role, {})
        text = ", ".join(f"{p.id} {pct(100 * shares.get(p.id, 0.0))}%" for p in self.plans)
        basis = "counted equally (no target pay given)" if self.by_weight else "of target pay"
        left = f"; no target pay or exchange rate: {', '.join(p.id for p in self.unpriced)}" if self.unpriced else ""
        return f"{text} {basis}{left}"


def executive_packages(model: Model, day: _dt.date | None = None) -> list[Package]:
    """Executive roles paid by an executive plan on ``day`` (default: as-of), grouped by the set
    of plans in force for them, each role's plans weighted by its target pay in those plans."""
    day = day or model.as_of
    groups: dict[tuple[str, ...], list[tuple[str, dict[str, float], tuple[Plan, ...], bool]]] = {}
    plans_by_id: dict[str, Plan] = {}
    for rid in sorted(model.roles):
        role = model.roles[rid]
        if role.level != "executive":
            continue
        plans = sorted(model.plans_for_role(rid, day), key=lambda p: p.id)
        if not any(model.is_executive_plan(p) for p in plans):
            continue
        amounts: dict[str, float] = {}
        unpriced: list[Plan] = []
        for plan in plans:
            plans_by_id[plan.id] = plan
            target = model.role_target(plan, role)
            converted = model.to_reporting(target, plan.currency) if target > 0 else None
            if converted is None or converted <= 0:
                unpriced.append(plan)
            else:
                amounts[plan.id] = converted
        by_weight = not amounts
        if by_weight:
            amounts = {p.id: 1.0 for p in plans}
            unpriced = []
        total = sum(amounts.values())
        shares = {pid: v / total for pid, v in amounts.items()}
        groups.setdefault(tuple(p.id for p in plans), []).append((rid, shares, tuple(unpriced), by_weight))
    out = []
    for key in sorted(groups):
        members = groups[key]
        unpriced_ids = sorted({p.id for _, _, u, _ in members for p in u})
        out.append(Package(plans=tuple(plans_by_id[pid] for pid in key), roles=tuple(r for r, _, _, _ in members),
                           shares={r: s for r, s, _, _ in members},
                           unpriced=tuple(plans_by_id[pid] for pid in unpriced_ids),
                           by_weight=all(b for _, _, _, b in members)))
    return out


# --------------------------------------------------------------------------- EN01


def pays_on_deprioritized_driver(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN01: an in-force component pays on a KPI whose drivers the strategy's shift moves away from."""
    strategy = model.strategy
    if strategy is None or not strategy.from_drivers:
        return
    warn = float(options.get("legacy_weight_warn", 10))
    error = float(options.get("legacy_weight_error", 20))
    for plan in model.focused(model.in_force_plans()):
        ti = model.target_incentive(plan.id)
        for c in plan.paying:
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
                          "currency": plan.currency,
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
            for c in plan.paying:
                fraction = model.component_map(c).get(p.id, 0.0)
                if fraction > 0:
                    paid_by.append({"component": c.key, "weight": c.weight * fraction,
                                    "amount": round(model.target_pay(plan.id) * c.weight / 100 * fraction, 2),
                                    "currency": divergence.currency})
                    related.append(link(f"'{c.key}' pays {pct(c.weight * fraction)}% on it", c, "weight"))
        if not related:  # nothing pays on it: point at the plans of its contributors
            related = [link(f"'{plan.id}' pays {names(model.plan_functions(plan))} nothing on it", plan, "components")
                       for plan in plans if set(model.plan_functions(plan)) & set(p.contributors)]
        yield Hit(
            at=p.field_loc("weight"),
            args={"priority": p.id, "weight": pct(pi * 100), "share": pct(q * 100)},
            entities=(p.id, strategy.id),
            # pay on a KPI not in the catalog might be this priority's: then the typo explains it
            about=(p.id, strategy.id, *_could_pay(model, divergence, p.id, pi * min_ratio)),
            related=tuple(related),
            evidence={"priority_weight": pi * 100, "pay_share": round(q * 100, 2), "ratio": round(ratio, 4),
                      "min_ratio": min_ratio, "min_priority_weight": min_weight,
                      "total_target_pay": divergence.total_pay, "currency": divergence.currency,
                      "left_out": [p.id for p in divergence.left_out], "paid_by": paid_by},
            severity=Severity.ERROR if q <= _EPS else None)


# --------------------------------------------------------------------------- EN03


def _contributors_text(d: Divergence, limit: int) -> str:
    rows = [r for r in d.contributors() if abs(r[1] - r[2]) >= 0.0005][:limit]
    return ", ".join(f"{k} {pct(q * 100)}% vs {pct(pi * 100)}%" for k, q, pi in rows)


def _unknown_share(model: Model, d: Divergence) -> float:
    """The pay on KPIs not in the catalog, as a share of all the pay (known and unknown)."""
    unknown = sum(model.target_pay(c.plan) * c.weight / 100 for c in d.unresolved)
    return unknown / (d.total_pay + unknown) if d.total_pay + unknown > 0 else 0.0


def _could_pay(model: Model, d: Divergence, bucket: str, needed: float) -> tuple[str, ...]:
    """The unresolved components whose pay, were it all on ``bucket``, would lift its share to
    ``needed``: the shortfall may be the typo's doing."""
    if not d.unresolved:
        return ()
    u = _unknown_share(model, d)
    return tuple(c.key for c in d.unresolved) if d.q.get(bucket, 0.0) * (1 - u) + u >= needed - _EPS else ()


def _typo_dependent(model: Model, d: Divergence, warn: float) -> tuple[str, ...]:
    """The components with a KPI not in the catalog that this divergence depends on, or ().

    Their pay is left out of the shares, so the score is of the rest. Placed where it would
    lower the score most (wherever pay falls short of a priority's weight), the pay known and
    unknown together would score D_min = sum over buckets of max(0, known share - weight), the
    shares taken of all the pay. Below the warning tier, the finding may be the typo's doing:
    it is then folded under the typo's dangling-reference error (``explains`` ``same:
    component``); at or above it, it stands whatever the typo hides."""
    if not d.unresolved:
        return ()
    scale = 1 - _unknown_share(model, d)
    d_min = sum(max(0.0, q * scale - d.pi.get(k, 0.0)) for k, q in d.q.items())
    return tuple(c.key for c in d.unresolved) if d_min < warn - _EPS else ()


def _divergence_hit(model: Model, d: Divergence, plans: Sequence[Plan], at: Loc, scope: str,
                    entities: tuple[str, ...], options: Mapping[str, Any], function: str | None = None,
                    about: tuple[str, ...] = ()) -> Hit | None:
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
    typos = _typo_dependent(model, d, warn)
    if typos:
        about = (*(about or entities), *typos)
    return Hit(
        at=at,
        args={"scope": scope, "d": f"{d.score:.2f}", "x": f"{d.score * 100:.0f}",
              "total": _money(d.total_pay, d.currency) + model.left_out_text(d.left_out, d.unresolved),
              "top": _contributors_text(d, int(options.get("top_contributors", 5)))},
        entities=entities,
        about=about,
        related=tuple(related),
        evidence={"score": round(d.score, 4), "total_target_pay": d.total_pay, "currency": d.currency,
                  "left_out": {p.id: _money(model.target_incentive(p.id), p.currency) for p in d.left_out},
                  "unresolved": [c.key for c in d.unresolved],
                  "rates": list(model.rates_used()), "buckets": buckets,
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
                              options, function=fid,
                              # a function paid by one plan diverges exactly as that plan's weights
                              # do: the findings on that plan's components explain it
                              about=(fid, plans[0].id) if len(plans) == 1 else (fid,))
        if hit is not None:
            yield hit


# --------------------------------------------------------------------------- EN04


_BUCKET_WORDS = {LEGACY: "on a driver the strategy moves away from", UNALIGNED: "on no priority"}


def unaligned_variable_pay(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN04: most of a plan's target incentive maps to legacy drivers or to no priority at all."""
    limit = float(options.get("max_unaligned_share", 50))
    for plan in model.focused(model.in_force_plans()):
        paying = plan.paying
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


FUNCTIONS: dict[str, CheckFunction] = {
    "pays-on-deprioritized-driver": pays_on_deprioritized_driver,
    "strategic-priority-unrewarded": strategic_priority_unrewarded,
    "incentive-strategy-divergence": incentive_strategy_divergence,
    "unaligned-variable-pay": unaligned_variable_pay,
}
