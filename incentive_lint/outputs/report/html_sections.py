"""The HTML report's section renderers: the masthead, the summary cards and each section's table, chart wrapper or list."""
from __future__ import annotations

from incentive_lint.base.findings import Finding, more_related
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import (DIMENSIONS, Bucket, Cause, Check, Comparison, Report, families,
                                                infos_and_others, score_sentence, suppressed_note)
from incentive_lint.outputs.report.markup import Child, Safe, el, join
from incentive_lint.outputs.report.svg import gauge


STATUS_LABEL = {"yes": "Yes", "partial": "Partly", "no": "No", "n/a": "n/a"}
LEVEL_LABEL = {"ok": "below threshold", "warning": "warning", "error": "error", "none": "not computed",
               "accepted": "accepted by exception", "unchecked": "not judged by a rule"}
FAMILY_TITLE = {"input": "Input", "clarity": "Clarity", "capability": "Capability", "engagement": "Engagement"}
FAMILY_QUESTION = {
    "input": "Could every document be read and trusted?",
    "clarity": "Does the strategy reach the ground, with an owner at every level?",
    "capability": "Is the direction measured, resourced, priced and supported by systems?",
    "engagement": "Do incentives reward the new priorities?",
}


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
    if report.rates:
        meta.append(("Exchange rates", "; ".join(report.rates)))
    if report.left_out:
        meta.append(("Not counted (no exchange rate)", ", ".join(f"{p} ({a})" for p, a in report.left_out)))
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
           _badge(s.level, LEVEL_LABEL.get(s.level, s.level))),
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


def _ident(title: str, ident: str) -> Safe:
    """A title a person reads, then the id to cross-reference it (the id alone when there is no title)."""
    if title and title != ident:
        return join(el("span", {"class": "ttl"}, title), el("span", {"class": "pid sub-id"}, ident))
    return el("span", {"class": "pid"}, ident)


def _bucket_head(b: Bucket, colour: str) -> Safe:
    if b.kind == "priority":
        return el("th", {"class": "num", "scope": "col", "data-bucket": b.key},
                  el("span", {"class": "ttl"}, _swatch(colour), b.name),
                  el("small", {"class": "pid"}, b.key) if b.name != b.key else None,
                  el("small", {}, f"weight {fmt.pct(b.weight)}" + (f" · {b.change}" if b.change else "")))
    return el("th", {"class": "num", "scope": "col", "data-bucket": b.key}, _swatch(colour), b.label,
              el("small", {}, b.title))


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
            label = _ident(row.title, row.id)
        body.append(el("tr", {"class": row.kind, "data-row": f"{row.kind}:{row.id}"},
                       el("th", {"scope": "row"}, label, el("small", {}, row.note) if row.note else None),
                       el("td", {"class": "num"}, pay), el("td", {"class": "num"}, share), cells))
    return el("div", {"class": "scroll", "id": "matrix-box"}, el("table", {"class": "matrix", "id": "alignment-matrix"},
                                             el("thead", {}, head), el("tbody", {}, body)))


def _section(ident: str, title: str, lede: Child, *content: Child, page: bool = False) -> Safe:
    """A panel; its heading and lede are one block kept with what follows (print), ``page`` starts a new page."""
    head = el("div", {"class": "head"}, el("h2", {}, title), el("p", {"class": "lede"}, lede) if lede else None)
    return el("section", {"class": "panel" + (" new-page" if page else ""), "id": ident}, head, *content)


def _scores_table(report: Report) -> Safe:
    rows = []
    warn, error = report.thresholds
    for s in (report.overall, *report.scores):
        if s.score is None:
            d_cell = el("td", {"class": "num"}, el("span", {"class": "empty"}, "–"))
            gauge_cell = el("td", {}, el("span", {"class": "empty"}, "no plan in force" if s.pay <= 0 else "–"))
        else:
            d_cell = el("td", {"class": "num"}, el("strong", {}, fmt.score(s.score)))
            gauge_cell = el("td", {"class": "gauge"}, gauge(s.score, warn, error),
                            el("div", {}, _badge(s.level, LEVEL_LABEL.get(s.level, s.level))))
        explanation = [el("div", {}, score_sentence(s, report))]
        top = report.contributors_text(s)
        if top:
            explanation.append(el("small", {}, f"Largest gaps: {top}."))
        rows.append(el("tr", {"data-scope": f"{s.scope}:{s.id}"},
                       el("th", {"scope": "row"}, _ident(report.function_title(s.id), s.id) if s.scope == "function"
                          else s.label),
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
                       el("th", {"scope": "row"}, el("span", {"class": "ttl"}, _swatch(colours.get(c.priority, "#999")),
                                                     c.title or c.priority),
                          el("small", {"class": "pid"}, c.priority) if c.title and c.title != c.priority else None),
                       el("td", {"class": "num"}, fmt.pct(c.weight),
                          el("small", {}, c.change) if c.change else None),
                       [_check_cell(c.checks[key]) for _, key, _ in DIMENSIONS]))
    return el("table", {"class": "cov", "id": "coverage-table"}, el("thead", {}, top, names), el("tbody", {}, rows))


def _where(f: Finding) -> str:
    return f"{f.span.file}:{f.span.start.line}:{f.span.start.column}"


