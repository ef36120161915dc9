"""Remove document values (amounts, names, targets) from a result before it is reported.

Compensation data is confidential, but CI logs, PR comments and code-scanning alerts are
read by many people. :func:`redact` returns a copy of the result in which no finding
carries a value taken from the documents:

* ``message`` is re-rendered from ``template``: the template's own words stay as written and
  only the values in its ``{slots}`` change (format specs and conversions are dropped, so
  ``{cap:,.0f}`` works; a template that does not parse is used as it stands). A slot keeps
  its value when the value is one of the finding's entity ids or the files its chain touches
  (those are in every report anyway), a word of the tool's own vocabulary (a field, kind or
  enum value of the schemas, a driver of the taxonomy: ``head``, ``role``, ``monthly``), or
  empty. A slot holding a phrase the check composed (``{detail}``, ``{hint}``: "; did you
  mean 'vp-sales'?") keeps the phrase's words that the tool itself writes (the vocabulary
  above and the words of the rule catalog's texts) and replaces every other run of words,
  numbers and quoted values by one ``[redacted]``: "has no owner but is paid on
  (ip-sales-2025.attach)", "the key '[redacted]' appears twice in this mapping (also on line
  [redacted])". Any other slot value (numbers, amounts, dates, names) becomes ``[redacted]``.
  A finding without a template gets ``[redacted]``: its message cannot be proven value-free.
* ``args`` and ``evidence`` keep their keys and their shape (nested tuples stay tuples
  of the same length); every leaf value becomes ``[redacted]``. Inside nested values
  even mapping keys are redacted: a frozen mapping cannot be told from a list of pairs,
  and a pair such as ``("alice", 40000)`` would otherwise keep the name. Strings equal
  to one of the finding's entity ids or file paths are kept.
* ``related`` labels become ``[redacted]`` unless the label is exactly one of the
  finding's entity ids or file paths.
* ``note`` becomes ``[redacted]`` when set.

Public entry points: :func:`redact_result` (``check``, ``report``, ``baseline``), with
:func:`redact` its older name, and :func:`redact_row` for the ``exceptions`` listing.

Kept unchanged: rule, code, family, severity, spans, node path, fingerprint and
**entity ids**. Entity ids (``ip-sales-2025``, ``kpi-units-shipped``) name documents,
not amounts; they are what a reader needs to find the problem, and fingerprints and
baselines are keyed on them. A company that considers ids confidential too must not
publish reports at all.
"""
from __future__ import annotations

import functools
import re
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
    """``template`` with the value of every ``{field}`` (any spec or conversion) redacted.

    The template's own words stay; a slot's value is kept, reduced to the tool's own words,
    or replaced by ``[redacted]`` as the module docstring describes. ``keep`` holds the
    finding's entity ids and file paths.
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
            out.append(redact_slot(args.get(field), keep) if field in args else REDACTED)
    return "".join(out)


#: A quoted value, a word (anything up to a space, quote or bracket) or one other character.
_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|[^\s'\"()\[\]{};:?!]+|\s+|.", re.S)
_TRAILING = re.compile(r"[.,]+$")


def redact_slot(value: Any, keep: Collection[str] = ()) -> str:
    """What one message slot shows after redaction (see the module docstring)."""
    if value is None or not isinstance(value, str):
        return REDACTED  # numbers, amounts, dates as values, lists: always document values
    if value == "" or value in keep or _identifier(value, keep):
        return value
    if not any(ch.isspace() for ch in value) and not value[:1] in ("'", '"', ";", "(", " "):
        return REDACTED  # a single value (a name, an amount): never shown
    return _redact_phrase(value, keep)


def _identifier(text: str, keep: Collection[str]) -> bool:
    """A value the tool itself defines (schema fields, kinds, enum values, drivers) or an id of the finding."""
    return text in keep or text in _vocabulary()[0]


def _word(text: str, keep: Collection[str]) -> bool:
    """A word of a composed phrase that may stay: an id of the finding, a word of the tool's
    vocabulary, or a word of the catalog's prose; never a word with a digit unless it is one
    of the first two (a number is a document value)."""
    if _identifier(text, keep):
        return True
    return not any(ch.isdigit() for ch in text) and text.lower() in _vocabulary()[1]


def _redact_phrase(phrase: str, keep: Collection[str]) -> str:
    pieces: list[str] = []  # REDACTED marks a redacted run; whitespace and punctuation are kept
    for match in _TOKEN.finditer(phrase):
        token = match.group()
        trailing = ""
        if token[:1] in ("'", '"') and len(token) >= 2:
            inner = token[1:-1]
            pieces.append(token if inner == "" or _identifier(inner, keep) else f"{token[0]}{REDACTED}{token[-1]}")
            continue
        if token.isspace() or len(token) == 1 and not token.isalnum():
            pieces.append(token)
            continue
        stripped = _TRAILING.search(token)
        if stripped and stripped.start() > 0:
            token, trailing = token[:stripped.start()], stripped.group()
        pieces.append(token if _word(token, keep) else REDACTED)
        if trailing:
            pieces.append(trailing)
    # "EUR 6,400,000" and "93.8% vs 0%" become one [redacted], not a row of them.
    merged: list[str] = []
    for piece in pieces:
        if piece == REDACTED and len(merged) >= 2 and merged[-1].isspace() and merged[-2] == REDACTED:
            merged.pop()
            continue
        if piece == REDACTED and merged and merged[-1] == REDACTED:
            continue
        merged.append(piece)
    return "".join(merged)


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(identifiers, prose words) of the tool itself: the shipped schemas' property names,
    enum and constant values and titles of kinds, the taxonomy's drivers; and every word of
    the shipped catalog's summaries, reasons, fixes and message templates (lower case)."""
    import json
    from pathlib import Path

    from incentive_lint.base.kinds import KIND_SCHEMAS
    from incentive_lint.base.resources import schemas_dir
    from incentive_lint.model.taxonomy import default_taxonomy
    from incentive_lint.settings.catalog import load_catalog

    identifiers: set[str] = set(KIND_SCHEMAS) | set(default_taxonomy().drivers)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("properties", "patternProperties") and isinstance(value, dict):
                    identifiers.update(str(k) for k in value)
                if key in ("enum", "const"):
                    identifiers.update(str(v) for v in (value if isinstance(value, list) else [value]))
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    for path in sorted(schemas_dir().glob("*.schema.json")):
        with open(path, encoding="utf-8") as handle:
            visit(json.load(handle))
    prose: set[str] = set()
    for spec in load_catalog(Path(".")).rules.values():
        for text in (spec.summary, spec.why, spec.fix, spec.message):
            prose.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]", text or ""))
    return frozenset(identifiers), frozenset(prose)


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


def redact_result(result: LintResult) -> LintResult:
    """The public entry point (``check``, ``report``, ``baseline --redact``): see :func:`redact`."""
    return redact(result)


def redact_row(row: Mapping[str, Any], columns: Collection[str]) -> dict[str, Any]:
    """``row`` with each of ``columns`` that holds a value replaced by ``[redacted]`` (empty
    cells stay empty: they give nothing away, and the table stays readable)."""
    return {k: (REDACTED if k in columns and v not in (None, "") else v) for k, v in row.items()}
