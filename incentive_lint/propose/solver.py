"""The proposal as a mixed-integer programme, solved by HiGHS through ``scipy.optimize.milp``.

Per paying component i: its whole-percent weight w_i, whether it is kept (z_i, 0/1) and how far
it moves (d_i >= |w_i - current_i|). Per divergence score and bucket k: e_k >= |q_k - pi_k|, so
that D = 1/2 sum e_k is linear. Two solves: the least D, then, holding D there, the least total
movement (the smallest change that reaches the best score). Every score the divergence rule
judges (overall and per function) is also held in the tier it is in now, 1/2 sum e_k <= limit
(``problem.Guard``), so that lowering one score never makes another a new finding. Plans share
only the scores, so when there is no solution either one plan's own limits are to blame
(``diagnose`` finds which) or those tiers are: then the tiers become targets, missed as little as
the limits allow, and the proposal says which score rises (the re-lint withholds a new error).

A large problem (``SETTLE`` columns or more) is first solved as its continuous relaxation
(``relaxation``): the plans whose answer there is already whole percents within their own limits
keep it, and the programme above is solved for the others only (``_settled``); the relaxation's
D bounds how far from the best the proposal can be.

The rows and columns are built by ``programme``; scipy, an optional dependency
(``incentive-lint[propose]``), is imported there only when a proposal is computed.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

from incentive_lint.base.errors import UsageError
from incentive_lint.propose.problem import Guard, Limits, Mix, Objective, PlanBlock, Problem, score_of
from incentive_lint.propose.programme import (INF, LARGE, MIP_GAP_LARGE, Columns, Rows, bucket_keys, mix_rows,
                                              plan_rows, run_milp, score_rows, weight_columns)
from incentive_lint.propose.relaxation import WHOLE, relax

#: how much worse than the best D the second solve may be (rounding of the first)
D_TOLERANCE = 1e-9
TIME_LIMIT = 60.0
#: on a large repository, the cost of one point moved next to D (which is 0..1): it only breaks ties
MOVE_COST_LARGE = 1e-9
#: from this many columns the exact programme is solved for the plans the relaxation leaves
#: unsettled only (``_settled``)
SETTLE = 5000


@dataclass(frozen=True)
class Solution:
    """New weights ((plan, component) -> whole percent; one on a KPI not in the catalog keeps its
    own) and the scores the solver reached."""

    weights: dict[tuple[str, str], float]
    scores: tuple[float, ...]
    moved: float
    #: plans the transition limit keeps from meeting the designer's limits this year
    transition: tuple[Infeasible, ...] = ()
    #: scores no weighting within the limits keeps in their tier (``constraint`` "divergence")
    tiers: tuple[Infeasible, ...] = ()
    #: not proven the best: how far the least D possible may be below this one (a relative gap),
    #: else None (proven the best, on a large repository within ``MIP_GAP_LARGE``)
    unproven_gap: float | None = None
    #: why not: "time" (the solver stopped at its time limit; the gap is HiGHS's) or "relaxation"
    #: (the plans the relaxation settled; the gap is to its bound, see ``_settled``)
    unproven_reason: str = "time"


@dataclass(frozen=True)
class Infeasible:
    """No weights meet the limits: the plan and the limit that rules every solution out."""

    plan: str
    constraint: str
    detail: str


def parts(problem: Problem) -> list[Problem]:
    """The problem split where it falls apart: plans are linked only by the scores they count in,
    so plans that share no score (the functions of ``--per-function`` whose plans pay no role of
    another function) are independent problems, each solved on its own. The sum of the scores is
    least exactly when each part's is, and so is the movement; a smaller programme is also solved
    much faster (``--per-function`` on the 2,000-file corpus: 16.5 s as one, 1.5 s in parts)."""
    owner: dict[str, int] = {}  # plan -> the first objective it was seen in (union-find below)
    parent = list(range(len(problem.objectives)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    changing = {b.plan.id for b in problem.blocks}
    for i, o in enumerate(problem.objectives):
        for plan in sorted(o.plans & changing):
            if plan in owner:
                parent[root(i)] = root(owner[plan])
            else:
                owner[plan] = i
    groups: dict[int, tuple[list[PlanBlock], list[int]]] = {}
    for i in range(len(problem.objectives)):
        groups.setdefault(root(i), ([], []))[1].append(i)
    alone: list[PlanBlock] = []
    for b in problem.blocks:
        if b.plan.id in owner:
            groups[root(owner[b.plan.id])][0].append(b)
        else:  # in no score: only its own limits and the least movement (one programme for all such)
            alone.append(b)
    kept = [(blocks, mine) for blocks, mine in groups.values() if blocks]
    if alone:
        kept.append((alone, []))
    if len(kept) <= 1:
        return [problem]
    # a score no changing plan counts in is a constant: it rides along with the first part
    kept[0][1].extend(i for blocks, mine in groups.values() if not blocks for i in mine)
    # a guarded score goes with the part that holds all its changing plans; one spanning parts
    # (the overall score under --per-function) is checked on the parts' joint answer (``solve``)
    guards: list[list[Guard]] = [[] for _ in kept]
    mixes: list[list[Mix]] = [[] for _ in kept]
    where = {b.plan.id: n for n, (blocks, _) in enumerate(kept) for b in blocks}
    for g in problem.guards:
        found = {where[plan] for plan in g.score.plans if plan in where}
        if len(found) == 1:
            guards[found.pop()].append(g)
    for m in problem.mixes:
        found = {where[plan] for plan in m.plans if plan in where}
        if len(found) == 1:
            mixes[found.pop()].append(m)
    return [dataclasses.replace(problem, blocks=tuple(blocks), objectives=tuple(problem.objectives[i] for i in sorted(mine)),
                                guards=tuple(mine_guards), mixes=tuple(mine_mixes))
            for (blocks, mine), mine_guards, mine_mixes in zip(kept, guards, mixes)]


def solve(problem: Problem, time_limit: float = TIME_LIMIT) -> Solution | list[Infeasible]:
    """The least-D weights with the smallest total move, or why there are none.

    With a transition limit that keeps a plan from meeting the designer's limits this year,
    those limits become targets: first the weights get as close to them as the limit allows
    (``Solution.short`` says by how much they are still missed), then D, then the move.
    Independent parts (see ``parts``) are solved one by one and put together."""
    if not problem.blocks:
        return Solution({}, (), 0.0)
    pieces = parts(problem)
    if len(pieces) > 1:
        # each part is solved as exactly as the whole problem would have been: a large problem's
        # parts with its optimality gap and tie-break, a small one's exactly
        large = {soft: _columns(problem, soft) > 3 * LARGE for soft in (False, True)}
        combined = _combine(problem, [(piece, _solve_one(piece, time_limit, large)) for piece in pieces])
        inside = {id(g) for piece in pieces for g in (*piece.guards, *piece.mixes)}
        across = [g for g in problem.guards if id(g) not in inside]
        across_mixes = [m for m in problem.mixes if id(m) not in inside]
        if isinstance(combined, Solution) and _missed(across, across_mixes, problem.blocks, combined.weights):
            # the parts' best answers together raise a score they share: one programme after all
            return _solve_one(problem, time_limit)
        return combined
    return _solve_one(problem, time_limit)


def _missed(guards: Sequence[Guard], mixes: Sequence[Mix], blocks: Sequence[PlanBlock],
            weights: dict[tuple[str, str], float]) -> tuple[Infeasible, ...]:
    """The guarded scores the weights push above their limit, each with what it becomes, and the
    limits across plans they miss."""
    out = []
    for m in mixes:
        if not m.met(weights):
            out.append(Infeasible("", "across", f"no weights within the other limits keep {m.rule} from reporting "
                                                f"{m.name}"))
    for g in guards:
        d = score_of(g.score, blocks, weights)
        if d > g.limit + 1e-9:
            out.append(Infeasible("", "divergence",
                                  f"no weights within the other limits keep the D of {g.score.name} below the {g.tier} "
                                  f"tier of incentive-strategy-divergence ({g.threshold:g}); this proposal takes it "
                                  f"from {g.current:.3f} to {d:.3f}"))
    return tuple(out)


def _columns(problem: Problem, soft: bool) -> int:
    """How many columns ``_solve`` makes for ``problem`` (what decides between exact and gap)."""
    limits = problem.limits
    n = 0
    for b in problem.blocks:
        for v in b.variables:
            n += 3 + (soft and not v.held and limits.min_weight is not None and limits.min_weight > 1.0) + \
                (soft and not v.held and v.upper < 100)
        n += soft and limits.max_measures is not None
    scores = {id(o): o for o in (*problem.objectives, *(g.score for g in problem.guards))}
    for o in scores.values():
        n += len(bucket_keys(o, problem.blocks))
    return n


def _combine(problem: Problem, solved: list[tuple[Problem, Solution | list[Infeasible]]]) -> Solution | list[Infeasible]:
    """One solution (scores in the order of ``problem.objectives``) from the parts' solutions; or,
    when a part has none, every plan's reason in plan order, as one programme would give them
    (a part held back only by the transition limit names its plans too)."""
    if any(isinstance(found, list) for _, found in solved):
        order = {b.plan.id: n for n, b in enumerate(problem.blocks)}
        reasons = [i for _, found in solved for i in (found if isinstance(found, list) else found.transition)]
        return sorted(reasons, key=lambda i: order.get(i.plan, len(order)))
    weights: dict[tuple[str, str], float] = {}
    score: dict[int, float] = {}
    moved = 0.0
    transition: list[Infeasible] = []
    tiers: list[Infeasible] = []
    index = {id(o): n for n, o in enumerate(problem.objectives)}
    for piece, found in solved:
        assert not isinstance(found, list)
        weights.update(found.weights)
        moved += found.moved
        transition += found.transition
        tiers += found.tiers
        for o, value in zip(piece.objectives, found.scores):
            score[index[id(o)]] = value
    unproven = [found for _, found in solved if not isinstance(found, list) and found.unproven_gap is not None]
    return Solution(weights, tuple(score[n] for n in range(len(problem.objectives))), moved, tuple(transition),
                    tuple(tiers), max((f.unproven_gap or 0.0 for f in unproven), default=None),
                    "time" if any(f.unproven_reason == "time" for f in unproven) else "relaxation")


def _solve_one(problem: Problem, time_limit: float,
               large: dict[bool, bool] | None = None) -> Solution | list[Infeasible]:
    if _columns(problem, False) > SETTLE:
        settled = _settled(problem, time_limit)
        if settled is not None:
            return settled
    found = _solve(problem, time_limit, soft=False, large=None if large is None else large[False])
    if not isinstance(found, list):
        return found
    if problem.limits.max_change is not None and found and all(i.constraint == "max_change" for i in found):
        # today's weights meet every tier, so with the designer's limits as targets there is an answer
        soft = _solve(problem, time_limit, soft=True, large=None if large is None else large[True])
        if not isinstance(soft, list):
            return dataclasses.replace(soft, transition=tuple(found))
    if not found and (problem.guards or problem.mixes):
        # every plan's own limits can be met, only not with every score in its tier: miss the
        # tiers as little as possible, and say which scores rise
        soft = _solve(problem, time_limit, soft=False, large=None if large is None else large[False], soft_tiers=True)
        if not isinstance(soft, list):
            return dataclasses.replace(soft, tiers=_missed(problem.guards, problem.mixes, problem.blocks, soft.weights))
    return found


def _settled(problem: Problem, time_limit: float) -> Solution | list[Infeasible] | None:
    """A large problem solved in two steps: the relaxation (``relaxation``), which settles every
    plan whose fractional answer is already a whole-percent weighting within its own limits, then
    the exact programme for the other plans, with the settled plans' pay as fixed amounts; or the
    plans whose own limits leave no weighting. None when the relaxation has no answer, or the rest
    none with no plan to blame (the whole programme is then solved, or says why there is none)."""
    relaxed = relax(problem, time_limit)
    if relaxed is None and problem.limits.max_change is not None:
        # some plans cannot meet the legacy tier within the transition limit: it becomes a target
        relaxed = relax(problem, time_limit, soft=True)
    if relaxed is None:
        return None
    in_mix = {plan for m in problem.mixes for plan in m.plans}
    settled = {b.plan.id: whole for b in problem.blocks
               if b.plan.id not in in_mix and (whole := _whole(b, relaxed.weights, problem.limits)) is not None}
    if not settled:
        return None
    rest = _without(problem, settled)
    # the plans left over as any problem: a transition limit or a tier they cannot hold is handled
    # for them alone (the settled plans meet every limit), and a plan whose own limits leave no
    # weighting is named as the whole problem would name it (``diagnose`` looks at each plan alone)
    found = _solve_one(rest, time_limit) if rest.blocks else Solution({}, tuple(
        score_of(o, (), {}) for o in rest.objectives), 0.0)
    if isinstance(found, list):
        return found or None  # no plan to blame: the whole programme says what binds
    weights = dict(found.weights)
    moved = found.moved
    for b in problem.blocks:
        if b.plan.id in settled:
            for v in b.variables:
                weights[(v.plan, v.component.id)] = settled[b.plan.id][v.component.id]
                moved += abs(settled[b.plan.id][v.component.id] - v.current)
    gap = (sum(found.scores) - relaxed.bound) / sum(found.scores) if sum(found.scores) > 0 else 0.0
    if found.unproven_gap is None and gap > MIP_GAP_LARGE:
        found = dataclasses.replace(found, unproven_gap=gap, unproven_reason="relaxation")
    return dataclasses.replace(found, weights=weights, moved=moved)


def _whole(block: PlanBlock, weights: dict[tuple[str, str], float], limits: Limits) -> dict[str, float] | None:
    """The plan's relaxed weights, if they are whole percents that meet its own limits (each kept
    measure at least the minimum and within the legacy tier, no more measures than the maximum);
    else None."""
    out: dict[str, float] = {}
    for v in block.variables:
        w = v.current if v.held else weights[(v.plan, v.component.id)]
        if abs(w - round(w)) > WHOLE:
            return None
        out[v.component.id] = float(round(w))
        if not v.held and out[v.component.id] > min(v.upper, v.gameable_upper):
            return None  # over the legacy tier (a relaxation with the tier as a target)
    kept = [v for v in block.variables if out[v.component.id] > 0]
    if limits.max_measures is not None and len(kept) > limits.max_measures:
        return None
    if limits.min_weight is not None and any(out[v.component.id] < limits.min_weight for v in kept if not v.held):
        return None
    return out


def _without(problem: Problem, settled: dict[str, dict[str, float]]) -> Problem:
    """The problem for the plans not ``settled``: the settled plans' pay, at their settled weights,
    joins each score's fixed amounts (a score keeps its name, plans and total)."""
    amounts: dict[str, dict[str, float]] = {}
    for b in problem.blocks:
        if b.plan.id in settled:
            mine = amounts[b.plan.id] = {}
            for v in b.variables:
                for k, f in v.buckets.items():
                    mine[k] = mine.get(k, 0.0) + b.pay * settled[b.plan.id][v.component.id] / 100 * f
    new: dict[int, Objective] = {}

    def with_settled(o: Objective) -> Objective:
        if id(o) not in new:
            fixed = dict(o.fixed)
            for plan in sorted(o.plans & amounts.keys()):
                for k, a in amounts[plan].items():
                    fixed[k] = fixed.get(k, 0.0) + a
            new[id(o)] = dataclasses.replace(o, fixed=fixed)
        return new[id(o)]

    return dataclasses.replace(problem, blocks=tuple(b for b in problem.blocks if b.plan.id not in settled),
                               objectives=tuple(with_settled(o) for o in problem.objectives),
                               guards=tuple(dataclasses.replace(g, score=with_settled(g.score))
                                            for g in problem.guards))


