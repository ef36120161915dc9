"""Check functions of the engagement family: plan governance — payout timing, clawback, windfall, coverage and review (with shared helpers).

These rules look at how plans are governed (clawback, deferral, windfall review, review and
communication dates), at what the people paid by a plan can decide themselves (diagnose,
discount, report their own numbers), and at whether functions that share customers are
paid in opposite directions. They read the model only; thresholds come from the rule's
options.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Loc, Plan, Role
from incentive_lint.checks.api import CheckFunction, Hit, link, names, pct

LIVE_STATUSES = ("approved", "active", None)
CREDIT_WORDS = {"booking": "bookings", "signature": "signed contracts", "estimate": "estimated values"}
PLAN_TYPE_WORDS = {"annual-bonus": "is an annual bonus", "ltip": "is a long-term incentive plan"}


# --------------------------------------------------------------------------- helpers


def _live(plan: Plan) -> bool:
    return plan.status in LIVE_STATUSES




def _governed_plans(model: Model, rolled_over: bool = True) -> list[Plan]:
    """Plans that pay people now (in force, optionally with rolled-over ones) or will
    (approved or active with a later start), sorted by id."""
    out = {p.id: p for p in model.in_force_plans() if rolled_over or not model.rolled_over(p)}
    for plan in model.plans.values():
        if _live(plan) and plan.start is not None and plan.start > model.as_of:
            out.setdefault(plan.id, plan)
    return [out[k] for k in sorted(out)]


def _plan_at(plan: Plan, name: str) -> Loc:
    """A plan field's location, else the plan's id line."""
    return plan.loc.at(name) if name in plan.raw else plan.loc.at("id")


def _weight(value: float) -> str:
    return pct(value)


def _quote(items: Iterable[str]) -> str:
    return ", ".join(f"'{i}'" for i in sorted(set(items)))


def _kpi_links(model: Model, component: Component, label: str = "KPI") -> tuple[tuple[str, Loc], ...]:
    kpi = model.kpis.get(component.kpi or "")
    if kpi is None:
        return ()
    tags = f" is tagged {', '.join(kpi.drivers)}" if kpi.drivers else ""
    return (link(f"{label} {kpi.id}{tags}", kpi, "drivers"),)


def _contributor_functions(model: Model) -> set[str]:
    return {f for p in model.strategy_priorities() for f in p.contributors}


# --------------------------------------------------------------------------- EN13/EN14 cover

#: Words of a clawback trigger that recovers pay on a sale that does not hold (the customer
#: cancels or churns): 'contract-cancellation', 'customer-churn', 'outcome-credit-reversal' ...
CANCELLATION_TRIGGERS = ("cancellation", "cancelled", "churn", "chargeback", "reversal", "contract-termination",
                         "non-renewal")
#: Words of a clawback trigger that recovers pay on reported results that are later corrected.
RESTATEMENT_TRIGGERS = ("restatement", "misstatement", "erroneous-award")


def _trigger_matches(trigger: str, words: Iterable[str]) -> bool:
    """True when a trigger tag is one of ``words`` or contains one as whole hyphen-separated
    parts ('customer-cancellation' contains 'cancellation'; 'non-cancellable' does not)."""
    tag = f"-{trigger.lower()}-"
    return any(f"-{w.lower()}-" in tag for w in words)


@dataclass(frozen=True)
class Cover:
    """How far a plan's clawback and deferral protect pay against one risk over ``needed`` months.

    A clawback counts only when one of its triggers is for the risk; one without
    ``lookback_months`` is open-ended. A deferral counts for its months (deferred pay is not yet
    paid, so it can be withheld whatever happened)."""

    needed: float
    months: float
    text: str  # what the plan has, for the message: "no clawback/deferral", "clawback covers 12 of 36 months"
    risk: str
    clawback_matches: bool
    deferral_months: float

    @property
    def enough(self) -> bool:
        return self.months >= self.needed


def _cover(plan: Plan, needed: float, triggers: Iterable[str], risk: str, use_deferral: bool) -> Cover:
    words = tuple(triggers)
    matches = plan.has_clawback and any(_trigger_matches(t, words) for t in plan.clawback_triggers)
    claw = (float("inf") if plan.clawback_months is None else float(plan.clawback_months)) if matches else 0.0
    deferral = float(plan.deferral_months or 0) if use_deferral and (plan.deferral_pct or 0) > 0 else 0.0
    months = max(claw, deferral)
    parts: list[str] = []
    if plan.has_clawback and not matches:
        listed = ", ".join(plan.clawback_triggers) or "none"
        parts.append(f"clawback triggers ({listed}) do not cover {risk}")
    elif matches and claw < needed:
        parts.append(f"clawback covers {pct(claw)} of {pct(needed)} months")
    if deferral and deferral < needed and months < needed:
        parts.append(f"deferral ({pct(plan.deferral_pct or 0)}%) covers {pct(deferral)} of {pct(needed)} months")
    if not parts:
        parts.append("no clawback/deferral" if use_deferral else "no clawback/cancellation provision")
    return Cover(needed, months, "; ".join(parts), risk, matches, deferral)


def _cover_links(plan: Plan, cover: Cover) -> tuple[tuple[str, Loc], ...]:
    if plan.has_clawback:
        lookback = "no lookback limit" if plan.clawback_months is None else f"lookback {plan.clawback_months} months"
        out = [link(f"plan {plan.id} claws back on {', '.join(plan.clawback_triggers) or 'nothing'} ({lookback})",
                    plan, "clawback")]
    else:
        out = [link(f"plan {plan.id} has no clawback", plan, "clawback")]
    if cover.deferral_months:
        out.append(link(f"plan {plan.id} defers {pct(plan.deferral_pct or 0)}% for {pct(cover.deferral_months)} months",
                        plan, "deferral"))
    return tuple(out)


def _cover_evidence(plan: Plan, cover: Cover) -> dict[str, Any]:
    return {"needed_months": cover.needed, "covered_months": None if cover.months == float("inf") else cover.months,
            "clawback": plan.has_clawback, "clawback_months": plan.clawback_months,
            "clawback_triggers": list(plan.clawback_triggers), "clawback_covers_risk": cover.clawback_matches,
            "deferral_pct": plan.deferral_pct or 0, "deferral_months": plan.deferral_months or 0}


# --------------------------------------------------------------------------- EN13


def payout_before_value_realized(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A component credited at booking/signature/estimate is paid out before the KPI's value is
    realised (lag longer than the payout period), and neither a clawback triggered by cancellation
    or churn nor a deferral covers the realisation period."""
    events = set(options.get("credit_events", ("booking", "signature", "estimate")))
    triggers = tuple(options.get("cancellation_triggers", CANCELLATION_TRIGGERS))
    for plan in model.focused(_governed_plans(model)):
        for c in plan.paying:
            kpi = model.kpis.get(c.kpi or "")
            if kpi is None or c.credit_on not in events or kpi.realization_lag_months is None:
                continue
            lag = kpi.realization_lag_months
            if lag <= plan.payout_months:
                continue
            cover = _cover(plan, float(lag), triggers, "cancellation or churn", use_deferral=True)
            if cover.enough:
                continue
            frequency = plan.payout_frequency or "annually (no payout_frequency given)"
            yield Hit(
                at=c.field_loc("credit_on"),
                args={"component": c.key, "basis": c.credit_on, "freq": frequency, "lag": lag, "kpi": kpi.id,
                      "cover": cover.text},
                entities=(c.key, plan.id, kpi.id),
                related=(link(f"KPI {kpi.id} realises its value over {lag} months", kpi, "realization_lag_months"),
                         *_cover_links(plan, cover),
                         link(f"plan {plan.id} pays {frequency}", plan, "payout_frequency")),
                evidence={"credit_on": c.credit_on, "realization_lag_months": lag,
                          "payout_months": plan.payout_months, "weight": c.weight, **_cover_evidence(plan, cover)})


