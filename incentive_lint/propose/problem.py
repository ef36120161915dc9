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
    #: incentive-strategy-divergence: the warning and error tiers of D (None: the rule is off)
    divergence_warn: float | None = 0.25
    divergence_error: float | None = 0.50
    #: incentive-strategy-divergence judges each contributing function's D too (``per_function``)
    divergence_per_function: bool = True


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
class Guard:
    """A divergence score that ``incentive-strategy-divergence`` judges and the change must not
    push into a higher tier: D stays at or below ``limit`` (just under the tier above ``current``)."""

    score: Objective
    current: float
    limit: float
    #: the tier it stays below, as the rule names it: "warning" or "error"
    tier: str
    #: that tier's threshold (``divergence_warn`` or ``divergence_error``)
    threshold: float


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs, and what the proposal is compared against."""

    blocks: tuple[PlanBlock, ...]
    objectives: tuple[Objective, ...]
    limits: Limits
    #: plans asked for that cannot take part, with the reason (no paying component, ...)
    skipped: tuple[tuple[str, str], ...] = ()
    buckets: tuple[str, ...] = field(default=())
    #: the scores whose tier the change must not raise (overall, and per contributing function)
    guards: tuple[Guard, ...] = ()

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
                                   legacy_upper(model.component_map(c).get(LEGACY, 0.0), limits.legacy_warn),
                                   held=not model.component_map(c))
                          for c in comps)
        held = sum(v.current for v in variables if v.held)
        if all(v.held for v in variables) or held != int(held):
            skipped.append((plan.id, "its measures pay on KPIs that are not in the catalog" if held == int(held) else
                            f"its measures on KPIs that are not in the catalog weigh {held:g}%, and whole percents "
                            "cannot make up the rest to 100"))
            continue
        blocks.append(PlanBlock(plan, model.target_pay(plan.id), variables))
    changing = {b.plan.id for b in blocks}
    # the pay the scores see: without the part on KPIs not in the catalog, which stays as it is
    pay = {b.plan.id: b.pay * (1 - sum(v.current for v in b.variables if v.held) / 100) for b in blocks}
    overall, functions = _scores(model, in_force, changing, pay)
    objectives = [o for o in functions if o is not None] if per_function else [o for o in (overall,) if o is not None]
    guards = _guards(blocks, overall, functions, limits)
    if new_measures:
        blocks = _with_candidates(model, blocks, objectives, limits)
    buckets = sorted({k for o in objectives for k in (*o.fixed, *o.pi)} |
                     {k for g in guards for k in (*g.score.fixed, *g.score.pi)} |
                     {k for b in blocks for v in b.variables for k in v.buckets})
    return Problem(tuple(blocks), tuple(objectives), limits, tuple(skipped), tuple(buckets), tuple(guards))


def _scores(model: Model, in_force: Sequence[Plan], changing: set[str],
            pay: Mapping[str, float]) -> tuple[Objective | None, list[Objective]]:
    """The overall score and each contributing function's (its non-executive plans against the
    priorities it contributes to), as ``incentive-strategy-divergence`` computes them."""
    priorities = model.strategy_priorities()
    overall = _objective(model, "overall", in_force, priorities, changing, pay)
    functions: list[Objective] = []
    for fid in sorted({f for p in priorities for f in p.contributors}):
        plans = model.function_plans(fid)
        if fid not in model.functions or not plans:
            continue
        mine = tuple(p for p in priorities if fid in p.contributors)
        objective = _objective(model, f"function '{fid}'", plans, mine, changing, pay)
        if objective is not None:
            functions.append(objective)
    return overall, functions


#: how far under a tier a guarded score is held: the rule's own tolerance (1e-9) and the solver's
#: (1e-7 on a row) are far smaller; this keeps the score, shown to three decimals, under the tier too
TIER_MARGIN = 6e-4


def _guards(blocks: Sequence[PlanBlock], overall: Objective | None, functions: Sequence[Objective],
            limits: Limits) -> list[Guard]:
    """For each score the divergence rule judges (overall; per function unless its
    ``per_function`` is off) that the change can move: stay in the tier it is in now. A score
    already in the error tier has no tier above it to guard."""
    warn, error = limits.divergence_warn, limits.divergence_error
    if warn is None or error is None:
        return []
    tiers = sorted([(warn, "warning"), (error, "error")])
    changing = {b.plan.id for b in blocks}
    out = []
    for score in [*([overall] if overall is not None else []), *(functions if limits.divergence_per_function else [])]:
        if not score.plans & changing:
            continue  # no plan of it changes: its D cannot move
        now = score_of(score, blocks, {})
        for threshold, tier in tiers:
            if now < threshold - 1e-9:  # below this tier now (the rule's own test, rules.md 3.4)
                out.append(Guard(score, now, max(now, threshold - TIER_MARGIN), tier, threshold))
                break
    return out


def score_of(o: Objective, blocks: Sequence[PlanBlock], weights: Mapping[tuple[str, str], float]) -> float:
    """One score's D for the given weights ((plan, component) -> percent; variables not given
    keep their current weight), computed directly."""
    amounts = dict(o.fixed)
    for b in blocks:
        if b.plan.id not in o.plans:
            continue
        for v in b.variables:
            w = weights.get((v.plan, v.component.id), v.current)
            for k, f in v.buckets.items():
                amounts[k] = amounts.get(k, 0.0) + b.pay * w / 100 * f
    total = sum(amounts.values())
    if total <= 0:
        return 0.0
    keys = set(amounts) | set(o.pi)
    return 0.5 * sum(abs(amounts.get(k, 0.0) / total - o.pi.get(k, 0.0)) for k in keys)


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
    return [score_of(o, problem.blocks, weights) for o in problem.objectives]
