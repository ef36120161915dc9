"""Check functions of the capability family: can the strategic KPIs be measured — data sources, line of sight and cadence?"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Iterator, Mapping

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import PERIOD_MONTHS, Kpi, Strategy
from incentive_lint.checks.api import CheckFunction, Hit, link, names, pct
from incentive_lint.model.entities import NON_PAYING
from incentive_lint.checks.capability import _available_on, _by_id, _state

#: How finely a KPI can be attributed, from finest to coarsest.
GRANULARITY = {"individual": 0, "team": 1, "region": 2, "company": 3}
#: The granularity at which a role of each level is paid by default.
LEVEL_GRANULARITY = {"individual": 0, "manager": 1, "executive": 3}
#: Who is paid, in plain words, by granularity.
_PAYEES = {0: "individuals", 1: "team managers", 2: "regional managers", 3: "executives"}
#: What a component declared at each granularity pays, in plain words.
_UNITS = {0: "individuals", 1: "each team", 2: "each region", 3: "the whole company"}


# --------------------------------------------------------------------------- CA09


def _strategic_kpis(model: Model, strategy: Strategy) -> dict[str, str]:
    """KPI id -> why it is strategic: named in a priority's targets, or mapped to a new/grow priority."""
    out: dict[str, str] = {}
    for p in _by_id(strategy.priorities):
        for t in p.targets:
            if t.kpi and t.kpi in model.kpis:
                out.setdefault(t.kpi, f"target of '{p.id}'")
    for k in _by_id(model.kpis.values()):
        if k.id in out or k.status == "deprecated":
            continue
        for bucket in sorted(model.kpi_map(k.id)):
            pr = model.priorities.get(bucket)
            if pr is not None and pr.strategic:
                out[k.id] = f"maps to '{pr.id}' ({pr.change})"
                break
    return out


def source_gap(model: Model, kpi: Kpi, by: _dt.date) -> str | None:
    """What keeps the KPI from being measured by ``by`` (no data source, or a system not live by
    then), in the rule's words; None if it can be (also for a system id that is not defined)."""
    if not kpi.data_source:
        return "has no data source"
    system = model.systems.get(kpi.data_source)
    if system is None:
        return None  # an unknown id is dangling-reference's finding; one mistake, one finding
    day = _available_on(system.status, system.available_from)
    if day is None or day > by:
        return f"gets its data from '{system.id}', which is {_state(system.status, system.available_from)}"
    return None


def kpi_without_data_source(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA09: a strategic or paid KPI has no data source, or its system is not live by the strategy start
    (or today, if later); an error when an in-force plan pays on it."""
    strategy = model.strategy
    paid = model.components_paying_on()
    strategic = _strategic_kpis(model, strategy) if strategy is not None else {}
    by = max(model.strategy_start, model.as_of)
    for k in _by_id(model.kpis.values()):
        if k.id not in strategic and k.id not in paid:
            continue
        gap = source_gap(model, k, by)
        if gap is None:
            continue
        comps = sorted(paid.get(k.id, []), key=lambda c: c.key)
        related = [link(f"paid in '{c.key}' ({pct(c.weight)}%)", c, "kpi") for c in comps]
        if k.data_source in model.systems:
            system = model.systems[k.data_source]
            related.append(link(f"system '{system.id}'", system, "status"))
        if strategy is not None:
            related += [link(f"target of '{p.id}'", t) for p in _by_id(strategy.priorities) for t in p.targets
                        if t.kpi == k.id]
        yield Hit(
            at=k.field_loc("data_source"),
            args={"what": "strategic KPI" if k.id in strategic else "KPI", "kpi": k.id, "problem": gap,
                  "paid": f", although {names(repr(c.key) for c in comps)} {'pays' if len(comps) == 1 else 'pay'} on it"
                  if comps else ""},
            entities=(k.id,),
            related=tuple(related),
            evidence={"data_source": k.data_source, "strategic": strategic.get(k.id),
                      "paid_in": [c.key for c in comps], "needed_by": by.isoformat()},
            severity=Severity.ERROR if comps else None)


# --------------------------------------------------------------------------- CA10


def line_of_sight_mismatch(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA10: an in-force component pays people on a finer level than the KPI can be measured at."""
    for plan in model.focused(model.in_force_plans()):
        roles = [model.roles[r] for r in (model.in_force().get(plan.id) or plan.eligible_roles) if r in model.roles]
        role_levels = [LEVEL_GRANULARITY[r.level] for r in roles if r.level in LEVEL_GRANULARITY]
        for c in plan.components:
            kpi = model.kpis.get(c.kpi or "")
            if c.type in NON_PAYING or kpi is None or kpi.measurable_at not in GRANULARITY:
                continue
            kpi_level = GRANULARITY[kpi.measurable_at]
            if c.measured_at in GRANULARITY:
                paid_at = GRANULARITY[c.measured_at]
                payees = f"{_UNITS[paid_at]} (measured_at: {c.measured_at})"
            elif role_levels:
                paid_at = min(role_levels)
                who = sorted(r.id for r in roles if LEVEL_GRANULARITY.get(r.level or "") == paid_at)
                payees = f"{_PAYEES[paid_at]} ({', '.join(who)})"
            else:
                continue
            if kpi_level <= paid_at:
                continue
            yield Hit(
                at=c.field_loc("measured_at") if "measured_at" in c.raw else c.field_loc("kpi"),
                args={"component": c.key, "payees": payees, "kpi": kpi.id, "level": kpi.measurable_at},
                entities=(c.key, plan.id, kpi.id),
                related=(link(f"KPI '{kpi.id}' is measurable at {kpi.measurable_at} level", kpi, "measurable_at"),
                         link(f"'{plan.id}' pays roles {names(r.id for r in roles)}", plan, "eligible_roles")),
                evidence={"kpi_measurable_at": kpi.measurable_at, "measured_at": c.measured_at,
                          "role_levels": {r.id: r.level for r in roles}, "weight": c.weight})


# --------------------------------------------------------------------------- CA11


def measurement_cadence_mismatch(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA11: an in-force plan pays more often than a KPI it pays on gets new values."""
    for plan in model.focused(model.in_force_plans()):
        if plan.payout_frequency not in PERIOD_MONTHS:
            continue
        for c in plan.components:
            kpi = model.kpis.get(c.kpi or "")
            if kpi is None or kpi.refresh not in PERIOD_MONTHS:
                continue
            refresh = PERIOD_MONTHS[kpi.refresh]
            if refresh <= plan.payout_months:
                continue
            yield Hit(
                at=c.field_loc("kpi"),
                args={"kpi": kpi.id, "refresh": kpi.refresh, "plan": plan.id, "freq": plan.payout_frequency,
                      "component": c.key},
                entities=(c.key, plan.id, kpi.id),
                related=(link(f"KPI '{kpi.id}' refreshes {kpi.refresh}", kpi, "refresh"),
                         link(f"'{plan.id}' pays {plan.payout_frequency}", plan, "payout_frequency")),
                evidence={"refresh_months": refresh, "payout_months": plan.payout_months, "weight": c.weight,
                          "rolled_over": model.rolled_over(plan)})


FUNCTIONS: dict[str, CheckFunction] = {
    "kpi-without-data-source": kpi_without_data_source,
    "line-of-sight-mismatch": line_of_sight_mismatch,
    "measurement-cadence-mismatch": measurement_cadence_mismatch,
}
