"""Human-readable text: one line per finding, its chain indented below, then a summary table.

Every value from a document (ids, titles, messages, file names, notes) reaches the terminal
through :func:`_v` (``base.escape.visible``), so a policy file cannot start a line of its
own, forge a CI annotation or drive the terminal. Colour codes are ours and are added after
escaping. A new line of output is built from ``_v(...)`` pieces like the ones below.
"""
from __future__ import annotations

from typing import Mapping

from incentive_lint.base.escape import visible as _v
from incentive_lint.base.findings import NOT_OURS, Finding, LintResult, Severity, more_related
from incentive_lint.settings.rulespec import RuleSpec

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def _where(f: Finding) -> str:
    return _v(f"{f.span.file}:{f.span.start.line}:{f.span.start.column}")


def finding_lines(f: Finding, color: bool = False, chain: bool = True) -> list[str]:
    severity = f.severity.label
    if color:
        severity = f"{_COLOURS[f.severity]}{severity}{_RESET}"
    lines = [f"{_where(f)} {severity} {_v(f.rule)} {_v(f.message if chain else f.full_message)}"]
    if chain:
        shown, omitted = f.shown_related()
        chain_lines = [f"    <- {_v(r.label)} ({_v(r.span.file)}:{r.span.start.line}:{r.span.start.column})"
                       for r in shown] + ([f"    <- {more_related(omitted)}"] if omitted else [])
        lines.extend(f"{_DIM}{text}{_RESET}" if color else text for text in chain_lines)
        if f.note:
            lines.append(f"    note: {_v(f.note)}")
    for c in f.consequences:  # follow-on findings: fixed with their cause, one line each
        lines.append(f"    also: {_v(c.code)} {_v(c.full_message)} ({_where(c)})")
    return lines


STRICT_HINT = "set 'extends: strict' in .incentive-lint.yaml to list them"


def summarized_lines(result: LintResult, rules: Mapping[str, RuleSpec]) -> list[str]:
    """One line per process-hygiene rule whose items are summarized (recommended profile),
    by severity, then count."""
    counts: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.summarized:
            counts.setdefault(f.rule, []).append(f)
    order = sorted(counts.items(), key=lambda kv: (-max(f.severity for f in kv[1]), -len(kv[1]), kv[0]))
    out = []
    for rule, items in order:
        spec = rules.get(rule)
        what = (spec.summary.rstrip(".") if spec is not None and spec.summary else "findings of this rule")
        out.append(_v(f"{rule}: {len(items)} {'finding' if len(items) == 1 else 'findings'} not listed one by one "
                      f"({what[:1].lower() + what[1:]}); {STRICT_HINT}."))
    return out


def summary_table(result: LintResult) -> str:
    from tabulate import tabulate  # imported only when there is something to print

    # Every finding counts for its rule, follow-on findings included; the most severe rows
    # come first, then the most frequent.
    rows: dict[tuple[str, str, Severity], int] = {}
    for f in result.findings:
        for item in f.with_consequences():
            key = (_v(item.rule), _v(item.code), item.severity)
            rows[key] = rows.get(key, 0) + 1
    ordered = sorted(rows.items(), key=lambda kv: (-kv[0][2], -kv[1], kv[0][0], kv[0][1]))
    table = [[rule, code, sev.label, n] for (rule, code, sev), n in ordered]
    return tabulate(table, headers=["rule", "code", "severity", "findings"], tablefmt="simple")


def _problems(result: LintResult) -> str:
    """The counts: problems (causes and findings of their own) and, apart, the follow-on findings."""
    counts = result.counts()
    folded = sum(len(f.consequences) for f in result.findings)
    also = f", {folded} follow-on finding(s) folded under them" if folded else ""
    return (f"{len(result.findings)} problem(s) ({counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info){also}")


def render(result: LintResult, rules: Mapping[str, RuleSpec], color: bool = False, quiet: bool = False) -> str:
    out: list[str] = []
    last_file = None
    for f in result.findings:
        if f.summarized:
            continue  # one line per rule below (summarized_lines)
        if last_file is not None and f.span.file != last_file and not quiet:
            out.append("")
        last_file = f.span.file
        out.extend(finding_lines(f, color, chain=not quiet))
    summarized = summarized_lines(result, rules)
    if summarized:
        out.extend([""] if out and not quiet else [])
        out.extend(summarized)
    if not quiet:
        if result.findings:
            out.append("")
            out.append(summary_table(result))
        out.append("")
        # files holding only another tool's documents (kind: Deployment) are counted apart
        not_ours = sum(1 for _, reason in result.skipped_files if reason == NOT_OURS)
        without_kind = result.files_skipped - not_ours
        skipped = ([f"{without_kind} file(s) without a 'kind' skipped"] if without_kind else []) + \
            ([f"{not_ours} file{'s' if not_ours != 1 else ''} not ours skipped (another tool's 'kind')"]
             if not_ours else [])
        out.append(
            f"{_problems(result)}; "
            f"{result.files_checked} file(s) checked, {result.documents} valid document(s)"
            + "".join(f", {part}" for part in skipped) + f"; as of {_v(result.as_of)}.")
        out.extend([_v(f"Exchange rates used: {'; '.join(result.rates)}.")] if result.rates else [])
        out.extend([_v(f"{result.not_read_summary()}.")] if result.not_read_summary() else [])
        if result.suppressed:
            out.append(f"{len(result.suppressed)} finding(s) accepted by exceptions or the baseline are not shown.")
    return "\n".join(out) + ("\n" if out else "")
