"""Check functions of the capability family: is the strategy funded — budget allocation, investment mix and headcount growth?"""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from typing import Any, Iterator, Mapping

from incentive_lint.model.core import Model
from incentive_lint.model.entities import LEGACY, UNALIGNED, Budget, Component, Function, Investment, Strategy
from incentive_lint.checks.api import CheckFunction, Hit, link, pct
from incentive_lint.model.entities import NON_PAYING
from incentive_lint.checks.capability import _by_id, _current_budgets, _money, _required_functions

_EPS = 1e-9


def investment_map(model: Model, strategy: Strategy, investment: Investment) -> dict[str, float]:
    """Where an investment's money goes: fractions over priority ids, ``legacy`` and ``unaligned``.

    An explicit ``priority`` of the strategy counts for it; otherwise drivers map like a KPI's
    (rules.md 3.0): ``legacy`` if one is on ``shift.from_drivers``, else the priorities sharing a
    driver (split equally), else ``unaligned``.
    """
    ids = {p.id for p in strategy.priorities}
    if investment.priority:
        return {investment.priority: 1.0} if investment.priority in ids else {UNALIGNED: 1.0}
    if set(investment.drivers) & set(strategy.from_drivers):
        return {LEGACY: 1.0}
    named = sorted(p.id for p in strategy.priorities if set(p.drivers) & set(investment.drivers))
    if not named:
        return {UNALIGNED: 1.0}
    return {p: 1.0 / len(named) for p in named}


# --------------------------------------------------------------------------- CA04


