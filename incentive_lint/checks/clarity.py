"""Check functions of the clarity family: does the strategy reach the ground, with an owner at every level?

Structure (weights add up, every priority and objective is measured), ownership (priorities
and KPIs have a person who exists), focus and horizons, and the strategic KPIs' baselines and
dated targets. The cascade itself (objectives roll up, have owners, use live KPIs) is in
``clarity_cascade``.
"""
from __future__ import annotations

import calendar
import datetime as _dt
from collections import defaultdict
from typing import Any, Iterator, Mapping

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Loc, Objective, Priority, Strategy
from incentive_lint.checks.api import CheckFunction, Hit, link, names, pct


# --------------------------------------------------------------------------- helpers


def _live_strategies(model: Model) -> list[Strategy]:
    """Strategies worth checking for internal consistency: the one in force, plus any not
    retired and not yet ended (so that a draft of the next strategy is checked in review)."""
    out = {s.id: s for s in model.strategies.values()
           if s.status != "retired" and (s.end is None or s.end >= model.as_of)}
    current = model.strategy
    if current is not None:
        out[current.id] = current
    return [out[k] for k in sorted(out)]


def role_problem(model: Model, role_id: str | None) -> tuple[str, str] | None:
    """Why a role cannot own something: ("missing"|"vacant", detail), or None if it can (or is unknown)."""
    if not role_id:
        return "missing", "no owner is named"
    role = model.roles.get(role_id)
    if role is None:
        return None  # an unknown id is dangling-reference's finding; one mistake, one finding
    if "headcount" in role.raw and role.headcount == 0:
        return "vacant", f"role '{role_id}' has headcount 0, nobody holds it"
    return None


def _add_months(day: _dt.date, months: int) -> _dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    if year > _dt.MAXYEAR:
        return _dt.date.max
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def _window(start: _dt.date, end: _dt.date | None) -> str:
    return f"{start.isoformat()} to {end.isoformat()}" if end else f"from {start.isoformat()}, open-ended"


# --------------------------------------------------------------------------- CL03


