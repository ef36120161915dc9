"""Remove document values (amounts, names, targets) from a result before it is reported.

Compensation data is confidential, but CI logs, PR comments and code-scanning alerts are
read by many people. :func:`redact` returns a copy of the result in which no finding
carries a value taken from the documents:

* ``message`` is re-rendered from ``template`` with every placeholder replaced by
  ``[redacted]`` (format specs and conversions are dropped, so ``{cap:,.0f}`` works; a
  template that does not parse is used as it stands), except placeholders whose
  argument is one of the finding's entity ids or one of the files its chain touches
  (those paths are in every report anyway). A finding without a template gets
  ``[redacted]``: its message cannot be proven value-free.
* ``args`` and ``evidence`` keep their keys and their shape (nested tuples stay tuples
  of the same length); every leaf value becomes ``[redacted]``. Inside nested values
  even mapping keys are redacted: a frozen mapping cannot be told from a list of pairs,
  and a pair such as ``("alice", 40000)`` would otherwise keep the name. Strings equal
  to one of the finding's entity ids or file paths are kept.
* ``related`` labels become ``[redacted]`` unless the label is exactly one of the
  finding's entity ids or file paths.
* ``note`` becomes ``[redacted]`` when set.

Kept unchanged: rule, code, family, severity, spans, node path, fingerprint and
**entity ids**. Entity ids (``ip-sales-2025``, ``kpi-units-shipped``) name documents,
not amounts; they are what a reader needs to find the problem, and fingerprints and
baselines are keyed on them. A company that considers ids confidential too must not
publish reports at all.
"""
from __future__ import annotations

import string
from dataclasses import replace
from typing import Any, Collection, Mapping

from incentive_lint.base.findings import Finding, LintResult, Related

REDACTED = "[redacted]"

_FORMATTER = string.Formatter()


def redact_template(
    template: str,
    args: Mapping[str, Any] | None = None,
    keep: Collection[str] = (),
) -> str:
    """``template`` with every ``{field}`` (any spec or conversion) replaced by ``[redacted]``.

    A field whose argument (looked up by plain name in ``args``) is a string in ``keep``
    (the finding's entity ids) is rendered as that string instead.
    """
    if not template:
        return REDACTED
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError:
        return template
    args = args or {}
    out = []
    for literal, field, _spec, _conversion in parts:
        out.append(literal)
        if field is not None:
            value = args.get(field)
            out.append(value if isinstance(value, str) and value in keep else REDACTED)
    return "".join(out)


def redact_value(value: Any, keep: Collection[str] = ()) -> Any:
    """Same shape, every leaf replaced by ``[redacted]`` (strings in ``keep`` are kept)."""
    if isinstance(value, tuple):
        return tuple(redact_value(v, keep) for v in value)
    if isinstance(value, list):
        return [redact_value(v, keep) for v in value]
    if isinstance(value, dict):  # findings hold frozen values; be safe with a stray dict
        return tuple((REDACTED, redact_value(v, keep)) for v in value.values())
    if isinstance(value, str) and value in keep:
        return value
    return REDACTED


def _redact_pairs(pairs: tuple, keep: Collection[str]) -> tuple:
    """Top-level ``((key, value), ...)``: keys kept, values redacted."""
    out = []
    for item in pairs:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append((item[0], redact_value(item[1], keep)))
        else:
            out.append(redact_value(item, keep))
    return tuple(out)


def _is_pairs(value: Any) -> bool:
    return isinstance(value, tuple) and all(
        isinstance(i, tuple) and len(i) == 2 and isinstance(i[0], str) for i in value
    )


def _redact_related(related: Related, keep: Collection[str]) -> Related:
    if related.label in keep:
        return related
    return Related(related.span, REDACTED)


def redact_finding(finding: Finding) -> Finding:
    # Entity ids and the finding's own file paths are not document values: keep them.
    keep = frozenset(finding.entities) | finding.files
    args = {k: v for k, v in finding.args} if _is_pairs(finding.args) else {}
    return replace(
        finding,
        message=redact_template(finding.template, args, keep),
        args=_redact_pairs(finding.args, keep),
        evidence=_redact_pairs(finding.evidence, keep),
        related=tuple(_redact_related(r, keep) for r in finding.related),
        note=REDACTED if finding.note else "",
        consequences=tuple(sorted(redact_finding(c) for c in finding.consequences)),
    )


def redact(result: LintResult) -> LintResult:
    """A copy of ``result`` with every document value removed from every finding."""
    return replace(
        result,
        # Re-sorted: the message is part of the sort key, and the result promises order.
        findings=tuple(sorted(redact_finding(f) for f in result.findings)),
        suppressed=tuple(sorted(redact_finding(f) for f in result.suppressed)),
    )
