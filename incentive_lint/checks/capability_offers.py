"""Check functions of the capability family: do the offer catalog's pricing models, delivery and the systems support the strategy?"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from incentive_lint.model.core import Model
from incentive_lint.model.entities import Offer, System
from incentive_lint.checks.api import CheckFunction, Hit, item_loc, link, pct
from incentive_lint.checks.capability import _article, _available_on, _by_id, _deadline, _grace, _state


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
            # when every missing capability is only late (a system will provide it), the
            # decision is that system's date: its capability-lead-time finding explains this one
            about=(p.id, *(s.id for s in coming)) if coming and all(
                any(c in s.capabilities for s in coming) for c in missing) else (),
            related=(link(f"'{p.id}' requires them", p, "requires"),
                     *(link(f"system '{s.id}' is {_state(s.status, s.available_from)}", s, "status")
                       for s in coming)),
            evidence={"missing": sorted(missing), "deadline": deadline.isoformat(), "grace_days": _grace(options),
                      "systems": {s.id: {"status": s.status, "capabilities": list(s.capabilities)} for s in systems}})


FUNCTIONS: dict[str, CheckFunction] = {
    "pricing-model-mismatch": pricing_model_mismatch,
    "offer-delivery-gap": offer_delivery_gap,
    "system-capability-missing": system_capability_missing,
}
