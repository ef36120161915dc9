"""The document kinds a policy repository holds, and the schema of each."""
from __future__ import annotations

import difflib
import functools

SCHEMA_VERSION = "incentive-lint/v1"

#: kind -> JSON Schema file in ``schemas/``
KIND_SCHEMAS: dict[str, str] = {
    "Strategy": "strategy.schema.json",
    "ObjectiveSet": "objective-set.schema.json",
    "KpiCatalog": "kpi-catalog.schema.json",
    "IncentivePlan": "incentive-plan.schema.json",
    "Org": "org.schema.json",
    "OfferCatalog": "offer-catalog.schema.json",
    "Budget": "budget.schema.json",
    "CurrencyRates": "currency-rates.schema.json",
}


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest of ``choices`` to ``word`` (case-insensitive), if any is close."""
    return _closest(word, tuple(choices))


@functools.lru_cache(maxsize=256)
def _closest(word: str, choices: tuple[str, ...]) -> str | None:
    # Remembered: the same typo against the same ids comes back on every run of a language
    # server session (and for every reference with that typo), and difflib over thousands of
    # ids costs milliseconds each time; the answer depends on nothing else.
    target = word.lower()
    # Strings whose lengths differ by more than this cannot reach the 0.6 similarity cutoff;
    # dropping them first keeps suggestions cheap on catalogs of thousands of ids.
    slack = max(2, len(target) // 2 + 1)
    lowered = {c.lower(): c for c in choices if abs(len(c) - len(target)) <= slack}
    hits = difflib.get_close_matches(target, sorted(lowered), n=1, cutoff=0.6)
    return lowered[hits[0]] if hits else None
