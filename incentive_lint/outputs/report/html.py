"""The alignment report as one self-contained HTML file.

No scripts, fonts, images or links leave the file (a Content-Security-Policy says so to the
browser); charts are inline SVG; a print style sheet lays it out on A4 landscape. Every value
from the policy repository goes through :mod:`.markup`, which escapes it. The output is
deterministic: the same repository and as-of date give the same bytes.
"""
from __future__ import annotations

from incentive_lint.base.version import VERSION as __version__
from incentive_lint.base.findings import Finding
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import DIMENSIONS, Bucket, Check, Comparison, Report, families, score_sentence, suppressed_note
from incentive_lint.outputs.report.markup import Child, Safe, el, join, raw
from incentive_lint.outputs.report.svg import bucket_colours, diverging_bars, flow_chart, gauge

STATUS_LABEL = {"yes": "Yes", "partial": "Partly", "no": "No", "n/a": "n/a"}
LEVEL_LABEL = {"ok": "below threshold", "warning": "warning", "error": "error", "none": "not computed"}
FAMILY_TITLE = {"input": "Input", "clarity": "Clarity", "capability": "Capability", "engagement": "Engagement"}
FAMILY_QUESTION = {
    "input": "Could every document be read and trusted?",
    "clarity": "Does the strategy reach the ground, with an owner at every level?",
    "capability": "Is the direction measured, resourced, priced and supported by systems?",
    "engagement": "Do incentives reward the new priorities?",
}

