"""How a cache entry's value is written: plain JSON, with the few types JSON lacks (tuples, dates,
non-text keys, the result's own dataclasses and enums) as tagged objects, rebuilt only from a
fixed list of classes, never by running code named in the data (see ``engine.cache``, which
signs and stores the bytes)."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
from typing import Any

from incentive_lint.base.findings import Anchor, Finding, LintResult, Related, Severity
from incentive_lint.base.source import Loc, Position, Span
from incentive_lint.model.invalid_document import InvalidDocument
from incentive_lint.read.documents import Issue

_TAG = "\x01"

#: the only classes an entry can rebuild (by name, from their fields in order)
_CLASSES: dict[str, Any] = {cls.__name__: cls for cls in (
    Position, Span, Related, Anchor, Finding, LintResult, Issue, InvalidDocument)}
_ENUMS: dict[str, Any] = {"Severity": Severity}


def _exact(value: Any) -> Any:
    """``value`` as JSON data that :func:`_hook` turns back into an equal value of the same types."""
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int:
        return value
    if kind is float:
        return value if value == value and value not in (float("inf"), float("-inf")) else {_TAG: "f", "v": repr(value)}
    if kind is list:
        return [_exact(v) for v in value]
    if kind is tuple:
        return {_TAG: "t", "v": [_exact(v) for v in value]}
    if kind is Loc:
        return {_TAG: "Loc", "v": [value.file, value.doc, _exact(value.path)]}
    if kind is dict:
        if all(type(k) is str for k in value) and _TAG not in value:
            return {k: _exact(v) for k, v in value.items()}
        return {_TAG: "d", "v": [[_exact(k), _exact(v)] for k, v in value.items()]}
    if isinstance(value, enum.Enum) and kind.__name__ in _ENUMS:
        return {_TAG: kind.__name__, "v": value.value}
    if kind is _dt.date:
        return {_TAG: "date", "v": value.isoformat()}
    if kind is _dt.datetime:
        return {_TAG: "datetime", "v": value.isoformat()}
    if kind is frozenset:
        return {_TAG: "fs", "v": sorted((_exact(v) for v in value), key=repr)}
    name = kind.__name__
    if _CLASSES.get(name) is kind:
        return {_TAG: name, "v": [_exact(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init]}
    raise _Unencodable(name)


class _Unencodable(TypeError):
    """A value the cache cannot write faithfully: that entry is simply not written."""


def _hook(obj: dict[str, Any]) -> Any:
    tag = obj.get(_TAG)
    if tag is None:
        return obj
    value = obj["v"]
    if tag == "t":
        return tuple(value)
    if tag == "d":
        return {_hashable(k): v for k, v in value}
    if tag == "Loc":
        return Loc(value[0], value[1], value[2])
    if tag == "f":
        return float(value)
    if tag == "date":
        return _dt.date.fromisoformat(value)
    if tag == "datetime":
        return _dt.datetime.fromisoformat(value)
    if tag == "fs":
        return frozenset(value)
    if tag in _ENUMS:
        return _ENUMS[tag](value)
    cls = _CLASSES.get(tag)
    if cls is None:
        raise ValueError(f"unknown tag {tag!r}")
    return cls(*value)


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        raise ValueError("a list cannot be a key")
    return key


def _fast_default(value: Any) -> Any:
    """For documents: json writes dicts, lists and scalars itself; only the rare others come here."""
    return _exact(value)


def encode(value: Any, plain: bool = False) -> bytes:
    """``value`` as JSON bytes. With ``plain`` (YAML documents: dicts, lists and scalars) the C
    encoder writes it and the result is read back to check it is faithful (a non-text key or a
    tuple is not); if not, the exact encoder writes it."""
    if plain:
        try:
            text = json.dumps(value, default=_fast_default, ensure_ascii=False, separators=(",", ":"),
                              allow_nan=False)
            if _loads(text) == value:
                return text.encode("utf-8", "surrogatepass")
        except (ValueError, TypeError, KeyError, IndexError):  # not faithful: the exact encoder writes it
            pass
    return json.dumps(_exact(value), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8", "surrogatepass")


#: how the tag of a tagged object is written (json escapes the control character it is)
_TAG_TEXT = json.dumps(_TAG).strip('"')


def decode(data: bytes) -> Any:
    return _loads(data.decode("utf-8", "surrogatepass"))


def _loads(text: str) -> Any:
    if _TAG_TEXT not in text:  # no tagged object anywhere: the C decoder alone (most file entries)
        return json.loads(text)
    return json.loads(text, object_hook=_hook)
