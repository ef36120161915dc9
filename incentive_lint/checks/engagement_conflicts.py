"""Check functions of the engagement family: functions, levels and teams whose plans pull in opposite directions."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Loc, Plan
from incentive_lint.checks.api import CheckFunction, Hit, link, pct
from incentive_lint.checks.engagement_governance import (_driver_weight, _governed_plans, _kpi_links, _paying, _plan_at,
                                                         _quote, _weight)

INDIVIDUAL = "individual"


def _component_level(model: Model, component: Component) -> str | None:
    """Whose results a component is measured on: its own ``measured_at``, else the KPI's finest level."""
    if component.measured_at:
        return component.measured_at
    kpi = model.kpis.get(component.kpi or "")
    return kpi.measurable_at if kpi else None


# --------------------------------------------------------------------------- EN23


def _pay_plans(model: Model, function: str, include_drafts: bool) -> list[Plan]:
    """Non-executive plans paying roles of a function: in force, plus drafts when asked."""
    plans = {p.id: p for p in model.function_plans(function)}
    if include_drafts:
        for plan in model.plans.values():
            if plan.status != "draft" or model.is_executive_plan(plan):
                continue
            if plan.end is not None and plan.end < model.as_of:
                continue
            if any(model.roles[r].function == function for r in plan.eligible_roles if r in model.roles):
                plans.setdefault(plan.id, plan)
    return [plans[k] for k in sorted(plans)]


def _dominant(plan: Plan, min_weight: float) -> list[Component]:
    paying = [c for c in _paying(plan) if c.kpi]
    if not paying:
        return []
    top = max(c.weight for c in paying)
    return [c for c in paying if c.weight == top and c.weight >= min_weight]


def _best_by_driver(model: Model, plans: list[Plan], min_weight: float) -> dict[tuple[str, int], tuple[Component, Plan]]:
    """(driver, is-draft) -> the heaviest dominant component paying on it (ties: smallest key)."""
    best: dict[tuple[str, int], tuple[Component, Plan]] = {}
    for plan in plans:
        draft = int(plan.status == "draft")
        for c in _dominant(plan, min_weight):
            for d in model.component_drivers(c):
                current = best.get((d, draft))
                if current is None or (-c.weight, c.key) < (-current[0].weight, current[0].key):
                    best[(d, draft)] = (c, plan)
    return best


def _account_pairs(model: Model, use_offers: bool) -> list[tuple[str, str, tuple[str, Loc]]]:
    """Function pairs that serve the same accounts, in the order they are declared, each with
    the link that shows why (``shares_accounts_with`` or an offer one sells and the other delivers)."""
    pairs: list[tuple[str, str, tuple[str, Loc]]] = []
    seen: set[frozenset[str]] = set()

    def add(a: str, b: str, why: tuple[str, Loc]) -> None:
        key = frozenset((a, b))
        if a != b and a in model.functions and b in model.functions and key not in seen:
            seen.add(key)
            pairs.append((a, b, why))

    for fid in sorted(model.functions):
        function = model.functions[fid]
        for other in function.shares_accounts_with:
            add(fid, other, link(f"{fid} shares accounts with {other}", function, "shares_accounts_with"))
    if use_offers:
        for oid in sorted(model.offers):
            offer = model.offers[oid]
            if offer.status == "retired":
                continue
            for seller in offer.sold_by:
                for deliverer in offer.delivered_by:
                    add(seller, deliverer, link(f"offer {oid} is sold by {seller} and delivered by {deliverer}",
                                                offer, "delivered_by"))
    return pairs


