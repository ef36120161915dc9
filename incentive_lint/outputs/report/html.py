"""The alignment report as one self-contained HTML file.

No scripts, fonts, images or links leave the file (a Content-Security-Policy says so to the
browser); charts are inline SVG; a print style sheet lays it out on A4 landscape. Every value
from the policy repository goes through :mod:`.markup`, which escapes it. The output is
deterministic: the same repository and as-of date give the same bytes.
"""
from __future__ import annotations

from incentive_lint.base.version import VERSION as __version__
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import Report
from incentive_lint.outputs.report.html_sections import (_cards, _comparison, _coverage, _findings, _masthead, _matrix,
                                                         _method, _scores_table, _section, _what_to_change)
from incentive_lint.outputs.report.markup import Safe, el, join, raw
from incentive_lint.outputs.report.svg import bucket_colours, diverging_bars, flow_chart

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
.card.lvl-ok{border-top:4px solid var(--ok)}.card.lvl-none,.card.lvl-accepted,.card.lvl-unchecked{border-top:4px solid var(--na)}
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
.ttl{display:block;font-weight:600;overflow-wrap:anywhere}
th .ttl{color:var(--ink)}
.sub-id{display:block;font-size:11.5px;color:var(--muted);font-weight:400}
.scroll{overflow-x:auto;max-width:100%;position:relative}
.matrix th:first-child{position:sticky;left:0;z-index:1;background:var(--card);box-shadow:1px 0 0 var(--line)}
.matrix thead th:first-child{background:var(--soft);z-index:2}
.matrix tr.total th:first-child{background:#fafbfc}.matrix tr.strategy th:first-child{background:#f1f5fa}
.matrix tr.group th{position:static;box-shadow:none}
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
.badge.none,.badge.accepted,.badge.unchecked{background:var(--na-bg);color:var(--na)}
.st{display:inline-block;min-width:52px;text-align:center;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:700}
.st.yes{background:var(--ok-bg);color:var(--ok)}.st.partial{background:var(--warn-bg);color:var(--warn)}
.st.no{background:var(--err-bg);color:var(--err)}.st.na{background:var(--na-bg);color:var(--na);font-weight:500}
.cov td{min-width:110px}.cov .detail{font-size:12px;color:var(--ink);margin-top:4px;word-break:break-word}
.cov .rules{font-size:11px;color:var(--muted);margin-top:2px}
.cov thead tr:first-child th{text-align:center;color:var(--navy);font-size:12px;text-transform:uppercase;letter-spacing:.08em}
.cov th.fam-clarity{border-bottom:3px solid #1f5f99}.cov th.fam-capability{border-bottom:3px solid #2a9d8f}
.cov th.fam-engagement{border-bottom:3px solid #7b5ea7}
.scores td,.scores th{vertical-align:middle}
.scores td.gauge{min-width:186px;width:186px}
.scores td.gauge svg{display:block;max-width:none;margin:0 0 4px}
.sentences{margin:0 0 14px;padding-left:20px}.sentences li{margin:3px 0}
.finding{border:1px solid var(--line);border-left:4px solid var(--na);border-radius:6px;padding:9px 12px;margin:8px 0}
.finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}
.finding.info{border-left-color:var(--info)}
.f-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px}
.f-head .rule{font-weight:600}
.finding .msg{margin:4px 0 0}
.chain{margin:6px 0 0;padding-left:20px;font-size:12.5px;color:var(--muted);list-style-type:'\\21B3  '}
.chain li{margin:1px 0}
.also{margin:6px 0 0;padding:4px 0 0 10px;border-left:2px solid var(--line)}
.also-head{margin:0;font-size:12.5px;font-weight:600;color:var(--ink)}
.also .chain{list-style-type:none;padding-left:4px}
.info-list td{font-size:12.5px}.info-list td.loc{white-space:nowrap}
.causes{table-layout:fixed}.causes td{vertical-align:top}.causes .msg{margin:2px 0;color:var(--ink)}
.causes .fix{font-size:12.5px;color:var(--muted)}.causes .fix b{color:var(--ink)}
.causes td.stake strong{font-size:15px;white-space:nowrap}.causes td.num{white-space:normal}
.causes .c-n{width:32px}.causes .c-stake{width:190px}.causes .c-where{width:260px}
.causes td.where{font-size:12px}
.causes td.where .rule{color:var(--muted)}.causes .loc{word-break:break-all;font-size:11.5px}
.causes td.stake small{max-width:190px;margin-left:auto}
ul.right{margin:4px 0 0;padding-left:20px}ul.right li{margin:2px 0}
.causes .clears{color:var(--ink)}
.audit{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
.audit dt{font-weight:600}.audit dd{margin:0;word-break:break-all}
.counts td,.counts th{text-align:right}.counts td:first-child,.counts th:first-child{text-align:left}
.two{display:grid;grid-template-columns:1fr 1fr;gap:24px;align-items:start}
.empty{color:var(--muted);font-style:italic}
dl.defs{display:grid;grid-template-columns:220px 1fr;gap:6px 18px;margin:0}
dl.defs dt{font-weight:600}dl.defs dd{margin:0;color:var(--ink)}
footer{color:var(--muted);font-size:12px;padding:8px 0 32px}
@page{size:A4 landscape;margin:9mm 11mm 12mm;
@bottom-center{content:"Page " counter(page) " of " counter(pages);font:9pt system-ui,sans-serif;color:#5a6472}}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff;font-size:10pt}
.wrap{max-width:none;padding:0}
.masthead{padding:14px 16px;border-radius:6px}
main.wrap{padding-top:12px;padding-bottom:0}
nav.toc{display:none}
section.panel{border:none;padding:6px 0;margin:0 0 10px}
section.panel.new-page{break-before:page}
h2,h3,.head{break-after:avoid}
.head,.keep,tr,.finding,figure,.card,.also{break-inside:avoid}
thead{display:table-header-group}
.scroll{overflow:visible}
.matrix th:first-child{position:static;box-shadow:none}
.cards{gap:8px}
th,td{padding:4px 6px}
table{font-size:9pt}
th small,td small{font-size:8pt}
.matrix thead th.num{min-width:0}
.matrix tbody th{min-width:0}
.cov td{min-width:0}
.causes{table-layout:fixed}.causes .c-n{width:7mm}.causes .c-stake{width:34mm}.causes .c-where{width:56mm}
.causes td.stake small{font-size:7.5pt}#what-to-change .lede{margin-bottom:3px;font-size:8.5pt}
.causes{font-size:8pt}.causes .c-stake{width:42mm}
.causes td.where{min-width:0;max-width:none}.causes td.stake small{max-width:none}
.matrix th,.matrix td{padding:2px 5px}.matrix tbody th{width:58mm}
.matrix tr.group th{padding-top:5px}
.masthead{padding:8px 14px}h1{font-size:20px;margin:0}.meta{margin-top:4px}.meta dd{font-size:11px}.meta dt{font-size:9px}
.big{font-size:20px}.card{padding:5px 10px}.cards{margin-bottom:4px}.card p{margin-top:2px}
.card h3{font-size:7.5pt;margin-bottom:1px;letter-spacing:.03em;white-space:nowrap}.card.score .big{gap:8px}
.card.score .headline{font-size:8.5pt}.cards{grid-template-columns:3fr 1fr 1fr 1fr}.subtitle{font-size:11pt}.eyebrow{font-size:7pt}
main.wrap{padding-top:6px}#what-to-change h2{font-size:15pt}
.causes .fix,.causes small{font-size:8.5pt}
#flow-chart{max-height:150mm;width:auto;margin:0 auto}
.finding{padding:4px 8px;margin:4px 0;font-size:9pt}
.finding .msg{margin:2px 0 0}
.chain{font-size:8pt;margin-top:2px}.chain li{margin:0}
.also{margin-top:3px;padding-top:1px}.also-head{font-size:8pt}
.card .sub{display:none}
.causes th,.causes td{padding:2px 5px}
ul.right{font-size:9pt;margin-top:0}#what-to-change h3.family{margin-top:6px}
a{color:inherit;text-decoration:none}
}
@media (max-width:900px){.cards{grid-template-columns:1fr 1fr}.two{grid-template-columns:1fr}}
"""


def _change_lede(report: Report) -> str:
    more = sum(1 for f in report.findings if f.severity.label != "info") - len(report.causes)
    rest = f" The other {more} errors and warnings are listed under Findings." if more > 0 else ""
    return ("Errors first, then warnings, by the target variable pay each puts at stake. Fixing one also clears the "
            f"findings that follow from it.{rest}")


def _footer(report: Report) -> Safe:
    """The audit footer: what the report was made from, so that it can be filed as evidence."""
    lines = [f"incentive-lint {__version__} · {report.files_checked} files, {report.documents} documents · "
             f"plans, offers and functions as of {report.as_of}."]
    if report.redacted:
        lines.append("Redacted: amounts, titles and names are left out; ids, locations, shares and scores are kept.")
    audit = report.audit
    if audit is None:
        return el("footer", {"class": "wrap", "id": "audit"}, [el("p", {}, line) for line in lines])
    items = [("Tool", f"incentive-lint {audit.version}"), ("Rule catalog", audit.catalog), ("As of", report.as_of),
             ("Policy repository commit", audit.commit_text()),
             ("Exchange rates", "; ".join(report.rates) if report.rates else "none needed (one currency)")]
    if audit.generated:
        items.append(("Generated", audit.generated))
    return el("footer", {"class": "wrap", "id": "audit"}, [el("p", {}, line) for line in lines],
              el("dl", {"class": "audit"}, [join(el("dt", {}, k), el("dd", {}, v)) for k, v in items]))


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
                 ("what-to-change", "What to change"), ("matrix", "Alignment matrix"), ("flow", "Flow of pay"), ("divergence", "Divergence"),
                 ("coverage", "Coverage"), *((("change", "Before and after"),) if report.comparison else ()),
                 ("findings", "Findings"), ("method", "Method"))])
    legend = "Each cell is the share of the row's target variable pay that flows to the column."
    sections: list[Safe] = [
        _section("what-to-change", "What to change",
                 _change_lede(report), _what_to_change(report)),
        _section("matrix", "Alignment matrix",
                 f"{legend} The strategy row shows the weights the pay should mirror; the total row shows how far "
                 "each column is from its weight.", _matrix(report, colours), page=True),
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
                 el("div", {"style": "height:14px"}), _scores_table(report), page=True),
        _section("coverage", "Coverage: clarity, capability, engagement",
                 "For each priority, whether the organisation has what it takes to deliver it: someone accountable "
                 "and measures (clarity), money, an offer, people and systems (capability), and pay (engagement).",
                 _coverage(report, colours), page=True),
    ]
    if report.comparison is not None:
        sections.append(_section("change", f"Before and after (since {report.comparison.ref})",
                                 "Compared with the merge-base of the reference: where the pay points before and "
                                 "after this change.", _comparison(report, report.comparison), page=True))
    sections.append(_section("findings", "Findings",
                             "Grouped by family; each cause with the chain of references that proves it and the "
                             "findings that follow from it; infos listed together at the end.",
                             _findings(report), page=True))
    sections.append(_section("method", "How to read the figures", None, _method(report)))
    footer = _footer(report)
    body = el("body", {}, _masthead(report), el("main", {"class": "wrap"}, _cards(report), toc, sections), footer)
    return "<!DOCTYPE html>\n" + el("html", {"lang": "en"}, head, body) + "\n"
