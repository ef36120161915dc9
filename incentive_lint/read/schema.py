"""Schema validation of documents, with messages a compensation analyst can act on.

Validity is decided by jsonschema-rs (fast); only documents that fail are run through
jsonschema to collect every violation with its path. Schemas are read from the package;
no ``$ref`` is ever fetched from the network.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Iterator

from incentive_lint.base.kinds import KIND_SCHEMAS, suggest
from incentive_lint.base.resources import load_schema
from incentive_lint.base.source import NodePath, render_path


@dataclass(frozen=True)
class Violation:
    """One schema violation: where, what, and whether it sits on a key rather than a value."""

    path: NodePath
    message: str
    on_key: bool = False
    keyword: str = ""


@functools.lru_cache(maxsize=None)
def _fast_validator(kind: str) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - optional speed-up
        return None
    return jsonschema_rs.Draft7Validator(load_schema(KIND_SCHEMAS[kind]))


def _refuse(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    # referencing's attrs classes are declared through a pyright-only ``__dataclass_transform__``
    # stub that mypy does not understand, so it sees no ``ref`` parameter; it is the documented API.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@functools.lru_cache(maxsize=None)
def _full_validator(kind: str) -> Any:
    import jsonschema
    from referencing import Registry

    schema = load_schema(KIND_SCHEMAS[kind])
    # ``retrieve`` is Registry's documented keyword; mypy misses it for the same reason as in ``_refuse``.
    return jsonschema.Draft7Validator(schema, registry=Registry(retrieve=_refuse))  # type: ignore[call-arg]


def validate(kind: str, data: Any) -> list[Violation]:
    """All violations of ``data`` against the schema of ``kind`` (empty when valid)."""
    fast = _fast_validator(kind)
    if fast is not None and fast.is_valid(data):
        return []
    validator = _full_validator(kind)
    seen: set[tuple[NodePath, str, str]] = set()
    out: list[Violation] = []
    for error in validator.iter_errors(data):
        for violation in _explain(error):
            key = (violation.path, violation.keyword, violation.message)
            if key not in seen:
                seen.add(key)
                out.append(violation)
    out.sort(key=lambda v: (tuple(str(p) for p in v.path), v.message))
    return out


def _field(path: NodePath) -> str:
    for item in reversed(path):
        if isinstance(item, str):
            return item
    return "this document"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, dict):
        return "a mapping of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(schema: Any) -> str:
    """What a schema expects, in plain words ("a number from 0 to 100")."""
    if not isinstance(schema, dict):
        return "a valid value"
    if "const" in schema:
        return _show(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(_show(v) for v in schema["enum"])
    for combo in ("oneOf", "anyOf"):
        if combo in schema:
            return " or ".join(describe(s) for s in schema[combo])
    kind = schema.get("type")
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if kind in ("number", "integer"):
        noun = "a whole number" if kind == "integer" else "a number"
        if lo is not None and hi is not None:
            return f"{noun} from {_show(lo)} to {_show(hi)}"
        if lo is not None:
            return f"{noun} of at least {_show(lo)}"
        if hi is not None:
            return f"{noun} of at most {_show(hi)}"
        return noun
    if kind == "string":
        pattern = schema.get("pattern", "")
        if "[0-9]{4}-" in pattern:
            return "a date written YYYY-MM-DD"
        if pattern.startswith("^[a-z0-9]"):
            return "an id in lower-case words joined by hyphens (like 'ip-sales-2025')"
        return "text"
    if kind == "boolean":
        return "true or false"
    if kind == "array":
        return "a list"
    if kind == "object":
        return "a mapping of fields"
    if isinstance(kind, list):
        return " or ".join(describe({**schema, "type": k}) for k in kind)
    return "a valid value"


def _explain(error: Any) -> Iterator[Violation]:
    path: NodePath = tuple(error.absolute_path)
    keyword = error.validator
    name = _field(path)
    schema = error.schema
    value = error.instance
    if keyword == "required":
        missing = [r for r in error.validator_value if not isinstance(value, dict) or r not in value]
        for field in missing:
            where = "the document" if not path else f"'{render_path(path)}'"
            yield Violation(path, f"{where} is missing the required field '{field}'; add it.", keyword=keyword)
        return
    if keyword == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        for extra in sorted(k for k in value if k not in allowed and not any(k.startswith("x-") for _ in patterns)):
            hint = suggest(extra, sorted(allowed))
            tip = f"; did you mean '{hint}'?" if hint else f"; allowed fields are {', '.join(sorted(allowed))}."
            yield Violation((*path, extra), f"'{extra}' is not a field here{tip}", on_key=True, keyword=keyword)
        return
    if keyword == "enum":
        hint = suggest(str(value), [str(v) for v in error.validator_value])
        tip = f"; did you mean '{hint}'?" if hint else ""
        yield Violation(path, f"'{name}' must be {describe(schema)}; got {_show(value)}{tip}", keyword=keyword)
        return
    if keyword in ("oneOf", "anyOf"):
        yield Violation(path, f"'{name}' must be {describe(schema)}; got {_show(value)}", keyword=keyword)
        return
    if keyword in ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern", "const"):
        yield Violation(path, f"'{name}' must be {describe(schema)}; got {_show(value)}", keyword=keyword)
        return
    if keyword == "minItems":
        yield Violation(path, f"'{name}' must list at least {error.validator_value} item(s).", keyword=keyword)
        return
    if keyword == "uniqueItems":
        yield Violation(path, f"'{name}' lists the same item twice; remove the repeat.", keyword=keyword)
        return
    if keyword == "propertyNames":
        yield Violation(path, f"the keys of '{name}' must be {describe(error.validator_value)}.", keyword=keyword)
        return
    yield Violation(path, f"'{name}': {error.message}", keyword=keyword)