def cross_function_conflict(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Two functions serving the same accounts are paid, as their dominant measure (>= 40 %), on
    drivers the taxonomy lists as conflicting (e.g. unit volume vs retention)."""
    min_weight = float(options.get("min_weight", 40))
    include_drafts = bool(options.get("include_drafts", True))
    rank = {"info": 1, "warning": 2, "error": 3}
    for f1, f2, why in _account_pairs(model, bool(options.get("use_offers", True))):
        fn1, fn2 = model.functions[f1], model.functions[f2]
        both_facing = fn1.customer_facing and fn2.customer_facing
        candidates = []
        # Per driver and draft flag only the heaviest dominant component can win the ranking
        # below, so pairs of functions cost O(plans), not O(plans squared).
        best1 = _best_by_driver(model, _pay_plans(model, f1, include_drafts), min_weight)
        best2 = _best_by_driver(model, _pay_plans(model, f2, include_drafts), min_weight)
        for (d1, draft1), (c1, p1) in best1.items():
            for (d2, draft2), (c2, p2) in best2.items():
                conflict = model.taxonomy.conflict(d1, d2)
                if conflict is None or (conflict.customer_facing_only and not both_facing):
                    continue
                key = (-rank.get(conflict.severity, 2), draft1 + draft2, -(c1.weight + c2.weight),
                       c1.key, c2.key, d1, d2)
                candidates.append((key, p1, c1, d1, p2, c2, d2, conflict.severity))
        if not candidates:
            continue
        _, p1, c1, d1, p2, c2, d2, level = min(candidates, key=lambda row: row[0])
        at = c2 if p1.status == "draft" and p2.status != "draft" else c1
        draft_note = [p.id for p in (p1, p2) if p.status == "draft"]
        related = [why]
        for c, p, f in ((c1, p1, f1), (c2, p2, f2)):
            if c is not at:
                related.append(link(f"{f} is paid {pct(c.weight)}% on '{c.kpi}' in {p.id}"
                                    + (" (draft)" if p.status == "draft" else ""), c, "weight"))
            related.extend(_kpi_links(model, c))
        yield Hit(
            at=at.field_loc("weight"),
            args={"f1": f1, "w1": _weight(c1.weight), "d1": d1, "k1": c1.kpi, "p1": p1.id,
                  "f2": f2, "w2": _weight(c2.weight), "d2": d2, "k2": c2.kpi, "p2": p2.id},
            entities=(f"{f1}<->{f2}", f1, f2, c1.key, c2.key), related=tuple(related),
            evidence={"weights": [c1.weight, c2.weight], "drivers": [d1, d2], "min_weight": min_weight,
                      "draft_plans": draft_note, "conflict_severity": level},
            severity=None if level == "warning" else Severity.parse(level))


# --------------------------------------------------------------------------- EN24


def leadership_scorecard_misaligned(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """An executive plan puts little on the strategy's to-drivers and a lot on internal efficiency,
    or leaves the top-weighted priority off the scorecard."""
    strategy = model.strategy
    if strategy is None or not strategy.to_drivers:
        return
    max_to = float(options.get("max_to_driver_share", 25))
    min_efficiency = float(options.get("min_efficiency_share", 50))
    efficiency_drivers = set(options.get("efficiency_drivers", ("internal-efficiency",)))
    to_drivers = set(strategy.to_drivers)
    ranked = sorted(strategy.priorities, key=lambda p: (-p.weight, p.id))
    top = [p for p in ranked if ranked and p.weight == ranked[0].weight]
    for plan in _governed_plans(model):
        if not model.is_executive_plan(plan):
            continue
        paying = _paying(plan)
        total = sum(c.weight for c in paying)
        if total <= 0:
            continue
        to_weight, to_components = _driver_weight(model, plan, to_drivers)
        eff_weight, eff_components = _driver_weight(model, plan, efficiency_drivers)
        to_share, eff_share = 100 * to_weight / total, 100 * eff_weight / total
        mapped = {k for c in paying for k, v in model.component_map(c).items() if v > 0}
        missing = [p for p in top if p.id not in mapped]
        if to_share >= max_to or not (eff_share >= min_efficiency or missing):
            continue
        top_text = "".join(f"; top priority '{p.id}' ({pct(p.weight)}% of the strategy) is not on the scorecard"
                           for p in missing[:1])
        related = [link(f"{strategy.id} moves towards {', '.join(strategy.to_drivers)}", strategy, "shift")]
        related.extend(link(f"'{c.key}' pays {pct(c.weight)}% on internal efficiency", c, "weight")
                       for c in eff_components)
        related.extend(link(f"top priority {p.id} ({pct(p.weight)}%)", p) for p in missing)
        yield Hit(
            at=_plan_at(plan, "components"), on_key="components" in plan.raw,
            args={"plan": plan.id, "x": pct(to_share), "y": pct(eff_share), "top": top_text,
                  "to": ", ".join(strategy.to_drivers)},
            entities=(plan.id, *(p.id for p in missing)), related=tuple(related),
            evidence={"to_driver_share": round(to_share, 2), "efficiency_share": round(eff_share, 2),
                      "to_components": [c.key for c in to_components], "top_priorities_missing": [p.id for p in missing],
                      "max_to_driver_share": max_to, "min_efficiency_share": min_efficiency})


# --------------------------------------------------------------------------- EN26


def _level_link(model: Model, component: Component) -> tuple[str, Loc]:
    kpi = model.kpis.get(component.kpi or "")
    if component.measured_at or kpi is None:
        return link(f"'{component.key}' is measured on individual results", component, "measured_at")
    return link(f"'{component.key}' sets no measured_at; KPI {kpi.id} is measurable per individual", kpi,
                "measurable_at")


def team_goal_individual_pay(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A priority that several functions must co-deliver is paid, in the plans of those functions'
    roles (executive plans included), only on individual results."""
    min_functions = int(options.get("min_functions", 2))
    for priority in sorted(model.strategy_priorities(), key=lambda p: p.id):
        functions = sorted(set(priority.contributors))
        if len(functions) < min_functions:
            continue
        plans = {p.id: p for p in model.in_force_plans() if set(model.plan_functions(p)) & set(functions)}
        components = [c for pid in sorted(plans) for c in _paying(plans[pid])
                      if c.weight > 0 and model.component_map(c).get(priority.id, 0) > 0]
        if not components or any(_component_level(model, c) != INDIVIDUAL for c in components):
            continue
        yield Hit(
            at=priority.loc,
            args={"p": priority.id, "fns": ", ".join(functions), "components": _quote(c.key for c in components)},
            entities=(priority.id, *(c.key for c in components)),
            related=(link(f"priority {priority.id} lists {len(functions)} contributing functions", priority,
                          "contributors"),
                     *(_level_link(model, c) for c in components)),
            evidence={"contributors": functions, "individual_components": [c.key for c in components]})


FUNCTIONS: dict[str, CheckFunction] = {
    "cross-function-conflict": cross_function_conflict,
    "leadership-scorecard-misaligned": leadership_scorecard_misaligned,
    "team-goal-individual-pay": team_goal_individual_pay,
}
