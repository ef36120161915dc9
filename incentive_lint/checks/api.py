"""The only import a check function needs: what it receives and what it yields.

A check function is ``fn(model, options) -> Iterable[Hit]``. It says *where* and *why*
(message arguments, evidence, the chain of related locations); the engine decides the
rule id, severity, message text, ordering and suppression.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

from incentive_lint.base.findings import Severity
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Entity, Loc
from incentive_lint.base.source import NodePath, Span

Where = Union[Loc, Span]


@dataclass(frozen=True)
class Hit:
    """One occurrence of a rule's condition."""

    at: Where
    args: Mapping[str, Any]
    entities: tuple[str, ...] = ()
    related: tuple[tuple[str, Where], ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    on_key: bool = False
    path: NodePath | None = None
    #: A message template that replaces the rule's own, for a problem with the rule itself
    #: rather than its condition (a user rule that could not be evaluated on an entity).
    message: str | None = None
    #: The ids the finding is about for folding only (``explains ... same: KIND``), when they
    #: differ from ``entities``, which name the finding and make its fingerprint. A rule sets
    #: them when its finding follows wholly from another entity (a function's divergence
    #: from its one plan), so that the cause on that entity can take it as a consequence.
    about: tuple[str, ...] = ()


CheckFunction = Callable[[Model, Mapping[str, Any]], Iterable[Hit]]


def pct(value: float) -> str:
    """A percentage for messages: 65 -> '65', 7.71 -> '7.7'."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def names(items: Iterable[str]) -> str:
    """'a, b, c' in a stable order."""
    return ", ".join(sorted(set(items)))


def item_loc(entity: Entity, path: Sequence[str], value: Any = None) -> Loc:
    """The location of ``entity.raw[path...]`` (or of ``value`` in that list); nearest existing parent."""
    node: Any = entity.raw
    loc = entity.loc
    for key in path:
        if isinstance(node, Mapping) and key in node:
            node = node[key]
            loc = loc.at(key)
        else:
            return loc
    if value is not None and isinstance(node, list) and value in node:
        return loc.at(node.index(value))
    return loc


def link(label: str, entity: Entity, field_name: str | None = None) -> tuple[str, Loc]:
    """A chain link to an entity (or one of its fields)."""
    return (label, entity.field_loc(field_name) if field_name else entity.loc)