def _also(consequences: tuple[Finding, ...]) -> Safe | None:
    if not consequences:
        return None
    n = len(consequences)
    return el("div", {"class": "also"},
              el("p", {"class": "also-head"}, f"Follows from it, and is fixed with it ({n} finding{'' if n == 1 else 's'}):"),
              el("ul", {"class": "chain"},
                 [el("li", {"class": "consequence", "data-fingerprint": c.fingerprint}, _badge(c.severity.label), " ",
                     el("code", {}, c.code), f" {c.rule}: {c.message} ", el("span", {"class": "loc"}, _where(c)))
                  for c in consequences]))


def _finding(f: Finding) -> Safe:
    shown, omitted = f.shown_related()
    chain = [el("li", {}, r.label + " ", el("span", {"class": "loc"}, f"{r.span.file}:{r.span.start.line}:"
                                                                        f"{r.span.start.column}"))
             for r in shown] + ([el("li", {}, more_related(omitted))] if omitted else [])
    return el("div", {"class": f"finding {f.severity.label}", "data-fingerprint": f.fingerprint},
              el("div", {"class": "f-head"}, _badge(f.severity.label), el("code", {}, f.code),
                 el("span", {"class": "rule"}, f.rule), el("span", {"class": "loc"}, _where(f))),
              el("p", {"class": "msg"}, f.message),
              el("ul", {"class": "chain"}, chain) if chain else None,
              el("p", {"class": "chain"}, "Note: " + f.note) if f.note else None,
              _also(f.consequences))


def _infos(infos: list[Finding]) -> Safe | None:
    """Infos as one compact table under a count: worth a look, not a card each."""
    if not infos:
        return None
    rows = [el("tr", {"class": "info-item", "data-fingerprint": f.fingerprint},
               el("td", {}, el("code", {}, f.code), " ", f.rule), el("td", {}, f.message),
               el("td", {"class": "loc"}, _where(f))) for f in infos]
    n = len(infos)
    return el("div", {"class": "infos", "id": "findings-infos"},
              el("div", {"class": "head"}, el("h3", {"class": "family"}, f"For information: {n} finding{'' if n == 1 else 's'}"),
                 el("p", {"class": "question"}, "Worth knowing, nothing to fix before signing.")),
              el("table", {"class": "info-list"},
                 el("thead", {}, el("tr", {}, el("th", {}, "Rule"), el("th", {}, "What was found"), el("th", {}, "Where"))),
                 el("tbody", {}, rows)))


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
    infos: list[Finding] = []
    for family, groups in fams:
        shown, quiet = infos_and_others(f for g in groups for f in g.findings)
        infos.extend(quiet)
        if not shown:
            continue
        heading = el("div", {"class": "head"},
                     el("h3", {"class": "family", "id": f"findings-{family}"}, FAMILY_TITLE.get(family, family.capitalize())),
                     el("p", {"class": "question"}, FAMILY_QUESTION[family]) if family in FAMILY_QUESTION else None)
        cards = [_finding(f) for f in shown]
        # the heading travels with its first card in print; the rest may break between cards
        parts.append(el("div", {"class": "keep"}, heading, cards[0]))
        parts.extend(cards[1:])
    listed = _infos(sorted(infos))
    if listed is not None:
        parts.append(listed)
    return join(parts)


def first_sentence(text: str) -> str:
    """The first sentence of a rule's advice: page one has room for what to do, the rule's page for why."""
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " ") and not text[max(0, i - 3):i + 1].endswith(
                ("e.g.", "i.e.")):
            return text[:i + 1]
    return text


def _money_cell(report: Report, cause: Cause, follows: int) -> Safe:
    also = el("small", {"class": "clears"}, f"clears {follows} more finding{'' if follows == 1 else 's'}") \
        if follows else None
    if cause.at_stake is None:
        return el("td", {"class": "num stake"}, el("span", {"class": "empty"}, "no amount"),
                  el("small", {}, cause.basis), also)
    return el("td", {"class": "num stake"}, el("strong", {}, report.money(cause.at_stake)),
              el("small", {}, cause.basis), also)


def _what_to_change(report: Report) -> Safe:
    """Page one: the score (in the cards above), the causes that move most pay, what is already right."""
    if report.causes:
        rows = []
        for i, c in enumerate(report.causes, 1):
            f = c.finding
            n = len(f.consequences)
            rows.append(el("tr", {"class": "cause", "data-fingerprint": f.fingerprint},
                           el("td", {"class": "num"}, str(i)),
                           el("td", {}, el("div", {"class": "msg"}, _badge(f.severity.label), " ", f.message),
                              el("div", {"class": "fix"}, el("b", {}, "Change: "), first_sentence(c.fix)) if c.fix else None),
                           _money_cell(report, c, n),
                           el("td", {"class": "where"}, el("code", {}, f.code), " ", el("span", {"class": "rule"}, f.rule),
                              el("div", {"class": "loc"}, _where(f)))))
        head = el("tr", {}, el("th", {"class": "num c-n"}, "#"),
                  el("th", {"class": "c-what"}, "What is wrong, and what to change"),
                  el("th", {"class": "num c-stake"}, f"Pay at stake ({report.currency or 'reporting currency'})"),
                  el("th", {"class": "c-where"}, "Rule and file to change"))
        causes: Safe = el("table", {"class": "causes", "id": "causes-table"}, el("thead", {}, head),
                          el("tbody", {}, rows))
    else:
        causes = el("p", {"class": "empty"}, "No error or warning to act on.")
    right = (el("ul", {"class": "right", "id": "already-right"}, [el("li", {}, t) for t in report.right])
             if report.right else el("p", {"class": "empty"}, "Nothing yet stands as right without a change."))
    return join(causes, el("div", {"class": "keep"}, el("h3", {"class": "family"}, "What is already right"), right))


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
