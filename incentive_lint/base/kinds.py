"""The document kinds a policy repository holds, and the schema of each."""
from __future__ import annotations

import difflib
import functools
from typing import Iterable

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
    best = _best_match(target, lowered, CUTOFF)
    return lowered[best] if best is not None else None


#: the similarity (difflib's ratio) a suggestion needs, as ``difflib.get_close_matches`` uses by default
CUTOFF = 0.6


def _best_match(word: str, choices: Iterable[str], cutoff: float) -> str | None:
    """What ``difflib.get_close_matches(word, choices, n=1, cutoff)`` returns (the highest ratio,
    ties to the greater string), without computing the full ratio of every choice: a choice's
    ``quick_ratio`` bounds its ratio from above, so once the best ratio found beats the bound of
    every choice left, none of them can win. On 20,000 plans the typos of one run cost 1.3 s
    with ``get_close_matches`` (a full ratio for nearly every KPI id)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    bounded: list[tuple[float, str]] = []
    for choice in choices:
        matcher.set_seq1(choice)
        if matcher.real_quick_ratio() >= cutoff:
            bound = matcher.quick_ratio()
            if bound >= cutoff:
                bounded.append((bound, choice))
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for bound, choice in bounded:
        if best is not None and bound < best[0]:
            break
        matcher.set_seq1(choice)
        score = matcher.ratio()
        if score >= cutoff and (best is None or (score, choice) > best):
            best = (score, choice)
    return best[1] if best is not None else None
