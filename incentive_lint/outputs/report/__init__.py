"""The alignment report: where target variable pay flows, set against the strategy.

``build(result, workspace)`` computes a :class:`Report` from one lint run (``matrix``);
``RENDERERS`` lays it out as HTML, Markdown or text; ``run_report`` is what the
``report`` command calls.
"""
from __future__ import annotations

from typing import Any

_LAZY = {"Report": "data", "build": "matrix", "compare": "comparison", "with_comparison": "comparison",
         "RENDERERS": "run", "ReportOptions": "run", "render": "run", "run_report": "run"}


def __getattr__(name: str) -> Any:
    # Imported on first use, so that the CLI's start-up does not pay for the report.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)


__all__ = ["RENDERERS", "Report", "ReportOptions", "build", "compare", "render", "run_report", "with_comparison"]
