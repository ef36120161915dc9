"""Check functions of the capability family: are the required functions there, staffed and in time (with the helpers the other capability modules share)?

They compare what the strategy in force (``model.strategy``) says it needs — functions,
offer (pricing) models and system capabilities in each priority's ``requires``, funding in the
budget, measurable KPIs — with what the Org, offer catalog, budget and KPI catalog actually
provide, and by when. The strategy starts on ``S0`` (``model.strategy_start``); capabilities that
only arrive after ``S0 + grace_days`` come too late.
"""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from typing import Any, Iterable, Iterator, Mapping, Sequence

from incentive_lint.model.core import Model
from incentive_lint.model.entities import Budget, Entity, Function, Loc, Priority, Strategy
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, pct

#: Component types that carry no pay of their own (guardrails).


# --------------------------------------------------------------------------- helpers


def _grace(options: Mapping[str, Any]) -> int:
    return int(options.get("grace_days", 90))


def _deadline(model: Model, options: Mapping[str, Any]) -> _dt.date:
    """S0 + grace_days: the last day a capability the strategy needs may arrive."""
    return model.strategy_start + _dt.timedelta(days=_grace(options))


def _by_id(entities: Iterable[Any]) -> list[Any]:
    return sorted(entities, key=lambda e: e.id)


def _available_on(status: str | None, available_from: _dt.date | None) -> _dt.date | None:
    """When an offer, system or function is (or will be) available: active ones from their
    ``available_from`` (or always), planned ones from their ``available_from``; None = not foreseen."""
    if status in (None, "active"):
        return available_from or _dt.date.min
    if status == "planned":
        return available_from
    return None


def _state(status: str | None, available_from: _dt.date | None) -> str:
    """'planned for 2026-04-01', 'proposed', 'active' ... in plain words."""
    if status == "planned":
        return f"planned for {available_from.isoformat()}" if available_from else "planned with no date"
    if status in (None, "active"):
        return f"active from {available_from.isoformat()}" if available_from else "active"
    return "only proposed" if status == "proposed" else str(status)


def _function_gap(function: Function | None) -> str | None:
    """Why a required function cannot deliver (None when it exists or is being set up)."""
    if function is None:
        return None  # an unknown id is dangling-reference's finding; one mistake, one finding
    count = function.headcount
    if function.status == "none":
        return "does not exist (status none)"
    if function.status == "proposed":
        return f"is proposed with headcount {count if count is not None else 'unknown'}"
    if function.status == "retired":
        return "is retired"
    if count == 0 and function.available_from is None:
        return f"is {function.status or 'listed'} with headcount 0 and no available_from date"
    return None


def _required_functions(strategy: Strategy) -> dict[str, list[Priority]]:
    """function id -> the priorities that require it."""
    out: dict[str, list[Priority]] = defaultdict(list)
    for p in strategy.priorities:
        for f in p.requires_functions:
            if p not in out[f]:
                out[f].append(p)
    return out


def _priority_names(priorities: Sequence[Priority]) -> str:
    ids = sorted({p.id for p in priorities})
    return ("priority " if len(ids) == 1 else "priorities ") + ", ".join(f"'{i}'" for i in ids)


def _current_budgets(model: Model) -> list[Budget]:
    """Budgets in force on the as-of date (not draft or retired); else those covering the strategy start."""
    usable = [b for b in model.budgets.values() if b.raw.get("status") not in ("draft", "retired")]

    def covers(b: Budget, day: _dt.date) -> bool:
        return (b.start is None or b.start <= day) and (b.end is None or day <= b.end)

    live = [b for b in usable if covers(b, model.as_of)]
    if not live:
        live = [b for b in usable if covers(b, model.strategy_start)]
    return _by_id(live)


def _money(amount: float, currency: str | None) -> str:
    return f"{currency + ' ' if currency else ''}{amount:,.0f}"


# --------------------------------------------------------------------------- CA01


