"""The whole check, usable from Python: files -> loader -> schema -> model -> rules -> exceptions -> result.

``lint(LintOptions(...))`` is the whole check; ``check`` is the same through the persistent
cache, and ``check_outputs`` also keeps the rendered reports there (what the ``check`` command
calls); ``lint_at_ref`` runs the check on the merge-base of a git reference. Nothing here imports
the CLI.

It is a module of its own at the package's top, not part of ``engine/``: it is the one stage
that ties reading, the engine and the gate (exceptions, ``--new-since``) together, and its
``lint`` is the public API (``incentive_lint.lint``). The three top-level modules are the three
ends of the pipeline: this one, the click layer (``cli``) and the contributors' tool (``dev``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterator, Sequence

from incentive_lint.base.errors import CatalogError, ConfigError, UsageError
from incentive_lint.base.findings import NO_KIND, NOT_OURS, REGISTER, Finding, LintResult, Severity
from incentive_lint.engine.cache import digest, tree_stamp
from incentive_lint.engine.file_cache import FileCache
from incentive_lint.engine.result_codec import decode_run, encode_run
from incentive_lint.engine.workspace import LintOptions, Setup, Workspace, prepare, read_workspace, root_of

if TYPE_CHECKING:  # the engine is imported when rules run: a cached run needs none
    from incentive_lint.engine.plan_memo import PlanMemo


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile (see :func:`lint`)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc_was_enabled:
            gc.enable()


def lint(options: LintOptions) -> tuple[LintResult, Workspace]:
    """Run the whole check and return the result with the workspace it was computed on."""
    # A run builds a large heap that lives until its end and creates no reference cycles worth
    # collecting; the cyclic GC only rescans it (it tripled the time spent finding positions).
    with _gc_paused():
        return _lint(options)


def lint_cached(options: LintOptions, setup: Setup) -> tuple[LintResult, Workspace]:
    """:func:`lint` for a caller that needs the workspace too (``propose``): the result comes from
    the whole-run cache when it holds one for exactly these inputs (the files are then read from the
    per-file cache, and no rule runs); otherwise the repository is linted and the result stored."""
    with _gc_paused():
        files = setup.files
        key = _run_key(setup, options) if files is not None and not options.texts else None
        if files is not None and key is not None:
            entry = files.store.get("run", key, decode_run)
            if entry is not None:
                return entry[0], read_workspace(options, setup)
        result, ws = _lint(options, setup)
        if files is not None and key is not None:
            _store_run(files, key, result, ws)
        return result, ws


def lint_prepared(options: LintOptions, setup: Setup) -> tuple[LintResult, Workspace]:
    """:func:`lint` with the configuration, catalog and files already found (``prepare``)."""
    with _gc_paused():
        return _lint(options, setup)


def _lint(options: LintOptions, setup: Setup | None = None, wanted: frozenset[str] | None = None
          ) -> tuple[LintResult, Workspace]:
    """:func:`lint`; with ``wanted`` (``check --only-files``), a result that holds at least every
    finding touching those files (see :func:`plan_focus`)."""
    # One root for the whole run (reading, exceptions, register), found once from the paths given.
    options = dataclasses.replace(options, root=root_of(options))
    from incentive_lint.engine.engine import Engine, enabled_rules

    ws = read_workspace(options, setup)
    # The configuration file, the rule folders and the exceptions register it names that were
    # refused (outside the repository) are findings like any policy file that was not read.
    refused = [*ws.config.refused, *ws.catalog.refused]
    if options.exceptions:
        from incentive_lint.gate.exceptions import register_refusal

        register = register_refusal(ws.config, options, ws.model.issues)
        refused.extend([register] if register is not None else [])
    if refused:
        ws.model.issues = (*ws.model.issues, *refused)
    engine = Engine(ws.model, ws.locator, ws.documents)
    if ws.file_cache is not None:  # every file is read: no writer thread while the engine forks workers,
        ws.file_cache.store.release()  # and the per-file entries' memory free for the rules
    focus = plan_focus(ws, wanted) if wanted is not None else None
    memo = _plan_memo(ws)
    findings = engine.run(ws.catalog, ws.settings, profile=str(ws.config.raw.get("extends") or "recommended"),
                          focus=focus, touching=wanted if focus is not None else None, memo=memo)
    if memo is not None:
        memo.save()
    suppressed: list[Finding] = []
    if options.exceptions:
        from incentive_lint.gate.exception_apply import apply_exceptions

        findings, suppressed = apply_exceptions(findings, ws, engine, options)
    if ws.file_cache is not None:
        ws.file_cache.store.flush()
    states = _file_states(ws, _register_name(ws, options))
    # The exceptions register is read by the gate: it is not a policy file skipped.
    registers = sum(1 for _, reason in states["skipped_files"] if reason == REGISTER)
    result = LintResult(
        findings=tuple(findings), files_checked=ws.files_checked, files_skipped=ws.files_skipped - registers,
        documents=ws.document_count, as_of=ws.model.as_of.isoformat(),
        rules_run=tuple(enabled_rules(ws.catalog, ws.settings)), suppressed=tuple(suppressed),
        rates=ws.model.rates_used(), **states)
    return result, ws


def plan_focus(ws: Workspace, wanted: frozenset[str]) -> frozenset[str] | None:
    """The ids of the plans in ``wanted`` when a pre-commit run may check only them and the
    findings touching them (see ``Engine.run``): every file named was read and holds only valid
    plans, and no document anywhere failed validation (whose findings are held back across files).
    Otherwise None: the whole repository is checked and the findings are filtered afterwards."""
    if ws.model.invalid_documents or not wanted <= set(ws.sources):
        return None
    held: dict[str, list[Any]] = {name: [] for name in wanted}
    for (file, _), data in ws.documents.items():
        if file in held:
            held[file].append(data)
    issues = {issue.span.file for issue in ws.model.issues}
    plans: set[str] = set()
    for name, documents in held.items():
        if not documents or name in issues or any(d.get("kind") != "IncentivePlan" for d in documents):
            return None
        plans.update(str(d.get("id")) for d in documents)
    return frozenset(plans)


def _plan_memo(ws: Workspace) -> PlanMemo | None:
    """The memo of the plan-by-plan rules' findings for this run (``engine.plan_memo``), or None
    without a cache, or when a document failed validation or an id is defined twice."""
    from incentive_lint.engine.plan_memo import PlanMemo, context_key

    files = ws.file_cache
    model = ws.model
    if files is None or not files.store.enabled or model.invalid_documents or model.definitions:
        return None
    kinds: dict[str, set[str]] = {}
    plan_keys: dict[str, str | None] = {}
    for (file, index), data in ws.documents.items():
        kind = str(data.get("kind"))
        kinds.setdefault(file, set()).add(kind)
        if kind == "IncentivePlan":
            key = files.keys.get(file)
            plan_keys[str(data.get("id"))] = None if key is None else digest(key, str(index))
    # every file but those holding only plans: what a plan's check reads beside the plan
    others = [f"{name}\x1f{files.keys.get(name)}" for name in sorted(ws.sources) if kinds.get(name) != {"IncentivePlan"}]
    if any(files.keys.get(name) is None for name in ws.sources if kinds.get(name) != {"IncentivePlan"}):
        return None  # a text given for a file that is not a plan (an editor's buffer): not keyed
    # Plan ids are in the key (a finding names the kind of each id it mentions); component keys are
    # not: '<plan>.<component>' can only be the key of that plan's own component (ids hold no dot,
    # and a plan id defined twice turns the memo off), so removing a measure stays one plan's edit.
    key = context_key([
        files.salt, *others, repr(ws.config.raw), repr(sorted(ws.settings.items())),
        repr(sorted((slug, spec) for slug, spec in ws.catalog.rules.items())), model.as_of.isoformat(),
        repr(model.assume_rollover), repr(sorted(model.plans)), repr(model.in_force()),
        repr(model.reporting_currency), repr(model.currencies())])
    return PlanMemo(files.store, key, plan_keys)


@dataclasses.dataclass
class CachedRun:
    """What :func:`check` gives instead of a workspace when the result came from the cache: the
    parts of a :class:`Workspace` the ``check`` command reads after linting."""

    config: Any
    catalog: Any
    settings: Any
    root: Path
    sources: dict[str, Path]
    left_out: tuple[str, ...]
    not_ours: dict[str, tuple[str, ...]]


def check(options: LintOptions, only: Collection[str] | None = None) -> tuple[LintResult, Workspace | CachedRun]:
    """:func:`lint` with the whole-run cache (``options.cache``): when nothing that can change the
    result has changed since a run with the same options (files, configuration, catalog, exceptions
    register, date, the tool itself), its result is returned without reading a policy file; the
    second value then is a :class:`CachedRun`, else the workspace.

    ``only`` (``check --only-files``: the files named, relative to the working folder): the caller
    keeps only the findings whose chain touches one of them (see :func:`wanted_files`), so a result
    from the cache may hold only those."""
    if not options.cache or options.texts or options.reader is not None:
        return lint(options)
    with _gc_paused():
        return _check(_RunKeys.of(options, only))


@dataclasses.dataclass(frozen=True)
class _RunKeys:
    """A cached run's setup and the keys its result is stored under: the whole run's, and with
    ``--only-files`` a pre-commit run's of its own (its result holds only what touches its files)."""

    options: LintOptions
    setup: Setup
    keys: tuple[str, ...]
    wanted: frozenset[str] | None

    @classmethod
    def of(cls, options: LintOptions, only: Collection[str] | None) -> _RunKeys:
        options = dataclasses.replace(options, root=root_of(options))
        setup = prepare(options)
        key = _run_key(setup, options) if setup.files is not None else None
        wanted = None if only is None else wanted_files(only, setup.root, setup.config.path, setup.cwd)
        keys = () if key is None else (key,) + (() if wanted is None else (digest(key, *sorted(wanted)),))
        return cls(options, setup, keys, wanted)


