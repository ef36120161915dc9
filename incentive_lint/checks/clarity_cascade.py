"""Check functions of the clarity family: does the cascade of objectives and the KPIs it uses hold together?"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterator, Mapping

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import LEGACY, Kpi, Objective, Plan
from incentive_lint.checks.api import CheckFunction, Hit, link, names
from incentive_lint.checks.clarity import role_problem


def _roll_up(model: Model, obj: Objective) -> tuple[str, str, list[str]]:
    """Follow an objective's parents: ('priority', id, chain), ('top', id, chain) when the chain
    stops at an objective without a parent, ('unknown', ref, chain) at a dangling parent,
    or ('loop', id, chain) when the parents form a cycle."""
    chain: list[str] = []
    current: Objective = obj
    while True:
        chain.append(current.id)
        parent = current.parent
        if not parent:
            return "top", current.id, chain
        if parent in model.priorities:
            return "priority", parent, chain
        nxt = model.objectives.get(parent)
        if nxt is None:
            return "unknown", parent, chain
        if nxt.id in chain:
            return "loop", nxt.id, chain[chain.index(nxt.id):]
        current = nxt


# --------------------------------------------------------------------------- CL08


def orphan_objective(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """An objective's parent chain does not end in a strategic priority (reported once, where the chain breaks)."""
    if not model.strategy_priorities():
        return  # nothing to roll up to; other rules report the missing strategy
    outcomes = {o.id: _roll_up(model, o) for o in model.objectives.values()}
    for oid in sorted(outcomes):
        kind, end, chain = outcomes[oid]
        if kind in ("priority", "unknown") or (kind == "top" and end != oid):
            continue
        if kind == "loop" and oid != min(chain):
            continue
        o = model.objectives[oid]
        below = sorted(x for x, (k2, e2, c2) in outcomes.items()
                       if x != oid and ((kind == "top" and k2 == "top" and e2 == oid)
                                        or (kind == "loop" and k2 == "loop" and oid in c2 and x not in chain)))
        detail = f"; its parent chain loops ({' -> '.join([*chain, chain[0]])})" if kind == "loop" else ""
        if below:
            detail += f"; {len(below)} objective(s) below it are cut off too: {', '.join(below)}"
        yield Hit(at=o.field_loc("parent"),
                  args={"objective": oid, "unit": o.org_unit or o.level or "no unit", "detail": detail},
                  entities=(oid,), related=tuple(link(f"below it: '{x}'", model.objectives[x]) for x in below),
                  evidence={"parent": o.parent, "loop": chain if kind == "loop" else [], "below": below})


# --------------------------------------------------------------------------- CL09


