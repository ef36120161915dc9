"""Building a :class:`Report` from one lint run: the matrix of where pay flows, the divergence scores and the flows."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from incentive_lint.base.findings import Finding, LintResult, Severity, flatten
from incentive_lint.engine.workspace import Workspace
from incentive_lint.model.core import Divergence, Model
from incentive_lint.model.entities import NON_PAYING, LEGACY, UNALIGNED, Plan, Priority
from incentive_lint.outputs.report.causes import already_right, causes
from incentive_lint.outputs.report.coverage import _coverage
from incentive_lint.outputs.report.data import (DIVERGENCE_ERROR, DIVERGENCE_RULE, DIVERGENCE_WARN, EXECUTIVE,
                                                FAMILY_ORDER, Bucket, Contributor, FindingGroup, Flow, Report, Row,
                                                Score, Source)


# --------------------------------------------------------------------------- building


def build(result: LintResult, ws: Workspace) -> Report:
    """The report of one lint run: its workspace's model and its findings."""
    model = ws.model
    strategy = model.strategy
    priorities = model.strategy_priorities()
    weight_total = sum(p.weight for p in priorities)
    buckets = _buckets(model, priorities, weight_total)
    keys = [b.key for b in buckets]
    plans = model.in_force_plans()
    thresholds = _thresholds(ws)
    levels = _Levels.of(result, ws, strategy.id if strategy else "")

    overall = _score("overall", "", "all in-force plans", model.divergence(plans), model, plans, levels)
    rows = _rows(model, buckets, plans, overall, weight_total)
    scores = _function_scores(model, priorities, levels)
    sources, flows = _flows(model, plans, keys)
    payers = _payers(model, plans)
    every = tuple(flatten(result.findings))  # coverage reads consequences as well as causes
    coverage = tuple(_coverage(model, p, weight_total, overall, every) for p in priorities)
    currencies = tuple(sorted({p.currency for p in plans if p.currency}))
    left_out = tuple((p.id, model.money(model.target_incentive(p.id), p.currency)) for p in model.unconverted(plans))
    shares = {b.key: q for b in buckets for q in [rows[1].cells.get(b.key, 0.0)]}
    page_one = causes(result.findings, model, ws.catalog, overall.pay, shares)
    window = ""
    if strategy is not None and (strategy.start or strategy.end):
        window = f"{strategy.start or '…'} to {strategy.end or 'open'}"
    return Report(
        strategy_id=strategy.id if strategy else "",
        strategy_title=(strategy.title or strategy.id) if strategy else "",
        window=window,
        as_of=model.as_of.isoformat(),
        currency=model.reporting_currency or "",  # every amount of the report is converted to it
        currencies=currencies,
        rates=model.rates_used(), left_out=left_out,
        from_drivers=strategy.from_drivers if strategy else (),
        buckets=buckets, rows=rows, overall=overall, scores=scores, sources=sources, flows=flows,
        payers=payers, coverage=coverage, groups=_groups(result.findings), findings=result.findings,
        counts=result.counts(), thresholds=thresholds, files_checked=result.files_checked,
        documents=result.documents, suppressed=len(result.suppressed),
        causes=page_one, right=already_right(coverage, overall, scores))


def _buckets(model: Model, priorities: Sequence[Priority], weight_total: float) -> tuple[Bucket, ...]:
    strategy = model.strategy
    out = [Bucket(p.id, "priority", p.id, p.title or p.id,
                  p.weight / weight_total if weight_total > 0 else 0.0, p.change) for p in priorities]
    drivers = ", ".join(strategy.from_drivers) if strategy and strategy.from_drivers else "no drivers named"
    out.append(Bucket(LEGACY, "legacy", "Moving away from", f"drivers the strategy leaves behind: {drivers}"))
    out.append(Bucket(UNALIGNED, "unaligned", "Unaligned", "measures that map to no priority"))
    return tuple(out)


def _thresholds(ws: Workspace) -> tuple[float, float]:
    setting = ws.settings.get(DIVERGENCE_RULE)
    options: Mapping[str, object] = setting.options if setting is not None else {}
    warn = _first_number(options, ("divergence_warn", "warn", "warning", "warn_at"), DIVERGENCE_WARN)
    error = _first_number(options, ("divergence_error", "error", "error_at"), DIVERGENCE_ERROR)
    return warn, error


def _first_number(options: Mapping[str, object], names: Iterable[str], default: float) -> float:
    for name in names:
        value = options.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) / 100 if value > 1 else float(value)
    return default


@dataclass(frozen=True)
class _Levels:
    """The level of each divergence score, read from the check's own findings.

    The report never judges a score itself: a score is an error or a warning exactly when
    ``check`` reported it so (with the severity the config gave it), "accepted" when an
    exception accepted that finding, "ok" when the rule ran on that scope and stayed
    silent, and "unchecked" when no rule judges that scope (the rule is off, per-function
    scores are off, or the scope is the executive plans, which the rule does not score).
    """

    strategy: str
    ran: bool
    per_function: bool
    found: Mapping[tuple[str, ...], str]

    @classmethod
    def of(cls, result: LintResult, ws: Workspace, strategy: str) -> "_Levels":
        found = {f.entities: "accepted" for f in flatten(result.suppressed) if f.rule == DIVERGENCE_RULE}
        found.update({f.entities: f.severity.label for f in flatten(result.findings) if f.rule == DIVERGENCE_RULE})
        setting = ws.settings.get(DIVERGENCE_RULE)
        per_function = bool(setting.options.get("per_function", True)) if setting is not None else False
        return cls(strategy, DIVERGENCE_RULE in result.rules_run, per_function, found)

    def level(self, scope: str, ident: str, score: float | None) -> str:
        if score is None:
            return "none"
        if not self.ran or scope == "executive" or (scope == "function" and not self.per_function):
            return "unchecked"
        key = (self.strategy,) if scope == "overall" else (ident, self.strategy)
        return self.found.get(key, "ok")


