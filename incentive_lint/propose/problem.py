"""The optimisation behind ``propose``, as plain data: which weights may move, within which
limits, and how the divergence score D depends on them.

Everything is read from the model's own facts (``target_pay``, ``component_map``,
``plan_share``, ``function_plans``, the strategy's priority weights), so that D computed here
for the current weights is the D the report and ``incentive-strategy-divergence`` show; a test
holds the two equal. The solver (``solver.py``) turns this into a mixed-integer programme.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from incentive_lint.model.core import Model
from incentive_lint.model.entities import LEGACY, Component, Plan
from incentive_lint.propose.candidates import candidates

NON_PAYING = ("gate", "modifier")


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


@dataclass(frozen=True)
class PlanBlock:
    """The variables of one plan and its target pay in the reporting currency."""

    plan: Plan
    pay: float
    variables: tuple[Variable, ...]


@dataclass(frozen=True)
class Objective:
    """One divergence score as a function of the weights: D = 1/2 sum_k |q_k - pi_k| with
    q_k = (fixed_k + sum_v pay_v * w_v / 100 * bucket_v,k) / total."""

    name: str
    #: plan ids whose pay counts in this score
    plans: frozenset[str]
    #: pay of the plans that do not change, by bucket
    fixed: Mapping[str, float]
    #: the strategy's weights, normalised: bucket -> pi
    pi: Mapping[str, float]
    #: total pay once every changing plan's weights add up to 100
    total: float


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs, and what the proposal is compared against."""

    blocks: tuple[PlanBlock, ...]
    objectives: tuple[Objective, ...]
    limits: Limits
    #: plans asked for that cannot take part, with the reason (no paying component, ...)
    skipped: tuple[tuple[str, str], ...] = ()
    buckets: tuple[str, ...] = field(default=())

    def variables(self) -> list[Variable]:
        return [v for b in self.blocks for v in b.variables]


def legacy_upper(fraction: float, warn: float | None) -> int:
    """The largest whole percent w with w x fraction strictly below ``warn`` (100 when the
    component is not legacy or the rule is off)."""
    if warn is None or fraction <= 0:
        return 100
    w = min(100, int(warn / fraction))
    while w > 0 and w * fraction >= warn:
        w -= 1
    return max(0, w)


def paying(plan: Plan) -> list[Component]:
    """The components that carry pay; gates and modifiers stay as they are, outside the sum."""
    return [c for c in plan.components if c.type not in NON_PAYING]


def build_problem(model: Model, limits: Limits, plan_ids: Sequence[str] | None = None,
                  per_function: bool = False, new_measures: bool = False) -> Problem:
    """The problem for the in-force plans (or the ``plan_ids`` among them); with
    ``new_measures``, each plan may also add components on the KPIs ``candidates`` offers it."""
    in_force = model.in_force_plans()
    wanted = set(plan_ids) if plan_ids else None
    blocks: list[PlanBlock] = []
    skipped: list[tuple[str, str]] = []
    for plan in in_force:
        if wanted is not None and plan.id not in wanted:
            continue
        comps = paying(plan)
        if not comps:
            skipped.append((plan.id, "it has no paying component"))
            continue
        variables = tuple(Variable(plan.id, c, c.weight, dict(model.component_map(c)),
                                   legacy_upper(model.component_map(c).get(LEGACY, 0.0), limits.legacy_warn))
                          for c in comps)
        blocks.append(PlanBlock(plan, model.target_pay(plan.id), variables))
    changing = {b.plan.id for b in blocks}
    objectives: list[Objective] = []
    priorities = model.strategy_priorities()
    if per_function:
        contributors = sorted({f for p in priorities for f in p.contributors})
        for fid in contributors:
            plans = model.function_plans(fid)
            if fid not in model.functions or not plans:
                continue
            mine = tuple(p for p in priorities if fid in p.contributors)
            objective = _objective(model, f"function '{fid}'", plans, mine, changing, {b.plan.id: b.pay for b in blocks})
            if objective is not None:
                objectives.append(objective)
    else:
        objective = _objective(model, "overall", in_force, priorities, changing, {b.plan.id: b.pay for b in blocks})
        if objective is not None:
            objectives.append(objective)
    if new_measures:
        blocks = _with_candidates(model, blocks, objectives, limits)
    buckets = sorted({k for o in objectives for k in (*o.fixed, *o.pi)} |
                     {k for b in blocks for v in b.variables for k in v.buckets})
    return Problem(tuple(blocks), tuple(objectives), limits, tuple(skipped), tuple(buckets))