def priority_weights_sum(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """The priority weights of a strategy do not add up to 100 % (beyond a rounding tolerance)."""
    tolerance = float(options.get("tolerance", 0.5))
    for s in _live_strategies(model):
        if not s.priorities:
            continue
        total = sum(p.weight for p in s.priorities)
        if abs(total - 100.0) <= tolerance:
            continue
        yield Hit(at=s.field_loc("priorities"), on_key=True, args={"strategy": s.id, "sum": pct(total)},
                  entities=(s.id,),
                  related=tuple(link(f"'{p.id}' weight {pct(p.weight)}%", p, "weight") for p in s.priorities),
                  evidence={"sum": round(total, 4), "tolerance": tolerance,
                            "weights": {p.id: p.weight for p in s.priorities}})


# --------------------------------------------------------------------------- CL04


def objective_without_kpi(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A priority has no KPI target with a value, or an objective has no key result with a target."""
    for s in _live_strategies(model):
        for p in s.priorities:
            if any(t.kpi and t.kpi not in model.kpis for t in p.targets):
                continue  # a broken KPI reference is reported by dangling-reference
            if not p.targets:
                problem = "has no KPI target"
            elif all(t.value is None for t in p.targets):
                problem = "has KPI targets without a target value"
            else:
                continue
            yield Hit(at=p.field_loc("targets"), on_key=True,
                      args={"what": "priority", "id": p.id, "problem": problem},
                      entities=(p.id, s.id), related=(link("strategy", s),),
                      evidence={"targets": len(p.targets), "with_value": 0})
    for o in model.current_objectives():  # last year's objective sets are history
        if any(kr.kpi and kr.kpi not in model.kpis for kr in o.key_results):
            continue
        if not o.key_results:
            problem = "has no key result"
        elif all(kr.target is None for kr in o.key_results):
            problem = "has key results without a target value"
        else:
            continue
        related = []
        parent = model.priorities.get(o.parent or "") or model.objectives.get(o.parent or "")
        if parent is not None:
            related.append(link(f"rolls up to '{parent.id}'", parent))
        yield Hit(at=o.field_loc("key_results"), on_key=True,
                  args={"what": "objective", "id": o.id, "problem": problem},
                  entities=(o.id,), related=tuple(related),
                  evidence={"key_results": len(o.key_results), "with_target": 0})


# --------------------------------------------------------------------------- CL05


def priority_without_owner(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A priority names no accountable executive, an unknown role, or a role with headcount 0."""
    for s in _live_strategies(model):
        for p in s.priorities:
            problem = role_problem(model, p.accountable)
            if problem is None:
                continue
            kind, detail = problem
            if kind == "missing":
                detail = "'accountable' is not set"
            related = [link("strategy", s)]
            role = model.roles.get(p.accountable or "")
            if role is not None:
                related.append(link(f"role '{role.id}'", role, "headcount"))
            yield Hit(at=p.field_loc("accountable"), args={"priority": p.id, "reason": detail},
                      entities=(p.id, *([p.accountable] if p.accountable else [])), related=tuple(related),
                      evidence={"accountable": p.accountable, "problem": kind,
                                **({"headcount": role.headcount} if role is not None else {})})


# --------------------------------------------------------------------------- CL06


def kpi_without_owner(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A KPI has no owner, or its owner is not a role; an error when an in-force plan pays on it."""
    paying = model.components_paying_on()
    for k in sorted(model.kpis.values(), key=lambda x: x.id):
        problem = role_problem(model, k.owner)
        if problem is None or problem[0] == "vacant":
            continue
        detail = "" if problem[0] == "missing" else f" ({problem[1]})"
        paid = sorted(paying.get(k.id, []), key=lambda c: c.key)
        paid_text = f" but is paid on ({names(c.key for c in paid)})" if paid else ""
        yield Hit(at=k.field_loc("owner"), args={"kpi": k.id, "detail": detail, "paid": paid_text},
                  entities=(k.id,),
                  related=tuple(link(f"paid in '{c.key}' ({pct(c.weight)}%)", c, "kpi") for c in paid),
                  evidence={"owner": k.owner, "problem": problem[0], "paid_in": [c.key for c in paid]},
                  severity=Severity.ERROR if paid else None)


# --------------------------------------------------------------------------- CL07


def kpi_without_target(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A KPI the strategy sets targets on lacks a baseline, or one of its targets lacks a value or a date."""
    strategy = model.strategy
    if strategy is None:
        return
    targeted: dict[str, list[tuple[Priority, int]]] = defaultdict(list)
    for p in strategy.priorities:
        for j, t in enumerate(p.targets):
            if t.kpi and t.kpi in model.kpis:
                targeted[t.kpi].append((p, j))
    for kpi_id in sorted(targeted):
        k = model.kpis[kpi_id]
        uses = targeted[kpi_id]
        if k.baseline is None or k.baseline.get("value") is None:
            yield Hit(at=k.loc, args={"kpi": k.id, "missing": "a baseline (the value its targets start from)"},
                      entities=(k.id,),
                      related=tuple(link(_target_label(p, j), p.targets[j]) for p, j in uses),
                      evidence={"missing": ["baseline"], "priorities": sorted({p.id for p, _ in uses})})
        for p, j in uses:
            t = p.targets[j]
            missing = [name for name, value in (("target value", t.value), ("target date", t.by)) if value is None]
            if not missing:
                continue
            yield Hit(at=t.loc, args={"kpi": k.id, "missing": f"a {' and a '.join(missing)} in priority '{p.id}'"},
                      entities=(p.id, k.id), related=(link("KPI", k),),
                      evidence={"missing": missing, "priority": p.id})


def _target_label(p: Priority, j: int) -> str:
    by = p.targets[j].by
    return f"target of '{p.id}'" + (f" due {by}" if by else "")


# --------------------------------------------------------------------------- CL11


def focus_overload(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Too many priorities, key results per objective, or objectives per unit in one objective set."""
    max_priorities = int(options.get("max_priorities", 5))
    max_krs = int(options.get("max_key_results", 5))
    max_objectives = int(options.get("max_objectives_per_unit", 8))
    for s in _live_strategies(model):
        n = len(s.priorities)
        if n > max_priorities:
            yield Hit(at=s.field_loc("priorities"), on_key=True,
                      args={"subject": f"strategy '{s.id}'", "n": n, "items": "priorities", "max": max_priorities},
                      entities=(s.id,), evidence={"count": n, "max": max_priorities})
    by_unit: dict[tuple[str, str], list[Objective]] = defaultdict(list)
    for o in sorted(model.objectives.values(), key=lambda x: x.id):
        if len(o.key_results) > max_krs:
            yield Hit(at=o.field_loc("key_results"), on_key=True,
                      args={"subject": f"objective '{o.id}'", "n": len(o.key_results), "items": "key results",
                            "max": max_krs},
                      entities=(o.id,), evidence={"count": len(o.key_results), "max": max_krs})
        if o.org_unit:
            by_unit[(o.set_id, o.org_unit)].append(o)
    for (set_id, unit), objs in sorted(by_unit.items()):
        if len(objs) <= max_objectives:
            continue
        first = min(objs, key=lambda o: o.loc.path)
        at = Loc(first.loc.file, first.loc.doc, first.loc.path[:1])
        yield Hit(at=at, on_key=True,
                  args={"subject": f"'{unit}'", "n": len(objs), "items": f"objectives in '{set_id}'",
                        "max": max_objectives},
                  entities=(unit, set_id), related=tuple(link(f"objective '{o.id}'", o) for o in objs),
                  evidence={"count": len(objs), "max": max_objectives, "objectives": [o.id for o in objs]})


# --------------------------------------------------------------------------- CL12


def horizon_mismatch(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A target date falls outside the strategy window or its priority's horizon, or a priority's
    horizon reaches beyond the strategy window."""
    for s in _live_strategies(model):
        if s.start is None:
            continue
        strategy_window = _window(s.start, s.end)
        for p in s.priorities:
            horizon_end = (_add_months(s.start, p.horizon_months) - _dt.timedelta(days=1)
                           if p.horizon_months else None)
            if horizon_end is not None and s.end is not None and horizon_end > s.end:
                yield Hit(at=p.field_loc("horizon_months"),
                          args={"id": p.id, "what": f"horizon of {p.horizon_months} months (to {horizon_end})",
                                "window": "the strategy window", "range": strategy_window},
                          entities=(p.id, s.id), related=(link("strategy window", s, "effective"),),
                          evidence={"horizon_months": p.horizon_months, "horizon_end": str(horizon_end),
                                    "strategy_from": str(s.start), "strategy_to": str(s.end)})
            for t in p.targets:
                if t.by is None:
                    continue
                what = f"target date {t.by} for '{t.kpi}'"
                evidence = {"by": str(t.by), "strategy_from": str(s.start), "strategy_to": str(s.end)}
                if t.by < s.start or (s.end is not None and t.by > s.end):
                    window, rng, rel = "the strategy window", strategy_window, link("strategy window", s, "effective")
                elif horizon_end is not None and t.by > horizon_end:
                    window, rng = f"the {p.horizon_months}-month horizon of '{p.id}'", _window(s.start, horizon_end)
                    rel = link("priority horizon", p, "horizon_months")
                    evidence["horizon_end"] = str(horizon_end)
                else:
                    continue
                yield Hit(at=t.field_loc("by"), args={"id": p.id, "what": what, "window": window, "range": rng},
                          entities=(p.id, *([t.kpi] if t.kpi else [])), related=(rel,), evidence=evidence)


FUNCTIONS: dict[str, CheckFunction] = {
    "priority-weights-sum": priority_weights_sum,
    "objective-without-kpi": objective_without_kpi,
    "priority-without-owner": priority_without_owner,
    "kpi-without-owner": kpi_without_owner,
    "kpi-without-target": kpi_without_target,
    "focus-overload": focus_overload,
    "horizon-mismatch": horizon_mismatch,
}
