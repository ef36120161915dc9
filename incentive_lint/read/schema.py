"""Schema validation of documents, with messages a compensation analyst can act on.

Validity is decided by jsonschema-rs (fast); only documents that fail are run through
jsonschema to collect every violation with its path. Schemas are read from the package;
no ``$ref`` is ever fetched from the network. :func:`validate_some` bounds the work on a
document with thousands of violations; :func:`missing_kind` reports what looks like a policy
document but would be skipped (our ``schema:`` header without a ``kind``, a list of documents).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import AbstractSet, Any, Callable, Iterator

from incentive_lint.base.kinds import KIND_SCHEMAS, suggest
from incentive_lint.base.resources import load_schema
from incentive_lint.base.source import NodePath, Span, render_path
from incentive_lint.read.documents import Document, Issue, ParsedFile
from incentive_lint.read.parse import node_span


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
    return validate_some(kind, data).violations


@dataclass(frozen=True)
class Validation:
    """The violations of one document: those to report, how many more, and where the others are."""

    #: violations to report, at most the limit asked for (sorted by path)
    violations: list[Violation]
    #: further violations to report, only counted (their suggestions are never computed)
    more: int = 0
    #: paths of violations at or under a path that already has a reading issue (not reported)
    covered: tuple[NodePath, ...] = ()

    @property
    def valid(self) -> bool:
        return not (self.violations or self.more or self.covered)

    @functools.cached_property
    def _prefixes(self) -> frozenset[NodePath]:
        paths = [v.path for v in self.violations] + list(self.covered)
        return frozenset(p[:n] for p in paths for n in range(len(p) + 1))

    def touches(self, path: NodePath) -> bool:
        """Whether a violation (reported or covered) sits at or under ``path``."""
        return path in self._prefixes


def validate_some(kind: str, data: Any, limit: int | None = None,
                  covered: AbstractSet[NodePath] = frozenset()) -> Validation:
    """The violations of ``data`` against the schema of ``kind``: up to ``limit`` of them explained,
    the rest counted; a violation at or under a path in ``covered`` (a reading issue is there
    already) is only recorded. Prefixes are looked up in a set, so thousands of issues in one
    document cost no more than one each."""
    fast = _fast_validator(kind)
    if fast is not None and fast.is_valid(data):
        return Validation([])
    validator = _full_validator(kind)
    seen: set[tuple[NodePath, str, str]] = set()
    out: list[Violation] = []
    under: list[NodePath] = []
    more = 0
    for error in validator.iter_errors(data):
        for violation in _explain(error, lambda: limit is None or len(out) < limit):
            path = violation.path
            if covered and any(path[:n] in covered for n in range(len(path) + 1)):
                under.append(path)
                continue
            key = (path, violation.keyword, violation.message)
            if key in seen:
                continue
            seen.add(key)
            if limit is None or len(out) < limit:
                out.append(violation)
            else:
                more += 1
    out.sort(key=lambda v: (tuple(str(p) for p in v.path), v.message))
    return Validation(out, more, tuple(under))


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


def _explain(error: Any, hints: Callable[[], bool] = lambda: True) -> Iterator[Violation]:
    """The violations of one error; ``hints()`` says, per violation, whether a suggestion is still worth
    computing (past the findings cap it is not: the violation is only counted)."""
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
        names = sorted(allowed)
        listing = f"; allowed fields are {', '.join(names)}."
        for extra in sorted(k for k in value if k not in allowed and not any(k.startswith("x-") for _ in patterns)):
            hint = suggest(extra, names) if hints() else None
            tip = f"; did you mean '{hint}'?" if hint else listing
            yield Violation((*path, extra), f"'{extra}' is not a field here{tip}", on_key=True, keyword=keyword)
        return
    if keyword == "enum":
        hint = suggest(str(value), [str(v) for v in error.validator_value]) if hints() else None
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


# --------------------------------------------------------------------------- documents without a kind

#: the ``schema:`` value of our documents starts with this
SCHEMA_PREFIX = "incentive-lint/"


def _ours(data: Any) -> bool:
    """A mapping with our ``schema:`` header, or with a ``kind`` we know."""
    if not isinstance(data, dict):
        return False
    header, kind = data.get("schema"), data.get("kind")
    return (isinstance(header, str) and header.startswith(SCHEMA_PREFIX)) or (isinstance(kind, str)
                                                                             and kind in KIND_SCHEMAS)


@functools.lru_cache(maxsize=None)
def _top_fields() -> frozenset[str]:
    """The top-level field names of every kind: such a key is never a misspelt 'kind' ('id' is close)."""
    names: set[str] = set()
    for kind in KIND_SCHEMAS:
        names.update(load_schema(KIND_SCHEMAS[kind]).get("properties", {}))
    return frozenset(names)


def missing_kind(parsed: ParsedFile, doc: Document) -> Issue | None:
    """The issue of a document that looks like ours but has no usable ``kind`` (our ``schema:``
    header, a misspelt ``kind`` key, a list of our documents), which would otherwise be skipped."""
    data = doc.data
    kinds = ", ".join(sorted(KIND_SCHEMAS))
    if isinstance(data, list):
        if not any(_ours(item) for item in data):
            return None
        return Issue("schema-violation", node_span(parsed, doc, ()),
                     "this file holds a list of policy documents, so none of them is checked; write each document "
                     "as its own YAML document separated by '---' lines, without the leading '- '.",
                     doc_index=doc.index)
    if not _ours(data):
        return None
    if "kind" in data:
        return Issue("schema-violation", node_span(parsed, doc, ("kind",)),
                     f"'kind' must be the name of a document kind ({kinds}); got {_show(data['kind'])}.",
                     ("kind",), doc_index=doc.index)
    known = _top_fields()
    lookalike = next((k for k in data if isinstance(k, str) and k not in known and suggest(k, ["kind"]) == "kind"),
                     None)
    if lookalike is not None:
        return Issue("schema-violation", node_span(parsed, doc, (lookalike,), key=True),
                     f"the key '{lookalike}' looks like 'kind'; write 'kind' (lower case), or this document is "
                     "not checked.", (lookalike,), doc_index=doc.index)
    return Issue("schema-violation", Span(parsed.file, doc.span.start, doc.span.start),
                 f"this document has the header 'schema: {data.get('schema')}' but no 'kind', so it is not checked; "
                 f"add a line 'kind: ...' naming its kind ({kinds}).", doc_index=doc.index)
