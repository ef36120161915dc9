"""Machine-readable JSON, described by ``schemas/report.schema.json`` (a public contract)."""
from __future__ import annotations

import json
from typing import Any, Mapping

from incentive_lint.base.escape import json_safe
from incentive_lint.base.findings import Finding, LintResult
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.base.source import Span

REPORT_VERSION = "1.1"  # 1.1: consequences nested under their cause, summarized items


def _pos(span: Span) -> dict[str, int]:
    return {"start_line": span.start.line, "start_column": span.start.column,
            "end_line": span.end.line, "end_column": span.end.column}


def _value(value: Any) -> Any:
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) for v in value):
            return {k: _value(v) for k, v in value}
        return [_value(v) for v in value]
    return value


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule, "code": f.code, "family": f.family, "severity": f.severity.label,
        "message": f.message, "file": f.span.file, **_pos(f.span), "path": f.path,
        "entities": list(f.entities), "evidence": {k: _value(v) for k, v in f.evidence},
        "related": [{"label": r.label, "file": r.span.file, **_pos(r.span)} for r in f.related],
        "fingerprint": f.fingerprint,
        "note": f.note,
        "summarized": f.summarized,
        # Nested under their cause; each keeps its own rule, fingerprint and evidence.
        "consequences": [finding_dict(c) for c in f.consequences],
    }


def header(result: LintResult) -> dict[str, Any]:
    """Everything in the report but the findings."""
    from incentive_lint.base.version import VERSION as __version__

    by_rule: dict[str, int] = {}
    for f in result.findings:
        for item in f.with_consequences():
            by_rule[item.rule] = by_rule.get(item.rule, 0) + 1
    return {
        "version": REPORT_VERSION,
        "tool": {"name": "incentive-lint", "version": __version__},
        "as_of": result.as_of,
        "summary": {"files_checked": result.files_checked, "files_skipped": result.files_skipped,
                    "documents": result.documents, "findings": len(result.findings),
                    "by_severity": result.counts(), "by_rule": dict(sorted(by_rule.items())),
                    "suppressed": len(result.suppressed),
                    "consequences": sum(len(f.consequences) for f in result.findings)},
    }


def document(result: LintResult, rules: Mapping[str, RuleSpec]) -> dict[str, Any]:
    """The whole report as one value (for Python callers; ``render`` streams instead)."""
    return {**header(result), "findings": [finding_dict(f) for f in result.findings]}


def render(result: LintResult, rules: Mapping[str, RuleSpec]) -> str:
    """Pretty where people look (the header), one finding per line below it: readable,
    diff-friendly, and written by json's C encoder (indenting every level is 10x slower).
    Each finding becomes text as soon as it is made, so a large report never holds every
    finding twice (as values and as text).

    Values are kept exactly; ``json.dumps`` escapes C0 controls, and ``json_safe`` spells
    the characters it leaves raw (DEL, C1, U+2028/2029, bidi controls, lone surrogates) as
    ``\\uXXXX``, so the text holds no character that could drive a terminal or reorder a
    line, and decodes to the same values."""
    head = json_safe(json.dumps(header(result), indent=2, ensure_ascii=False))
    if not result.findings:
        return head[:-2] + ',\n  "findings": []\n}\n'
    parts = [head[:-2], ',\n  "findings": [\n    ']
    for f in result.findings:
        parts.append(json_safe(json.dumps(finding_dict(f), ensure_ascii=False, separators=(", ", ": "))))
        parts.append(",\n    ")
    parts[-1] = "\n  ]\n}\n"
    return "".join(parts)  # one join: the findings' text is copied once, not three times
