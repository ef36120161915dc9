"""Check functions of the engagement family: whether a plan's credit rules pay less for selling the strategic offers."""
from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Loc, Offer, Plan, Priority
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, pct
from incentive_lint.checks.engagement_design import _int_field, _plans

#: Currency codes recognised as a KPI unit that is money, besides the plan's own currency.
CURRENCY_UNITS = frozenset({"eur", "usd", "gbp", "chf", "jpy", "cny", "sek", "nok", "dkk", "pln", "czk", "cad",
                            "aud", "inr", "brl", "mxn", "€", "$", "£", "currency", "money"})
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
BASIS_WORDS = {"net-price": "net price", "total-contract-value": "total contract value",
               "annual-contract-value": "annual contract value", "first-year-value": "first-year value",
               "recognized-revenue": "recognised revenue", "gross-margin": "gross margin"}


# --------------------------------------------------------------------------- EN22


def _credited_fraction(offer: Offer) -> tuple[float, str] | None:
    """Share of an offer's contract value credited to the seller (in the first plan year for value
    recognised over time), with its explanation; None when the documents do not say."""
    basis = offer.credit_basis
    term = _int_field(offer.raw, "term_months")
    words = BASIS_WORDS.get(basis or "", basis or "")
    if basis in ("net-price", "total-contract-value"):
        return 1.0, f"{words}, 100% of contract value"
    if basis in ("annual-contract-value", "first-year-value", "recognized-revenue"):
        if basis == "recognized-revenue" and offer.raw.get("revenue_recognition") == "point-in-time":
            return 1.0, f"{words} at delivery, 100% of contract value"
        if basis == "recognized-revenue" and offer.raw.get("revenue_recognition") != "over-time":
            return None
        if term is None or term <= 0:
            return None
        fraction = min(12, term) / term
        return fraction, f"{words}, 12 of {term} months = {pct(fraction * 100)}% of contract value"
    return None  # gross-margin or no credit basis: the value per unit of contract is unknown


def _serves(model: Model, offer: Offer) -> list[Priority]:
    """Priorities that make an offer strategic: a new/grow priority it lists, or a priority (not
    being reduced) that requires its pricing model."""
    out = []
    for p in sorted(model.strategy_priorities(), key=lambda x: x.id):
        if (p.strategic and p.id in offer.priorities) or (
                p.change != "reduce" and offer.model and offer.model in p.requires_offer_models):
            out.append(p)
    return out


def _money_kpi(model: Model, plan: Plan, component: Component) -> bool:
    """True when the component pays on a KPI counted in money (its unit is a currency)."""
    kpi = model.kpis.get(component.kpi or "")
    unit = str(kpi.raw.get("unit") or "").strip().lower() if kpi else ""
    return bool(unit) and (unit in CURRENCY_UNITS or unit == (plan.currency or "").lower())


