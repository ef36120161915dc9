"""The registry of check functions: one mapping from function name to function.

Each family module keeps its own ``FUNCTIONS`` mapping (so that rule authors touch one
file); this module joins them and refuses a name defined twice. ``tests/test_catalog.py``
pins it: every rule names a registered function and every function is used.
"""
from __future__ import annotations

from typing import Mapping

from incentive_lint.checks import (capability, clarity, engagement, engagement_design, engagement_governance, expression,
                     structure, vocabulary)
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
    capability.FUNCTIONS,
    engagement.FUNCTIONS,
    engagement_governance.FUNCTIONS,
    engagement_design.FUNCTIONS,
    expression.FUNCTIONS,
    vocabulary.FUNCTIONS,
)
