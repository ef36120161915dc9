"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

Contract (the OASIS SARIF 2.1.0 standard,
https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html, and GitHub's SARIF support,
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):

* top level ``$schema``, ``version``, one run with ``tool.driver`` and ``results``;
* every rule descriptor has ``id``, ``shortDescription.text``, ``fullDescription.text``
  (each at most 1024 characters) and ``help.text``; ``name`` at most 255;
* every result has ``message.text`` and one ``location`` with a repo-relative
  ``artifactLocation.uri`` and a full 1-based ``region``;
* ``partialFingerprints`` are supplied, never computed from line text;
* one result per cause: each consequence folded under it (``engine.fold``) is a
  ``relatedLocations`` entry (message ``also: ...``) and an item of
  ``properties.consequences`` with its own rule and fingerprint.

Confidentiality: compensation data must not leak through the log, so there is no
``snippet``, ``contextRegion`` or ``artifacts[].contents`` anywhere, and the
fingerprints are the engine's semantic ones (rule, entity ids, node path).

``originalUriBaseIds``: ``%SRCROOT%`` is declared *without* a ``uri``. An absolute
``file:///...`` would be machine-specific (and ``file:///`` alone would claim the
filesystem root is the repository, which is false). SARIF allows a base id whose
location is unknown; GitHub resolves relative URIs against the repository root.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any, Iterable, Mapping
from urllib.parse import quote

from incentive_lint.base.escape import json_safe
from incentive_lint.base.findings import Finding, LintResult, Related, Severity, more_related
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.base.source import Span

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/incentive-lint/incentive-lint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "incentiveLint/v1"
#: GitHub code scanning matches alerts across runs on this key only. When it is missing,
#: ``upload-sarif`` fills it with a rolling hash of the *line text*; supplying our
#: semantic fingerprint keeps alerts stable when lines move. (``upload-sarif`` then logs
#: a warning per result that its own hash differs; it keeps ours.) Set to False to let
#: GitHub compute its own.
EMIT_PRIMARY_LOCATION_LINE_HASH = True
#: Category for ``runAutomationDetails.id``: "category/" with an empty run id.
AUTOMATION_ID = "incentive-lint/"

MAX_DESCRIPTION = 1024
MAX_NAME = 255

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


# --------------------------------------------------------------------------- helpers shared
# with the other reporters (junit, github, markdown import these).


def tool_version() -> str:
    """The package version, or ``0.0.0`` while ``incentive_lint.__version__`` is missing."""
    try:
        from incentive_lint.base.version import VERSION as __version__
    except (ImportError, AttributeError):  # pragma: no cover - depends on the package state
        return "0.0.0"
    return str(__version__) if __version__ else "0.0.0"


def spec_for_missing_rule(finding: Finding) -> RuleSpec:
    """A stand-in descriptor for a rule that has findings but no ``RuleSpec`` (e.g. engine rules)."""
    return RuleSpec(
        slug=finding.rule,
        code=finding.code,
        family=finding.family,
        severity=finding.severity,
        summary=f"{finding.code} {finding.rule}".strip(),
        why=f"Findings of rule {finding.rule}; it has no entry in the rule catalog.",
    )


def all_rules(result: LintResult, rules: Mapping[str, RuleSpec]) -> dict[str, RuleSpec]:
    """Every rule given plus every rule that has findings, sorted by slug."""
    out: dict[str, RuleSpec] = dict(rules)
    for finding in (*(c for f in result.findings for c in f.with_consequences()), *result.suppressed):
        if finding.rule not in out:
            out[finding.rule] = spec_for_missing_rule(finding)
    return {slug: out[slug] for slug in sorted(out)}


def normalise_span(span: Span) -> tuple[int, int, int, int]:
    """``(start_line, start_col, end_line, end_col)``, all >= 1 and end never before start."""
    sl = max(1, span.start.line)
    sc = max(1, span.start.column)
    el = max(1, span.end.line)
    ec = max(1, span.end.column)
    if (el, ec) < (sl, sc):
        el, ec = sl, sc
    return sl, sc, el, ec


def jsonable(value: Any) -> Any:
    """Plain JSON data from frozen finding values: tuples become lists, odd scalars strings."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=repr)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Severity):
        return value.label
    return str(value)


def pairs_to_object(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Frozen ``((key, value), ...)`` to a JSON object, keeping the order."""
    return {str(k): jsonable(v) for k, v in pairs}


def occurrence_suffixes(findings: Iterable[Finding]) -> list[int]:
    """1 for the first finding with a fingerprint, 2 for the second with the same one, ..."""
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        seen[f.fingerprint] += 1
        out.append(seen[f.fingerprint])
    return out


