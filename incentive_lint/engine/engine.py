"""Runs the enabled rules over the model and turns their hits into findings.

The engine owns everything a rule does not: rule identity, severity (defaults, config,
escalations), the message text, positions, fingerprints, per-path ignores and ordering,
and folding: one cause, one finding (``fold``). A rule's ``explains`` (rule.yaml) names
the rules whose findings follow from its own on the same entity; such a finding is shown
as a consequence of its cause instead of as a problem of its own. It keeps its rule,
evidence and fingerprint, so exceptions and baselines match it as before; the gate
unfolds, decides, and folds again, so a cause that is accepted never hides a consequence
that is not (the consequence becomes a problem of its own again).
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Iterable, Mapping

from incentive_lint.settings.catalog import Catalog, format_message
from incentive_lint.settings.config import RuleSetting, path_ignored
from incentive_lint.base.findings import Anchor, Finding, Related, fingerprint, flatten, freeze
from incentive_lint.read.locator import Locator
from incentive_lint.model.core import Model
from incentive_lint.engine.invalid import INFO_RULE, InvalidGuard
from incentive_lint.engine.plan_memo import PlanMemo
from incentive_lint.model.entities import Loc
from incentive_lint.checks.registry import FUNCTIONS
from incentive_lint.checks.api import Hit, Where
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.base.source import NodePath, Span, render_path


def default_jobs(files: int) -> int:
    """Worker processes for ``files`` files: one per core, but only with enough work for each."""
    return max(1, min(os.cpu_count() or 1, files // 250))


class Engine:
    """Turns hits into findings for one run."""

    def __init__(self, model: Model, locator: Locator, documents: Mapping[tuple[str, int], Any]) -> None:
        self.model = model
        self.locator = locator
        self.documents = documents
        self._spans: dict[tuple[Loc, bool], Span] = {}
        self._kinds: dict[str, tuple[str, ...]] | None = None

    def kinds(self, ident: str) -> tuple[str, ...]:
        """The kinds of entity an id names in the model (``function``, ``offer``, ...)."""
        if self._kinds is None:
            m = self.model
            found: dict[str, list[str]] = {}
            tables: dict[str, Iterable[str]] = {
                "strategy": m.strategies, "priority": m.priorities, "objective": m.objectives, "kpi": m.kpis,
                "plan": m.plans, "function": m.functions, "role": m.roles, "system": m.systems,
                "offer": m.offers, "budget": m.budgets,
                "component": [c.key for plan in m.plans.values() for c in plan.components]}
            for kind, ids in tables.items():
                for key in ids:
                    found.setdefault(key, []).append(kind)
            self._kinds = {k: tuple(v) for k, v in found.items()}
        return self._kinds.get(ident, ())

    def anchor(self, spec: RuleSpec, hit: Hit, span: Span) -> Anchor:
        """What the finding is about: its document, the list item it sits in, its entities."""
        if isinstance(hit.at, Loc):
            document = f"{hit.at.file}#{hit.at.doc}"
            first = next((i for i, step in enumerate(hit.at.path) if isinstance(step, int)), None)
            node = "" if first is None else self.semantic_path(hit.at.file, hit.at.doc, hit.at.path[:first + 1])
        else:
            document, node = span.file, ""
        subjects = tuple((kind, ident) for ident in (hit.about or hit.entities) for kind in self.kinds(ident))
        return Anchor(document=document, node=node, subjects=subjects, explains=spec.explains)

    @property
    def spans(self) -> dict[tuple[Loc, bool], Span]:
        """Every position resolved so far; the persistent cache stores them and seeds them."""
        return self._spans

    def span(self, where: Where, on_key: bool = False) -> Span:
        """Where a hit points: from the position tables recorded when the files were read (no file
        is read again), kept per request (many findings point at one node)."""
        if isinstance(where, Span):
            return where
        key = (where, on_key)
        found = self._spans.get(key)
        if found is None:
            found = self._spans[key] = self.locator.span(where.file, where.doc, where.path, key=on_key)
        return found

    def semantic_path(self, file: str, doc: int, path: NodePath) -> str:
        """The node path with list indexes replaced by item ids where items have one,
        so that reordering or moving lines does not change a finding's identity."""
        data = self.documents.get((file, doc))
        out = ["$"]
        for item in path:
            if isinstance(item, int):
                element = data[item] if isinstance(data, list) and 0 <= item < len(data) else None
                ident = element.get("id") if isinstance(element, dict) else None
                out.append(f"[{ident}]" if isinstance(ident, str) else f"[{item}]")
                data = element
            else:
                out.append(f".{item}")
                data = data.get(item) if isinstance(data, dict) else None
        return "".join(out)

    def plan_of(self, hit: Hit) -> str | None:
        """The id of the plan whose document the hit sits in, or None (not in a plan's document)."""
        at = hit.at
        data = self.documents.get((at.file, at.doc)) if isinstance(at, Loc) else None
        if isinstance(data, dict) and data.get("kind") == "IncentivePlan" and isinstance(data.get("id"), str):
            return str(data["id"])
        return None

    def finding(self, spec: RuleSpec, setting: RuleSetting, hit: Hit) -> Finding:
        span = self.span(hit.at, hit.on_key)
        if isinstance(hit.at, Loc):
            path = hit.at.path
            doc = (self.documents.get((hit.at.file, hit.at.doc)) or {})
            doc_id = doc.get("id") if isinstance(doc, dict) else None
            semantic = f"{doc_id}:{self.semantic_path(hit.at.file, hit.at.doc, path)}"
        else:
            path = hit.path or ()
            semantic = f"{span.file}:{render_path(path)}"
        severity = setting.severity if setting.severity_fixed else (hit.severity or setting.severity)
        related = tuple(Related(self.span(where), label) for label, where in hit.related)
        return Finding(
            span=span, rule=spec.slug, code=spec.code, family=spec.family, severity=severity,
            message=format_message(hit.message or spec.message, hit.args), template=hit.message or spec.message,
            args=freeze(dict(hit.args)),
            path=render_path(path), entities=tuple(hit.entities), evidence=freeze(dict(hit.evidence)),
            related=related, fingerprint=fingerprint(spec.slug, hit.entities, semantic),
            anchor=self.anchor(spec, hit, span))

    def run(self, catalog: Catalog, settings: Mapping[str, RuleSetting], profile: str = "recommended",
            focus: frozenset[str] | None = None, touching: frozenset[str] | None = None,
            memo: PlanMemo | None = None) -> list[Finding]:
        """The findings of every enabled rule, sorted and folded (see ``fold``). In any profile
        but ``strict``, the items of process-hygiene rules are marked ``summarized``.

        A pre-commit run on plan files (``check --only-files``) keeps only the findings whose
        chain touches them (``touching``), and gives the ids of the plans in them (``focus``). Rules
        that take no part in folding (no ``explains``, and named in none) then run only for those
        plans when they look at one plan at a time (``scope: plan``: their findings on any other
        plan sit in its own file, or in files that are not plans), and their findings that touch
        none of the files are not made. Folding sees every finding it would see in a full run,
        so the findings kept are exactly those a full run would keep.

        With ``memo`` (``engine.plan_memo``), the other rules of ``scope: plan`` run only for the
        plans whose documents changed since the run that stored it; the other plans' findings are
        read back from it."""
        pending: list[tuple[RuleSpec, RuleSetting, Hit, bool]] = []
        stored: list[tuple[RuleSpec, RuleSetting, Finding]] = []
        guard = InvalidGuard(self.model)  # what invalid documents would distort is held back
        deferred: list[tuple[RuleSpec, RuleSetting]] = []
        folding = fold_rules(catalog) if touching is not None else frozenset()
        for spec in catalog.sorted():
            setting = settings[spec.slug]
            if not setting.enabled:
                continue
            if spec.slug == INFO_RULE:  # it reports what the other rules skipped: run it last
                deferred.append((spec, setting))
                continue
            check = FUNCTIONS[spec.function]
            narrow = focus is not None and spec.scope == "plan" and spec.slug not in folding
            memoised = memo is not None and spec.scope == "plan" and not narrow  # narrow: already for a few plans
            cached = memo.cached(spec.slug) if memo is not None and memoised else None
            self.model.focus = focus if narrow else memo.dirty if memo is not None and cached is not None else None
            try:
                pending.extend((spec, setting, hit, memoised)
                               for hit in guard.keep(spec, check(self.model, setting.options)))
            finally:
                self.model.focus = None
            if memo is not None and memoised:
                memo.ran(spec.slug, whole=cached is None)
                stored.extend((spec, setting, f) for f in cached or ())
        guard.report()
        for spec, setting in deferred:
            pending.extend((spec, setting, hit, False) for hit in FUNCTIONS[spec.function](self.model, setting.options))
        made: list[tuple[RuleSpec, RuleSetting, Finding]] = []
        for spec, setting, hit, memoised in pending:
            if touching is not None and spec.slug not in folding and not _touches(hit, touching):
                continue  # a finding of its own (nothing folds it or under it) that --only-files leaves out
            finding = self.finding(spec, setting, hit)
            if memo is not None and memoised:
                memo.record(spec.slug, self.plan_of(hit), finding)
            made.append((spec, setting, finding))
        findings: set[Finding] = set()
        summarize = profile != "strict"
        for spec, setting, finding in (*made, *stored):
            if summarize and spec.process_hygiene:
                finding = replace(finding, summarized=True)
            if not path_ignored(setting, finding.span.file):
                findings.add(finding)
        return fold(findings)


