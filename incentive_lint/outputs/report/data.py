"""The alignment report's numbers, computed from the model and the lint result.

Nothing here re-derives where pay flows: shares come from :meth:`Model.plan_share` and
:meth:`Model.pay_share`, scores from :meth:`Model.divergence` and the plans paying a
function from :meth:`Model.function_plans` -- the functions the rules call -- so the
figures a reader sees in the report are the figures in the findings. The renderers
(``html``, ``markdown``, ``text``) only lay out a :class:`Report`; the sentences they
share are written here, once.
"""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from incentive_lint.base.findings import Finding, LintResult, Severity
from incentive_lint.engine.workspace import Workspace
from incentive_lint.model.core import Divergence, Model
from incentive_lint.model.entities import LEGACY, UNALIGNED, Budget, Plan, Priority
from incentive_lint.outputs.report import fmt

#: The rule that reports the divergence score; its options hold the thresholds.
DIVERGENCE_RULE = "incentive-strategy-divergence"
#: Defaults of rules.md 3.3 (EN03) when the rule or its options are absent.
DIVERGENCE_WARN = 0.25
DIVERGENCE_ERROR = 0.50
#: EN02: a priority is under-rewarded below this ratio of its pay share to its weight.
UNDERPAID_RATIO = 0.25

EXECUTIVE = "executive"
FAMILY_ORDER = ("input", "clarity", "capability", "engagement")

#: Coverage dimensions: (family, key, heading); the rules whose findings explain a gap.
DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("clarity", "owner", "Owner"),
    ("clarity", "kpis", "KPI targets"),
    ("clarity", "cascade", "Cascade"),
    ("capability", "funding", "Funding"),
    ("capability", "offer", "Priced offer"),
    ("capability", "function", "Staffed function"),
    ("capability", "systems", "Systems"),
    ("engagement", "incentives", "Incentives"),
)
DIMENSION_RULES: Mapping[str, frozenset[str]] = {
    "owner": frozenset({"priority-without-owner"}),
    "kpis": frozenset({"objective-without-kpi", "kpi-without-target"}),
    "cascade": frozenset({"cascade-gap"}),
    "funding": frozenset({"priority-unfunded"}),
    "offer": frozenset({"pricing-model-mismatch", "capability-lead-time"}),
    "function": frozenset({"missing-required-function", "function-unstaffed"}),
    "systems": frozenset({"system-capability-missing"}),
    "incentives": frozenset({"strategic-priority-unrewarded"}),
}


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Bucket:
    """A column of the matrix: a priority, the drivers being abandoned, or no priority at all."""

    key: str
    kind: str  # priority | legacy | unaligned
    label: str
    title: str
    weight: float | None = None  # the priority's share of the strategy (0..1)
    change: str | None = None


@dataclass(frozen=True)
class Row:
    """A row of the matrix: the strategy, all plans, one plan or one function."""

    kind: str  # strategy | total | plan | function
    id: str
    label: str
    pay: float
    cells: Mapping[str, float]  # bucket -> fraction of this row's pay (of the weights, for the strategy)
    note: str = ""


@dataclass(frozen=True)
class Contributor:
    """One bucket's part in a divergence score: where pay goes (q) against the weight (pi)."""

    bucket: str
    q: float
    pi: float

    @property
    def gap(self) -> float:
        return self.q - self.pi


@dataclass(frozen=True)
class Score:
    """A divergence score overall, for one function's plans or for the executive plans."""

    scope: str  # overall | function | executive
    id: str
    label: str
    score: float | None
    pay: float
    plans: tuple[str, ...]
    contributors: tuple[Contributor, ...] = ()
    level: str = "none"  # ok | warning | error | none

    def top(self, n: int = 3) -> tuple[Contributor, ...]:
        return tuple(c for c in self.contributors if abs(c.gap) >= 0.0005)[:n]


@dataclass(frozen=True)
class Flow:
    """Target variable pay from one source (a function, or the executive plans) to one bucket."""

    source: str
    bucket: str
    amount: float


@dataclass(frozen=True)
class Source:
    id: str
    label: str
    amount: float


@dataclass(frozen=True)
class Check:
    """One coverage cell: yes, partial, no or n/a, with what was found and the rules that say so."""

    status: str
    detail: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoverageRow:
    priority: str
    title: str
    weight: float
    change: str | None
    checks: Mapping[str, Check]


