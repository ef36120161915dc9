"""Text -> YAML documents as plain data with positions, with every input mistake turned into an issue.

The loader composes each file with libyaml (pure-Python PyYAML only as a fallback) and
walks the node tree once to build plain ``dict``/``list``/scalar values. Plain scalars
are resolved with the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules, and whatever
the two would read differently (``no``, ``on``, ``1:30``, ``010``) is reported. Nothing
in a file is ever executed: unknown tags become issues, never objects.

The same walk records where every node is in a compact table (``ParsedFile.positions``, see
``read/positions.py``): positions for later findings come from it, so no file is read or
parsed twice and node trees need not be kept (``keep_trees=False``; the tool's own files keep
them for the gate's edits). After a syntax error each later document is composed from its own
slice of the text, so its node marks count from ``Document.offset``: ask :func:`node_span` for
positions. Looking a key up in a mapping uses an index built once per mapping, so thousands of
findings in one mapping cost one pass.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from incentive_lint.base.source import LineTable, NodePath, Span
from incentive_lint.read.builder import _PLAIN, _TAG, _Builder, _TooComplex
from incentive_lint.read.documents import DEFAULT_LIMITS, Document, Issue, Limits, ParsedFile, size_text
from incentive_lint.read.positions import Recorder, line_starts

try:  # libyaml is ~9x faster; the pure-Python parser is the fallback.
    _BaseLoader: Any = yaml.CSafeLoader
    HAVE_LIBYAML = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader
    HAVE_LIBYAML = False


class _ComposeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Composes nodes, leaving plain scalars unresolved so that we apply YAML 1.2 ourselves."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return str(super().resolve(kind, value, implicit))


# --------------------------------------------------------------------------- parsing

#: a document starts at a ``---`` line, with the ``%`` directive lines just before it; in YAML such
#: a line always ends the document before it (even inside a quoted or block text), so one broken
#: document never hides the next
_DOC_START = re.compile(r"^(?:%[^\n]*\n)*---(?=[ \t\r\n]|$)", re.MULTILINE)
_CONTENT_LINE = re.compile(r"^[ \t]*[^\s#%]", re.MULTILINE)
#: the reader gave up on the rest of the file (not a syntax error that ends one document)
_STOP = -1


def parse_text(text: str, display: str, limits: Limits = DEFAULT_LIMITS, keep_trees: bool = True) -> ParsedFile:
    """Compose every document of ``text`` and build its data and position table; a syntax error
    ends only the document it is in: reading resumes at the next ``---`` line.

    The file is read in one pass: after an error each later document is composed from its own
    slice of the text, so many broken documents cost no more than one. A file with more than
    ``limits.max_documents`` documents is read up to that many, and one packing more than
    ``limits.max_values`` values is not composed at all; both are reported as ``too-complex``.
    Without ``keep_trees`` each document's node tree is dropped once it is built (positions come
    from ``positions``), so that a file's trees never all live at once.
    """
    end, total = _document_cut(text, limits.max_documents)
    # positions are only ever asked for in the part that is read: a line table of the rest is waste
    read = text if end == len(text) else text[:end]
    table = LineTable(read)
    recorder = Recorder(display)
    result = ParsedFile(display, [], [], table)
    try:
        _parse(result, text, end, total, limits, table, recorder, keep_trees)
    finally:  # every way out: a file refused as too complex still answers (with no document)
        result.positions = recorder.finish(line_starts(read), len(read))
    return result


def _parse(result: ParsedFile, text: str, end: int, total: int, limits: Limits, table: LineTable,
           recorder: Recorder, keep_trees: bool) -> None:
    display = result.file
    if end < len(text):
        line = table.position(end).line
        result.issues.append(Issue(
            "too-complex", Span.at(display, line),
            f"this file holds more than {limits.max_documents:,} documents (about {total:,}), more than one policy "
            f"file may hold; only the first {limits.max_documents:,} were checked (up to line {max(1, line - 1)}). "
            "Split it into several files."))
    values = _count_values(text, end)
    if values > limits.max_values:
        result.issues.append(Issue(
            "too-complex", Span.at(display, 1),
            f"this file packs about {values:,} values into {size_text(end)}, more than the {limits.max_values:,} "
            "one policy file may hold ('limits: max_values' in the configuration); split it into several files."))
        return
    reader = _Reader(result, text, table, recorder, keep_trees)
    failed = reader.stream(0, end)
    if failed is None or failed == _STOP:
        return
    line_start = text.rfind("\n", 0, min(failed, len(text))) + 1
    starts = [m.start() for m in _DOC_START.finditer(text, line_start, end) if m.start() > 0]
    for i, begin in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else end
        if reader.stream(begin, stop) == _STOP:
            break


def _document_cut(text: str, limit: int) -> tuple[int, int]:
    """Where reading stops: the start of document ``limit + 1``, else the end; and about how many
    documents the file holds (counted exactly up to the cut, from '---' line starts after it)."""
    count = 0  # documents begun before the current '---'
    first = True
    for match in _DOC_START.finditer(text):
        if first:
            first = False
            if match.start() > 0 and _CONTENT_LINE.search(text, 0, match.start()) is not None:
                count = 1  # a document without '---' comes first
        if count == limit:
            cut = match.start()
            return cut, count + 1 + text.count("\n---", cut + 1)
        count += 1
    return len(text), count


def _count_values(text: str, end: int) -> int:
    """An upper bound, cheap to compute, of the nodes the composer would build from ``text[:end]``:
    every value needs a separator (a line break, comma, colon, dash, bracket or '?'); a comma can
    stand for two (``{a, b}``)."""
    count = text.count
    return (count("\n", 0, end) + 2 * count(",", 0, end) + count(":", 0, end) + count("-", 0, end)
            + count("[", 0, end) + count("{", 0, end) + count("?", 0, end) + 1)


class _Reader:
    """Composes slices of one file's text into documents, numbering them across the file."""

    def __init__(self, result: ParsedFile, text: str, table: LineTable, recorder: Recorder,
                 keep_trees: bool = True) -> None:
        self.result, self.text, self.table = result, text, table
        self.recorder, self.keep_trees = recorder, keep_trees
        self.doc_index = 0

    def stream(self, start: int, end: int) -> int | None:
        """Compose ``text[start:end]``: None when it read cleanly, the (file) offset of a syntax
        error that ended a document, or ``_STOP`` when the rest of the file cannot be read."""
        result, text, table = self.result, self.text, self.table
        display = result.file
        source = text if start == 0 and end == len(text) else text[start:end]
        loader = _ComposeLoader(source)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    _add_document(result, node, self.doc_index, table, start, self.recorder, self.keep_trees)
                    self.doc_index += 1
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
                mark = exc.context_mark  # point at the unclosed quote or bracket, not the file's end
            index = start + mark.index if mark is not None else start
            pos = table.position(min(index, len(text)))
            problem = (exc.problem or "the YAML is malformed").rstrip(".")
            context = f" {exc.context}" if exc.context else ""
            result.issues.append(Issue(
                "yaml-syntax", Span(display, pos, pos),
                f"YAML syntax error: {problem}{context}. Check indentation, colons and quotes "
                f"around line {pos.line}.", doc_index=self.doc_index))
            self.doc_index += 1
            return index
        except (RecursionError, MemoryError):
            pos = table.position(start)
            result.issues.append(Issue("too-complex", Span(display, pos, pos),
                                       "the YAML is nested too deeply to read; flatten the structure.",
                                       doc_index=self.doc_index))
            return _STOP
        except yaml.YAMLError as exc:  # reader errors: control characters and the like
            pos = table.position(min(start + (getattr(exc, "position", 0) or 0), len(text)))
            result.issues.append(Issue("yaml-syntax", Span(display, pos, pos),
                                       f"YAML syntax error: {exc}", doc_index=self.doc_index))
            return _STOP
        finally:
            loader.dispose()


