"""Applying exceptions to findings: suppressing what they accept, noting why, and reporting unused or invalid ones."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import TYPE_CHECKING, Iterable

from incentive_lint.base.findings import Finding, flatten
from incentive_lint.checks.api import Hit
from incentive_lint.gate.exceptions import INVALID, UNUSED, ExceptionEntry, collect

if TYPE_CHECKING:
    from incentive_lint.engine.engine import Engine
    from incentive_lint.engine.workspace import LintOptions, Workspace


# --------------------------------------------------------------------------- applying


def _join(note: str, more: str) -> str:
    return f"{note}; {more}" if note else more


def _accepted_note(entry: ExceptionEntry) -> str:
    who = f", owner {entry.owner}" if entry.owner else ""
    return f"accepted by the exception at {entry.where} until {entry.until_text}{who}: {entry.reason}"


def _refused_note(entry: ExceptionEntry) -> str:
    if entry.problems:
        return f"the exception at {entry.where} does not apply because it is invalid: {entry.problems[0]}"
    return (f"exception expired on {entry.until_text}: {entry.reason} ({entry.where}); fix the finding or renew the "
            "exception with a later until date")


def _unused_detail(entry: ExceptionEntry, as_of: _dt.date) -> str:
    if entry.off:
        names = ", ".join(f"'{r}'" for r in entry.off)
        return (f"rule {names} is switched off in the configuration, so the exception for {entry.rule_text} has no "
                "effect; remove it")
    expired = f" expired on {entry.until_text} and" if entry.expired(as_of) else ""
    if entry.source == "inline":
        return (f"the exception for {entry.rule_text}{expired} matches no finding on line {entry.line}; remove the "
                "comment (the finding it accepted is gone or now starts on another line)")
    return (f"the register entry for {entry.rule_text} on '{entry.target}'{expired} matches no finding (no finding of "
            "that rule has this entity id, fingerprint or file); remove it from the register or correct the target")


def _invalid_detail(entry: ExceptionEntry) -> str:
    kind = "exception comment" if entry.source == "inline" else "register entry"
    problems = "; ".join(entry.problems)
    if entry.problems and entry.problems[0].endswith("until it is fixed"):
        return problems
    return f"this {kind} is invalid and accepts nothing: {problems}"


def apply_exceptions(findings: Iterable[Finding], ws: Workspace, engine: Engine,
                     options: LintOptions) -> tuple[list[Finding], list[Finding]]:
    """Split findings into (reported, suppressed) and add the exception findings.

    Each consequence is judged on its own (folded findings are unfolded first), and the
    reported ones are folded again: a consequence whose cause is accepted is reported as a
    problem of its own. Fills ``ws.exceptions`` with every entry and what it matched.
    """
    from incentive_lint.engine.engine import fold

    findings = flatten(findings)
    as_of = ws.model.as_of
    entries = collect(ws, options)
    ws.exceptions = entries
    enabled = {slug for slug, s in ws.settings.items() if s.enabled}
    reported: list[Finding] = []
    suppressed: list[Finding] = []
    inline: dict[tuple[str, int], list[ExceptionEntry]] = {}
    register: dict[str, list[ExceptionEntry]] = {}
    for entry in entries:
        if entry.source == "inline":
            inline.setdefault((entry.file, entry.line), []).append(entry)
        else:
            for rule in entry.rules:
                register.setdefault(rule, []).append(entry)
    for finding in findings:
        candidates = [*inline.get((finding.span.file, finding.span.start.line), ()), *register.get(finding.rule, ())]
        matches = [e for e in candidates if e.covers(finding)]
        if not matches:
            reported.append(finding)
            continue
        for entry in matches:
            entry.matched.append(finding)
        active = [e for e in matches if not e.problems and not e.expired(as_of)]
        if active:
            suppressed.append(dataclasses.replace(finding, note=_join(finding.note, _accepted_note(active[0]))))
        else:
            note = finding.note
            for entry in matches:
                note = _join(note, _refused_note(entry))
            reported.append(dataclasses.replace(finding, note=note))
    for entry in entries:
        entry.off = tuple(r for r in entry.rules if r not in enabled)
        if entry.problems:
            made = _finding(engine, ws, INVALID, entry, _invalid_detail(entry))
        elif not entry.matched:
            made = _finding(engine, ws, UNUSED, entry, _unused_detail(entry, as_of))
        else:
            made = None
        if made is not None:
            reported.append(made)
    return fold(reported), sorted(suppressed)


def _finding(engine: Engine, ws: Workspace, slug: str, entry: ExceptionEntry, detail: str) -> Finding | None:
    from incentive_lint.settings.config import path_ignored

    spec = ws.catalog.rules.get(slug)
    setting = ws.settings.get(slug)
    if spec is None or setting is None or not setting.enabled or path_ignored(setting, entry.span.file):
        return None
    target = (entry.target,) if entry.target else ()
    hit = Hit(at=entry.span, args={"detail": detail}, path=(),
              entities=tuple(entry.rules or ((entry.rule_text,) if entry.rule_text else ())) + target)
    return engine.finding(spec, setting, hit)
