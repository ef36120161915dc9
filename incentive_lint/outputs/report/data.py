"""The alignment report's values: the :class:`Report` dataclasses, the constants it is computed with and the sentences the renderers share.

Nothing in the report re-derives where pay flows: shares come from :meth:`Model.plan_share` and
:meth:`Model.pay_share`, scores from :meth:`Model.divergence` and the plans paying a
function from :meth:`Model.function_plans` -- the functions the rules call -- so the
figures a reader sees in the report are the figures in the findings. The renderers
(``html``, ``markdown``, ``text``) only lay out a :class:`Report`; the sentences they
share are written here, once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from incentive_lint.base.findings import Finding, Severity
from incentive_lint.gate.redact import REDACTED
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

    @property
    def name(self) -> str:
        """What a person reads first: a priority's title (its id is shown beside it), else the column's label."""
        return (self.title or self.label) if self.kind == "priority" else self.label


@dataclass(frozen=True)
class Row:
    """A row of the matrix: the strategy, all plans, one plan or one function."""

    kind: str  # strategy | total | plan | function
    id: str
    label: str
    pay: float
    cells: Mapping[str, float]  # bucket -> fraction of this row's pay (of the weights, for the strategy)
    note: str = ""
    title: str = ""  # a plan's or function's title, shown before its id (empty: the id alone)


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
class Cause:
    """One item of "What to change": a top-level finding with the pay it moves and where to change it."""

    finding: Finding
    at_stake: float | None  # target variable pay in the reporting currency, None when no amount applies
    basis: str  # how the amount was found, in words
    summary: str = ""  # the rule's summary
    fix: str = ""  # the rule's advice on what to change


@dataclass(frozen=True)
class Audit:
    """What the report was made from, so that it can be filed as evidence."""

    version: str
    catalog: str  # '96 rules, fingerprint 1a2b3c4d5e6f'
    commit: str  # the policy repository's commit, or 'not a git repository'
    dirty: bool = False  # uncommitted changes in the files reported on
    generated: str = ""  # a timestamp only with SOURCE_DATE_EPOCH or --stamp (reproducible otherwise)

    def commit_text(self) -> str:
        return self.commit + (" (uncommitted changes)" if self.dirty else "")


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
    #: the conversions used, '1 JPY = 0.00625 EUR (fx-2025, from 2025-01-01)' (empty with one currency)
    rates: tuple[str, ...] = ()
    #: in-force plans whose pay is not counted for want of an exchange rate: (plan id, its target pay)
    left_out: tuple[tuple[str, str], ...] = ()
    #: page one: the causes that move most pay, largest first, and what is already right
    causes: tuple[Cause, ...] = ()
    right: tuple[str, ...] = ()
    #: the audit footer (set by ``run.render``, which knows the repository; None from ``build`` alone)
    audit: Audit | None = None
    #: document values (amounts, titles, names) left out: amounts read "[redacted]", titles fall back to ids
    redacted: bool = False

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

    def money(self, amount: float | None) -> str:
        if self.redacted:
            return REDACTED
        if amount is None:
            return "–"
        return fmt.money(amount, self.currency)

    def function_title(self, fid: str) -> str:
        """A function's title when its document gives one (empty otherwise)."""
        for row in self.rows:
            if row.kind == "function" and row.id == fid:
                return row.title
        return ""

    def currency_notes(self) -> list[str]:
        """Sentences on conversion: the rates used and the plans left out for want of one."""
        out = []
        if self.rates:
            out.append(f"Amounts are in {self.currency}, converted at the rates in force on {self.as_of}: "
                       f"{'; '.join(self.rates)}.")
        if self.left_out:
            listed = ", ".join(f"{pid} ({amount})" for pid, amount in self.left_out)
            out.append(f"Not counted, for want of an exchange rate to {self.currency or 'the reporting currency'}: "
                       f"{listed}.")
        return out

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


# --------------------------------------------------------------------------- findings


def suppressed_note(report: Report) -> str:
    n = report.suppressed
    if not n:
        return ""
    return f"{n} finding{'' if n == 1 else 's'} accepted by exceptions or the baseline {'is' if n == 1 else 'are'} not shown."


def infos_and_others(findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Errors and warnings (shown one by one, under their cause), and infos (collapsed to a list)."""
    items = list(findings)
    return [f for f in items if f.severity > Severity.INFO], [f for f in items if f.severity == Severity.INFO]


def families(report: Report) -> list[tuple[str, list[FindingGroup]]]:
    """Finding groups by family, in display order."""
    out: dict[str, list[FindingGroup]] = {}
    for g in report.groups:
        out.setdefault(g.family, []).append(g)
    return list(out.items())