CSS = """
:root{--ink:#1b2430;--muted:#5a6472;--line:#dde2e8;--soft:#f4f6f8;--bg:#eef1f4;--card:#fff;
--navy:#13283f;--accent:#1f5f99;--err:#b42318;--err-bg:#fdecea;--warn:#9a5b00;--warn-bg:#fff4e0;
--ok:#1e7a46;--ok-bg:#e6f4ec;--info:#2f5f8f;--info-bg:#e8f0f8;--na:#6b7480;--na-bg:#eef0f2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif;
font-variant-numeric:tabular-nums}
.wrap{max-width:1280px;margin:0 auto;padding:0 32px}
.masthead{background:var(--navy);color:#fff;padding:28px 0 24px}
.eyebrow{margin:0;text-transform:uppercase;letter-spacing:.12em;font-size:11px;color:#9fb6cf;font-weight:600}
h1{margin:4px 0 2px;font-size:30px;line-height:1.2;font-weight:700;letter-spacing:-.01em}
.subtitle{margin:0;font-size:17px;color:#d9e4ef}
.subtitle .id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;color:#9fb6cf;margin-left:8px}
.meta{display:flex;flex-wrap:wrap;gap:8px 36px;margin:18px 0 0;padding:0}
.meta div{min-width:120px}.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:#9fb6cf}
.meta dd{margin:2px 0 0;font-size:15px;font-weight:600}
main.wrap{padding-top:24px;padding-bottom:40px}
.cards{display:grid;grid-template-columns:2.2fr 1fr 1fr 1fr;gap:16px;margin-bottom:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px}
.card h3{margin:0 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-weight:600}
.big{font-size:40px;font-weight:700;line-height:1.1;letter-spacing:-.02em}
.card.score .big{display:flex;align-items:center;gap:14px}
.card p{margin:6px 0 0}.card .sub{color:var(--muted);font-size:13px}
.card.lvl-error{border-top:4px solid var(--err)}.card.lvl-warning{border-top:4px solid var(--warn)}
.card.lvl-ok{border-top:4px solid var(--ok)}.card.lvl-none{border-top:4px solid var(--na)}
nav.toc{display:flex;flex-wrap:wrap;gap:6px 18px;margin:0 0 20px;font-size:13px}
nav.toc a{color:var(--accent);text-decoration:none}nav.toc a:hover{text-decoration:underline}
section.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:20px 24px;margin-bottom:20px}
h2{margin:0 0 4px;font-size:20px;line-height:1.3}
.lede{margin:0 0 14px;color:var(--muted);max-width:960px}
h3.family{margin:18px 0 2px;font-size:16px}
.question{margin:0 0 10px;color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:12px;color:var(--muted);font-weight:600;border-bottom:2px solid #c9d0d8;background:var(--soft)}
th small,td small{display:block;font-weight:400;color:var(--muted);font-size:11.5px;line-height:1.35}
td.num,th.num{text-align:right}
td.num{white-space:nowrap}
.matrix thead th.num{min-width:92px;max-width:170px}
.matrix tbody th{min-width:150px;max-width:230px}
.scroll{overflow-x:auto}
tr.group th{background:#fff;color:var(--navy);font-size:11px;text-transform:uppercase;letter-spacing:.08em;
padding-top:14px;border-bottom:1px solid #c9d0d8}
tr.total td,tr.total th{font-weight:700;background:#fafbfc}
tr.strategy td,tr.strategy th{background:#f1f5fa;font-weight:600}
td.heat{font-weight:600}
td.heat small{font-weight:500}
.gap-neg{color:var(--err)}.gap-pos{color:var(--warn)}.gap-zero{color:var(--muted)}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
.pid{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;white-space:nowrap}
code,.loc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.loc{color:var(--muted)}
figure{margin:0}figcaption{color:var(--muted);font-size:12.5px;margin-top:6px}
svg{display:block;max-width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:11.5px;font-weight:700;
text-transform:uppercase;letter-spacing:.04em;white-space:nowrap}
.badge.error{background:var(--err-bg);color:var(--err)}.badge.warning{background:var(--warn-bg);color:var(--warn)}
.badge.info{background:var(--info-bg);color:var(--info)}.badge.ok{background:var(--ok-bg);color:var(--ok)}
.badge.none{background:var(--na-bg);color:var(--na)}
.st{display:inline-block;min-width:52px;text-align:center;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:700}
.st.yes{background:var(--ok-bg);color:var(--ok)}.st.partial{background:var(--warn-bg);color:var(--warn)}
.st.no{background:var(--err-bg);color:var(--err)}.st.na{background:var(--na-bg);color:var(--na);font-weight:500}
.cov td{min-width:110px}.cov .detail{font-size:12px;color:var(--ink);margin-top:4px;word-break:break-word}
.cov .rules{font-size:11px;color:var(--muted);margin-top:2px}
.cov thead tr:first-child th{text-align:center;color:var(--navy);font-size:12px;text-transform:uppercase;letter-spacing:.08em}
.cov th.fam-clarity{border-bottom:3px solid #1f5f99}.cov th.fam-capability{border-bottom:3px solid #2a9d8f}
.cov th.fam-engagement{border-bottom:3px solid #7b5ea7}
.scores td,.scores th{vertical-align:middle}
.scores td.gauge{white-space:nowrap}
.sentences{margin:0 0 14px;padding-left:20px}.sentences li{margin:3px 0}
.finding{border:1px solid var(--line);border-left:4px solid var(--na);border-radius:6px;padding:9px 12px;margin:8px 0}
.finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}
.finding.info{border-left-color:var(--info)}
.f-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px}
.f-head .rule{font-weight:600}
.finding .msg{margin:4px 0 0}
.chain{margin:6px 0 0;padding-left:20px;font-size:12.5px;color:var(--muted);list-style-type:'\\21B3  '}
.chain li{margin:1px 0}
.counts td,.counts th{text-align:right}.counts td:first-child,.counts th:first-child{text-align:left}
.two{display:grid;grid-template-columns:1fr 1fr;gap:24px;align-items:start}
.empty{color:var(--muted);font-style:italic}
dl.defs{display:grid;grid-template-columns:220px 1fr;gap:6px 18px;margin:0}
dl.defs dt{font-weight:600}dl.defs dd{margin:0;color:var(--ink)}
footer{color:var(--muted);font-size:12px;padding:8px 0 32px}
@page{size:A4 landscape;margin:11mm}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff;font-size:10pt}
.wrap{max-width:none;padding:0}
.masthead{padding:14px 16px;border-radius:6px}
main.wrap{padding-top:12px;padding-bottom:0}
nav.toc{display:none}
section.panel{border:none;padding:6px 0;margin:0 0 10px}
section.panel+section.panel{break-before:page}
h2,h3{break-after:avoid}
tr,.finding,figure,.card{break-inside:avoid}
.cards{gap:8px}
th,td{padding:4px 6px}
table{font-size:9pt}
th small,td small{font-size:8pt}
.matrix thead th.num{min-width:0}
.cov td{min-width:0}
a{color:inherit;text-decoration:none}
}
@media (max-width:900px){.cards{grid-template-columns:1fr 1fr}.two{grid-template-columns:1fr}}
"""


def _swatch(colour: str) -> Safe:
    return el("span", {"class": "swatch", "style": f"background:{colour}", "aria-hidden": "true"})


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:.2f})"


def _badge(level: str, text: str | None = None) -> Safe:
    return el("span", {"class": f"badge {level}"}, text or level)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 or noun == "info" else f"{n} {noun}s"


