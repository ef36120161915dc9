"""The position table of one file: where each node of its documents is, recorded in the one pass
that builds the documents' data (``read/builder.py``), so that a finding's position never needs
the file to be read or parsed again.

The table answers what :func:`incentive_lint.read.parse.find_node` answers on a node tree: the
span of the node at a node path (its nearest existing ancestor when the path goes further than
the document), or with ``key`` of the last step's key, following merge keys (``<<: *name``) and
aliases the same way, and taking the first of duplicate keys. It is a few flat integer arrays
instead of a tree of objects (about 24 bytes per ``key: value`` pair against about 1 KB for the
composed nodes), so every file's table can be kept for a whole run, sent back from worker
processes and stored in the persistent cache with the file's entry.

Layout of ``nodes`` (offsets are character offsets into the text the document was composed
from; its ``offset`` in the file is kept per document):

* a mapping: ``MAPPING, n`` then ``n`` entries of six numbers ``key, key start, key end, value
  start, value end, value ref``; ``key`` is an index into ``keys`` (the key's text as written),
  ``NOT_A_KEY`` for a key that is not a scalar, ``MERGE`` for a merge key (its value ref is the
  merged mapping or list of mappings);
* a sequence: ``SEQUENCE, n`` then ``n`` items of ``start, end, ref``;
* a ref is the index of a mapping's or sequence's record, or ``LEAF`` (a scalar; or, past
  :data:`MAX_RECORD_DEPTH` inside a node the builder does not read, a node whose inside is not
  recorded). An alias shares the ref of its anchor, so aliases cost one number each.

``docs`` holds ``index, offset, start, end, ref`` for each document built; ``starts`` the offset
of each line start (lines count ``\\n`` only, as :class:`~incentive_lint.base.source.LineTable` does).
"""
from __future__ import annotations

import base64
import bisect
import sys
from array import array
from typing import Any, Dict, List, Sequence, Tuple

from incentive_lint.base.source import NodePath, Position, Span

MAPPING = 2
SEQUENCE = 1
LEAF = -1
NOT_A_KEY = -1
MERGE = -2
#: mapping entries and sequence items are this many numbers long
ENTRY = 6
ITEM = 3
#: merge sources followed from one lookup (as ``parse._lookup`` does)
MAX_MERGE_DEPTH = 10
#: how deep the inside of a node the builder does not read (one with an unknown tag) is recorded
MAX_RECORD_DEPTH = 100

_LITTLE = sys.byteorder == "little"
_KeyIndex = Tuple[Dict[str, int], List[int]]


def line_starts(text: str) -> list[int]:
    """The offset of each line start of ``text`` (``\\n`` ends a line), as ``LineTable`` counts them."""
    starts = [0]
    find = text.find
    append = starts.append
    i = find("\n")
    while i != -1:
        append(i + 1)
        i = find("\n", i + 1)
    return starts


def typecode_for(size: int) -> str:
    """The smallest array type holding every number from -2 to ``size`` (a typical policy file's
    table fits in 16 bits: half the memory of 32)."""
    return "h" if size < 2**15 - 1 else "i" if size < 2**31 - 1 else "q"


#: the key lists of earlier tables, so that files written to one template share one tuple
_KEY_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}
_KEY_SETS_MAX = 4096


