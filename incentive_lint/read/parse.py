"""Text -> YAML documents as plain data with positions, with every input mistake turned into an issue.

The loader composes each file with libyaml (pure-Python PyYAML only as a fallback) and
walks the node tree once to build plain ``dict``/``list``/scalar values. Plain scalars
are resolved with the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules, and whatever
the two would read differently (``no``, ``on``, ``1:30``, ``010``) is reported. Nothing
in a file is ever executed: unknown tags become issues, never objects.

Node trees are not kept: positions for later findings are found again by
:class:`Locator`, which re-composes only the files that have findings.
"""
from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from incentive_lint.base.source import LineTable, NodePath, Span
from incentive_lint.read.builder import _PLAIN, _TAG, _Builder, _TooComplex
from incentive_lint.read.documents import Document, Issue, ParsedFile

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


def parse_text(text: str, display: str) -> ParsedFile:
    """Compose every document of ``text`` and build its data; a syntax error ends only
    the document it is in: parsing resumes at the next ``---`` line."""
    table = LineTable(text)
    result = ParsedFile(display, [], [], table)
    start = 0
    doc_index = 0
    while True:
        source = text if start == 0 else _blank_prefix(text, start)
        loader = _ComposeLoader(source)
        failed_at: int | None = None
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is not None and (start == 0 or node.start_mark.index >= start):
                    _add_document(result, node, doc_index, table)
                    doc_index += 1
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
                mark = exc.context_mark  # point at the unclosed quote or bracket, not the file's end
            index = mark.index if mark is not None else start
            pos = table.position(min(index, len(text)))
            problem = (exc.problem or "the YAML is malformed").rstrip(".")
            context = f" {exc.context}" if exc.context else ""
            result.issues.append(Issue(
                "yaml-syntax", Span(display, pos, pos),
                f"YAML syntax error: {problem}{context}. Check indentation, colons and quotes "
                f"around line {pos.line}.", doc_index=doc_index))
            doc_index += 1
            failed_at = index
        except (RecursionError, MemoryError):
            pos = table.position(start)
            result.issues.append(Issue("too-complex", Span(display, pos, pos),
                                       "the YAML is nested too deeply to read; flatten the structure.",
                                       doc_index=doc_index))
            failed_at = len(text)
        except yaml.YAMLError as exc:  # reader errors: control characters and the like
            pos = table.position(getattr(exc, "position", start) or start)
            result.issues.append(Issue("yaml-syntax", Span(display, pos, pos),
                                       f"YAML syntax error: {exc}", doc_index=doc_index))
            failed_at = len(text)
        finally:
            loader.dispose()
        if failed_at is None:
            break
        resume = _next_document_start(text, failed_at, start)
        if resume is None:
            break
        start = resume
    return result


_DOC_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def _next_document_start(text: str, index: int, previous: int) -> int | None:
    """The start of the first ``---`` line at or after the error's line, past ``previous``."""
    position = text.rfind("\n", 0, min(index, len(text))) + 1
    while True:
        match = _DOC_START.search(text, position)
        if match is None:
            return None
        if match.start() > previous:
            return match.start()
        position = match.end()


def _blank_prefix(text: str, start: int) -> str:
    """Keep character offsets and line numbers while hiding everything before ``start``."""
    head = text[:start]
    return re.sub(r"[^\n]", " ", head) + text[start:]


def _add_document(result: ParsedFile, node: Node, index: int, table: LineTable) -> None:
    builder = _Builder(result.file, table, index)
    try:
        data = builder.build(node, ())
    except _TooComplex as exc:
        result.issues.append(Issue("too-complex", builder.span(exc.node), exc.message, exc.path, doc_index=index))
        return
    result.issues.extend(builder.issues)
    kind = data.get("kind") if isinstance(data, dict) else None
    result.documents.append(Document(
        result.file, index, data, builder.span(node),
        kind=kind if isinstance(kind, str) else None,
        issue_paths=tuple(i.path for i in builder.issues), root=node))


# --------------------------------------------------------------------------- locating


def find_node(root: Node, path: NodePath, *, key: bool = False) -> Node:
    """The node at ``path`` (or its nearest existing ancestor); with ``key`` the key node."""
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


def _lookup(node: MappingNode, item: Any, _depth: int = 0) -> tuple[Node, Node] | None:
    merges: list[Node] = []
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode):
            if key_node.value == "<<" and key_node.tag in (_PLAIN, _TAG + "merge"):
                merges.append(value_node)
            elif key_node.value == str(item):
                return key_node, value_node
    if _depth < 10:
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if isinstance(source, MappingNode):
                    hit = _lookup(source, item, _depth + 1)
                    if hit is not None:
                        return hit
    return None


def compose_file(text: str, display: str) -> ParsedFile:
    """Node trees only (no data), for finding positions in a file that had no input issues;
    its documents are numbered as :func:`parse_text` numbers them."""
    try:
        roots = [n for n in yaml.compose_all(text, Loader=_ComposeLoader) if n is not None]
    except (yaml.YAMLError, RecursionError):
        return parse_text(text, display)
    docs = [Document(display, i, None, Span.at(display, 1), root=node) for i, node in enumerate(roots)]
    return ParsedFile(display, docs, [], LineTable(text))
