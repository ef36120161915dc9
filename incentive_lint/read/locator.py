"""Finding the spans of node paths in policy files again, re-reading files on demand."""
from __future__ import annotations

from collections import OrderedDict
from typing import Iterable, Iterator

from incentive_lint.base.source import NodePath, Span
from incentive_lint.read.documents import DEFAULT_LIMITS, Limits, ParsedFile
from incentive_lint.read.files import Candidate, read_text
from incentive_lint.read.parse import compose_file, node_span


class Locator:
    """Finds spans for node paths in files, re-reading files on demand.

    Files added with :meth:`add` (those with input issues) stay cached; re-read files are
    kept in a small LRU, so callers should ask for positions grouped by file.
    """

    CACHE_FILES = 16

    def __init__(self, candidates: Iterable[Candidate] = (), limits: Limits = DEFAULT_LIMITS) -> None:
        self._paths = {c.display: c.path for c in candidates}
        self._limits = limits  # the file is read again as it was read first (same caps, same numbering)
        self._pinned: dict[str, ParsedFile] = {}
        self._cache: OrderedDict[str, ParsedFile | None] = OrderedDict()

    def add(self, parsed: ParsedFile) -> None:
        """Keep an already parsed file (node trees included) for lookups."""
        self._pinned[parsed.file] = parsed

    def _parsed(self, file: str) -> ParsedFile | None:
        pinned = self._pinned.get(file)
        if pinned is not None:
            return pinned
        if file in self._cache:
            self._cache.move_to_end(file)
            return self._cache[file]
        path = self._paths.get(file)
        parsed = None
        if path is not None:
            text, _ = read_text(path, file, max_bytes=self._limits.max_file_size)
            if text is not None:
                parsed = compose_file(text, file, self._limits)
        self._cache[file] = parsed
        if len(self._cache) > self.CACHE_FILES:
            self._cache.popitem(last=False)
        return parsed

    def span(self, file: str, doc_index: int, path: NodePath, *, key: bool = False) -> Span:
        parsed = self._parsed(file)
        if parsed is None or parsed.table is None:
            return Span.at(file, 1)
        for doc in parsed.documents:
            if doc.index == doc_index and doc.root is not None:
                return node_span(parsed, doc, path, key=key)
        return Span.at(file, 1)

    def iter_files(self) -> Iterator[str]:
        return iter(sorted(self._paths))
