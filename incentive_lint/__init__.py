"""incentive-lint: checks that a company pays people for the strategy it announced.

Public API::

    from incentive_lint import lint, LintOptions
    result, workspace = lint(LintOptions(paths=[Path("policies")]))
"""
from __future__ import annotations

from incentive_lint.base.version import VERSION as __version__
from incentive_lint.base.findings import Finding, LintResult, Severity  # noqa: E402
from incentive_lint.run import LintOptions, lint  # noqa: E402

__all__ = ["Finding", "LintOptions", "LintResult", "Severity", "__version__", "lint"]