def _solve(problem: Problem, time_limit: float, soft: bool, large: bool | None = None,
           soft_tiers: bool = False) -> Solution | list[Infeasible]:
    """One programme; ``large``: solve it as a large one (gap, tie-break) or exactly (default: by
    its own size); ``soft_tiers``: the guarded scores may leave their tier, by slack minimised first."""
    rows = Rows()
    cols = Columns()
    plan_cols = {b.plan.id: plan_rows(rows, cols, b, problem.limits, soft=soft) for b in problem.blocks}
    weight = weight_columns(problem.blocks, plan_cols)
    e_cols: list[int] = []
    groups: list[list[int]] = []
    of_score: dict[int, list[int]] = {}
    for o in problem.objectives:
        mine = of_score[id(o)] = score_rows(rows, cols, o, problem.blocks, weight)
        e_cols += mine
        groups.append(mine)
    tier_slack: list[int] = []
    changing = {b.plan.id for b in problem.blocks}
    for g in problem.guards:
        if not g.score.plans & changing:
            continue  # a constant here
        known = of_score.get(id(g.score))
        # a score that is not minimised gets columns of its own (a minimised one shares them)
        mine = known if known is not None else score_rows(rows, cols, g.score, problem.blocks, weight)
        of_score[id(g.score)] = mine
        if soft_tiers:
            s = cols.new()
            tier_slack.append(s)
            rows.add([*[(e, 0.5) for e in mine], (s, -1.0)], -INF, g.limit)
        else:
            rows.add([(e, 0.5) for e in mine], -INF, g.limit)
    if problem.mixes:
        tier_slack += mix_rows(rows, cols, problem, plan_cols, soft_tiers)
    slack = [s for pc in plan_cols.values() for s in pc.slack] + tier_slack
    moves = [d for pc in plan_cols.values() for d in pc.d]
    # lexicographic: limits missed (soft only), then D = 1/2 sum e, then the points moved. On a
    # large repository the last two are one pass, D plus a tie-breaking cost per point moved
    # (holding D exactly while minimising movement took HiGHS 20x longer than finding D).
    stages: list[tuple[list[int], float]] = [(slack, 1.0)] if slack else []
    if large is None:
        large = len(cols.lower) > 3 * LARGE
    stages += [(e_cols, 0.5)] if large else [(e_cols, 0.5), (moves, 1.0)]
    result = good = None
    unproven: float | None = None
    for i, (stage, scale) in enumerate(stages):
        cost = {c: scale for c in stage}
        if large and stage is e_cols:
            cost.update({d: MOVE_COST_LARGE for d in moves})
        result = run_milp(cols, rows, cost, time_limit, large)
        if result.x is None:
            if i == 0 and result.status == 2:
                return diagnose(problem)
            if i == 0:
                raise UsageError(f"the solver stopped without a proposal ({result.message}); "
                                 "try fewer plans with --plan.")
            break  # a later pass out of time: keep the earlier pass's weights
        good = result
        if result.status == 1:  # the time limit: the best found, not proven the best
            gap = getattr(result, "mip_gap", None)
            unproven = max(unproven or 0.0, float(gap) if gap is not None else 1.0)
        if i < len(stages) - 1 and stage:  # hold this stage's optimum while the next one is minimised
            best = float(result.fun)
            rows.add([(c, scale) for c in stage], -INF, best + D_TOLERANCE + 1e-9 * abs(best))
    assert good is not None and good.x is not None
    x = good.x
    weights = {(b.plan.id, v.component.id): v.current if v.held else int(round(x[plan_cols[b.plan.id].w[j]]))
               for b in problem.blocks for j, v in enumerate(b.variables)}
    scores = tuple(0.5 * sum(float(x[e]) for e in mine) for mine in groups)
    moved = sum(abs(weights[(v.plan, v.component.id)] - v.current) for b in problem.blocks for v in b.variables)
    return Solution(weights, scores, moved, unproven_gap=unproven)


