"""The concise format: one line per finding, ``path:line:col: CODE message``, for grep and editors.

The shape is the one ruff, flake8 and most compilers print, so editors' "problem matchers"
(VS Code, Vim's ``errorformat``, Emacs ``compilation-mode``) jump to the place as they are.
Follow-on findings folded under a cause get a line of their own right after their cause,
marked ``also:`` and naming the cause's place, so a grep for one line never mistakes a
consequence for a problem of its own. No chain, summary or blank line is printed: every line
is a finding. Document values pass
through ``base.escape.visible`` so a value cannot start a line of its own.
"""
from __future__ import annotations

from typing import Mapping

from incentive_lint.base.escape import visible
from incentive_lint.base.findings import Finding, LintResult
from incentive_lint.settings.rulespec import RuleSpec


def finding_line(f: Finding) -> str:
    """``plans/sales.yaml:12:5: EN01 message`` (the severity is left to the code's catalog entry)."""
    return f"{visible(place(f))}: {visible(f.code)} {visible(f.full_message)}"


def place(f: Finding) -> str:
    return f"{f.span.file}:{f.span.start.line}:{f.span.start.column}"


def consequence_line(c: Finding, cause: Finding) -> str:
    """``org/org.yaml:10:5: EN03 also: message (follows from EN01 at plans/sales.yaml:20:45)``."""
    return (f"{visible(place(c))}: {visible(c.code)} also: {visible(c.full_message)} "
            f"(follows from {visible(cause.code)} at {visible(place(cause))})")


def render(result: LintResult, rules: Mapping[str, RuleSpec]) -> str:
    lines: list[str] = []
    for f in result.findings:
        lines.append(finding_line(f))
        lines.extend(consequence_line(c, f) for c in f.consequences)
    return "".join(line + "\n" for line in lines)