def _check(run: _RunKeys) -> tuple[LintResult, Workspace | CachedRun]:
    setup, files, wanted = run.setup, run.setup.files, run.wanted
    for each in run.keys:
        assert files is not None
        entry = files.store.get("run", each, functools.partial(decode_run, only=wanted))
        if entry is not None:
            result, not_ours = entry
            return result, CachedRun(
                setup.config, setup.catalog, setup.settings, setup.root,
                {c.display: c.path for c in setup.candidates}, tuple(sorted(set(setup.scope.left_out))),
                {name: tuple(kinds) for name, kinds in not_ours.items()})
    result, ws = _lint(run.options, setup, wanted)
    if files is not None and run.keys:
        whole = wanted is None or plan_focus(ws, wanted) is None
        _store_run(files, run.keys[0] if whole else run.keys[-1], result, ws)
    return result, ws


@dataclasses.dataclass(frozen=True)
class Outputs:
    """A check's rendered outputs, and what the command reads of its result besides them."""

    texts: tuple[str, ...]
    #: the highest severity among the findings shown (None: there are none)
    worst: Severity | None
    #: a dangling-reference finding is shown (``check`` then explains what reading only some files does)
    dangling: bool

    @classmethod
    def of(cls, result: LintResult, texts: Sequence[str]) -> Outputs:
        return cls(tuple(texts), max((f.severity for f in result.findings), default=None),
                   any(f.rule == "dangling-reference" for f in result.findings))

    def encode(self) -> bytes:
        """A line of JSON (the outcome and each text's length in bytes), then the texts as they
        are: a 31 MB report is neither escaped nor parsed again."""
        raw = [t.encode("utf-8") for t in self.texts]
        head = {"dangling": self.dangling, "worst": None if self.worst is None else int(self.worst),
                "sizes": [len(r) for r in raw]}
        return b"".join([json.dumps(head).encode("ascii"), b"\n", *raw])

    @classmethod
    def decode(cls, payload: bytes) -> Outputs:
        """The outputs :meth:`encode` wrote; ValueError, TypeError or KeyError for anything else (the
        cache then counts a miss)."""
        line, _, body = payload.partition(b"\n")
        head = json.loads(line)
        sizes, worst = head["sizes"], head["worst"]
        if not isinstance(sizes, list) or sum(sizes) != len(body) or not all(isinstance(n, int) and n >= 0
                                                                             for n in sizes):
            raise ValueError("sizes")
        texts, at = [], 0
        for n in sizes:
            texts.append(body[at:at + n].decode("utf-8"))
            at += n
        return cls(tuple(texts), None if worst is None else Severity(int(worst)), bool(head["dangling"]))