class Positions:
    """Spans of the node paths of one file's documents (see the module's docstring)."""

    __slots__ = ("file", "starts", "nodes", "keys", "docs", "_docs", "_index")

    def __init__(self, file: str, starts: array, nodes: array, keys: Sequence[str], docs: array) -> None:
        self.file = file
        self.starts = starts
        self.nodes = nodes
        self.keys = _shared(tuple(keys))
        self.docs = docs
        #: document index -> position of its row in ``docs``; built on the first lookup
        self._docs: dict[int, int] | None = None
        #: mapping ref -> (key text -> entry position, merge value refs); built on a mapping's first
        #: lookup, so that thousands of findings in one mapping cost one pass over it (None until
        #: then: most files are never asked, and an empty dict costs 64 bytes in each)
        self._index: dict[int, _KeyIndex] | None = None

    def __reduce__(self) -> Any:
        # to and from worker processes: the arrays pickle as raw bytes; the lookup indexes stay behind
        return (Positions, (self.file, self.starts, self.nodes, self.keys, self.docs))

    def _position(self, index: int) -> Position:
        starts = self.starts
        line = bisect.bisect_right(starts, index) - 1
        return Position(line + 1, index - starts[line] + 1)

    def has(self, doc_index: int) -> bool:
        """Whether document ``doc_index`` was built (a document refused as too complex was not)."""
        return self._doc_row(doc_index) is not None

    def _doc_row(self, doc_index: int) -> int | None:
        found = self._docs
        if found is None:
            docs = self.docs
            found = {}
            for row in range(0, len(docs), 5):
                found.setdefault(docs[row], row)
            self._docs = found
        return found.get(doc_index)

    def span(self, doc_index: int, path: NodePath, *, key: bool = False) -> Span | None:
        """The span of the node at ``path`` in document ``doc_index`` (its nearest existing
        ancestor; with ``key`` the last step's key), or None when that document was not built."""
        row = self._doc_row(doc_index)
        if row is None:
            return None
        docs, nodes = self.docs, self.nodes
        offset, start, end, ref = docs[row + 1], docs[row + 2], docs[row + 3], docs[row + 4]
        last = len(path) - 1
        for i, item in enumerate(path):
            if ref < 0:
                break  # a scalar: the path goes further than the document
            if nodes[ref] == MAPPING:
                at = self._lookup(ref, item, 0)
                if at is None:
                    break
                if key and i == last:
                    start, end = nodes[at + 1], nodes[at + 2]
                else:
                    start, end, ref = nodes[at + 3], nodes[at + 4], nodes[at + 5]
            elif isinstance(item, int) and 0 <= item < nodes[ref + 1]:
                at = ref + 2 + ITEM * item
                start, end, ref = nodes[at], nodes[at + 1], nodes[at + 2]
            else:
                break
        return Span(self.file, self._position(start + offset), self._position(end + offset))

    def _key_index(self, ref: int) -> _KeyIndex:
        if self._index is None:
            self._index = {}
        found = self._index.get(ref)
        if found is None:
            nodes, keys = self.nodes, self.keys
            by_key: dict[str, int] = {}
            merges: list[int] = []
            at = ref + 2
            for _ in range(nodes[ref + 1]):
                kid = nodes[at]
                if kid >= 0:
                    by_key.setdefault(keys[kid], at)  # the first of duplicate keys, as the tree lookup
                elif kid == MERGE:
                    merges.append(nodes[at + 5])
                at += ENTRY
            found = self._index[ref] = (by_key, merges)
        return found

    def _lookup(self, ref: int, item: Any, depth: int) -> int | None:
        """The entry of ``item`` in the mapping at ``ref``, or in what it merges."""
        by_key, merges = self._key_index(ref)
        at = by_key.get(str(item))
        if at is not None:
            return at
        if depth < MAX_MERGE_DEPTH:
            nodes = self.nodes
            for merged in merges:
                if merged < 0:
                    continue
                if nodes[merged] == SEQUENCE:
                    sources = [nodes[merged + 2 + ITEM * i + 2] for i in range(nodes[merged + 1])]
                else:
                    sources = [merged]
                for source in sources:
                    if source >= 0 and nodes[source] == MAPPING:
                        found = self._lookup(source, item, depth + 1)
                        if found is not None:
                            return found
        return None

    # ----------------------------------------------------------------------- storing

    def to_json(self) -> list[Any]:
        """The table as JSON values (the persistent cache's file entry holds it)."""
        return [self.nodes.typecode, _b64(self.starts), _b64(self.nodes), _b64(self.docs), list(self.keys)]

    @classmethod
    def from_json(cls, file: str, value: Any) -> Positions | None:
        """The table :meth:`to_json` gave, or None when ``value`` does not have that shape."""
        try:
            typecode, starts, nodes, docs, keys = value
            if typecode not in ("h", "i", "q") or not all(type(k) is str for k in keys):
                return None
            return cls(file, _unb64(typecode, starts), _unb64(typecode, nodes), keys, _unb64(typecode, docs))
        except (TypeError, ValueError):
            return None


def _shared(keys: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple for equal key lists (their strings are interned by :meth:`Recorder.key_id`)."""
    found = _KEY_SETS.get(keys)
    if found is None:
        if len(_KEY_SETS) >= _KEY_SETS_MAX:  # a long-lived server must not grow without bound
            _KEY_SETS.clear()
        found = _KEY_SETS[keys] = keys
    return found


def _b64(values: array) -> str:
    if not _LITTLE:  # stored little-endian whatever the machine
        values = array(values.typecode, values)
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def _unb64(typecode: str, text: str) -> array:
    values = array(typecode)
    values.frombytes(base64.b64decode(text.encode("ascii"), validate=True))
    if not _LITTLE:
        values.byteswap()
    return values


class Recorder:
    """Collects one file's table while its documents are built (``read/builder.py`` appends)."""

    __slots__ = ("file", "nodes", "key_ids", "docs")

    def __init__(self, file: str) -> None:
        self.file = file
        self.nodes: list[int] = []
        #: key text -> its index in the table's ``keys``
        self.key_ids: dict[str, int] = {}
        self.docs: list[int] = []

    def key_id(self, text: str) -> int:
        found = self.key_ids.get(text)
        if found is None:
            # interned: the same few field names recur in every file, and each table keeps its keys
            found = self.key_ids[sys.intern(text)] = len(self.key_ids)
        return found

    def add_document(self, index: int, offset: int, start: int, end: int, ref: int) -> None:
        self.docs.extend((index, offset, start, end, ref))

    def finish(self, starts: list[int], size: int) -> Positions:
        """The table, with ``starts`` (:func:`line_starts` of the ``size`` characters read: no offset
        is beyond them, and no ref beyond the numbers recorded)."""
        code = typecode_for(max(size, len(self.nodes)))
        return Positions(self.file, array(code, starts), array(code, self.nodes), list(self.key_ids),
                         array(code, self.docs))
