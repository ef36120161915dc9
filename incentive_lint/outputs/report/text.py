"""The alignment report for a terminal: the same sections as the HTML, as plain tables."""
from __future__ import annotations

from typing import Any, Sequence

from tabulate import tabulate

from incentive_lint.base.escape import visible
from incentive_lint.base.findings import more_related
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import DIMENSIONS, Report, families, suppressed_note


def _clean(text: object) -> str:
    """One line of text without terminal control characters (document text must not drive the terminal):
    line breaks, ANSI escapes, U+2028 and bidi controls are written as visible escapes (``\\n``, ``\\x1b``)."""
    return visible(text)


def _heading(title: str) -> list[str]:
    return ["", title, "=" * len(title)]


def _table(rows: Sequence[Sequence[object]], headers: Sequence[str], **kw: Any) -> str:
    clean = [[_clean(c) for c in row] for row in rows]
    return str(tabulate(clean, headers=[_clean(h) for h in headers], tablefmt="simple", disable_numparse=True, **kw))


def matrix_table(report: Report) -> str:
    headers = ["", "target variable pay", "share"]
    headers += [f"{b.label} ({fmt.pct(b.weight)})" if b.kind == "priority" else b.label for b in report.buckets]
    rows: list[list[object]] = []
    for row in report.rows:
        if row.kind == "strategy":
            pay, share = "", ""
        else:
            pay = report.money(row.pay)
            share = fmt.pct(row.pay / report.total_pay) if report.total_pay else ""
        label = row.label if row.kind in ("strategy", "total") else f"  {row.kind} {row.label}"
        cells = [fmt.pct(row.cells.get(b.key, 0.0)) if (row.pay > 0 or row.kind == "strategy") else "–"
                 for b in report.buckets]
        rows.append([label, pay, share, *cells])
    return _table(rows, headers, colalign=("left", "right", "right", *("right",) * len(report.buckets)))


def render(report: Report) -> str:
    out: list[str] = []
    title = _clean(f"Where the money points: {report.strategy_title}" if report.strategy_id else "Where the money points")
    out += [title, "=" * len(title)]
    meta = []
    if report.strategy_id:
        meta.append(f"strategy {report.strategy_id}" + (f" ({report.window})" if report.window else ""))
    meta.append(f"as of {report.as_of}")
    meta.append(f"{report.money(report.total_pay)} target variable pay in force")
    out.append(_clean("; ".join(meta)) + ".")
    out.extend(_clean(note) for note in report.currency_notes())

    out += _heading("Divergence")
    out.append(f"D = {fmt.score(report.overall.score)}: {_clean(report.headline())}")
    if report.overall.top():
        out.append(_clean(f"Top contributors: {report.contributors_text(report.overall)}."))
    rows = []
    for s in (report.overall, *report.scores):
        rows.append([s.label, fmt.score(s.score), s.level if s.score is not None else "", report.money(s.pay),
                     report.contributors_text(s) or "–"])
    out.append("")
    out.append(_table(rows, ["scope", "D", "level", "target variable pay", "top contributors (pay vs weight)"],
                      maxcolwidths=[None, None, None, None, 70]))

    if report.causes:
        out += _heading("What to change")
        for i, c in enumerate(report.causes, 1):
            out.append(_clean(f"{i}. {c.finding.message}"))
            out.append(_clean(f"   pay at stake {report.money(c.at_stake)} ({c.basis}); {c.finding.code} "
                              f"{c.finding.rule}; change {c.finding.span.file}:{c.finding.span.start.line}"))
    if report.right:
        out.append("")
        out.append("What is already right:")
        out += [_clean(f"  - {t}") for t in report.right]

    out += _heading("Alignment matrix (share of target variable pay by priority)")
    out.append(matrix_table(report))

    out += _heading("Flow of target variable pay")
    keys = [b.key for b in report.buckets]
    rows = []
    for src in report.sources:
        amounts = {f.bucket: f.amount for f in report.flows if f.source == src.id}
        rows.append([src.label, report.money(src.amount),
                     *[report.money(amounts[k]) if k in amounts else "–" for k in keys]])
    if rows:
        out.append(_table(rows, ["from", "total", *[report.label(k) for k in keys]],
                          colalign=("left", *("right",) * (len(keys) + 1))))
    else:
        out.append("No target variable pay is in force.")

    out += _heading("Coverage by family")
    if report.coverage:
        headers = ["priority", "weight", *[f"{fam[:4]}: {name}" for fam, _, name in DIMENSIONS]]
        rows = []
        for row in report.coverage:
            cells = []
            for _, key, _ in DIMENSIONS:
                check = row.checks[key]
                rules = f" [{', '.join(check.rules)}]" if check.rules else ""
                cells.append(f"{check.status}: {check.detail}{rules}")
            rows.append([row.priority, fmt.pct(row.weight), *cells])
        out.append(_table(rows, headers, maxcolwidths=[18, None, *[16] * len(DIMENSIONS)]))
    else:
        out.append("No strategy priorities to cover.")

    if report.comparison is not None:
        cmp = report.comparison
        out += _heading(_clean(f"Before and after (since {cmp.ref})"))
        out += [_clean(f"- {s}") for s in cmp.sentences]
        out.append("")
        out.append(_table([[k, fmt.pct(wb), fmt.pct(wa), fmt.pct(qb), fmt.pct(qa)]
                           for k, wb, wa, qb, qa in cmp.priorities],
                          ["priority", "weight before", "weight after", "pay before", "pay after"]))
        out.append("")
        out.append(_table([[label, fmt.score(b), fmt.score(a)] for label, b, a in cmp.scores],
                          ["divergence", "before", "after"]))
        for name, items in (("added", cmp.added), ("resolved", cmp.removed)):
            if items:
                out.append("")
                out.append(f"Findings {name}:")
                out += [_clean(f"  {f.severity.label} {f.code} {f.rule}: {f.message}") for f in items]

    out += _heading("Findings")
    if not report.findings:
        out.append("No findings.")
    for family, groups in families(report):
        out.append("")
        out.append(_clean(family.capitalize()))
        for g in groups:
            for f in g.findings:
                out.append(_clean(f"  {f.severity.label:<7} {f.code} {f.rule} "
                                  f"{f.span.file}:{f.span.start.line}:{f.span.start.column}"))
                out.append(_clean(f"          {f.message}"))
                shown, omitted = f.shown_related()
                for r in shown:
                    out.append(_clean(f"          <- {r.label} ({r.span.file}:{r.span.start.line}:"
                                      f"{r.span.start.column})"))
                if omitted:
                    out.append(_clean(f"          <- {more_related(omitted)}"))
                for follow in f.consequences:
                    out.append(_clean(f"          also: {follow.code} {follow.rule}: {follow.message} "
                                      f"({follow.span.file}:{follow.span.start.line}:{follow.span.start.column})"))
    counts = report.counts
    out.append("")
    out.append(f"{counts.get('error', 0)} error(s), {counts.get('warning', 0)} warning(s), {counts.get('info', 0)} "
               f"info; {report.files_checked} file(s), {report.documents} document(s); as of {report.as_of}.")
    if report.suppressed:
        out.append(_clean(suppressed_note(report)))
    if report.audit is not None:
        a = report.audit
        out.append(_clean(f"incentive-lint {a.version}; catalog {a.catalog}; commit {a.commit_text()}"
                          + (f"; rates {'; '.join(report.rates)}" if report.rates else "")
                          + (f"; generated {a.generated}" if a.generated else "")))
    return "\n".join(out) + "\n"
