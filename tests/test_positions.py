"""The position table recorded while reading (``read/positions.py``) answers exactly what the node
tree answers (``parse.find_node``), for every node path, key and missing path, in every sample and
hostile file, and survives the trip to worker processes and to the persistent cache unchanged."""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Iterator

import pytest
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from incentive_lint.base.source import NodePath, Span
from incentive_lint.read.documents import ParsedFile
from incentive_lint.read.locator import Locator
from incentive_lint.read.parse import find_node, parse_text
from incentive_lint.read.positions import Positions
from tests.hostile_corpus import CASES

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/realistic/**/*.yaml")])

TRICKY = {
    "merge.yaml": ("base: &b {weight: 10, kpi: k}\nother: &o {cap: 5}\n"
                   "plan:\n  <<: [*b, *o]\n  weight: 20\n  extra: {<<: *b}\n"),
    "duplicates.yaml": "a: 1\nb: {x: 1, x: 2}\na: 3\n",
    "aliases.yaml": "list: &l [1, {k: v}, [2, 3]]\nagain: *l\nnested: {deep: *l}\n",
    "keys.yaml": "? [1, 2]\n: complex\n1: one\n0x10: hex\ntrue: yes\nnull: nothing\n'<<': quoted\n010: oct\n",
    "tagged.yaml": "a: !custom {b: {c: 1}, d: [1, 2]}\ne: !!set {x, y}\nf: !other [a, {g: h}]\n",
    "multi.yaml": "a: 1\n---\nb: [1, 2]\n--- \nc: {d: e}\n",
    "broken-middle.yaml": "a: 1\n---\nb: [1, 2\n---\nc: {d: e}\n---\nf: g\n",
    "scalar-root.yaml": "just text\n",
    "crlf.yaml": "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
    "unicode.yaml": "title: \"d\u00e9j\u00e0 \u2028 vu\"\nnext: caf\u00e9\nlast: \U0001F600 x\n",
    "empty.yaml": "",
    "comments.yaml": "# only a comment\n",
}


def _paths(node: Node, prefix: NodePath, seen: set[int], depth: int = 0) -> Iterator[NodePath]:
    """Every path into the tree, and a step past each end (a path longer than the document)."""
    yield prefix
    if depth > 12 or id(node) in seen:
        yield (*prefix, "missing")
        return
    seen = seen | {id(node)}
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                yield from _paths(value, (*prefix, key.value), seen, depth + 1)
        yield (*prefix, "no-such-key")
        yield (*prefix, 0)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _paths(item, (*prefix, i), seen, depth + 1)
        yield (*prefix, len(node.value))
        yield (*prefix, -1)
        yield (*prefix, "name")
    else:
        yield (*prefix, "beyond")
        yield (*prefix, 0)
    for extra in ("weight", "kpi", "cap", "k", "x", 16, 1, True, "true", "null", "<<"):
        yield (*prefix, extra)


def _tree_span(parsed: ParsedFile, doc: Any, path: NodePath, key: bool) -> Span:
    assert parsed.table is not None
    node = find_node(doc.root, path, key=key)
    table, offset = parsed.table, doc.offset
    return Span(parsed.file, table.position(node.start_mark.index + offset), table.position(node.end_mark.index + offset))


def _texts() -> Iterator[tuple[str, str]]:
    for path in SAMPLES:
        yield path.relative_to(ROOT).as_posix(), path.read_bytes().decode("utf-8", "replace")
    for case in CASES:
        if len(case.data) < 200_000:
            yield case.name, case.data.decode("utf-8", "replace")
    yield from TRICKY.items()


@pytest.mark.parametrize("name,text", list(_texts()), ids=lambda v: v if isinstance(v, str) and len(v) < 60 else "")
def test_the_table_answers_what_the_tree_answers(name: str, text: str) -> None:
    parsed = parse_text(text, name)
    assert parsed.positions is not None
    for doc in parsed.documents:
        assert doc.root is not None
        for path in _paths(doc.root, (), set()):
            for key in (False, True):
                assert parsed.positions.span(doc.index, path, key=key) == _tree_span(parsed, doc, path, key), \
                    (name, doc.index, path, key)


def test_a_document_not_built_has_no_positions() -> None:
    parsed = parse_text(next(c for c in CASES if c.name.startswith("billion")).data.decode(), "bomb.yaml")
    assert parsed.positions is not None and not parsed.documents
    assert parsed.positions.span(0, ("a",)) is None and not parsed.positions.has(0)
    locator = Locator()
    locator.add(parsed)
    assert locator.span("bomb.yaml", 0, ("a",)) == Span.at("bomb.yaml", 1)


def test_the_table_travels_to_workers_and_the_cache_unchanged() -> None:
    text = TRICKY["merge.yaml"] + "---\n" + TRICKY["tagged.yaml"]
    parsed = parse_text(text, "t.yaml", keep_trees=False)
    positions = parsed.positions
    assert positions is not None and all(d.root is None for d in parsed.documents)
    copies = [pickle.loads(pickle.dumps(positions)), Positions.from_json("t.yaml", positions.to_json())]
    for copy in copies:
        assert copy is not None
        for doc in (0, 1):
            for path in [(), ("plan", "weight"), ("plan", "cap"), ("plan", "extra", "kpi"), ("a", "b", "c"),
                         ("f", 1, "g"), ("nothing",)]:
                for key in (False, True):
                    assert copy.span(doc, path, key=key) == positions.span(doc, path, key=key)


@pytest.mark.parametrize("value", [None, [], ["x"], ["i", "", "", "", [1]], ["i", "!!", "", "", []], 3])
def test_a_malformed_stored_table_is_refused(value: Any) -> None:
    assert Positions.from_json("t.yaml", value) is None