def _per_unit_weight(component: Component) -> float | None:
    """Weight per unit of target: proportional to what one credited unit of money earns."""
    target = component.raw.get("target")
    value = target.get("value") if isinstance(target, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return component.weight / float(value)


def _rate(model: Model, plan: Plan, components: Sequence[Component]) -> float | None:
    """Relative pay per unit of money credited into ``components`` (None if not computable)."""
    rates = [_per_unit_weight(c) if _money_kpi(model, plan, c) else None for c in components]
    if not rates or any(r is None for r in rates):
        return None
    return sum(r for r in rates if r is not None)


def _unit(currency: str | None) -> str:
    if currency is None:
        return "1 unit"
    return f"{CURRENCY_SIGNS[currency]}1" if currency in CURRENCY_SIGNS else f"1 {currency}"


def strategic_offer_credit_penalty(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """EN22: per unit of contract value, a strategic offer earns less than ``min_ratio`` times what a
    legacy offer earns in the same plan, because of its credit basis (e.g. first-year value of a
    multi-year contract vs the full price of a machine) and the plan's rates."""
    min_ratio = float(options.get("min_ratio", 0.8))
    for plan in model.focused(_plans(model)):
        offers = [model.offers[o] for o in dict.fromkeys(plan.credit_offers) if o in model.offers]
        offers = [o for o in offers if o.status != "retired"]
        serving = {o.id: _serves(model, o) for o in offers}
        strategic = [o for o in offers if serving[o.id]]
        legacy = [o for o in offers if not serving[o.id]]
        if not strategic or not legacy:
            continue
        paying = plan.paying
        dedicated = {o.id: [c for c in paying
                            if any(model.component_map(c).get(p.id, 0.0) > 0 for p in serving[o.id])]
                     for o in strategic}
        taken = {c.key for comps in dedicated.values() for c in comps}
        pool = [c for c in paying if c.key not in taken and _money_kpi(model, plan, c)]
        if not pool:
            continue  # no measure paying on credited money for the legacy offers
        pool_rate = _rate(model, plan, [c for c in pool if _per_unit_weight(c) is not None])
        legacy_values = [(o, _credited_fraction(o)) for o in sorted(legacy, key=lambda x: x.id)]
        legacy_known = [(o, f) for o, f in legacy_values if f is not None]
        if not legacy_known:
            continue
        for offer in sorted(strategic, key=lambda x: x.id):
            credited = _credited_fraction(offer)
            own = dedicated[offer.id]
            if credited is None:
                continue
            if own:  # paid through its own components: compare pay rates per unit of money credited
                own_rate = _rate(model, plan, own)
                if own_rate is None or not pool_rate:
                    continue
                relative = own_rate / pool_rate
            else:  # credited into the same measures as the legacy offers: same rate
                relative = 1.0
            old, old_credit = max(legacy_known, key=lambda x: (x[1][0], x[0].id))
            ratio = credited[0] * relative / old_credit[0]
            if ratio >= min_ratio:
                continue
            detail = (f"'{offer.id}' is credited at {credited[1]}; '{old.id}' at {old_credit[1]}")
            if own:
                detail += (f"; per unit credited, {', '.join(repr(c.key) for c in own)} pays "
                           f"{relative:.1f} times the rate of {', '.join(repr(c.key) for c in pool)}")
            else:
                detail += f"; both are paid through {', '.join(repr(c.key) for c in pool)}"
            related: list[tuple[str, Loc]] = [
                link(f"offer {offer.id} is credited at {offer.credit_basis}", offer, "credit_basis")]
            if "term_months" in offer.raw:
                related.append(link(f"offer {offer.id} runs {offer.raw['term_months']} months", offer, "term_months"))
            for p in serving[offer.id]:
                if p.id in offer.priorities:
                    related.append((f"offer {offer.id} serves {p.id} (change: {p.change})",
                                    item_loc(offer, ("priorities",), p.id)))
                else:
                    related.append((f"{p.id} requires {offer.model} offers", p.field_loc("requires")))
            related.append(link(f"offer {old.id} is credited at {old.credit_basis}", old, "credit_basis"))
            related.extend(link(f"'{c.key}' pays {pct(c.weight)}% on '{c.kpi}'", c, "weight") for c in [*own, *pool])
            yield Hit(
                at=item_loc(plan, ("credit_offers",), offer.id),
                args={"plan": plan.id, "unit": _unit(plan.currency), "new": offer.id, "old": old.id,
                      "x": pct(ratio * 100), "detail": detail},
                entities=(plan.id, offer.id, old.id, *(p.id for p in serving[offer.id])),
                related=tuple(related),
                evidence={"ratio": round(ratio, 4), "min_ratio": min_ratio,
                          "credited_fraction": {offer.id: round(credited[0], 4), old.id: round(old_credit[0], 4)},
                          "credit_basis": {offer.id: offer.credit_basis, old.id: old.credit_basis},
                          "relative_rate": round(relative, 4),
                          "strategic_components": [c.key for c in own],
                          "legacy_components": [c.key for c in pool]})


FUNCTIONS: dict[str, CheckFunction] = {
    "strategic-offer-credit-penalty": strategic_offer_credit_penalty,
}
