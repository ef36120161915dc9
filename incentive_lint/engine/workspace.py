"""The workspace of one run: options, configuration and catalog, every file read and checked
against its schema, and the model built from the valid documents (the invalid ones only lend
their ids, so that what refers to them is not reported as dangling; see ``engine/invalid.py``).

``read_workspace(LintOptions(...))`` is the first half of :func:`incentive_lint.run.lint`.
"""
from __future__ import annotations

import datetime as _dt
import functools
import gc
import multiprocessing as mp
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from incentive_lint.read import schema
from incentive_lint.settings.catalog import Catalog, load_catalog
from incentive_lint.settings.config import Config, RuleSetting
from incentive_lint.settings.config import discover as discover_config
from incentive_lint.settings.config import load as load_config
from incentive_lint.settings.config import settings as rule_settings
from incentive_lint.engine.engine import default_jobs
from incentive_lint.base.kinds import KIND_SCHEMAS, suggest
from incentive_lint.read.documents import DEFAULT_LIMITS, Document, Issue, Limits, ParsedFile, cap_issues
from incentive_lint.read.files import Candidate, discover, read_text
from incentive_lint.read.locator import Locator
from incentive_lint.read.parse import node_span, parse_text
from incentive_lint.model.build import build
from incentive_lint.model.core import InvalidDocument, Model
from incentive_lint.base.source import Span
from incentive_lint.model.taxonomy import default_taxonomy


@dataclass
class LintOptions:
    """What to check and how; every field has the CLI's default."""

    paths: Sequence[Path] = (Path("."),)
    as_of: _dt.date | None = None
    config: Path | None = None
    cwd: Path | None = None
    use_config: bool = True
    select: Sequence[str] | None = None
    jobs: int | None = None
    #: apply inline and register exceptions (``--no-exceptions`` turns them off)
    exceptions: bool = True


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
    #: display name -> real path of every file read (for exception comments)
    sources: dict[str, Path] = field(default_factory=dict)
    #: the text of files holding inline exception comments, kept from the one read
    inline: dict[str, str] = field(default_factory=dict)
    #: the exceptions found (inline and register), filled by :func:`lint`; see ``suppress``
    exceptions: list[Any] = field(default_factory=list)


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
    return node_span(parsed, doc, path, key=key)


def _invalid(parsed: ParsedFile, doc: Document, kind: str, errors: list[Issue]) -> InvalidDocument:
    """The record of a document left out of the model: its ids stay known (see ``build``)."""
    at = _span(parsed, doc, ("id",) if "id" in doc.data else ("kind",))
    lines = tuple(sorted({e.span.start.line for e in errors}))
    return InvalidDocument(parsed.file, doc.index, kind, doc.id, doc.data, at, lines)


def check_file(parsed: ParsedFile, limits: Limits = DEFAULT_LIMITS
               ) -> tuple[list[Document], list[Issue], bool, list[InvalidDocument]]:
    """Validate each document of a parsed file: (valid documents, all issues, has policy docs,
    the documents that failed). At most ``limits.max_findings`` issues are kept, and one more
    saying how many were left out."""
    valid: list[Document] = []
    invalid: list[InvalidDocument] = []
    issues = list(parsed.issues)
    has_policy = bool(parsed.issues)
    by_doc: dict[int, list[Issue]] = {}
    for issue in parsed.issues:
        by_doc.setdefault(issue.doc_index, []).append(issue)
    uncounted = 0  # violations past the cap: counted, never explained
    for doc in parsed.documents:
        if not isinstance(doc.data, dict) or doc.kind is None:
            problem = schema.missing_kind(parsed, doc)  # our header without a kind, a list of documents
            if problem is not None:
                has_policy = True
                issues.append(problem)
            continue
        has_policy = True
        problem = _kind_issue(parsed, doc)
        if problem is not None:
            issues.append(problem)
            # a misspelt kind: its ids are read as the suggested kind's (for references only)
            invalid.append(_invalid(parsed, doc, suggest(doc.kind, list(KIND_SCHEMAS)) or doc.kind, [problem]))
            continue
        own = by_doc.get(doc.index, [])
        checked = schema.validate_some(doc.kind, doc.data, max(0, limits.max_findings + 1 - len(issues)),
                                       {i.path for i in own})
        uncounted += checked.more
        kept = checked.violations
        found = [Issue("schema-violation", _span(parsed, doc, v.path, v.on_key), v.message, v.path,
                       args=(("id", doc.id or ""),) if doc.id else (), doc_index=doc.index) for v in kept]
        issues.extend(found)
        blocking = [i for i in own if i.rule in BLOCKING]
        if checked.valid and not blocking:
            valid.append(doc)
        else:  # its errors: the blocking issues, the violations, and the issues standing for violations
            standing = [i for i in own if i.rule not in BLOCKING and checked.touches(i.path)]
            invalid.append(_invalid(parsed, doc, doc.kind, blocking + standing + found))
    if len(issues) > limits.max_findings or uncounted:
        issues = cap_issues(issues, limits.max_findings, parsed.file, uncounted)
    return valid, issues, has_policy, invalid


