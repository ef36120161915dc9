"""The entities of a policy repository: frozen, slotted values built from schema-valid documents,
with their locations (``Loc``) and the references and definitions recorded for the structural rules."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from incentive_lint.base.source import Loc


LEGACY = "legacy"
#: component types that gate or scale pay instead of carrying a share of it (outside the weight sum)
NON_PAYING: tuple[str, ...] = ("gate", "modifier")
#: the bucket of pay on KPIs whose drivers no priority of the strategy names
UNALIGNED = "unaligned"
PERIOD_MONTHS = {"weekly": 0.25, "monthly": 1, "quarterly": 3, "semi-annual": 6, "semiannual": 6,
                 "annual": 12, "yearly": 12}


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
    clawback_triggers: tuple[str, ...] = ()
    has_windfall_review: bool = False
    credit_offers: tuple[str, ...] = ()
    acknowledged_by: tuple[str, ...] = ()
    communicated_on: _dt.date | None = None
    components: tuple[Component, ...] = ()

    @property
    def payout_months(self) -> float:
        return float(PERIOD_MONTHS.get(self.payout_frequency or "annual", 12))

    @property
    def paying(self) -> list[Component]:
        """The components that carry pay; gates and modifiers stay outside the weight sum."""
        return [c for c in self.components if c.type not in NON_PAYING]

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
class Rate(Entity):
    """One line of a CurrencyRates document: ``rate`` units of the reporting currency buy one unit
    of ``currency`` from ``start`` (inclusive) to ``end`` (inclusive, open when None)."""

    currency: str = ""
    rate: float | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None

    def covers(self, day: _dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class CurrencyRates(Entity):
    """Finance's exchange rates: how many units of ``reporting_currency`` one unit of each other
    currency is worth, and from when."""

    owner: str | None = None
    status: str | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    reporting_currency: str | None = None
    rates: tuple[Rate, ...] = ()

    def in_force(self, day: _dt.date) -> bool:
        """Not a draft or retired, and effective on ``day`` (no ``effective`` = always)."""
        return (self.status not in ("draft", "retired") and (self.start is None or self.start <= day)
                and (self.end is None or day <= self.end))

    def rate_on(self, currency: str, day: _dt.date) -> Rate | None:
        """The line in force for ``currency`` on ``day`` (the latest start wins)."""
        lines = [r for r in self.rates if r.currency == currency and r.rate and r.rate > 0 and r.covers(day)]
        return max(lines, key=lambda r: (r.start or _dt.date.min, r.id)) if lines else None


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