@dataclass(frozen=True)
class FindingGroup:
    family: str
    severity: Severity
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Comparison:
    """Before (the merge-base of ``ref``) and after (the working tree)."""

    ref: str
    sentences: tuple[str, ...]
    priorities: tuple[tuple[str, float | None, float | None, float | None, float | None], ...]
    scores: tuple[tuple[str, float | None, float | None], ...]
    added: tuple[Finding, ...]
    removed: tuple[Finding, ...]


@dataclass(frozen=True)
class Report:
    """Everything the renderers show, in display order."""

    strategy_id: str
    strategy_title: str
    window: str
    as_of: str
    currency: str
    currencies: tuple[str, ...]
    from_drivers: tuple[str, ...]
    buckets: tuple[Bucket, ...]
    rows: tuple[Row, ...]
    overall: Score
    scores: tuple[Score, ...]
    sources: tuple[Source, ...]
    flows: tuple[Flow, ...]
    payers: Mapping[str, tuple[str, ...]]
    coverage: tuple[CoverageRow, ...]
    groups: tuple[FindingGroup, ...]
    findings: tuple[Finding, ...]
    counts: Mapping[str, int]
    thresholds: tuple[float, float]
    files_checked: int = 0
    documents: int = 0
    suppressed: int = 0  # findings accepted by exceptions or the baseline, not shown
    comparison: Comparison | None = None

    # ---- lookups and shared wording ---------------------------------------------------

    def bucket(self, key: str) -> Bucket:
        for b in self.buckets:
            if b.key == key:
                return b
        return Bucket(key, "priority", key, key)

    def label(self, key: str) -> str:
        return self.bucket(key).label

    @property
    def total_pay(self) -> float:
        return self.overall.pay

    def money(self, amount: float) -> str:
        return fmt.money(amount, self.currency)

    def share(self, key: str) -> float:
        """The share of all target variable pay that flows to a bucket (q)."""
        for row in self.rows:
            if row.kind == "total":
                return row.cells.get(key, 0.0)
        return 0.0

    @property
    def priority_share(self) -> float:
        return sum(self.share(b.key) for b in self.buckets if b.kind == "priority")

    def headline(self) -> str:
        """The divergence score in one sentence."""
        return score_sentence(self.overall, self)

    def contributors_text(self, score: Score, n: int = 3) -> str:
        parts = [f"{self.label(c.bucket)} {fmt.pct(c.q)} of pay vs {fmt.pct(c.pi)} of weight" for c in score.top(n)]
        return "; ".join(parts)


def score_sentence(score: Score, report: Report) -> str:
    if score.score is None:
        if score.pay <= 0:
            return f"No target variable pay is in force for {score.label}." if score.scope != "overall" else (
                "No target variable pay is in force, so there is nothing to compare with the strategy.")
        if score.scope == "function":
            return f"{score.label} contributes to no priority of the strategy, so its pay has no weights to mirror."
        return "The strategy has no weighted priorities to compare pay with."
    moved = fmt.pct(score.score, digits=0)
    if score.scope == "overall":
        return f"{moved} of target variable pay would have to move to mirror the strategy."
    if score.scope == "executive":
        return f"{moved} of the executives' target variable pay would have to move to mirror the strategy."
    return (f"{moved} of the target variable pay in {score.label} would have to move to mirror the priorities "
            f"{score.label} contributes to.")


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

    overall = _score("overall", "", "all in-force plans", model.divergence(plans), model, plans, thresholds)
    rows = _rows(model, buckets, plans, overall, weight_total)
    scores = _function_scores(model, priorities, thresholds)
    sources, flows = _flows(model, plans, keys)
    payers = _payers(model, plans)
    coverage = tuple(_coverage(model, p, weight_total, overall, result.findings) for p in priorities)
    currencies = tuple(sorted({p.currency for p in plans if p.currency}))
    window = ""
    if strategy is not None and (strategy.start or strategy.end):
        window = f"{strategy.start or '…'} to {strategy.end or 'open'}"
    return Report(
        strategy_id=strategy.id if strategy else "",
        strategy_title=(strategy.title or strategy.id) if strategy else "",
        window=window,
        as_of=model.as_of.isoformat(),
        currency=currencies[0] if len(currencies) == 1 else "",
        currencies=currencies,
        from_drivers=strategy.from_drivers if strategy else (),
        buckets=buckets, rows=rows, overall=overall, scores=scores, sources=sources, flows=flows,
        payers=payers, coverage=coverage, groups=_groups(result.findings), findings=result.findings,
        counts=result.counts(), thresholds=thresholds, files_checked=result.files_checked,
        documents=result.documents, suppressed=len(result.suppressed))


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