# --------------------------------------------------------------------------- SARIF pieces


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _pascal(slug: str) -> str:
    parts = [p for p in slug.replace("_", "-").replace("/", "-").split("-") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or slug


def _uri(path: str) -> str:
    """A repo-relative POSIX path as a relative URI reference (spaces etc. percent-encoded)."""
    return quote(path.replace("\\", "/"), safe="/-._~!$&'()*+,;=@")


def _descriptor(spec: RuleSpec) -> dict[str, Any]:
    summary = spec.summary or spec.slug
    why = spec.why or summary
    help_text = why if not spec.fix else f"{why}\n\nHow to fix: {spec.fix}"
    help_md = f"{why}\n\n**How to fix:** {spec.fix}" if spec.fix else why
    help_md += f"\n\nRule `{spec.slug}` ({spec.code}), family `{spec.family}`. [Documentation]({spec.help_uri})"
    links = spec.source_links()
    if links:
        help_md += "\n\nSources: " + ", ".join(f"[{_escape_brackets(key)}]({uri})" for key, uri in links) + "."
        help_text += "\n\nSources (docs/sources.md): " + ", ".join(f"{key} <{uri}>" for key, uri in links) + "."
    return {
        "id": spec.slug,
        "name": _clip(_pascal(spec.slug), MAX_NAME),
        "shortDescription": {"text": _clip(summary, MAX_DESCRIPTION)},
        "fullDescription": {"text": _clip(why, MAX_DESCRIPTION)},
        "help": {"text": help_text, "markdown": help_md},
        "helpUri": spec.help_uri,
        "defaultConfiguration": {"level": LEVELS[spec.severity]},
        "properties": {
            "tags": [spec.family] if spec.family else [],
            "problem.severity": PROBLEM_SEVERITY[spec.severity],
            "code": spec.code,
        },
    }


def _physical(span: Span) -> dict[str, Any]:
    sl, sc, el, ec = normalise_span(span)
    return {
        "artifactLocation": {"uri": _uri(span.file), "uriBaseId": SRCROOT},
        "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
    }


def _escape_brackets(text: str) -> str:
    """Literal ``[``/``]`` must be escaped in a message that has embedded links."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _message(finding: Finding) -> str:
    if not finding.related and not finding.consequences:
        return finding.full_message
    text = _escape_brackets(finding.full_message)
    shown, omitted = finding.shown_related()
    if shown:
        links = ", ".join(
            f"[{_escape_brackets(r.label or _where(r))}]({i})" for i, r in enumerate(shown, 1)
        )
        text += f"\n\nRelated: {links}" + (f", {_escape_brackets(more_related(omitted))}." if omitted else ".")
    if finding.consequences:
        first = len(shown) + 1
        links = ", ".join(f"[{_escape_brackets(c.rule)}]({i})" for i, c in enumerate(finding.consequences, first))
        text += f"\n\nAlso (follows from this finding and is fixed with it): {links}."
    return text


def _consequence(c: Finding) -> dict[str, Any]:
    return {"rule": c.rule, "code": c.code, "level": LEVELS[c.severity], "fingerprint": c.fingerprint,
            "message": c.full_message, "path": c.path}


def _where(related: Related) -> str:
    return f"{related.span.file}:{related.span.start.line}"


def _result(finding: Finding, rule_index: int, occurrence: int) -> dict[str, Any]:
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    if EMIT_PRIMARY_LOCATION_LINE_HASH and finding.fingerprint:
        fingerprints["primaryLocationLineHash"] = f"{finding.fingerprint}:{occurrence}"
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [{"physicalLocation": _physical(finding.span)}],
    }
    shown, omitted = finding.shown_related()
    related = [
        {"id": i, "physicalLocation": _physical(r.span), "message": {"text": r.label or _where(r)}}
        for i, r in enumerate(shown, 1)
    ]
    # One result per cause: each consequence is a related location of it (and is listed,
    # with its own fingerprint, in properties.consequences).
    related.extend(
        {"id": i, "physicalLocation": _physical(c.span), "message": {"text": f"also: {c.code} {c.full_message}"}}
        for i, c in enumerate(finding.consequences, len(shown) + 1)
    )
    if related:
        out["relatedLocations"] = related
    if finding.fingerprint:
        out["partialFingerprints"] = fingerprints
    out["properties"] = {
        "code": finding.code,
        "entities": list(finding.entities),
        "evidence": pairs_to_object(finding.evidence),
        "path": finding.path,
    }
    if omitted:  # links of the chain left out of relatedLocations (the JSON output has them all)
        out["properties"]["relatedOmitted"] = omitted
    if finding.consequences:
        out["properties"]["consequences"] = [_consequence(c) for c in finding.consequences]
    if finding.summarized:
        out["properties"]["summarized"] = True
    return out


def build(result: LintResult, rules: Mapping[str, RuleSpec]) -> dict[str, Any]:
    """The SARIF log as plain dicts (for tests and for callers that post-process it)."""
    specs = all_rules(result, rules)
    index = {slug: i for i, slug in enumerate(specs)}
    occurrences = occurrence_suffixes(result.findings)
    results = [_result(f, index[f.rule], n) for f, n in zip(result.findings, occurrences)]
    driver = {
        "name": "incentive-lint",
        "informationUri": INFORMATION_URI,
        "version": tool_version(),
        "rules": [_descriptor(spec) for spec in specs.values()],
    }
    run = {
        "tool": {"driver": driver},
        "automationDetails": {"id": AUTOMATION_ID},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the repository that was checked."}}
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: LintResult, rules: Mapping[str, RuleSpec]) -> str:
    """SARIF text: ASCII-only JSON (safe on any stdout encoding), 2-space indent, final newline.
    ``json_safe`` also spells DEL as ``\\u007f`` (the one control ``json.dumps`` leaves raw here)."""
    return json_safe(json.dumps(build(result, rules), indent=2, ensure_ascii=True, allow_nan=False)) + "\n"
