"""Check functions of the engagement family: plan design details (SPIFs, MBOs,
executive horizons, OKR grades in pay).

They judge the plans that pay people now (in force on the as-of date, roll-over included) and
the approved or active plans that start later. Thresholds come from the rule's options; a
rule whose numbers cannot be computed from the documents stays silent.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Iterator, Mapping, Sequence

from incentive_lint.model.core import Model
from incentive_lint.model.entities import LEGACY, Component, Loc, Plan
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, names, pct

LIVE_STATUSES = ("approved", "active", None)
SUBJECTIVE_TYPES = ("mbo", "discretionary")


# --------------------------------------------------------------------------- helpers


def _plans(model: Model) -> list[Plan]:
    """Plans that pay people now (in force, roll-over included) or will (approved or active with a
    later start), by id."""
    out = {p.id: p for p in model.in_force_plans()}
    for plan in model.plans.values():
        if plan.status in LIVE_STATUSES and plan.start is not None and plan.start > model.as_of:
            out.setdefault(plan.id, plan)
    return [out[k] for k in sorted(out)]




def _plan_at(plan: Plan, *names_: str) -> Loc:
    """The first of a plan's fields that is present, else its id line."""
    for name in names_:
        if name in plan.raw:
            return plan.loc.at(name)
    return plan.loc.at("id") if "id" in plan.raw else plan.loc


def _months(value: float) -> str:
    text = pct(value)
    return f"{text} month" if text == "1" else f"{text} months"


def _int_field(entity_raw: Mapping[str, Any], name: str) -> int | None:
    value = entity_raw.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _role_cost(model: Model, plan: Plan) -> float:
    """Headcount x target incentive over the plan's eligible roles, whether or not it is in force
    on the as-of date (a SPIF often is not)."""
    return sum(model.roles[r].headcount * model.role_target(plan, model.roles[r])
               for r in dict.fromkeys(plan.eligible_roles) if r in model.roles)


# --------------------------------------------------------------------------- EN25


def _bonus_pct_of_salary(model: Model, plan: Plan) -> tuple[float, float] | None:
    """(target, maximum) bonus in percent of base salary; the maximum is the target when a paying
    component is uncapped. None without salary data."""
    target: float | None = plan.target_pct_of_base
    if target is None and plan.target_amount is not None:
        salaries = [model.roles[r].base_salary for r in plan.eligible_roles if r in model.roles]
        known = [s for s in salaries if s]
        target = max(plan.target_amount / s * 100 for s in known) if known else None
    if target is None:
        return None
    paying = plan.paying
    total = sum(c.weight for c in paying)
    if not paying or total <= 0 or any(c.uncapped or c.cap is None for c in paying):
        return target, target
    factor = sum(c.weight * (c.cap or 0.0) for c in paying) / (total * 100)
    return target, target * factor


