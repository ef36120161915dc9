"""A small HTML/SVG builder that escapes every value unless it was built here.

Text from the policy repository reaches the report as plain ``str`` and is always escaped;
only :class:`Safe` strings -- produced by :func:`el` and :func:`raw` from this package's own
constants -- are inserted as markup. That gives the report a templating engine's auto-escaping
without a dependency, and keeps the output byte-for-byte deterministic.
"""
from __future__ import annotations

import html
import re
from typing import Iterable, Mapping, Union

#: C0/C1 control characters other than tab and line breaks: not allowed in HTML text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9:-]*$")


class Safe(str):
    """Markup built by this module (never text read from a document)."""

    __slots__ = ()


Child = Union["Safe", str, int, float, None, Iterable["Child"]]


def esc(value: object) -> Safe:
    """Escape text (and attribute values) for HTML and SVG."""
    if isinstance(value, Safe):
        return value
    return Safe(html.escape(_CONTROL.sub("\ufffd", str(value)), quote=True))


def raw(markup: str) -> Safe:
    """Trust a literal of this package (CSS, an entity); never call it with document text."""
    return Safe(markup)


def _number(value: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros (stable output)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _children(items: Iterable[Child]) -> Iterable[str]:
    for item in items:
        if item is None:
            continue
        if isinstance(item, (str, Safe)):
            yield esc(item)
        elif isinstance(item, bool):
            yield esc(str(item))
        elif isinstance(item, (int, float)):
            yield esc(_number(item) if isinstance(item, float) else str(item))
        else:
            yield from _children(item)


def attrs(values: Mapping[str, object]) -> str:
    out = []
    for name, value in values.items():
        name = name.rstrip("_").replace("_", "-")
        if not _NAME.match(name):
            raise ValueError(f"bad attribute name {name!r}")
        if value is None or value is False:
            continue
        if value is True:
            out.append(f" {name}")
        else:
            text = _number(value) if isinstance(value, float) else str(value)
            out.append(f' {name}="{esc(text)}"')
    return "".join(out)


VOID = frozenset({"meta", "br", "hr", "img", "link", "col", "input"})


def el(tag: str, attributes: Mapping[str, object] | None = None, *children: Child) -> Safe:
    """``<tag attrs>children</tag>``; text children and attribute values are escaped."""
    if not _NAME.match(tag):
        raise ValueError(f"bad tag name {tag!r}")
    head = f"<{tag}{attrs(attributes or {})}>"
    if tag in VOID:
        return Safe(head)
    return Safe(head + "".join(_children(children)) + f"</{tag}>")


def join(*parts: Child) -> Safe:
    return Safe("".join(_children(parts)))
