"""The proposal as a change to the files: new weight values written over the old ones at the
positions the loader recorded, removed measures cut out, every other byte kept, and the unified
diff a reviewer reads.

Only the characters of each changed ``weight`` value are replaced (``65`` becomes ``40``), so
comments, quoting, key order, flow or block style and line endings stay exactly as they were.
A value whose text is not the number the model read (an alias, a tag) is never rewritten: the
proposal then refuses with the position, rather than guess.

A measure the proposal removes is deleted with its whole list item: the lines from its ``-`` to
the end of its last value (with the comments inside it and on its lines), and the blank lines
after it; a comment line at the list's indentation just above the next item is that item's, and
stays. Where that cannot be done cleanly (a list written ``[...]``, an item not on lines of its
own, an anchor other nodes use) the weight is written as ``0`` instead and the caller says so.

A new component (``--allow-new-measures``) is inserted right after the plan's last component,
written as the existing ones are: ``- {id: ..., kpi: ..., weight: N}`` under a block list of
flow-style items, ``- id: ...`` with its keys below under a block list of block-style items,
``, {id: ...}`` inside a flow list ``[...]``. Nothing else in the file changes.
"""
from __future__ import annotations

import bisect
import difflib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from incentive_lint.base.errors import UsageError
from incentive_lint.base.source import Span
from incentive_lint.model.entities import Component


@dataclass(frozen=True)
class Edit:
    """One weight value to rewrite, or (``cut``) one measure to delete."""

    file: str
    span: Span
    component: Component
    old: float
    new: int
    #: offsets [start, end) of the component's lines in the original text: the change deletes
    #: them instead of writing ``weight: 0`` (only for a removed measure)
    cut: tuple[int, int] | None = None
    #: why a removed measure stays in the file with ``weight: 0`` (see :data:`KEPT_AT_ZERO`)
    kept: str = ""


