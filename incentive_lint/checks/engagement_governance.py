"""Check functions of the engagement family: plan governance, roles and cross-function conflicts.

These rules look at how plans are governed (clawback, deferral, windfall review, review and
communication dates), at what the people paid by a plan can decide themselves (diagnose,
discount, report their own numbers), and at whether functions that share customers are
paid in opposite directions. They read the model only; thresholds come from the rule's
options.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable, Iterator, Mapping, Sequence

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Loc, Plan, Role
from incentive_lint.checks.api import CheckFunction, Hit, link, names, pct

LIVE_STATUSES = ("approved", "active", None)
GAMEABILITY = {"low": 1, "medium": 2, "high": 3}
VERIFICATION_WORDS = {"self-reported": "self-reported", "estimate": "estimated", "lab-test": "lab-tested"}
PLAN_TYPE_WORDS = {"annual-bonus": "is an annual bonus", "ltip": "is a long-term incentive plan"}
INDIVIDUAL = "individual"


# --------------------------------------------------------------------------- helpers


def _live(plan: Plan) -> bool:
    return plan.status in LIVE_STATUSES


def _paying(plan: Plan) -> list[Component]:
    """Components that carry money (gates and modifiers only condition the others)."""
    return [c for c in plan.components if c.type not in ("gate", "modifier")]


def _governed_plans(model: Model, rolled_over: bool = True) -> list[Plan]:
    """Plans that pay people now (in force, optionally with rolled-over ones) or will
    (approved or active with a later start), sorted by id."""
    out = {p.id: p for p in model.in_force_plans() if rolled_over or not model.rolled_over(p)}
    for plan in model.plans.values():
        if _live(plan) and plan.start is not None and plan.start > model.as_of:
            out.setdefault(plan.id, plan)
    return [out[k] for k in sorted(out)]


def _plan_at(plan: Plan, name: str) -> Loc:
    """A plan field's location, else the plan's id line."""
    return plan.loc.at(name) if name in plan.raw else plan.loc.at("id")


def _has_prefix(value: str, prefixes: Iterable[str]) -> bool:
    return any(value.startswith(p) for p in prefixes)


def _roles_with_rights(model: Model, prefixes: tuple[str, ...]) -> Iterator[tuple[str, Role, list[str]]]:
    """(id, role, its decision rights starting with one of ``prefixes``) for roles holding any, by id."""
    for rid in sorted(model.roles):
        role = model.roles[rid]
        rights = sorted(r for r in role.decision_rights if _has_prefix(r, prefixes))
        if rights:
            yield rid, role, rights


def _weight(value: float) -> str:
    return pct(value)


def _quote(items: Iterable[str]) -> str:
    return ", ".join(f"'{i}'" for i in sorted(set(items)))


def _kpi_links(model: Model, component: Component, label: str = "KPI") -> tuple[tuple[str, Loc], ...]:
    kpi = model.kpis.get(component.kpi or "")
    if kpi is None:
        return ()
    tags = f" is tagged {', '.join(kpi.drivers)}" if kpi.drivers else ""
    return (link(f"{label} {kpi.id}{tags}", kpi, "drivers"),)


def _system_function(model: Model, system_id: str | None) -> str | None:
    """The function operating a system (``systems[].function``; not yet a model attribute)."""
    system = model.systems.get(system_id or "")
    value = system.raw.get("function") if system else None
    return value if isinstance(value, str) else None


def _component_level(model: Model, component: Component) -> str | None:
    """Whose results a component is measured on: its own ``measured_at``, else the KPI's finest level."""
    if component.measured_at:
        return component.measured_at
    kpi = model.kpis.get(component.kpi or "")
    return kpi.measurable_at if kpi else None


def _contributor_functions(model: Model) -> set[str]:
    return {f for p in model.strategy_priorities() for f in p.contributors}


# --------------------------------------------------------------------------- EN13


