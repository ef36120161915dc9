"""The optimisation behind ``propose``, as plain data: which weights may move, within which
limits, and how the divergence score D depends on them.

Everything is read from the model's own facts (``target_pay``, ``component_map``,
``plan_share``, ``function_plans``, the strategy's priority weights), so that D computed here
for the current weights is the D the report and ``incentive-strategy-divergence`` show; a test
holds the two equal. The solver (``solver.py``) turns this into a mixed-integer programme.

Besides the designer's limits (whole percents, minimum weight, maximum measures, legacy tier),
the problem carries the limits that keep the change from creating a finding, each from the
effective options of the rule it follows: the divergence tiers of every score the divergence
rule judges (``Guard``), the gameable measure's weight and the MBO share per plan, and the
executive scorecard across plans (``Mix``).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from incentive_lint.checks.engagement import executive_packages
from incentive_lint.model.core import Model
from incentive_lint.model.entities import LEGACY, Plan
from incentive_lint.propose.candidates import candidates
from incentive_lint.propose.plan_limits import (Limits, Variable, can_meet, gameable_upper, legacy_upper, subjective,
                                                subjective_cap)


@dataclass(frozen=True)
class PlanBlock:
    """The variables of one plan and its target pay in the reporting currency."""

    plan: Plan
    pay: float
    variables: tuple[Variable, ...]
    #: discretionary-only-link: the most weight its MBO/discretionary components may carry
    #: together (None: the rule is off, the plan has none, or it is over the limit now)
    subjective_cap: int | None = None


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
class Mix:
    """A limit across plans that keeps a finding from arising: ``lower <= sum of coefficient x
    weight <= upper`` (weights in percent), and of the ``keep`` components at least one stays."""

    #: the rule it keeps quiet and what about, for the reader
    rule: str
    name: str
    terms: tuple[tuple[str, str, float], ...] = ()
    lower: float = -math.inf
    upper: float = math.inf
    keep: tuple[tuple[str, str], ...] = ()

    @property
    def plans(self) -> frozenset[str]:
        return frozenset(p for p, _, _ in self.terms) | frozenset(p for p, _ in self.keep)

    def met(self, weights: Mapping[tuple[str, str], float]) -> bool:
        total = sum(a * weights.get((p, c), 0.0) for p, c, a in self.terms)
        kept = not self.keep or any(weights.get(k, 0.0) > 0 for k in self.keep)
        return self.lower - 1e-9 <= total <= self.upper + 1e-9 and kept


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
    #: plans no weighting lets meet a limit that only keeps a finding from arising (the gameable
    #: measure's or the MBO share's), with that limit's name: it is lifted for them
    lifted: tuple[tuple[str, str], ...] = ()
    #: limits across plans (the executive scorecard), held like the tiers
    mixes: tuple[Mix, ...] = ()

    def variables(self) -> list[Variable]:
        return [v for b in self.blocks for v in b.variables]


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
        comps = plan.paying
        if not comps:
            skipped.append((plan.id, "it has no paying component"))
            continue
        variables = tuple(Variable(plan.id, c, c.weight, dict(model.component_map(c)),
                                   legacy_upper(model.component_map(c).get(LEGACY, 0.0), limits.legacy_warn),
                                   held=not model.component_map(c),
                                   gameable_upper=gameable_upper(model, plan, c, limits),
                                   subjective=subjective(plan, c, limits))
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
    blocks, lifted = _design_limits(blocks, limits)
    buckets = sorted({k for o in objectives for k in (*o.fixed, *o.pi)} |
                     {k for g in guards for k in (*g.score.fixed, *g.score.pi)} |
                     {k for b in blocks for v in b.variables for k in v.buckets})
    return Problem(tuple(blocks), tuple(objectives), limits, tuple(skipped), tuple(buckets), tuple(guards),
                   tuple(lifted), tuple(_scorecards(model, blocks, limits)))


#: how far (in points of pay) inside a scorecard limit the shares are held: well clear of the
#: solver's tolerance (1e-7 on a row; a limit closer than that to a whole weight is one HiGHS
#: cannot tell apart from it), and no visible cost
SHARE_MARGIN = 1e-4


def _scorecards(model: Model, blocks: Sequence[PlanBlock], limits: Limits) -> list[Mix]:
    """Executive pay packages leadership-scorecard-misaligned does not report now, kept so. The
    rule judges each executive role's pay across its plans (weighted by target pay): it reports a
    package when less than ``max_to`` % is on the strategy's to-drivers and either ``min_eff`` % or
    more is on internal efficiency or a top priority is on none of its plans. The executive plans
    count in no function's score, so the least overall D would use them to balance the others.
    Per role: a to-driver share at the limit or above stays there; one below it keeps internal
    efficiency below ``min_eff`` and a measure of each top priority."""
    strategy = model.strategy
    if limits.scorecard is None or strategy is None or not strategy.to_drivers:
        return []
    max_to, min_eff, eff_drivers = limits.scorecard
    to_drivers, efficiency = set(strategy.to_drivers), set(eff_drivers)
    ranked = sorted(strategy.priorities, key=lambda p: (-p.weight, p.id))
    top = [p.id for p in ranked if p.weight == ranked[0].weight]
    mine = {b.plan.id: b.variables for b in blocks}
    out: list[Mix] = []
    for package in executive_packages(model):
        plans = [p for p in package.plans if sum(c.weight for c in p.paying) > 0]
        if not plans or not any(p.id in mine for p in plans):
            continue
        rule, name = "leadership-scorecard-misaligned", f"the executive pay of '{package.label()}'"

        def share(role: str, drivers: set[str]) -> tuple[float, list[tuple[str, str, float]], float]:
            """The role's share of pay on ``drivers`` now (percent), the terms of the changing
            plans' new weights (which add up to 100) and the part the other plans carry."""
            now, fixed, terms = 0.0, 0.0, []
            for p in plans:
                fraction = package.shares[role].get(p.id, 0.0)
                part = 100 * fraction * sum(c.weight for c in p.paying if set(model.component_drivers(c)) & drivers) / \
                    sum(c.weight for c in p.paying)
                now += part
                if p.id in mine:  # new measures (--allow-new-measures) count as the rule would count them
                    terms += [(p.id, v.component.id, fraction) for v in mine[p.id]
                              if set(model.component_drivers(v.component)) & drivers]
                else:
                    fixed += part
            return now, terms, fixed

        mapped = {k for p in plans for c in p.paying for k, f in model.component_map(c).items() if f > 0}
        rows: list[Mix] = []
        for role in package.roles:
            to_now, to_terms, to_fixed = share(role, to_drivers)
            eff_now, eff_terms, eff_fixed = share(role, efficiency)
            if to_now < max_to and (eff_now >= min_eff or any(t not in mapped for t in top)):
                rows = []
                break  # reported now: that finding is there before the change
            if to_now >= max_to:
                rows.append(Mix(rule, name, tuple(to_terms), lower=max_to - to_fixed + SHARE_MARGIN))
                continue
            rows.append(Mix(rule, name, tuple(eff_terms), upper=min_eff - eff_fixed - SHARE_MARGIN))
            for t in top:
                if any(model.component_map(c).get(t, 0.0) > 0 for p in plans if p.id not in mine for c in p.paying):
                    continue  # a plan that does not change keeps it on the package
                keep = tuple((v.plan, v.component.id) for p in plans if p.id in mine
                             for v in mine[p.id] if v.buckets.get(t, 0.0) > 0)
                if keep:
                    rows.append(Mix(rule, name, keep=keep))
        for row in rows:
            if row not in out:
                out.append(row)
    return out


