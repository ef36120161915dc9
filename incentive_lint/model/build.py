"""Building the model: schema-valid documents -> entities indexed by id, with every reference
and definition recorded (the ones that point nowhere feed ``dangling-reference``)."""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from typing import Any, Iterable, Mapping, Sequence

from incentive_lint.read.documents import Document
from incentive_lint.model.taxonomy import Taxonomy
from incentive_lint.model.core import (Model)
from incentive_lint.model.invalid_document import InvalidDocument
from incentive_lint.model.entities import (Body, Budget, Component, CurrencyRates, Rate, Definition, Function, Investment, KeyResult, Kpi, Loc, Objective, Offer, Org, Plan, Priority, Reference, Role, RunBudget, Strategy, System, Target, _date, _int, _num, _str, _t)

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


class BuildMemo:
    """Plans built in earlier runs of a long-lived session (the language server), by document:
    a plan whose document data is the very same object as last time (its file was not read
    again) is not built again. Entities are frozen, so sharing them between runs is safe; what
    building a plan added (its references) is replayed. Plans are most of the documents and
    most of the building; the other kinds are built every time."""

    def __init__(self) -> None:
        self.plans: dict[tuple[str, int], tuple[Any, Plan, list[Reference]]] = {}


def build(documents: Iterable[Document], taxonomy: Taxonomy, as_of: _dt.date,
          invalid: Sequence[InvalidDocument] = (), memo: BuildMemo | None = None) -> Model:
    """Turn schema-valid documents into a model (invalid ones must already be filtered out);
    the ``invalid`` documents only lend their ids, so that references to them are not dangling.
    With ``memo``, plans whose documents did not change are taken from earlier runs."""
    b = _Builder()
    seen: set[tuple[str, int]] = set()
    model = Model(taxonomy=taxonomy, as_of=as_of)
    model.invalid_documents = tuple(invalid)
    model.invalid_ids = invalid_ids(model.invalid_documents)
    for doc in documents:
        data = doc.data
        loc = Loc(doc.file, doc.index, ())
        ident = str(data.get("id"))
        kind = doc.kind or ""
        b.define(kind, ident, loc.at("id"))
        if kind != "Org":
            b.ref(ident, data, "owner", ROLE_OR_BODY, loc)
        if memo is not None and kind == "IncentivePlan":
            where = (doc.file, doc.index)
            seen.add(where)
            hit = memo.plans.get(where)
            if hit is not None and hit[0] is data:
                b.refs.extend(hit[2])
                model.plans.setdefault(hit[1].id, hit[1])
                continue
            start = len(b.refs)
            plan = _plan(b, model, data, loc)
            memo.plans[where] = (data, plan, b.refs[start:])
            continue
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(b, model, data, loc)
    if memo is not None:
        for gone in set(memo.plans) - seen:  # files deleted or no longer valid
            del memo.plans[gone]
    # Only references that resolve to nothing are kept: on a large repository the resolved
    # ones would cost tens of MB and no rule needs them once they are known to resolve.
    tables: dict[tuple[str, ...], tuple[Mapping[str, Any], ...]] = {}
    unresolved = []
    for r in b.refs:
        found = tables.get(r.target_kinds)
        if found is None:
            found = tables[r.target_kinds] = tuple(model.index(k) for k in r.target_kinds)
        if not any(r.value in table for table in found):
            unresolved.append(r)
    model.references = tuple(unresolved)
    if model.invalid_documents:
        model.references = _link_invalid(model, model.references)
    model.reference_count = len(b.refs)
    counts: dict[str, int] = defaultdict(int)
    for definition in b.definitions:
        counts[definition.id] += 1
    # Likewise only ids defined more than once are kept (for duplicate-id).
    model.definitions = tuple(d for d in b.definitions if counts[d.id] > 1)
    return model


#: Where each kind keeps the ids other documents refer to: (list field, or None for the
#: document's own id; the reference kind of those ids). Read from invalid documents only.
ID_FIELDS: dict[str, tuple[tuple[str | None, str], ...]] = {
    "Strategy": ((None, "strategy"), ("priorities", "priority")),
    "ObjectiveSet": ((None, "objective-set"), ("objectives", "objective")),
    "KpiCatalog": ((None, "kpi-catalog"), ("kpis", "kpi")),
    "IncentivePlan": ((None, "plan"), ("components", "component")),
    "Org": ((None, "org"), ("bodies", "body"), ("functions", "function"), ("roles", "role"), ("systems", "system")),
    "OfferCatalog": ((None, "offer-catalog"), ("offers", "offer")),
    "Budget": ((None, "budget"), ("investments", "investment")),
}


