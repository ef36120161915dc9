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
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from incentive_lint.read import schema
from incentive_lint.settings.catalog import Catalog, load_catalog
from incentive_lint.settings.config import Config, RuleSelection, RuleSetting
from incentive_lint.settings.config import discover as discover_config
from incentive_lint.settings.config import load as load_config
from incentive_lint.settings.config import settings as rule_settings
from incentive_lint.engine.cache import code_stamp, digest, open_cache
from incentive_lint.engine.file_cache import FileCache, encode_outcome
from incentive_lint.base.kinds import KIND_SCHEMAS, suggest
from incentive_lint.read.documents import DEFAULT_LIMITS, Document, Issue, Limits, ParsedFile, cap_issues
from incentive_lint.read.files import Candidate, discover, find_root, read_text
from incentive_lint.read.scope import Scope
from incentive_lint.read.locator import Locator
from incentive_lint.read.parse import node_span, parse_text
from incentive_lint.read.positions import Positions
from incentive_lint.model.invalid_document import InvalidDocument
from incentive_lint.base.source import Span
from incentive_lint.model.taxonomy import default_taxonomy

if TYPE_CHECKING:  # the model and the engine are imported when files are read: a cached run needs neither
    from incentive_lint.model.build import BuildMemo
    from incentive_lint.model.core import Model


@dataclass
class LintOptions:
    """What to check and how; every field has the CLI's default."""

    paths: Sequence[Path] = (Path("."),)
    as_of: _dt.date | None = None
    config: Path | None = None
    cwd: Path | None = None
    use_config: bool = True
    select: Sequence[str] | None = None
    #: ``check --select/--ignore/--extend-select``, applied on top of the configuration
    selection: RuleSelection | None = None
    jobs: int | None = None
    #: apply inline and register exceptions (``--no-exceptions`` turns them off)
    exceptions: bool = True
    #: text to check instead of a file's content on disk, by display name (an editor's unsaved
    #: buffer, ``check -``); a name not found on disk is checked as a new file of that name
    texts: Mapping[str, str] = field(default_factory=dict)
    #: reads one file instead of :func:`read_one` (the language server keeps a memo of outcomes)
    reader: Optional[Callable[[Candidate, Limits], "FileOutcome"]] = None
    #: the folder every path is named relative to (None: found by :func:`root_of`)
    root: Path | None = None
    #: ``check --exclude``: globs (``.gitignore`` syntax, relative to the root) added to the config's ``exclude``
    exclude: Sequence[str] = ()
    #: leave out what the ``.gitignore`` files ignore (``--no-respect-gitignore`` turns it off)
    respect_gitignore: bool = True
    #: keep and use the persistent cache (``check`` turns it on; ``--no-cache`` off)
    cache: bool = False
    #: where the cache lives (None: ``INCENTIVE_LINT_CACHE_DIR``, else ``.incentive-lint-cache/`` at the root)
    cache_dir: Path | None = None
    #: show progress on stderr once reading takes over a second (``check`` sets it on a terminal only)
    progress: bool = False
    #: the files found by earlier runs, by what finding them depends on (see :func:`discovery_key`):
    #: a long-lived caller (the language server) passes one dict to every run and clears it when
    #: files may have been created or deleted, so that the folders are walked once, not every run
    discovered: Optional[dict[str, Tuple[List[Candidate], List[Issue], List[str]]]] = None
    #: plans built by earlier runs (``model.build.BuildMemo``), for the same long-lived callers
    build_memo: Optional[BuildMemo] = None


def root_of(options: LintOptions) -> Path:
    """The root of the run (see :func:`incentive_lint.read.files.find_root`), lexically absolute."""
    if options.root is not None:
        return Path(os.path.abspath(options.root))
    return find_root(list(options.paths), options.cwd or Path.cwd())


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
    #: the root every name is relative to (see ``read.files.find_root``)
    root: Path | None = None
    #: root-relative names of the files and folders out of scope (exclude, include, .gitignore), never read
    left_out: tuple[str, ...] = ()
    #: files holding only documents of another tool (``kind: Deployment``) -> those kinds; skipped
    not_ours: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the per-file cache this workspace was read with (``run.py`` stores positions in it), or None
    file_cache: FileCache | None = None


#: Input mistakes that keep a document out of the model (its data cannot be trusted);
#: an ambiguous value is only a warning and the document is still checked.
BLOCKING = frozenset({"duplicate-key", "invalid-value", "unsupported-tag", "too-complex"})


#: The mark (an issue ``read_workspace`` takes out, never a finding) of a document of another
#: tool: a ``kind`` that is not ours nor close to one of ours, and no ``schema: incentive-lint/...``
#: header (a Kubernetes ``kind: Deployment``, a CI file). Its file is skipped and counted.
NOT_OURS = "not-ours"