def _gap_class(delta: float) -> str:
    if abs(delta) < 0.0005:
        return "gap-zero"
    return "gap-pos" if delta > 0 else "gap-neg"


# --------------------------------------------------------------------------- sections


def _masthead(report: Report) -> Safe:
    n_plans = sum(1 for r in report.rows if r.kind == "plan")
    meta = [("Strategy window", report.window or "–"), ("As of", report.as_of),
            ("Target variable pay in force", report.money(report.total_pay)), ("Plans in force", str(n_plans)),
            ("Findings", " · ".join(_count(report.counts.get(k, 0), k) for k in ("error", "warning", "info")))]
    subtitle = el("p", {"class": "subtitle"}, report.strategy_title or "No strategy in force",
                  el("span", {"class": "id"}, report.strategy_id) if report.strategy_id else None)
    return el("header", {"class": "masthead"}, el("div", {"class": "wrap"},
              el("p", {"class": "eyebrow"}, "Incentive alignment report"),
              el("h1", {}, "Where the money points"), subtitle,
              el("dl", {"class": "meta"}, [el("div", {}, el("dt", {}, k), el("dd", {}, v)) for k, v in meta])))


def _cards(report: Report) -> Safe:
    s = report.overall
    top = report.contributors_text(s)
    score_card = el(
        "div", {"class": f"card score lvl-{s.level}", "id": "divergence-score"},
        el("h3", {}, "Divergence score D"),
        el("div", {"class": "big"}, el("span", {"class": "d-value"}, fmt.score(s.score)),
           _badge(s.level, LEVEL_LABEL[s.level])),
        el("p", {"class": "headline"}, report.headline()),
        el("p", {"class": "sub"}, f"Largest gaps: {top}.") if top else None)
    legacy = report.share("legacy")
    unaligned = report.share("unaligned")
    drivers = ", ".join(report.from_drivers) or "none named"
    cards = [
        ("On the strategy's priorities", fmt.pct(report.priority_share),
         "of target variable pay; the priorities carry 100% of the strategy's weight"),
        ("On drivers being left behind", fmt.pct(legacy), f"of target variable pay rides on {drivers}"),
        ("On no priority at all", fmt.pct(unaligned), "of target variable pay maps to no current priority"),
    ]
    small = [el("div", {"class": "card"}, el("h3", {}, title), el("div", {"class": "big"}, value),
                el("p", {"class": "sub"}, text)) for title, value, text in cards]
    return el("section", {"class": "cards", "aria-label": "Summary"}, score_card, small)


def _bucket_head(b: Bucket, colour: str) -> Safe:
    if b.kind == "priority":
        return el("th", {"class": "num", "scope": "col"}, el("span", {"class": "pid"}, _swatch(colour), b.label),
                  el("small", {}, b.title), el("small", {}, f"weight {fmt.pct(b.weight)}"
                                                + (f" · {b.change}" if b.change else "")))
    return el("th", {"class": "num", "scope": "col"}, _swatch(colour), b.label, el("small", {}, b.title))


def _matrix(report: Report, colours: dict[str, str]) -> Safe:
    head = el("tr", {}, el("th", {"scope": "col"}, "Plan or function"),
              el("th", {"class": "num", "scope": "col"}, "Target variable pay"),
              el("th", {"class": "num", "scope": "col"}, "Share of total"),
              [_bucket_head(b, colours[b.key]) for b in report.buckets])
    ncols = 3 + len(report.buckets)
    groups = {"strategy": "Strategy", "total": "All in-force plans", "plan": "By plan",
              "function": "By function (non-executive plans)"}
    weights = {b.key: b.weight or 0.0 for b in report.buckets}
    body: list[Safe] = []
    last = None
    for row in report.rows:
        if row.kind != last and row.kind in ("plan", "function"):
            body.append(el("tr", {"class": "group"}, el("th", {"colspan": ncols, "scope": "colgroup"},
                                                         groups[row.kind])))
        last = row.kind
        if row.kind == "strategy":
            pay = share = ""
        else:
            pay = report.money(row.pay)
            share = fmt.pct(row.pay / report.total_pay) if report.total_pay else ""
        cells = []
        for b in report.buckets:
            value = row.cells.get(b.key, 0.0)
            if row.kind != "strategy" and row.pay <= 0:
                cells.append(el("td", {"class": "num empty"}, "–"))
                continue
            style = f"background:{_rgba(colours[b.key], 0.08 + 0.55 * value)}" if value > 0.0005 else None
            extra = None
            if row.kind == "total":
                delta = value - weights[b.key]
                extra = el("small", {"class": _gap_class(delta)}, fmt.points(delta) + " vs weight")
            cells.append(el("td", {"class": "num heat", "style": style,
                                   "data-bucket": b.key}, fmt.pct(value), extra))
        label: Child = row.label
        if row.kind in ("plan", "function"):
            label = el("span", {"class": "pid"}, row.label)
        body.append(el("tr", {"class": row.kind, "data-row": f"{row.kind}:{row.id}"},
                       el("th", {"scope": "row"}, label, el("small", {}, row.note) if row.note else None),
                       el("td", {"class": "num"}, pay), el("td", {"class": "num"}, share), cells))
    return el("div", {"class": "scroll"}, el("table", {"class": "matrix", "id": "alignment-matrix"},
                                             el("thead", {}, head), el("tbody", {}, body)))