def _level(score: float | None, thresholds: tuple[float, float]) -> str:
    if score is None:
        return "none"
    if score >= thresholds[1]:
        return "error"
    if score >= thresholds[0]:
        return "warning"
    return "ok"


def _score(scope: str, ident: str, label: str, d: Divergence | None, model: Model, plans: Sequence[Plan],
           thresholds: tuple[float, float]) -> Score:
    pay = model.pay_share(plans).total
    if d is None:
        return Score(scope, ident, label, None, pay, tuple(p.id for p in plans))
    contributors = tuple(Contributor(k, q, pi) for k, q, pi in d.contributors())
    return Score(scope, ident, label, d.score, d.total_pay, tuple(p.id for p in plans), contributors,
                 _level(d.score, thresholds))


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
        rows.append(Row("plan", plan.id, plan.id, share.total, share.fractions(), "; ".join(notes)))
    for fid in _report_functions(model):
        fplans = model.function_plans(fid)
        share = model.pay_share(fplans)
        note = ", ".join(p.id for p in fplans) if fplans else "no non-executive plan in force"
        rows.append(Row("function", fid, fid, share.total, share.fractions(), note))
    return tuple(rows)


def _report_functions(model: Model) -> list[str]:
    """Functions with a plan in force or named as a contributor of a priority."""
    contributors = {f for p in model.strategy_priorities() for f in p.contributors}
    return sorted(f for f in model.functions if f in contributors or model.function_plans(f))


def _function_scores(model: Model, priorities: Sequence[Priority],
                     thresholds: tuple[float, float]) -> tuple[Score, ...]:
    out = []
    for fid in _report_functions(model):
        fplans = model.function_plans(fid)
        out.append(_score("function", fid, fid, model.divergence(fplans, fid), model, fplans, thresholds))
    executive = [p for p in model.in_force_plans() if model.is_executive_plan(p)]
    if executive:
        out.append(_score("executive", EXECUTIVE, "executive plans", model.divergence(executive), model,
                          executive, thresholds))
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
            if c.type in ("gate", "modifier") or c.weight <= 0:
                continue
            for bucket, fraction in model.component_map(c).items():
                if fraction > 0:
                    out[bucket].add(c.key)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


# --------------------------------------------------------------------------- coverage


def _coverage(model: Model, p: Priority, weight_total: float, overall: Score,
              findings: Sequence[Finding]) -> CoverageRow:
    weight = p.weight / weight_total if weight_total > 0 else 0.0
    checks = {
        "owner": _owner(model, p),
        "kpis": _kpis(model, p),
        "cascade": _cascade(model, p),
        "funding": _funding(model, p),
        "offer": _offer(model, p),
        "function": _function(model, p),
        "systems": _systems(model, p),
        "incentives": _incentives(p, weight, overall),
    }
    targets = {t.kpi for t in p.targets if t.kpi}
    for key, check in checks.items():
        codes = sorted({f.code or f.rule for f in findings if f.rule in DIMENSION_RULES[key]
                        and (p.id in f.entities or (key == "kpis" and targets & set(f.entities)))})
        if codes:
            checks[key] = Check(check.status, check.detail, tuple(codes))
    return CoverageRow(p.id, p.title or p.id, weight, p.change, checks)


def _owner(model: Model, p: Priority) -> Check:
    if not p.accountable:
        return Check("no", "no accountable role")
    role = model.roles.get(p.accountable)
    if role is None:
        return Check("no", f"'{p.accountable}' is not a role")
    if role.headcount <= 0:
        return Check("no", f"{p.accountable} is vacant")
    return Check("yes", p.accountable)


