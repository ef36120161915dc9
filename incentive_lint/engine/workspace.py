"""The workspace of one run: options, configuration and catalog, every file read and checked
against its schema, and the model built from the valid documents.

``read_workspace(LintOptions(...))`` is the first half of :func:`incentive_lint.run.lint`.
"""
from __future__ import annotations

import datetime as _dt
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
from incentive_lint.read.documents import Document, Issue, ParsedFile
from incentive_lint.read.files import Candidate, discover, read_text
from incentive_lint.read.locator import Locator
from incentive_lint.read.parse import find_node, parse_text
from incentive_lint.model.build import build
from incentive_lint.model.core import Model
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


#: (valid documents, issues, holds policy documents, parsed file kept for positions,
#:  the text when it may hold inline exception comments)
FileOutcome = Tuple[List[Document], List[Issue], bool, Optional[ParsedFile], Optional[str]]
INLINE_MARK = "incentive-lint"
CHUNK = 64


def read_one(candidate: Candidate, keep_trees: bool = True) -> FileOutcome:
    """Read, parse and validate one file."""
    text, issue = read_text(candidate.path, candidate.display)
    if text is None:
        assert issue is not None
        return [], [issue], True, None, None
    parsed = parse_text(text, candidate.display)
    docs, file_issues, has_policy = check_file(parsed)
    keep = bool(file_issues) and keep_trees
    if not keep:
        parsed.release()
    inline = text if INLINE_MARK in text else None
    return docs, file_issues, has_policy, parsed if keep else None, inline


Packed = Tuple[List[Tuple[int, Any, Optional[str]]], List[Issue], bool, Optional[str]]


def _read_chunk(chunk: List[Candidate]) -> List[Packed]:
    """Read files in a worker; documents travel back as plain tuples (cheaper to pickle).
    Node trees do not travel: the parent re-reads the few files with issues."""
    gc.disable()
    out: List[Packed] = []
    for candidate in chunk:
        docs, issues, has_policy, _, inline = read_one(candidate, keep_trees=False)
        out.append(([(d.index, d.data, d.kind) for d in docs], issues, has_policy, inline))
    return out


def _unpack(candidate: Candidate, packed: Packed) -> FileOutcome:
    docs, issues, has_policy, inline = packed
    return ([Document(candidate.display, index, data, Span.at(candidate.display, 1), kind=kind)
             for index, data, kind in docs], issues, has_policy, None, inline)


def _read_all(candidates: List[Candidate], jobs: int | None) -> Iterator[FileOutcome]:
    """Every file's outcome, in candidate order; in worker processes for large repositories."""
    count = default_jobs(len(candidates)) if jobs is None else max(1, jobs)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse loop allocates millions of objects that all stay alive
    try:
        if count == 1 or len(candidates) < 2 * CHUNK or "fork" not in mp.get_all_start_methods():
            for candidate in candidates:
                yield read_one(candidate)
            return
        chunks = [candidates[i:i + CHUNK] for i in range(0, len(candidates), CHUNK)]
        with mp.get_context("fork").Pool(count) as pool:
            for chunk, outcomes in zip(chunks, pool.imap(_read_chunk, chunks)):
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
    locator = Locator(candidates)
    valid: list[Document] = []
    files_checked = files_skipped = 0
    inline: dict[str, str] = {}
    for candidate, outcome in zip(candidates, _read_all(candidates, options.jobs)):
        docs, file_issues, has_policy, parsed, text = outcome
        if text is not None:
            inline[candidate.display] = text
        if has_policy:
            files_checked += 1
        else:
            files_skipped += 1
        valid.extend(docs)
        issues.extend(file_issues)
        if parsed is not None:
            locator.add(parsed)  # keep node trees only where findings will point
    as_of = options.as_of or _dt.date.today()
    model = build(valid, taxonomy, as_of)
    # Everything read so far lives until the end of the run: keep the cyclic GC from
    # rescanning it on every later allocation (it made position lookups 2x slower).
    gc.freeze()
    model.issues = tuple(issues)
    model.assume_rollover = config.assume_rollover
    documents = {(d.file, d.index): d.data for d in valid}
    return Workspace(config, catalog, settings, model, locator, documents, files_checked, files_skipped, len(valid),
                     sources={c.display: c.path for c in candidates}, inline=inline)