def document_ids(doc: InvalidDocument) -> list[tuple[str, str]]:
    """(reference kind, id) of every id an invalid document defines, read defensively: its data
    failed validation, so any field may be missing or of the wrong type."""
    data = doc.data if isinstance(doc.data, Mapping) else {}
    own = doc.id if isinstance(doc.id, str) else None
    out: list[tuple[str, str]] = []
    for name, kind in ID_FIELDS.get(doc.kind, ((None, doc.kind.lower()),)):
        if name is None:
            if own is not None:
                out.append((kind, own))
            continue
        items = data.get(name)
        for item in items if isinstance(items, list) else ():
            ident = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(ident, str):
                # plan components are known to rules by plan id and component id (``Component.key``)
                out.append((kind, f"{own}.{ident}" if kind == "component" and own else ident))
    return out


def invalid_ids(documents: Sequence[InvalidDocument]) -> dict[str, dict[str, frozenset[int]]]:
    """reference kind -> id -> the invalid documents (by index) that define it."""
    found: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for index, doc in enumerate(documents):
        for kind, ident in document_ids(doc):
            found[kind][ident].add(index)
    return {k: {i: frozenset(v) for i, v in sorted(ids.items())} for k, ids in sorted(found.items())}


def _link_invalid(model: Model, unresolved: tuple[Reference, ...]) -> tuple[Reference, ...]:
    """Drop the references that name an id of an invalid document (they are known, only
    invalid) and record which entities depend on an invalid document; returns the rest."""
    links: dict[str, set[int]] = defaultdict(set)
    locs: dict[tuple[str, int], dict[tuple[Any, ...], set[int]]] = defaultdict(lambda: defaultdict(set))
    for ids in model.invalid_ids.values():
        for ident, found in ids.items():
            links[ident].update(found)
    kept: list[Reference] = []
    for r in unresolved:
        docs = {d for k in r.target_kinds for d in model.invalid_ids.get(k, {}).get(r.value, ())}
        if not docs:
            kept.append(r)
            continue
        links[r.source].update(docs)
        path = r.loc.path[:-1] if r.loc.path and isinstance(r.loc.path[-1], int) else r.loc.path
        locs[(r.loc.file, r.loc.doc)][path[:-1]].update(docs)  # the referring entity: the path without the field
    model.invalid_links = {k: frozenset(v) for k, v in sorted(links.items())}
    model.invalid_locs = {key: tuple((p, frozenset(d)) for p, d in sorted(paths.items(), key=lambda x: tuple(map(str, x[0]))))
                          for key, paths in sorted(locs.items())}
    return tuple(kept)


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


def _plan(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> Plan:
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
        clawback_triggers=_t(clawback.get("triggers")) if isinstance(clawback, dict) else (),
        has_windfall_review=bool(windfall) and windfall != "none", credit_offers=_t(d.get("credit_offers")),
        acknowledged_by=_t(d.get("acknowledged_by")), communicated_on=_date(d.get("communicated_on")),
        components=tuple(components))
    m.plans.setdefault(pid, plan)
    return plan


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


def _rates(b: _Builder, m: Model, d: Mapping[str, Any], loc: Loc) -> None:
    rid = str(d["id"])
    eff = d.get("effective") or {}
    rates = []
    for i, r in enumerate(d.get("rates") or []):
        if not isinstance(r, dict):
            continue
        rloc = loc.at("rates", i)
        currency = _str(r.get("currency")) or ""
        rates.append(Rate(f"{rid}#{i}", rloc, r, currency=currency, rate=_num(r.get("rate")),
                          start=_date(r.get("effective_from")), end=_date(r.get("effective_to"))))
    m.currency_rates.setdefault(rid, CurrencyRates(
        rid, loc, d, owner=_str(d.get("owner")), status=_str(d.get("status")), start=_date(eff.get("from")),
        end=_date(eff.get("to")), reporting_currency=_str(d.get("reporting_currency")), rates=tuple(rates)))


_HANDLERS = {
    "Strategy": _strategy,
    "ObjectiveSet": _objectives,
    "KpiCatalog": _kpis,
    "IncentivePlan": _plan,
    "Org": _org,
    "OfferCatalog": _offers,
    "Budget": _budget,
    "CurrencyRates": _rates,
}