def check_outputs(options: LintOptions, spec: str,
                  render: Callable[[LintResult, Workspace | CachedRun], Callable[[], Sequence[str]]]) -> Outputs:
    """:func:`check` and the rendering of its result, kept beside the whole-run result: when nothing
    has changed and the same outputs are asked for (``spec`` names them and every option they
    depend on: formats, colour, quiet, ...), the texts are read back as they were written, without
    decoding a finding (an unchanged re-run of 20,000 files spent two thirds of its time decoding
    its 19,120 findings and writing the 31 MB JSON report again).

    ``render(result, workspace)`` checks the result (it may raise: an empty check, and nothing is
    kept) and returns the function that writes the texts; the workspace is let go before that runs,
    so the model's memory is free while the reports are written."""
    if not options.cache or options.texts or options.reader is not None:
        return _rendered(lambda: lint(options), render)
    with _gc_paused():
        run = _RunKeys.of(options, None)
        files = run.setup.files
        key = digest(run.keys[0], "outputs", spec) if run.keys else None
        if files is not None and key is not None:
            kept = files.store.get("out", key, Outputs.decode)
            if kept is not None:
                return kept
        outputs = _rendered(lambda: _check(run), render)
        if files is not None and key is not None:
            files.store.put_encoded("out", key, outputs.encode())
            files.store.flush()
        return outputs


