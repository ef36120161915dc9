"""The mixed-integer programme behind ``propose``, as rows and columns for HiGHS (through
``scipy.optimize.milp``): one plan's variables and limits (``plan_rows``), the columns of a
divergence score (``score_rows``), the limits across plans (``mix_rows``) and the call itself
(``run_milp``). ``solver`` decides what to minimise, in which order, and what to do when there is
no solution.

scipy is an optional dependency (``incentive-lint[propose]``), imported only here and only
when a proposal is computed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Sequence, Tuple

from incentive_lint.base.errors import UsageError
from incentive_lint.propose.problem import Limits, Objective, PlanBlock, Problem

#: relative optimality gap: exact on small problems (the tests compare with brute force); on
#: large ones within 0.05 % of the least D (D is shown to three decimals: on the 2,000-file
#: corpus 0.05 % of D is 0.00003), where HiGHS proving the last 0.01 % took it 3 to 14 s more
MIP_GAP_SMALL, MIP_GAP_LARGE, LARGE = 0.0, 5e-4, 200


def _scipy() -> tuple[Any, Any, Any, Any]:
    try:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]
        from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    except ImportError:
        raise UsageError("'propose' needs the solver package scipy, which is not installed; install it with "
                         "pip install scipy (or pip install '.[propose]' in a clone of incentive-lint).") from None
    return np, (Bounds, LinearConstraint), milp, coo_matrix


class Rows:
    """A sparse constraint matrix built row by row: lb <= A x <= ub."""

    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.lb: list[float] = []
        self.ub: list[float] = []

    def add(self, terms: Sequence[tuple[int, float]], lb: float, ub: float) -> None:
        row = len(self.lb)
        for col, val in terms:
            self.r.append(row)
            self.c.append(col)
            self.v.append(val)
        self.lb.append(lb)
        self.ub.append(ub)


INF = float("inf")


class Columns:
    """Column numbers, bounds and integrality of the programme's variables."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []

    def new(self, lower: float = 0.0, upper: float = INF, integer: bool = False) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.lower) - 1


@dataclass
class PlanColumns:
    """One plan's columns: weight, kept, move per component; the slacks of soft limits."""

    w: list[int]
    z: list[int]
    d: list[int]
    #: columns measuring how far a limit is missed (only when the limits are soft)
    slack: list[int]


def plan_rows(rows: Rows, cols: Columns, block: PlanBlock, limits: Limits, relax: frozenset[str] = frozenset(),
               soft: bool = False) -> PlanColumns:
    """One plan's variables and limits. ``relax``: limits left out; ``soft``: the designer's
    limits (legacy tier, minimum weight, maximum measures) may be missed, by slack columns
    the caller minimises first (a transition that cannot reach them within --max-change)."""
    min_w = limits.min_weight if limits.min_weight is not None and "min_weight" not in relax else 0.0
    keep_floor = max(min_w, 1.0)  # a kept component carries at least one point
    out = PlanColumns([], [], [], [])
    for v in block.variables:
        if v.held:  # stays as it is: kept if it weighs anything, moving nothing
            out.w.append(cols.new(v.current, v.current))
            out.z.append(cols.new(1.0 if v.current > 0 else 0.0, 1.0 if v.current > 0 else 0.0, integer=True))
            out.d.append(cols.new(0.0, 0.0))
            continue
        legacy_ub = 100 if "legacy" in relax else v.upper
        # the gameable measure's limit stays hard under a transition too: today's weight meets it
        hard_ub = min(100 if soft else legacy_ub, 100 if "gameable" in relax else v.gameable_upper)
        w = cols.new(0.0, float(hard_ub), integer=True)
        z = cols.new(0.0, 0.0 if hard_ub < keep_floor else 1.0, integer=True)
        d = cols.new()
        out.w.append(w)
        out.z.append(z)
        out.d.append(d)
        if soft and min_w > 1.0:
            s = cols.new()
            out.slack.append(s)
            rows.add([(w, 1.0), (z, -keep_floor), (s, 1.0)], 0.0, INF)  # kept -> at least the minimum, or slack
        else:
            rows.add([(w, 1.0), (z, -keep_floor)], 0.0, INF)  # kept -> at least the minimum
        rows.add([(w, 1.0), (z, -float(hard_ub))], -INF, 0.0)  # removed -> 0
        if soft and legacy_ub < 100:
            s = cols.new()
            out.slack.append(s)
            rows.add([(w, 1.0), (s, -1.0)], -INF, float(legacy_ub))  # below the legacy tier, or slack
        rows.add([(d, 1.0), (w, -1.0)], -v.current, INF)
        rows.add([(d, 1.0), (w, 1.0)], v.current, INF)
    rows.add([(w, 1.0) for w in out.w], 100.0, 100.0)
    if block.subjective_cap is not None and "subjective" not in relax:  # hard too: today's weights meet it
        rows.add([(w, 1.0) for w, v in zip(out.w, block.variables) if v.subjective], -INF, float(block.subjective_cap))
    if limits.max_measures is not None and "max_measures" not in relax:
        if soft:
            s = cols.new()
            out.slack.append(s)
            rows.add([*[(z, 1.0) for z in out.z], (s, -1.0)], -INF, float(limits.max_measures))
        else:
            rows.add([(z, 1.0) for z in out.z], -INF, float(limits.max_measures))
    if limits.max_change is not None and "max_change" not in relax:
        rows.add([(d, 1.0) for d in out.d], -INF, float(limits.max_change))
    return out


