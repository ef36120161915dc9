"""Check functions of the capability family: is the direction measured, resourced, priced and supported by systems?

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

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import LEGACY, PERIOD_MONTHS, UNALIGNED, Budget, Component, Entity, Function, Investment, Kpi, Loc, Offer, Priority, Strategy, System
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, names, pct

_EPS = 1e-9
#: Component types that carry no pay of their own (guardrails).
NON_PAYING = ("gate", "modifier")
#: How finely a KPI can be attributed, from finest to coarsest.
GRANULARITY = {"individual": 0, "team": 1, "region": 2, "company": 3}
#: The granularity at which a role of each level is paid by default.
LEVEL_GRANULARITY = {"individual": 0, "manager": 1, "executive": 3}
#: Who is paid, in plain words, by granularity.
_PAYEES = {0: "individuals", 1: "team managers", 2: "regional managers", 3: "executives"}
#: What a component declared at each granularity pays, in plain words.
_UNITS = {0: "individuals", 1: "each team", 2: "each region", 3: "the whole company"}


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


# --------------------------------------------------------------------------- CA06


def _article(word: str) -> str:
    return "an" if word[:1] in "aeio" else "a"


def pricing_model_mismatch(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA06: a priority requires an offer (pricing) model that no offer provides by S0 + grace_days."""
    strategy = model.strategy
    if strategy is None:
        return
    grace = _grace(options)
    deadline = _deadline(model, options)
    start = model.strategy_start
    offers = _by_id(model.offers.values())

    def ready(o: Offer) -> bool:
        day = _available_on(o.status, o.available_from)
        return day is not None and day <= deadline

    active_models = sorted({o.model for o in offers if o.model and ready(o)})
    for p in _by_id(strategy.priorities):
        for m in sorted(set(p.requires_offer_models)):
            candidates = [o for o in offers if o.model == m]
            if any(ready(o) for o in candidates):
                continue
            later = "".join(f"; {o.id} is {_state(o.status, o.available_from)}" for o in candidates)
            related = [link(f"'{p.id}' weighs {pct(p.weight)}% in {strategy.id}", p, "weight")]
            related += [link(f"offer '{o.id}' ({m}) is {_state(o.status, o.available_from)}", o,
                             "available_from" if "available_from" in o.raw else "status") for o in candidates]
            related += [link(f"offer '{o.id}' is {o.model}", o, "model") for o in offers
                        if o.model and o.model != m and ready(o)]
            yield Hit(
                at=item_loc(p, ("requires", "offer_models"), m),
                args={"priority": p.id, "a": _article(m), "model": m, "start": start.isoformat(),
                      "models": ", ".join(active_models) or "none", "later": later},
                entities=(p.id, *(o.id for o in candidates), strategy.id),
                related=tuple(related),
                evidence={"required_model": m, "strategy_start": start.isoformat(), "grace_days": grace,
                          "deadline": deadline.isoformat(), "active_models": active_models,
                          "offers_with_model": {o.id: {"status": o.status, "available_from":
                                                       o.available_from.isoformat() if o.available_from else None}
                                                for o in candidates}})


# --------------------------------------------------------------------------- CA07


