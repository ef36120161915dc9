"""The continuous relaxation of the proposal's programme, for a large repository: weights may be
fractions and a measure may weigh less than the minimum. It is a linear programme with two
columns per measure (the points it gains and loses) and one row per plan, a tenth of the
mixed-integer programme's size, and HiGHS solves it in a fraction of the time.

It is used twice by ``solver``:

- its least D is a bound: no whole-percent weighting within the limits has a lower D, so it says
  how far from the best possible the proposal can be;
- at its solution nearly every plan already has whole-percent weights that meet its own limits
  (a solution at a vertex has few plans that are not whole: about one per row across plans).
  ``solver`` keeps those plans' weights and solves the mixed-integer programme for the others.

Solved in two passes, as the exact programme: the least D, then, holding D there, the fewest
points moved, so the plans it settles move as little as the score allows.
"""
from __future__ import annotations

from dataclasses import dataclass

from incentive_lint.propose.problem import PlanBlock, Problem
from incentive_lint.propose.programme import INF, Columns, Expr, Rows, run_milp, score_rows

#: a weight closer than this to a whole percent is that whole percent (HiGHS's feasibility
#: tolerance is 1e-7)
WHOLE = 1e-6


@dataclass(frozen=True)
class Relaxed:
    """The relaxation's answer: each measure's weight, a fraction (``(plan, component)`` ->
    percent), and the least D it reaches (the sum over ``problem.objectives``)."""

    weights: dict[tuple[str, str], float]
    bound: float


def _weights(block: PlanBlock, cols: Columns, rows: Rows, min_weight: float | None,
             max_measures: int | None, soft: bool = False, slack: list[int] | None = None) -> list[Expr]:
    """One plan's weights as expressions of its gain and loss columns (the current weight plus
    gain minus loss), with the plan's own limits relaxed: weights add to 100, stay within the
    legacy tier and the gameable measure's limit, the MBO share within its cap and, where the
    plan has more measures than it may keep, the kept fraction of each (weight over its
    upper bound) within the maximum. ``soft`` (a transition limit some plans cannot meet): the
    legacy tier may be missed, by a column appended to ``slack``, and the maximum is left out, as
    the exact programme makes them targets."""
    floor = max(min_weight or 0.0, 1.0)
    out: list[Expr] = []
    kept_held = 0
    over: list[tuple[int, int, float, float]] = []  # gain, loss, upper, weight now of those that may be kept
    for v in block.variables:
        if v.held:
            out.append((v.current, []))
            kept_held += v.current > 0
            continue
        upper = float(v.gameable_upper if soft else min(v.upper, v.gameable_upper))
        if upper < floor:  # it cannot be kept: removed
            out.append((0.0, []))
            continue
        gain = cols.new(0.0, max(0.0, upper - v.current))
        loss = cols.new(max(0.0, v.current - upper), v.current)
        out.append((v.current, [(gain, 1.0), (loss, -1.0)]))
        over.append((gain, loss, upper, v.current))
        if soft and slack is not None and v.upper < upper:  # the legacy tier, or by how much it is missed
            slack.append(cols.new())
            rows.add([(gain, 1.0), (loss, -1.0), (slack[-1], -1.0)], -INF, v.upper - v.current)
    constant = sum(c for c, _ in out)
    rows.add([t for _, terms in out for t in terms], 100.0 - constant, 100.0 - constant)
    if max_measures is not None and not soft and kept_held + len(over) > max_measures:
        # kept_i >= w_i / upper_i in the exact programme: the kept count bounds the sum of those
        rows.add([term for g, lo, u, _ in over for term in ((g, 1.0 / u), (lo, -1.0 / u))],
                 -INF, max_measures - kept_held - sum(now / u for _, _, u, now in over))
    if block.subjective_cap is not None:
        mine = [out[j] for j, v in enumerate(block.variables) if v.subjective]
        rows.add([t for _, terms in mine for t in terms], -INF, block.subjective_cap - sum(c for c, _ in mine))
    return out


def _moved(expr: Expr, current: float) -> tuple[float, list[int]]:
    """The points a measure moves: its gain and loss columns (or, removed, its weight now)."""
    constant, terms = expr
    if not terms:
        return abs(constant - current), []
    return 0.0, [col for col, _ in terms]


def relax(problem: Problem, time_limit: float, soft: bool = False) -> Relaxed | None:
    """The least D over fractional weights, with the fewest points moved; None when even the
    relaxation has no solution (the exact programme then says why) or HiGHS gives none in time.

    ``soft``: for a transition limit that keeps some plans from meeting the legacy tier, the tier
    is a target, missed as little as possible before D is minimised (as the exact programme
    does). Its ``bound`` is then the least D with the tier left out altogether: looser, but still
    one no weighting within the limits goes below."""
    rows, cols = Rows(), Columns()
    limits = problem.limits
    expr: dict[tuple[str, str], Expr] = {}
    moves: list[int] = []
    slack: list[int] = []
    for b in problem.blocks:
        removed = 0.0  # points moved by the measures that cannot be kept
        mine: list[int] = []
        for v, e in zip(b.variables, _weights(b, cols, rows, limits.min_weight, limits.max_measures, soft, slack)):
            expr[(v.plan, v.component.id)] = e
            fixed, columns = _moved(e, v.current)
            removed += fixed
            mine += columns
        moves += mine
        if limits.max_change is not None:
            rows.add([(col, 1.0) for col in mine], -INF, limits.max_change - removed)
    of_score: dict[int, list[int]] = {}
    d_cols: list[int] = []
    for o in problem.objectives:
        of_score[id(o)] = score_rows(rows, cols, o, problem.blocks, expr)
        d_cols += of_score[id(o)]
    changing = {b.plan.id for b in problem.blocks}
    for g in problem.guards:
        if g.score.plans & changing:
            if id(g.score) not in of_score:
                of_score[id(g.score)] = score_rows(rows, cols, g.score, problem.blocks, expr)
            rows.add([(e, 0.5) for e in of_score[id(g.score)]], -INF, g.limit)
    for m in problem.mixes:
        constant, terms = 0.0, []
        for p, c, a in m.terms:
            if (p, c) in expr:
                k, of_w = expr[(p, c)]
                constant += a * k
                terms += [(col, a * coef) for col, coef in of_w]
        if terms and (m.lower > -INF or m.upper < INF):
            rows.add(terms, m.lower - constant, m.upper - constant)
    bound: float | None = None
    if soft:
        found = run_milp(cols, rows, {e: 0.5 for e in d_cols}, time_limit, large=True)
        if found.x is None or found.status != 0:
            return None
        bound = float(found.fun)
    passes = ([(slack, 1.0)] if soft and slack else []) + [(d_cols, 0.5), (moves, 1.0)]
    x = None
    for n, (stage, scale) in enumerate(passes):
        result = run_milp(cols, rows, {c: scale for c in stage}, time_limit, large=True)
        if result.x is None or result.status != 0:
            return None
        best = float(result.fun)
        if stage is d_cols and bound is None:
            bound = best
        if n < len(passes) - 1:  # hold this pass's optimum while the next is minimised
            rows.add([(c, scale) for c in stage], -INF, best + 1e-9 + 1e-9 * abs(best))
        x = result.x
    assert x is not None and bound is not None
    weights = {key: constant + sum(coef * float(x[col]) for col, coef in terms)
               for key, (constant, terms) in expr.items()}
    return Relaxed(weights, bound)