def _rendered(run: Callable[[], tuple[LintResult, Workspace | CachedRun]],
              render: Callable[[LintResult, Workspace | CachedRun], Callable[[], Sequence[str]]]) -> Outputs:
    result, ws = run()  # held here only: let go before the texts are written
    write = render(result, ws)
    del ws
    return Outputs.of(result, write())


def _store_run(files: FileCache, key: str, result: LintResult, ws: Workspace) -> None:
    """Keep a run's result as the whole-run entry ``key`` (see ``engine.result_codec``)."""
    try:
        files.store.put_encoded("run", key, encode_run(result, ws.not_ours))
    except (ValueError, TypeError, RecursionError):  # NotEncodable, a NaN: not cached, linted again next run
        pass
    files.store.flush()


def wanted_files(files: Collection[str], root: Path, config_path: Path | None, cwd: Path) -> frozenset[str] | None:
    """The root-relative names of ``files`` (``check --only-files``), or None when they hold the
    configuration file, which affects every finding."""
    from incentive_lint.read.files import root_name

    wanted = frozenset(root_name(Path(os.path.abspath(cwd / f)), root) for f in files)
    if config_path is not None and root_name(Path(os.path.abspath(config_path)), root) in wanted:
        return None
    return wanted


def _run_key(setup: Setup, options: LintOptions) -> str | None:
    """The key of everything a run's result depends on, or None when it cannot be known up front."""
    import datetime as _dt

    files = setup.files
    assert files is not None
    config = setup.config
    parts: list[str | bytes] = [files.salt, str(setup.root), str(setup.cwd)]
    try:
        parts.append(config.path.read_bytes() if config.path is not None else b"no configuration")
        if options.exceptions:
            from incentive_lint.gate.exceptions import register_path

            register, _ = register_path(config, options)
            parts.append(register.read_bytes() if register is not None else b"no register")
    except (OSError, ConfigError):
        return None  # the run itself reports it
    parts += [repr(config.raw), repr(config.refused), repr(setup.catalog.refused), tree_stamp(*config.rule_paths()),
              repr(sorted(str(r) for r in config.rule_paths())),
              repr([str(p) for p in options.paths]), (options.as_of or _dt.date.today()).isoformat(),
              repr(options.select), repr(options.selection), repr(options.exceptions), repr(list(options.exclude)),
              repr(options.respect_gitignore), repr(setup.issues), repr(sorted(set(setup.scope.left_out)))]
    parts += [f"{c.display}\x1f{files.keys.get(c.display)}" for c in setup.candidates]
    return digest(*parts)


def _register_name(ws: Workspace, options: LintOptions) -> str | None:
    """The display name of the exceptions register this run read, when it is among the files found."""
    if not options.exceptions:
        return None
    from incentive_lint.gate.exceptions import register_path

    try:
        path, _ = register_path(ws.config, options)
    except ConfigError:  # a missing named register is reported by the gate itself
        return None
    if path is None:
        return None
    real = os.path.realpath(path)
    return next((name for name, source in ws.sources.items() if os.path.realpath(source) == real), None)