def _kpis(model: Model, p: Priority) -> Check:
    usable, gaps = [], []
    for t in p.targets:
        kpi = model.kpis.get(t.kpi or "")
        if kpi is None:
            gaps.append(f"unknown KPI '{t.kpi}'" if t.kpi else "target without KPI")
            continue
        missing = [name for name, ok in (("value", t.value is not None), ("date", t.by is not None),
                                         ("baseline", kpi.baseline is not None)) if not ok]
        if missing:
            gaps.append(f"{kpi.id}: no {' or '.join(missing)}")
        else:
            usable.append(kpi.id)
    usable = sorted(set(usable))
    gaps = sorted(set(gaps))
    if not p.targets:
        return Check("no", "no KPI target")
    if not usable:
        return Check("no" if all("unknown" in g or "value" in g for g in gaps) else "partial", "; ".join(gaps))
    if gaps:
        return Check("partial", "; ".join([", ".join(usable), *gaps]))
    return Check("yes", ", ".join(usable))


def _cascade(model: Model, p: Priority) -> Check:
    if not p.contributors:
        return Check("n/a", "no contributing functions named")
    covered = {o.org_unit for o in model.objectives.values()
               if o.level == "function" and o.org_unit in p.contributors and model.objective_priority(o.id) == p.id}
    missing = [f for f in p.contributors if f not in covered]
    if not missing:
        return Check("yes", ", ".join(p.contributors))
    status = "no" if len(missing) == len(p.contributors) else "partial"
    return Check(status, "missing: " + ", ".join(missing))


def _current_budgets(model: Model) -> list[Budget]:
    day = model.as_of
    live = [b for b in model.budgets.values() if (b.start is None or b.start <= day) and (b.end is None or day <= b.end)]
    return sorted(live or model.budgets.values(), key=lambda b: b.id)


def _funding(model: Model, p: Priority) -> Check:
    strategy = model.strategy
    legacy = set(strategy.from_drivers) if strategy else set()
    lines = []
    for budget in _current_budgets(model):
        for x in budget.investments:
            if x.amount <= 0:
                continue
            if x.priority == p.id or (not x.priority and set(x.drivers) & set(p.drivers)
                                      and not set(x.drivers) & legacy):
                lines.append(x)
    if lines:
        currency = next((b.currency for b in _current_budgets(model) if b.currency), "")
        total = sum(x.amount for x in lines)
        return Check("yes", f"{fmt.money(total, currency)} ({', '.join(sorted(x.id for x in lines))})")
    if p.strategic:
        return Check("no", "no investment line" if model.budgets else "no budget in the repository")
    return Check("n/a", f"change: {p.change or 'unspecified'}; none expected")


def _available(status: str | None, available_from: _dt.date | None, day: _dt.date) -> bool:
    return status == "active" and (available_from is None or available_from <= day)


def _offer(model: Model, p: Priority) -> Check:
    if not p.requires_offer_models:
        return Check("n/a", "no offer model required")
    found, gaps = [], []
    for wanted in p.requires_offer_models:
        offers = sorted((o for o in model.offers.values() if o.model == wanted), key=lambda o: o.id)
        live = [o for o in offers if _available(o.status, o.available_from, model.as_of)]
        if live:
            found.append(", ".join(o.id for o in live))
        elif offers:
            o = offers[0]
            when = f" from {o.available_from}" if o.available_from else ""
            gaps.append(f"{o.id} is {o.status or 'not active'}{when}")
        else:
            gaps.append(f"no {wanted} offer")
    if not gaps:
        return Check("yes", "; ".join(found))
    return Check("partial" if found else "no", "; ".join([*found, *gaps]))


def _function(model: Model, p: Priority) -> Check:
    if not p.requires_functions:
        return Check("n/a", "no function required")
    ok, gaps = [], []
    for fid in p.requires_functions:
        f = model.functions.get(fid)
        if f is None:
            gaps.append(f"{fid}: not in the org")
        elif f.status == "active" and (f.headcount or 0) > 0:
            ok.append(f"{fid} ({f.headcount})")
        else:
            gaps.append(f"{fid}: {f.status or 'no status'}, headcount {f.headcount or 0}")
    if not gaps:
        return Check("yes", ", ".join(ok))
    return Check("partial" if ok else "no", "; ".join([*ok, *gaps]))


