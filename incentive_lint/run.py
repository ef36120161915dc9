"""The whole check, usable from Python: files -> loader -> schema -> model -> rules -> exceptions -> result.

``lint(LintOptions(...))`` is what the ``check`` command calls; ``lint_at_ref`` runs the same
check on the merge-base of a git reference. Nothing here imports the CLI.
"""
from __future__ import annotations

import gc
from typing import Any

from incentive_lint.base.errors import CatalogError, ConfigError, UsageError
from incentive_lint.base.findings import NO_KIND, Finding, LintResult
from incentive_lint.engine.engine import Engine, enabled_rules
from incentive_lint.engine.workspace import LintOptions, Workspace, read_workspace
from incentive_lint.gate.changes import tree_at_ref


def lint(options: LintOptions) -> tuple[LintResult, Workspace]:
    """Run the whole check and return the result with the workspace it was computed on."""
    # A run builds a large heap that lives until its end and creates no reference cycles worth
    # collecting; the cyclic GC only rescans it (it tripled the time spent finding positions).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint(options)
    finally:
        if gc_was_enabled:
            gc.enable()


def _lint(options: LintOptions) -> tuple[LintResult, Workspace]:
    ws = read_workspace(options)
    # The configuration file, the rule folders and the exceptions register it names that were
    # refused (outside the repository) are findings like any policy file that was not read.
    refused = [*ws.config.refused, *ws.catalog.refused]
    if options.exceptions:
        from incentive_lint.gate.exceptions import register_refusal

        register = register_refusal(ws.config, options, ws.model.issues)
        refused.extend([register] if register is not None else [])
    if refused:
        ws.model.issues = (*ws.model.issues, *refused)
    engine = Engine(ws.model, ws.locator, ws.documents, jobs=options.jobs)
    findings = engine.run(ws.catalog, ws.settings, profile=str(ws.config.raw.get("extends") or "recommended"))
    suppressed: list[Finding] = []
    if options.exceptions:
        from incentive_lint.gate.exception_apply import apply_exceptions

        findings, suppressed = apply_exceptions(findings, ws, engine, options)
    result = LintResult(
        findings=tuple(findings), files_checked=ws.files_checked, files_skipped=ws.files_skipped,
        documents=ws.document_count, as_of=ws.model.as_of.isoformat(),
        rules_run=tuple(enabled_rules(ws.catalog, ws.settings)), suppressed=tuple(suppressed),
        rates=ws.model.rates_used(), **_file_states(ws))
    return result, ws


def _file_states(ws: Workspace) -> dict[str, Any]:
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
    skipped = {name: NO_KIND for name in ws.sources if name not in not_read and name not in with_policy}
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
    with tree_at_ref(ref, options) as (mapped, commit):
        try:
            return lint(mapped)
        except FileNotFoundError as exc:
            raise UsageError(f"the path '{exc.args[0]}' does not exist at {ref}.") from None
        except (ConfigError, CatalogError) as exc:
            raise type(exc)(f"in the version at {ref} (commit {commit[:12]}): {exc}") from None
