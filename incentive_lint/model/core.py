"""The model of a policy repository, the one API rules use: entities by id and the facts derived from them.

Schema-valid documents become frozen, typed entities indexed by id. References are
resolved by id; the ones that point nowhere, and ids defined twice, are recorded for the
``dangling-reference`` and ``duplicate-id`` rules. Derived facts that several rules need
(which plans are in force, each plan's target incentive, where each KPI's pay flows, the
divergence score) are computed here once, so that the report and the findings agree.

The entities live in ``model.entities`` and their building in ``model.build``; what stays here
(over 500 lines) is the one ``Model`` class, whose memoised facts depend on each other (pay
shares on rates and roles in force, divergence on pay shares), so splitting it would split one
cache of facts across modules.
"""
from __future__ import annotations

import datetime as _dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from incentive_lint.read.documents import Issue
from incentive_lint.model.invalid_document import InvalidDocument
from incentive_lint.model.taxonomy import Taxonomy
from incentive_lint.model.entities import (Body, Budget, Component, CurrencyRates, Definition, Rate, Entity, Function, Kpi, LEGACY, Objective, Offer, Org, Plan, Priority, Reference, Role, Strategy, System, UNALIGNED)

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
    #: the currency ``total_pay`` is in (the reporting currency), None when no plan says
    currency: str | None = None
    #: plans left out of the sums because their currency has no exchange rate in force
    left_out: tuple[Plan, ...] = ()
    #: components left out because their KPI is not in the catalog (a dangling reference)
    unresolved: tuple[Component, ...] = ()

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
    currency_rates: dict[str, CurrencyRates] = field(default_factory=dict)
    #: references that point at no defined entity (see ``build``)
    references: tuple[Reference, ...] = ()
    reference_count: int = 0
    #: definitions of ids that are defined more than once
    definitions: tuple[Definition, ...] = ()
    issues: tuple[Issue, ...] = ()
    #: documents that failed validation, in reading order (see ``InvalidDocument``)
    invalid_documents: tuple[InvalidDocument, ...] = ()
    #: reference kind -> id -> indexes (into ``invalid_documents``) of the invalid documents defining it
    invalid_ids: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    #: entity id -> the invalid documents it is or refers to (its findings are held back)
    invalid_links: dict[str, frozenset[int]] = field(default_factory=dict)
    #: (file, doc) -> (node path of an entity referring to an invalid document, those documents)
    invalid_locs: dict[tuple[str, int], tuple[tuple[tuple[Any, ...], frozenset[int]], ...]] = field(default_factory=dict)
    assume_rollover: bool = True
    #: while a rule of ``scope: plan`` runs for a pre-commit check of some plan files (``check
    #: --only-files``), the ids of those plans; see :meth:`focused`
    focus: frozenset[str] | None = None

    def focused(self, plans: Iterable[Plan]) -> list[Plan]:
        """The plans a rule of ``scope: plan`` checks, one at a time: all of ``plans``, or with a
        focus only those in it. The rest of the model is whole, so what the rule reads beside the
        plan (roles, KPIs, rates, which plans are in force) is what a full run reads."""
        focus = self.focus
        return list(plans) if focus is None else [p for p in plans if p.id in focus]

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
        """TI(plan): headcount x target incentive over the roles it pays, in the plan's currency."""
        plan = self.plans[plan_id]
        roles = self.in_force().get(plan_id, ())
        return sum(self.roles[r].headcount * self.role_target(plan, self.roles[r]) for r in roles)

    def target_pay(self, plan_id: str) -> float:
        """TI(plan) in the reporting currency; 0 when the plan's currency has no rate in force
        (its pay is then left out of every sum rather than added unconverted)."""
        rate = self.rate(self.plans[plan_id].currency)
        return self.target_incentive(plan_id) * rate if rate is not None else 0.0

    # ---- money in one currency -----------------------------------------------------
    # Sums of money (pay shares, D, budget mixes) are taken in one reporting currency: the
    # CurrencyRates document's, else the one currency the plans and budgets use. Each amount
    # is converted at the rate in force on the as-of date; one without a rate is left out.

    @_memo
    def rates_in_force(self) -> tuple[CurrencyRates, ...]:
        """CurrencyRates documents in force on the as-of date, by file and id (more than one
        is a conflict; the first is used)."""
        live = [r for r in self.currency_rates.values() if r.in_force(self.as_of)]
        return tuple(sorted(live, key=lambda r: (r.loc.file, r.loc.doc, r.id)))

    @property
    def rate_document(self) -> CurrencyRates | None:
        found = self.rates_in_force()
        return found[0] if found else None

    def currencies(self) -> tuple[str, ...]:
        """Every currency an in-force plan or a current budget states, sorted."""
        return tuple(sorted(self._currency_counts()))

    @_memo
    def _currency_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for plan in self.in_force_plans():
            if plan.currency:
                counts[plan.currency] += 1
        for budget in self.current_budgets():
            if budget.currency:
                counts[budget.currency] += 1
        return dict(counts)

    def current_budgets(self) -> list[Budget]:
        """Budgets effective on the as-of date (all of them when none is), by id."""
        day = self.as_of
        live = [b for b in self.budgets.values() if (b.start is None or b.start <= day) and (b.end is None or day <= b.end)]
        return sorted(live or self.budgets.values(), key=lambda b: b.id)

    @property
    def reporting_currency(self) -> str | None:
        """The currency sums are taken in: the rates document's, else the most used one."""
        doc = self.rate_document
        if doc is not None and doc.reporting_currency:
            return doc.reporting_currency
        counts = self._currency_counts()
        return min(counts, key=lambda c: (-counts[c], c)) if counts else None

    def rate(self, currency: str | None) -> float | None:
        """Units of the reporting currency one unit of ``currency`` is worth on the as-of date:
        1 for the reporting currency itself and for amounts that name none, None without a rate."""
        reporting = self.reporting_currency
        if currency is None or reporting is None or currency == reporting:
            return 1.0
        found = self.rate_line(currency)
        return found[1].rate if found is not None else None

    def rate_line(self, currency: str) -> tuple[CurrencyRates, Rate] | None:
        """The rate line in force for ``currency`` and the document giving it: the first
        document in force (by file) in the reporting currency that has one."""
        return self._rate_line(currency)

    @_memo
    def _rate_line(self, currency: str) -> tuple[CurrencyRates, Rate] | None:
        reporting = self.reporting_currency
        for doc in self.rates_in_force():
            if doc.reporting_currency != reporting:
                continue
            line = doc.rate_on(currency, self.as_of)
            if line is not None:
                return doc, line
        return None

    def to_reporting(self, amount: float, currency: str | None) -> float | None:
        """``amount`` in ``currency`` converted to the reporting currency (None without a rate)."""
        rate = self.rate(currency)
        return amount * rate if rate is not None else None

    def money(self, amount: float, currency: str | None = None) -> str:
        """An amount with its currency, for messages: 'EUR 20,000' (the reporting currency by default)."""
        code = currency if currency is not None else self.reporting_currency
        return f"{code + ' ' if code else ''}{amount:,.0f}"

    def unconverted(self, plans: Sequence[Plan] | None = None) -> tuple[Plan, ...]:
        """Plans (in force by default) with target pay in a currency that has no rate, by id."""
        chosen = self.in_force_plans() if plans is None else plans
        return tuple(sorted((p for p in chosen if self.rate(p.currency) is None and self.target_incentive(p.id) > 0),
                            key=lambda p: p.id))

    def left_out_text(self, plans: Sequence[Plan], components: Sequence[Component] = ()) -> str:
        """" (not counting 'ip-cs-2025' JPY 16,000,000: no exchange rate to EUR in force)", or ''."""
        parts = []
        if plans:
            listed = ", ".join(f"'{p.id}' {self.money(self.target_incentive(p.id), p.currency)}" for p in plans)
            parts.append(f"{listed}: no exchange rate to {self.reporting_currency} in force")
        if components:
            listed = ", ".join(f"'{c.key}' (KPI '{c.kpi}')" for c in components)
            parts.append(f"{listed}: a KPI not in the catalog")
        return f" (not counting {'; '.join(parts)})" if parts else ""

    def unresolved(self, plans: Sequence[Plan] | None = None) -> tuple[Component, ...]:
        """Paying components of the plans (in force by default) whose KPI is not in the catalog."""
        chosen = self.in_force_plans() if plans is None else plans
        return tuple(c for p in sorted(chosen, key=lambda p: p.id) for c in p.paying
                     if c.kpi and c.kpi not in self.kpis
                     and not (c.priority and c.priority in self.priorities))

    def rates_used(self) -> tuple[str, ...]:
        """The conversions the sums use, one line per currency: '1 JPY = 0.00625 EUR (fx-2025, from 2025-01-01)'."""
        reporting = self.reporting_currency
        out = []
        for currency in self.currencies():
            found = self.rate_line(currency) if currency != reporting else None
            if found is not None and found[1].rate is not None:
                doc, line = found
                since = f", from {line.start}" if line.start else ""
                out.append(f"1 {currency} = {line.rate:g} {reporting} ({doc.id}{since})")
        return tuple(out)

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
        if kpi is None and kpi_id:
            # an unknown KPI (a typo, already a dangling-reference error): where its pay flows is
            # not known, so it flows nowhere rather than being counted as unaligned pay, which
            # would turn one typo into divergence and unaligned-pay findings of its own
            return {}
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
        """The plan's target incentive split over buckets, in the reporting currency (empty when
        the plan's currency has no rate in force)."""
        rate = self.rate(plan.currency)
        if rate is None:
            return Share()
        return Share({k: v * rate for k, v in self._plan_share(plan.id)})

    def plan_fractions(self, plan: Plan) -> dict[str, float]:
        """Which fraction of the plan's own target incentive goes to each bucket (no currency involved)."""
        return Share(dict(self._plan_share(plan.id))).fractions()

    @_memo
    def _plan_share(self, plan_id: str) -> tuple[tuple[str, float], ...]:
        plan = self.plans[plan_id]
        amounts: dict[str, float] = {}
        ti = self.target_incentive(plan.id)
        for c in plan.paying:
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
        # summed in a fixed order: over a set, the last digits of D changed with the hash seed
        keys = sorted(set(q) | set(pi))
        score = 0.5 * sum(abs(q.get(k, 0.0) - pi.get(k, 0.0)) for k in keys)
        return Divergence(score, q, pi, share.total, self.reporting_currency, self.unconverted(plans),
                          self.unresolved(plans))

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
                      self.roles, self.systems, self.bodies, self.offers, self.budgets, self.orgs,
                      self.currency_rates):
            yield from table.values()