# --------------------------------------------------------------------------- EN14


def clawback_missing(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A plan paying on bookings, or an annual bonus/LTIP, has no clawback that covers its risk:
    cancellation or churn over the booked value's realisation period (at least
    ``min_booking_lookback_months``), restatement over ``min_lookback_months`` (executive plans:
    ``exec_min_lookback_months``). An error for executive plans of a listed company."""
    events = set(options.get("booking_events", ("booking", "signature", "estimate")))
    plan_types = set(options.get("plan_types", ("annual-bonus", "ltip")))
    booking_months = float(options.get("min_booking_lookback_months", 12))
    result_months = float(options.get("min_lookback_months", 12))
    exec_months = float(options.get("exec_min_lookback_months", 36))
    cancel = tuple(options.get("cancellation_triggers", CANCELLATION_TRIGGERS))
    restate = tuple(options.get("restatement_triggers", RESTATEMENT_TRIGGERS))
    listed = any(org.listed for org in model.orgs.values())
    for plan in model.focused(_governed_plans(model)):
        booked = [c for c in plan.paying if c.credit_on in events]
        needs: list[tuple[str, Cover]] = []
        if booked:
            lags = [float(k.realization_lag_months) for k in (model.kpis.get(c.kpi or "") for c in booked)
                    if k is not None and k.realization_lag_months is not None]
            needed = max([booking_months, *lags])
            kinds = " and ".join(CREDIT_WORDS.get(e, e) for e in sorted({c.credit_on or "" for c in booked}))
            needs.append((f"pays on {kinds} ({_quote(c.key for c in booked)})",
                          _cover(plan, needed, cancel, "cancellation or churn", use_deferral=False)))
        executive = model.is_executive_plan(plan)
        if plan.plan_type in plan_types:
            needed = max(result_months, exec_months) if executive else result_months
            needs.append((PLAN_TYPE_WORDS.get(plan.plan_type or "", f"is a {plan.plan_type} plan"),
                          _cover(plan, needed, restate, "restatement", use_deferral=False)))
        short = [(reason, cover) for reason, cover in needs if not cover.enough]
        if not short:
            continue
        reason, cover = short[0]
        escalate = executive and listed
        related = tuple(link(f"'{c.key}' is credited at {c.credit_on}", c, "credit_on") for c in booked)
        related += _cover_links(plan, cover)[:1]
        if escalate:
            org = next(o for o in sorted(model.orgs.values(), key=lambda o: o.id) if o.listed)
            related += (link(f"{org.id} is a listed company (clawback rules apply to executive pay)", org, "listed"),)
        text = "has no clawback/cancellation provision" if not plan.has_clawback else f"its {cover.text}"
        yield Hit(
            at=_plan_at(plan, "clawback"), args={"plan": plan.id, "reason": reason, "cover": text},
            entities=(plan.id, *(c.key for c in booked)), related=related,
            evidence={"plan_type": plan.plan_type, "booking_components": [c.key for c in booked],
                      "executive_plan": executive, "listed": listed, "risk": cover.risk,
                      **_cover_evidence(plan, cover)},
            severity=Severity.ERROR if escalate else None)


# --------------------------------------------------------------------------- EN15


def windfall_provision_missing(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A plan with an uncapped paying component has no windfall or large-deal review clause."""
    for plan in model.focused(_governed_plans(model)):
        if plan.has_windfall_review:
            continue
        uncapped = [c for c in plan.paying if c.uncapped and c.weight > 0]
        if not uncapped:
            continue
        yield Hit(
            at=_plan_at(plan, "windfall_review"), args={"plan": plan.id, "components": _quote(c.key for c in uncapped)},
            entities=(plan.id, *(c.key for c in uncapped)),
            related=tuple(link(f"'{c.key}' has no cap", c, "cap") for c in uncapped),
            evidence={"uncapped_components": [c.key for c in uncapped],
                      "max_multiplier": max(c.max_multiplier for c in uncapped)})