def offer_delivery_gap(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA07: an offer on sale (or planned) is delivered by a function that is neither active nor planned."""
    for o in _by_id(model.offers.values()):
        if o.status not in (None, "active", "planned"):
            continue
        for fid in sorted(set(o.delivered_by)):
            function = model.functions.get(fid)
            if function is None or function.status in (None, "active", "planned"):
                continue  # an unknown id is dangling-reference's finding; one mistake, one finding
            state = ("is not a function in the Org" if function is None
                     else "does not exist (status none)" if function.status == "none" else f"is {function.status}")
            related = [link(f"offer '{o.id}' is {_state(o.status, o.available_from)}", o, "status")]
            if function is not None:
                related.append(link(f"function '{fid}' is {function.status}", function, "status"))
            related += [link(f"the offer serves '{pid}'", model.priorities[pid], "weight")
                        for pid in sorted(o.priorities) if pid in model.priorities]
            yield Hit(
                at=item_loc(o, ("delivered_by",), fid),
                args={"offer": o.id, "function": fid, "status": state},
                entities=(o.id, fid),
                related=tuple(related),
                evidence={"offer_status": o.status, "function": fid,
                          "function_status": function.status if function else None,
                          "headcount": function.headcount if function else None})


# --------------------------------------------------------------------------- CA08


def system_capability_missing(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA08: a priority needs system capabilities that no active system (or one live by S0 + grace_days) provides."""
    strategy = model.strategy
    if strategy is None:
        return
    deadline = _deadline(model, options)
    systems = _by_id(model.systems.values())

    def ready(s: System) -> bool:
        day = _available_on(s.status, s.available_from)
        return day is not None and day <= deadline

    for p in _by_id(strategy.priorities):
        missing = [c for c in dict.fromkeys(p.requires_system_capabilities)
                   if not any(ready(s) and c in s.capabilities for s in systems)]
        if not missing:
            continue
        coming = [s for s in systems if set(missing) & set(s.capabilities)]
        later = "".join(f"; {s.id} is {_state(s.status, s.available_from)}" for s in coming)
        yield Hit(
            at=item_loc(p, ("requires", "system_capabilities")), on_key=True,
            args={"priority": p.id, "caps": ", ".join(missing), "later": later},
            entities=(p.id, strategy.id),
            related=(link(f"'{p.id}' requires them", p, "requires"),
                     *(link(f"system '{s.id}' is {_state(s.status, s.available_from)}", s, "status")
                       for s in coming)),
            evidence={"missing": sorted(missing), "deadline": deadline.isoformat(), "grace_days": _grace(options),
                      "systems": {s.id: {"status": s.status, "capabilities": list(s.capabilities)} for s in systems}})


# --------------------------------------------------------------------------- CA09


def _strategic_kpis(model: Model, strategy: Strategy) -> dict[str, str]:
    """KPI id -> why it is strategic: named in a priority's targets, or mapped to a new/grow priority."""
    out: dict[str, str] = {}
    for p in _by_id(strategy.priorities):
        for t in p.targets:
            if t.kpi and t.kpi in model.kpis:
                out.setdefault(t.kpi, f"target of '{p.id}'")
    for k in _by_id(model.kpis.values()):
        if k.id in out or k.status == "deprecated":
            continue
        for bucket in sorted(model.kpi_map(k.id)):
            pr = model.priorities.get(bucket)
            if pr is not None and pr.strategic:
                out[k.id] = f"maps to '{pr.id}' ({pr.change})"
                break
    return out


def _source_gap(model: Model, kpi: Kpi, by: _dt.date) -> str | None:
    if not kpi.data_source:
        return "has no data source"
    system = model.systems.get(kpi.data_source)
    if system is None:
        return None  # an unknown id is dangling-reference's finding; one mistake, one finding
    day = _available_on(system.status, system.available_from)
    if day is None or day > by:
        return f"gets its data from '{system.id}', which is {_state(system.status, system.available_from)}"
    return None


def kpi_without_data_source(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA09: a strategic or paid KPI has no data source, or its system is not live by the strategy start
    (or today, if later); an error when an in-force plan pays on it."""
    strategy = model.strategy
    paid = model.components_paying_on()
    strategic = _strategic_kpis(model, strategy) if strategy is not None else {}
    by = max(model.strategy_start, model.as_of)
    for k in _by_id(model.kpis.values()):
        if k.id not in strategic and k.id not in paid:
            continue
        gap = _source_gap(model, k, by)
        if gap is None:
            continue
        comps = sorted(paid.get(k.id, []), key=lambda c: c.key)
        related = [link(f"paid in '{c.key}' ({pct(c.weight)}%)", c, "kpi") for c in comps]
        if k.data_source in model.systems:
            system = model.systems[k.data_source]
            related.append(link(f"system '{system.id}'", system, "status"))
        if strategy is not None:
            related += [link(f"target of '{p.id}'", t) for p in _by_id(strategy.priorities) for t in p.targets
                        if t.kpi == k.id]
        yield Hit(
            at=k.field_loc("data_source"),
            args={"what": "strategic KPI" if k.id in strategic else "KPI", "kpi": k.id, "problem": gap,
                  "paid": f", although {names(repr(c.key) for c in comps)} {'pays' if len(comps) == 1 else 'pay'} on it"
                  if comps else ""},
            entities=(k.id,),
            related=tuple(related),
            evidence={"data_source": k.data_source, "strategic": strategic.get(k.id),
                      "paid_in": [c.key for c in comps], "needed_by": by.isoformat()},
            severity=Severity.ERROR if comps else None)


# --------------------------------------------------------------------------- CA10


def line_of_sight_mismatch(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA10: an in-force component pays people on a finer level than the KPI can be measured at."""
    for plan in model.in_force_plans():
        roles = [model.roles[r] for r in (model.in_force().get(plan.id) or plan.eligible_roles) if r in model.roles]
        role_levels = [LEVEL_GRANULARITY[r.level] for r in roles if r.level in LEVEL_GRANULARITY]
        for c in plan.components:
            kpi = model.kpis.get(c.kpi or "")
            if c.type in NON_PAYING or kpi is None or kpi.measurable_at not in GRANULARITY:
                continue
            kpi_level = GRANULARITY[kpi.measurable_at]
            if c.measured_at in GRANULARITY:
                paid_at = GRANULARITY[c.measured_at]
                payees = f"{_UNITS[paid_at]} (measured_at: {c.measured_at})"
            elif role_levels:
                paid_at = min(role_levels)
                who = sorted(r.id for r in roles if LEVEL_GRANULARITY.get(r.level or "") == paid_at)
                payees = f"{_PAYEES[paid_at]} ({', '.join(who)})"
            else:
                continue
            if kpi_level <= paid_at:
                continue
            yield Hit(
                at=c.field_loc("measured_at") if "measured_at" in c.raw else c.field_loc("kpi"),
                args={"component": c.key, "payees": payees, "kpi": kpi.id, "level": kpi.measurable_at},
                entities=(c.key, plan.id, kpi.id),
                related=(link(f"KPI '{kpi.id}' is measurable at {kpi.measurable_at} level", kpi, "measurable_at"),
                         link(f"'{plan.id}' pays roles {names(r.id for r in roles)}", plan, "eligible_roles")),
                evidence={"kpi_measurable_at": kpi.measurable_at, "measured_at": c.measured_at,
                          "role_levels": {r.id: r.level for r in roles}, "weight": c.weight})


# --------------------------------------------------------------------------- CA11


def measurement_cadence_mismatch(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CA11: an in-force plan pays more often than a KPI it pays on gets new values."""
    for plan in model.in_force_plans():
        if plan.payout_frequency not in PERIOD_MONTHS:
            continue
        for c in plan.components:
            kpi = model.kpis.get(c.kpi or "")
            if kpi is None or kpi.refresh not in PERIOD_MONTHS:
                continue
            refresh = PERIOD_MONTHS[kpi.refresh]
            if refresh <= plan.payout_months:
                continue
            yield Hit(
                at=c.field_loc("kpi"),
                args={"kpi": kpi.id, "refresh": kpi.refresh, "plan": plan.id, "freq": plan.payout_frequency,
                      "component": c.key},
                entities=(c.key, plan.id, kpi.id),
                related=(link(f"KPI '{kpi.id}' refreshes {kpi.refresh}", kpi, "refresh"),
                         link(f"'{plan.id}' pays {plan.payout_frequency}", plan, "payout_frequency")),
                evidence={"refresh_months": refresh, "payout_months": plan.payout_months, "weight": c.weight,
                          "rolled_over": model.rolled_over(plan)})


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
        ti = model.target_incentive(plan.id)
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
    "missing-required-function": missing_required_function,
    "function-unstaffed": function_unstaffed,
    "capability-lead-time": capability_lead_time,
    "priority-unfunded": priority_unfunded,
    "budget-strategy-divergence": budget_strategy_divergence,
    "pricing-model-mismatch": pricing_model_mismatch,
    "offer-delivery-gap": offer_delivery_gap,
    "system-capability-missing": system_capability_missing,
    "kpi-without-data-source": kpi_without_data_source,
    "line-of-sight-mismatch": line_of_sight_mismatch,
    "measurement-cadence-mismatch": measurement_cadence_mismatch,
    "headcount-skew-to-legacy": headcount_skew_to_legacy,
}