def fold_rules(catalog: Catalog) -> frozenset[str]:
    """The rules that take part in folding: those that explain others, and those they explain."""
    out: set[str] = set()
    for spec in catalog.rules.values():
        if spec.explains:
            out.add(spec.slug)
            out.update(rule for rule, _ in spec.explains)
    return frozenset(out)


def _touches(hit: Hit, files: frozenset[str]) -> bool:
    """Whether the finding ``hit`` makes would touch one of ``files`` (``Finding.files``, for a
    finding without consequences)."""
    return any(where.file in files for where in (hit.at, *(w for _, w in hit.related)))


def _node(f: Finding) -> str:
    return f.anchor.node if f.anchor is not None else ""


def _explainers(items: list[Finding]) -> dict[str, set[tuple[str, str]]]:
    """For each rule, the (cause rule, kind) pairs that explain it among ``items``."""
    out: dict[str, set[tuple[str, str]]] = {}
    for f in items:
        if f.anchor is not None:
            for rule, kind in f.anchor.explains:
                out.setdefault(rule, set()).add((f.rule, kind))
    return out


def fold(findings: Iterable[Finding]) -> list[Finding]:
    """One cause, one finding: each finding that another finding's rule explains, on the
    same entity, becomes a consequence of that cause; the rest are returned, sorted.

    A finding F is explained by C when F's rule is in C's ``explains`` and either (no kind)
    both sit in the same document and list item (a plan component; a finding on the whole
    plan matches every item of it) or (a kind) both name the same entity of that kind. C must
    be at least as severe as F, so that the causes alone decide the exit code and the counts
    of errors and warnings never hide an error. Chains fold to the first cause; between two
    findings of one rule the earlier (by file and line) is the cause. Folding what is already
    folded, or a mix of folded and unfolded findings, gives the same result (idempotent)."""
    items = flatten(findings)
    explained_by = _explainers(items)
    if not explained_by:
        return items
    by_document: dict[tuple[str, str], list[int]] = {}
    by_subject: dict[tuple[str, str, str], list[int]] = {}
    for i, f in enumerate(items):
        if f.anchor is None:
            continue
        by_document.setdefault((f.rule, f.anchor.document), []).append(i)
        for kind, ident in f.anchor.subjects:
            by_subject.setdefault((f.rule, kind, ident), []).append(i)
    parent: dict[int, int] = {}
    for i, f in enumerate(items):
        a = f.anchor
        if a is None or f.rule not in explained_by:
            continue
        candidates: set[int] = set()
        for cause_rule, kind in explained_by[f.rule]:
            if not kind:
                candidates.update(j for j in by_document.get((cause_rule, a.document), ())
                                  if not a.node or not _node(items[j]) or _node(items[j]) == a.node)
            else:
                for k, ident in a.subjects:
                    if k == kind:
                        candidates.update(by_subject.get((cause_rule, kind, ident), ()))
        fitting = [j for j in candidates if j != i and items[j].severity >= f.severity
                   and (items[j].rule != f.rule or j < i)]
        if fitting:
            parent[i] = min(fitting)
    children: dict[int, list[int]] = {}
    for i in parent:
        root, seen = i, {i}
        while root in parent and parent[root] not in seen:  # the catalog forbids cycles; stay safe anyway
            root = parent[root]
            seen.add(root)
        children.setdefault(root, []).append(i)
    out: list[Finding] = []
    for i, f in enumerate(items):
        if i in parent and i not in children:
            continue
        if i in parent:  # a defensive cycle: keep it as a problem of its own
            parent.pop(i)
        kids = children.get(i)
        out.append(replace(f, consequences=tuple(items[j] for j in sorted(kids))) if kids else f)
    return out


def enabled_rules(catalog: Catalog, settings: Mapping[str, RuleSetting]) -> Iterable[str]:
    return tuple(s.slug for s in catalog.sorted() if settings[s.slug].enabled)