def _add_document(result: ParsedFile, node: Node, index: int, table: LineTable, offset: int,
                  recorder: Recorder, keep_trees: bool = True) -> None:
    builder = _Builder(result.file, table, index, offset, recorder)
    mark = len(recorder.nodes)
    try:
        data, ref = builder.build_recorded(node)
    except _TooComplex as exc:
        del recorder.nodes[mark:]  # the document is not built: neither are its positions
        result.issues.append(Issue("too-complex", builder.span(exc.node), exc.message, exc.path, doc_index=index))
        return
    recorder.add_document(index, offset, node.start_mark.index, node.end_mark.index, ref)
    result.issues.extend(builder.issues)
    kind = data.get("kind") if isinstance(data, dict) else None
    result.documents.append(Document(
        result.file, index, data, builder.span(node),
        kind=kind if isinstance(kind, str) else None,
        issue_paths=tuple(i.path for i in builder.issues), root=node if keep_trees else None, offset=offset))


# --------------------------------------------------------------------------- locating


def node_span(parsed: ParsedFile, doc: Document, path: NodePath, *, key: bool = False) -> Span:
    """The span of the node at ``path`` in ``doc`` (its nearest existing ancestor; with ``key`` the key):
    from the file's position table, else (a file put together by hand) from the node tree."""
    if parsed.positions is not None:
        found = parsed.positions.span(doc.index, path, key=key)
        if found is not None:
            return found
    assert doc.root is not None and parsed.table is not None
    node = find_node(doc.root, path, key=key)
    table, offset = parsed.table, doc.offset
    return Span(parsed.file, table.position(node.start_mark.index + offset), table.position(node.end_mark.index + offset))


def find_node(root: Node, path: NodePath, *, key: bool = False) -> Node:
    """The node at ``path`` (or its nearest existing ancestor); with ``key`` the key node.
    Node marks count from the text the tree was composed from: add ``Document.offset``."""
    node = root
    for i, item in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, MappingNode):
            hit = _lookup(node, item)
            if hit is None:
                return node
            node = hit[0] if (key and last) else hit[1]
        elif isinstance(node, SequenceNode) and isinstance(item, int) and 0 <= item < len(node.value):
            node = node.value[item]
        else:
            return node
    return node


_KeyIndex = Tuple[Dict[str, Tuple[Node, Node]], List[Node]]


def _key_index(node: MappingNode) -> _KeyIndex:
    """The mapping's scalar keys (the first of duplicates) and merge values, built on the first
    lookup and kept on the node: a file with thousands of findings in one mapping is indexed once."""
    index: _KeyIndex | None = node.__dict__.get("_incentive_lint_keys")
    if index is None:
        keys: dict[str, tuple[Node, Node]] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value == "<<" and key_node.tag in (_PLAIN, _TAG + "merge"):
                    merges.append(value_node)
                else:
                    keys.setdefault(key_node.value, (key_node, value_node))
        index = (keys, merges)
        node.__dict__["_incentive_lint_keys"] = index
    return index


def _lookup(node: MappingNode, item: Any, _depth: int = 0) -> tuple[Node, Node] | None:
    keys, merges = _key_index(node)
    hit = keys.get(str(item))
    if hit is not None:
        return hit
    if _depth < 10:
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if isinstance(source, MappingNode):
                    found = _lookup(source, item, _depth + 1)
                    if found is not None:
                        return found
    return None
