"""The alignment report as GitHub-flavoured Markdown: a pull-request comment or a job summary.

The same sections as the HTML, as tables. Every value from the policy repository goes
through :func:`incentive_lint.outputs.formats.markdown.cell`, which escapes table pipes, HTML and
Markdown punctuation, so a document cannot inject markup into a comment.
"""
from __future__ import annotations

from typing import Sequence

from incentive_lint.base.findings import more_related
from incentive_lint.outputs.formats.markdown import cell
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import DIMENSIONS, Report, families, score_sentence, suppressed_note

STATUS = {"yes": "✅ yes", "partial": "🟡 partly", "no": "❌ no", "n/a": "➖ n/a"}
LEVEL = {"ok": "below threshold", "warning": "⚠️ warning", "error": "🛑 error", "none": "–",
         "accepted": "accepted by exception", "unchecked": "not judged by a rule"}


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    """Headers and cells must already be escaped."""
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _sentence(text: str) -> str:
    return cell(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))


def render(report: Report) -> str:
    out: list[str] = []
    title = "Where the money points"
    if report.strategy_title:
        title += f": {report.strategy_title}"
    out += [f"## {cell(title)}", ""]
    meta = []
    if report.strategy_id:
        meta.append(f"Strategy `{cell(report.strategy_id)}`" + (f" ({cell(report.window)})" if report.window else ""))
    meta.append(f"as of {cell(report.as_of)}")
    meta.append(f"{cell(report.money(report.total_pay))} target variable pay in force")
    out.append(", ".join(meta) + ".")
    out.extend(cell(note) for note in report.currency_notes())
    out.append("")
    level = LEVEL.get(report.overall.level, report.overall.level)
    out.append(f"**D = {fmt.score(report.overall.score)}** ({level}): {cell(report.headline())}")
    if report.overall.top():
        out.append(f"Largest gaps: {cell(report.contributors_text(report.overall))}.")
    out.append("")
    out.append(f"{fmt.pct(report.priority_share)} of target variable pay is on the strategy's priorities, "
               f"{fmt.pct(report.share('legacy'))} on drivers being left behind, "
               f"{fmt.pct(report.share('unaligned'))} on no priority.")

    # page one: what to change
    if report.causes:
        out += ["", "### What to change", ""]
        out += _table(["#", "What is wrong", "Pay at stake", "Rule", "File to change"],
                      [[str(i), cell(c.finding.message), cell(report.money(c.at_stake)),
                        cell(f"{c.finding.code} {c.finding.rule}"), cell(f"{c.finding.span.file}:{c.finding.span.start.line}")]
                       for i, c in enumerate(report.causes, 1)], right=(0, 2))
    if report.right:
        out += ["", "What is already right:", ""] + [f"- {cell(t)}" for t in report.right]

    # matrix
    out += ["", "### Alignment matrix", "",
            "Each cell is the share of the row's target variable pay that flows to the column.", ""]
    headers = ["", "Target variable pay", "Share"]
    for b in report.buckets:
        headers.append(f"{cell(b.label)} ({fmt.pct(b.weight)})" if b.kind == "priority" else cell(b.label))
    rows = []
    for row in report.rows:
        if row.kind == "strategy":
            label, pay, share = "**Strategy weights**", "", ""
        else:
            label = "**All in-force plans**" if row.kind == "total" else f"{row.kind} `{cell(row.id)}`"
            pay = cell(report.money(row.pay))
            share = fmt.pct(row.pay / report.total_pay) if report.total_pay else ""
        cells = [fmt.pct(row.cells.get(b.key, 0.0)) if (row.pay > 0 or row.kind == "strategy") else "–"
                 for b in report.buckets]
        rows.append([label, pay, share, *cells])
    out += _table(headers, rows, right=range(1, 3 + len(report.buckets)))

    # divergence
    out += ["", "### Divergence score", ""]
    rows = []
    for s in (report.overall, *report.scores):
        top = report.contributors_text(s)
        meaning = cell(score_sentence(s, report)) + (f"<br>Largest gaps: {cell(top)}." if top else "")
        rows.append([cell(s.label), cell(report.money(s.pay)), fmt.score(s.score), LEVEL.get(s.level, s.level), meaning])
    out += _table(["Scope", "Target variable pay", "D", "Level", "What it means"], rows, right=(1, 2))

    # flow
    out += ["", "### Where target variable pay flows", ""]
    if report.sources:
        keys = [b.key for b in report.buckets]
        rows = []
        for src in report.sources:
            amounts = {f.bucket: f.amount for f in report.flows if f.source == src.id}
            rows.append([cell(src.label), cell(report.money(src.amount)),
                         *[cell(report.money(amounts[k])) if k in amounts else "–" for k in keys]])
        rows.append(["**Share of pay**", "100%", *[fmt.pct(report.share(k)) for k in keys]])
        rows.append(["**Strategy weight**", "", *[fmt.pct(report.bucket(k).weight or 0.0) for k in keys]])
        out += _table(["From", "Total", *[cell(report.label(k)) for k in keys]], rows,
                      right=range(1, 2 + len(keys)))
    else:
        out.append("No target variable pay is in force.")

    # coverage
    out += ["", "### Coverage: clarity, capability, engagement", ""]
    if report.coverage:
        headers = ["Priority", "Weight", *[f"{fam.capitalize()}: {name}" for fam, _, name in DIMENSIONS]]
        rows = []
        for c in report.coverage:
            cells = []
            for _, key, _ in DIMENSIONS:
                check = c.checks[key]
                text = STATUS.get(check.status, cell(check.status))
                if check.detail:
                    text += f"<br>{cell(check.detail)}"
                if check.rules:
                    text += f"<br>see {cell(', '.join(check.rules))}"
                cells.append(text)
            rows.append([f"`{cell(c.priority)}`", fmt.pct(c.weight), *cells])
        out += _table(headers, rows, right=(1,))
    else:
        out.append("The strategy in force has no priorities to cover.")

    # before and after
    if report.comparison is not None:
        cmp = report.comparison
        out += ["", f"### Before and after (since `{cell(cmp.ref)}`)", ""]
        out += [f"- {_sentence(s)}" for s in cmp.sentences]
        out.append("")
        out += _table(["Priority", "Weight before", "Weight after", "Share of pay before", "Share of pay after"],
                      [[f"`{cell(k)}`", fmt.pct(wb), fmt.pct(wa), fmt.pct(qb), fmt.pct(qa)]
                       for k, wb, wa, qb, qa in cmp.priorities], right=(1, 2, 3, 4))
        out.append("")
        out += _table(["Divergence score", "Before", "After"],
                      [[cell(label), fmt.score(b), fmt.score(a)] for label, b, a in cmp.scores], right=(1, 2))
        for name, items in (("added", cmp.added), ("resolved", cmp.removed)):
            if items:
                out += ["", f"Findings {name} ({len(items)}):", ""]
                out += [f"- **{f.severity.label}** {cell(f.code)} `{cell(f.rule)}`: {cell(f.message)}" for f in items]

    # findings
    out += ["", "### Findings", ""]
    counts = report.counts
    out.append(f"{counts.get('error', 0)} error(s), {counts.get('warning', 0)} warning(s), {counts.get('info', 0)} "
               f"info." + (f" {suppressed_note(report)}" if report.suppressed else ""))
    for family, groups in families(report):
        out += ["", f"#### {cell(family.capitalize())}", ""]
        rows = []
        for g in groups:
            for f in g.findings:
                message = cell(f.message)
                shown, omitted = f.shown_related()
                for r in shown:
                    message += (f"<br>&nbsp;&nbsp;\u21b3 {cell(r.label)} "
                                f"({cell(f'{r.span.file}:{r.span.start.line}:{r.span.start.column}')})")
                if omitted:
                    message += f"<br>&nbsp;&nbsp;\u21b3 {cell(more_related(omitted))}"
                for follow in f.consequences:
                    message += (f"<br>also: {cell(f'{follow.code} {follow.rule}: {follow.message}')} "
                                f"({cell(f'{follow.span.file}:{follow.span.start.line}:{follow.span.start.column}')})")
                where = cell(f"{f.span.file}:{f.span.start.line}:{f.span.start.column}")
                rows.append([f.severity.label, cell(f"{f.code} {f.rule}".strip()), message, where])
        out += _table(["Severity", "Rule", "Message and chain", "Location"], rows)
    if report.audit is not None:
        a = report.audit
        out += ["", f"<sub>incentive-lint {cell(a.version)} · catalog {cell(a.catalog)} · as of {cell(report.as_of)} · "
                    f"commit {cell(a.commit_text())}" + (f" · rates: {cell('; '.join(report.rates))}" if report.rates else "")
                + (f" · generated {cell(a.generated)}" if a.generated else "") + "</sub>"]
    out.append("")
    return "\n".join(out)