def _section(ident: str, title: str, lede: Child, *content: Child) -> Safe:
    return el("section", {"class": "panel", "id": ident}, el("h2", {}, title),
              el("p", {"class": "lede"}, lede) if lede else None, *content)


def _scores_table(report: Report) -> Safe:
    rows = []
    warn, error = report.thresholds
    for s in (report.overall, *report.scores):
        if s.score is None:
            d_cell = el("td", {"class": "num"}, el("span", {"class": "empty"}, "–"))
            gauge_cell = el("td", {}, el("span", {"class": "empty"}, "no plan in force" if s.pay <= 0 else "–"))
        else:
            d_cell = el("td", {"class": "num"}, el("strong", {}, fmt.score(s.score)))
            gauge_cell = el("td", {"class": "gauge"}, gauge(s.score, warn, error), _badge(s.level, LEVEL_LABEL[s.level]))
        explanation = [el("div", {}, score_sentence(s, report))]
        top = report.contributors_text(s)
        if top:
            explanation.append(el("small", {}, f"Largest gaps: {top}."))
        rows.append(el("tr", {"data-scope": f"{s.scope}:{s.id}"},
                       el("th", {"scope": "row"}, el("span", {"class": "pid"} if s.scope == "function" else {},
                                                     s.label)),
                       el("td", {"class": "num"}, report.money(s.pay)), d_cell, gauge_cell,
                       el("td", {}, explanation)))
    head = el("tr", {}, el("th", {}, "Scope"), el("th", {"class": "num"}, "Target variable pay"),
              el("th", {"class": "num"}, "D"), el("th", {}, f"Against thresholds ({fmt.score(warn)} / "
                                                        f"{fmt.score(error)})"),
              el("th", {}, "What it means"))
    return el("table", {"class": "scores", "id": "divergence-table"}, el("thead", {}, head), el("tbody", {}, rows))


def _check_cell(check: Check) -> Safe:
    cls = "na" if check.status == "n/a" else check.status
    return el("td", {"data-status": check.status},
              el("span", {"class": f"st {cls}"}, STATUS_LABEL.get(check.status, check.status)),
              el("div", {"class": "detail"}, check.detail) if check.detail else None,
              el("div", {"class": "rules"}, "see " + ", ".join(check.rules)) if check.rules else None)


def _coverage(report: Report, colours: dict[str, str]) -> Safe:
    if not report.coverage:
        return el("p", {"class": "empty"}, "The strategy in force has no priorities to cover.")
    fams: list[tuple[str, int]] = []
    for family, _, _ in DIMENSIONS:
        if fams and fams[-1][0] == family:
            fams[-1] = (family, fams[-1][1] + 1)
        else:
            fams.append((family, 1))
    top = el("tr", {}, el("th", {"rowspan": 2, "scope": "col"}, "Priority"),
             el("th", {"rowspan": 2, "class": "num", "scope": "col"}, "Weight"),
             [el("th", {"colspan": n, "class": f"fam-{fam}", "scope": "colgroup"}, FAMILY_TITLE.get(fam, fam))
              for fam, n in fams])
    names = el("tr", {}, [el("th", {"scope": "col"}, name) for _, _, name in DIMENSIONS])
    rows = []
    for c in report.coverage:
        rows.append(el("tr", {"data-priority": c.priority},
                       el("th", {"scope": "row"}, el("span", {"class": "pid"}, _swatch(colours.get(c.priority, "#999")),
                                                     c.priority), el("small", {}, c.title)),
                       el("td", {"class": "num"}, fmt.pct(c.weight),
                          el("small", {}, c.change) if c.change else None),
                       [_check_cell(c.checks[key]) for _, key, _ in DIMENSIONS]))
    return el("table", {"class": "cov", "id": "coverage-table"}, el("thead", {}, top, names), el("tbody", {}, rows))


