"""GitLab Code Quality report (``artifacts:reports:codequality``).

Contract (GitLab's Code Quality report format, https://docs.gitlab.com/ee/ci/testing/code_quality.html#code-quality-report-format): a JSON *array* of issues, each with
``description``, ``check_name``, ``fingerprint``, ``severity`` (one of ``info``,
``minor``, ``major``, ``critical``, ``blocker``), ``location.path`` (repo-relative)
and ``location.lines.begin``. We emit all six, plus ``lines.end``.

* Fingerprints must be unique per issue: GitLab shows only the first issue of a
  fingerprint. The first finding keeps the engine's semantic fingerprint; later ones
  with the same value get a deterministic salted variant (as ruff does).
* GitLab does not display ``check_name``, so the description starts with the code.

Severity mapping (ours has three levels, GitLab five): error -> ``critical``,
warning -> ``major``, info -> ``info``. ``blocker`` is left unused.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from incentive_lint.base.escape import json_safe
from incentive_lint.base.findings import Finding, LintResult, Severity, fingerprint, more_related
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.outputs.formats.sarif import normalise_span

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _base_fingerprint(finding: Finding) -> str:
    if finding.fingerprint:
        return finding.fingerprint
    # Never the line: rule, entities, node path and file, like the engine's own key.
    return fingerprint(finding.rule, finding.entities, finding.path, finding.span.file)


def unique_fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """One fingerprint per finding, unique within the report, stable for sorted input."""
    used: set[str] = set()
    out = []
    for f in findings:
        base = _base_fingerprint(f)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = hashlib.sha256(f"{base}\x1f{n}".encode("utf-8")).hexdigest()[:32]
        used.add(candidate)
        out.append(candidate)
    return out


def _description(finding: Finding) -> str:
    text = f"{finding.code}: {finding.full_message}" if finding.code else finding.full_message
    if finding.related:
        shown, omitted = finding.shown_related()
        chain = "; ".join(
            [f"{r.label} ({r.span.file}:{r.span.start.line})" if r.label else f"{r.span.file}:{r.span.start.line}"
             for r in shown] + ([more_related(omitted)] if omitted else [])
        )
        text += f" [related: {chain}]"
    if finding.consequences:  # one issue per cause; what follows from it is named in it
        also = "; ".join(f"{c.code} {c.full_message} ({c.span.file}:{c.span.start.line})" for c in finding.consequences)
        text += f" [also: {also}]"
    return text


def build(result: LintResult, rules: Mapping[str, RuleSpec]) -> list[dict[str, Any]]:
    issues = []
    for f, fp in zip(result.findings, unique_fingerprints(result.findings)):
        sl, _, el, _ = normalise_span(f.span)
        issues.append(
            {
                "description": _description(f),
                "check_name": f.rule,
                "fingerprint": fp,
                "severity": SEVERITIES[f.severity],
                "location": {"path": f.span.file, "lines": {"begin": sl, "end": el}},
            }
        )
    return issues


def render(result: LintResult, rules: Mapping[str, RuleSpec]) -> str:
    """ASCII-only JSON; ``json_safe`` also spells DEL as ``\\u007f`` (``json.dumps`` leaves it raw)."""
    return json_safe(json.dumps(build(result, rules), indent=2, ensure_ascii=True, allow_nan=False)) + "\n"