#: why a removed measure cannot be deleted cleanly, as the proposal tells the reader
KEPT_AT_ZERO = {
    "flow": "its plan's components are written as one list in brackets ([...])",
    "layout": "its list item does not stand on lines of its own",
    "anchor": "it defines an anchor (&name) that other parts of the file use",
}
#: one line of a changed region: (first line, end line) in the old text, the same in the new one
Run = tuple[int, int, int, int]


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
    # summing the lengths of the split lines runs in C: a third faster than finding each break
    return [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n")[:-1])]


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
    return patch_files(texts, edits, additions)[0]


def patch_files(texts: Mapping[str, str], edits: Sequence[Edit], additions: Sequence[Addition] = (),
                known: Mapping[str, Sequence[int]] | None = None) -> tuple[dict[str, str], dict[str, list[Run]]]:
    """The patched text of every file an edit or an addition touches, and per file the runs of
    lines that changed (what :func:`unified_diff` writes hunks for, without comparing texts).
    ``known``: the :func:`line_starts` of texts the caller has already split into lines."""
    by_file: dict[str, list[Edit | Addition]] = {}
    items: list[Edit | Addition] = [*edits, *additions]
    for item in items:
        by_file.setdefault(item.file, []).append(item)
    out: dict[str, str] = {}
    runs: dict[str, list[Run]] = {}
    for file, mine in sorted(by_file.items()):
        text = texts[file]
        starts = known[file] if known is not None and file in known else _offsets(text)
        ops: list[tuple[int, int, str]] = []
        cursor = 0
        placed: list[tuple[int, int, int, Edit | Addition]] = []
        for n, item in enumerate(mine):
            if isinstance(item, Addition):
                placed.append((item.offset, item.offset, n, item))
            elif item.cut is not None:
                placed.append((item.cut[0], item.cut[1], n, item))
            else:
                placed.append((starts[item.span.start.line - 1] + item.span.start.column - 1,
                               starts[item.span.end.line - 1] + item.span.end.column - 1, n, item))
        cut_end = -1
        for begin, end, _, e in sorted(placed, key=lambda p: (p[0], p[1], p[2])):
            if isinstance(e, Addition):
                if begin < cursor == cut_end:
                    # after the plan's last item, which the change deletes with the blank lines
                    # below it: the new item goes where the deleted lines end
                    begin = cursor
                if begin < cursor:
                    raise UsageError(f"{file}: the new component '{e.component}' of '{e.plan}' would overlap a "
                                     "changed weight; run propose without --allow-new-measures.")
                ops.append((begin, begin, e.text))
                cursor = begin
                continue
            w_begin = starts[e.span.start.line - 1] + e.span.start.column - 1
            w_end = starts[e.span.end.line - 1] + e.span.end.column - 1
            literal = text[w_begin:w_end]
            value = _number(literal)
            if begin < cursor or value is None or abs(value - e.old) > 1e-9 or not begin <= w_begin <= w_end <= end:
                raise UsageError(f"{file}:{e.span.start.line}:{e.span.start.column}: the weight of "
                                 f"'{e.component.key}' is written as '{literal}', not as the number {e.old:g}; "
                                 "'propose' only rewrites plain numbers. Write the weight as a plain number.")
            ops.append((begin, end, "" if e.cut is not None else str(e.new)))
            cursor = end
            cut_end = end if e.cut is not None else -1
        out[file], runs[file] = _splice(text, starts, ops)
    return out, runs


def _splice(text: str, starts: Sequence[int], ops: Sequence[tuple[int, int, str]]) -> tuple[str, list[Run]]:
    """``text`` with each (begin, end, replacement) of ``ops`` (in order, not overlapping) applied,
    and the runs of whole lines that changed: the lines an operation touches, taken together when
    they share a line, and widened until the new text of a run ends with a line break (or the file)."""
    n_lines = len(starts) - (1 if starts[-1] == len(text) else 0)

    def line_of(at: int) -> int:
        return bisect.bisect_right(starts, at) - 1

    def start_of(line: int) -> int:
        return starts[line] if line < len(starts) else len(text)

    groups: list[list[Any]] = []  # [first line, end line, ops]
    for begin, end, new in ops:
        first = line_of(begin)
        if end > begin:
            last = line_of(end)
            stop = last if starts[last] == end else last + 1
        else:  # an insertion: no line of its own changes when it puts whole lines at a line start
            stop = first if begin == start_of(first) and new.endswith("\n") else first + 1
        if groups and first < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], stop)
            groups[-1][2].append((begin, end, new))
        else:
            groups.append([first, stop, [(begin, end, new)]])
    pieces: list[str] = []
    runs: list[Run] = []
    cursor = 0  # offset in text up to which pieces hold the new text
    shift = 0  # lines of the new text minus lines of the old, before the current group
    i = 0
    while i < len(groups):
        first, stop, mine = groups[i]
        i += 1
        while True:
            seg_start, seg_end = start_of(first), start_of(min(stop, n_lines))
            # the run's new text must end at a line end (or the file's end), else the next line joins it
            parts, at = [], seg_start
            for begin, end, new in mine:
                parts += [text[at:begin], new]
                at = end
            parts.append(text[at:seg_end])
            new_text = "".join(parts)
            if new_text.endswith("\n") or not new_text or (seg_end >= len(text) and i == len(groups)):
                break
            if seg_end < len(text):
                stop += 1
            # the widened run swallows the groups it reaches (at the text's end: what is appended)
            while i < len(groups) and (groups[i][0] < stop or seg_end >= len(text)):
                stop = max(stop, groups[i][1])
                mine = [*mine, *groups[i][2]]
                i += 1
        pieces += [text[cursor:seg_start], new_text]
        cursor = seg_end
        new_lines = new_text.count("\n") + (0 if not new_text or new_text.endswith("\n") else 1)
        runs.append((first, stop, first + shift, first + shift + new_lines))
        shift += new_lines - (stop - first)
    pieces.append(text[cursor:])
    return "".join(pieces), runs


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each with its ``\\n``: only ``\\n`` ends a line, as for git (str.splitlines
    also splits at a lone ``\\r``, U+2028 and more, which would misplace every later line)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def unified_diff(before: Mapping[str, str], after: Mapping[str, str],
                 runs: Mapping[str, Sequence[Run]] | None = None) -> str:
    """The change as ``git diff`` shows it (a/ and b/ prefixes, three lines of context). ``runs``:
    the changed lines of each file as :func:`patch_files` gives them (else found by comparing)."""
    chunks: list[str] = []
    for file in sorted(after):
        old, new = before[file], after[file]
        if old == new:
            continue
        a, b = _lines(old), _lines(new)
        mine = runs.get(file) if runs is not None else None
        if mine is not None:
            # the patch knows which lines it changed: difflib's general matcher took seconds over
            # thousands of files for the same hunks
            lines = [f"--- a/{file}\n", f"+++ b/{file}\n", *_hunks(a, b, mine)]
        elif len(a) == len(b):
            # only weights rewritten in place: the changed lines are where the texts differ, line by line
            lines = [f"--- a/{file}\n", f"+++ b/{file}\n", *_hunks(a, b, _in_place(a, b))]
        else:
            lines = list(difflib.unified_diff(a, b, fromfile=f"a/{file}", tofile=f"b/{file}"))
        chunks += [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    return "".join(chunks)


def _in_place(a: Sequence[str], b: Sequence[str]) -> list[Run]:
    """The runs of lines that differ between two texts of as many lines."""
    out: list[Run] = []
    i, n = 0, len(a)
    while i < n:
        if a[i] == b[i]:
            i += 1
            continue
        start = i
        while i < n and a[i] != b[i]:
            i += 1
        out.append((start, i, start, i))
    return out


def _hunks(a: Sequence[str], b: Sequence[str], runs: Sequence[Run], context: int = 3) -> list[str]:
    """Unified-diff hunks for the changed ``runs`` (old lines [a0, a1) became new lines [b0, b1)),
    grouped as difflib groups them (runs at most ``2 * context`` unchanged lines apart share a hunk)."""
    groups: list[list[Run]] = []
    for run in runs:
        if groups and run[0] - groups[-1][-1][1] <= 2 * context:
            groups[-1].append(run)
        else:
            groups.append([run])
    out: list[str] = []
    for group in groups:
        head, tail = group[0], group[-1]
        first, last = max(0, head[0] - context), min(len(a), tail[1] + context)
        b_first, b_last = head[2] - (head[0] - first), tail[3] + (last - tail[1])
        out.append(f"@@ -{_range(first, last - first)} +{_range(b_first, b_last - b_first)} @@\n")
        cursor = first
        for a0, a1, b0, b1 in group:
            out += [" " + line for line in a[cursor:a0]]
            out += ["-" + line for line in a[a0:a1]]
            out += ["+" + line for line in b[b0:b1]]
            cursor = a1
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


_DASH = re.compile(r"( *)-( +)\Z")
_ANCHOR = re.compile(r"&([^\s,\[\]{}]+)")


@dataclass(frozen=True)
class _ItemLines:
    """Where one item of a block list stands: the offset of its line (its ``-``), the end of its
    own lines, and where the next item (or whatever follows the list) begins."""

    start: int
    own_end: int
    limit: int
    indent: str
    gap: str


def _blank(line: str) -> bool:
    return not line.strip(" \t\r\n")


def _item_lines(text: str, span_of: Callable[[tuple[Any, ...]], tuple[int, int]], count: int,
                index: int) -> _ItemLines | str:
    """The lines of item ``index`` of a block list of ``count`` items (``span_of`` as for
    :func:`addition_text`), or why it has none of its own (a key of :data:`KEPT_AT_ZERO`).

    Its own lines run from its ``-`` to its last value, with comments deeper than the ``-``
    (which may also be lines of a block scalar); blank lines and comment lines at or left of the
    ``-`` after it belong to what follows (a comment introducing the next item). Node ends do not
    say this: a block mapping ends where the next token starts, after such comments."""
    seq_start, seq_end = span_of(())
    if text[seq_start:seq_start + 1] == "[":
        return "flow"
    item_start, _ = span_of((index,))
    line_start = text.rfind("\n", 0, item_start) + 1
    dash = _DASH.fullmatch(text, line_start, item_start)
    if dash is None:
        return "layout"  # not "<spaces>- item": nested dashes, tabs or the item on the next line
    indent = dash.group(1)
    if index + 1 < count:
        next_start, _ = span_of((index + 1,))
        limit = text.rfind("\n", 0, next_start) + 1
        following = _DASH.fullmatch(text, limit, next_start)
        if following is None or following.group(1) != indent or limit <= item_start:
            return "layout"
    else:
        # the list ends where the next token starts: at a line start, or at the end of the file
        limit = text.rfind("\n", 0, seq_end) + 1
        if not _blank(text[limit:seq_end]):
            limit = seq_end
    end = limit
    while end > line_start:
        ls = text.rfind("\n", 0, end - 1) + 1
        if ls <= line_start:
            break
        line = text[ls:end]
        body = line.lstrip(" ")
        if not (_blank(line) or (body.startswith("#") and len(line) - len(body) <= len(indent))):
            break
        end = ls
    return _ItemLines(line_start, end, limit, indent, text[item_start - len(dash.group(2)):item_start])


def cut_span(text: str, span_of: Callable[[tuple[Any, ...]], tuple[int, int]], count: int, index: int,
             inside: tuple[int, int]) -> tuple[int, int] | str:
    """The offsets [start, end) to delete to take item ``index`` out of a plan's ``components``
    list of ``count`` items (``span_of`` as for :func:`addition_text`): its own lines and the blank
    lines after them (after the list's last item only when a blank line also stands before it, so
    that the list stays set apart as it was). Or why it cannot be cut cleanly (a key of
    :data:`KEPT_AT_ZERO`): ``inside``, the offsets of its weight, must lie in what is deleted."""
    found = _item_lines(text, span_of, count, index)
    if isinstance(found, str):
        return found
    start, end = found.start, found.own_end
    if not start <= inside[0] <= inside[1] <= end:
        return "layout"
    cut = text[start:end]
    rest = text[:start] + text[end:]
    for name in _ANCHOR.findall(cut):
        if re.search(r"\*" + re.escape(name) + r"(?![^\s,\[\]{}])", rest):
            return "anchor"
    before = text.rfind("\n", 0, start - 1) + 1 if start > 0 else -1
    if index + 1 < count or (before >= 0 and _blank(text[before:start])):
        while end < found.limit:
            line_end = _line_end(text, end)
            if line_end > found.limit or not _blank(text[end:line_end]):
                break
            end = line_end
    return start, end


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
    found = _item_lines(text, span_of, len(items), last)
    if isinstance(found, str):
        return None  # nested dashes or tabs, too unusual to imitate safely
    indent, gap = found.indent, found.gap
    item_start = span_of((last,))[0]
    if text[item_start:item_start + 1] == "{":
        where = found.own_end
        lines = [f"{indent}-{gap}{_flow_item(*n)}" for n in new]
    else:
        # the last item is a block mapping: it ends with its own lines (its x- keys are not in
        # ``items``, yet they are its lines), or after a block scalar's trailing blank lines
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
        where = max(found.own_end, end if end > 0 and text[end - 1] == "\n" else _line_end(text, end))
        pad = " " * (len(indent) + 1 + len(gap))
        lines = []
        for cid, kpi, weight in new:
            lines += [f"{indent}-{gap}id: {cid}", f"{pad}kpi: {kpi}", f"{pad}weight: {weight}"]
    lead = newline if where == len(text) and text and not text.endswith("\n") else ""
    return where, lead + "".join(line + newline for line in lines)