def _design_limits(blocks: Sequence[PlanBlock], limits: Limits) -> tuple[list[PlanBlock], list[tuple[str, str]]]:
    """Each block with its MBO-share cap; where the gameable measure's limit or that cap leave a
    plan no weighting that meets its other limits (its legacy measure must go, and what is left is
    one gameable measure, say), they are lifted for that plan and named: the finding they would
    have kept away is then one the change creates, and the re-lint lists it."""
    out: list[PlanBlock] = []
    lifted: list[tuple[str, str]] = []
    for b in blocks:
        cap = subjective_cap(b.variables, limits)
        gameable = any(v.gameable_upper < 100 for v in b.variables)
        if (cap is not None or gameable) and not can_meet(b.variables, limits, cap):
            if gameable and can_meet(b.variables, limits, cap, gameable=False):
                lifted.append((b.plan.id, "gameable"))
                b = dataclasses.replace(b, variables=tuple(dataclasses.replace(v, gameable_upper=100) for v in b.variables))
            elif cap is not None and can_meet(b.variables, limits, None):
                lifted.append((b.plan.id, "subjective"))
                cap = None
            else:  # both; or the plan's other limits leave no weighting anyway, and the solver names which
                if can_meet(b.variables, limits, None, gameable=False):
                    lifted += [(b.plan.id, name) for name, on in (("gameable", gameable), ("subjective", cap is not None))
                               if on]
                b = dataclasses.replace(b, variables=tuple(dataclasses.replace(v, gameable_upper=100) for v in b.variables))
                cap = None
        out.append(dataclasses.replace(b, subjective_cap=cap) if cap is not None else b)
    return out, lifted


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
    keys = sorted(set(amounts) | set(o.pi))  # a fixed order of summing, as Model.divergence
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
                                  legacy_upper(flows.get(LEGACY, 0.0), limits.legacy_warn), added=True,
                                  gameable_upper=gameable_upper(model, b.plan, cand.component, limits),
                                  subjective=subjective(b.plan, cand.component, limits)))
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