def _score(scope: str, ident: str, label: str, d: Divergence | None, model: Model, plans: Sequence[Plan],
           levels: _Levels) -> Score:
    pay = model.pay_share(plans).total
    if d is None:
        return Score(scope, ident, label, None, pay, tuple(p.id for p in plans))
    contributors = tuple(Contributor(k, q, pi) for k, q, pi in d.contributors())
    return Score(scope, ident, label, d.score, d.total_pay, tuple(p.id for p in plans), contributors,
                 levels.level(scope, ident, d.score))


def _rows(model: Model, buckets: Sequence[Bucket], plans: Sequence[Plan], overall: Score,
          weight_total: float) -> tuple[Row, ...]:
    rows = [Row("strategy", "strategy", "Strategy weights", 0.0,
                {b.key: b.weight or 0.0 for b in buckets})]
    total = model.pay_share(plans)
    rows.append(Row("total", "total", "All in-force plans", total.total, total.fractions()))
    for plan in sorted(plans, key=lambda p: (model.is_executive_plan(p), p.id)):
        share = model.plan_share(plan)
        notes = []
        if model.is_executive_plan(plan):
            notes.append("executive plan")
        if model.rolled_over(plan):
            notes.append(f"expired {plan.end}, still paid (rollover)")
        rows.append(Row("plan", plan.id, plan.id, share.total, share.fractions(), "; ".join(notes), plan.title))
    for fid in _report_functions(model):
        fplans = model.function_plans(fid)
        share = model.pay_share(fplans)
        note = ", ".join(p.id for p in fplans) if fplans else "no non-executive plan in force"
        rows.append(Row("function", fid, fid, share.total, share.fractions(), note, _function_title(model, fid)))
    return tuple(rows)


def _function_title(model: Model, fid: str) -> str:
    function = model.functions.get(fid)
    title = function.raw.get("title") if function is not None else None
    return title if isinstance(title, str) else ""


def _report_functions(model: Model) -> list[str]:
    """Functions with a plan in force or named as a contributor of a priority."""
    contributors = {f for p in model.strategy_priorities() for f in p.contributors}
    return sorted(f for f in model.functions if f in contributors or model.function_plans(f))


def _function_scores(model: Model, priorities: Sequence[Priority], levels: _Levels) -> tuple[Score, ...]:
    out = []
    for fid in _report_functions(model):
        fplans = model.function_plans(fid)
        out.append(_score("function", fid, fid, model.divergence(fplans, fid), model, fplans, levels))
    executive = [p for p in model.in_force_plans() if model.is_executive_plan(p)]
    if executive:
        out.append(_score("executive", EXECUTIVE, "executive plans", model.divergence(executive), model,
                          executive, levels))
    return tuple(out)


def _flows(model: Model, plans: Sequence[Plan], keys: Sequence[str]) -> tuple[tuple[Source, ...], tuple[Flow, ...]]:
    """Each plan's pay split over the roles it pays (by their function) and over buckets.

    A role's part of a plan is its headcount x target over the plan's target incentive, the
    same terms as :meth:`Model.target_incentive`; the buckets are the plan's own shares, so
    the flows add up to the total behind the divergence score.
    """
    amounts: dict[tuple[str, str], float] = defaultdict(float)
    for plan in plans:
        share = model.plan_share(plan)
        ti = model.target_incentive(plan.id)
        if ti <= 0 or share.total <= 0:
            continue
        executive = model.is_executive_plan(plan)
        for rid in model.in_force().get(plan.id, ()):
            role = model.roles[rid]
            part = role.headcount * model.role_target(plan, role) / ti
            if part <= 0:
                continue
            source = EXECUTIVE if executive else (role.function or "(no function)")
            for bucket, amount in share.amounts.items():
                amounts[(source, bucket)] += amount * part
    by_source: dict[str, float] = defaultdict(float)
    for (source, _), amount in amounts.items():
        by_source[source] += amount
    order = sorted(by_source, key=lambda s: (s == EXECUTIVE, -round(by_source[s], 2), s))
    sources = tuple(Source(s, "executive plans" if s == EXECUTIVE else s, by_source[s]) for s in order)
    rank = {k: i for i, k in enumerate(keys)}
    flows = tuple(Flow(s, b, amounts[(s, b)]) for s in order
                  for b in sorted({b for (src, b) in amounts if src == s}, key=lambda b: (rank.get(b, 99), b))
                  if amounts[(s, b)] > 0)
    return sources, flows


def _payers(model: Model, plans: Sequence[Plan]) -> dict[str, tuple[str, ...]]:
    """bucket -> the components (``plan.component``) that pay on it."""
    out: dict[str, set[str]] = defaultdict(set)
    for plan in plans:
        if model.target_incentive(plan.id) <= 0:
            continue
        for c in plan.components:
            if c.type in NON_PAYING or c.weight <= 0:
                continue
            for bucket, fraction in model.component_map(c).items():
                if fraction > 0:
                    out[bucket].add(c.key)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


# --------------------------------------------------------------------------- findings


def _family_rank(family: str) -> tuple[int, str]:
    return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER), family)


def _groups(findings: Sequence[Finding]) -> tuple[FindingGroup, ...]:
    grouped: dict[tuple[str, Severity], list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[(f.family or "other", f.severity)].append(f)
    keys = sorted(grouped, key=lambda k: (_family_rank(k[0]), -int(k[1])))
    return tuple(FindingGroup(family, severity, tuple(grouped[(family, severity)])) for family, severity in keys)
