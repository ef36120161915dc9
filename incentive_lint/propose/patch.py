"""The proposal as a change to the files: new weight values written over the old ones at the
positions the loader recorded, every other byte kept, and the unified diff a reviewer reads.

Only the characters of each changed ``weight`` value are replaced (``65`` becomes ``0``), so
comments, quoting, key order, flow or block style and line endings stay exactly as they were.
A value whose text is not the number the model read (an alias, a tag) is never rewritten: the
proposal then refuses with the position, rather than guess.

A new component (``--allow-new-measures``) is inserted right after the plan's last component,
written as the existing ones are: ``- {id: ..., kpi: ..., weight: N}`` under a block list of
flow-style items, ``- id: ...`` with its keys below under a block list of block-style items,
``, {id: ...}`` inside a flow list ``[...]``. Nothing else in the file changes.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from incentive_lint.base.errors import UsageError
from incentive_lint.base.source import Span
from incentive_lint.model.entities import Component


@dataclass(frozen=True)
class Edit:
    """One weight value to rewrite."""

    file: str
    span: Span
    component: Component
    old: float
    new: int


@dataclass(frozen=True)
class Addition:
    """One new component, and where and how its text goes into the file."""

    file: str
    plan: str
    component: str
    kpi: str
    weight: int
    #: character offset in the original text where ``text`` is inserted
    offset: int
    text: str


def _offsets(text: str) -> list[int]:
    """The offset where each line starts (lines end at ``\\n`` only, as spans count them)."""
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def offset(starts: Sequence[int], line: int, column: int) -> int:
    """The character offset of a (1-based) line and column, given :func:`line_starts` (a position
    past the last line counts from the last line's start)."""
    return starts[min(line, len(starts)) - 1] + column - 1


def line_starts(text: str) -> list[int]:
    """The offset where each line starts (public name of the helper the edits use)."""
    return _offsets(text)


def _number(literal: str) -> float | None:
    try:
        return float(literal.replace("_", ""))
    except ValueError:
        return None


def apply_edits(texts: Mapping[str, str], edits: Sequence[Edit],
                additions: Sequence[Addition] = ()) -> dict[str, str]:
    """The patched text of every file an edit or an addition touches."""
    by_file: dict[str, list[Edit | Addition]] = {}
    items: list[Edit | Addition] = [*edits, *additions]
    for item in items:
        by_file.setdefault(item.file, []).append(item)
    out: dict[str, str] = {}
    for file, mine in sorted(by_file.items()):
        text = texts[file]
        starts = _offsets(text)
        pieces: list[str] = []
        cursor = 0
        placed: list[tuple[int, int, int, Edit | Addition]] = []
        for n, item in enumerate(mine):
            if isinstance(item, Addition):
                placed.append((item.offset, item.offset, n, item))
            else:
                placed.append((starts[item.span.start.line - 1] + item.span.start.column - 1,
                               starts[item.span.end.line - 1] + item.span.end.column - 1, n, item))
        for begin, end, _, e in sorted(placed, key=lambda p: (p[0], p[1], p[2])):
            if isinstance(e, Addition):
                if begin < cursor:
                    raise UsageError(f"{file}: the new component '{e.component}' of '{e.plan}' would overlap a "
                                     "changed weight; run propose without --allow-new-measures.")
                pieces.append(text[cursor:begin])
                pieces.append(e.text)
                cursor = begin
                continue
            literal = text[begin:end]
            value = _number(literal)
            if begin < cursor or value is None or abs(value - e.old) > 1e-9:
                raise UsageError(f"{file}:{e.span.start.line}:{e.span.start.column}: the weight of "
                                 f"'{e.component.key}' is written as '{literal}', not as the number {e.old:g}; "
                                 "'propose' only rewrites plain numbers. Write the weight as a plain number.")
            pieces.append(text[cursor:begin])
            pieces.append(str(e.new))
            cursor = end
        pieces.append(text[cursor:])
        out[file] = "".join(pieces)
    return out


def unified_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """The change as ``git diff`` shows it (a/ and b/ prefixes, three lines of context)."""
    chunks: list[str] = []
    for file in sorted(after):
        old, new = before[file], after[file]
        if old == new:
            continue
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
        if len(a) == len(b):
            # only weights rewritten in place: the changed lines are where the texts differ, line by
            # line (difflib's general matcher took seconds over thousands of files for the same hunks)
            lines = [f"--- a/{file}\n", f"+++ b/{file}\n", *_hunks(a, b, _in_place(a, b))]
        else:
            lines = list(difflib.unified_diff(a, b, fromfile=f"a/{file}", tofile=f"b/{file}"))
        chunks += [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    return "".join(chunks)


def _in_place(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """The runs [start, end) of lines that differ between two texts of as many lines."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(a)
    while i < n:
        if a[i] == b[i]:
            i += 1
            continue
        start = i
        while i < n and a[i] != b[i]:
            i += 1
        out.append((start, i))
    return out


def _hunks(a: Sequence[str], b: Sequence[str], runs: Sequence[tuple[int, int]], context: int = 3) -> list[str]:
    """Unified-diff hunks for the changed ``runs`` of two texts of as many lines, grouped as difflib
    groups them (runs at most ``2 * context`` lines apart share a hunk)."""
    groups: list[list[tuple[int, int]]] = []
    for run in runs:
        if groups and run[0] - groups[-1][-1][1] <= 2 * context:
            groups[-1].append(run)
        else:
            groups.append([run])
    out: list[str] = []
    for group in groups:
        first, last = max(0, group[0][0] - context), min(len(a), group[-1][1] + context)
        out.append(f"@@ -{_range(first, last - first)} +{_range(first, last - first)} @@\n")
        cursor = first
        for start, end in group:
            out += [" " + line for line in a[cursor:start]]
            out += ["-" + line for line in a[start:end]]
            out += ["+" + line for line in b[start:end]]
            cursor = end
        out += [" " + line for line in a[cursor:last]]
    return out


def _range(start: int, length: int) -> str:
    """A hunk range as difflib writes it: "l,n", "l" for one line, "l-1,0" for none."""
    if length == 1:
        return str(start + 1)
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


def read_texts(files: Sequence[str], path_of: Callable[[str], Path]) -> dict[str, str]:
    """The current text of each file, read exactly (no newline translation)."""
    out = {}
    for file in files:
        with open(path_of(file), encoding="utf-8", newline="") as handle:
            out[file] = handle.read()
    return out


def _line_end(text: str, offset: int) -> int:
    """The offset just past the line break that ends the line holding ``offset`` (the text's end
    when it is the last line)."""
    i = text.find("\n", offset)
    return len(text) if i == -1 else i + 1


def _flow_item(cid: str, kpi: str, weight: int) -> str:
    return f"{{id: {cid}, kpi: {kpi}, weight: {weight}}}"


def addition_text(text: str, span_of: Callable[[tuple[Any, ...]], tuple[int, int]], items: Sequence[Any],
                  new: Sequence[tuple[str, str, int]]) -> tuple[int, str] | None:
    """Where and what to insert to append ``new`` ((id, kpi, weight), ids and KPIs already written
    as YAML) to a plan's ``components`` list, in the style of its items; None when the list is
    written in a way this cannot follow (the caller then adds nothing to that plan).

    ``span_of(path)``: the (start, end) offsets of the node at ``path`` below the list, () being
    the list itself; ``items``: the list's values as read (to find the last item's last value)."""
    if not items or not new:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    seq_start, seq_end = span_of(())
    if text[seq_start:seq_start + 1] == "[":  # components: [{...}, {...}]
        close = text.rfind("]", seq_start, seq_end)
        if close == -1:
            return None
        return close, "".join(f", {_flow_item(*n)}" for n in new)
    last = len(items) - 1
    item_start, item_end = span_of((last,))
    line_start = text.rfind("\n", 0, item_start) + 1
    prefix = text[line_start:item_start]
    dash = prefix.rstrip(" ")
    if not dash.endswith("-") or dash[:-1].strip(" ") or "\t" in prefix:
        return None  # not "<spaces>- item": nested dashes or tabs, too unusual to imitate safely
    indent, gap = dash[:-1], prefix[len(dash):]
    if text[item_start:item_start + 1] == "{":
        where = _line_end(text, item_end)
        lines = [f"{indent}-{gap}{_flow_item(*n)}" for n in new]
    else:
        # the last item is a block mapping: it ends with the line of its last value (block
        # mapping nodes end where the next token starts, after any comments and blank lines)
        path: tuple[Any, ...] = (last,)
        value = items[last]
        if not isinstance(value, dict) or not value:
            return None
        while True:
            start, end = span_of(path)
            if isinstance(value, dict) and value and text[start:start + 1] != "{":
                key = list(value)[-1]
                path, value = (*path, key), value[key]
            elif isinstance(value, list) and value and text[start:start + 1] != "[":
                path, value = (*path, len(value) - 1), value[-1]
            else:
                break
        # a block scalar (| or >) ends after its own line break, at the start of a line
        where = end if end > 0 and text[end - 1] == "\n" else _line_end(text, end)
        pad = " " * (len(indent) + 1 + len(gap))
        lines = []
        for cid, kpi, weight in new:
            lines += [f"{indent}-{gap}id: {cid}", f"{pad}kpi: {kpi}", f"{pad}weight: {weight}"]
    lead = newline if where == len(text) and text and not text.endswith("\n") else ""
    return where, lead + "".join(line + newline for line in lines)
