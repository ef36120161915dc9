"""A Markdown report fit for a pull-request comment or a CI job summary.

GitHub-flavoured Markdown tables cannot hold raw ``|`` or line breaks, so every cell is
escaped with :func:`cell`: ``|`` -> ``\\|``, line breaks -> ``<br>``, HTML special
characters to entities (document text must not inject HTML into a comment),
Markdown punctuation backslash-escaped so a value renders literally, and other control
characters (ANSI escapes, U+2028, bidi controls) written as visible escapes
(``base.escape.visible``).
"""
from __future__ import annotations

import re
from typing import Mapping

from incentive_lint.base.escape import UNSAFE, visible
from incentive_lint.base.findings import Finding, LintResult, Severity, more_related
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.base.source import Span

TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}

_MD_ESCAPES = {c: "\\" + c for c in "\\`*_[]~|"}
_HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: C0/C1 control characters other than tab and line breaks (e.g. ANSI escapes).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def cell(text: str) -> str:
    """Text safe to put in one GFM table cell (one line, literal rendering)."""
    out = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\n":
            out.append("<br>")
        elif UNSAFE.match(ch):
            out.append(visible(ch).replace("\\", "\\\\"))  # the backslash itself rendered literally
        elif ch in _HTML_ESCAPES:
            out.append(_HTML_ESCAPES[ch])
        elif ch in _MD_ESCAPES:
            out.append(_MD_ESCAPES[ch])
        else:
            out.append(ch)
    return "".join(out)


def location(span: Span) -> str:
    """``file:line:col`` of the start of a span."""
    return f"{span.file}:{span.start.line}:{span.start.column}"


def _row(finding: Finding) -> str:
    message = cell(finding.full_message)
    shown, omitted = finding.shown_related()
    for r in shown:
        label = cell(r.label) + " " if r.label else ""
        message += f"<br>&nbsp;&nbsp;\u21b3 {label}({cell(location(r.span))})"
    if omitted:
        message += f"<br>&nbsp;&nbsp;\u21b3 {cell(more_related(omitted))}"
    for c in finding.consequences:  # one row per cause; what follows from it, in the row
        message += f"<br>&nbsp;&nbsp;also: {cell(c.code)} {cell(c.full_message)} ({cell(location(c.span))})"
    rule = cell(f"{finding.code} {finding.rule}".strip())
    return f"| {cell(location(finding.span))} | {rule} | {message} |"


def details(result: LintResult) -> str:
    """One table per severity (most severe first), each finding with its chain."""
    parts = []
    for severity in sorted(Severity, reverse=True):
        found = [f for f in result.findings if f.severity == severity]
        if not found:
            continue
        parts.append(f"### {TITLES[severity]} ({len(found)})\n")
        parts.append("| Location | Rule | Message |")
        parts.append("| --- | --- | --- |")
        parts.extend(_row(f) for f in found)
        parts.append("")
    return "\n".join(parts)


def render(result: LintResult, rules: Mapping[str, RuleSpec]) -> str:
    counts = result.counts()
    total = sum(counts.values())
    out = ["## incentive-lint", ""]
    scope = f"{result.files_checked} files, {result.documents} documents"
    if result.as_of:
        scope += f", as of {cell(result.as_of)}"
    if total == 0:
        out.append(f"No findings ({scope}).")
    else:
        out.append(
            f"**{total}** finding{'s' if total != 1 else ''} ({scope}): "
            + ", ".join(f"{n} {label}" for label, n in counts.items())
            + "."
        )
        folded = sum(len(f.consequences) for f in result.findings)
        if folded:
            out[-1] += f" {folded} follow-on finding{'s' if folded != 1 else ''} folded under them."
    if result.suppressed:
        out.append("")
        out.append(f"{len(result.suppressed)} suppressed finding(s) are not listed.")
    out.append("")
    body = details(result)
    return "\n".join(out) + ("\n" + body if body else "")
