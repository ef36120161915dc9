"""Check functions of the engagement family: how each plan's components are weighted and how much upside they carry."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from incentive_lint.model.core import Model
from incentive_lint.model.entities import NON_PAYING, Component, Plan
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, names, pct
from incentive_lint.checks.engagement import _is_legacy, _kpi_link, _legacy_drivers, _strategic


# --------------------------------------------------------------------------- EN05-EN07 (plan design)


def _designed_plans(model: Model) -> list[Plan]:
    """Every plan that is not retired, by id."""
    return [model.plans[k] for k in sorted(model.plans) if model.plans[k].status != "retired"]


def component_weights_sum(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN05: the weights of a plan's paying components do not add up to 100."""
    tolerance = float(options.get("tolerance", 0.5))
    for plan in model.focused(_designed_plans(model)):
        paying = plan.paying
        if not paying:
            continue
        total = sum(c.weight for c in paying)
        if abs(total - 100) <= tolerance:
            continue
        yield Hit(
            at=plan.field_loc("components"), on_key="components" in plan.raw,
            args={"plan": plan.id, "sum": pct(total)},
            entities=(plan.id,),
            related=tuple(link(f"'{c.key}' weighs {pct(c.weight)}%", c, "weight") for c in paying),
            evidence={"sum": total, "weights": {c.id: c.weight for c in paying}, "tolerance": tolerance,
                      "excluded": [c.id for c in plan.components if c.type in NON_PAYING]})


def too_many_measures(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN06: a plan pays on more measures than a payee can keep in mind."""
    limit = int(options.get("max_measures", 3))
    for plan in model.focused(_designed_plans(model)):
        paying = plan.paying
        if len(paying) <= limit:
            continue
        yield Hit(
            at=plan.field_loc("components"), on_key="components" in plan.raw,
            args={"plan": plan.id, "n": len(paying), "max": limit,
                  "measures": ", ".join(f"{c.id} {pct(c.weight)}%" for c in paying)},
            entities=(plan.id,),
            related=tuple(link(f"measure '{c.key}'", c) for c in paying),
            evidence={"measures": len(paying), "max_measures": limit, "weights": {c.id: c.weight for c in paying}})


def measure_weight_too_small(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN07: a paying component's weight is too small to change behaviour."""
    minimum = float(options.get("min_measure_weight", 15))
    for plan in model.focused(_designed_plans(model)):
        ti = model.target_incentive(plan.id) if plan.id in model.in_force() else None
        for c in plan.paying:
            if c.weight >= minimum:
                continue
            evidence: dict[str, Any] = {"weight": c.weight, "min_measure_weight": minimum, "currency": plan.currency}
            if plan.target_amount is not None:
                evidence["target_pay_per_person"] = round(plan.target_amount * c.weight / 100, 2)
            if ti:
                evidence["target_pay_total"] = round(ti * c.weight / 100, 2)
            yield Hit(
                at=c.field_loc("weight"),
                args={"component": c.key, "weight": pct(c.weight), "min": pct(minimum)},
                entities=(c.key, plan.id),
                evidence=evidence)


# --------------------------------------------------------------------------- EN08


def _upside(c: Component) -> str:
    text = "uncapped" if c.uncapped else f"capped at {pct(c.cap or 0)}%"
    if c.max_multiplier > 1:
        text += f" with accelerators up to x{c.max_multiplier:.1f}"
    return text


def _cap(c: Component) -> float:
    """The component's cap, an uncapped one counting as no limit."""
    return float("inf") if c.uncapped else float(c.cap or 0)


def _asymmetric(s: Component, legacy: Component) -> list[str]:
    """How a legacy component's upside beats a strategic one's (empty if it does not).

    The documented condition: the strategic component is capped at or below the legacy one
    while the legacy one has more room (uncapped or a higher cap) or accelerates harder.
    Equal caps and equal accelerators are symmetric, so they are no finding."""
    if _cap(s) > _cap(legacy):
        return []
    why = []
    if _cap(legacy) > _cap(s):
        why.append("legacy uncapped" if legacy.uncapped else "legacy cap above strategic cap")
    if legacy.max_multiplier > s.max_multiplier:
        why.append("higher legacy accelerator")
    return why


def upside_asymmetry(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN08: in one plan a legacy component has more upside (cap, accelerators) than a strategic one."""
    strategy = model.strategy
    if strategy is None:
        return
    for plan in model.focused(model.in_force_plans()):
        paying = sorted(plan.paying, key=lambda c: (-c.weight, c.id))
        strategic = [c for c in paying if c.weight > 0 and _strategic(model, c)]
        legacy = [c for c in paying if c.weight > 0 and _is_legacy(model, c)]
        pairs = [(s, lc, why) for lc in legacy for s in strategic if (why := _asymmetric(s, lc))]
        if not pairs:
            continue
        s, lc, _ = pairs[0]
        priorities = _strategic(model, s)
        yield Hit(
            at=lc.loc,
            args={"plan": plan.id, "strategic": s.id, "legacy": lc.id, "strategic_upside": _upside(s),
                  "legacy_upside": _upside(lc)},
            entities=(plan.id, s.key, lc.key),
            related=(link(f"strategic '{s.key}' ({names(p.id for p in priorities)}): {_upside(s)}", s,
                          "cap" if "cap" in s.raw else None),
                     *[link(f"priority '{p.id}' is change: {p.change}", p, "change") for p in priorities],
                     *_kpi_link(model, lc),
                     *[(f"{strategy.id} moves away from '{d}'", item_loc(strategy, ("shift", "from_drivers"), d))
                       for d in sorted({d for _, d in _legacy_drivers(model, strategy, lc)})]),
            evidence={"pairs": [{"strategic": a.id, "legacy": b.id, "strategic_cap": None if a.uncapped else a.cap,
                                 "legacy_cap": None if b.uncapped else b.cap,
                                 "strategic_max_multiplier": a.max_multiplier,
                                 "legacy_max_multiplier": b.max_multiplier, "why": why}
                                for a, b, why in pairs]})


FUNCTIONS: dict[str, CheckFunction] = {
    "component-weights-sum": component_weights_sum,
    "too-many-measures": too_many_measures,
    "measure-weight-too-small": measure_weight_too_small,
    "upside-asymmetry": upside_asymmetry,
}
