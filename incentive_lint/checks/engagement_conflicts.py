"""Check functions of the engagement family: functions, levels and teams whose plans pull in opposite directions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Loc, Plan, Priority, Strategy
from incentive_lint.checks.api import CheckFunction, Hit, link, pct
from incentive_lint.checks.engagement import Package, executive_packages
from incentive_lint.checks.engagement_governance import (_driver_weight, _governed_plans, _kpi_links, _plan_at,
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


@dataclass(frozen=True)
class DriverPay:
    """A driver carrying at least ``min_weight`` % of a function's target variable pay (in-force
    plans, or draft plans: ``draft``), with the components that carry it, heaviest first."""

    driver: str
    draft: int
    share: float
    components: tuple[tuple[Component, Plan], ...]

    @property
    def main(self) -> tuple[Component, Plan]:
        return self.components[0]

    def kpis(self) -> str:
        return "', '".join(dict.fromkeys(c.kpi or "" for c, _ in self.components))

    def plans(self) -> str:
        return ", ".join(dict.fromkeys(p.id for _, p in self.components))


def _plan_pay(model: Model, plan: Plan, function: str) -> float:
    """Target variable pay of a function's roles in a plan (headcount x target), in the
    reporting currency; 0 when the plan has no target or no exchange rate."""
    roles = model.in_force().get(plan.id) or plan.eligible_roles
    amount = sum(model.roles[r].headcount * model.role_target(plan, model.roles[r])
                 for r in roles if r in model.roles and model.roles[r].function == function)
    converted = model.to_reporting(amount, plan.currency) if amount > 0 else None
    return converted or 0.0


def _dominant_drivers(model: Model, function: str, plans: list[Plan], min_weight: float) -> list[DriverPay]:
    """Drivers on which at least ``min_weight`` % of the function's target variable pay rides:
    each component counts with its plan's target pay for the function times its weight, so a
    plan for three people weighs less than one for three hundred. In-force and draft plans are
    judged apart; when none of a group's plans states a target, its plans count equally."""
    out: list[DriverPay] = []
    for draft in (0, 1):
        group = [p for p in plans if int(p.status == "draft") == draft]
        pay = {p.id: _plan_pay(model, p, function) for p in group}
        if not any(pay.values()):
            pay = {p.id: 1.0 for p in group}
        total = sum(pay.values())
        if total <= 0:
            continue
        by_driver: dict[str, list[tuple[float, Component, Plan]]] = {}
        for plan in group:
            for c in plan.paying:
                if not c.kpi or c.weight <= 0:
                    continue
                amount = pay[plan.id] * c.weight / 100
                for d in dict.fromkeys(model.component_drivers(c)):
                    by_driver.setdefault(d, []).append((amount, c, plan))
        for d in sorted(by_driver):
            found = by_driver[d]
            # Most drivers carry far less than the threshold: the unordered sum tells so without
            # sorting (the margin covers the rounding, which depends on the order of the terms).
            if 100 * sum(r[0] for r in found) / total < min_weight * (1 - 1e-9) - 1e-9:
                continue
            rows = sorted(found, key=lambda r: (-r[0], r[1].key))
            share = 100 * sum(r[0] for r in rows) / total
            if share >= min_weight:
                out.append(DriverPay(d, draft, share, tuple((c, p) for _, c, p in rows)))
    return out


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
    """Two functions serving the same accounts each have, as a dominant measure (at least 40 % of
    the function's target variable pay, weighted by pay), drivers the taxonomy lists as
    conflicting (e.g. unit volume vs retention)."""
    min_weight = float(options.get("min_weight", 40))
    include_drafts = bool(options.get("include_drafts", True))
    rank = {"info": 1, "warning": 2, "error": 3}
    for f1, f2, why in _account_pairs(model, bool(options.get("use_offers", True))):
        fn1, fn2 = model.functions[f1], model.functions[f2]
        both_facing = fn1.customer_facing and fn2.customer_facing
        candidates = []
        dominant1 = _dominant_drivers(model, f1, _pay_plans(model, f1, include_drafts), min_weight)
        dominant2 = _dominant_drivers(model, f2, _pay_plans(model, f2, include_drafts), min_weight)
        for a in dominant1:
            for b in dominant2:
                conflict = model.taxonomy.conflict(a.driver, b.driver)
                if conflict is None or (conflict.customer_facing_only and not both_facing):
                    continue
                key = (-rank.get(conflict.severity, 2), a.draft + b.draft, -(a.share + b.share),
                       a.main[0].key, b.main[0].key, a.driver, b.driver)
                candidates.append((key, a, b, conflict.severity))
        if not candidates:
            continue
        _, a, b, level = min(candidates, key=lambda row: row[0])
        c1, c2 = a.main[0], b.main[0]
        at = c2 if a.draft and not b.draft else c1
        draft_note = sorted({p.id for dp in (a, b) for _, p in dp.components if p.status == "draft"})
        related = [why]
        for dp, f in ((a, f1), (b, f2)):
            for c, p in dp.components:
                if c is not at:
                    related.append(link(f"{f} is paid {pct(c.weight)}% on '{c.kpi}' in {p.id}"
                                        + (" (draft)" if p.status == "draft" else ""), c, "weight"))
            related.extend(_kpi_links(model, dp.main[0]))
        yield Hit(
            at=at.field_loc("weight"),
            args={"f1": f1, "w1": _weight(a.share), "d1": a.driver, "k1": a.kpis(), "p1": a.plans(),
                  "f2": f2, "w2": _weight(b.share), "d2": b.driver, "k2": b.kpis(), "p2": b.plans()},
            entities=(f"{f1}<->{f2}", f1, f2, c1.key, c2.key), related=tuple(related),
            evidence={"weights": [round(a.share, 2), round(b.share, 2)], "drivers": [a.driver, b.driver],
                      "min_weight": min_weight, "weighted_by": "target pay x component weight",
                      "components": [[c.key for c, _ in a.components], [c.key for c, _ in b.components]],
                      "draft_plans": draft_note, "conflict_severity": level},
            severity=None if level == "warning" else Severity.parse(level))


