"""Human-readable text: one line per finding, its chain indented below, then a summary table."""
from __future__ import annotations

from typing import Mapping

from incentive_lint.base.findings import Finding, LintResult, Severity
from incentive_lint.settings.rulespec import RuleSpec

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def _where(f: Finding) -> str:
    return f"{f.span.file}:{f.span.start.line}:{f.span.start.column}"


def finding_lines(f: Finding, color: bool = False, chain: bool = True) -> list[str]:
    severity = f.severity.label
    if color:
        severity = f"{_COLOURS[f.severity]}{severity}{_RESET}"
    lines = [f"{_where(f)} {severity} {f.rule} {f.message if chain else f.full_message}"]
    if chain:
        for r in f.related:
            text = f"    <- {r.label} ({r.span.file}:{r.span.start.line}:{r.span.start.column})"
            lines.append(f"{_DIM}{text}{_RESET}" if color else text)
        if f.note:
            lines.append(f"    note: {f.note}")
    return lines


def summary_table(result: LintResult) -> str:
    from tabulate import tabulate  # imported only when there is something to print

    rows: dict[tuple[str, str, str], int] = {}
    for f in result.findings:
        key = (f.rule, f.code, f.severity.label)
        rows[key] = rows.get(key, 0) + 1
    table = [[rule, code, sev, n] for (rule, code, sev), n in sorted(rows.items())]
    return tabulate(table, headers=["rule", "code", "severity", "findings"], tablefmt="simple")


def render(result: LintResult, rules: Mapping[str, RuleSpec], color: bool = False, quiet: bool = False) -> str:
    out: list[str] = []
    last_file = None
    for f in result.findings:
        if last_file is not None and f.span.file != last_file and not quiet:
            out.append("")
        last_file = f.span.file
        out.extend(finding_lines(f, color, chain=not quiet))
    if not quiet:
        if result.findings:
            out.append("")
            out.append(summary_table(result))
        counts = result.counts()
        out.append("")
        out.append(
            f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info; "
            f"{result.files_checked} file(s) checked, {result.documents} valid document(s), "
            f"{result.files_skipped} file(s) without a 'kind' skipped; as of {result.as_of}.")
        if result.suppressed:
            out.append(f"{len(result.suppressed)} finding(s) accepted by exceptions or the baseline are not shown.")
    return "\n".join(out) + ("\n" if out else "")
