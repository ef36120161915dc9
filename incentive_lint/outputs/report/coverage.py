"""The report's coverage table: for each priority, whether it has an owner, KPI targets, a cascade, funding, an offer, a function, systems and incentives."""
from __future__ import annotations

import datetime as _dt
from typing import Sequence

from incentive_lint.base.findings import Finding
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Budget, Priority
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import DIMENSION_RULES, UNDERPAID_RATIO, Check, CoverageRow, Score


# --------------------------------------------------------------------------- coverage


def _coverage(model: Model, p: Priority, weight_total: float, overall: Score,
              findings: Sequence[Finding]) -> CoverageRow:
    weight = p.weight / weight_total if weight_total > 0 else 0.0
    checks = {
        "owner": _owner(model, p),
        "kpis": _kpis(model, p),
        "cascade": _cascade(model, p),
        "funding": _funding(model, p),
        "offer": _offer(model, p),
        "function": _function(model, p),
        "systems": _systems(model, p),
        "incentives": _incentives(p, weight, overall),
    }
    targets = {t.kpi for t in p.targets if t.kpi}
    for key, check in checks.items():
        codes = sorted({f.code or f.rule for f in findings if f.rule in DIMENSION_RULES[key]
                        and (p.id in f.entities or (key == "kpis" and targets & set(f.entities)))})
        if codes:
            checks[key] = Check(check.status, check.detail, tuple(codes))
    return CoverageRow(p.id, p.title or p.id, weight, p.change, checks)


def _owner(model: Model, p: Priority) -> Check:
    if not p.accountable:
        return Check("no", "no accountable role")
    role = model.roles.get(p.accountable)
    if role is None:
        return Check("no", f"'{p.accountable}' is not a role")
    if role.headcount <= 0:
        return Check("no", f"{p.accountable} is vacant")
    return Check("yes", p.accountable)


def _kpis(model: Model, p: Priority) -> Check:
    usable, gaps = [], []
    for t in p.targets:
        kpi = model.kpis.get(t.kpi or "")
        if kpi is None:
            gaps.append(f"unknown KPI '{t.kpi}'" if t.kpi else "target without KPI")
            continue
        missing = [name for name, ok in (("value", t.value is not None), ("date", t.by is not None),
                                         ("baseline", kpi.baseline is not None)) if not ok]
        if missing:
            gaps.append(f"{kpi.id}: no {' or '.join(missing)}")
        else:
            usable.append(kpi.id)
    usable = sorted(set(usable))
    gaps = sorted(set(gaps))
    if not p.targets:
        return Check("no", "no KPI target")
    if not usable:
        return Check("no" if all("unknown" in g or "value" in g for g in gaps) else "partial", "; ".join(gaps))
    if gaps:
        return Check("partial", "; ".join([", ".join(usable), *gaps]))
    return Check("yes", ", ".join(usable))


def _cascade(model: Model, p: Priority) -> Check:
    if not p.contributors:
        return Check("n/a", "no contributing functions named")
    covered = {o.org_unit for o in model.objectives.values()
               if o.level == "function" and o.org_unit in p.contributors and model.objective_priority(o.id) == p.id}
    missing = [f for f in p.contributors if f not in covered]
    if not missing:
        return Check("yes", ", ".join(p.contributors))
    status = "no" if len(missing) == len(p.contributors) else "partial"
    return Check(status, "missing: " + ", ".join(missing))


def _current_budgets(model: Model) -> list[Budget]:
    day = model.as_of
    live = [b for b in model.budgets.values() if (b.start is None or b.start <= day) and (b.end is None or day <= b.end)]
    return sorted(live or model.budgets.values(), key=lambda b: b.id)


def _funding(model: Model, p: Priority) -> Check:
    strategy = model.strategy
    legacy = set(strategy.from_drivers) if strategy else set()
    lines = []
    for budget in _current_budgets(model):
        for x in budget.investments:
            if x.amount <= 0:
                continue
            if x.priority == p.id or (not x.priority and set(x.drivers) & set(p.drivers)
                                      and not set(x.drivers) & legacy):
                lines.append(x)
    if lines:
        # Lines of budgets in different currencies are added in the reporting currency; a line
        # whose budget has no rate in force is named but not added.
        converted = [model.to_reporting(x.amount, model.budgets[x.budget].currency if x.budget in model.budgets
                                        else None) for x in lines]
        total = sum(v for v in converted if v is not None)
        missing = sorted(x.id for x, v in zip(lines, converted) if v is None)
        note = f"; not counted, no exchange rate: {', '.join(missing)}" if missing else ""
        return Check("yes", f"{fmt.money(total, model.reporting_currency or '')} "
                            f"({', '.join(sorted(x.id for x in lines))}{note})")
    if p.strategic:
        return Check("no", "no investment line" if model.budgets else "no budget in the repository")
    return Check("n/a", f"change: {p.change or 'unspecified'}; none expected")


def _available(status: str | None, available_from: _dt.date | None, day: _dt.date) -> bool:
    return status == "active" and (available_from is None or available_from <= day)


def _offer(model: Model, p: Priority) -> Check:
    if not p.requires_offer_models:
        return Check("n/a", "no offer model required")
    found, gaps = [], []
    for wanted in p.requires_offer_models:
        offers = sorted((o for o in model.offers.values() if o.model == wanted), key=lambda o: o.id)
        live = [o for o in offers if _available(o.status, o.available_from, model.as_of)]
        if live:
            found.append(", ".join(o.id for o in live))
        elif offers:
            o = offers[0]
            when = f" from {o.available_from}" if o.available_from else ""
            gaps.append(f"{o.id} is {o.status or 'not active'}{when}")
        else:
            gaps.append(f"no {wanted} offer")
    if not gaps:
        return Check("yes", "; ".join(found))
    return Check("partial" if found else "no", "; ".join([*found, *gaps]))


def _function(model: Model, p: Priority) -> Check:
    if not p.requires_functions:
        return Check("n/a", "no function required")
    ok, gaps = [], []
    for fid in p.requires_functions:
        f = model.functions.get(fid)
        if f is None:
            gaps.append(f"{fid}: not in the org")
        elif f.status == "active" and (f.headcount or 0) > 0:
            ok.append(f"{fid} ({f.headcount})")
        else:
            gaps.append(f"{fid}: {f.status or 'no status'}, headcount {f.headcount or 0}")
    if not gaps:
        return Check("yes", ", ".join(ok))
    return Check("partial" if ok else "no", "; ".join([*ok, *gaps]))


def _systems(model: Model, p: Priority) -> Check:
    if not p.requires_system_capabilities:
        return Check("n/a", "no system capability required")
    provided = {cap for s in model.systems.values() if _available(s.status, s.available_from, model.as_of)
                for cap in s.capabilities}
    missing = [c for c in p.requires_system_capabilities if c not in provided]
    if not missing:
        return Check("yes", ", ".join(p.requires_system_capabilities))
    status = "no" if len(missing) == len(p.requires_system_capabilities) else "partial"
    return Check(status, "missing: " + ", ".join(missing))


def _incentives(p: Priority, weight: float, overall: Score) -> Check:
    q = next((c.q for c in overall.contributors if c.bucket == p.id), 0.0)
    detail = f"{fmt.pct(q)} of pay vs {fmt.pct(weight)} of weight"
    if q <= 0:
        return Check("no", detail)
    if weight > 0 and q / weight < UNDERPAID_RATIO:
        return Check("partial", detail)
    return Check("yes", detail)
