"""A proposal for a person (text, Markdown for a pull-request comment) or a tool (JSON).

The text and Markdown forms put the numbers first (D before and after, each priority's share
of pay against its weight), then the diff, then which findings the change resolves and which
it cannot, because no weight fixes them (a missing function, system, offer or price model).
Output is deterministic: sorted, no timestamps.
"""
from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from incentive_lint.base.escape import visible
from incentive_lint.base.findings import Finding
from incentive_lint.propose import Proposal, Scores
from incentive_lint.propose.patch import KEPT_AT_ZERO
from incentive_lint.propose.solver import LIMIT_NAMES, TIME_LIMIT

#: families whose findings no weight change can resolve, and why (said once per family)
NOT_BY_WEIGHTS = {
    "capability": "a capability gap (a function, system, offer, price model or budget), not a weight",
    "clarity": "how the strategy and KPIs are written down, not a weight",
    "structure": "how the files are written, not a weight",
    "vocabulary": "the words the files use, not a weight",
}
FORMATS = ("text", "markdown", "json")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _d(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _rows(p: Proposal) -> list[list[str]]:
    after: Scores | None = p.after
    rows = [["D overall", _d(p.before.overall), _d(after.overall if after else None), ""]]
    after_f = dict(after.functions) if after else {}
    for fid, d in p.before.functions:
        rows.append([f"D function '{fid}'", _d(d), _d(after_f.get(fid)), ""])
    after_s = {k: q for k, q, _ in after.shares} if after else {}
    before_s = {k: (q, pi) for k, q, pi in p.before.shares}
    # a bucket no pay flows to any more (its last measure removed) is at 0 %, not unknown
    for k in sorted(before_s.keys() | after_s.keys()):
        q, pi = before_s.get(k, (0.0, None))
        if pi is None:
            pi = next((w for kk, _, w in after.shares if kk == k), None) if after else None
        rows.append([f"share of pay on '{k}'", _pct(q), _pct(after_s.get(k, 0.0) if after else None), _pct(pi)])
    return rows


def _limits(p: Proposal) -> list[str]:
    lim = p.limits
    out = [f"minimised: {p.objective} D; weights whole percents, paying components of each plan add up to 100"]
    out.append(f"minimum weight of a kept measure: {lim.min_weight:g}%" if lim.min_weight is not None
               else "minimum weight: none (measure-weight-too-small is off)")
    out.append(f"at most {lim.max_measures} measures per plan" if lim.max_measures is not None
               else "measures per plan: no maximum (too-many-measures is off)")
    out.append(f"legacy part of a weight below {lim.legacy_warn:g}%" if lim.legacy_warn is not None
               else "legacy tier: none (pays-on-deprioritized-driver is off)")
    out.append(f"transition limit: at most {lim.max_change:g} points moved per plan" if lim.max_change is not None
               else "transition limit: none (--max-change)")
    out.append(f"no gameable measure newly reaches {lim.gameable_weight:g}% of a plan without a gate or modifier "
               f"(variable mix {lim.gameable_mix:g}% or more)" if lim.gameable_weight is not None
               else "gameable measures: no limit (high-powered-single-measure is off)")
    out.append(f"MBO/discretionary components at most {lim.subjective_max:g}% of a plan that is within it now"
               if lim.subjective_max is not None else "MBO share: no limit (discretionary-only-link is off)")
    out.append(f"executive pay keeps at least {lim.scorecard[0]:g}% on the strategy's to-drivers where it has it, "
               f"else less than {lim.scorecard[1]:g}% on internal efficiency and the top priority on its plans"
               if lim.scorecard is not None else "executive scorecard: no limit (leadership-scorecard-misaligned is off)")
    if lim.divergence_warn is not None and lim.divergence_error is not None:
        scores = "overall and per function" if lim.divergence_per_function else "overall"
        out.append(f"divergence D ({scores}) stays in its tier: below {lim.divergence_warn:g} stays below it, "
                   f"below {lim.divergence_error:g} stays below that")
    else:
        out.append("divergence tiers: none (incentive-strategy-divergence is off)")
    return out


def _finding(f: Finding) -> str:
    return visible(f"{f.span.file}:{f.span.start.line} {f.severity.label} {f.rule}: {f.message}")


def _cannot(p: Proposal) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for f in p.remaining:
        if f.severity.label == "info":
            continue
        groups.setdefault(NOT_BY_WEIGHTS.get(f.family, "still there after the change"), []).append(f)
    return sorted(groups.items())


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _points(x: float) -> str:
    """Points of weight with thousands separators ('234,864'; '12.5'), never in exponent form."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{float(x):,}"


def _headline(p: Proposal) -> str:
    if p.status == "proposed":
        files = len({e.file for e in p.edits} | {a.file for a in p.additions})
        changed = sum(1 for e in p.edits if e.new != 0)
        removed = len(p.edits) - changed
        parts = [_count(changed, "weight changes", "weights change")] if changed or not removed else []
        if removed:
            parts.append(_count(removed, "measure is removed", "measures are removed"))
        if p.additions:
            parts.append(_count(len(p.additions), "new measure is added", "new measures are added"))
        what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return (f"Proposal: {what} in {_count(files, 'file', 'files')}, "
                f"{_points(p.moved)} points moved in total; D overall {_d(p.before.overall)} -> "
                f"{_d(p.after.overall if p.after else None)}.")
    if p.status == "unchanged":
        return "No change proposed: the current weights already give the lowest D the limits allow."
    if p.status == "withheld":
        return "No proposal: the best weights would create new errors (listed below), so they are not offered."
    return "No proposal: no weights meet the limits. The limit that binds, per plan:"


def _kept_at_zero(p: Proposal) -> list[str]:
    """The removed measures the diff could not delete from their files, and why."""
    return [visible(f"'{e.component.key}' ({e.file}:{e.span.start.line}): {KEPT_AT_ZERO.get(e.kept, e.kept)}")
            for e in p.edits if e.new == 0 and e.cut is None]


def _why_infeasible(p: Proposal) -> list[str]:
    return [visible(f"'{i.plan}': {LIMIT_NAMES.get(i.constraint, i.constraint)} binds: {i.detail}.")
            for i in p.infeasible]


def _transition(p: Proposal) -> list[str]:
    return [visible(f"'{i.plan}': the transition limit binds: {i.detail}; this proposal moves it as far as "
                    "the limit allows, and the findings it leaves are listed below.") for i in p.transition]


def _tiers(p: Proposal) -> list[str]:
    return [visible(i.detail[:1].upper() + i.detail[1:] + ".") for i in p.tiers]


def _unproven(gap: float, reason: str) -> str:
    """Why these weights may not be the very best: the solver ran out of time, or (a large
    repository) most plans' weights came from the relaxation and the rest could not make up the gap."""
    if reason == "relaxation":
        return (f"On a repository this size most plans' weights come from the solver's continuous relaxation "
                f"(docs/propose.md): these weights are not proven the best, and the least D possible is at most "
                f"{gap:.2%} lower. Fewer plans (--plan) are solved exactly.")
    return (f"The solver stopped at its time limit ({TIME_LIMIT:g} s) before proving these weights the best: "
            f"they are the best it found, and the least D possible is at most {gap:.2%} lower. "
            "Fewer plans (--plan) make the problem smaller.")


def render_text(p: Proposal, markdown: bool = False) -> str:
    out = [_headline(p), ""]
    if p.unproven_gap is not None:
        out += [_unproven(p.unproven_gap, p.unproven_reason), ""]
    if p.infeasible:
        out += [f"- {line}" if markdown else f"  {line}" for line in _why_infeasible(p)] + [""]
    if p.transition:
        out += [f"- {line}" if markdown else f"  {line}" for line in _transition(p)] + [""]
    if p.tiers:
        out += [f"- {line}" if markdown else f"  {line}" for line in _tiers(p)] + [""]
    table = tabulate(_rows(p), headers=["", "now", "proposed", "strategy"], tablefmt="github" if markdown else "simple")
    out += [table, ""]
    if p.before.currency:
        out += [f"Shares are of target variable pay, {p.before.currency} {p.before.total_pay:,.0f} in total.", ""]
    out += ["Limits:" if not markdown else "**Limits**", *[("- " if markdown else "  ") + line for line in _limits(p)], ""]
    if p.additions:
        out += ["New measures:" if not markdown else "**New measures**"]
        out += [("- " if markdown else "  ") + visible(f"'{a.plan}' adds '{a.component}' on KPI '{a.kpi}' at {a.weight}%")
                for a in p.additions] + [""]
    if p.diff:
        out += ["```diff", p.diff.rstrip("\n"), "```", ""] if markdown else [p.diff.rstrip("\n"), ""]
    kept = _kept_at_zero(p)
    if kept:
        title = "Removed, but written as weight 0 (delete these components when you adopt the change):"
        out += [f"**{title}**" if markdown else title]
        out += [("- " if markdown else "  ") + line for line in kept] + [""]
    if p.new_findings:
        out += ["New findings the change would create:" if not markdown else "**New findings the change would create**"]
        out += [("- " if markdown else "  ") + _finding(f) for f in p.new_findings] + [""]
    if p.resolved:
        out += ["Resolved by the change:" if not markdown else "**Resolved by the change**"]
        out += [("- " if markdown else "  ") + _finding(f) for f in p.resolved] + [""]
    for why, found in _cannot(p):
        title = f"Not resolved ({why}):"
        out += [f"**{title}**" if markdown else title]
        out += [("- " if markdown else "  ") + _finding(f) for f in found] + [""]
    for plan, reason in p.skipped:
        out.append(visible(f"Plan '{plan}' is left as it is: {reason}."))
    for plan, limit in p.lifted:
        out.append(visible(f"Plan '{plan}': no weights meet {LIMIT_NAMES.get(limit, limit)} together with its other "
                           "limits, so the proposal does not hold it there."))
    return "\n".join(out).rstrip("\n") + "\n"


def _scores_json(s: Scores | None) -> Any:
    if s is None:
        return None
    return {"overall": s.overall, "functions": dict(s.functions), "currency": s.currency, "total_pay": s.total_pay,
            "shares": {k: {"pay": q, "strategy": pi} for k, q, pi in s.shares}}


def _finding_json(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity.label, "file": f.span.file, "line": f.span.start.line,
            "message": f.message, "fingerprint": f.fingerprint}


def render_json(p: Proposal) -> str:
    lim = p.limits
    data = {
        "status": p.status, "objective": p.objective,
        "limits": {"min_weight": lim.min_weight, "max_measures": lim.max_measures, "legacy_warn": lim.legacy_warn,
                   "max_change": lim.max_change, "divergence_warn": lim.divergence_warn,
                   "divergence_error": lim.divergence_error, "divergence_per_function": lim.divergence_per_function},
        "before": _scores_json(p.before), "after": _scores_json(p.after), "moved": p.moved,
        "changes": [{"file": e.file, "line": e.span.start.line, "column": e.span.start.column, "plan": e.component.plan,
                     "component": e.component.id, "from": e.old, "to": e.new, "removed": e.new == 0,
                     "deleted": e.cut is not None,
                     "kept_at_zero": KEPT_AT_ZERO.get(e.kept, e.kept) if e.new == 0 and e.cut is None else None}
                    for e in p.edits],
        "added": [{"file": a.file, "plan": a.plan, "component": a.component, "kpi": a.kpi, "weight": a.weight}
                  for a in p.additions],
        "diff": p.diff,
        "resolved": [_finding_json(f) for f in p.resolved],
        "not_resolved": [_finding_json(f) for f in p.remaining if f.severity.label != "info"],
        "new_findings": [_finding_json(f) for f in p.new_findings],
        "infeasible": [{"plan": i.plan, "constraint": i.constraint, "detail": i.detail} for i in p.infeasible],
        "transition_limited": [{"plan": i.plan, "constraint": i.constraint, "detail": i.detail} for i in p.transition],
        "tier_raised": [i.detail for i in p.tiers],
        "skipped": [{"plan": plan, "reason": reason} for plan, reason in p.skipped],
        "lifted": [{"plan": plan, "limit": limit} for plan, limit in p.lifted],
        "proven_best": p.unproven_gap is None, "unproven_gap": p.unproven_gap,
        "unproven_because": None if p.unproven_gap is None else
        {"time": "time limit", "relaxation": "relaxation"}[p.unproven_reason],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def render_timings(p: Proposal) -> str:
    """``--timings``: the seconds each phase of the run took, for stderr (not part of the proposal)."""
    total = sum(p.timings.values())
    rows = [f"{phase:<8} {seconds:8.3f} s" for phase, seconds in p.timings.items()]
    return "timings:\n" + "".join(f"  {row}\n" for row in [*rows, f"{'total':<8} {total:8.3f} s"])


def render(p: Proposal, fmt: str) -> str:
    if fmt == "json":
        return render_json(p)
    return render_text(p, markdown=fmt == "markdown")