def run_milp(cols: Columns, rows: Rows, cost: dict[int, float], time_limit: float, large: bool | None = None) -> Any:
    np, (Bounds, LinearConstraint), milp, coo_matrix = _scipy()
    n = len(cols.lower)
    c = np.zeros(n)
    for col, val in cost.items():
        c[col] = val
    matrix = coo_matrix((rows.v, (rows.r, rows.c)), shape=(len(rows.lb), n)).tocsr()
    return milp(c, integrality=np.array(cols.integer), bounds=Bounds(np.array(cols.lower), np.array(cols.upper)),
                constraints=LinearConstraint(matrix, np.array(rows.lb), np.array(rows.ub)),
                options={"time_limit": time_limit,
                         "mip_rel_gap": MIP_GAP_LARGE if (n > 3 * LARGE if large is None else large) else MIP_GAP_SMALL})


def bucket_keys(o: Objective, blocks: Sequence[PlanBlock]) -> list[str]:
    """The buckets of one score: those of its fixed pay, of the strategy and of its changing plans."""
    return sorted(set(o.fixed) | set(o.pi) | {k for b in blocks if b.plan.id in o.plans
                                             for v in b.variables for k in v.buckets})


#: a weight as a linear expression of the columns: constant plus sum of coefficient x column (a
#: weight column of its own in the exact programme; the weight now plus gain minus loss in the
#: relaxation)
Expr = Tuple[float, List[Tuple[int, float]]]


def weight_columns(blocks: Sequence[PlanBlock], plan_cols: dict[str, PlanColumns]) -> dict[tuple[str, str], Expr]:
    """Each weight of the exact programme as its own column, for ``score_rows``."""
    return {(b.plan.id, v.component.id): (0.0, [(plan_cols[b.plan.id].w[j], 1.0)])
            for b in blocks for j, v in enumerate(b.variables)}


def score_rows(rows: Rows, cols: Columns, o: Objective, blocks: Sequence[PlanBlock],
               weight: Mapping[tuple[str, str], Expr]) -> list[int]:
    """The columns e_k >= |q_k - pi_k| of one score, one per bucket: its D is 1/2 their sum.
    ``weight``: each (plan, component) weight as an expression of the columns."""
    mine = []
    for k in bucket_keys(o, blocks):
        constant = o.fixed.get(k, 0.0) / o.total - o.pi.get(k, 0.0)
        terms: dict[int, float] = {}
        for b in blocks:
            if b.plan.id not in o.plans:
                continue
            for v in b.variables:
                share = v.buckets.get(k)
                if not share:
                    continue
                a = b.pay * share / 100 / o.total
                fixed, of_w = weight[(v.plan, v.component.id)]
                constant += a * fixed
                for col, coef in of_w:
                    terms[col] = terms.get(col, 0.0) + a * coef
        e = cols.new()
        mine.append(e)
        # e >= q - pi and e >= pi - q, with q - pi = sum(terms) + constant
        rows.add([(e, 1.0), *[(c, -a) for c, a in terms.items()]], constant, INF)
        rows.add([(e, 1.0), *[(c, a) for c, a in terms.items()]], -constant, INF)
    return mine


def mix_rows(rows: Rows, cols: Columns, problem: Problem, plan_cols: dict[str, PlanColumns],
              soft: bool) -> list[int]:
    """The rows of the limits across plans (``problem.mixes``); with ``soft``, each may be missed by
    a slack column (returned)."""
    w_of: dict[tuple[str, str], int] = {}
    z_of: dict[tuple[str, str], int] = {}
    for b in problem.blocks:
        pc = plan_cols[b.plan.id]
        for j, v in enumerate(b.variables):
            w_of[(b.plan.id, v.component.id)], z_of[(b.plan.id, v.component.id)] = pc.w[j], pc.z[j]
    slack: list[int] = []

    def add(terms: list[tuple[int, float]], lower: float, upper: float) -> None:
        if soft:
            if lower > -INF:
                slack.append(cols.new())
                rows.add([*terms, (slack[-1], 1.0)], lower, INF)
            if upper < INF:
                slack.append(cols.new())
                rows.add([*terms, (slack[-1], -1.0)], -INF, upper)
        else:
            rows.add(terms, lower, upper)

    for m in problem.mixes:
        terms = [(w_of[(p, c)], a) for p, c, a in m.terms if (p, c) in w_of]
        if terms and (m.lower > -INF or m.upper < INF):
            add(terms, m.lower, m.upper)
        keep = [(z_of[k], 1.0) for k in m.keep if k in z_of]
        if keep:
            add(keep, 1.0, INF)
    return slack
