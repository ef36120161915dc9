"""Positions in source files: 1-based line/column spans, node paths and locations (``Loc``).

Line numbers count ``\\n`` only, as git and GitHub do (YAML itself also counts ``\\r``,
U+2028 and U+2029, which would shift every later line in a code review).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple, Tuple, Union

PathItem = Union[str, int]
NodePath = Tuple[PathItem, ...]


class Loc(NamedTuple):
    """Where an entity or field is: file, document index and node path (a tuple: cheap to
    make by the ten thousand, immutable and hashable)."""

    file: str
    doc: int
    path: NodePath = ()

    def at(self, *more: str | int) -> Loc:
        return Loc(self.file, self.doc, (*self.path, *more))


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A region of one file; ``file`` is a repo-relative POSIX path."""

    file: str
    start: Position
    end: Position

    @classmethod
    def at(cls, file: str, line: int, column: int = 1) -> Span:
        pos = Position(line, column)
        return cls(file, pos, pos)


class LineTable:
    """Turns character offsets into (line, column), counting only ``\\n`` as a line break.

    The table is built on the first lookup: most files never need a position.
    """

    __slots__ = ("_text", "_starts")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def _build(self) -> list[int]:
        text = self._text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts
        return starts

    @property
    def text(self) -> str:
        return self._text

    def position(self, index: int) -> Position:
        starts = self._starts if self._starts is not None else self._build()
        line = bisect.bisect_right(starts, index) - 1
        return Position(line + 1, index - starts[line] + 1)


def render_path(path: NodePath) -> str:
    """Render a node path the way messages show it: ``$.components[0].weight``."""
    out = ["$"]
    for item in path:
        if isinstance(item, int):
            out.append(f"[{item}]")
        else:
            out.append(f".{item}")
    return "".join(out)
