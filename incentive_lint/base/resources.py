"""Where the shipped rule catalog and JSON Schemas are: inside the wheel, or the checkout.

In a wheel ``rules/`` and ``schemas/`` are package data (``incentive_lint/_catalog`` and
``incentive_lint/_schemas``); in an editable checkout they are the top-level folders.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the incentive_lint package (this file is in base/)


def _locate(packaged: str, top_level: str) -> Path:
    try:
        candidate = Path(str(resources.files("incentive_lint").joinpath(packaged)))
        if candidate.is_dir():
            return candidate
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - unusual importers
        pass
    return _PACKAGE_DIR.parent / top_level


@functools.lru_cache(maxsize=None)
def catalog_dir() -> Path:
    """The folder holding the shipped rules (``<family>/<slug>/rule.yaml``)."""
    return _locate("_catalog", "rules")


@functools.lru_cache(maxsize=None)
def schemas_dir() -> Path:
    """The folder holding the shipped JSON Schemas."""
    return _locate("_schemas", "schemas")


@functools.lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema by file name, e.g. ``"incentive-plan.schema.json"``."""
    with open(schemas_dir() / name, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data