#: (valid documents, issues, holds policy documents, parsed file kept for positions,
#:  the text when it may hold inline exception comments, the documents that failed validation)
FileOutcome = Tuple[List[Document], List[Issue], bool, Optional[ParsedFile], Optional[str], List[InvalidDocument]]
INLINE_MARK = "incentive-lint"
CHUNK = 64


def read_one(candidate: Candidate, keep_trees: bool = True, limits: Limits = DEFAULT_LIMITS) -> FileOutcome:
    """Read, parse and validate one file."""
    text, issue = read_text(candidate.path, candidate.display, max_bytes=limits.max_file_size)
    if text is None:
        assert issue is not None
        return [], [issue], True, None, None, []
    parsed = parse_text(text, candidate.display, limits)
    docs, file_issues, has_policy, invalid = check_file(parsed, limits)
    keep = bool(file_issues) and keep_trees
    if not keep:
        parsed.release()
    inline = text if INLINE_MARK in text else None
    return docs, file_issues, has_policy, parsed if keep else None, inline, invalid


Packed = Tuple[List[Tuple[int, Any, Optional[str]]], List[Issue], bool, Optional[str], List[InvalidDocument]]


def _read_chunk(chunk: List[Candidate], limits: Limits = DEFAULT_LIMITS) -> List[Packed]:
    """Read files in a worker; documents travel back as plain tuples (cheaper to pickle).
    Node trees do not travel: the parent re-reads the few files with issues."""
    gc.disable()
    out: List[Packed] = []
    for candidate in chunk:
        docs, issues, has_policy, _, inline, invalid = read_one(candidate, keep_trees=False, limits=limits)
        out.append(([(d.index, d.data, d.kind) for d in docs], issues, has_policy, inline, invalid))
    return out


def _unpack(candidate: Candidate, packed: Packed) -> FileOutcome:
    docs, issues, has_policy, inline, invalid = packed
    return ([Document(candidate.display, index, data, Span.at(candidate.display, 1), kind=kind)
             for index, data, kind in docs], issues, has_policy, None, inline, invalid)


def _read_all(candidates: List[Candidate], jobs: int | None, limits: Limits = DEFAULT_LIMITS
              ) -> Iterator[FileOutcome]:
    """Every file's outcome, in candidate order; in worker processes for large repositories."""
    count = default_jobs(len(candidates)) if jobs is None else max(1, jobs)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse loop allocates millions of objects that all stay alive
    try:
        if count == 1 or len(candidates) < 2 * CHUNK or "fork" not in mp.get_all_start_methods():
            for candidate in candidates:
                yield read_one(candidate, limits=limits)
            return
        chunks = [candidates[i:i + CHUNK] for i in range(0, len(candidates), CHUNK)]
        with mp.get_context("fork").Pool(count) as pool:
            for chunk, outcomes in zip(chunks, pool.imap(functools.partial(_read_chunk, limits=limits), chunks)):
                for candidate, packed in zip(chunk, outcomes):
                    yield _unpack(candidate, packed)
    finally:
        if gc_was_enabled:
            gc.enable()


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
    limits = Limits.from_config(config.raw.get("limits"))
    locator = Locator(candidates, limits)
    valid: list[Document] = []
    invalid: list[InvalidDocument] = []
    files_checked = files_skipped = 0
    inline: dict[str, str] = {}
    for candidate, outcome in zip(candidates, _read_all(candidates, options.jobs, limits)):
        docs, file_issues, has_policy, parsed, text, failed = outcome
        if text is not None:
            inline[candidate.display] = text
        if has_policy:
            files_checked += 1
        else:
            files_skipped += 1
        valid.extend(docs)
        invalid.extend(failed)
        issues.extend(file_issues)
        if parsed is not None:
            locator.add(parsed)  # keep node trees only where findings will point
    as_of = options.as_of or _dt.date.today()
    model = build(valid, taxonomy, as_of, invalid)
    # Everything read so far lives until the end of the run: keep the cyclic GC from
    # rescanning it on every later allocation (it made position lookups 2x slower).
    gc.freeze()
    model.issues = tuple(issues)
    model.assume_rollover = config.assume_rollover
    documents = {(d.file, d.index): d.data for d in valid}
    return Workspace(config, catalog, settings, model, locator, documents, files_checked, files_skipped, len(valid),
                     sources={c.display: c.path for c in candidates}, inline=inline)