def _not_ours(doc: Document) -> bool:
    data = doc.data
    header = data.get("schema") if isinstance(data, dict) else None
    if isinstance(header, str) and header.startswith(schema.SCHEMA_PREFIX):
        return False  # ours, with a misspelt kind: reported as unknown-kind
    kind = doc.kind
    # a near miss of one of ours ('IncentivPlan') is a typo to report, not someone else's file
    return kind is not None and kind not in KIND_SCHEMAS and suggest(str(kind), list(KIND_SCHEMAS)) is None


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


def without_prose(value: Any) -> Any:
    """``value`` without its ``x-`` extension keys, at any depth. The schemas let any value stand
    under them and no rule reads them, yet on real plans (descriptions, terms, payout calendars)
    they are most of the data kept for a run; their positions stay in the file's table."""
    if isinstance(value, dict):
        if any(k.startswith("x-") for k in value if isinstance(k, str)):
            return {k: without_prose(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("x-"))}
        changed = {k: without_prose(v) for k, v in value.items() if isinstance(v, (dict, list))}
        return {**value, **changed} if any(changed[k] is not value[k] for k in changed) else value
    if isinstance(value, list):
        items = [without_prose(v) if isinstance(v, (dict, list)) else v for v in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    return value


def check_file(parsed: ParsedFile, limits: Limits = DEFAULT_LIMITS
               ) -> tuple[list[Document], list[Issue], bool, list[InvalidDocument]]:
    """Validate each document of a parsed file: (valid documents, all issues, has policy docs,
    the documents that failed). At most ``limits.max_findings`` issues are kept, and one more
    saying how many were left out."""
    valid: list[Document] = []
    invalid: list[InvalidDocument] = []
    # another tool's documents are not ours to judge: their reading issues (an ambiguous 'yes') go too
    foreign = {doc.index for doc in parsed.documents if isinstance(doc.data, dict) and _not_ours(doc)}
    issues = [i for i in parsed.issues if i.doc_index not in foreign]
    has_policy = bool(issues)
    by_doc: dict[int, list[Issue]] = {}
    for issue in issues:
        by_doc.setdefault(issue.doc_index, []).append(issue)
    uncounted = 0  # violations past the cap: counted, never explained
    for doc in parsed.documents:
        if not isinstance(doc.data, dict) or doc.kind is None:
            problem = schema.missing_kind(parsed, doc)  # our header without a kind, a list of documents
            if problem is not None:
                has_policy = True
                issues.append(problem)
            continue
        if doc.index in foreign:
            issues.append(Issue(NOT_OURS, _span(parsed, doc, ("kind",)), f"'kind: {doc.kind}' is not an incentive-lint "
                                "document kind; the document was skipped.", ("kind",),
                                args=(("kind", str(doc.kind)),), doc_index=doc.index))
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
            doc.data = without_prose(doc.data)
            valid.append(doc)
        else:  # its errors: the blocking issues, the violations, and the issues standing for violations
            standing = [i for i in own if i.rule not in BLOCKING and checked.touches(i.path)]
            invalid.append(_invalid(parsed, doc, doc.kind, blocking + standing + found))
    if len(issues) > limits.max_findings or uncounted:
        issues = cap_issues(issues, limits.max_findings, parsed.file, uncounted)
    return valid, issues, has_policy, invalid


#: (valid documents, issues, holds policy documents, the file's position table (None: not read),
#:  the text when it may hold inline exception comments, the documents that failed validation)
FileOutcome = Tuple[List[Document], List[Issue], bool, Optional[Positions], Optional[str], List[InvalidDocument]]
INLINE_MARK = "incentive-lint"
#: a line that may hold an exception comment (``# incentive-lint: ignore[...]``); the bare name would
#: also match the ``schema: incentive-lint/v1`` line of every file and keep every file's text
_INLINE_COMMENT = re.compile(r"#\s*incentive-lint\s*:")
CHUNK = 64


def read_one(candidate: Candidate, limits: Limits = DEFAULT_LIMITS, text: str | None = None) -> FileOutcome:
    """Read, parse and validate one file (``text``: its content, instead of reading the disk).

    The file is read once: its position table, recorded while its documents were built, is all
    later findings need, so no node tree outlives the building of its document."""
    if text is None:
        text, issue = read_text(candidate.path, candidate.display, max_bytes=limits.max_file_size)
        if text is None:
            assert issue is not None
            return [], [issue], True, None, None, []
    parsed = parse_text(text, candidate.display, limits, keep_trees=False)
    docs, file_issues, has_policy, invalid = check_file(parsed, limits)
    inline = text if _INLINE_COMMENT.search(text) else None
    return docs, file_issues, has_policy, parsed.positions, inline, invalid


Packed = Tuple[List[Tuple[int, Any, Optional[str]]], List[Issue], bool, Optional[Positions], Optional[str],
               List[InvalidDocument]]


#: texts given for files (an editor's buffer, ``propose``'s patched plans), set while a pool of
#: forked workers reads: each worker inherits them instead of receiving them pickled per task
_GIVEN: Mapping[str, str] = {}


def _read_chunk(chunk: List[Candidate], limits: Limits = DEFAULT_LIMITS, encode: bool = False
                ) -> List[Tuple[Packed, Optional[bytes]]]:
    """Read files in a worker; documents travel back as plain tuples (cheaper to pickle), position
    tables as their raw arrays (see ``Positions.__reduce__``); with ``encode``, each with its
    cache entry, encoded here so that the main process only stores it (never for a given text,
    which is not the file on disk)."""
    gc.disable()
    out: List[Tuple[Packed, Optional[bytes]]] = []
    for candidate in chunk:
        given = _GIVEN.get(candidate.display)
        outcome = read_one(candidate, limits=limits, text=given)
        docs, issues, has_policy, positions, inline, invalid = outcome
        out.append((([(d.index, d.data, d.kind) for d in docs], issues, has_policy, positions, inline, invalid),
                    encode_outcome(outcome) if encode and given is None else None))
    return out


def _unpack(candidate: Candidate, packed: Packed) -> FileOutcome:
    docs, issues, has_policy, positions, inline, invalid = packed
    return ([Document(candidate.display, index, data, Span.at(candidate.display, 1), kind=kind)
             for index, data, kind in docs], issues, has_policy, positions, inline, invalid)


def _read_all(candidates: List[Candidate], jobs: int | None, limits: Limits = DEFAULT_LIMITS,
              texts: Mapping[str, str] | None = None, encoded: Dict[str, bytes] | None = None
              ) -> Iterator[FileOutcome]:
    """Every file's outcome, in candidate order; in worker processes for large repositories,
    which also encode each file's cache entry into ``encoded`` when it is given."""
    from incentive_lint.engine.engine import default_jobs

    count = default_jobs(len(candidates)) if jobs is None else max(1, jobs)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse loop allocates millions of objects that all stay alive
    try:
        if count == 1 or len(candidates) < 2 * CHUNK or "fork" not in mp.get_all_start_methods():
            for candidate in candidates:
                yield read_one(candidate, limits=limits, text=(texts or {}).get(candidate.display))
            return
        chunks = [candidates[i:i + CHUNK] for i in range(0, len(candidates), CHUNK)]
        global _GIVEN
        _GIVEN = texts or {}  # inherited by the workers forked below
        try:
            pool = mp.get_context("fork").Pool(count)
        finally:
            _GIVEN = {}
        with pool:
            work = functools.partial(_read_chunk, limits=limits, encode=encoded is not None)
            for chunk, outcomes in zip(chunks, pool.imap(work, chunks)):
                for candidate, (packed, entry) in zip(chunk, outcomes):
                    if entry is not None and encoded is not None:
                        encoded[candidate.display] = entry
                    yield _unpack(candidate, packed)
    finally:
        if gc_was_enabled:
            gc.enable()


class _Progress:
    """A progress bar on stderr (click's) that appears only once reading has taken a second, so
    that short runs print nothing; ``total`` 0 turns it off."""

    DELAY = 1.0

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self._bar: Any = None
        self._start = time.monotonic()

    def wrap(self, items: Iterator[FileOutcome]) -> Iterator[FileOutcome]:
        for item in items:
            self.done += 1
            if self.total:
                self._tick()
            yield item

    def _tick(self) -> None:
        if self._bar is None:
            if time.monotonic() - self._start < self.DELAY:
                return
            import click

            self._bar = click.progressbar(length=self.total, label="incentive-lint: reading files", file=sys.stderr,
                                          show_pos=True)
            self._bar.__enter__()
            self._bar.update(self.done)
        else:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@dataclass
class Setup:
    """What a run knows before it reads a policy file: configuration, catalog, the files to read
    and (with the cache on) the key of each file's content."""

    cwd: Path
    root: Path
    config: Config
    catalog: Catalog
    settings: dict[str, RuleSetting]
    taxonomy: Any
    scope: Scope
    candidates: list[Candidate]
    issues: list[Issue]
    limits: Limits
    files: FileCache | None = None


def discovery_key(options: LintOptions, cwd: Path, root: Path, config: Config) -> str:
    """Everything the list of files found depends on but the files and folders themselves."""
    return repr((sorted(str(p) for p in options.paths), str(cwd), str(root), list(config.include),
                 [*config.exclude, *options.exclude], options.respect_gitignore))


def prepare(options: LintOptions) -> Setup:
    """Load the configuration and the catalog and find the files (the first part of :func:`read_workspace`)."""
    cwd = options.cwd or Path.cwd()
    # Every name (findings, baselines, registers) is relative to the root, not to where the command runs.
    root = root_of(options)
    config_path = Path(os.path.abspath(cwd / options.config)) if options.config is not None else None
    if config_path is None and options.use_config:
        config_path = discover_config(cwd / options.paths[0] if options.paths else cwd)
    config = load_config(config_path, root)
    if options.select is not None:
        config.raw = {**config.raw, "select": list(options.select)}
    catalog = load_catalog(root, config.rule_paths())
    settings = rule_settings(config, catalog, options.selection)
    taxonomy = default_taxonomy().extended(config.raw.get("taxonomy"))
    scope = Scope(root, config.include, [*config.exclude, *options.exclude], options.respect_gitignore)
    memo = options.discovered
    key = discovery_key(options, cwd, root, config) if memo is not None else ""
    if memo is not None and key in memo:
        found, refused, left_out = memo[key]
        candidates, issues = list(found), list(refused)
        scope.left_out.extend(left_out)  # as the walk would have noted them
    else:
        candidates, issues = discover(list(options.paths), cwd, root, scope)
        if memo is not None:
            memo.clear()  # one entry: the configuration's scope changed, or it is the first run
            memo[key] = (list(candidates), list(issues), list(scope.left_out))
    if options.texts:  # an unsaved new file is checked as if it were on disk
        known = {c.display for c in candidates}
        candidates = sorted([*candidates, *(Candidate(Path(os.path.abspath(root / name)), name)
                                            for name in options.texts if name not in known)], key=lambda c: c.display)
    limits = Limits.from_config(config.raw.get("limits"))
    files = None
    if options.cache and options.reader is None:
        store = open_cache(root, options.cache_dir)
        if store.enabled:
            files = FileCache(store, digest(code_stamp(), repr(limits)), root)
            files.hash_all(candidates, limits, options.texts)
    return Setup(cwd, root, config, catalog, settings, taxonomy, scope, candidates, issues, limits, files)


def read_workspace(options: LintOptions, setup: Setup | None = None) -> Workspace:
    """Load config, catalog and every file, and build the model."""
    s = setup if setup is not None else prepare(options)
    root, config, catalog, settings, taxonomy, scope, candidates, limits = (
        s.root, s.config, s.catalog, s.settings, s.taxonomy, s.scope, s.candidates, s.limits)
    issues = list(s.issues)
    locator = Locator()
    valid: list[Document] = []
    invalid: list[InvalidDocument] = []
    files_checked = files_skipped = 0
    inline: dict[str, str] = {}
    not_ours: dict[str, tuple[str, ...]] = {}
    reader = options.reader
    files = s.files
    if reader is not None:
        outcomes: Iterator[FileOutcome] = (reader(c, limits) for c in candidates)
    elif files is not None:  # the cache reads only the files it holds no entry for
        outcomes = files.outcomes(candidates, lambda missing, encoded: _read_all(missing, options.jobs, limits,
                                                                                options.texts, encoded))
    else:
        outcomes = _read_all(candidates, options.jobs, limits, options.texts)
    progress = _Progress(len(candidates) if options.progress else 0)
    for candidate, outcome in zip(candidates, progress.wrap(outcomes)):
        docs, file_issues, has_policy, positions, text, failed = outcome
        if any(i.rule == NOT_OURS for i in file_issues):
            if not has_policy:  # only another tool's documents: skipped, and counted as such
                kinds = [str(dict(i.args).get("kind")) for i in file_issues if i.rule == NOT_OURS]
                not_ours[candidate.display] = tuple(sorted(set(kinds)))
            file_issues = [i for i in file_issues if i.rule != NOT_OURS]
        if text is not None:
            inline[candidate.display] = text
        if has_policy:
            files_checked += 1
        else:
            files_skipped += 1
        valid.extend(docs)
        invalid.extend(failed)
        issues.extend(file_issues)
        if positions is not None:
            locator.add_positions(candidate.display, positions)
    progress.close()
    from incentive_lint.model.build import build

    as_of = options.as_of or _dt.date.today()
    model = build(valid, taxonomy, as_of, invalid, memo=options.build_memo)
    # Everything read so far lives until the end of the run: keep the cyclic GC from
    # rescanning it on every later allocation (it made position lookups 2x slower).
    gc.freeze()
    model.issues = tuple(issues)
    model.assume_rollover = config.assume_rollover
    documents = {(d.file, d.index): d.data for d in valid}
    return Workspace(config, catalog, settings, model, locator, documents, files_checked, files_skipped, len(valid),
                     sources={c.display: c.path for c in candidates}, inline=inline, root=root,
                     left_out=tuple(sorted(set(scope.left_out))), file_cache=files,
                     not_ours=not_ours)
