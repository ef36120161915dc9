"""The whole check, usable from Python: files -> loader -> schema -> model -> rules -> result.

``lint(LintOptions(...))`` is what the ``check`` command calls; nothing here imports the CLI.
"""
from __future__ import annotations

import datetime as _dt
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from . import schema
from .catalog import Catalog, load_catalog
from .config import Config, RuleSetting
from .config import discover as discover_config
from .config import load as load_config
from .config import settings as rule_settings
from .engine import Engine, enabled_rules
from .findings import LintResult
from .kinds import KIND_SCHEMAS, suggest
from .loader import Document, Issue, Locator, ParsedFile, discover, find_node, parse_text, read_text
from .model import Model, build
from .source import Span
from .taxonomy import default_taxonomy


@dataclass
class LintOptions:
    """What to check and how; every field has the CLI's default."""

    paths: Sequence[Path] = (Path("."),)
    as_of: _dt.date | None = None
    config: Path | None = None
    cwd: Path | None = None
    use_config: bool = True
    select: Sequence[str] | None = None


@dataclass
class Workspace:
    """Everything read from a repository: documents, issues, the model and where things are."""

    config: Config
    catalog: Catalog
    settings: dict[str, RuleSetting]
    model: Model
    locator: Locator
    documents: dict[tuple[str, int], Any] = field(default_factory=dict)
    files_checked: int = 0
    files_skipped: int = 0
    document_count: int = 0


#: Input mistakes that keep a document out of the model (its data cannot be trusted);
#: an ambiguous value is only a warning and the document is still checked.
BLOCKING = frozenset({"duplicate-key", "invalid-value", "unsupported-tag", "too-complex"})


def _kind_issue(parsed: ParsedFile, doc: Document) -> Issue | None:
    kind = doc.kind
    if kind is None or kind in KIND_SCHEMAS:
        return None
    hint = suggest(kind, list(KIND_SCHEMAS))
    tip = f"did you mean '{hint}'?" if hint else f"known kinds are {', '.join(sorted(KIND_SCHEMAS))}."
    span = _span(parsed, doc, ("kind",))
    return Issue("unknown-kind", span, f"unknown document kind '{kind}'; {tip}", ("kind",),
                 args=(("kind", kind),), doc_index=doc.index)


def _span(parsed: ParsedFile, doc: Document, path: tuple[Any, ...], key: bool = False) -> Span:
    assert doc.root is not None and parsed.table is not None
    node = find_node(doc.root, path, key=key)
    return Span(parsed.file, parsed.table.position(node.start_mark.index), parsed.table.position(node.end_mark.index))


def check_file(parsed: ParsedFile) -> tuple[list[Document], list[Issue], bool]:
    """Validate each document of a parsed file: (valid documents, all issues, has policy docs)."""
    valid: list[Document] = []
    issues = list(parsed.issues)
    has_policy = bool(parsed.issues)
    for doc in parsed.documents:
        if not isinstance(doc.data, dict) or doc.kind is None:
            continue
        has_policy = True
        problem = _kind_issue(parsed, doc)
        if problem is not None:
            issues.append(problem)
            continue
        own = [i for i in parsed.issues if i.doc_index == doc.index]
        covered = [i.path for i in own]
        violations = schema.validate(doc.kind, doc.data)
        kept = [v for v in violations if not any(v.path[:len(p)] == p for p in covered)]
        for v in kept:
            issues.append(Issue("schema-violation", _span(parsed, doc, v.path, v.on_key), v.message, v.path,
                                args=(("id", doc.id or ""),) if doc.id else (), doc_index=doc.index))
        if not violations and not any(i.rule in BLOCKING for i in own):
            valid.append(doc)
    return valid, issues, has_policy


def read_workspace(options: LintOptions) -> Workspace:
    """Load config, catalog and every file, and build the model."""
    cwd = options.cwd or Path.cwd()
    config_path = options.config
    if config_path is None and options.use_config:
        config_path = discover_config(cwd / options.paths[0] if options.paths else cwd)
    config = load_config(config_path, cwd)
    if options.select is not None:
        config.raw = {**config.raw, "select": list(options.select)}
    catalog = load_catalog(cwd, config.rule_paths())
    settings = rule_settings(config, catalog)
    taxonomy = default_taxonomy().extended(config.raw.get("taxonomy"))
    candidates, issues = discover(list(options.paths), cwd)
    locator = Locator(candidates)
    valid: list[Document] = []
    files_checked = files_skipped = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse loop allocates millions of objects that all stay alive
    try:
        for candidate in candidates:
            text, issue = read_text(candidate.path, candidate.display)
            if text is None:
                assert issue is not None
                issues.append(issue)
                files_checked += 1
                continue
            parsed = parse_text(text, candidate.display)
            docs, file_issues, has_policy = check_file(parsed)
            if has_policy:
                files_checked += 1
            else:
                files_skipped += 1
            valid.extend(docs)
            issues.extend(file_issues)
            if file_issues:
                locator.add(parsed)  # keep node trees only where findings will point
            else:
                parsed.release()
    finally:
        if gc_was_enabled:
            gc.enable()
    for doc in valid:
        doc.root = None
    as_of = options.as_of or _dt.date.today()
    model = build(valid, taxonomy, as_of)
    model.issues = tuple(issues)
    model.assume_rollover = config.assume_rollover
    documents = {(d.file, d.index): d.data for d in valid}
    return Workspace(config, catalog, settings, model, locator, documents, files_checked, files_skipped, len(valid))


def lint(options: LintOptions) -> tuple[LintResult, Workspace]:
    """Run the whole check and return the result with the workspace it was computed on."""
    ws = read_workspace(options)
    engine = Engine(ws.model, ws.locator, ws.documents)
    findings = engine.run(ws.catalog, ws.settings)
    result = LintResult(
        findings=tuple(findings), files_checked=ws.files_checked, files_skipped=ws.files_skipped,
        documents=ws.document_count, as_of=ws.model.as_of.isoformat(),
        rules_run=tuple(enabled_rules(ws.catalog, ws.settings)))
    return result, ws
