"""Building plain values from one YAML document's node tree with the YAML 1.2 core schema, recording
input issues and, in the same walk, where each node is (``read/positions.py``)."""
from __future__ import annotations

import datetime as _dt
import math
import re
import sys
from typing import Any, Tuple, cast

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from incentive_lint.base.source import LineTable, NodePath, Span
from incentive_lint.read.documents import Issue
from incentive_lint.read.positions import ENTRY, ITEM, LEAF, MAPPING, MAX_RECORD_DEPTH, MERGE, NOT_A_KEY, SEQUENCE, \
    Recorder

MAX_ALIAS_EXPANSION = 100_000
MAX_DEPTH = 100
MAX_INT_DIGITS = 18

_PLAIN = "!incentive-lint/plain"
_TAG = "tag:yaml.org,2002:"


class _TooComplex(Exception):
    def __init__(self, node: Node, path: NodePath, message: str) -> None:
        super().__init__(message)
        self.node, self.path, self.message = node, path, message


_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(inf|Inf|INF)\Z|\.(nan|NaN|NAN)\Z")
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
#: a YAML 1.1 timestamp: a date, or a date and time
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
                        r"([Tt \t]+[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?\Z")
#: numbers with an exponent that YAML 1.1 reads as text: no '.' in the mantissa (1e6) or no sign
#: in the exponent (1.5e3); YAML 1.2 reads both as numbers
_YAML12_ONLY_FLOAT = re.compile(r"[-+]?([0-9]+[eE][-+]?[0-9]+|[0-9]*\.[0-9]*[eE][0-9]+)\Z")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?\Z")
_YAML11_BOOL = frozenset("yes Yes YES no No NO on On ON off Off OFF".split())
_UNDERSCORE_NUMBER = re.compile(r"[-+]?[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?\Z")
_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_TRUE = frozenset(["true", "True", "TRUE"])
_FALSE = frozenset(["false", "False", "FALSE"])
_WORDS = _NULLS | _TRUE | _FALSE | _YAML11_BOOL
#: plain scalars starting with one of these may be numbers, dates or special values
_PLAIN_SPECIAL_START = frozenset("0123456789-+.")
_MAP = _TAG + "map"
_SEQ = _TAG + "seq"
_MERGE = _TAG + "merge"
_intern = sys.intern
#: ids and enum values repeat across thousands of files: one shared copy of each saves memory
_INTERN_MAX = 48


#: a built value: (value, the values it counts for, its position table ref)
_Built = Tuple[Any, int, int]


