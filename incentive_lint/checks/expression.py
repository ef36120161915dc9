"""The ``expression`` check: users' own rules written in CEL, without Python.

A rule gives ``given`` (which entities to test), ``assert`` (a CEL expression that must be
true for each of them) and optionally ``when`` (only test entities for which it is true)
and ``at`` (the field the finding should point at). Each expression is compiled once per
process; CEL cannot run arbitrary code, and nothing is ever passed to Python's ``eval``.

Variables: the entity under its kind's name (``plan``, ``component``, ``kpi`` ...) and as
``entity``; for components also ``plan``; ``strategy`` (the strategy in force); ``as_of``
(the date, as text). Entities carry their YAML fields plus derived ones: for a plan
``target_incentive`` and ``share`` (percent of its pay per priority id, ``legacy`` and
``unaligned``), for a component ``drivers`` and ``share``.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterator, Mapping

from incentive_lint.model.core import Model
from incentive_lint.model.entities import Component, Entity, Plan
from incentive_lint.checks.api import CheckFunction, Hit

GIVEN = ("plans", "components", "kpis", "priorities", "objectives", "functions", "roles", "offers", "systems")
_SINGULAR = {"plans": "plan", "components": "component", "kpis": "kpi", "priorities": "priority",
             "objectives": "objective", "functions": "function", "roles": "role", "offers": "offer",
             "systems": "system"}
_ERROR_AT = re.compile(r"<input>:(\d+):(\d+): (.*)")


@functools.lru_cache(maxsize=None)
def _compile(source: str) -> Any:
    import cel

    return cel.compile(source)


def compile_error(source: str) -> tuple[int, int, str] | None:
    """(line, column, message) inside the expression if it does not compile, else None."""
    try:
        _compile(source)
    except Exception as exc:  # the CEL library raises ValueError with a caret diagram
        text = str(exc)
        match = _ERROR_AT.search(text)
        if match:
            return int(match.group(1)), int(match.group(2)), match.group(3).strip()  # CEL counts from 1
        return 1, 1, text.splitlines()[0] if text else "the expression could not be compiled"
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # CEL does not mix int and double in arithmetic
    return value


def _pct_map(share: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v * 100, 4) for k, v in share.items()}


def _variables(model: Model, kind: str, entity: Entity) -> dict[str, Any]:
    data: dict[str, Any] = _plain(dict(entity.raw))
    out: dict[str, Any] = {}
    if isinstance(entity, Plan):
        data["target_incentive_total"] = model.target_incentive(entity.id)
        data["share"] = _pct_map(model.plan_share(entity).fractions())
    if isinstance(entity, Component):
        data["drivers"] = list(model.component_drivers(entity))
        data["share"] = _pct_map(model.component_map(entity))
        plan = model.plans.get(entity.plan)
        if plan is not None:
            out["plan"] = _variables(model, "plans", plan)["plan"]
    out[_SINGULAR[kind]] = data
    out["entity"] = data
    strategy = model.strategy
    out["strategy"] = _plain(dict(strategy.raw)) if strategy else {}
    out["as_of"] = model.as_of.isoformat()
    return out


def _entities(model: Model, given: str) -> list[Entity]:
    if given == "components":
        return [c for p in sorted(model.plans.values(), key=lambda p: p.id) for c in p.components]
    tables: dict[str, Mapping[str, Entity]] = {
        "plans": model.plans, "kpis": model.kpis, "priorities": model.priorities, "objectives": model.objectives,
        "functions": model.functions, "roles": model.roles, "offers": model.offers, "systems": model.systems,
    }
    table = tables[given]
    return [table[k] for k in sorted(table)]


def expression(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit for every ``given`` entity (passing ``when``) for which ``assert`` is false."""
    given = options["given"]
    check = _compile(options["assert"])
    when = _compile(options["when"]) if options.get("when") else None
    at = options.get("at")
    for entity in _entities(model, given):
        variables = _variables(model, given, entity)
        try:
            if when is not None and when.execute(variables) is not True:
                continue
            if check.execute(variables) is True:
                continue
        except (KeyError, TypeError, ValueError, RuntimeError):
            continue  # a field the expression needs is absent: test it with has() to require it
        args = {k: v for k, v in entity.raw.items() if isinstance(v, (str, int, float))}
        args["id"] = entity.id
        if isinstance(entity, Component):
            args["plan"] = entity.plan
            args["component"] = entity.key
        yield Hit(at=entity.field_loc(at) if at else entity.loc, args=args, entities=(entity.id,))


FUNCTIONS: dict[str, CheckFunction] = {"expression": expression}