def payout_before_value_realized(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A component credited at booking/signature/estimate is paid out before the KPI's value is
    realised (lag longer than the payout period) and the plan has neither clawback nor deferral."""
    events = set(options.get("credit_events", ("booking", "signature", "estimate")))
    for plan in _governed_plans(model):
        deferred = (plan.deferral_pct or 0) > 0 and (plan.deferral_months or 0) > 0
        if plan.has_clawback or deferred:
            continue
        for c in _paying(plan):
            kpi = model.kpis.get(c.kpi or "")
            if kpi is None or c.credit_on not in events or kpi.realization_lag_months is None:
                continue
            lag = kpi.realization_lag_months
            if lag <= plan.payout_months:
                continue
            frequency = plan.payout_frequency or "annually (no payout_frequency given)"
            yield Hit(
                at=c.field_loc("credit_on"),
                args={"component": c.key, "basis": c.credit_on, "freq": frequency, "lag": lag, "kpi": kpi.id},
                entities=(c.key, plan.id, kpi.id),
                related=(link(f"KPI {kpi.id} realises its value over {lag} months", kpi, "realization_lag_months"),
                         link(f"plan {plan.id} has no clawback", plan, "clawback"),
                         link(f"plan {plan.id} pays {frequency}", plan, "payout_frequency")),
                evidence={"credit_on": c.credit_on, "realization_lag_months": lag,
                          "payout_months": plan.payout_months, "clawback": False,
                          "deferral_pct": plan.deferral_pct or 0, "weight": c.weight})


# --------------------------------------------------------------------------- EN14


def clawback_missing(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A plan paying on bookings, or an annual bonus/LTIP, has no clawback or cancellation provision;
    an error for executive plans of a listed company."""
    events = set(options.get("booking_events", ("booking", "signature")))
    plan_types = set(options.get("plan_types", ("annual-bonus", "ltip")))
    listed = any(org.listed for org in model.orgs.values())
    for plan in _governed_plans(model):
        if plan.has_clawback:
            continue
        booked = [c for c in _paying(plan) if c.credit_on in events]
        if booked:
            reason = f"pays on bookings ({_quote(c.key for c in booked)})"
        elif plan.plan_type in plan_types:
            reason = PLAN_TYPE_WORDS.get(plan.plan_type or "", f"is a {plan.plan_type} plan")
        else:
            continue
        executive = model.is_executive_plan(plan)
        escalate = executive and listed
        related = tuple(link(f"'{c.key}' is credited at {c.credit_on}", c, "credit_on") for c in booked)
        if escalate:
            org = next(o for o in sorted(model.orgs.values(), key=lambda o: o.id) if o.listed)
            related += (link(f"{org.id} is a listed company (clawback rules apply to executive pay)", org, "listed"),)
        yield Hit(
            at=_plan_at(plan, "clawback"), args={"plan": plan.id, "reason": reason},
            entities=(plan.id, *(c.key for c in booked)), related=related,
            evidence={"plan_type": plan.plan_type, "booking_components": [c.key for c in booked],
                      "executive_plan": executive, "listed": listed},
            severity=Severity.ERROR if escalate else None)


# --------------------------------------------------------------------------- EN15


def windfall_provision_missing(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A plan with an uncapped paying component has no windfall or large-deal review clause."""
    for plan in _governed_plans(model):
        if plan.has_windfall_review:
            continue
        uncapped = [c for c in _paying(plan) if c.uncapped and c.weight > 0]
        if not uncapped:
            continue
        yield Hit(
            at=_plan_at(plan, "windfall_review"), args={"plan": plan.id, "components": _quote(c.key for c in uncapped)},
            entities=(plan.id, *(c.key for c in uncapped)),
            related=tuple(link(f"'{c.key}' has no cap", c, "cap") for c in uncapped),
            evidence={"uncapped_components": [c.key for c in uncapped],
                      "max_multiplier": max(c.max_multiplier for c in uncapped)})


# --------------------------------------------------------------------------- EN16


def high_powered_single_measure(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A high variable mix rides mostly on one gameable measure and the plan has no gate or modifier."""
    min_variable = float(options.get("min_variable_pct", 40))
    min_weight = float(options.get("min_weight", 70))
    min_game = GAMEABILITY.get(str(options.get("min_gameability", "medium")), 2)
    for plan in _governed_plans(model):
        if plan.variable_mix is None or plan.variable_mix < min_variable:
            continue
        if any(c.type in ("gate", "modifier") for c in plan.components):
            continue
        for c in _paying(plan):
            kpi = model.kpis.get(c.kpi or "")
            if kpi is None or c.weight < min_weight or GAMEABILITY.get(kpi.gameability or "", 0) < min_game:
                continue
            yield Hit(
                at=c.field_loc("weight"),
                args={"plan": plan.id, "w": _weight(c.weight), "v": _weight(plan.variable_mix),
                      "gameability": kpi.gameability, "kpi": kpi.id, "component": c.key},
                entities=(c.key, plan.id, kpi.id),
                related=(link(f"variable pay is {pct(plan.variable_mix)}% of on-target earnings", plan, "pay_mix"),
                         link(f"KPI {kpi.id} is {kpi.gameability} gameability", kpi, "gameability")),
                evidence={"weight": c.weight, "variable_mix": plan.variable_mix, "gameability": kpi.gameability,
                          "min_variable_pct": min_variable, "min_weight": min_weight})


# --------------------------------------------------------------------------- EN17


def missing_guardrail(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A paid KPI declares a counter-metric (``paired_with``) that its plan does not measure at all."""
    for plan in _governed_plans(model):
        measured = {c.kpi for c in plan.components if c.kpi}
        for c in _paying(plan):
            kpi = model.kpis.get(c.kpi or "")
            if kpi is None or c.weight <= 0:
                continue
            for guard in sorted(set(kpi.paired_with) - measured):
                if guard not in model.kpis:
                    continue  # a broken reference is dangling-reference's finding
                yield Hit(
                    at=c.field_loc("kpi"),
                    args={"component": c.key, "kpi": kpi.id, "guard": guard, "plan": plan.id},
                    entities=(c.key, guard, plan.id, kpi.id),
                    related=(link(f"KPI {kpi.id} is paired with {guard}", kpi, "paired_with"),
                             link(f"counter-metric {guard}", model.kpis[guard])),
                    evidence={"weight": c.weight, "paired_with": list(kpi.paired_with)})


# --------------------------------------------------------------------------- EN18


def measure_controlled_by_payee(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A paid KPI is self-reported, estimated or lab-tested, or (unless audited) comes from a system
    run by the function of the people a non-executive plan pays."""
    weak = set(options.get("weak_verification", ("self-reported", "estimate", "lab-test")))
    for plan in _governed_plans(model):
        # Executive plans pay the heads of every function; their measures are controlled by the
        # remuneration committee and audit, so only the verification test applies to them.
        payees = set() if model.is_executive_plan(plan) else set(model.plan_functions(plan))
        for c in _paying(plan):
            kpi = model.kpis.get(c.kpi or "")
            if kpi is None or c.weight <= 0:
                continue
            owner_function = _system_function(model, kpi.data_source)
            related = [link(f"KPI {kpi.id}: verification {kpi.verification or 'not given'}, data source "
                            f"{kpi.data_source or 'not given'}", kpi,
                            "verification" if kpi.verification else "data_source")]
            if kpi.verification in weak:
                words = VERIFICATION_WORDS.get(kpi.verification or "", kpi.verification or "")
                where = f" in {kpi.data_source}" if kpi.data_source else ""
                how = f"is {words}{where} by the people it pays"
            elif owner_function and owner_function in payees and kpi.verification != "audited":
                how = (f"comes from '{kpi.data_source}', a system run by {owner_function}, "
                       f"the function of the people it pays")
                system = model.systems[kpi.data_source or ""]
                related.append(link(f"system {system.id} is run by {owner_function}", system, "function"))
            else:
                continue
            yield Hit(
                at=c.field_loc("kpi"), args={"component": c.key, "kpi": kpi.id, "how": how},
                entities=(c.key, kpi.id, plan.id), related=tuple(related),
                evidence={"verification": kpi.verification, "data_source": kpi.data_source,
                          "source_function": owner_function, "payee_functions": sorted(payees), "weight": c.weight})


# --------------------------------------------------------------------------- EN19


def _right_object(right: str, prefixes: Sequence[str]) -> str:
    for prefix in sorted(prefixes, key=len, reverse=True):
        rest = right[len(prefix):].strip("-") if right.startswith(prefix) else ""
        if rest:
            return rest.replace("-", " ")
    return "what customers need"


def diagnose_and_sell_conflict(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A role that diagnoses or advises (decision right ``diagnose*``/``advise*``) is paid on the
    volume of what it diagnoses (service volume, units, product revenue)."""
    prefixes = tuple(options.get("diagnosis_rights", ("diagnose", "advise")))
    volume = set(options.get("volume_drivers", ("service-volume", "unit-volume", "product-revenue")))
    for rid, role, rights in _roles_with_rights(model, prefixes):
        for plan in model.plans_for_role(rid):
            for c in _paying(plan):
                drivers = sorted(set(model.component_drivers(c)) & volume)
                if not drivers or c.weight <= 0:
                    continue
                yield Hit(
                    at=c.field_loc("weight"),
                    args={"role": rid, "x": _right_object(rights[0], prefixes), "right": ", ".join(rights),
                          "w": _weight(c.weight), "kpi": c.kpi, "driver": ", ".join(drivers), "component": c.key},
                    entities=(c.key, rid, c.kpi or ""),
                    related=(link(f"role {rid} may {', '.join(rights)}", role, "decision_rights"),
                             *_kpi_links(model, c)),
                    evidence={"weight": c.weight, "decision_rights": rights, "drivers": drivers,
                              "rolled_over": model.rolled_over(plan)})


# --------------------------------------------------------------------------- EN20


def _driver_weight(model: Model, plan: Plan, drivers: set[str]) -> tuple[float, list[Component]]:
    hits = [c for c in _paying(plan) if set(model.component_drivers(c)) & drivers]
    return sum(c.weight for c in hits), hits


def discount_authority_on_volume_pay(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A role that can grant discounts is paid mostly on volume or revenue and little on margin."""
    prefixes = tuple(options.get("discount_rights", ("discount",)))
    volume_drivers = set(options.get("volume_drivers", ("unit-volume", "product-revenue", "service-volume")))
    margin_drivers = set(options.get("margin_drivers", ("margin",)))
    min_volume = float(options.get("min_volume_weight", 50))
    min_margin = float(options.get("min_margin_weight", 30))
    for rid, role, rights in _roles_with_rights(model, prefixes):
        for plan in model.plans_for_role(rid):
            volume, volume_components = _driver_weight(model, plan, volume_drivers)
            margin, margin_components = _driver_weight(model, plan, margin_drivers)
            if volume < min_volume or margin >= min_margin:
                continue
            top = max(volume_components, key=lambda c: (c.weight, c.id))
            yield Hit(
                at=top.field_loc("weight"),
                args={"role": rid, "right": ", ".join(rights), "v": _weight(volume), "m": _weight(margin),
                      "plan": plan.id},
                entities=(plan.id, rid),
                related=(link(f"role {rid} may {', '.join(rights)}", role, "decision_rights"),
                         *(link(f"'{c.key}' pays {pct(c.weight)}% on volume/revenue", c, "weight")
                           for c in volume_components if c is not top),
                         *(link(f"'{c.key}' pays {pct(c.weight)}% on margin", c, "weight") for c in margin_components)),
                evidence={"volume_weight": volume, "margin_weight": margin, "min_volume_weight": min_volume,
                          "min_margin_weight": min_margin, "decision_rights": rights})


# --------------------------------------------------------------------------- EN21


def credit_excludes_strategic_offer(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A plan covering a contributor function of a priority that requires an offer model gives
    credit only for offers of other models."""
    priorities = [p for p in model.strategy_priorities() if p.requires_offer_models]
    if not priorities:
        return
    for plan in _governed_plans(model):
        if not plan.credit_offers or any(o not in model.offers for o in plan.credit_offers):
            continue  # no credit restriction, or a broken reference (dangling-reference reports it)
        offered = {model.offers[o].model for o in plan.credit_offers}
        functions = set(model.plan_functions(plan))
        for priority in sorted(priorities, key=lambda p: p.id):
            covered = sorted(functions & set(priority.contributors))
            required = sorted(priority.requires_offer_models)
            if not covered or offered & set(required):
                continue
            yield Hit(
                at=_plan_at(plan, "credit_offers"),
                args={"model": "' or '".join(required), "plan": plan.id, "offers": names(plan.credit_offers),
                      "p": priority.id, "fn": " and ".join(covered)},
                entities=(plan.id, priority.id),
                related=(link(f"priority {priority.id} requires {names(required)} offers", priority, "requires"),
                         link(f"priority {priority.id} lists {', '.join(covered)} as contributor", priority,
                              "contributors"),
                         *(link(f"offer {o} is {model.offers[o].model}", model.offers[o], "model")
                           for o in sorted(plan.credit_offers))),
                evidence={"required_models": required, "credit_offers": sorted(plan.credit_offers),
                          "credited_models": sorted(m for m in offered if m), "functions": covered})


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


# --------------------------------------------------------------------------- EN30


def plan_coverage_gap(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A staffed role in a contributor function has no approved plan in force when the strategy
    starts (a plan starting within ``grace_days`` counts)."""
    strategy = model.strategy
    if strategy is None or strategy.start is None:
        return
    start = strategy.start
    latest_day = start + _dt.timedelta(days=int(options.get("grace_days", 90)))
    contributors = _contributor_functions(model)
    groups: dict[tuple[str, str], list[Role]] = {}
    details: dict[tuple[str, str], tuple[Loc, str, tuple[tuple[str, Loc], ...], dict[str, Any]]] = {}
    for rid in sorted(model.roles):
        role = model.roles[rid]
        if role.headcount <= 0 or role.function not in contributors:
            continue
        mine = list(model.plans_naming_role(rid))
        if any(_live(p) and (p.start is None or p.start <= latest_day) and (p.end is None or p.end >= start)
               for p in mine):
            continue
        ended = [p for p in mine if p.status != "draft" and p.end is not None and p.end < start]
        later = [p for p in mine if _live(p) and p.start is not None and p.start > latest_day]
        if ended:
            plan = max(ended, key=lambda p: (p.end, p.id))
            key = ("ended", plan.id)
            details[key] = (plan.loc.at("effective", "to") if "effective" in plan.raw else _plan_at(plan, "id"),
                            f"latest plan '{plan.id}' ended {plan.end}", (link(f"plan {plan.id}", plan, "effective"),),
                            {"latest_plan": plan.id, "ended": str(plan.end)})
        elif later:
            plan = min(later, key=lambda p: (p.start, p.id))
            key = ("later", plan.id)
            details[key] = (plan.loc.at("effective", "from"),
                            f"the first plan, '{plan.id}', starts only {plan.start}, more than "
                            f"{(latest_day - start).days} days after the strategy",
                            (link(f"plan {plan.id}", plan, "effective"),),
                            {"next_plan": plan.id, "starts": str(plan.start)})
        else:
            key = ("none", rid)
            drafts = [p.id for p in mine if p.status == "draft"]
            text = f"it has only draft plans ({names(drafts)})" if drafts else "it has no incentive plan at all"
            details[key] = (role.loc, text, (), {"draft_plans": drafts})
        groups.setdefault(key, []).append(role)
    for key in sorted(groups):
        roles = groups[key]
        at, detail, related, evidence = details[key]
        ids = [r.id for r in roles]
        who = f"role {ids[0]} has" if len(ids) == 1 else f"roles {', '.join(ids)} have"
        functions = sorted({r.function for r in roles if r.function})
        contributing = [p for p in model.strategy_priorities() if set(p.contributors) & set(functions)]
        yield Hit(
            at=at, args={"who": who, "roles": ", ".join(ids), "start": str(start), "detail": detail},
            entities=(*((key[1],) if key[0] != "none" else ()), *ids),
            related=(*(link(f"role {r.id}: {r.headcount} people in {r.function}", r, "headcount") for r in roles),
                     *related,
                     *(link(f"priority {p.id} lists {', '.join(sorted(set(p.contributors) & set(functions)))} as "
                            f"contributor", p, "contributors") for p in contributing[:1]),
                     link(f"strategy {strategy.id} starts {start}", strategy, "effective")),
            evidence={"strategy_start": str(start), "grace_days": (latest_day - start).days,
                      "headcount": sum(r.headcount for r in roles), **evidence})


# --------------------------------------------------------------------------- EN31


def plan_not_reviewed_since_strategy(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A plan in force (or approved for later) was last reviewed before the strategy was approved.
    Plans paid only by rollover are left to plan-coverage-gap."""
    strategy = model.strategy
    if strategy is None or strategy.approved_on is None:
        return
    approved = strategy.approved_on
    for plan in _governed_plans(model, rolled_over=False):
        reviewed = plan.last_reviewed or plan.start
        if reviewed is None or reviewed >= approved:
            continue
        note = "" if plan.last_reviewed else " (no last_reviewed date; its start date is used)"
        if plan.last_reviewed or "effective" not in plan.raw:
            at = _plan_at(plan, "last_reviewed")
        else:
            at = plan.loc.at("effective", "from")
        yield Hit(
            at=at,
            args={"plan": plan.id, "d": str(reviewed), "a": str(approved), "note": note},
            entities=(plan.id, strategy.id),
            related=(link(f"strategy {strategy.id} approved {approved}", strategy, "approved_on"),),
            evidence={"last_reviewed": str(reviewed), "approved_on": str(approved),
                      "days_before": (approved - reviewed).days})


# --------------------------------------------------------------------------- EN32


def no_participation_record(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Function-level objectives set without ``agreed_with``, and plans not communicated before
    their start (or, optionally, not acknowledged by the roles they pay)."""
    levels = set(options.get("objective_levels", ("function",)))
    for oid in sorted(model.objectives):
        obj = model.objectives[oid]
        if obj.level in levels and not obj.agreed_with:
            yield Hit(
                at=obj.loc, args={"id": oid, "missing": f"{obj.level}-level objective without agreed_with"},
                entities=(oid,), evidence={"level": obj.level, "agreed_with": []})
    require_ack = bool(options.get("require_acknowledgement", True))
    for plan in _governed_plans(model, rolled_over=False):
        missing: list[str] = []
        if plan.communicated_on is None:
            missing.append("no communicated_on date")
        elif plan.start is not None and plan.communicated_on > plan.start:
            missing.append(f"communicated {plan.communicated_on}, after its start {plan.start}")
        unacknowledged = [r for r in plan.eligible_roles
                          if r not in plan.acknowledged_by and (r not in model.roles or model.roles[r].headcount > 0)]
        if require_ack and unacknowledged:
            missing.append(f"not acknowledged by {', '.join(unacknowledged)}")
        if not missing:
            continue
        yield Hit(
            at=_plan_at(plan, "communicated_on"), args={"id": plan.id, "missing": "; ".join(missing)},
            entities=(plan.id,),
            evidence={"communicated_on": str(plan.communicated_on) if plan.communicated_on else None,
                      "start": str(plan.start) if plan.start else None, "unacknowledged_roles": unacknowledged})


FUNCTIONS: dict[str, CheckFunction] = {
    "payout-before-value-realized": payout_before_value_realized,
    "clawback-missing": clawback_missing,
    "windfall-provision-missing": windfall_provision_missing,
    "high-powered-single-measure": high_powered_single_measure,
    "missing-guardrail": missing_guardrail,
    "measure-controlled-by-payee": measure_controlled_by_payee,
    "diagnose-and-sell-conflict": diagnose_and_sell_conflict,
    "discount-authority-on-volume-pay": discount_authority_on_volume_pay,
    "credit-excludes-strategic-offer": credit_excludes_strategic_offer,
    "cross-function-conflict": cross_function_conflict,
    "leadership-scorecard-misaligned": leadership_scorecard_misaligned,
    "team-goal-individual-pay": team_goal_individual_pay,
    "plan-coverage-gap": plan_coverage_gap,
    "plan-not-reviewed-since-strategy": plan_not_reviewed_since_strategy,
    "no-participation-record": no_participation_record,
}
