"""The plain-data results of reading a YAML file: its documents, their issues and the file as a whole."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node

from incentive_lint.base.source import LineTable, NodePath, Span

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

    @property
    def id(self) -> str | None:
        value = self.data.get("id") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None


@dataclass
class ParsedFile:
    """The documents and issues of one file; ``documents`` keep their node trees until released."""

    file: str
    documents: list[Document]
    issues: list[Issue]
    table: LineTable | None = None

    def release(self) -> None:
        for doc in self.documents:
            doc.root = None