def cascade_gap(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A contributor function of a priority has no objective at the given level rolling up to it."""
    level = str(options.get("level", "function"))
    covered: dict[str, dict[str, list[Objective]]] = defaultdict(lambda: defaultdict(list))
    for o in model.current_objectives():  # last year's objective sets are history
        if o.org_unit and o.level in (level, None):
            pid = model.objective_priority(o.id)
            if pid is not None:
                covered[pid][o.org_unit].append(o)
    for p in sorted(model.strategy_priorities(), key=lambda x: x.id):
        missing = [f for f in p.contributors if f in model.functions and not covered[p.id].get(f)]
        if not missing:
            continue
        present = sorted((o for objs in covered[p.id].values() for o in objs), key=lambda o: o.id)
        yield Hit(at=p.field_loc("contributors"), on_key=True,
                  args={"priority": p.id, "level": level, "functions": names(missing)},
                  entities=(p.id, *sorted(missing)),
                  related=(*(link(f"function '{f}'", model.functions[f]) for f in sorted(missing)),
                           *(link(f"objective '{o.id}' ({o.org_unit})", o) for o in present)),
                  evidence={"contributors": list(p.contributors), "missing": sorted(missing),
                            "covered": sorted(f for f in p.contributors if covered[p.id].get(f))})


# --------------------------------------------------------------------------- CL10


def objective_without_owner(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """An objective or budget initiative has no owner, an unknown one, or a vacant role."""
    items: list[tuple[str, Objective | Any]] = [("objective", o) for o in model.objectives.values()]
    for b in model.budgets.values():
        items.extend(("investment", x) for x in b.investments if "id" in x.raw)
    for what, item in sorted(items, key=lambda pair: (pair[0] != "objective", pair[1].id)):
        problem = role_problem(model, item.owner)
        if problem is None:
            continue
        detail = "" if problem[0] == "missing" else f": {problem[1]}"
        role = model.roles.get(item.owner or "")
        yield Hit(at=item.field_loc("owner"), args={"what": what, "id": item.id, "detail": detail},
                  entities=(item.id, *([item.owner] if item.owner else [])),
                  related=(link(f"role '{role.id}'", role, "headcount"),) if role is not None else (),
                  evidence={"owner": item.owner, "problem": problem[0]})


# --------------------------------------------------------------------------- CL13


def _current_or_future(model: Model, plan: Plan) -> bool:
    return plan.status != "retired" and (plan.end is None or plan.end >= model.as_of)


def deprecated_kpi_in_use(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """An objective or plan still uses a deprecated KPI; an error when an in-force plan pays on it."""
    in_force = set(model.in_force())

    def replacement(k: Kpi) -> str:
        return f" (replaced by '{k.replaced_by}')" if k.replaced_by else " (no replacement named)"

    def deprecated(kpi_id: str | None) -> Kpi | None:
        k = model.kpis.get(kpi_id or "")
        return k if k is not None and k.status == "deprecated" else None

    for o in model.current_objectives():  # last year's objective sets are history
        seen: set[str] = set()
        for kr in o.key_results:
            k = deprecated(kr.kpi)
            if k is None or k.id in seen:
                continue
            seen.add(k.id)
            yield Hit(at=kr.field_loc("kpi"), args={"id": o.id, "kpi": k.id, "replacement": replacement(k)},
                      entities=(o.id, k.id), related=(link("KPI status", k, "status"),),
                      evidence={"kpi": k.id, "replaced_by": k.replaced_by, "paid": False})
    for plan in sorted(model.plans.values(), key=lambda x: x.id):
        paid = plan.id in in_force
        if not paid and not _current_or_future(model, plan):
            continue
        for c in plan.components:
            k = deprecated(c.kpi)
            if k is None:
                continue
            yield Hit(at=c.field_loc("kpi"), args={"id": c.key, "kpi": k.id, "replacement": replacement(k)},
                      entities=(c.key, k.id), related=(link("KPI status", k, "status"),),
                      evidence={"kpi": k.id, "replaced_by": k.replaced_by, "weight": c.weight, "paid": paid,
                                "plan_status": plan.status},
                      severity=Severity.ERROR if paid else None)


# --------------------------------------------------------------------------- CL14


def legacy_kpi_still_cascaded(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """An objective's key result is on a KPI whose drivers the strategy moves away from."""
    strategy = model.strategy
    if strategy is None or not strategy.from_drivers:
        return
    for o in model.current_objectives():  # last year's objective sets are history
        seen: set[str] = set()
        for kr in o.key_results:
            k = model.kpis.get(kr.kpi or "")
            if k is None or k.id in seen or LEGACY not in model.kpi_map(k.id):
                continue
            seen.add(k.id)
            drivers = [d for d in k.drivers if d in strategy.from_drivers]
            yield Hit(at=kr.field_loc("kpi"), args={"objective": o.id, "kpi": k.id, "driver": ", ".join(drivers)},
                      entities=(o.id, k.id),
                      related=(link(f"drivers of '{k.id}'", k, "drivers"),
                               link(f"'{strategy.id}' moves away from", strategy, "shift")),
                      evidence={"kpi": k.id, "drivers": list(k.drivers), "from_drivers": list(strategy.from_drivers)})


FUNCTIONS: dict[str, CheckFunction] = {
    "orphan-objective": orphan_objective,
    "cascade-gap": cascade_gap,
    "objective-without-owner": objective_without_owner,
    "deprecated-kpi-in-use": deprecated_kpi_in_use,
    "legacy-kpi-still-cascaded": legacy_kpi_still_cascaded,
}
