"""The report's before and after: what a change does to where the money points, from two reports."""
from __future__ import annotations

from dataclasses import dataclass, field

from incentive_lint.base.findings import flatten
from incentive_lint.model.entities import LEGACY, UNALIGNED
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import Comparison, Report, Row


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
    # every finding, folded or not: a finding that became a consequence is neither new nor resolved
    old_all, new_all = flatten(before.findings), flatten(after.findings)
    old_prints = {f.fingerprint for f in old_all}
    new_prints = {f.fingerprint for f in new_all}
    added = tuple(f for f in new_all if f.fingerprint not in old_prints)
    removed = tuple(f for f in old_all if f.fingerprint not in new_prints)
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