def _systems(model: Model, p: Priority) -> Check:
    if not p.requires_system_capabilities:
        return Check("n/a", "no system capability required")
    provided = {cap for s in model.systems.values() if _available(s.status, s.available_from, model.as_of)
                for cap in s.capabilities}
    missing = [c for c in p.requires_system_capabilities if c not in provided]
    if not missing:
        return Check("yes", ", ".join(p.requires_system_capabilities))
    status = "no" if len(missing) == len(p.requires_system_capabilities) else "partial"
    return Check(status, "missing: " + ", ".join(missing))


def _incentives(p: Priority, weight: float, overall: Score) -> Check:
    q = next((c.q for c in overall.contributors if c.bucket == p.id), 0.0)
    detail = f"{fmt.pct(q)} of pay vs {fmt.pct(weight)} of weight"
    if q <= 0:
        return Check("no", detail)
    if weight > 0 and q / weight < UNDERPAID_RATIO:
        return Check("partial", detail)
    return Check("yes", detail)


# --------------------------------------------------------------------------- findings


def _family_rank(family: str) -> tuple[int, str]:
    return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER), family)


def _groups(findings: Sequence[Finding]) -> tuple[FindingGroup, ...]:
    grouped: dict[tuple[str, Severity], list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[(f.family or "other", f.severity)].append(f)
    keys = sorted(grouped, key=lambda k: (_family_rank(k[0]), -int(k[1])))
    return tuple(FindingGroup(family, severity, tuple(grouped[(family, severity)])) for family, severity in keys)


def suppressed_note(report: Report) -> str:
    n = report.suppressed
    if not n:
        return ""
    return f"{n} finding{'' if n == 1 else 's'} accepted by exceptions or the baseline {'is' if n == 1 else 'are'} not shown."


def families(report: Report) -> list[tuple[str, list[FindingGroup]]]:
    """Finding groups by family, in display order."""
    out: dict[str, list[FindingGroup]] = {}
    for g in report.groups:
        out.setdefault(g.family, []).append(g)
    return list(out.items())


# --------------------------------------------------------------------------- before and after


@dataclass(frozen=True)
class _Side:
    weights: dict[str, float] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)
    plans: dict[str, Row] = field(default_factory=dict)


def _side(report: Report) -> _Side:
    return _Side({b.key: b.weight or 0.0 for b in report.buckets if b.kind == "priority"},
                 {b.key: report.share(b.key) for b in report.buckets},
                 {r.id: r for r in report.rows if r.kind == "plan"})


def _delta_word(before: float, after: float) -> str:
    return "raises" if after > before else "lowers"


def _changed(before: float, after: float, digits: int = 1) -> bool:
    return fmt.pct(before, digits) != fmt.pct(after, digits)