def under_weighted(problem_blocks: Sequence[PlanBlock], objective: Objective) -> dict[str, float]:
    """The priorities of one score whose share of pay, with today's weights, is below their weight
    in the strategy: priority -> by how much (a fraction of the score's pay)."""
    amounts = dict(objective.fixed)
    for b in problem_blocks:
        if b.plan.id in objective.plans:
            for v in b.variables:
                for k, f in v.buckets.items():
                    amounts[k] = amounts.get(k, 0.0) + b.pay * v.current / 100 * f
    total = sum(amounts.values())
    if total <= 0:
        return {}
    return {k: pi - amounts.get(k, 0.0) / total for k, pi in objective.pi.items()
            if pi - amounts.get(k, 0.0) / total > 1e-12}


def _with_candidates(model: Model, blocks: list[PlanBlock], objectives: Sequence[Objective],
                     limits: Limits) -> list[PlanBlock]:
    """Each block with a variable per candidate new component (weight 0 now, ``added``)."""
    under = [(o.plans, under_weighted(blocks, o)) for o in objectives]
    out = []
    for b in blocks:
        mine: dict[str, float] = {}
        for plans, gaps in under:
            if b.plan.id in plans:
                for k, gap in gaps.items():
                    mine[k] = max(mine.get(k, 0.0), gap)
        extra = []
        for cand in candidates(model, b.plan, mine):
            flows = dict(model.component_map(cand.component))
            extra.append(Variable(b.plan.id, cand.component, 0.0, flows,
                                  legacy_upper(flows.get(LEGACY, 0.0), limits.legacy_warn), added=True))
        out.append(PlanBlock(b.plan, b.pay, (*b.variables, *extra)) if extra else b)
    return out


def _objective(model: Model, name: str, plans: Sequence[Plan], priorities: Sequence[object],
               changing: set[str], pay: Mapping[str, float]) -> Objective | None:
    weight_total = sum(p.weight for p in priorities)  # type: ignore[attr-defined]
    if not priorities or weight_total <= 0:
        return None
    fixed: dict[str, float] = {}
    total = 0.0
    for plan in plans:
        if plan.id in changing:
            total += pay[plan.id]
            continue
        for k, v in model.plan_share(plan).amounts.items():
            fixed[k] = fixed.get(k, 0.0) + v
            total += v
    if total <= 0:
        return None
    pi = {p.id: p.weight / weight_total for p in priorities}  # type: ignore[attr-defined]
    return Objective(name, frozenset(p.id for p in plans), fixed, pi, total)


def evaluate(problem: Problem, weights: Mapping[tuple[str, str], float]) -> list[float]:
    """Each objective's D for the given weights ((plan, component) -> percent; variables not
    given keep their current weight), computed directly (the exhaustive check in the tests and
    the before/after of the solver use it)."""
    out = []
    for o in problem.objectives:
        amounts = dict(o.fixed)
        for b in problem.blocks:
            if b.plan.id not in o.plans:
                continue
            for v in b.variables:
                w = weights.get((v.plan, v.component.id), v.current)
                for k, f in v.buckets.items():
                    amounts[k] = amounts.get(k, 0.0) + b.pay * w / 100 * f
        total = sum(amounts.values())
        if total <= 0:
            out.append(0.0)
            continue
        keys = set(amounts) | set(o.pi)
        out.append(0.5 * sum(abs(amounts.get(k, 0.0) / total - o.pi.get(k, 0.0)) for k in keys))
    return out
