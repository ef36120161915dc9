"""Structural checks: input mistakes found by the loader and schema, and reference integrity."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterator, Mapping

from incentive_lint.base.kinds import suggest
from incentive_lint.model.core import Model
from incentive_lint.checks.api import CheckFunction, Hit


def input_issues(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Findings of the reading stage (YAML, encoding, schema) for one input rule."""
    wanted = options["issue"]
    for issue in model.issues:
        if issue.rule == wanted:
            yield Hit(at=issue.span, args={"detail": issue.message, **dict(issue.args)}, path=issue.path,
                      entities=tuple(str(v) for k, v in issue.args if k == "id"))


_KIND_NAMES = {"kpi": "KPI", "role": "role", "function": "function", "system": "system", "body": "governance body",
               "offer": "offer", "priority": "priority", "objective": "objective", "plan": "plan"}


def dangling_reference(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A reference field names an id that no document defines."""
    for ref in model.references:
        if any(ref.value in model.index(kind) for kind in ref.target_kinds):
            continue
        candidates: list[str] = []
        for kind in ref.target_kinds:
            candidates.extend(model.index(kind))
            candidates.extend(model.invalid_ids.get(kind, ()))  # known ids, only in invalid documents
        hint = suggest(ref.value, candidates)
        kind = " or ".join(_KIND_NAMES.get(k, k) for k in ref.target_kinds)
        yield Hit(at=ref.loc, args={"source": ref.source, "field": ref.field, "kind": kind, "ref": ref.value,
                                    "hint": f"; did you mean '{hint}'?" if hint else ""},
                  entities=(ref.source, ref.value), evidence={"suggestion": hint} if hint else {})


def duplicate_id(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """The same id is defined twice; ids are unique across the repository."""
    by_id: dict[str, list[Any]] = defaultdict(list)
    for definition in model.definitions:
        by_id[definition.id].append(definition)
    for ident, found in sorted(by_id.items()):
        if len(found) < 2:
            continue
        first = found[0]
        for other in found[1:]:
            yield Hit(at=other.loc, args={"id": ident, "first": f"{first.loc.file}", "kind": other.kind},
                      entities=(ident,), related=(("first defined here", first.loc),))


FUNCTIONS: dict[str, CheckFunction] = {
    "input-issues": input_issues,
    "dangling-reference": dangling_reference,
    "duplicate-id": duplicate_id,
}
