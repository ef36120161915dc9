"""The value-driver taxonomy and conflicting driver pairs (shipped in ``rules/taxonomy.yaml``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

from incentive_lint.base.resources import catalog_dir


@dataclass(frozen=True)
class Conflict:
    """Two drivers that pull people in opposite directions when paid side by side."""

    drivers: frozenset[str]
    severity: str = "warning"
    customer_facing_only: bool = False


@dataclass(frozen=True)
class Taxonomy:
    drivers: Mapping[str, str] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()

    def conflict(self, a: str, b: str) -> Conflict | None:
        pair = frozenset((a, b))
        for c in self.conflicts:
            if c.drivers == pair:
                return c
        return None

    def extended(self, extra: Mapping[str, Any] | None) -> Taxonomy:
        """This taxonomy plus a user's ``taxonomy:`` config section."""
        if not extra:
            return self
        drivers = dict(self.drivers)
        for name, text in (extra.get("drivers") or {}).items():
            drivers[str(name)] = str(text or "")
        conflicts = list(self.conflicts) + [_conflict(c) for c in extra.get("conflicts") or []]
        return Taxonomy(drivers, tuple(conflicts))


def _conflict(raw: Mapping[str, Any]) -> Conflict:
    return Conflict(frozenset(str(d) for d in raw["drivers"]), str(raw.get("severity", "warning")),
                    bool(raw.get("customer_facing_only", False)))


def default_taxonomy() -> Taxonomy:
    with open(catalog_dir() / "taxonomy.yaml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return Taxonomy({str(k): str(v) for k, v in raw["drivers"].items()},
                    tuple(_conflict(c) for c in raw["conflicts"]))
