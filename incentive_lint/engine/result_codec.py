"""The whole-run cache entry: a run's result written so that it is quick to store and to load, and
so that a pre-commit run (``check --only-files``) loads only the findings that touch its files.

The generic encoder of ``engine/cache.py`` rebuilds any value from tagged JSON objects, one
Python call per value; a result holds tens of thousands of spans and links, and decoding it that
way took longer than linting a few changed files. Here each finding is one JSON array written
and read by the C encoder, with spans as ``[file, line, column, end line, end column]`` over a
table of file names. A finding's arguments and evidence are frozen (tuples all the way down,
see ``base.findings.freeze``), so every JSON array read back inside them is a tuple again.

Layout: one JSON line (the result's other fields, the file table, where each finding's record
starts and ends, and for each file the findings whose chain touches it), then the records.
Nothing here decides whether an entry is valid: the store signs and checks it, and any record
that cannot be read makes the whole entry a miss.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Collection, Sequence

from incentive_lint.base.findings import Anchor, Finding, LintResult, Related, Severity
from incentive_lint.base.source import Position, Span

#: bumped when the layout changes (an entry of another layout is a miss)
LAYOUT = 1


class NotEncodable(ValueError):
    """A value a record cannot hold exactly (a date, a non-finite number): the run is not cached."""


def _refuse(value: Any) -> Any:
    raise NotEncodable(type(value).__name__)


strict_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                                check_circular=False, default=_refuse).encode


def _tuples(value: Any) -> Any:
    # called once per array, not once per value: evidence holds hundreds of thousands of scalars
    if type(value) is not list:
        return value
    return tuple([_tuples(v) if type(v) is list else v for v in value])


class FileTable:
    """The file names of a set of records, each written once and referred to by its index."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def span(self, span: Span) -> list[int]:
        at = self.index.get(span.file)
        if at is None:
            at = self.index[span.file] = len(self.names)
            self.names.append(span.file)
        return [at, span.start.line, span.start.column, span.end.line, span.end.column]


def to_record(f: Finding, files: FileTable) -> list[Any]:
    """``f`` as one JSON array (:func:`from_record` gives it back), its file names in ``files``."""
    a = f.anchor
    return [files.span(f.span), f.rule, f.code, f.family, int(f.severity), f.message, f.template, f.args, f.path,
            f.entities, f.evidence, [[files.span(r.span), r.label] for r in f.related], f.fingerprint, f.note,
            [to_record(c, files) for c in f.consequences], f.summarized,
            None if a is None else [a.document, a.node, a.subjects, a.explains]]


def _span(raw: list[int], names: Sequence[str]) -> Span:
    return Span(names[raw[0]], Position(raw[1], raw[2]), Position(raw[3], raw[4]))


def from_record(r: list[Any], names: Sequence[str]) -> Finding:
    """The finding :func:`to_record` wrote, with the file names it was written with."""
    a = r[16]
    return Finding(
        span=_span(r[0], names), rule=r[1], code=r[2], family=r[3], severity=Severity(r[4]), message=r[5],
        template=r[6], args=_tuples(r[7]), path=r[8], entities=tuple(r[9]), evidence=_tuples(r[10]),
        related=tuple(Related(_span(s, names), label) for s, label in r[11]), fingerprint=r[12], note=r[13],
        consequences=tuple(from_record(c, names) for c in r[14]), summarized=r[15],
        anchor=None if a is None else Anchor(a[0], a[1], _tuples(a[2]), _tuples(a[3])))


#: the result's fields beside its findings: numbers, text and tuples of them
_OTHER_FIELDS = tuple(f.name for f in dataclasses.fields(LintResult) if f.name not in ("findings", "suppressed"))


def encode_run(result: LintResult, extra: Any) -> bytes:
    """``result`` and ``extra`` (plain JSON data the caller keeps beside it) as one entry.
    Raises :class:`NotEncodable` when a finding holds a value JSON cannot give back exactly."""
    files = FileTable()
    chunks: list[bytes] = []
    bounds: list[int] = []
    touching: dict[int, list[int]] = {}
    at = 0
    for n, f in enumerate((*result.findings, *result.suppressed)):
        chunk = strict_dumps(to_record(f, files)).encode("utf-8", "surrogatepass")
        chunks.append(chunk)
        at += len(chunk)
        bounds.append(at)
        for name in f.files:
            files.span(Span.at(name, 1))
            touching.setdefault(files.index[name], []).append(n)
    head = {"layout": LAYOUT, "files": files.names, "bounds": bounds, "found": len(result.findings),
            "touching": [[k, v] for k, v in sorted(touching.items())], "extra": extra,
            "other": [getattr(result, name) for name in _OTHER_FIELDS]}
    return strict_dumps(head).encode("utf-8", "surrogatepass") + b"\n" + b"".join(chunks)


def decode_run(payload: bytes, only: Collection[str] | None = None) -> tuple[LintResult, Any]:
    """The result and ``extra`` of an entry; with ``only`` (file names), just the findings whose chain
    touches one of those files (what ``check --only-files`` keeps). Raises ``ValueError`` (and its
    kin) on an entry it cannot read."""
    line_end = payload.index(b"\n")
    head = json.loads(payload[:line_end])
    if head.get("layout") != LAYOUT:
        raise ValueError("another layout")
    names: list[str] = head["files"]
    bounds: list[int] = head["bounds"]
    if only is None:
        chosen: Sequence[int] = range(len(bounds))
    else:
        wanted = set(only)
        chosen = sorted({n for k, ns in head["touching"] if names[k] in wanted for n in ns})
    base = line_end + 1
    found = int(head["found"])
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    for n in chosen:
        start = base + (bounds[n - 1] if n else 0)
        f = from_record(json.loads(payload[start:base + bounds[n]]), names)
        (findings if n < found else suppressed).append(f)
    other = {name: _tuples(value) for name, value in zip(_OTHER_FIELDS, head["other"])}
    return LintResult(findings=tuple(findings), suppressed=tuple(suppressed), **other), head["extra"]
