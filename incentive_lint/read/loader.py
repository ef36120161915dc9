"""Files -> YAML documents as plain data, with every input mistake turned into an issue.

The loader composes each file with libyaml (pure-Python PyYAML only as a fallback) and
walks the node tree once to build plain ``dict``/``list``/scalar values. Plain scalars
are resolved with the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules, and whatever
the two would read differently (``no``, ``on``, ``1:30``, ``010``) is reported. Nothing
in a file is ever executed: unknown tags become issues, never objects.

Node trees are not kept: positions for later findings are found again by
:class:`Locator`, which re-composes only the files that have findings.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import re
import stat
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from incentive_lint.base.source import LineTable, NodePath, Span

try:  # libyaml is ~9x faster; the pure-Python parser is the fallback.
    _BaseLoader: Any = yaml.CSafeLoader
    HAVE_LIBYAML = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader
    HAVE_LIBYAML = False

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ALIAS_EXPANSION = 100_000
MAX_DEPTH = 100
MAX_INT_DIGITS = 18
YAML_EXTENSIONS = (".yaml", ".yml")

_PLAIN = "!incentive-lint/plain"
_TAG = "tag:yaml.org,2002:"


class _ComposeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Composes nodes, leaving plain scalars unresolved so that we apply YAML 1.2 ourselves."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return str(super().resolve(kind, value, implicit))


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


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Candidate:
    """A file to lint: its real path and the name shown to users."""

    path: Path
    display: str


def display_name(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Sequence[Path], cwd: Path) -> tuple[list[Candidate], list[Issue]]:
    """Find ``*.yaml``/``*.yml`` under ``paths`` (hidden folders and files skipped).

    Raises ``FileNotFoundError`` for a path that does not exist (a usage error).
    """
    found: dict[str, Candidate] = {}
    issues: list[Issue] = []
    for given in paths:
        given_abs = (cwd / given) if not given.is_absolute() else given
        if not os.path.lexists(given_abs):
            raise FileNotFoundError(str(given))
        absolute = Path(os.path.abspath(given_abs))
        if absolute.is_dir():
            root = absolute.resolve()
            for dirpath, dirnames, filenames in os.walk(absolute):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or not name.endswith(YAML_EXTENSIONS):
                        continue
                    _add(Path(dirpath) / name, root, cwd, found, issues)
        else:
            _add(absolute, absolute.parent.resolve(), cwd, found, issues)
    ordered = sorted(found.values(), key=lambda c: c.display)
    return ordered, issues


def _add(path: Path, root: Path, cwd: Path, found: dict[str, Candidate], issues: list[Issue]) -> None:
    display = display_name(path, cwd)
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            issues.append(Issue("file-refused", Span.at(display, 1),
                                f"'{display}' is a link to a file outside the folder being checked; "
                                "it was not read. Copy the file into the repository instead."))
            return
    found.setdefault(display, Candidate(path, display))


# --------------------------------------------------------------------------- reading


def read_text(path: Path, display: str) -> tuple[str | None, Issue | None]:
    """Read a regular UTF-8 file, refusing FIFOs, devices and huge files before reading."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return None, Issue("file-refused", Span.at(display, 1), f"'{display}' could not be read: {exc.strerror}.")
    if not stat.S_ISREG(info.st_mode):
        return None, Issue("file-refused", Span.at(display, 1),
                           f"'{display}' is not a regular file (a pipe, device or socket); it was not read.")
    if info.st_size > MAX_FILE_BYTES:
        mb = info.st_size / 1_048_576
        return None, Issue("file-refused", Span.at(display, 1),
                           f"'{display}' is {mb:.0f} MB, larger than the {MAX_FILE_BYTES // 1_048_576} MB a policy "
                           "file may be; split it into several files.")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, Issue("file-refused", Span.at(display, 1), f"'{display}' could not be read: {exc.strerror}.")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start:exc.start + 1].hex()
        return None, Issue("not-utf8", Span.at(display, line, col),
                           f"'{display}' is not UTF-8 text (byte 0x{byte} at line {line}, column {col}); "
                           "save the file as UTF-8.")


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


