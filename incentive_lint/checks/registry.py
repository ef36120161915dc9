"""The registry of check functions: one mapping from function name to function.

Each family module keeps its own ``FUNCTIONS`` mapping (so that rule authors touch one
file); this module joins them and refuses a name defined twice. ``tests/test_catalog.py``
pins it: every rule names a registered function and every function is used.
"""
from __future__ import annotations

from typing import Mapping

from incentive_lint.checks import (capability, capability_funding, capability_measurement, capability_offers, clarity,
                                   clarity_cascade, clarity_currency, engagement, engagement_conflicts, engagement_credit, engagement_design,
                                   engagement_gaming, engagement_governance, engagement_mix, engagement_targets,
                                   expression, structure, vocabulary)
from incentive_lint.checks.api import CheckFunction


def _join(*tables: Mapping[str, CheckFunction]) -> dict[str, CheckFunction]:
    joined: dict[str, CheckFunction] = {}
    for table in tables:
        for name, fn in table.items():
            if name in joined:
                raise RuntimeError(f"check function '{name}' is registered twice")
            joined[name] = fn
    return dict(sorted(joined.items()))


FUNCTIONS: dict[str, CheckFunction] = _join(
    structure.FUNCTIONS,
    clarity.FUNCTIONS,
    clarity_cascade.FUNCTIONS,
    clarity_currency.FUNCTIONS,
    capability.FUNCTIONS,
    capability_measurement.FUNCTIONS,
    capability_offers.FUNCTIONS,
    capability_funding.FUNCTIONS,
    engagement.FUNCTIONS,
    engagement_mix.FUNCTIONS,
    engagement_targets.FUNCTIONS,
    engagement_governance.FUNCTIONS,
    engagement_gaming.FUNCTIONS,
    engagement_conflicts.FUNCTIONS,
    engagement_design.FUNCTIONS,
    engagement_credit.FUNCTIONS,
    expression.FUNCTIONS,
    vocabulary.FUNCTIONS,
)