#: the limits a plan designer sets, as they are named to the user, in the order they are relaxed
LIMIT_NAMES = {
    "legacy": "the legacy tier of pays-on-deprioritized-driver (legacy_weight_warn)",
    "min_weight": "the minimum weight of measure-weight-too-small (min_measure_weight)",
    "max_measures": "the maximum of too-many-measures (max_measures)",
    "gameable": "the dominance weight of high-powered-single-measure (min_weight) on a gameable measure",
    "subjective": "the MBO/discretionary share of discretionary-only-link (max_subjective_weight)",
    "max_change": "the transition limit (--max-change)",
}


def _feasible(block: PlanBlock, limits: Limits, relax: frozenset[str]) -> float | None:
    """The least total move that meets one plan's limits (all but ``relax``), None if none does."""
    rows = Rows()
    cols = Columns()
    pc = plan_rows(rows, cols, block, limits, relax)
    res = run_milp(cols, rows, {d: 1.0 for d in pc.d}, TIME_LIMIT)
    return float(res.fun) if res.status == 0 else None


def diagnose(problem: Problem) -> list[Infeasible]:
    """For each plan whose own limits leave no weights, the limit that binds: the first one
    (in ``LIMIT_NAMES`` order, transition limit first) whose relaxation alone gives a solution."""
    found: list[Infeasible] = []
    limits = problem.limits
    for block in problem.blocks:
        if _feasible(block, limits, frozenset()) is not None:
            continue
        needed = _feasible(block, limits, frozenset({"max_change"}))
        if needed is not None:
            found.append(Infeasible(block.plan.id, "max_change",
                                    f"meeting the other limits moves its weights by at least {needed:g} points in total, "
                                    f"more than --max-change {limits.max_change:g}"))
            continue
        culprits = [name for name in ("legacy", "min_weight", "max_measures", "gameable", "subjective")
                    if _feasible(block, limits, frozenset({name, "max_change"})) is not None]
        legacy = [v.component.id for v in block.variables if v.upper < 100]
        if culprits:
            detail = " or ".join(LIMIT_NAMES[n] for n in culprits)
            if "legacy" in culprits and legacy:
                detail += f"; components on legacy KPIs: {', '.join(legacy)}"
            found.append(Infeasible(block.plan.id, culprits[0], f"no weights meet {detail} together with the others"))
        else:
            found.append(Infeasible(block.plan.id, "several",
                                    "no weights meet the limits even with any one of them relaxed"))
    return found