class _Builder:
    """Builds plain data from one document's node tree and records input issues."""

    def __init__(self, file: str, table: LineTable, doc_index: int) -> None:
        self.file = file
        self.table = table
        self.doc_index = doc_index
        self.issues: list[Issue] = []
        self.built: dict[int, tuple[Any, int]] = {}
        self.active: set[int] = set()
        self.expanded = 0

    def span(self, node: Node) -> Span:
        return Span(self.file, self.table.position(node.start_mark.index), self.table.position(node.end_mark.index))

    def issue(self, rule: str, node: Node, path: NodePath, message: str) -> None:
        self.issues.append(Issue(rule, self.span(node), message, path, doc_index=self.doc_index))

    def build(self, node: Node, path: NodePath) -> Any:
        return self._build(node, path, 0)[0]

    def _build(self, node: Node, path: NodePath, depth: int) -> tuple[Any, int]:
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
            result = (self._scalar(node, path), 1)
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

    def _sequence(self, node: SequenceNode, path: NodePath, depth: int) -> tuple[Any, int]:
        if node.tag != _SEQ:
            self._unknown_tag(node, path)
            return None, 1
        items: list[Any] = []
        size = 1
        for i, child in enumerate(node.value):
            if child.__class__ is ScalarNode and child.tag == _PLAIN:
                value = child.value
                if not value or value[0] in _PLAIN_SPECIAL_START or value in _WORDS:
                    value = self._plain(child, value, (*path, i))
                elif len(value) <= _INTERN_MAX:
                    value = _intern(value)
                items.append(value)
                size += 1
                continue
            value, n = self._build(child, (*path, i), depth + 1)
            items.append(value)
            size += n
        return items, size

    def _mapping(self, node: MappingNode, path: NodePath, depth: int) -> tuple[Any, int]:
        if node.tag != _MAP:
            self._unknown_tag(node, path)
            return None, 1
        out: dict[str, Any] = {}
        merged: list[dict[str, Any]] = []
        size = 1
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                self.issue("invalid-value", key_node, path,
                           "a key must be plain text, not a list or mapping; rewrite the key as a word.")
                continue
            text = key_node.value
            if text == "<<" and key_node.tag in (_PLAIN, _MERGE):
                value, n = self._build(value_node, path, depth + 1)
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
                self._duplicate(node, key_node, name, path)
            if value_node.__class__ is ScalarNode and value_node.tag == _PLAIN:
                value = value_node.value
                if not value or value[0] in _PLAIN_SPECIAL_START or value in _WORDS:
                    value = self._plain(value_node, value, (*path, name))
                elif len(value) <= _INTERN_MAX:
                    value = _intern(value)
                out[name] = value
                size += 1
                continue
            value, n = self._build(value_node, (*path, name), depth + 1)
            out[name] = value
            size += n
        if merged:
            combined: dict[str, Any] = {}
            for source in reversed(merged):  # earlier sources win, explicit keys win over all
                combined.update(source)
            combined.update(out)
            out = combined
        return out, size

    def _duplicate(self, node: MappingNode, key_node: ScalarNode, name: str, path: NodePath) -> None:
        earlier = next(k for k, _ in node.value if k.__class__ is ScalarNode and k is not key_node
                       and k.value == key_node.value)
        line = self.table.position(earlier.start_mark.index).line
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
            return None
        if tag == _TAG + "timestamp":
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


def read_settings(path: Path, display: str, error: type[Exception], words_only: bool = False) -> ParsedFile:
    """Read one of the tool's own files (configuration, rule, baseline): any input mistake
    stops the run with ``error`` naming file, line and column. With ``words_only``, unquoted
    'off' or 'on' are taken as the words they are meant to be there."""
    text, issue = read_text(path, display)
    if text is None:
        raise error(issue.message if issue else f"{display} could not be read.")
    parsed = parse_text(text, display)
    problems = [i for i in parsed.issues if not (words_only and i.rule == "ambiguous-value")]
    if problems:
        first = problems[0]
        raise error(f"{display}:{first.span.start.line}:{first.span.start.column}: {first.message}")
    return parsed


def compose_file(text: str, display: str) -> ParsedFile:
    """Node trees only (no data), for finding positions in a file that had no input issues;
    its documents are numbered as :func:`parse_text` numbers them."""
    try:
        roots = [n for n in yaml.compose_all(text, Loader=_ComposeLoader) if n is not None]
    except (yaml.YAMLError, RecursionError):
        return parse_text(text, display)
    docs = [Document(display, i, None, Span.at(display, 1), root=node) for i, node in enumerate(roots)]
    return ParsedFile(display, docs, [], LineTable(text))


class Locator:
    """Finds spans for node paths in files, re-reading files on demand.

    Files added with :meth:`add` (those with input issues) stay cached; re-read files are
    kept in a small LRU, so callers should ask for positions grouped by file.
    """

    CACHE_FILES = 16

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._paths = {c.display: c.path for c in candidates}
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
            text, _ = read_text(path, file)
            if text is not None:
                parsed = compose_file(text, file)
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
                node = find_node(doc.root, path, key=key)
                return Span(file, parsed.table.position(node.start_mark.index),
                            parsed.table.position(node.end_mark.index))
        return Span.at(file, 1)

    def iter_files(self) -> Iterator[str]:
        return iter(sorted(self._paths))