def exec_horizon_governance(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN25: an LTIP measures performance over less than ``min_performance_months``; where UK
    governance applies (an Org's jurisdiction is uk/gb), an LTIP's vesting plus holding is shorter
    than ``min_vesting_holding_months``, or an executive annual bonus above
    ``bonus_deferral_above_pct`` of salary has no deferral."""
    min_perf = float(options.get("min_performance_months", 36))
    min_hold = float(options.get("min_vesting_holding_months", 60))
    bonus_limit = float(options.get("bonus_deferral_above_pct", 100))
    uk_codes = {str(j).lower() for j in options.get("uk_jurisdictions", ("uk", "gb"))}
    uk_orgs = [model.orgs[k] for k in sorted(model.orgs) if (model.orgs[k].jurisdiction or "").lower() in uk_codes]
    for plan in model.focused(_plans(model)):
        clauses: list[str] = []
        locs: list[Loc] = []
        related: list[tuple[str, Loc]] = []
        evidence: dict[str, Any] = {"plan_type": plan.plan_type, "uk_rules": bool(uk_orgs)}
        if plan.plan_type == "ltip":
            what = "LTIP"
            paying = plan.paying
            periods = [(float(c.performance_period_months or plan.payout_months), c) for c in paying]
            shortest = min(periods, key=lambda x: (x[0], x[1].id)) if periods else (plan.payout_months, None)
            perf, comp = shortest
            stated = comp is not None and comp.performance_period_months is not None
            evidence.update(performance_months=perf, performance_period_stated=stated)
            if perf < min_perf:
                source = "" if stated else "; taken from the payout period, no performance_period_months given"
                clauses.append(f"performance period {_months(perf)} (< {pct(min_perf)}{source})")
                if comp is not None:
                    locs.append(comp.field_loc("performance_period_months") if stated else comp.loc)
                    related.append(link(f"'{comp.key}' is measured over {_months(perf)}", comp,
                                        "performance_period_months" if stated else "id"))
                else:
                    locs.append(_plan_at(plan, "payout_frequency"))
            deferral = float(plan.deferral_months or 0) if (plan.deferral_pct or 0) > 0 else 0.0
            holding = float(_int_field(plan.raw, "holding_months") or 0)
            total = perf + deferral + holding
            evidence.update(deferral_months=deferral, holding_months=holding, vesting_holding_months=total)
            if uk_orgs and total < min_hold:
                parts = [f"performance {pct(perf)}"]
                if deferral:
                    parts.append(f"deferral {pct(deferral)}")
                parts.append(f"holding {pct(holding)}")
                clauses.append(f"vesting+holding {_months(total)} ({' + '.join(parts)}; < {pct(min_hold)})")
                locs.append(_plan_at(plan, "holding_months", "deferral"))
        elif plan.plan_type == "annual-bonus" and model.is_executive_plan(plan):
            what = "executive bonus"
            deferred = (plan.deferral_pct or 0) > 0 and (plan.deferral_months or 0) > 0
            sizes = _bonus_pct_of_salary(model, plan)
            if not uk_orgs or deferred or sizes is None:
                continue
            target, maximum = sizes
            evidence.update(target_pct_of_salary=round(target, 2), max_pct_of_salary=round(maximum, 2),
                            bonus_deferral_above_pct=bonus_limit)
            if maximum <= bonus_limit:
                continue
            size = (f"up to {pct(maximum)}% of salary (target {pct(target)}%)" if maximum > target
                    else f"{pct(target)}% of salary at target")
            clauses.append(f"bonus {size} without deferral (deferral expected above {pct(bonus_limit)}%)")
            locs.append(_plan_at(plan, "deferral", "target_incentive"))
            related.append(link(f"'{plan.id}' target incentive", plan, "target_incentive"))
        else:
            continue
        if not clauses:
            continue
        related.extend(link(f"{org.id} is governed under jurisdiction '{org.jurisdiction}'", org, "jurisdiction")
                       for org in uk_orgs)
        evidence.update(min_performance_months=min_perf, min_vesting_holding_months=min_hold)
        yield Hit(at=locs[0], args={"what": what, "plan": plan.id, "clauses": "; ".join(clauses)},
                  entities=(plan.id,), related=tuple(related), evidence=evidence)


# --------------------------------------------------------------------------- EN27


def is_subjective(plan: Plan, component: Component, kinds: Sequence[str]) -> bool:
    """An MBO/discretionary component (an untyped component of an MBO plan counts as MBO)."""
    return component.type in kinds or (component.type is None and plan.plan_type == "mbo" and "mbo" in kinds)


def _kind_label(plan: Plan, component: Component) -> str:
    if component.type:
        return f"'{component.key}' is a {component.type} component"
    return f"'{component.key}' has no type in MBO plan '{plan.id}'"


def discretionary_only_link(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN27: a new/grow priority is rewarded only through MBO/discretionary components, or a plan
    pays more than ``max_subjective_weight`` % of its target incentive through them."""
    limit = float(options.get("max_subjective_weight", 25))
    kinds = tuple(options.get("subjective_types", SUBJECTIVE_TYPES))
    in_force = model.in_force_plans()
    total = model.pay_share().total
    for priority in sorted(model.strategy_priorities(), key=lambda p: p.id):
        if not priority.strategic:
            continue
        found = [(plan, c, model.component_map(c).get(priority.id, 0.0)) for plan in in_force for c in plan.paying]
        found = [x for x in found if x[2] > 0]
        if not found or not all(is_subjective(plan, c, kinds) for plan, c, _ in found):
            continue
        amount = sum(model.target_pay(plan.id) * c.weight / 100 * f for plan, c, f in found)  # reporting currency
        sized = f"{pct(amount / total * 100)}% of target variable pay" if total > 0 else "no target amounts given"
        listed = ", ".join(f"'{c.key}' {c.type or 'mbo'} {pct(c.weight)}%" for _, c, _ in found)
        yield Hit(
            at=priority.loc,
            args={"subject": f"priority '{priority.id}'", "verb": "is rewarded only through",
                  "w": f"{sized}: {listed}"},
            entities=(priority.id, *(c.key for _, c, _ in found)),
            related=tuple(link(_kind_label(plan, c), c, "type" if c.type else "id") for plan, c, _ in found),
            evidence={"priority": priority.id, "change": priority.change, "components": [c.key for _, c, _ in found],
                      "pay_share": round(amount / total, 4) if total > 0 else None})
    for plan in _plans(model):
        paying = plan.paying
        weight = sum(c.weight for c in paying)
        subjective = [c for c in paying if is_subjective(plan, c, kinds)]
        if weight <= 0 or not subjective:
            continue
        share = sum(c.weight for c in subjective) / weight * 100
        if share <= limit:
            continue
        yield Hit(
            at=plan.field_loc("components"), on_key="components" in plan.raw,
            args={"subject": f"'{plan.id}'", "verb": f"pays {pct(share)}% of its target incentive through",
                  "w": f"more than {pct(limit)}%: "
                       + ", ".join(f"'{c.id}' {c.type or 'mbo'} {pct(c.weight)}%" for c in subjective)},
            entities=(plan.id, *(c.key for c in subjective)),
            related=tuple(link(f"{_kind_label(plan, c)} ({pct(c.weight)}%)", c, "type" if c.type else "id")
                          for c in subjective),
            evidence={"subjective_weight": round(share, 2), "max_subjective_weight": limit,
                      "components": {c.id: c.weight for c in subjective}})


# --------------------------------------------------------------------------- EN28


def _span_months(start: _dt.date, end: _dt.date) -> float:
    """Calendar months from ``start`` to ``end`` inclusive (a whole quarter is 3)."""
    after = end + _dt.timedelta(days=1)
    return (after.year - start.year) * 12 + (after.month - start.month) + (after.day - start.day) / 30


def spif_misuse(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN28: a SPIF (plan_type spif) pays on a legacy driver, is one too many in its year, runs too
    long, or costs too large a share of variable pay."""
    max_per_year = int(options.get("max_per_year", 3))
    max_months = float(options.get("max_months", 3))
    max_cost = float(options.get("max_cost_pct", 10))
    strategy = model.strategy
    spifs = [model.plans[k] for k in sorted(model.plans)
             if model.plans[k].plan_type == "spif" and model.plans[k].status in LIVE_STATUSES]
    if not spifs:
        return
    by_year: dict[int, list[Plan]] = {}
    for s in spifs:
        if s.start is not None:
            by_year.setdefault(s.start.year, []).append(s)
    rank = {s.id: n for year in by_year.values()
            for n, s in enumerate(sorted(year, key=lambda p: (p.start or _dt.date.min, p.id)), start=1)}
    regular = sum(model.target_pay(p.id) for p in model.in_force_plans() if p.plan_type != "spif")
    for spif in spifs:
        if spif.end is not None and spif.end < model.as_of:
            continue  # over: only counted for the SPIFs after it
        reasons: list[str] = []
        locs: list[Loc] = []
        related: list[tuple[str, Loc]] = []
        evidence: dict[str, Any] = {"max_per_year": max_per_year, "max_months": max_months, "max_cost_pct": max_cost}
        legacy = [c for c in spif.paying if model.component_map(c).get(LEGACY, 0.0) > 0]
        if legacy and strategy is not None:
            pairs = sorted({(d, c.kpi or "") for c in legacy for d in model.component_drivers(c)
                            if d in strategy.from_drivers})
            drivers = names(d for d, _ in pairs) or "legacy"
            reasons.append(f"rewards legacy driver {drivers} ({', '.join(repr(c.kpi) for c in legacy)})")
            locs.append(legacy[0].field_loc("weight"))
            related.extend(link(f"'{c.key}' pays {pct(c.weight)}% on '{c.kpi}'", c, "kpi") for c in legacy)
            related.extend((f"{strategy.id} moves away from '{d}'", item_loc(strategy, ("shift", "from_drivers"), d))
                           for d in sorted({d for d, _ in pairs}))
            evidence["legacy_components"] = [c.key for c in legacy]
        n = rank.get(spif.id)
        if n is not None and n > max_per_year and spif.start is not None:
            year = spif.start.year
            reasons.append(f"is #{n} in {year} (more than {max_per_year} a year)")
            locs.append(spif.loc.at("effective", "from") if "effective" in spif.raw else _plan_at(spif))
            earlier = sorted(by_year[year], key=lambda p: (p.start or _dt.date.min, p.id))[:n - 1]
            related.extend(link(f"SPIF {p.id} starts {p.start}", p, "effective") for p in earlier)
            evidence.update(rank_in_year=n, year=year, spifs_in_year=[p.id for p in by_year[year]])
        if spif.start is not None:
            if spif.end is None:
                reasons.append(f"has no end date (more than {_months(max_months)})")
                locs.append(_plan_at(spif, "effective"))
                evidence["months"] = None
            else:
                months = _span_months(spif.start, spif.end)
                evidence["months"] = round(months, 2)
                if months > max_months + 1e-9:
                    reasons.append(f"runs {_months(round(months, 1))} (more than {pct(max_months)})")
                    locs.append(spif.loc.at("effective", "to"))
        cost = model.to_reporting(_role_cost(model, spif), spif.currency) or 0.0  # no rate: left out
        if cost > 0 and spif.start is not None:
            year_spifs = sum(model.to_reporting(_role_cost(model, p), p.currency) or 0.0 for p in by_year[spif.start.year])
            variable = regular + year_spifs
            share = cost / variable * 100 if variable > 0 else 0.0
            evidence.update(cost=round(cost, 2), variable_pay=round(variable, 2), cost_pct=round(share, 2),
                            currency=model.reporting_currency)
            if share > max_cost:
                reasons.append(f"costs {pct(share)}% of variable pay (more than {pct(max_cost)}%)")
                locs.append(_plan_at(spif, "target_incentive"))
                related.append(link(f"SPIF {spif.id} target incentive", spif, "target_incentive"))
        if not reasons:
            continue
        yield Hit(at=locs[0], args={"s": spif.id, "reasons": "; ".join(reasons)},
                  entities=(spif.id, *evidence.get("legacy_components", ())), related=tuple(related),
                  evidence=evidence)


# --------------------------------------------------------------------------- EN29


def okr_grade_in_pay(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN29: a plan component pays on an objective (``component.objective``) of type aspirational."""
    kinds = set(options.get("objective_types", ("aspirational",)))
    for plan in model.focused(_plans(model)):
        for c in plan.components:
            objective = model.objectives.get(c.objective or "")
            if objective is None or objective.type not in kinds:
                continue
            yield Hit(
                at=c.field_loc("objective"),
                args={"component": c.key, "w": pct(c.weight), "o": objective.id, "type": objective.type},
                entities=(c.key, plan.id, objective.id),
                related=(link(f"objective {objective.id} is {objective.type}", objective, "type"),),
                evidence={"weight": c.weight, "component_type": c.type, "objective_type": objective.type,
                          "objective_level": objective.level})


FUNCTIONS: dict[str, CheckFunction] = {
    "exec-horizon-governance": exec_horizon_governance,
    "discretionary-only-link": discretionary_only_link,
    "spif-misuse": spif_misuse,
    "okr-grade-in-pay": okr_grade_in_pay,
}