def compare(before: Report, after: Report, ref: str) -> Comparison:
    """What a change does to where the money points: sentences first, then the figures."""
    b, a = _side(before), _side(after)
    sentences: list[str] = []

    # the divergence score, overall and per function
    scores: list[tuple[str, float | None, float | None]] = [("overall", before.overall.score, after.overall.score)]
    sentences.extend(_score_sentences("the divergence score", before.overall.score, after.overall.score))
    before_scores = {s.id: s for s in before.scores}
    for s in after.scores:
        old = before_scores.pop(s.id, None)
        scores.append((s.label, old.score if old else None, s.score))
        if old is not None and old.score is not None and s.score is not None and _changed_score(old.score, s.score):
            sentences.extend(_score_sentences(f"the divergence score of {s.label}", old.score, s.score))
    for s in before_scores.values():
        scores.append((s.label, s.score, None))

    # plans coming into or going out of force, and plans whose weighting moved
    for pid in sorted(set(b.plans) | set(a.plans)):
        old_row, new_row = b.plans.get(pid), a.plans.get(pid)
        if old_row is None and new_row is not None:
            sentences.append(f"{pid} comes into force with {after.money(new_row.pay)} of target variable pay")
            continue
        if new_row is None and old_row is not None:
            sentences.append(f"{pid} is no longer in force (it carried {before.money(old_row.pay)} "
                             "of target variable pay)")
            continue
        assert old_row is not None and new_row is not None
        if round(old_row.pay) != round(new_row.pay):
            sentences.append(f"this change {_delta_word(old_row.pay, new_row.pay)} the target variable pay of {pid} "
                             f"from {before.money(old_row.pay)} to {after.money(new_row.pay)}")
        for key in [bk.key for bk in after.buckets] + [k for k in old_row.cells if k not in
                                                       {bk.key for bk in after.buckets}]:
            o, n = old_row.cells.get(key, 0.0), new_row.cells.get(key, 0.0)
            if _changed(o, n, 0):
                what = _weighting_name(key)
                sentences.append(f"this change {_delta_word(o, n)} the {what} weighting of {pid} "
                                 f"from {fmt.pct(o, 0)} to {fmt.pct(n, 0)}")

    # priorities: weights and shares of pay
    priorities = []
    keys = [bk.key for bk in after.buckets if bk.kind == "priority"]
    keys += [k for k in b.weights if k not in keys]
    for key in keys:
        wb, wa = b.weights.get(key), a.weights.get(key)
        qb = b.shares.get(key) if key in b.weights else None
        qa = a.shares.get(key) if key in a.weights else None
        priorities.append((key, wb, wa, qb, qa))
        if wb is None and wa is not None:
            sentences.append(f"the strategy adds priority {key} with {fmt.pct(wa)} of the weight")
        elif wa is None and wb is not None:
            sentences.append(f"the strategy drops priority {key} (it had {fmt.pct(wb)} of the weight)")
        elif wa is not None and wb is not None and _changed(wb, wa):
            sentences.append(f"the strategy re-weights {key} from {fmt.pct(wb)} to {fmt.pct(wa)}")
        if qa is None or qb is None:
            continue
        old_payers, new_payers = before.payers.get(key, ()), after.payers.get(key, ())
        if qb > 0 and qa <= 0:
            if len(old_payers) == 1:
                sentences.append(f"priority {key} loses its only incentive ({old_payers[0]})")
            else:
                sentences.append(f"priority {key} loses all its incentives ({', '.join(old_payers)})")
        elif qb <= 0 < qa:
            sentences.append(f"priority {key} gets its first incentive ({', '.join(new_payers)})")
        elif _changed(qb, qa):
            sentences.append(f"priority {key} now gets {fmt.pct(qa)} of target variable pay (was {fmt.pct(qb)}; "
                             f"weight {fmt.pct(wa or 0.0)})")
    for key in (LEGACY, UNALIGNED):
        qb, qa = b.shares.get(key, 0.0), a.shares.get(key, 0.0)
        if _changed(qb, qa):
            name = "drivers the strategy moves away from" if key == LEGACY else "no priority"
            sentences.append(f"the share of target variable pay on {name} goes from {fmt.pct(qb)} to {fmt.pct(qa)}")

    # findings, by fingerprint
    old_prints = {f.fingerprint for f in before.findings}
    new_prints = {f.fingerprint for f in after.findings}
    added = tuple(f for f in after.findings if f.fingerprint not in old_prints)
    removed = tuple(f for f in before.findings if f.fingerprint not in new_prints)
    if added or removed:
        sentences.append(f"{_count(len(added), 'finding')} added, {_count(len(removed), 'finding')} resolved")
    if not sentences:
        sentences.append("this change does not move any target variable pay")
    return Comparison(ref, tuple(sentences), tuple(priorities), tuple(scores), added, removed)


def _changed_score(before: float, after: float) -> bool:
    return fmt.score(before) != fmt.score(after)


def _score_sentences(name: str, before: float | None, after: float | None) -> list[str]:
    if before is None and after is None:
        return []
    if before is None:
        return [f"{name} is now {fmt.score(after)} (it could not be computed before)"]
    if after is None:
        return [f"{name} can no longer be computed (it was {fmt.score(before)})"]
    if not _changed_score(before, after):
        return [f"this change leaves {name} at {fmt.score(after)}"]
    return [f"this change {_delta_word(before, after)} {name} from {fmt.score(before)} to {fmt.score(after)}"]


def _weighting_name(key: str) -> str:
    """How a sentence names a column: 'the p-uptime weighting', 'the legacy-driver weighting'."""
    if key == LEGACY:
        return "legacy-driver"
    if key == UNALIGNED:
        return "unaligned"
    return key


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def with_comparison(after: Report, before: Report, ref: str) -> Report:
    from dataclasses import replace

    return replace(after, comparison=compare(before, after, ref))
