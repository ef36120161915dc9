"""The plain-data results of reading a YAML file: its documents, their issues and the file as a whole."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from yaml.nodes import Node

from incentive_lint.base.source import LineTable, NodePath, Span
from incentive_lint.read.positions import Positions

#: The largest policy file read (bytes): 1 MB is over two hundred times a typical policy file. What
#: it costs to read a file under it is bounded by ``MAX_VALUES`` (bench/hostile.py measures both).
MAX_FILE_BYTES = 1024 * 1024
#: Documents read from one file; the rest are counted and reported, not read.
MAX_DOCUMENTS = 10_000
#: Reading-stage findings shown for one file; the rest are counted in one last finding.
MAX_FINDINGS = 1_000
#: Values one file may hold, counted from its separators before the YAML is composed (an upper
#: bound for ordinary YAML, about exact for the densest): composing costs a few microseconds per
#: value, so this keeps any file under the size cap within a second and well under 200 MB. About
#: 500 KB of densely written plans, or 1 MB of plans with descriptions, stay under it.
MAX_VALUES = 90_000


@dataclass(frozen=True)
class Limits:
    """How much of one file is read and reported; set by ``limits:`` in the configuration."""

    max_file_size: int = MAX_FILE_BYTES
    max_documents: int = MAX_DOCUMENTS
    max_findings: int = MAX_FINDINGS
    max_values: int = MAX_VALUES

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> Limits:
        """The limits of a ``limits:`` mapping (already validated by the config schema)."""
        if not raw:
            return cls()
        given = {k: int(v) for k, v in raw.items() if k in ("max_file_size", "max_documents", "max_findings",
                                                             "max_values")}
        limits = cls(**given)
        if "max_values" not in given and limits.max_file_size > MAX_FILE_BYTES:
            # a larger file may hold proportionally more values; the documents and findings caps still bound it
            limits = cls(**given, max_values=MAX_VALUES * limits.max_file_size // MAX_FILE_BYTES)
        return limits


DEFAULT_LIMITS = Limits()


def size_text(size: int) -> str:
    """A byte count in the unit a person reads (``640 KB``, ``1.5 MB``)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / 1_048_576:,.1f} MB".replace(".0 MB", " MB")


@dataclass(frozen=True)
class Issue:
    """An input mistake found while reading a file (becomes a finding of family ``input``)."""

    rule: str
    span: Span
    message: str
    path: NodePath = ()
    args: tuple[tuple[str, Any], ...] = ()
    doc_index: int = -1


@dataclass
class Document:
    """One YAML document of a policy file, as plain data."""

    file: str
    index: int
    data: Any
    span: Span
    kind: str | None = None
    issue_paths: tuple[NodePath, ...] = ()
    root: Node | None = field(default=None, repr=False)
    #: character offset of the text the node tree was composed from (its marks count from there)
    offset: int = 0

    @property
    def id(self) -> str | None:
        value = self.data.get("id") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None


@dataclass
class ParsedFile:
    """The documents and issues of one file; ``documents`` keep their node trees until released
    (or never get them: ``parse_text(..., keep_trees=False)``); ``positions`` is where every node
    is, recorded while the documents were built (see ``read/positions.py``)."""

    file: str
    documents: list[Document]
    issues: list[Issue]
    table: LineTable | None = None
    positions: Positions | None = field(default=None, repr=False)

    def release(self) -> None:
        for doc in self.documents:
            doc.root = None


def cap_issues(issues: Iterable[Issue], limit: int, file: str, uncounted: int = 0) -> list[Issue]:
    """The first ``limit`` issues of one file in reading order, and one more issue saying how
    many were left out (``uncounted`` adds those that were counted but never built)."""
    ordered = sorted(issues, key=lambda i: (i.span.start, i.span.end, i.rule, i.message))
    hidden = max(0, len(ordered) - limit) + uncounted
    if not hidden:
        return ordered
    kept = ordered[:limit]
    where = kept[-1].span.start.line if kept else 1
    kept.append(Issue("too-complex", Span.at(file, where),
                      f"and {hidden:,} more finding(s) in this file were not shown (at most {limit:,} are shown per "
                      "file); fix the ones above first, they often cause the rest."))
    return kept
