"""Runs the enabled rules over the model and turns their hits into findings.

The engine owns everything a rule does not: rule identity, severity (defaults, config,
escalations), the message text, positions, fingerprints, per-path ignores and ordering.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from typing import Any, Iterable, Mapping

from incentive_lint.settings.catalog import Catalog, format_message
from incentive_lint.settings.config import RuleSetting, path_ignored
from incentive_lint.base.findings import Finding, Related, fingerprint, freeze
from incentive_lint.read.locator import Locator
from incentive_lint.model.core import Model
from incentive_lint.model.entities import Loc
from incentive_lint.checks.registry import FUNCTIONS
from incentive_lint.checks.api import Hit, Where
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.base.source import NodePath, Span, render_path


_CHUNK = 64
_FORKED_ENGINE: Engine | None = None


def default_jobs(files: int) -> int:
    """Worker processes for ``files`` files: one per core, but only with enough work for each."""
    return max(1, min(os.cpu_count() or 1, files // 250))


def _resolve_chunk(groups: list[list[tuple[Loc, bool]]]) -> dict[tuple[Loc, bool], Span]:
    engine = _FORKED_ENGINE
    assert engine is not None
    out: dict[tuple[Loc, bool], Span] = {}
    for group in groups:
        for where, on_key in group:
            out[(where, on_key)] = engine.span(where, on_key)
    return out


class Engine:
    """Turns hits into findings for one run."""

    def __init__(self, model: Model, locator: Locator, documents: Mapping[tuple[str, int], Any],
                 jobs: int | None = None) -> None:
        self.model = model
        self.locator = locator
        self.documents = documents
        self._spans: dict[tuple[Loc, bool], Span] = {}
        self.jobs = jobs

    def span(self, where: Where, on_key: bool = False) -> Span:
        if isinstance(where, Span):
            return where
        key = (where, on_key)
        found = self._spans.get(key)
        if found is None:
            found = self._spans[key] = self.locator.span(where.file, where.doc, where.path, key=on_key)
        return found

    def prefetch(self, hits: Iterable[Hit]) -> None:
        """Resolve every position the hits need, one file at a time (each file is re-read once);
        with many files, in worker processes."""
        wanted: set[tuple[Loc, bool]] = set()
        for hit in hits:
            if isinstance(hit.at, Loc):
                wanted.add((hit.at, hit.on_key))
            wanted.update((where, False) for _, where in hit.related if isinstance(where, Loc))
        by_file: dict[str, list[tuple[Loc, bool]]] = {}
        for request in sorted(wanted, key=lambda w: (w[0].file, w[0].doc, tuple(map(str, w[0].path)), w[1])):
            by_file.setdefault(request[0].file, []).append(request)
        groups = list(by_file.values())
        jobs = default_jobs(len(groups)) if self.jobs is None else max(1, self.jobs)
        if jobs > 1 and len(groups) >= 2 * _CHUNK and "fork" in mp.get_all_start_methods():
            global _FORKED_ENGINE
            _FORKED_ENGINE = self  # inherited by the forked workers; nothing is pickled but results
            try:
                chunks = [groups[i:i + _CHUNK] for i in range(0, len(groups), _CHUNK)]
                with mp.get_context("fork").Pool(jobs) as pool:
                    for spans in pool.imap(_resolve_chunk, chunks):
                        self._spans.update(spans)
            finally:
                _FORKED_ENGINE = None
            return
        for group in groups:
            for where, on_key in group:
                self.span(where, on_key)

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
            message=format_message(spec.message, hit.args), template=spec.message, args=freeze(dict(hit.args)),
            path=render_path(path), entities=tuple(hit.entities), evidence=freeze(dict(hit.evidence)),
            related=related, fingerprint=fingerprint(spec.slug, hit.entities, semantic))

    def run(self, catalog: Catalog, settings: Mapping[str, RuleSetting]) -> list[Finding]:
        pending: list[tuple[RuleSpec, RuleSetting, Hit]] = []
        for spec in catalog.sorted():
            setting = settings[spec.slug]
            if not setting.enabled:
                continue
            check = FUNCTIONS[spec.function]
            pending.extend((spec, setting, hit) for hit in check(self.model, setting.options))
        self.prefetch(hit for _, _, hit in pending)
        findings: set[Finding] = set()
        for spec, setting, hit in pending:
            finding = self.finding(spec, setting, hit)
            if not path_ignored(setting, finding.span.file):
                findings.add(finding)
        return sorted(findings)


def enabled_rules(catalog: Catalog, settings: Mapping[str, RuleSetting]) -> Iterable[str]:
    return tuple(s.slug for s in catalog.sorted() if settings[s.slug].enabled)
