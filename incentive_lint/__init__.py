"""incentive-lint: checks that a company pays people for the strategy it announced.

Public API::

    from incentive_lint import lint, LintOptions
    result, workspace = lint(LintOptions(paths=[Path("policies")]))
"""
from __future__ import annotations

from typing import Any

from incentive_lint.base.version import VERSION as __version__

__all__ = ["Finding", "LintOptions", "LintResult", "Severity", "__version__", "lint"]

#: where each public name lives; imported on first use, so that ``incentive-lint --version``,
#: ``rules`` and ``explain`` do not load the engine (PEP 562)
_LAZY = {"Finding": "incentive_lint.base.findings", "LintResult": "incentive_lint.base.findings",
         "Severity": "incentive_lint.base.findings", "LintOptions": "incentive_lint.run", "lint": "incentive_lint.run"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'incentive_lint' has no attribute {name!r}")
