"""Baselines and "new since": accept the findings a repository already has, report only new ones.

A finding's key is ``(fingerprint, file)``: the fingerprint is built from the rule, the
entity ids and the semantic node path (list items by their id, never line numbers), and
the primary file is added so that a new finding in another file is never absorbed by an
old one (Checkov #7647). Moving lines or reordering list items changes nothing; moving a
document to another file, or renaming the file, makes its findings new again.
Keys are counted: if the baseline holds one finding with a key and the run has two, one
of them is new.

The baseline file (default ``.incentive-lint-baseline.yaml``, hidden so that it is never
read as a policy file) is YAML meant to be read in a pull request::

    # incentive-lint baseline: findings accepted on 2025-03-01. ...
    version: 1
    findings:
      - rule: volume-pay-under-outcome-shift
        fingerprint: 3f9a0c...
        path: plans/sales.yaml
        entities: [ip-sales-2025, kpi-units-shipped]
        message: Plan 'ip-sales-2025' pays 60% on volume KPI ...

Only ``fingerprint`` and ``path`` are used for matching; the rest is for readers.
A consequence folded under its cause (``engine.fold``) is a finding of its own here: it has
its own entry, is matched on its own, and is folded again after matching, so an accepted
cause never takes an unaccepted consequence with it.
"""
from __future__ import annotations

import dataclasses
import os
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from incentive_lint.base.errors import UsageError
from incentive_lint.base.findings import Finding, LintResult, flatten

BASELINE_NAME = ".incentive-lint-baseline.yaml"
BASELINE_VERSION = 1

Key = tuple[str, str]


def key(finding: Finding) -> Key:
    return (finding.fingerprint, finding.span.file)


def render(result: LintResult, tool_version: str = "") -> str:
    """The baseline file for the reported findings of ``result``."""
    header = [
        f"# incentive-lint baseline: findings accepted as of {result.as_of}"
        + (f" (incentive-lint {tool_version})" if tool_version else "") + ".",
        "# 'incentive-lint check --baseline FILE' reports only findings that are not listed here.",
        "# Findings are matched by fingerprint and file, never by line: moving lines changes nothing.",
        "# Remove an entry once its finding is fixed, or write the file again with 'incentive-lint baseline'.",
    ]
    entries = []
    for f in sorted(flatten(result.findings), key=lambda f: (f.span.file, f.rule, f.fingerprint, f.message)):
        entries.append({"rule": f.rule, "fingerprint": f.fingerprint, "path": f.span.file,
                        "entities": list(f.entities), "message": f.message})
    body = yaml.safe_dump({"version": BASELINE_VERSION, "findings": entries}, sort_keys=False, allow_unicode=True,
                          width=120, default_flow_style=None)
    return "\n".join(header) + "\n" + body


def load(path: Path) -> Counter[Key]:
    """The keys of a baseline file (counted); UsageError naming the file and line if it is broken."""
    from incentive_lint.read.files import read_settings
    from incentive_lint.read.parse import find_node

    display = path.as_posix()
    # Given on the command line, so it may be anywhere; a loop, pipe or unreadable file is
    # named as such by read_settings (``is_file`` would call each of them missing).
    if not os.path.lexists(path):
        raise UsageError(f"the baseline file '{display}' does not exist; write it with 'incentive-lint baseline "
                         f"--output {display}'.")
    parsed = read_settings(path, display, UsageError)
    docs = [d for d in parsed.documents if d.data is not None]
    data = docs[0].data if docs else None
    if not isinstance(data, dict) or not isinstance(data.get("findings", []), list):
        raise UsageError(f"{display}:1:1: not an incentive-lint baseline (expected 'version' and a 'findings' list); "
                         "write it with 'incentive-lint baseline'.")
    if data.get("version", BASELINE_VERSION) != BASELINE_VERSION:
        raise UsageError(f"{display}:1:1: baseline version {data.get('version')!r} is not supported (expected "
                         f"{BASELINE_VERSION}); write it again with 'incentive-lint baseline'.")
    keys: Counter[Key] = Counter()
    for i, entry in enumerate(data.get("findings") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str) \
                or not isinstance(entry.get("path"), str):
            assert parsed.table is not None and docs[0].root is not None
            node = find_node(docs[0].root, ("findings", i))
            pos = parsed.table.position(node.start_mark.index)
            raise UsageError(f"{display}:{pos.line}:{pos.column}: each baseline entry needs 'fingerprint' and 'path'; "
                             "write the file again with 'incentive-lint baseline'.")
        keys[(entry["fingerprint"], _posix(entry["path"]))] += 1
    return keys


def _posix(path: str) -> str:
    """A baseline path as findings name files (POSIX, relative to the root of the run): an
    entry edited by hand as ``./plans/a.yaml`` or ``plans\\a.yaml`` still matches."""
    text = path.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def split(findings: Iterable[Finding], known: Counter[Key], note: str) -> tuple[list[Finding], list[Finding], int]:
    """(new findings, folded; accepted findings with ``note`` added; number of known keys left
    unused). Consequences are matched one by one."""
    from incentive_lint.engine.engine import fold

    left = Counter(known)
    new: list[Finding] = []
    accepted: list[Finding] = []
    for f in flatten(findings):
        k = key(f)
        if left[k] > 0:
            left[k] -= 1
            accepted.append(dataclasses.replace(f, note=f"{f.note}; {note}" if f.note else note))
        else:
            new.append(f)
    return fold(new), accepted, sum(left.values())


def filter_result(result: LintResult, known: Counter[Key], note: str) -> tuple[LintResult, int]:
    """The result with known findings moved to ``suppressed``; also the count of stale keys."""
    new, accepted, stale = split(result.findings, known, note)
    return dataclasses.replace(result, findings=tuple(new),
                               suppressed=tuple(sorted((*result.suppressed, *accepted)))), stale


def keys_of(findings: Sequence[Finding]) -> Counter[Key]:
    return Counter(key(f) for f in flatten(findings))
