"""The cross-referenced model of a policy repository: the one API rules use.

Schema-valid documents become frozen, typed entities indexed by id. References are
resolved by id; the ones that point nowhere, and ids defined twice, are recorded for the
``dangling-reference`` and ``duplicate-id`` rules. Derived facts that several rules need
(which plans are in force, each plan's target incentive, where each KPI's pay flows, the
divergence score) are computed here once, so that the report and the findings agree.
"""
from __future__ import annotations

import datetime as _dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from incentive_lint.read.loader import Document, Issue
from incentive_lint.base.source import NodePath
from incentive_lint.model.taxonomy import Taxonomy

def _memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Cache a Model method's results on the instance (an ``lru_cache`` on a method would keep
    every model ever built alive through the class)."""
    name = f"_memo_{fn.__name__}"

    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any) -> Any:
        cache = self.__dict__.get(name)
        if cache is None:
            cache = self.__dict__[name] = {}
        try:
            return cache[args]
        except KeyError:
            value = cache[args] = fn(self, *args)
            return value

    return wrapper


LEGACY = "legacy"
UNALIGNED = "unaligned"
PERIOD_MONTHS = {"weekly": 0.25, "monthly": 1, "quarterly": 3, "semi-annual": 6, "semiannual": 6,
                 "annual": 12, "yearly": 12}


class Loc(NamedTuple):
    """Where an entity or field is: file, document index and node path (a tuple: cheap to
    make by the ten thousand, immutable and hashable)."""

    file: str
    doc: int
    path: NodePath = ()

    def at(self, *more: str | int) -> Loc:
        return Loc(self.file, self.doc, (*self.path, *more))


def _t(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    if isinstance(value, str):
        return (value,)
    return ()


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _date(value: Any) -> _dt.date | None:
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class Entity:
    """Common to every entity: id, location and the raw mapping it came from."""

    id: str
    loc: Loc
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    def field_loc(self, name: str) -> Loc:
        """The location of one of this entity's fields (its parent if absent)."""
        return self.loc.at(name) if name in self.raw else self.loc


@dataclass(frozen=True, slots=True)
class Target(Entity):
    kpi: str | None = None
    value: float | None = None
    by: _dt.date | None = None


@dataclass(frozen=True, slots=True)
class Priority(Entity):
    strategy: str = ""
    title: str = ""
    weight: float = 0.0
    change: str | None = None
    horizon_months: int | None = None
    drivers: tuple[str, ...] = ()
    accountable: str | None = None
    contributors: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    requires_functions: tuple[str, ...] = ()
    requires_offer_models: tuple[str, ...] = ()
    requires_system_capabilities: tuple[str, ...] = ()

    @property
    def strategic(self) -> bool:
        return self.change in ("new", "grow")


@dataclass(frozen=True, slots=True)
class Strategy(Entity):
    title: str = ""
    owner: str | None = None
    status: str | None = None
    approved_on: _dt.date | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    from_drivers: tuple[str, ...] = ()
    to_drivers: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyResult(Entity):
    kpi: str | None = None
    target: float | None = None


@dataclass(frozen=True, slots=True)
class Objective(Entity):
    set_id: str = ""
    title: str = ""
    level: str | None = None
    org_unit: str | None = None
    parent: str | None = None
    owner: str | None = None
    type: str | None = None
    key_results: tuple[KeyResult, ...] = ()
    agreed_with: tuple[str, ...] = ()
    start: _dt.date | None = None  # the ObjectiveSet's effective window
    end: _dt.date | None = None


@dataclass(frozen=True, slots=True)
class Kpi(Entity):
    name: str = ""
    drivers: tuple[str, ...] = ()
    owner: str | None = None
    data_source: str | None = None
    refresh: str | None = None
    measurable_at: str | None = None
    verification: str | None = None
    gameability: str | None = None
    paired_with: tuple[str, ...] = ()
    realization_lag_months: int | None = None
    baseline: Mapping[str, Any] | None = None
    introduced: _dt.date | None = None
    status: str | None = None
    replaced_by: str | None = None


@dataclass(frozen=True, slots=True)
class Component(Entity):
    plan: str = ""
    kpi: str | None = None
    objective: str | None = None
    weight: float = 0.0
    type: str | None = None
    measured_at: str | None = None
    target_basis: str | None = None
    uplift_pct: float | None = None
    threshold: float | None = None
    excellence: float | None = None
    cap: float | None = None
    uncapped: bool = False
    max_multiplier: float = 1.0
    credit_on: str | None = None
    performance_period_months: int | None = None
    priority: str | None = None

    @property
    def key(self) -> str:
        """``plan.component``, how people name a component."""
        return f"{self.plan}.{self.id}"


