"""Which catalog KPIs ``propose --allow-new-measures`` may add to a plan as new components.

A KPI is offered to a plan only when paying on it could help and paying on it is sound:

* part of its pay flows to a priority that gets less of the plan's scores' pay than its
  weight in the strategy (an *under-weighted* priority), and the plan does not pay on it yet;
* it is not deprecated and, where the catalog dates it, already introduced on the as-of date;
* it has an owner who holds a role (``kpi-without-owner`` would make paying on it an error);
* its data comes from a system that is live (``kpi-without-data-source`` likewise);
* the catalog states at which level it is measurable, the plan's roles have a level, and the
  line-of-sight rule (``line-of-sight-mismatch``) and the cadence rule
  (``measurement-cadence-mismatch``) have nothing to say about paying the plan's roles on it.

The last point is decided by the rules' own check functions, run on a probe: the plan as it is
on file, with one component per KPI in question in place of its own. So ``propose`` and
``check`` cannot disagree on what a role can see; a change to either rule applies here as well.
The owner and data-source tests are the ones those rules use (``role_problem``, ``source_gap``).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence, cast

from incentive_lint.checks.capability_measurement import (GRANULARITY, LEVEL_GRANULARITY, line_of_sight_mismatch,
                                                          measurement_cadence_mismatch, source_gap)
from incentive_lint.checks.clarity import role_problem
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Kpi, Plan

#: new components offered per plan at most: the KPIs most concentrated on the under-weighted
#: priorities (KPIs with the same pay map are one offer). More only slows the solver: a plan
#: keeps at most ``max_measures`` measures anyway.
MAX_PER_PLAN = 4
#: an id written without quotes must not read as anything but text (true, null, 1e3, 0x1f, ...)
_PLAIN_ID = re.compile(r"[a-z](?:[a-z0-9-]*[a-z0-9])?")
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})


@dataclass(frozen=True)
class Candidate:
    """A KPI the plan may add a component on: the component it would be (weight 0 until solved)."""

    component: Component
    kpi: Kpi


class _Probe:
    """The model as the measurement rules see it, with only the probe plan in force (everything
    else, roles, KPIs, the in-force roles of the plan, is the model's own)."""

    def __init__(self, model: Model, plan: Plan) -> None:
        self._model, self._plan = model, plan

    def in_force_plans(self) -> list[Plan]:
        return [self._plan]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def component_id(kpi_id: str, taken: Iterable[str]) -> str:
    """A component id for a new component on ``kpi_id``: the KPI's id, or with -2, -3, ... when the
    plan already has a component of that id."""
    used = set(taken)
    if kpi_id not in used:
        return kpi_id
    n = 2
    while f"{kpi_id}-{n}" in used:
        n += 1
    return f"{kpi_id}-{n}"


def plain(value: str) -> str:
    """``value`` as YAML text that reads back as that string (quoted only where it must be)."""
    if _PLAIN_ID.fullmatch(value) and value not in _SPECIAL:
        return value
    return "'" + value.replace("'", "''") + "'"


def _sound(model: Model, kpi: Kpi) -> bool:
    """Owned, live, sourced and stating its measurement level (see the module docstring)."""
    if kpi.status == "deprecated" or kpi.measurable_at not in GRANULARITY:
        return False
    if kpi.introduced is not None and kpi.introduced > model.as_of:
        return False
    # owned means owned by someone: a named role that exists and is held (not vacant)
    if not kpi.owner or kpi.owner not in model.roles or role_problem(model, kpi.owner) is not None:
        return False
    return source_gap(model, kpi, max(model.strategy_start, model.as_of)) is None


def _blocked(model: Model, plan: Plan, probes: Sequence[Component]) -> set[str]:
    """The probe components the line-of-sight or cadence rule would report, by key."""
    probe = _Probe(model, dataclasses.replace(plan, components=tuple(probes)))
    found: set[str] = set()
    for check in (line_of_sight_mismatch, measurement_cadence_mismatch):
        for hit in check(cast(Model, probe), {}):
            found.update(hit.entities[:1])
    return found


def candidates(model: Model, plan: Plan, under: Mapping[str, float]) -> list[Candidate]:
    """The KPIs ``plan`` may add, best first. ``under``: the under-weighted priorities (by how
    much, as a fraction of pay), judged in the scores the plan counts in."""
    roles = [model.roles[r] for r in (model.in_force().get(plan.id) or plan.eligible_roles) if r in model.roles]
    if not under or not any(r.level in LEVEL_GRANULARITY for r in roles):
        return []  # no level known for the payees: whether they can see a KPI cannot be told
    paid = {c.kpi for c in plan.components if c.kpi}
    taken = [c.id for c in plan.components]
    ranked: list[tuple[float, str, Kpi, tuple[tuple[str, float], ...]]] = []
    for kpi in model.kpis.values():
        if kpi.id in paid:
            continue
        flows = model.kpi_map(kpi.id)
        gain = sum(f for k, f in flows.items() if k in under)
        if gain <= 0 or not _sound(model, kpi):
            continue
        ranked.append((-gain, kpi.id, kpi, tuple(sorted((k, round(f, 12)) for k, f in flows.items()))))
    ranked.sort(key=lambda r: (r[0], r[1]))
    if not ranked:
        return []
    base = len(plan.components)

    def component(kpi: Kpi, cid: str, index: int) -> Component:
        return Component(cid, plan.loc.at("components", base + index), {"id": cid, "kpi": kpi.id, "weight": 0},
                         plan=plan.id, kpi=kpi.id, weight=0.0)

    # the rules judge every KPI in question at once; the id only has to be unique in the probe
    probes = [component(kpi, f"probe-{n}", n) for n, (_, _, kpi, _) in enumerate(ranked)]
    blocked = _blocked(model, plan, probes)
    out: list[Candidate] = []
    seen: set[tuple[tuple[str, float], ...]] = set()
    for probe, (_, _, kpi, signature) in zip(probes, ranked):
        if probe.key in blocked or signature in seen:
            continue  # the same pay map as a better-ranked KPI is the same offer to the solver
        seen.add(signature)
        cid = component_id(kpi.id, taken)
        taken.append(cid)
        out.append(Candidate(component(kpi, cid, len(out)), kpi))
        if len(out) == MAX_PER_PLAN:
            break
    return out
