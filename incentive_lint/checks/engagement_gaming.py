"""Check functions of the engagement family: measures and decision rights that let the people paid by a plan game it."""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, Sequence

from incentive_lint.model.core import Model
from incentive_lint.model.entities import NON_PAYING, Role
from incentive_lint.checks.api import CheckFunction, Hit, link, names, pct
from incentive_lint.checks.engagement_governance import (_driver_weight, _governed_plans, _kpi_links, _plan_at,
                                                         _weight)

GAMEABILITY = {"low": 1, "medium": 2, "high": 3}
VERIFICATION_WORDS = {"self-reported": "self-reported", "estimate": "estimated", "lab-test": "lab-tested"}


def _has_prefix(value: str, prefixes: Iterable[str]) -> bool:
    return any(value.startswith(p) for p in prefixes)


def _roles_with_rights(model: Model, prefixes: tuple[str, ...]) -> Iterator[tuple[str, Role, list[str]]]:
    """(id, role, its decision rights starting with one of ``prefixes``) for roles holding any, by id."""
    for rid in sorted(model.roles):
        role = model.roles[rid]
        rights = sorted(r for r in role.decision_rights if _has_prefix(r, prefixes))
        if rights:
            yield rid, role, rights


def _system_function(model: Model, system_id: str | None) -> str | None:
    """The function operating a system (``systems[].function``; not yet a model attribute)."""
    system = model.systems.get(system_id or "")
    value = system.raw.get("function") if system else None
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- EN16


def high_powered_single_measure(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A high variable mix rides mostly on one gameable measure and the plan has no gate or modifier."""
    min_variable = float(options.get("min_variable_pct", 40))
    min_weight = float(options.get("min_weight", 70))
    min_game = GAMEABILITY.get(str(options.get("min_gameability", "medium")), 2)
    for plan in model.focused(_governed_plans(model)):
        if plan.variable_mix is None or plan.variable_mix < min_variable:
            continue
        if any(c.type in NON_PAYING for c in plan.components):
            continue
        for c in plan.paying:
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
    for plan in model.focused(_governed_plans(model)):
        measured = {c.kpi for c in plan.components if c.kpi}
        for c in plan.paying:
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
    for plan in model.focused(_governed_plans(model)):
        # Executive plans pay the heads of every function; their measures are controlled by the
        # remuneration committee and audit, so only the verification test applies to them.
        payees = set() if model.is_executive_plan(plan) else set(model.plan_functions(plan))
        for c in plan.paying:
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
        # 'diagnose-and-treat' names a second act, not what is diagnosed
        if rest and not rest.startswith(("and-", "or-")):
            return rest.replace("-", " ")
    return "what customers need"


def diagnose_and_sell_conflict(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A role that diagnoses or advises (decision right ``diagnose*``/``advise*``) is paid on the
    volume of what it diagnoses (service volume, units, product revenue)."""
    prefixes = tuple(options.get("diagnosis_rights", ("diagnose", "advise")))
    volume = set(options.get("volume_drivers", ("service-volume", "unit-volume", "product-revenue", "product-count")))
    for rid, role, rights in _roles_with_rights(model, prefixes):
        for plan in model.plans_for_role(rid):
            for c in plan.paying:
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
    for plan in model.focused(_governed_plans(model)):
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


FUNCTIONS: dict[str, CheckFunction] = {
    "high-powered-single-measure": high_powered_single_measure,
    "missing-guardrail": missing_guardrail,
    "measure-controlled-by-payee": measure_controlled_by_payee,
    "diagnose-and-sell-conflict": diagnose_and_sell_conflict,
    "discount-authority-on-volume-pay": discount_authority_on_volume_pay,
    "credit-excludes-strategic-offer": credit_excludes_strategic_offer,
}