def _file_states(ws: Workspace, register: str | None = None) -> dict[str, Any]:
    """``checked_files`` and ``skipped_files`` of the result (``check --show-files``).

    A file refused has a ``file-refused`` issue naming it (``file`` argument) and its
    reason. A file read holds policy documents exactly when it gave a valid document or an
    issue (see ``engine.workspace.check_file``); the others have no ``kind`` and are skipped.
    """
    not_read: dict[str, str] = {}
    for issue in ws.model.issues:
        if issue.rule == "file-refused":
            args = dict(issue.args)
            not_read.setdefault(str(args.get("file", issue.span.file)), str(args.get("reason", "error")))
    with_policy = {file for file, _ in ws.documents} | {issue.span.file for issue in ws.model.issues}
    checked = sorted(name for name in ws.sources if name not in not_read and name in with_policy)
    skipped = {name: NOT_OURS if name in ws.not_ours else REGISTER if name == register else NO_KIND
               for name in ws.sources if name not in not_read and name not in with_policy}
    skipped.update(not_read)
    return {"checked_files": tuple(checked), "skipped_files": tuple(sorted(skipped.items()))}


def lint_at_ref(ref: str, options: LintOptions) -> tuple[LintResult, Workspace]:
    """Lint the merge-base of ``ref`` and HEAD with the same options as the current run.

    File names in the result are the ones the current run shows (repository-relative POSIX
    paths when run from the repository root). The temporary copy is deleted before this
    returns, so the workspace's model and documents are complete but its locator cannot
    re-read files (spans are already in the findings).
    Raises :class:`UsageError` outside a git repository, for an unknown reference, for
    unrelated histories and when git is missing.
    """
    from incentive_lint.gate.changes import tree_at_ref

    root = root_of(options)
    cwd = Path(os.path.abspath(options.cwd or Path.cwd()))
    with tree_at_ref(ref, options) as (mapped, commit):
        # The exported tree has no .git and may have no configuration: its root is the current
        # root's place in it (the working folder is mapped to the same relative place).
        assert mapped.cwd is not None
        mapped = dataclasses.replace(mapped, root=Path(os.path.normpath(mapped.cwd / _relative(root, cwd))))
        try:
            return lint(mapped)
        except FileNotFoundError as exc:
            raise UsageError(f"the path '{exc.args[0]}' does not exist at {ref}.") from None
        except (ConfigError, CatalogError) as exc:
            raise type(exc)(f"in the version at {ref} (commit {commit[:12]}): {exc}") from None


def _relative(path: Path, start: Path) -> str:
    """``path`` relative to ``start`` (``..`` where needed), through links as they really are."""
    return os.path.relpath(os.path.realpath(path), os.path.realpath(start))


def nothing_checked(result: LintResult, ws: Workspace | CachedRun, paths: list[str]) -> str | None:
    """Why a run that found no policy document at all checked nothing (``check`` exits 2 with
    it unless ``--allow-empty``); ``None`` when something was checked."""
    if result.files_checked or result.documents or result.findings or result.suppressed:
        return None
    where = ", ".join(f"'{p}'" for p in paths) or "'.'"
    found = len(ws.sources)
    parts = [f"{found} YAML file{'s' if found != 1 else ''} found"]
    if ws.not_ours:
        n = len(ws.not_ours)
        parts.append(f"{n} of them not ours (another tool's 'kind', such as "
                     f"'{sorted(k for kinds in ws.not_ours.values() for k in kinds)[0]}')")
    hint = ""
    if ws.left_out:
        n = len(ws.left_out)
        named = ", ".join(f"'{name}'" for name in sorted(ws.left_out)[:3]) + (f" and {n - 3} more" if n > 3 else "")
        parts.append(f"{n} file{'s' if n != 1 else ''} or folder{'s' if n != 1 else ''} left out by 'exclude', "
                     f"'include' or .gitignore ({named})")
        hint = (" If those are the files to check, add --no-respect-gitignore (for .gitignore) or change 'exclude' "
                "and 'include' in the configuration.")
    return (f"nothing was checked: no policy document (a YAML file with an incentive-lint 'kind') under {where}; "
            f"{', '.join(parts)}. Check the path (is it the folder holding your policy files?), or add --allow-empty "
            f"if an empty check is expected.{hint}")