class _Builder:
    """Builds plain data from one document's node tree and records input issues and positions.

    Positions go to ``recorder`` as the data is built (see ``read/positions.py``): each mapping and
    sequence gets its record when it is entered, and each key, value and item its offsets, so the
    one walk over the tree gives both. Offsets are the nodes' marks, counted from the text the
    tree was composed from (the recorder's document row holds ``offset``)."""

    def __init__(self, file: str, table: LineTable, doc_index: int, offset: int = 0,
                 recorder: Recorder | None = None) -> None:
        self.file = file
        self.table = table
        self.doc_index = doc_index
        #: where in the file the text the nodes were composed from begins (their marks count from there)
        self.offset = offset
        self.issues: list[Issue] = []
        self.built: dict[int, _Built] = {}
        self.active: set[int] = set()
        self.expanded = 0
        self.recorder = recorder if recorder is not None else Recorder(file)
        self.nodes = self.recorder.nodes
        #: refs of the records made by :meth:`_record` (inside nodes the builder does not read)
        self.recorded: dict[int, int] = {}

    def span(self, node: Node) -> Span:
        offset = self.offset
        return Span(self.file, self.table.position(node.start_mark.index + offset),
                    self.table.position(node.end_mark.index + offset))

    def issue(self, rule: str, node: Node, path: NodePath, message: str) -> None:
        self.issues.append(Issue(rule, self.span(node), message, path, doc_index=self.doc_index))

    def build(self, node: Node, path: NodePath) -> Any:
        return self._build(node, path, 0)[0]

    def build_recorded(self, node: Node) -> tuple[Any, int]:
        """The document's data and the ref of its root in the position table."""
        value, _, ref = self._build(node, (), 0)
        return value, ref

    def _build(self, node: Node, path: NodePath, depth: int) -> _Built:
        key = id(node)
        if key in self.active:
            raise _TooComplex(node, path, "an alias refers to the mapping or list that contains it, which "
                                          "would never end; remove the '*' alias.")
        seen = self.built.get(key)
        if seen is not None:
            # An alias: the value is shared, but its size counts against the expansion budget
            # so that a "billion laughs" file is refused instead of flooding the rules.
            self.expanded += seen[1]
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise _TooComplex(node, path, f"aliases ('*name') expand to more than {MAX_ALIAS_EXPANSION:,} "
                                              "values; write the values out or simplify the anchors.")
            return seen
        if depth > MAX_DEPTH:
            raise _TooComplex(node, path, f"the data is nested more than {MAX_DEPTH} levels deep; flatten it.")
        if isinstance(node, ScalarNode):
            result: _Built = (self._scalar(node, path), 1, LEAF)
        else:
            self.active.add(key)
            try:
                if isinstance(node, MappingNode):
                    result = self._mapping(node, path, depth)
                else:
                    # a composed node is a scalar, a mapping or a sequence: only the last is left
                    result = self._sequence(cast(SequenceNode, node), path, depth)
            finally:
                self.active.discard(key)
        self.built[key] = result
        return result

    def _sequence(self, node: SequenceNode, path: NodePath, depth: int) -> _Built:
        if node.tag != _SEQ:
            self._unknown_tag(node, path)
            return None, 1, self._record(node, depth)
        children = node.value
        nodes = self.nodes
        ref = len(nodes)
        nodes.append(SEQUENCE)
        nodes.append(len(children))
        nodes.extend([0] * (ITEM * len(children)))  # filled below: children get their records after this one
        at = ref + 2
        items: list[Any] = []
        size = 1
        for i, child in enumerate(children):
            if child.__class__ is ScalarNode and child.tag == _PLAIN:
                value = child.value
                if not value or value[0] in _PLAIN_SPECIAL_START or value in _WORDS:
                    value = self._plain(child, value, (*path, i))
                elif len(value) <= _INTERN_MAX:
                    value = _intern(value)
                items.append(value)
                size += 1
                nodes[at:at + ITEM] = (child.start_mark.index, child.end_mark.index, LEAF)
                at += ITEM
                continue
            value, n, child_ref = self._build(child, (*path, i), depth + 1)
            items.append(value)
            size += n
            nodes[at:at + ITEM] = (child.start_mark.index, child.end_mark.index, child_ref)
            at += ITEM
        return items, size, ref

    def _mapping(self, node: MappingNode, path: NodePath, depth: int) -> _Built:
        if node.tag != _MAP:
            self._unknown_tag(node, path)
            return None, 1, self._record(node, depth)
        pairs = node.value
        nodes = self.nodes
        key_id = self.recorder.key_id
        ref = len(nodes)
        nodes.append(MAPPING)
        nodes.append(len(pairs))
        nodes.extend([0] * (ENTRY * len(pairs)))  # filled below: values get their records after this one
        at = ref + 2 - ENTRY
        out: dict[str, Any] = {}
        merged: list[dict[str, Any]] = []
        first_keys: dict[str, Node] | None = None  # built on the first duplicate only
        size = 1
        for key_node, value_node in pairs:
            at += ENTRY
            if key_node.__class__ is not ScalarNode:
                nodes[at] = NOT_A_KEY  # never looked up (the tree lookup indexes scalar keys only)
                self.issue("invalid-value", key_node, path,
                           "a key must be plain text, not a list or mapping; rewrite the key as a word.")
                continue
            text = key_node.value
            if text == "<<" and key_node.tag in (_PLAIN, _MERGE):
                value, n, merged_ref = self._build(value_node, path, depth + 1)
                nodes[at] = MERGE
                nodes[at + 5] = merged_ref
                size += n
                for source in value if isinstance(value, list) else [value]:
                    if isinstance(source, dict):
                        merged.append(source)
                    else:
                        self.issue("invalid-value", value_node, path,
                                   "a merge key '<<' must be followed by an alias of a mapping ('<<: *name').")
                continue
            if key_node.tag == _PLAIN and text and text[0] not in _PLAIN_SPECIAL_START and text not in _WORDS:
                name = _intern(text)  # the common case: an ordinary field name
            else:
                name = _intern(self._key(key_node, path))
            if name in out:
                if first_keys is None:
                    first_keys = {}
                    for k, _ in node.value:
                        if k.__class__ is ScalarNode:
                            first_keys.setdefault(k.value, k)
                self._duplicate(first_keys.get(key_node.value, key_node), key_node, name, path)
            if value_node.__class__ is ScalarNode and value_node.tag == _PLAIN:
                value = value_node.value
                if not value or value[0] in _PLAIN_SPECIAL_START or value in _WORDS:
                    value = self._plain(value_node, value, (*path, name))
                elif len(value) <= _INTERN_MAX:
                    value = _intern(value)
                out[name] = value
                size += 1
                nodes[at:at + ENTRY] = (key_id(text), key_node.start_mark.index, key_node.end_mark.index,
                                        value_node.start_mark.index, value_node.end_mark.index, LEAF)
                continue
            value, n, value_ref = self._build(value_node, (*path, name), depth + 1)
            out[name] = value
            size += n
            nodes[at:at + ENTRY] = (key_id(text), key_node.start_mark.index, key_node.end_mark.index,
                                    value_node.start_mark.index, value_node.end_mark.index, value_ref)
        if merged:
            combined: dict[str, Any] = {}
            for source in reversed(merged):  # earlier sources win, explicit keys win over all
                combined.update(source)
            combined.update(out)
            out = combined
        return out, size, ref

    def _record(self, node: Node, depth: int) -> int:
        """Record the positions inside a node the builder does not read (an unknown tag makes it
        None), since findings may still point into it: the ref of its record, or ``LEAF``."""
        if node.__class__ is ScalarNode or depth > MAX_RECORD_DEPTH:
            return LEAF
        key = id(node)
        seen = self.built.get(key)
        if seen is not None:
            return seen[2]
        found = self.recorded.get(key)
        if found is not None:
            return found  # an alias, or an alias inside the node itself
        nodes = self.nodes
        ref = len(nodes)
        self.recorded[key] = ref
        if isinstance(node, MappingNode):
            pairs = node.value
            nodes.append(MAPPING)
            nodes.append(len(pairs))
            nodes.extend([0] * (ENTRY * len(pairs)))
            at = ref + 2
            for key_node, value_node in pairs:
                if key_node.__class__ is not ScalarNode:
                    nodes[at] = NOT_A_KEY
                elif key_node.value == "<<" and key_node.tag in (_PLAIN, _MERGE):
                    nodes[at] = MERGE
                    nodes[at + 5] = self._record(value_node, depth + 1)
                else:
                    child = self._record(value_node, depth + 1)
                    nodes[at:at + ENTRY] = (self.recorder.key_id(key_node.value), key_node.start_mark.index,
                                            key_node.end_mark.index, value_node.start_mark.index,
                                            value_node.end_mark.index, child)
                at += ENTRY
        else:
            items = cast(SequenceNode, node).value
            nodes.append(SEQUENCE)
            nodes.append(len(items))
            nodes.extend([0] * (ITEM * len(items)))
            at = ref + 2
            for child_node in items:
                child = self._record(child_node, depth + 1)
                nodes[at:at + ITEM] = (child_node.start_mark.index, child_node.end_mark.index, child)
                at += ITEM
        return ref

    def _duplicate(self, earlier: Node, key_node: ScalarNode, name: str, path: NodePath) -> None:
        line = self.table.position(earlier.start_mark.index + self.offset).line
        self.issue("duplicate-key", key_node, (*path, name),
                   f"the key '{name}' appears twice in this mapping (also on line {line}); YAML keeps "
                   "only the last value silently. Remove or rename one of them.")

    def _key(self, node: ScalarNode, path: NodePath) -> str:
        if node.tag == _PLAIN and node.value in _YAML11_BOOL:
            return str(node.value)  # as a key, 'on' or 'no' is only ever meant as the word
        value = self._scalar(node, path)
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null" if node.value else ""
        return str(value)

    def _unknown_tag(self, node: Node, path: NodePath) -> None:
        tag = str(node.tag).replace(_TAG, "!!")
        self.issue("unsupported-tag", node, path,
                   f"the tag '{tag}' is not allowed in policy files (only plain values, lists and mappings "
                   "are); remove the tag.")

    def _scalar(self, node: ScalarNode, path: NodePath) -> Any:
        text = node.value
        tag = node.tag
        if tag == _PLAIN:
            return self._plain(node, text, path)
        if tag == _TAG + "str":
            return text
        if tag == _TAG + "int":
            value = self._plain(node, text, path)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self.issue("invalid-value", node, path, f"'{text}' is tagged !!int but is not a whole number.")
            return text
        if tag == _TAG + "float":
            value = self._plain(node, text, path)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            self.issue("invalid-value", node, path, f"'{text}' is tagged !!float but is not a number.")
            return text
        if tag == _TAG + "bool":
            if text.lower() in ("true", "yes", "on"):
                return True
            if text.lower() in ("false", "no", "off"):
                return False
            self.issue("invalid-value", node, path, f"'{text}' is tagged !!bool but is not true or false.")
            return text
        if tag == _TAG + "null":
            if text in _NULLS:
                return None
            self.issue("invalid-value", node, path, f"'{text}' is tagged !!null but is not empty; remove the "
                                                    "value or the tag.")
            return text
        if tag == _TAG + "timestamp":
            if not _TIMESTAMP.match(text):
                self.issue("invalid-value", node, path, f"'{text}' is tagged !!timestamp but is not a date; "
                                                        "write a date as YYYY-MM-DD.")
                return text
            return self._plain(node, text, path)
        self._unknown_tag(node, path)
        return None

    def _plain(self, node: ScalarNode, text: str, path: NodePath) -> Any:
        if text in _WORDS or not text:
            if text in _NULLS:
                return None
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            self.issue("ambiguous-value", node, path,
                       f"unquoted '{text}' is read as a yes/no value by some YAML tools and as text by others; "
                       f"write \"{text}\" in quotes if you mean the word, or true/false if you mean yes/no.")
            return text
        if text[0] not in _PLAIN_SPECIAL_START:
            return text  # the common case: ordinary words
        if text.isdigit() and (text[0] != "0" or len(text) == 1) and len(text) <= MAX_INT_DIGITS:
            return int(text)
        if _INT.match(text):
            digits = text.lstrip("+-")
            if len(digits) > 1 and digits[0] == "0":
                self.issue("ambiguous-value", node, path,
                           f"'{text}' starts with a zero: some YAML tools read it as the octal number "
                           f"{_octal(digits)}, others as {int(digits)}; quote it if it is a code, or drop the "
                           "leading zero if it is a number.")
                return text
            if len(digits) > MAX_INT_DIGITS:
                self.issue("invalid-value", node, path,
                           f"the number {text[:20]}... has {len(digits)} digits, far beyond any amount a plan "
                           "can hold; check the value.")
                return text
            return int(text)
        if _FLOAT.match(text):
            value = float(text)
            if not math.isfinite(value):
                self.issue("invalid-value", node, path, f"the number '{text}' is too large to be an amount.")
                return text
            if _YAML12_ONLY_FLOAT.match(text) and node.tag == _PLAIN:
                self.issue("ambiguous-value", node, path,
                           f"unquoted '{text}' is read as the number {_number(value)} by some YAML tools and as "
                           f"text by others; write the number out ({_number(value)}), or quote it if it is a code.")
                return text
            return value
        if _SPECIAL_FLOAT.match(text):
            self.issue("invalid-value", node, path,
                       f"'{text}' (infinity or not-a-number) is not a valid number in a policy file; write a "
                       "real number.")
            return text
        if _OCT.match(text):
            return int(text[2:], 8)
        if _HEX.match(text):
            return int(text[2:], 16)
        if _DATE_LIKE.match(text):
            try:
                if not _DATE.match(text):
                    raise ValueError
                _dt.date.fromisoformat(text)
            except ValueError:
                self.issue("invalid-value", node, path,
                           f"'{text}' is not a real calendar date; write an existing date as YYYY-MM-DD.")
            return text
        if _SEXAGESIMAL.match(text):
            self.issue("ambiguous-value", node, path,
                       f"unquoted '{text}' is read as the number {_sexagesimal(text)} by YAML 1.1 tools "
                       f"(base-60); write \"{text}\" in quotes.")
            return text
        if _UNDERSCORE_NUMBER.match(text):
            self.issue("ambiguous-value", node, path,
                       f"unquoted '{text}' is read as a number by some YAML tools and as text by others; write "
                       "the number without underscores, or quote it.")
            return text
        return text


def _number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e18:
        return f"{int(value)}"
    return repr(value)


def _octal(digits: str) -> str:
    try:
        return str(int(digits, 8))
    except ValueError:
        return "(invalid)"


def _sexagesimal(text: str) -> str:
    sign = -1 if text.startswith("-") else 1
    total = 0.0
    for part in text.lstrip("+-").replace("_", "").split(":"):
        total = total * 60 + float(part or 0)
    value = sign * total
    return str(int(value)) if value.is_integer() else str(value)
