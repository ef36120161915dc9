"""What one plan's weights may be, each limit from the rule it keeps quiet: the legacy tier of
``pays-on-deprioritized-driver``, the dominance weight of ``high-powered-single-measure``, the
MBO/discretionary share of ``discretionary-only-link``; and whether a plan can meet its own limits
at all (``can_meet``, which ``problem`` uses to lift a limit no weighting meets). ``Limits`` (the
rules' options) and ``Variable`` (one component's weight to choose) are defined here and used
through ``problem``.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from incentive_lint.checks.engagement_design import is_subjective
from incentive_lint.checks.engagement_gaming import GAMEABILITY
from incentive_lint.model.core import Model
from incentive_lint.model.entities import NON_PAYING, Component, Plan


@dataclass(frozen=True)
class Limits:
    """The plan designer's rules, from the effective options of the rules that state them
    (``None`` where that rule is switched off)."""

    #: measure-weight-too-small: the smallest weight of a kept component
    min_weight: float | None = 15.0
    #: too-many-measures: the most paying components a plan may keep
    max_measures: int | None = 3
    #: pays-on-deprioritized-driver: the legacy part of a weight stays strictly below this
    legacy_warn: float | None = 10.0
    #: --max-change: the most points one plan's weights may move in total
    max_change: float | None = None
    #: incentive-strategy-divergence: the warning and error tiers of D (None: the rule is off)
    divergence_warn: float | None = 0.25
    divergence_error: float | None = 0.50
    #: incentive-strategy-divergence judges each contributing function's D too (``per_function``)
    divergence_per_function: bool = True
    #: high-powered-single-measure: from this weight one gameable measure dominates a plan with a
    #: variable mix of at least ``gameable_mix`` % and no gate or modifier (None: the rule is off)
    gameable_weight: float | None = 70.0
    gameable_mix: float = 40.0
    #: the lowest gameability that counts (GAMEABILITY: low 1, medium 2, high 3)
    gameable_level: int = 2
    #: discretionary-only-link: the most of a plan's weight on MBO/discretionary components
    subjective_max: float | None = 25.0
    subjective_types: tuple[str, ...] = ("mbo", "discretionary")
    #: leadership-scorecard-misaligned: (max_to_driver_share, min_efficiency_share,
    #: efficiency_drivers) for executive pay (None: the rule is off)
    scorecard: tuple[float, float, tuple[str, ...]] | None = (25.0, 50.0, ("internal-efficiency",))


@dataclass(frozen=True)
class Variable:
    """One component whose weight the proposal may change."""

    plan: str
    component: Component
    #: the weight now (percent)
    current: float
    #: where its pay flows: bucket -> fraction (``Model.component_map``)
    buckets: Mapping[str, float]
    #: the largest whole-percent weight the limits allow (the legacy tier)
    upper: int
    #: a new component on a catalog KPI (``--allow-new-measures``): appended only if kept
    added: bool = False
    #: its KPI is not in the catalog: where its pay flows is unknown (the model leaves it out of
    #: every share), so its weight stays as it is, and the scores stay linear in the others
    held: bool = False
    #: high-powered-single-measure: the largest whole percent below the dominance weight, for a
    #: gameable measure in a plan the rule watches that is below it now (else 100)
    gameable_upper: int = 100
    #: an MBO or discretionary component (discretionary-only-link counts its weight)
    subjective: bool = False


def legacy_upper(fraction: float, warn: float | None) -> int:
    """The largest whole percent w with w x fraction strictly below ``warn`` (100 when the
    component is not legacy or the rule is off)."""
    if warn is None or fraction <= 0:
        return 100
    w = min(100, int(warn / fraction))
    while w > 0 and w * fraction >= warn:
        w -= 1
    return max(0, w)


def gameable_upper(model: Model, plan: Plan, component: Component, limits: Limits) -> int:
    """The most a measure may weigh without high-powered-single-measure seeing it dominate its plan
    (the rule's own test: variable mix, no gate or modifier, the KPI's gameability); 100 where the
    rule does not apply, or the measure dominates now (that finding is there before the change)."""
    if limits.gameable_weight is None or plan.variable_mix is None or plan.variable_mix < limits.gameable_mix:
        return 100
    if any(c.type in NON_PAYING for c in plan.components):
        return 100
    kpi = model.kpis.get(component.kpi or "")
    if kpi is None or GAMEABILITY.get(kpi.gameability or "", 0) < limits.gameable_level:
        return 100
    if component.weight >= limits.gameable_weight:
        return 100
    return max(0, min(100, math.ceil(limits.gameable_weight) - 1))


def subjective(plan: Plan, component: Component, limits: Limits) -> bool:
    """An MBO or discretionary component, as discretionary-only-link counts them."""
    return is_subjective(plan, component, limits.subjective_types)


def subjective_cap(variables: Sequence[Variable], limits: Limits) -> int | None:
    """The most weight the plan's MBO/discretionary measures may carry together, so that
    discretionary-only-link does not report it; None when the rule is off, there are none, or
    the plan is over the limit now (that finding is there before the change)."""
    if limits.subjective_max is None or not any(v.subjective for v in variables):
        return None
    total = sum(v.current for v in variables)
    share = sum(v.current for v in variables if v.subjective) / total * 100 if total > 0 else 0.0
    if share > limits.subjective_max:
        return None
    return max(0, min(100, math.floor(limits.subjective_max + 1e-9)))


def can_meet(variables: Sequence[Variable], limits: Limits, cap: int | None, gameable: bool = True) -> bool:
    """Whether whole-percent weights adding up to 100 meet the plan's own limits (minimum weight,
    maximum measures, legacy tier and, with ``gameable``, the gameable measure's; the MBO share
    ``cap``), movement aside. Exact: per set of kept measures, the weights reach every whole sum
    between the least and the most they can carry."""
    floor = math.ceil(max(limits.min_weight or 0.0, 1.0))
    held = [v for v in variables if v.held]
    need = 100 - sum(v.current for v in held)
    kept_held = sum(1 for v in held if v.current > 0)
    room = None if cap is None else cap - sum(v.current for v in held if v.subjective)

    def upper(v: Variable) -> int:
        return min(v.upper, v.gameable_upper) if gameable else v.upper

    options = [v for v in variables if not v.held and upper(v) >= floor]
    most = len(options) if limits.max_measures is None else limits.max_measures - kept_held
    for r in range(0, min(len(options), most) + 1):
        for kept in itertools.combinations(options, r):
            mine = [v for v in kept if v.subjective]
            high = sum(upper(v) for v in kept if not v.subjective)
            high_mine: float = sum(upper(v) for v in mine)
            if room is not None:
                if floor * len(mine) > room:
                    continue
                high_mine = min(high_mine, room)
            if floor * r <= need <= high + high_mine:
                return True
    return False
