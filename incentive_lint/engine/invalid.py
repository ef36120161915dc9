"""Holding back what an invalid document would distort.

A document that fails validation stays out of the model, but its ids are still known (see
``model/build.py``). Without it, many rules would report false problems: an objective whose
parent priority "does not exist", a role with "no plan", pay that "maps to no priority". So,
for each enabled rule, the engine asks an :class:`InvalidGuard`:

* whether to skip the rule entirely: it reads every document of a kind (all plans, the
  strategy in force, every KPI ...) and one document of that kind is invalid
  (:data:`DEPENDS_ON_ALL`);
* which of its hits to drop: those about an entity of the invalid document, or about an
  entity that refers to it.

Then each invalid document gets one ``invalid-document-skipped`` info saying which rules were
skipped for it and why, so that nothing is held back silently.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from incentive_lint.base.source import Span
from incentive_lint.checks.api import Hit, Where
from incentive_lint.model.core import InvalidDocument, Model
from incentive_lint.model.entities import Loc
from incentive_lint.read.documents import Issue
from incentive_lint.settings.rulespec import RuleSpec

#: the input rule reporting, once per invalid document, what was skipped for it
INFO_RULE = "invalid-document-skipped"

#: Rules whose results sum or compare pay over every component of every plan in force: a
#: missing plan, KPI, objective or role headcount changes every total they report.
_PAY_TOTALS = frozenset({
    "cross-function-conflict", "discretionary-only-link", "headcount-skew-to-legacy",
    "incentive-strategy-divergence", "leadership-scorecard-misaligned", "quota-target-coverage",
    "short-reward-horizon", "spif-misuse", "strategic-offer-credit-penalty", "strategic-priority-unrewarded",
    "unaligned-variable-pay", "upside-asymmetry",
})

#: Document kind -> the rules whose result depends on every document of that kind (a claim
#: that something is missing, or a total). Skipped entirely while one such document is
#: invalid; rules not listed only lose the hits about the invalid document and what refers to it.
DEPENDS_ON_ALL: dict[str, frozenset[str]] = {
    # the strategy in force: its priorities, weights, drivers and dates are what almost every
    # alignment rule measures against (a draft or retired strategy is never the one in force)
    "Strategy": _PAY_TOTALS | {
        "budget-strategy-divergence", "capability-lead-time", "cascade-gap", "credit-excludes-strategic-offer",
        "focus-overload", "function-unstaffed", "horizon-mismatch", "kpi-without-data-source",
        "kpi-without-target", "legacy-baseline-target", "legacy-kpi-still-cascaded", "missing-required-function",
        "objective-without-kpi", "offer-delivery-gap", "orphan-objective", "pays-on-deprioritized-driver",
        "plan-coverage-gap", "plan-not-reviewed-since-strategy", "pricing-model-mismatch", "priority-unfunded",
        "priority-weights-sum", "priority-without-owner", "system-capability-missing", "team-goal-individual-pay",
        "threshold-too-high-on-new-measure",
    },
    # every KPI's drivers decide where pay flows and which roles' plans conflict
    "KpiCatalog": _PAY_TOTALS | {"diagnose-and-sell-conflict", "discount-authority-on-volume-pay"},
    # objectives carry the cascade and, through components paying on them, pay
    "ObjectiveSet": _PAY_TOTALS | {"cascade-gap", "focus-overload"},
    # the plans in force: who is paid, by what, and how much in total
    "IncentivePlan": _PAY_TOTALS | {"diagnose-and-sell-conflict", "discount-authority-on-volume-pay",
                                    "plan-coverage-gap"},
    # roles (headcounts, plans), functions, systems and bodies
    "Org": _PAY_TOTALS | {
        "capability-lead-time", "cascade-gap", "clawback-missing", "credit-excludes-strategic-offer",
        "diagnose-and-sell-conflict", "discount-authority-on-volume-pay", "exec-horizon-governance",
        "function-unstaffed", "line-of-sight-mismatch", "measure-controlled-by-payee", "measure-weight-too-small",
        "missing-required-function", "offer-delivery-gap", "plan-coverage-gap", "system-capability-missing",
        "team-goal-individual-pay",
    },
    # which offers exist, how they are priced and credited
    "OfferCatalog": frozenset({"capability-lead-time", "credit-excludes-strategic-offer", "cross-function-conflict",
                               "pricing-model-mismatch", "strategic-offer-credit-penalty"}),
    # where the money goes
    "Budget": frozenset({"budget-strategy-divergence", "function-unstaffed", "priority-unfunded"}),
}

#: Rules about the ids themselves: an invalid document's ids are known, so what they still
#: report (an id that really is defined nowhere, or twice) is true.
_RAW = frozenset({"dangling-reference", "duplicate-id"})

#: Kinds whose draft or retired documents pay nothing and are never in force: an invalid one
#: only loses its own hits.
_STATUS_SCOPED = frozenset({"Strategy", "IncentivePlan"})

_LABELS = {"Strategy": "strategy", "ObjectiveSet": "objective set", "KpiCatalog": "KPI catalog",
           "IncentivePlan": "plan", "Org": "organisation", "OfferCatalog": "offer catalog", "Budget": "budget"}


def _in_scope(doc: InvalidDocument) -> bool:
    if doc.kind not in _STATUS_SCOPED:
        return True
    status = doc.data.get("status") if isinstance(doc.data, dict) else None
    return status not in ("draft", "retired")


class InvalidGuard:
    """One run's decisions about invalid documents, and what they held back."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.documents = model.invalid_documents
        #: invalid document index -> slugs of the rules skipped (wholly or in part) for it
        self.skipped: dict[int, set[str]] = {i: set() for i in range(len(self.documents))}
        #: invalid documents that matter to the rest: another document refers to one of their
        #: ids, or a finding was held back for them (the others need no note, see ``issues``)
        self.held: set[int] = {i for paths in model.invalid_locs.values() for _, docs in paths for i in docs}
        self._blocking: dict[str, list[int]] = {}
        for index, doc in enumerate(self.documents):
            if _in_scope(doc):
                self._blocking.setdefault(doc.kind, []).append(index)

    def keep(self, spec: RuleSpec, hits: Iterable[Hit]) -> Iterator[Hit]:
        """The hits to report: none while the rule reads every document of a kind that has an
        invalid one, else those that involve no invalid document. What is held back is recorded.
        Input rules and reference integrity are about the files themselves and keep every hit."""
        if not self.documents or spec.family == "input" or spec.slug in _RAW:
            yield from hits
            return
        slug = spec.slug
        whole = [i for kind, docs in self._blocking.items() if slug in DEPENDS_ON_ALL.get(kind, ()) for i in docs]
        for index in whole:  # not applied: its silence would not mean "no problem" either
            self.skipped[index].add(slug)
        for hit in hits:
            involved = set(whole) or self._involved(hit)
            if not involved:
                yield hit
            for index in involved:
                self.skipped[index].add(slug)
                self.held.add(index)

    def _involved(self, hit: Hit) -> set[int]:
        links = self.model.invalid_links
        found: set[int] = set()
        for entity in hit.entities:
            found.update(links.get(entity, ()))
        for where in (hit.at, *(w for _, w in hit.related)):
            found.update(self._at(where))
        return found

    def _at(self, where: Where) -> frozenset[int]:
        if isinstance(where, Span) or not isinstance(where, Loc):
            return frozenset()
        for path, docs in self.model.invalid_locs.get((where.file, where.doc), ()):
            # only entities inside a document: a document-level referrer is caught by its id
            if path and where.path[:len(path)] == path:
                return docs
        return frozenset()

    def issues(self) -> list[Issue]:
        """One info per invalid document that matters to the rest (see ``held``): what it is,
        where its error is, how many rules were skipped for it (not applied at all, or not to
        what involves it). A document nothing refers to and nothing was held back for needs no
        note: its own error already says that it was left out."""
        out: list[Issue] = []
        for index, doc in enumerate(self.documents):
            if index not in self.held:
                continue
            skipped = sorted(self.skipped[index])
            label = _LABELS.get(doc.kind, "document")
            name = f"{label} '{doc.id}'" if doc.id else label
            lines = doc.error_lines
            if not lines:
                where = "it does not match its schema"
            elif len(lines) == 1:
                where = f"see the error at line {lines[0]}"
            else:
                where = f"see the errors at lines {', '.join(map(str, lines))}"
            if skipped:
                what = f"{len(skipped)} rule{'s' if len(skipped) != 1 else ''} skipped for it"
            else:
                what = "what refers to it is not checked against it"
            message = f"{name} is invalid ({where}); {what}"
            args = ((("id", doc.id),) if doc.id else ()) + (("skipped", ", ".join(skipped)),)
            out.append(Issue(INFO_RULE, doc.at, message, ("id",) if doc.id else ("kind",), args=args,
                             doc_index=doc.doc))
        return out

    def report(self) -> None:
        """Put the infos among the model's reading issues (once; the input rule reports them)."""
        kept = tuple(i for i in self.model.issues if i.rule != INFO_RULE)
        self.model.issues = kept + tuple(self.issues())