def priority_unfunded(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA04: a new or growing priority of real weight gets no investment in the current budget."""
    strategy = model.strategy
    budgets = _current_budgets(model)
    if strategy is None or not budgets:
        return
    min_weight = float(options.get("min_priority_weight", 10))
    funded: dict[str, float] = defaultdict(float)
    for b in budgets:
        for x in b.investments:
            for bucket, fraction in investment_map(model, strategy, x).items():
                funded[bucket] += x.amount * fraction
    budget_names = ", ".join(f"'{b.id}'" for b in budgets)
    for p in _by_id(strategy.priorities):
        if not p.strategic or p.weight < min_weight or funded.get(p.id, 0.0) > _EPS:
            continue
        yield Hit(
            at=p.loc,
            args={"priority": p.id, "weight": pct(p.weight), "change": p.change, "budget": budget_names},
            entities=(p.id, *(b.id for b in budgets)),
            related=(link(f"'{p.id}' weighs {pct(p.weight)}%, change: {p.change}", p, "weight"),
                     *(link(f"investments of '{b.id}'", b, "investments") for b in budgets)),
            evidence={"priority_weight": p.weight, "change": p.change, "min_priority_weight": min_weight,
                      "budgets": [b.id for b in budgets],
                      "invested_by_bucket": {k: round(v, 2) for k, v in sorted(funded.items())}})


# --------------------------------------------------------------------------- CA05


def budget_divergence(model: Model, strategy: Strategy, budget: Budget) -> tuple[float, dict[str, float],
                                                                                  dict[str, float], float] | None:
    """D = 1/2 sum |q - pi| over investment amounts (rules.md 3.4 applied to a budget): (D, q, pi, total)."""
    weight_total = sum(p.weight for p in strategy.priorities)
    total = sum(x.amount for x in budget.investments)
    if weight_total <= 0 or total <= 0:
        return None
    amounts: dict[str, float] = defaultdict(float)
    for x in budget.investments:
        for bucket, fraction in investment_map(model, strategy, x).items():
            amounts[bucket] += x.amount * fraction
    q = {k: v / total for k, v in amounts.items()}
    pi = {p.id: p.weight / weight_total for p in strategy.priorities}
    score = 0.5 * sum(abs(q.get(k, 0.0) - pi.get(k, 0.0)) for k in set(q) | set(pi))
    return score, q, pi, total


def budget_strategy_divergence(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA05: the current budget's investments are split very differently from the priority weights."""
    strategy = model.strategy
    if strategy is None:
        return
    warn = float(options.get("divergence_warn", 0.35))
    limit = int(options.get("top_contributors", 5))
    for b in _current_budgets(model):
        result = budget_divergence(model, strategy, b)
        if result is None:
            continue
        score, q, pi, total = result
        if score < warn - _EPS:
            continue
        rows = sorted(((k, q.get(k, 0.0), pi.get(k, 0.0)) for k in set(q) | set(pi)),
                      key=lambda r: (-abs(r[1] - r[2]), r[0]))
        shown = [r for r in rows if abs(r[1] - r[2]) >= 0.0005][:limit]
        related = [link(f"'{x.id}': {_money(x.amount, b.currency)} for "
                        + ", ".join(sorted(investment_map(model, strategy, x))), x, "amount")
                   for x in b.investments]
        related += [link(f"priority '{p.id}' weighs {pct(p.weight)}%", p, "weight")
                    for p in _by_id(strategy.priorities)]
        yield Hit(
            at=b.field_loc("investments"), on_key="investments" in b.raw,
            args={"budget": b.id, "d": f"{score:.2f}", "total": _money(total, b.currency),
                  "breakdown": ", ".join(f"{k} {pct(qq * 100)}% vs {pct(pp * 100)}%" for k, qq, pp in shown)},
            entities=(b.id, strategy.id),
            related=tuple(related),
            evidence={"score": round(score, 4), "total_invested": total, "divergence_warn": warn,
                      "buckets": {k: {"q": round(qq, 4), "pi": round(pp, 4)} for k, qq, pp in sorted(rows)}})


# --------------------------------------------------------------------------- CA12


def _planned_growth(function: Function, until: _dt.date | None) -> tuple[int, str | None]:
    """(planned headcount - current headcount, date of the plan entry used) from ``headcount_plan``."""
    entries = []
    for key, value in function.headcount_plan.items():
        try:
            day = _dt.date.fromisoformat(str(key))
        except ValueError:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and (until is None or day <= until):
            entries.append((day, value))
    if not entries:
        return 0, None
    day, value = max(entries)
    return value - (function.headcount or 0), day.isoformat()


def _legacy_paid(model: Model, function_id: str) -> Component | None:
    """The dominant component of a function's in-force plans (largest share of target pay) when it pays on legacy."""
    best: tuple[float, str, Component] | None = None
    for plan in model.function_plans(function_id):
        ti = model.target_pay(plan.id)  # reporting currency: plans in other currencies compare fairly
        for c in plan.components:
            if c.type in NON_PAYING:
                continue
            key = (ti * c.weight, c.key, c)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is None or model.component_map(best[2]).get(LEGACY, 0.0) < 0.5:
        return None
    return best[2]


def headcount_skew_to_legacy(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA12: planned headcount grows more in functions mainly paid on legacy drivers than in the required functions."""
    strategy = model.strategy
    if strategy is None:
        return
    required = _required_functions(strategy)
    until = strategy.end
    req_growth: dict[str, int] = {}
    for fid in sorted(required):
        if fid in model.functions:
            req_growth[fid] = _planned_growth(model.functions[fid], until)[0]
    legacy: list[tuple[Function, int, str | None, Component]] = []
    for f in _by_id(model.functions.values()):
        if f.id in required:
            continue
        dominant = _legacy_paid(model, f.id)
        if dominant is None:
            continue
        growth, day = _planned_growth(f, until)
        legacy.append((f, growth, day, dominant))
    n = sum(g for _, g, _, _ in legacy)
    m = sum(req_growth.values())
    if n <= 0 or n <= m:
        return
    growing = sorted((x for x in legacy if x[1] > 0), key=lambda x: (-x[1], x[0].id))
    top = growing[0][0]
    yield Hit(
        at=top.field_loc("headcount_plan"), on_key="headcount_plan" in top.raw,
        args={"n": f"+{n}", "legacy": ", ".join(f"{f.id} {g:+d}" for f, g, _, _ in growing),
              "m": f"{m:+d}", "required": ", ".join(f"{k} {v:+d}" for k, v in sorted(req_growth.items())) or "none"},
        entities=(strategy.id, *(f.id for f, _, _, _ in growing)),
        related=(*(link(f"'{f.id}' grows {g:+d} by {d}; mostly paid on '{c.key}' (legacy)", f, "headcount_plan")
                   for f, g, d, c in growing),
                 *(link(f"required function '{k}' grows {v:+d}", model.functions[k], "headcount_plan")
                   for k, v in sorted(req_growth.items()))),
        evidence={"legacy_growth": {f.id: g for f, g, _, _ in legacy}, "required_growth": req_growth,
                  "until": until.isoformat() if until else None})


FUNCTIONS: dict[str, CheckFunction] = {
    "priority-unfunded": priority_unfunded,
    "budget-strategy-divergence": budget_strategy_divergence,
    "headcount-skew-to-legacy": headcount_skew_to_legacy,
}