# --------------------------------------------------------------------------- EN20


def _driver_weight(model: Model, plan: Plan, drivers: set[str]) -> tuple[float, list[Component]]:
    hits = [c for c in plan.paying if set(model.component_drivers(c)) & drivers]
    return sum(c.weight for c in hits), hits


# --------------------------------------------------------------------------- EN30


def plan_coverage_gap(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A staffed role in a contributor function has no approved plan in force when the strategy
    starts (a plan starting within ``grace_days`` counts)."""
    strategy = model.strategy
    if strategy is None or strategy.start is None:
        return
    start = strategy.start
    latest_day = start + _dt.timedelta(days=int(options.get("grace_days", 90)))
    contributors = _contributor_functions(model)
    groups: dict[tuple[str, str], list[Role]] = {}
    details: dict[tuple[str, str], tuple[Loc, str, tuple[tuple[str, Loc], ...], dict[str, Any]]] = {}
    for rid in sorted(model.roles):
        role = model.roles[rid]
        if role.headcount <= 0 or role.function not in contributors:
            continue
        mine = list(model.plans_naming_role(rid))
        if any(_live(p) and (p.start is None or p.start <= latest_day) and (p.end is None or p.end >= start)
               for p in mine):
            continue
        ended = [p for p in mine if p.status != "draft" and p.end is not None and p.end < start]
        later = [p for p in mine if _live(p) and p.start is not None and p.start > latest_day]
        if ended:
            plan = max(ended, key=lambda p: (p.end, p.id))
            key = ("ended", plan.id)
            details[key] = (plan.loc.at("effective", "to") if "effective" in plan.raw else _plan_at(plan, "id"),
                            f"latest plan '{plan.id}' ended {plan.end}", (link(f"plan {plan.id}", plan, "effective"),),
                            {"latest_plan": plan.id, "ended": str(plan.end)})
        elif later:
            plan = min(later, key=lambda p: (p.start, p.id))
            key = ("later", plan.id)
            details[key] = (plan.loc.at("effective", "from"),
                            f"the first plan, '{plan.id}', starts only {plan.start}, more than "
                            f"{(latest_day - start).days} days after the strategy",
                            (link(f"plan {plan.id}", plan, "effective"),),
                            {"next_plan": plan.id, "starts": str(plan.start)})
        else:
            key = ("none", rid)
            drafts = [p.id for p in mine if p.status == "draft"]
            text = f"it has only draft plans ({names(drafts)})" if drafts else "it has no incentive plan at all"
            details[key] = (role.loc, text, (), {"draft_plans": drafts})
        groups.setdefault(key, []).append(role)
    for key in sorted(groups):
        roles = groups[key]
        at, detail, related, evidence = details[key]
        ids = [r.id for r in roles]
        who = f"role {ids[0]} has" if len(ids) == 1 else f"roles {', '.join(ids)} have"
        functions = sorted({r.function for r in roles if r.function})
        contributing = [p for p in model.strategy_priorities() if set(p.contributors) & set(functions)]
        yield Hit(
            at=at, args={"who": who, "roles": ", ".join(ids), "start": str(start), "detail": detail},
            entities=(*((key[1],) if key[0] != "none" else ()), *ids),
            related=(*(link(f"role {r.id}: {r.headcount} people in {r.function}", r, "headcount") for r in roles),
                     *related,
                     *(link(f"priority {p.id} lists {', '.join(sorted(set(p.contributors) & set(functions)))} as "
                            f"contributor", p, "contributors") for p in contributing[:1]),
                     link(f"strategy {strategy.id} starts {start}", strategy, "effective")),
            evidence={"strategy_start": str(start), "grace_days": (latest_day - start).days,
                      "headcount": sum(r.headcount for r in roles), **evidence})


# --------------------------------------------------------------------------- EN31


def plan_not_reviewed_since_strategy(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A plan in force (or approved for later) was last reviewed before the strategy was approved.
    Plans paid only by rollover are left to plan-coverage-gap."""
    strategy = model.strategy
    if strategy is None or strategy.approved_on is None:
        return
    approved = strategy.approved_on
    for plan in model.focused(_governed_plans(model, rolled_over=False)):
        reviewed = plan.last_reviewed or plan.start
        if reviewed is None or reviewed >= approved:
            continue
        note = "" if plan.last_reviewed else " (no last_reviewed date; its start date is used)"
        if plan.last_reviewed or "effective" not in plan.raw:
            at = _plan_at(plan, "last_reviewed")
        else:
            at = plan.loc.at("effective", "from")
        yield Hit(
            at=at,
            args={"plan": plan.id, "d": str(reviewed), "a": str(approved), "note": note},
            entities=(plan.id, strategy.id),
            related=(link(f"strategy {strategy.id} approved {approved}", strategy, "approved_on"),),
            evidence={"last_reviewed": str(reviewed), "approved_on": str(approved),
                      "days_before": (approved - reviewed).days})


# --------------------------------------------------------------------------- EN32


def no_participation_record(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Function-level objectives set without ``agreed_with``, and plans not communicated before
    their start (or, optionally, not acknowledged by the roles they pay)."""
    levels = set(options.get("objective_levels", ("function",)))
    for oid in sorted(model.objectives):
        obj = model.objectives[oid]
        if obj.level in levels and not obj.agreed_with:
            yield Hit(
                at=obj.loc, args={"id": oid, "missing": f"{obj.level}-level objective without agreed_with"},
                entities=(oid,), evidence={"level": obj.level, "agreed_with": []})
    require_ack = bool(options.get("require_acknowledgement", True))
    for plan in model.focused(_governed_plans(model, rolled_over=False)):
        missing: list[str] = []
        if plan.communicated_on is None:
            missing.append("no communicated_on date")
        elif plan.start is not None and plan.communicated_on > plan.start:
            missing.append(f"communicated {plan.communicated_on}, after its start {plan.start}")
        unacknowledged = [r for r in plan.eligible_roles
                          if r not in plan.acknowledged_by and (r not in model.roles or model.roles[r].headcount > 0)]
        if require_ack and unacknowledged:
            missing.append(f"not acknowledged by {', '.join(unacknowledged)}")
        if not missing:
            continue
        yield Hit(
            at=_plan_at(plan, "communicated_on"), args={"id": plan.id, "missing": "; ".join(missing)},
            entities=(plan.id,),
            evidence={"communicated_on": str(plan.communicated_on) if plan.communicated_on else None,
                      "start": str(plan.start) if plan.start else None, "unacknowledged_roles": unacknowledged})


FUNCTIONS: dict[str, CheckFunction] = {
    "payout-before-value-realized": payout_before_value_realized,
    "clawback-missing": clawback_missing,
    "windfall-provision-missing": windfall_provision_missing,
    "plan-coverage-gap": plan_coverage_gap,
    "plan-not-reviewed-since-strategy": plan_not_reviewed_since_strategy,
    "no-participation-record": no_participation_record,
}