# --------------------------------------------------------------------------- EN24


def leadership_scorecard_misaligned(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """The pay of executive roles, across all plans in force for them (bonus and LTIP weighted by
    target pay), puts little on the strategy's to-drivers and a lot on internal efficiency, or
    leaves the top-weighted priority off every plan. Plans approved to start later are judged
    with the package in force on their first day."""
    strategy = model.strategy
    if strategy is None or not strategy.to_drivers:
        return
    max_to = float(options.get("max_to_driver_share", 25))
    min_efficiency = float(options.get("min_efficiency_share", 50))
    efficiency_drivers = set(options.get("efficiency_drivers", ("internal-efficiency",)))
    to_drivers = set(strategy.to_drivers)
    ranked = sorted(strategy.priorities, key=lambda p: (-p.weight, p.id))
    top = [p for p in ranked if ranked and p.weight == ranked[0].weight]
    days = [model.as_of, *sorted({p.start for p in _governed_plans(model)
                                  if p.start is not None and p.start > model.as_of and model.is_executive_plan(p)})]
    seen: set[tuple[str, ...]] = set()
    for day in days:
        for package in executive_packages(model, day):
            if package.plan_ids() in seen:
                continue
            seen.add(package.plan_ids())
            yield from _scorecard_hit(model, strategy, package, to_drivers, efficiency_drivers, top,
                                      max_to, min_efficiency)


def _plan_shares(model: Model, plan: Plan, drivers: set[str]) -> tuple[float, list[Component]]:
    """Fraction of a plan's paying weight on components tagged with one of ``drivers``."""
    total = sum(c.weight for c in plan.paying)
    if total <= 0:
        return 0.0, []
    weight, components = _driver_weight(model, plan, drivers)
    return weight / total, components


def _scorecard_hit(model: Model, strategy: Strategy, package: Package, to_drivers: set[str],
                   efficiency_drivers: set[str], top: list[Priority], max_to: float,
                   min_efficiency: float) -> Iterator[Hit]:
    plans = [p for p in package.plans if sum(c.weight for c in p.paying) > 0]
    if not plans:
        return
    to_by_plan = {p.id: _plan_shares(model, p, to_drivers) for p in plans}
    eff_by_plan = {p.id: _plan_shares(model, p, efficiency_drivers) for p in plans}
    mapped = {k for p in plans for c in p.paying for k, v in model.component_map(c).items() if v > 0}
    missing = [p for p in top if p.id not in mapped]
    failing: list[tuple[str, float, float]] = []
    for role in package.roles:
        fractions = package.shares[role]
        to_share = 100 * sum(fractions.get(pid, 0.0) * v[0] for pid, v in to_by_plan.items())
        eff_share = 100 * sum(fractions.get(pid, 0.0) * v[0] for pid, v in eff_by_plan.items())
        if to_share < max_to and (eff_share >= min_efficiency or missing):
            failing.append((role, to_share, eff_share))
    if not failing:
        return
    role, to_share, eff_share = failing[0]
    fractions = package.shares[role]
    # Report at the plan carrying most internal-efficiency pay (else most pay): the one to change.
    main = min(plans, key=lambda p: (-fractions.get(p.id, 0.0) * eff_by_plan[p.id][0], -fractions.get(p.id, 0.0), p.id))
    eff_components = [c for p in plans for c in eff_by_plan[p.id][1]]
    top_text = "".join(f"; top priority '{p.id}' ({pct(p.weight)}% of the strategy) is on none of these plans"
                       if len(package.plans) > 1 else
                       f"; top priority '{p.id}' ({pct(p.weight)}% of the strategy) is not on the scorecard"
                       for p in missing[:1])
    roles = [r for r, _, _ in failing]
    weighting = package.weighting(role)
    plans_text = f" ({weighting}; roles {', '.join(roles)})" if weighting else f" (the only plan in force for {', '.join(roles)})"
    related = [link(f"{strategy.id} moves towards {', '.join(strategy.to_drivers)}", strategy, "shift")]
    related.extend(link(f"'{p.id}'{f' ({p.plan_type})' if p.plan_type else ''} also pays {', '.join(roles)}", p)
                   for p in package.plans if p is not main)
    related.extend(link(f"'{c.key}' pays {pct(c.weight)}% on internal efficiency", c, "weight")
                   for c in eff_components)
    related.extend(link(f"top priority {p.id} ({pct(p.weight)}%)", p) for p in missing)
    yield Hit(
        at=_plan_at(main, "components"), on_key="components" in main.raw,
        args={"plan": package.label(), "x": pct(to_share), "y": pct(eff_share), "top": top_text,
              "to": ", ".join(strategy.to_drivers), "plans": plans_text},
        entities=(main.id, *(p.id for p in package.plans if p is not main), *(p.id for p in missing)),
        related=tuple(related),
        evidence={"to_driver_share": round(to_share, 2), "efficiency_share": round(eff_share, 2),
                  "to_components": [c.key for p in plans for c in to_by_plan[p.id][1]],
                  "top_priorities_missing": [p.id for p in missing],
                  "plans": {p.id: round(fractions.get(p.id, 0.0), 4) for p in package.plans},
                  "roles": roles, "unpriced_plans": [p.id for p in package.unpriced],
                  "max_to_driver_share": max_to, "min_efficiency_share": min_efficiency})


# --------------------------------------------------------------------------- EN26


def _level_link(model: Model, component: Component) -> tuple[str, Loc]:
    kpi = model.kpis.get(component.kpi or "")
    if component.measured_at or kpi is None:
        return link(f"'{component.key}' is measured on individual results", component, "measured_at")
    return link(f"'{component.key}' sets no measured_at; KPI {kpi.id} is measurable per individual", kpi,
                "measurable_at")


def _team_functions(model: Model, functions: set[str]) -> set[str]:
    """The contributor functions plus those declaring shared accounts with one of them (either way)."""
    out = set(functions)
    for fid in sorted(model.functions):
        shares = set(model.functions[fid].shares_accounts_with)
        if fid in functions:
            out |= shares & set(model.functions)
        elif shares & functions:
            out.add(fid)
    return out


def team_goal_individual_pay(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A priority that several functions must co-deliver is paid only on individual results:
    counting the plans of the contributor functions and of functions sharing accounts with them,
    executive plans and the plan of the priority's accountable role, and company-level
    components of any plan in force."""
    min_functions = int(options.get("min_functions", 2))
    for priority in sorted(model.strategy_priorities(), key=lambda p: p.id):
        functions = sorted(set(priority.contributors))
        if len(functions) < min_functions:
            continue
        team = _team_functions(model, set(functions))
        accountable = priority.accountable

        def counted(plan: Plan) -> bool:
            return (bool(set(model.plan_functions(plan)) & team) or model.is_executive_plan(plan)
                    or (accountable is not None and accountable in plan.eligible_roles))

        components = [c for plan in model.in_force_plans() for c in plan.paying  # plans by id
                      if c.weight > 0 and model.component_map(c).get(priority.id, 0) > 0
                      and (counted(plan) or _component_level(model, c) == "company")]
        if not components or any(_component_level(model, c) != INDIVIDUAL for c in components):
            continue
        yield Hit(
            at=priority.loc,
            args={"p": priority.id, "fns": ", ".join(functions), "components": _quote(c.key for c in components)},
            entities=(priority.id, *(c.key for c in components)),
            related=(link(f"priority {priority.id} lists {len(functions)} contributing functions", priority,
                          "contributors"),
                     *(_level_link(model, c) for c in components)),
            evidence={"contributors": functions, "functions_counted": sorted(team),
                      "individual_components": [c.key for c in components]})


FUNCTIONS: dict[str, CheckFunction] = {
    "cross-function-conflict": cross_function_conflict,
    "leadership-scorecard-misaligned": leadership_scorecard_misaligned,
    "team-goal-individual-pay": team_goal_individual_pay,
}