@dataclass(frozen=True, slots=True)
class Plan(Entity):
    title: str = ""
    owner: str | None = None
    status: str | None = None
    plan_type: str | None = None
    eligible_roles: tuple[str, ...] = ()
    start: _dt.date | None = None
    end: _dt.date | None = None
    last_reviewed: _dt.date | None = None
    currency: str | None = None
    variable_mix: float | None = None
    target_amount: float | None = None
    target_pct_of_base: float | None = None
    payout_frequency: str | None = None
    deferral_pct: float | None = None
    deferral_months: int | None = None
    has_clawback: bool = False
    clawback_months: int | None = None
    has_windfall_review: bool = False
    credit_offers: tuple[str, ...] = ()
    acknowledged_by: tuple[str, ...] = ()
    communicated_on: _dt.date | None = None
    components: tuple[Component, ...] = ()

    @property
    def payout_months(self) -> float:
        return float(PERIOD_MONTHS.get(self.payout_frequency or "annual", 12))

    def covers(self, day: _dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Function(Entity):
    status: str | None = None
    head: str | None = None
    headcount: int | None = None
    headcount_plan: Mapping[str, Any] = field(default_factory=dict, compare=False)
    available_from: _dt.date | None = None
    customer_facing: bool = False
    shares_accounts_with: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Role(Entity):
    function: str | None = None
    level: str | None = None
    headcount: int = 0
    base_salary: float | None = None
    customer_facing: bool = False
    decision_rights: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class System(Entity):
    status: str | None = None
    capabilities: tuple[str, ...] = ()
    available_from: _dt.date | None = None


@dataclass(frozen=True, slots=True)
class Body(Entity):
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Offer(Entity):
    model: str | None = None
    status: str | None = None
    available_from: _dt.date | None = None
    sold_by: tuple[str, ...] = ()
    delivered_by: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    requires_system_capabilities: tuple[str, ...] = ()
    credit_basis: str | None = None


@dataclass(frozen=True, slots=True)
class Investment(Entity):
    budget: str = ""
    amount: float = 0.0
    priority: str | None = None
    drivers: tuple[str, ...] = ()
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class RunBudget(Entity):
    budget: str = ""
    function: str | None = None
    amount: float | None = None
    headcount: int | None = None


@dataclass(frozen=True, slots=True)
class Budget(Entity):
    currency: str | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    investments: tuple[Investment, ...] = ()
    run_budget: tuple[RunBudget, ...] = ()


@dataclass(frozen=True, slots=True)
class Org(Entity):
    listed: bool = False
    jurisdiction: str | None = None


class Reference(NamedTuple):
    """A typed reference from one field to an entity of a given kind."""

    source: str
    field: str
    target_kinds: tuple[str, ...]
    value: str
    loc: Loc


class Definition(NamedTuple):
    id: str
    kind: str
    loc: Loc


# --------------------------------------------------------------------------- building


class _Builder:
    def __init__(self) -> None:
        self.refs: list[Reference] = []
        self.definitions: list[Definition] = []

    def define(self, kind: str, ident: str, loc: Loc) -> None:
        self.definitions.append(Definition(ident, kind, loc))

    def ref(self, source: str, raw: Mapping[str, Any], name: str, kinds: tuple[str, ...], loc: Loc) -> None:
        value = raw.get(name)
        if isinstance(value, str):
            self.refs.append(Reference(source, name, kinds, value, loc.at(name)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    self.refs.append(Reference(source, name, kinds, item, loc.at(name, i)))


ROLE_OR_BODY = ("role", "body")


def build(documents: Iterable[Document], taxonomy: Taxonomy, as_of: _dt.date) -> Model:
    """Turn schema-valid documents into a model (invalid ones must already be filtered out)."""
    b = _Builder()
    model = Model(taxonomy=taxonomy, as_of=as_of)
    for doc in documents:
        data = doc.data
        loc = Loc(doc.file, doc.index, ())
        ident = str(data.get("id"))
        kind = doc.kind or ""
        b.define(kind, ident, loc.at("id"))
        if kind != "Org":
            b.ref(ident, data, "owner", ROLE_OR_BODY, loc)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(b, model, data, loc)
    # Only references that resolve to nothing are kept: on a large repository the resolved
    # ones would cost tens of MB and no rule needs them once they are known to resolve.
    model.references = tuple(r for r in b.refs if not any(r.value in model.index(k) for k in r.target_kinds))
    model.reference_count = len(b.refs)
    counts: dict[str, int] = defaultdict(int)
    for definition in b.definitions:
        counts[definition.id] += 1
    # Likewise only ids defined more than once are kept (for duplicate-id).
    model.definitions = tuple(d for d in b.definitions if counts[d.id] > 1)
    return model


def _strategy(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    eff = d.get("effective") or {}
    shift = d.get("shift") or {}
    priorities = []
    for i, p in enumerate(d.get("priorities") or []):
        ploc = loc.at("priorities", i)
        pid = str(p["id"])
        b.define("priority", pid, ploc.at("id"))
        b.ref(pid, p, "accountable", ("role",), ploc)
        b.ref(pid, p, "contributors", ("function",), ploc)
        req = p.get("requires") or {}
        b.ref(pid, req, "functions", ("function",), ploc.at("requires"))
        targets = []
        for j, t in enumerate(p.get("targets") or []):
            tloc = ploc.at("targets", j)
            b.ref(pid, t, "kpi", ("kpi",), tloc)
            targets.append(Target(f"{pid}#{j}", tloc, t, kpi=_str(t.get("kpi")), value=_num(t.get("value")),
                                  by=_date(t.get("by"))))
        priorities.append(Priority(
            pid, ploc, p, strategy=str(d["id"]), title=str(p.get("title") or ""), weight=_num(p.get("weight")) or 0.0,
            change=_str(p.get("change")), horizon_months=_int(p.get("horizon_months")), drivers=_t(p.get("drivers")),
            accountable=_str(p.get("accountable")), contributors=_t(p.get("contributors")), targets=tuple(targets),
            requires_functions=_t(req.get("functions")), requires_offer_models=_t(req.get("offer_models")),
            requires_system_capabilities=_t(req.get("system_capabilities"))))
    s = Strategy(str(d["id"]), loc, d, title=str(d.get("title") or ""), owner=_str(d.get("owner")),
                 status=_str(d.get("status")), approved_on=_date(d.get("approved_on")), start=_date(eff.get("from")),
                 end=_date(eff.get("to")), from_drivers=_t(shift.get("from_drivers")),
                 to_drivers=_t(shift.get("to_drivers")), priorities=tuple(priorities))
    m.strategies[s.id] = s
    for p in priorities:
        m.priorities.setdefault(p.id, p)


def _objectives(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    eff = d.get("effective") or {}
    start, end = _date(eff.get("from")), _date(eff.get("to"))
    for i, o in enumerate(d.get("objectives") or []):
        oloc = loc.at("objectives", i)
        oid = str(o["id"])
        b.define("objective", oid, oloc.at("id"))
        b.ref(oid, o, "org_unit", ("function",), oloc)
        b.ref(oid, o, "parent", ("priority", "objective"), oloc)
        b.ref(oid, o, "owner", ("role",), oloc)
        b.ref(oid, o, "agreed_with", ("role",), oloc)
        krs = []
        for j, kr in enumerate(o.get("key_results") or []):
            kloc = oloc.at("key_results", j)
            b.ref(oid, kr, "kpi", ("kpi",), kloc)
            krs.append(KeyResult(f"{oid}#{j}", kloc, kr, kpi=_str(kr.get("kpi")), target=_num(kr.get("target"))))
        m.objectives.setdefault(oid, Objective(
            oid, oloc, o, set_id=str(d["id"]), title=str(o.get("title") or ""), level=_str(o.get("level")),
            org_unit=_str(o.get("org_unit")), parent=_str(o.get("parent")), owner=_str(o.get("owner")),
            type=_str(o.get("type")), key_results=tuple(krs), agreed_with=_t(o.get("agreed_with")),
            start=start, end=end))


def _kpis(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    for i, k in enumerate(d.get("kpis") or []):
        kloc = loc.at("kpis", i)
        kid = str(k["id"])
        b.define("kpi", kid, kloc.at("id"))
        b.ref(kid, k, "owner", ("role",), kloc)
        b.ref(kid, k, "data_source", ("system",), kloc)
        b.ref(kid, k, "paired_with", ("kpi",), kloc)
        b.ref(kid, k, "replaced_by", ("kpi",), kloc)
        baseline = k.get("baseline")
        m.kpis.setdefault(kid, Kpi(
            kid, kloc, k, name=str(k.get("name") or kid), drivers=_t(k.get("drivers")), owner=_str(k.get("owner")),
            data_source=_str(k.get("data_source")), refresh=_str(k.get("refresh")),
            measurable_at=_str(k.get("measurable_at")), verification=_str(k.get("verification")),
            gameability=_str(k.get("gameability")), paired_with=_t(k.get("paired_with")),
            realization_lag_months=_int(k.get("realization_lag_months")),
            baseline=baseline if isinstance(baseline, dict) else None, introduced=_date(k.get("introduced")),
            status=_str(k.get("status")), replaced_by=_str(k.get("replaced_by"))))


def _plan(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    pid = str(d["id"])
    b.ref(pid, d, "eligible_roles", ("role",), loc)
    b.ref(pid, d, "credit_offers", ("offer",), loc)
    b.ref(pid, d, "acknowledged_by", ("role",), loc)
    eff = d.get("effective") or {}
    ti = d.get("target_incentive")
    mix = d.get("pay_mix") or {}
    deferral = d.get("deferral") or {}
    clawback = d.get("clawback")
    windfall = d.get("windfall_review")
    components = []
    for i, c in enumerate(d.get("components") or []):
        cloc = loc.at("components", i)
        cid = str(c.get("id") or f"component-{i + 1}")
        key = f"{pid}.{cid}"
        b.ref(key, c, "kpi", ("kpi",), cloc)
        b.ref(key, c, "objective", ("objective",), cloc)
        b.ref(key, c, "priority", ("priority",), cloc)
        target = c.get("target") if isinstance(c.get("target"), dict) else {}
        cap = c.get("cap")
        multipliers = [_num(a.get("multiplier")) or 1.0 for a in (c.get("accelerators") or []) if isinstance(a, dict)]
        components.append(Component(
            cid, cloc, c, plan=pid, kpi=_str(c.get("kpi")), objective=_str(c.get("objective")),
            weight=_num(c.get("weight")) or 0.0, type=_str(c.get("type")), measured_at=_str(c.get("measured_at")),
            target_basis=_str(target.get("basis")), uplift_pct=_num(target.get("uplift_pct")),
            threshold=_num(c.get("threshold")), excellence=_num(c.get("excellence")), cap=_num(cap),
            uncapped=cap is None or cap == "none", max_multiplier=max([1.0, *multipliers]),
            credit_on=_str(c.get("credit_on")), performance_period_months=_int(c.get("performance_period_months")),
            priority=_str(c.get("priority"))))
    plan = Plan(
        pid, loc, d, title=str(d.get("title") or ""), owner=_str(d.get("owner")), status=_str(d.get("status")),
        plan_type=_str(d.get("plan_type")), eligible_roles=_t(d.get("eligible_roles")), start=_date(eff.get("from")),
        end=_date(eff.get("to")), last_reviewed=_date(d.get("last_reviewed")), currency=_str(d.get("currency")),
        variable_mix=_num(mix.get("variable")) if isinstance(mix, dict) else None,
        target_amount=_num(ti), target_pct_of_base=_num(ti.get("pct_of_base")) if isinstance(ti, dict) else None,
        payout_frequency=_str(d.get("payout_frequency")),
        deferral_pct=_num(deferral.get("pct")) if isinstance(deferral, dict) else None,
        deferral_months=_int(deferral.get("months")) if isinstance(deferral, dict) else None,
        has_clawback=isinstance(clawback, dict),
        clawback_months=_int(clawback.get("lookback_months")) if isinstance(clawback, dict) else None,
        has_windfall_review=bool(windfall) and windfall != "none", credit_offers=_t(d.get("credit_offers")),
        acknowledged_by=_t(d.get("acknowledged_by")), communicated_on=_date(d.get("communicated_on")),
        components=tuple(components))
    m.plans.setdefault(pid, plan)


def _org(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    oid = str(d["id"])
    b.ref(oid, d, "owner", ROLE_OR_BODY, loc)
    m.orgs[oid] = Org(oid, loc, d, listed=bool(d.get("listed")), jurisdiction=_str(d.get("jurisdiction")))
    for i, x in enumerate(d.get("bodies") or []):
        xloc = loc.at("bodies", i)
        b.define("body", str(x["id"]), xloc.at("id"))
        m.bodies.setdefault(str(x["id"]), Body(str(x["id"]), xloc, x, type=_str(x.get("type"))))
    for i, f in enumerate(d.get("functions") or []):
        floc = loc.at("functions", i)
        fid = str(f["id"])
        b.define("function", fid, floc.at("id"))
        b.ref(fid, f, "head", ("role",), floc)
        b.ref(fid, f, "shares_accounts_with", ("function",), floc)
        plan = f.get("headcount_plan")
        m.functions.setdefault(fid, Function(
            fid, floc, f, status=_str(f.get("status")), head=_str(f.get("head")), headcount=_int(f.get("headcount")),
            headcount_plan=plan if isinstance(plan, dict) else {}, available_from=_date(f.get("available_from")),
            customer_facing=bool(f.get("customer_facing")), shares_accounts_with=_t(f.get("shares_accounts_with"))))
    for i, r in enumerate(d.get("roles") or []):
        rloc = loc.at("roles", i)
        rid = str(r["id"])
        b.define("role", rid, rloc.at("id"))
        b.ref(rid, r, "function", ("function",), rloc)
        b.ref(rid, r, "plans", ("plan",), rloc)
        m.roles.setdefault(rid, Role(
            rid, rloc, r, function=_str(r.get("function")), level=_str(r.get("level")),
            headcount=_int(r.get("headcount")) or 0, base_salary=_num(r.get("base_salary")),
            customer_facing=bool(r.get("customer_facing")), decision_rights=_t(r.get("decision_rights")),
            plans=_t(r.get("plans"))))
    for i, s in enumerate(d.get("systems") or []):
        sloc = loc.at("systems", i)
        sid = str(s["id"])
        b.define("system", sid, sloc.at("id"))
        m.systems.setdefault(sid, System(sid, sloc, s, status=_str(s.get("status")),
                                         capabilities=_t(s.get("capabilities")),
                                         available_from=_date(s.get("available_from"))))


def _offers(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    for i, o in enumerate(d.get("offers") or []):
        oloc = loc.at("offers", i)
        oid = str(o["id"])
        b.define("offer", oid, oloc.at("id"))
        b.ref(oid, o, "sold_by", ("function",), oloc)
        b.ref(oid, o, "delivered_by", ("function",), oloc)
        b.ref(oid, o, "priorities", ("priority",), oloc)
        m.offers.setdefault(oid, Offer(
            oid, oloc, o, model=_str(o.get("model")), status=_str(o.get("status")),
            available_from=_date(o.get("available_from")), sold_by=_t(o.get("sold_by")),
            delivered_by=_t(o.get("delivered_by")), priorities=_t(o.get("priorities")),
            requires_system_capabilities=_t(o.get("requires_system_capabilities")),
            credit_basis=_str(o.get("credit_basis"))))


def _budget(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    bid = str(d["id"])
    eff = d.get("effective") or {}
    investments = []
    for i, x in enumerate(d.get("investments") or []):
        xloc = loc.at("investments", i)
        xid = str(x.get("id") or f"{bid}#{i}")
        if "id" in x:
            b.define("investment", xid, xloc.at("id"))
        b.ref(xid, x, "priority", ("priority",), xloc)
        b.ref(xid, x, "owner", ("role",), xloc)
        investments.append(Investment(xid, xloc, x, budget=bid, amount=_num(x.get("amount")) or 0.0,
                                      priority=_str(x.get("priority")), drivers=_t(x.get("drivers")),
                                      owner=_str(x.get("owner"))))
    runs = []
    for i, r in enumerate(d.get("run_budget") or []):
        rloc = loc.at("run_budget", i)
        b.ref(bid, r, "function", ("function",), rloc)
        runs.append(RunBudget(f"{bid}#{i}", rloc, r, budget=bid, function=_str(r.get("function")),
                              amount=_num(r.get("amount")), headcount=_int(r.get("headcount"))))
    m.budgets.setdefault(bid, Budget(bid, loc, d, currency=_str(d.get("currency")), start=_date(eff.get("from")),
                                     end=_date(eff.get("to")), investments=tuple(investments),
                                     run_budget=tuple(runs)))


_HANDLERS = {
    "Strategy": _strategy,
    "ObjectiveSet": _objectives,
    "KpiCatalog": _kpis,
    "IncentivePlan": _plan,
    "Org": _org,
    "OfferCatalog": _offers,
    "Budget": _budget,
}


# --------------------------------------------------------------------------- the model


@dataclass
class Share:
    """Where target variable pay flows: amounts by bucket (priority id, legacy, unaligned)."""

    amounts: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.amounts.values())

    def fractions(self) -> dict[str, float]:
        total = self.total
        return {k: v / total for k, v in sorted(self.amounts.items())} if total else {}


@dataclass
class Divergence:
    """The total-variation distance between where pay flows (q) and the strategy's weights (pi)."""

    score: float
    q: dict[str, float]
    pi: dict[str, float]
    total_pay: float

    def contributors(self) -> list[tuple[str, float, float]]:
        """Buckets ordered by how much they add to the score: (bucket, q, pi)."""
        keys = sorted(set(self.q) | set(self.pi))
        rows = [(k, self.q.get(k, 0.0), self.pi.get(k, 0.0)) for k in keys]
        return sorted(rows, key=lambda r: (-abs(r[1] - r[2]), r[0]))


@dataclass(eq=False)  # one run's state: identical only to itself (and hashable by identity)
class Model:
    """Every entity by id, plus the derived facts rules share."""

    taxonomy: Taxonomy
    as_of: _dt.date
    strategies: dict[str, Strategy] = field(default_factory=dict)
    priorities: dict[str, Priority] = field(default_factory=dict)
    objectives: dict[str, Objective] = field(default_factory=dict)
    kpis: dict[str, Kpi] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    systems: dict[str, System] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)
    budgets: dict[str, Budget] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    #: references that point at no defined entity (see ``build``)
    references: tuple[Reference, ...] = ()
    reference_count: int = 0
    #: definitions of ids that are defined more than once
    definitions: tuple[Definition, ...] = ()
    issues: tuple[Issue, ...] = ()
    assume_rollover: bool = True

    # ---- indexes -------------------------------------------------------------------

    def index(self, kind: str) -> Mapping[str, Entity]:
        """Entities of one reference kind (``kpi``, ``role``, ``function`` ...)."""
        return self._indexes().get(kind, {})

    def _indexes(self) -> dict[str, Mapping[str, Entity]]:
        # The tables themselves, not copies: the mapping stays right while ``build`` fills them.
        cached: dict[str, Mapping[str, Entity]] | None = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {
                "kpi": self.kpis, "role": self.roles, "function": self.functions, "system": self.systems,
                "body": self.bodies, "offer": self.offers, "priority": self.priorities,
                "objective": self.objectives, "plan": self.plans, "strategy": self.strategies,
                "budget": self.budgets,
            }
            self.__dict__["_index_cache"] = cached
        return cached

    @property
    def strategy(self) -> Strategy | None:
        """The strategy in force on the as-of date (else the latest approved, else any)."""
        return self._strategy()

    @_memo
    def _strategy(self) -> Strategy | None:
        ranked = sorted(self.strategies.values(), key=lambda s: (s.start or _dt.date.min, s.id))
        live = [s for s in ranked if s.status not in ("draft", "retired")]
        for s in reversed(live):
            if (s.start is None or s.start <= self.as_of) and (s.end is None or self.as_of <= s.end):
                return s
        future = [s for s in live if s.start and s.start > self.as_of]
        if future:
            return future[0]
        candidates = live or ranked
        return candidates[-1] if candidates else None

    @property
    def strategy_start(self) -> _dt.date:
        s = self.strategy
        return s.start if s and s.start else self.as_of

    def strategy_priorities(self) -> tuple[Priority, ...]:
        s = self.strategy
        return s.priorities if s else ()

    # ---- plans in force ------------------------------------------------------------

    def plan_live(self, plan: Plan, day: _dt.date | None = None) -> bool:
        """Approved or active and effective on ``day`` (default: as-of)."""
        return plan.status in ("approved", "active", None) and plan.covers(day or self.as_of)

    def plans_for_role(self, role_id: str, day: _dt.date | None = None) -> list[Plan]:
        """The plans paying a role on ``day``; with rollover, its latest expired plan."""
        return self._plans_for_role(role_id, day or self.as_of)

    def plans_naming_role(self, role_id: str) -> tuple[Plan, ...]:
        """Every plan listing the role as eligible, whatever its status or dates, by id."""
        return self._plans_by_role().get(role_id, ())

    @_memo
    def _plans_by_role(self) -> dict[str, tuple[Plan, ...]]:
        out: dict[str, list[Plan]] = defaultdict(list)
        for pid in sorted(self.plans):
            for role in dict.fromkeys(self.plans[pid].eligible_roles):
                out[role].append(self.plans[pid])
        return {k: tuple(v) for k, v in out.items()}

    @_memo
    def _plans_for_role(self, role_id: str, day: _dt.date) -> list[Plan]:
        mine = list(self.plans_naming_role(role_id))
        live = sorted((p for p in mine if self.plan_live(p, day)), key=lambda p: p.id)
        if live or not self.assume_rollover:
            return live
        expired = [p for p in mine if p.status in ("approved", "active", None) and p.end and p.end < day]
        if not expired:
            return []
        latest = max(expired, key=lambda p: (p.end or _dt.date.min, p.id))
        return [latest]

    @_memo
    def in_force(self) -> dict[str, tuple[str, ...]]:
        """plan id -> the roles it pays on the as-of date (rollover included), sorted."""
        out: dict[str, list[str]] = defaultdict(list)
        for rid in sorted(self.roles):
            for plan in self.plans_for_role(rid):
                out[plan.id].append(rid)
        for plan in self.plans.values():  # plans whose roles are not in any Org still count
            if plan.id not in out and self.plan_live(plan) and not any(r in self.roles for r in plan.eligible_roles):
                out[plan.id] = []
        return {k: tuple(v) for k, v in sorted(out.items())}

    def in_force_plans(self) -> list[Plan]:
        return list(self._in_force_plans())

    @_memo
    def _in_force_plans(self) -> tuple[Plan, ...]:
        return tuple(self.plans[p] for p in self.in_force())

    def rolled_over(self, plan: Plan) -> bool:
        """True when the plan is paid only because its roles have nothing newer."""
        return plan.id in self.in_force() and not self.plan_live(plan)

    def role_target(self, plan: Plan, role: Role) -> float:
        if plan.target_amount is not None:
            return plan.target_amount
        if plan.target_pct_of_base is not None and role.base_salary is not None:
            return plan.target_pct_of_base / 100 * role.base_salary
        return 0.0

    @_memo
    def target_incentive(self, plan_id: str) -> float:
        """TI(plan): headcount x target incentive over the roles it pays."""
        plan = self.plans[plan_id]
        roles = self.in_force().get(plan_id, ())
        return sum(self.roles[r].headcount * self.role_target(plan, self.roles[r]) for r in roles)

    def plan_functions(self, plan: Plan) -> tuple[str, ...]:
        return self._plan_functions(plan.id)

    @_memo
    def _plan_functions(self, plan_id: str) -> tuple[str, ...]:
        plan = self.plans[plan_id]
        roles = self.in_force().get(plan.id) or plan.eligible_roles
        functions = {role.function for role in (self.roles[r] for r in roles if r in self.roles) if role.function}
        return tuple(sorted(functions))

    def is_executive_plan(self, plan: Plan) -> bool:
        return self._is_executive_plan(plan.id)

    @_memo
    def _is_executive_plan(self, plan_id: str) -> bool:
        plan = self.plans[plan_id]
        roles = [self.roles[r] for r in plan.eligible_roles if r in self.roles]
        return bool(roles) and all(r.level == "executive" for r in roles)

    # ---- where pay flows ---------------------------------------------------------------

    def kpi_map(self, kpi_id: str | None) -> dict[str, float]:
        """map(kpi): fractions over priority ids, ``legacy`` and ``unaligned`` (rules.md 3.0)."""
        return self._kpi_map(kpi_id)

    @_memo
    def _kpi_map(self, kpi_id: str | None) -> dict[str, float]:
        kpi = self.kpis.get(kpi_id or "")
        strategy = self.strategy
        if kpi is None or strategy is None:
            return {UNALIGNED: 1.0}
        if set(kpi.drivers) & set(strategy.from_drivers):
            return {LEGACY: 1.0}
        named = [p.id for p in strategy.priorities if any(t.kpi == kpi.id for t in p.targets)]
        if not named:
            named = [p.id for p in strategy.priorities if set(p.drivers) & set(kpi.drivers)]
        if not named:
            return {UNALIGNED: 1.0}
        return {p: 1.0 / len(named) for p in sorted(named)}

    def components_paying_on(self) -> dict[str, list[Component]]:
        """KPI id -> components of in-force plans (roll-over included) that pay on it."""
        return {k: list(v) for k, v in self._components_paying_on().items()}

    @_memo
    def _components_paying_on(self) -> dict[str, tuple[Component, ...]]:
        out: dict[str, list[Component]] = defaultdict(list)
        for plan in self.in_force_plans():
            for c in plan.components:
                if c.kpi:
                    out[c.kpi].append(c)
        return {k: tuple(v) for k, v in out.items()}

    def current_objectives(self) -> list[Objective]:
        """Objectives whose set has not ended by the as-of date, by id."""
        return [o for _, o in sorted(self.objectives.items()) if o.end is None or o.end >= self.as_of]

    def objective_priority(self, objective_id: str | None) -> str | None:
        """The priority an objective rolls up to through its parents, if any."""
        seen: set[str] = set()
        current = objective_id
        while current and current not in seen:
            seen.add(current)
            if current in self.priorities:
                return current
            obj = self.objectives.get(current)
            current = obj.parent if obj else None
        return None

    def component_map(self, component: Component) -> dict[str, float]:
        """Where a component's pay flows; ``priority`` overrides, objectives follow their parents."""
        if component.priority and component.priority in self.priorities:
            return {component.priority: 1.0}
        if component.kpi:
            return self.kpi_map(component.kpi)
        if component.objective:
            target = self.objective_priority(component.objective)
            if target is not None:
                return {target: 1.0}
            obj = self.objectives.get(component.objective)
            if obj and obj.key_results:
                merged: dict[str, float] = defaultdict(float)
                for kr in obj.key_results:
                    for k, v in self.kpi_map(kr.kpi).items():
                        merged[k] += v / len(obj.key_results)
                return dict(merged)
        return {UNALIGNED: 1.0}

    def component_drivers(self, component: Component) -> tuple[str, ...]:
        kpi = self.kpis.get(component.kpi or "")
        return kpi.drivers if kpi else ()

    def plan_share(self, plan: Plan) -> Share:
        """The plan's target incentive split over buckets."""
        return Share(dict(self._plan_share(plan.id)))

    @_memo
    def _plan_share(self, plan_id: str) -> tuple[tuple[str, float], ...]:
        plan = self.plans[plan_id]
        amounts: dict[str, float] = {}
        ti = self.target_incentive(plan.id)
        for c in plan.components:
            if c.type in ("gate", "modifier"):
                continue
            for bucket, fraction in self.component_map(c).items():
                amounts[bucket] = amounts.get(bucket, 0.0) + ti * c.weight / 100 * fraction
        return tuple(amounts.items())

    def pay_share(self, plans: Sequence[Plan] | None = None) -> Share:
        total = Share()
        for plan in self.in_force_plans() if plans is None else plans:
            for k, v in self.plan_share(plan).amounts.items():
                total.amounts[k] = total.amounts.get(k, 0.0) + v
        return total

    def divergence(self, plans: Sequence[Plan] | None = None, function: str | None = None) -> Divergence | None:
        """D = 1/2 sum |q - pi| (rules.md 3.4), overall or for one function's plans."""
        priorities = self.strategy_priorities()
        if function is not None:
            priorities = tuple(p for p in priorities if function in p.contributors)
        weight_total = sum(p.weight for p in priorities)
        if not priorities or weight_total <= 0:
            return None
        share = self.pay_share(plans)
        if share.total <= 0:
            return None
        q = share.fractions()
        pi = {p.id: p.weight / weight_total for p in priorities}
        keys = set(q) | set(pi)
        score = 0.5 * sum(abs(q.get(k, 0.0) - pi.get(k, 0.0)) for k in keys)
        return Divergence(score, q, pi, share.total)

    def function_plans(self, function: str) -> list[Plan]:
        """In-force, non-executive plans that pay roles of ``function``."""
        return list(self._plans_by_function().get(function, ()))

    @_memo
    def _plans_by_function(self) -> dict[str, tuple[Plan, ...]]:
        out: dict[str, list[Plan]] = defaultdict(list)
        for plan in self.in_force_plans():
            if self.is_executive_plan(plan):
                continue
            for function in self.plan_functions(plan):
                out[function].append(plan)
        return {k: tuple(v) for k, v in out.items()}

    def all_entities(self) -> Iterator[Entity]:
        for table in (self.strategies, self.priorities, self.objectives, self.kpis, self.plans, self.functions,
                      self.roles, self.systems, self.bodies, self.offers, self.budgets, self.orgs):
            yield from table.values()
