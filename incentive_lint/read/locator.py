"""Finding the spans of node paths in files, from the position tables recorded when they were read.

Every file read (from disk, from an editor's buffer or from the persistent cache) comes with its
table (``read/positions.py``), so a position never needs a file to be read or parsed again.
"""
from __future__ import annotations

from incentive_lint.base.source import NodePath, Span
from incentive_lint.read.documents import ParsedFile
from incentive_lint.read.positions import Positions


class Locator:
    """Finds spans for node paths in the files whose position tables it was given."""

    def __init__(self) -> None:
        self._tables: dict[str, Positions] = {}

    def add(self, parsed: ParsedFile) -> None:
        """Keep the position table of a parsed file for lookups."""
        if parsed.positions is not None:
            self._tables[parsed.file] = parsed.positions

    def add_positions(self, file: str, positions: Positions) -> None:
        """Keep the position table of ``file`` (as read in a worker process or from the cache)."""
        self._tables[file] = positions

    def span(self, file: str, doc_index: int, path: NodePath, *, key: bool = False) -> Span:
        """The span of the node at ``path`` (its nearest existing ancestor; with ``key`` the key) in
        document ``doc_index`` of ``file``; the file's first line when the file or the document was
        not read (refused, or too complex to build)."""
        table = self._tables.get(file)
        found = table.span(doc_index, path, key=key) if table is not None else None
        return found if found is not None else Span.at(file, 1)