def _where(f: Finding) -> str:
    return f"{f.span.file}:{f.span.start.line}:{f.span.start.column}"


def _finding(f: Finding) -> Safe:
    chain = [el("li", {}, r.label + " ", el("span", {"class": "loc"}, f"{r.span.file}:{r.span.start.line}:"
                                                                        f"{r.span.start.column}"))
             for r in f.related]
    return el("div", {"class": f"finding {f.severity.label}", "data-fingerprint": f.fingerprint},
              el("div", {"class": "f-head"}, _badge(f.severity.label), el("code", {}, f.code),
                 el("span", {"class": "rule"}, f.rule), el("span", {"class": "loc"}, _where(f))),
              el("p", {"class": "msg"}, f.message),
              el("ul", {"class": "chain"}, chain) if chain else None,
              el("p", {"class": "chain"}, "Note: " + f.note) if f.note else None)


def _findings(report: Report) -> Safe:
    note = suppressed_note(report)
    if not report.findings:
        return el("p", {"class": "empty"}, "No findings." + (f" {note}" if note else ""))
    fams = families(report)
    severities = ("error", "warning", "info")
    head = el("tr", {}, el("th", {}, "Family"), [el("th", {}, s) for s in severities], el("th", {}, "Total"))
    rows = []
    for family, groups in fams:
        n = {g.severity.label: len(g.findings) for g in groups}
        rows.append(el("tr", {}, el("td", {}, FAMILY_TITLE.get(family, family.capitalize())),
                       [el("td", {}, str(n.get(s, 0))) for s in severities], el("td", {}, str(sum(n.values())))))
    parts: list[Safe] = [el("table", {"class": "counts", "style": "max-width:520px"}, el("thead", {}, head),
                            el("tbody", {}, rows))]
    if note:
        parts.append(el("p", {"class": "question"}, note))
    for family, groups in fams:
        parts.append(el("h3", {"class": "family", "id": f"findings-{family}"},
                        FAMILY_TITLE.get(family, family.capitalize())))
        if family in FAMILY_QUESTION:
            parts.append(el("p", {"class": "question"}, FAMILY_QUESTION[family]))
        for g in groups:
            parts.extend(_finding(f) for f in g.findings)
    return join(parts)


def _comparison(report: Report, cmp: Comparison) -> Safe:
    sentences = el("ul", {"class": "sentences", "id": "change-sentences"},
                   [el("li", {}, s[:1].upper() + s[1:] + ".") for s in cmp.sentences])
    prio = el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Priority"),
                                              el("th", {"class": "num"}, "Weight before"),
                                              el("th", {"class": "num"}, "Weight after"),
                                              el("th", {"class": "num"}, "Share of pay before"),
                                              el("th", {"class": "num"}, "Share of pay after"),
                                              el("th", {"class": "num"}, "Change"))),
              el("tbody", {}, [el("tr", {}, el("th", {}, el("span", {"class": "pid"}, k)),
                                  el("td", {"class": "num"}, fmt.pct(wb)), el("td", {"class": "num"}, fmt.pct(wa)),
                                  el("td", {"class": "num"}, fmt.pct(qb)), el("td", {"class": "num"}, fmt.pct(qa)),
                                  el("td", {"class": "num"}, fmt.points((qa or 0) - (qb or 0))
                                     if qa is not None and qb is not None else "–"))
                               for k, wb, wa, qb, qa in cmp.priorities]))
    scores = el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Divergence score"),
                                                el("th", {"class": "num"}, "Before"),
                                                el("th", {"class": "num"}, "After"))),
                el("tbody", {}, [el("tr", {}, el("th", {}, label), el("td", {"class": "num"}, fmt.score(b)),
                                    el("td", {"class": "num"}, fmt.score(a))) for label, b, a in cmp.scores]))
    lists = []
    for title, items in (("Findings added", cmp.added), ("Findings resolved", cmp.removed)):
        lists.append(el("div", {}, el("h3", {"class": "family"}, f"{title} ({len(items)})"),
                        join([_finding(f) for f in items]) if items else el("p", {"class": "empty"}, "None.")))
    return join(sentences, el("div", {"class": "two"}, prio, scores), el("div", {"class": "two"}, lists))