def missing_required_function(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA01: a priority requires a function that does not exist, is only proposed, or has nobody and no start date."""
    strategy = model.strategy
    if strategy is None:
        return
    for p in _by_id(strategy.priorities):
        for fid in sorted(set(p.requires_functions)):
            function = model.functions.get(fid)
            gap = _function_gap(function)
            if gap is None:
                continue
            related = [link(f"'{p.id}' weighs {pct(p.weight)}% in {strategy.id}", p, "weight")]
            if function is not None:
                related.append(link(f"function '{fid}' in the Org ({function.status or 'no status'}, "
                                    f"headcount {function.headcount if function.headcount is not None else '?'})",
                                    function, "status"))
            yield Hit(
                at=item_loc(p, ("requires", "functions"), fid),
                args={"priority": p.id, "weight": pct(p.weight), "function": fid, "state": gap},
                entities=(p.id, fid, strategy.id),
                related=tuple(related),
                evidence={"priority_weight": p.weight, "function": fid,
                          "status": function.status if function else None,
                          "headcount": function.headcount if function else None,
                          "available_from": (function.available_from.isoformat()
                                             if function and function.available_from else None)})


# --------------------------------------------------------------------------- CA02


def _head_vacant(model: Model, function: Function) -> str | None:
    if not function.head:
        return "has no head (the position is vacant)"
    role = model.roles.get(function.head)
    if role is not None and "headcount" in role.raw and role.headcount == 0:
        return f"has no head (role '{role.id}' has headcount 0)"
    return None


def function_unstaffed(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA02: a function the strategy requires is declared (active or planned) but has no head or no run budget."""
    strategy = model.strategy
    if strategy is None:
        return
    budgets = [b for b in _current_budgets(model) if b.run_budget]
    for fid, priorities in sorted(_required_functions(strategy).items()):
        function = model.functions.get(fid)
        if function is None or function.status not in (None, "active", "planned"):
            continue  # absent, proposed, none or retired: missing-required-function reports it
        problems: list[str] = []
        at: Loc | None = None
        on_key = False
        related = [link(f"required by '{p.id}' ({pct(p.weight)}%)", p, "requires") for p in priorities]
        evidence: dict[str, Any] = {"status": function.status, "head": function.head, "run_budget": {}}
        if function.status != "planned":
            vacant = _head_vacant(model, function)
            if vacant:
                problems.append(vacant)
                at = function.field_loc("head")
        for b in budgets:
            if function.status == "planned" and function.available_from and b.end and function.available_from > b.end:
                continue  # set up after this budget period
            lines = [r for r in b.run_budget if r.function == fid]
            amount = sum(r.amount or 0.0 for r in lines)
            evidence["run_budget"][b.id] = amount if lines else None
            if lines and (amount > 0 or all(r.amount is None for r in lines)):
                continue  # funded, or the amount is not stated
            if lines:
                problems.append(f"has a run budget of {_money(amount, b.currency)} in '{b.id}'")
                where = lines[0].field_loc("amount")
                related.append(link(f"run budget line in '{b.id}'", lines[0], "amount"))
            else:
                problems.append(f"has no run budget line in '{b.id}'")
                where = b.field_loc("run_budget")
                related.append(link(f"run budgets of '{b.id}'", b, "run_budget"))
            if at is None:
                at, on_key = where, not lines and "run_budget" in b.raw
        if not problems or at is None:
            continue
        yield Hit(
            at=at, on_key=on_key,
            args={"function": fid, "problem": " and ".join(problems), "priorities": _priority_names(priorities)},
            entities=(fid, *sorted(p.id for p in priorities)),
            related=(link(f"function '{fid}' ({function.status or 'no status'})", function, "status"), *related),
            evidence=evidence)


# --------------------------------------------------------------------------- CA03


def _late_capabilities(model: Model, strategy: Strategy,
                       deadline: _dt.date) -> dict[tuple[str, str], tuple[Entity, _dt.date, list[str]]]:
    """(kind, id) -> (entity, available date, needs) for required capabilities that arrive after ``deadline``."""
    late: dict[tuple[str, str], tuple[Entity, _dt.date, list[str]]] = {}

    def add(kind: str, entity: Entity, day: _dt.date, need: str) -> None:
        entry = late.setdefault((kind, entity.id), (entity, day, []))
        if need not in entry[2]:
            entry[2].append(need)

    for p in _by_id(strategy.priorities):
        for fid in p.requires_functions:
            f = model.functions.get(fid)
            day = _available_on(f.status, f.available_from) if f else None
            if f is not None and f.available_from and day and day > deadline:
                add("function", f, day, f"'{p.id}' requires it")
        for m in p.requires_offer_models:
            days = [(d, o) for o in _by_id(model.offers.values()) if o.model == m
                    for d in [_available_on(o.status, o.available_from)] if d is not None]
            if days and min(d for d, _ in days) > deadline:
                first = min(d for d, _ in days)
                for d, o in days:
                    if d == first:
                        add("offer", o, d, f"'{p.id}' requires {_article(m)} {m} offer")
        for cap in p.requires_system_capabilities:
            days2 = [(d, s) for s in _by_id(model.systems.values()) if cap in s.capabilities
                     for d in [_available_on(s.status, s.available_from)] if d is not None]
            if days2 and min(d for d, _ in days2) > deadline:
                first = min(d for d, _ in days2)
                for d, s in days2:
                    if d == first:
                        add("system", s, d, f"'{p.id}' requires {cap}")
    return late


def capability_lead_time(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA03: a function, offer or system a priority requires only becomes available after S0 + grace_days."""
    strategy = model.strategy
    if strategy is None:
        return
    grace = _grace(options)
    start = model.strategy_start
    late = _late_capabilities(model, strategy, _deadline(model, options))
    for (kind, _), (entity, day, needs) in sorted(late.items()):
        days = (day - start).days
        yield Hit(
            at=entity.field_loc("available_from"),
            args={"what": kind, "capability": entity.id, "date": day.isoformat(), "days": days,
                  "start": start.isoformat(), "needs": "; ".join(needs), "grace": grace},
            entities=(entity.id, strategy.id),
            related=(link(f"{strategy.id} starts {start.isoformat()}", strategy, "effective"),
                     *(link(f"'{p.id}' requires it", p, "requires") for p in _by_id(strategy.priorities)
                       if any(n.startswith(f"'{p.id}'") for n in needs))),
            evidence={"available_from": day.isoformat(), "strategy_start": start.isoformat(),
                      "days_after_start": days, "grace_days": grace})


# --------------------------------------------------------------------------- CA06


def _article(word: str) -> str:
    return "an" if word[:1] in "aeio" else "a"


FUNCTIONS: dict[str, CheckFunction] = {
    "missing-required-function": missing_required_function,
    "function-unstaffed": function_unstaffed,
    "capability-lead-time": capability_lead_time,
}
