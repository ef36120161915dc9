"""Checks on the shared vocabulary: value-driver tags must come from the taxonomy.

Every alignment figure (where pay flows, the divergence score, conflicts) is computed
from driver tags, so one mistyped tag silently moves money to 'unaligned'.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from incentive_lint.base.kinds import suggest
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Entity
from incentive_lint.checks.api import CheckFunction, Hit, item_loc


def _tagged(model: Model) -> Iterator[tuple[Entity, tuple[str, ...], tuple[str, ...], str]]:
    """(entity, path to its driver list, the drivers, what it is) for everything that carries drivers."""
    for sid in sorted(model.strategies):
        strategy = model.strategies[sid]
        yield strategy, ("shift", "from_drivers"), strategy.from_drivers, f"strategy '{sid}' (moves away from)"
        yield strategy, ("shift", "to_drivers"), strategy.to_drivers, f"strategy '{sid}' (moves towards)"
        for priority in strategy.priorities:
            yield priority, ("drivers",), priority.drivers, f"priority '{priority.id}'"
    for kid in sorted(model.kpis):
        yield model.kpis[kid], ("drivers",), model.kpis[kid].drivers, f"KPI '{kid}'"
    for bid in sorted(model.budgets):
        for investment in model.budgets[bid].investments:
            yield investment, ("drivers",), investment.drivers, f"investment '{investment.id}'"


def unknown_driver(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """A driver tag that is not in the taxonomy (the shipped one plus the config's additions)."""
    known = sorted(model.taxonomy.drivers)
    for entity, path, drivers, what in _tagged(model):
        for driver in dict.fromkeys(drivers):
            if driver in model.taxonomy.drivers:
                continue
            hint = suggest(driver, known)
            yield Hit(at=item_loc(entity, path, driver),
                      args={"driver": driver, "what": what,
                            "hint": f"; did you mean '{hint}'?" if hint else
                                    "; add it under taxonomy: drivers: in .incentive-lint.yaml if it is new"},
                      entities=(entity.id, driver), evidence={"suggestion": hint} if hint else {})


FUNCTIONS: dict[str, CheckFunction] = {"unknown-driver": unknown_driver}
