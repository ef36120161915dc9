"""A document left out of the model (``InvalidDocument``): a plain record the cache stores and
the engine reads, in a module of its own so that neither imports the model to use it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incentive_lint.base.source import Span


@dataclass(frozen=True)
class InvalidDocument:
    """A document left out of the model because it failed validation (or its kind is misspelt).

    Its ids are still read, defensively, so that references to it are known (not dangling)
    and the findings that depend on it can be held back (see ``engine/invalid.py``)."""

    file: str
    doc: int
    #: the kind its ids are read as: the declared one, or the one suggested for a misspelt kind
    kind: str
    #: the document's own ``id`` when it is a string
    id: str | None
    #: the document as read (plain data; only its ids are used)
    data: Any
    #: where the document names itself (its ``id``, else its ``kind``)
    at: Span
    #: the lines of its errors, ascending
    error_lines: tuple[int, ...] = ()
