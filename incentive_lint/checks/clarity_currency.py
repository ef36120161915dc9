"""Check functions of the clarity family for money in several currencies: every amount that is
added up needs an exchange rate in force on the as-of date, and the rates must not contradict
each other.

The conversion itself is done once, in the model (``Model.rate``, ``plan_share``, ``divergence``);
these rules only say which amounts it had to leave out, and why.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from incentive_lint.model.core import Model
from incentive_lint.model.entities import Budget, CurrencyRates, Entity, Plan
from incentive_lint.checks.api import CheckFunction, Hit, link


def _not_yet(model: Model, currency: str) -> tuple[CurrencyRates, str] | None:
    """A rates document that has a rate for ``currency``, but not one in force on the as-of date."""
    for doc in sorted(model.currency_rates.values(), key=lambda d: (d.loc.file, d.loc.doc, d.id)):
        lines = [r for r in doc.rates if r.currency == currency]
        if lines:
            spans = ", ".join(f"from {r.start}" + (f" to {r.end}" if r.end else "") if r.start else f"until {r.end}"
                              for r in lines)
            state = "" if doc.in_force(model.as_of) else f", and '{doc.id}' itself is not in force on {model.as_of}"
            return doc, f"its {currency} rate in '{doc.id}' applies only {spans}{state}"
    return None


def _amount(model: Model, entity: Entity) -> str:
    if isinstance(entity, Plan):
        return f"its target pay of {model.money(model.target_incentive(entity.id), entity.currency)}"
    if isinstance(entity, Budget):
        total = sum(x.amount for x in entity.investments)
        return f"its investments of {model.money(total, entity.currency)}"
    return "its amounts"


def missing_exchange_rate(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CL16: an in-force plan or a current budget is in a currency with no exchange rate to the
    reporting currency in force on the as-of date, so its amounts are left out of every sum."""
    reporting = model.reporting_currency
    if reporting is None:
        return
    doc = model.rate_document
    entities: list[Plan | Budget] = [*sorted(model.in_force_plans(), key=lambda p: p.id), *model.current_budgets()]
    for entity in entities:
        currency = entity.currency
        if currency is None or model.rate(currency) is not None:
            continue
        related: list[tuple[str, Any]] = []
        if doc is not None:
            where = f"{doc.loc.file} ('{doc.id}', reporting in {doc.reporting_currency})"
            related.append(link(f"rates used: '{doc.id}'", doc, "rates"))
        else:
            where = f"a CurrencyRates document with reporting_currency {reporting}"
        earlier = _not_yet(model, currency)
        note = ""
        if earlier is not None:
            note = f" ({earlier[1]})"
            if earlier[0] is not doc:
                related.append(link(f"'{earlier[0].id}' has no {currency} rate in force", earlier[0], "rates"))
        yield Hit(
            at=entity.field_loc("currency"),
            args={"currency": currency, "reporting": reporting, "day": model.as_of.isoformat(), "where": where,
                  "note": note, "subject": f"'{entity.id}'", "amount": _amount(model, entity)},
            entities=(entity.id, currency),
            related=tuple(related),
            evidence={"currency": currency, "reporting_currency": reporting, "as_of": model.as_of.isoformat(),
                      "rates_document": doc.id if doc is not None else None,
                      "currencies": list(model.currencies())})


def conflicting_exchange_rates(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """CL17: two CurrencyRates documents are in force on the as-of date and disagree on the
    reporting currency or on a rate."""
    docs = model.rates_in_force()
    if len(docs) < 2:
        return
    first = docs[0]
    for other in docs[1:]:
        problems: list[str] = []
        at = other.loc
        if other.reporting_currency != first.reporting_currency:
            problems.append(f"reports in {other.reporting_currency} where '{first.id}' reports in "
                            f"{first.reporting_currency}")
            at = other.field_loc("reporting_currency")
        else:
            for line in sorted(other.rates, key=lambda r: (r.currency, r.id)):
                if not line.covers(model.as_of) or line.rate is None:
                    continue
                mine = first.rate_on(line.currency, model.as_of)
                if mine is not None and mine.rate is not None and abs(mine.rate - line.rate) > 1e-12 * mine.rate:
                    problems.append(f"gives 1 {line.currency} = {line.rate:g} {other.reporting_currency} where "
                                    f"'{first.id}' gives {mine.rate:g}")
                    if at == other.loc:
                        at = line.loc.at("rate") if "rate" in line.raw else line.loc
        if not problems:
            continue
        yield Hit(
            at=at,
            args={"doc": other.id, "first": first.id, "day": model.as_of.isoformat(), "problems": "; ".join(problems)},
            entities=(first.id, other.id),
            related=(link(f"'{first.id}' in force, used for the sums", first),),
            evidence={"in_force": [d.id for d in docs], "used": first.id, "as_of": model.as_of.isoformat()})


FUNCTIONS: dict[str, CheckFunction] = {
    "missing-exchange-rate": missing_exchange_rate,
    "conflicting-exchange-rates": conflicting_exchange_rates,
}