def _method(report: Report) -> Safe:
    warn, error = report.thresholds
    defs = [
        ("Target variable pay", "For each plan in force on the as-of date (a role whose plan expired keeps being "
                                "paid on it): headcount × target incentive of every role it pays, split over its "
                                "components by weight (gates and modifiers carry no pay)."),
        ("Where a component points", "A KPI tagged with a driver the strategy moves away from counts as "
                                     "'moving away from'; otherwise it counts for the priorities that target the KPI, "
                                     "else those sharing a driver with it, else as unaligned."),
        ("Divergence score D", "Half the sum of the gaps between each column's share of pay and its weight in the "
                               "strategy: the share of target variable pay that would have to move to mirror the "
                               f"strategy. Warning from {fmt.score(warn)}, error from {fmt.score(error)}."),
        ("D of a function", "The function's non-executive plans against the priorities it contributes to, their "
                            "weights rescaled to 100%."),
        ("Coverage", "Clarity: an accountable role with headcount, KPI targets with value, date and baseline, a "
                     "function-level objective for every contributor. Capability: an investment line, an active "
                     "offer of each required model, required functions active with headcount, required system "
                     "capabilities live. Engagement: a share of pay of at least a quarter of the weight."),
    ]
    return el("dl", {"class": "defs"}, [join(el("dt", {}, k), el("dd", {}, v)) for k, v in defs])


def render(report: Report) -> str:
    colours = bucket_colours(report.buckets)
    title = "Where the money points" + (f" — {report.strategy_title}" if report.strategy_title else "")
    head = el("head", {},
              el("meta", {"charset": "utf-8"}),
              el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
              el("meta", {"http-equiv": "Content-Security-Policy",
                          "content": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"}),
              el("meta", {"name": "generator", "content": f"incentive-lint {__version__}"}),
              el("title", {}, title),
              el("style", {}, raw(CSS)))
    toc = el("nav", {"class": "toc", "aria-label": "Contents"},
             [el("a", {"href": f"#{i}"}, t) for i, t in (
                 ("matrix", "Alignment matrix"), ("flow", "Flow of pay"), ("divergence", "Divergence"),
                 ("coverage", "Coverage"), *((("change", "Before and after"),) if report.comparison else ()),
                 ("findings", "Findings"), ("method", "Method"))])
    legend = "Each cell is the share of the row's target variable pay that flows to the column."
    sections: list[Safe] = [
        _section("matrix", "Alignment matrix",
                 f"{legend} The strategy row shows the weights the pay should mirror; the total row shows how far "
                 "each column is from its weight.", _matrix(report, colours)),
        _section("flow", "Where target variable pay flows",
                 "From the functions whose roles are paid (executive plans apart) to the strategy's priorities, "
                 "set against the weight each priority has in the strategy.",
                 el("figure", {}, flow_chart(report, colours),
                    el("figcaption", {}, "Band thickness is proportional to target variable pay; the outlined "
                                         "column shows the strategy's weights on the same scale."))),
        _section("divergence", "Divergence score",
                 f"D = {fmt.score(report.overall.score)}: {report.headline()}",
                 el("figure", {}, diverging_bars(report, colours),
                    el("figcaption", {}, "Share of pay minus weight for each column. D is the sum of the bars "
                                         "on either side of the axis (they are equal).")),
                 el("div", {"style": "height:14px"}), _scores_table(report)),
        _section("coverage", "Coverage: clarity, capability, engagement",
                 "For each priority, whether the organisation has what it takes to deliver it: someone accountable "
                 "and measures (clarity), money, an offer, people and systems (capability), and pay (engagement).",
                 _coverage(report, colours)),
    ]
    if report.comparison is not None:
        sections.append(_section("change", f"Before and after (since {report.comparison.ref})",
                                 "Compared with the merge-base of the reference: where the pay points before and "
                                 "after this change.", _comparison(report, report.comparison)))
    sections.append(_section("findings", "Findings",
                             "Grouped by family and severity, each with the chain of references that proves it.",
                             _findings(report)))
    sections.append(_section("method", "How to read the figures", None, _method(report)))
    footer = el("footer", {"class": "wrap"},
                f"incentive-lint {__version__} · {report.files_checked} files, {report.documents} documents · "
                f"plans, offers and functions as of {report.as_of}.")
    body = el("body", {}, _masthead(report), el("main", {"class": "wrap"}, _cards(report), toc, sections), footer)
    return "<!DOCTYPE html>\n" + el("html", {"lang": "en"}, head, body) + "\n"

