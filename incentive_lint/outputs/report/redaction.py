"""``report --redact``: the report without document values, for wider circulation.

Findings are redacted by :func:`incentive_lint.gate.redact.redact` before the report is built
(the same function as ``check --redact``), so messages, evidence and chains lose their values.
The report's own figures are then stripped here: every amount of money reads ``[redacted]``
(``Report.money``), titles and names fall back to ids, the exchange rates and the coverage
details (budget amounts, headcounts, names) are left out. Kept: ids, locations, statuses,
and the shares and scores (ratios of pay to pay, the report's subject, which name no amount).
"""
from __future__ import annotations

from dataclasses import replace

from incentive_lint.gate.redact import REDACTED
from incentive_lint.outputs.report.causes import already_right
from incentive_lint.outputs.report.data import Bucket, Check, CoverageRow, Report, Row


def _bucket(b: Bucket) -> Bucket:
    # a priority's title is a document value; its id is what a reader cross-references
    return replace(b, title=b.key) if b.kind == "priority" else b


def _row(r: Row) -> Row:
    return replace(r, title="")  # notes hold only plan ids, dates and the words "executive plan"


def _coverage(c: CoverageRow) -> CoverageRow:
    checks = {k: Check(v.status, REDACTED if v.detail else "", v.rules) for k, v in c.checks.items()}
    return replace(c, title=c.priority, checks=checks)


def redact_report(report: Report) -> Report:
    """The same report with its amounts, titles and names left out (build it from a redacted result)."""
    coverage = tuple(_coverage(c) for c in report.coverage)
    return replace(
        report,
        redacted=True,
        strategy_title=report.strategy_id,
        buckets=tuple(_bucket(b) for b in report.buckets),
        rows=tuple(_row(r) for r in report.rows),
        coverage=coverage,
        rates=(REDACTED,) if report.rates else (),
        left_out=tuple((pid, REDACTED) for pid, _ in report.left_out),
        right=already_right(coverage, report.overall, report.scores),
    )
