"""The proposal as a change to the files: new weight values written over the old ones at the
positions the loader recorded, every other byte kept, and the unified diff a reviewer reads.

Only the characters of each changed ``weight`` value are replaced (``65`` becomes ``0``), so
comments, quoting, key order, flow or block style and line endings stay exactly as they were.
A value whose text is not the number the model read (an alias, a tag) is never rewritten: the
proposal then refuses with the position, rather than guess.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

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


def _offsets(text: str) -> list[int]:
    """The offset where each line starts (lines end at ``\\n`` only, as spans count them)."""
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _number(literal: str) -> float | None:
    try:
        return float(literal.replace("_", ""))
    except ValueError:
        return None


def apply_edits(texts: Mapping[str, str], edits: Sequence[Edit]) -> dict[str, str]:
    """The patched text of every file an edit touches."""
    by_file: dict[str, list[Edit]] = {}
    for e in edits:
        by_file.setdefault(e.file, []).append(e)
    out: dict[str, str] = {}
    for file, mine in sorted(by_file.items()):
        text = texts[file]
        starts = _offsets(text)
        pieces: list[str] = []
        cursor = 0
        for e in sorted(mine, key=lambda e: (e.span.start, e.span.end)):
            begin = starts[e.span.start.line - 1] + e.span.start.column - 1
            end = starts[e.span.end.line - 1] + e.span.end.column - 1
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
        for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                         fromfile=f"a/{file}", tofile=f"b/{file}"):
            chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(chunks)


def read_texts(files: Sequence[str], path_of: Callable[[str], Path]) -> dict[str, str]:
    """The current text of each file, read exactly (no newline translation)."""
    out = {}
    for file in files:
        with open(path_of(file), encoding="utf-8", newline="") as handle:
            out[file] = handle.read()
    return out
