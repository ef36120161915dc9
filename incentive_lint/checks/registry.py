"""The registry of check functions: one mapping from function name to function.

Each family module keeps its own ``FUNCTIONS`` mapping (so that rule authors touch one
file); this module joins them and refuses a name defined twice. ``tests/test_catalog.py``
pins it: every rule names a registered function and every function is used.
"""
from __future__ import annotations

from typing import Any, Mapping

from incentive_lint.checks import (capability, clarity, engagement, engagement_design, engagement_governance, expression,
                     structure, vocabulary)
from incentive_lint.checks.api import CheckFunction
from incentive_lint.settings.rulespec import RuleSpec


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


def validate_options(spec: RuleSpec, options: Mapping[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """Check options against the rule's ``options_schema``: (path, message) of the first problem."""
    if not options:
        return None  # nothing to check: an empty mapping is valid for every rule
    import jsonschema

    validator = jsonschema.Draft7Validator(dict(spec.options_schema))
    for error in sorted(validator.iter_errors(dict(options)), key=lambda e: list(map(str, e.path))):
        path = tuple(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = sorted((spec.options_schema.get("properties") or {}))
            extra = sorted(set(options) - set(allowed))
            name = extra[0] if extra else "?"
            return (name,), (f"rule '{spec.slug}' has no option '{name}'; its options are "
                             f"{', '.join(allowed) or 'none'}.")
        where = ".".join(path) or "options"
        return path, f"option '{where}' of rule '{spec.slug}': {error.message}"
    return None
