"""The rule catalog: every ``rules/<family>/<slug>/rule.yaml``, validated and indexed.

Rules are data. The shipped catalog and the user's own rule folders (named in the config)
use the same format and the same schema (``schemas/rule.schema.json``). No Python is ever
loaded from a rule folder: a rule names a registered check function, or uses the
``expression`` function with a CEL expression.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from incentive_lint.base.errors import CatalogError
from incentive_lint.base.findings import Severity
from incentive_lint.read.files import display_name, read_settings
from incentive_lint.read.locator import Locator
from incentive_lint.base.resources import catalog_dir, load_schema
from incentive_lint.settings.rulespec import RuleSpec, validate_options

FAMILIES = ("input", "clarity", "capability", "engagement")


@dataclass
class Catalog:
    """Rules by slug, with lookups by code, alias and family."""

    rules: dict[str, RuleSpec] = field(default_factory=dict)

    def add(self, spec: RuleSpec) -> None:
        if spec.slug in self.rules:
            raise CatalogError(f"{spec.rule_file}: the rule slug '{spec.slug}' is already used by "
                               f"{self.rules[spec.slug].rule_file}; choose another slug.")
        for other in self.rules.values():
            if spec.code == other.code:
                raise CatalogError(f"{spec.rule_file}: the code '{spec.code}' is already used by rule "
                                   f"'{other.slug}'; choose another code.")
        self.rules[spec.slug] = spec

    def resolve(self, name: str) -> list[RuleSpec]:
        """Rules matching a slug, code, alias or family name (case-insensitive for codes)."""
        if name in self.rules:
            return [self.rules[name]]
        if name in FAMILIES:
            return [r for r in self.sorted() if r.family == name]
        upper = name.upper()
        return [r for r in self.sorted() if r.code.upper() == upper or name in r.aliases]

    def sorted(self) -> list[RuleSpec]:
        return [self.rules[k] for k in sorted(self.rules)]

    def names(self) -> set[str]:
        out = set(self.rules) | set(FAMILIES)
        for r in self.rules.values():
            out.add(r.code)
            out.update(r.aliases)
        return out


@functools.lru_cache(maxsize=None)
def _rule_validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(load_schema("rule.schema.json"))


def load_rule(path: Path, cwd: Path, family_hint: str | None = None, trusted: bool = False) -> RuleSpec:
    """Read and validate one ``rule.yaml``; raise ``CatalogError`` naming file and line.

    ``trusted`` (the shipped catalog, which the test suite validates) skips the schema
    checks so that a run does not pay for importing and running jsonschema."""
    display = display_name(path, cwd)
    parsed = read_settings(path, display, CatalogError)
    text = parsed.table.text if parsed.table is not None else ""
    if len(parsed.documents) != 1 or not isinstance(parsed.documents[0].data, dict):
        raise CatalogError(f"{display}:1:1: a rule file must hold exactly one mapping of rule fields.")
    doc = parsed.documents[0]
    raw: dict[str, Any] = doc.data
    locator = Locator()
    locator.add(parsed)
    errors = [] if trusted else sorted(_rule_validator().iter_errors(raw),
                                       key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        span = locator.span(display, doc.index, tuple(err.absolute_path))
        where = "/".join(str(p) for p in err.absolute_path) or "the rule"
        raise CatalogError(f"{display}:{span.start.line}:{span.start.column}: {where}: {err.message}")
    check = raw.get("check") or {}
    spec = RuleSpec(
        slug=raw["slug"], code=raw["code"], family=raw["family"], severity=Severity.parse(raw["severity"]),
        summary=raw["summary"].strip(), why=str(raw.get("why") or "").strip(), fix=str(raw.get("fix") or "").strip(),
        message=raw["message"], function=check["function"], options=dict(check.get("options") or {}),
        options_schema=dict(raw.get("options_schema") or {"type": "object"}),
        sources=tuple(str(s) for s in raw.get("sources") or ()), aliases=tuple(raw.get("aliases") or ()),
        folder=display_name(path.parent, cwd), rule_file=display)
    if family_hint is not None and spec.family != family_hint:
        raise CatalogError(f"{display}:1:1: the rule says family '{spec.family}' but sits in folder "
                           f"'{family_hint}'; move it or fix the family.")
    _check_function(spec, locator, doc.index, trusted, text.split("\n"))
    return spec


def _check_function(spec: RuleSpec, locator: Locator, doc_index: int, trusted: bool = False,
                    text_lines: list[str] | None = None) -> None:
    from incentive_lint.checks.registry import FUNCTIONS

    if spec.function not in FUNCTIONS:
        span = locator.span(spec.rule_file, doc_index, ("check", "function"))
        known = ", ".join(sorted(FUNCTIONS))
        raise CatalogError(f"{spec.rule_file}:{span.start.line}:{span.start.column}: unknown check function "
                           f"'{spec.function}'; known functions are {known}.")
    problem = None if trusted else validate_options(spec, spec.options)
    if problem is not None:
        path, message = problem
        span = locator.span(spec.rule_file, doc_index, ("check", "options", *path))
        raise CatalogError(f"{spec.rule_file}:{span.start.line}:{span.start.column}: {message}")
    if spec.function == "expression":
        from incentive_lint.checks.expression import compile_error

        for name in ("assert", "when"):
            source = spec.options.get(name)
            if not isinstance(source, str):
                continue
            error = compile_error(source)
            if error is not None:
                span = locator.span(spec.rule_file, doc_index, ("check", "options", name))
                key = locator.span(spec.rule_file, doc_index, ("check", "options", name), key=True)
                line, column, reason = error
                if span.start.line == key.start.line and span.start.line == span.end.line:
                    # A one-line value: point at the very character in the file.
                    # Without the file's text the quote cannot be seen: count the value as unquoted.
                    first_char = (text_lines[span.start.line - 1][span.start.column - 1:span.start.column]
                                  if text_lines is not None else "")
                    quoted = 1 if first_char in ("'", '"') else 0
                    where = f"{span.start.line}:{span.start.column + quoted + column - 1}"
                else:
                    # A block (| or >) starts on the line after its key, indented past it.
                    where = f"{key.start.line + line}:{key.start.column + 2 + column - 1}"
                raise CatalogError(f"{spec.rule_file}:{where}: the CEL expression in '{name}' is broken at "
                                   f"column {column} of the expression: {reason}")


def rule_files(root: Path) -> Iterable[tuple[str, Path]]:
    """(family folder, rule.yaml) pairs under a catalog root, sorted."""
    for path in sorted(root.glob("*/*/rule.yaml")):
        yield path.parent.parent.name, path


@functools.lru_cache(maxsize=None)
def _shipped(cwd: str) -> Catalog:
    catalog = Catalog()
    for family, path in rule_files(catalog_dir()):
        catalog.add(load_rule(path, Path(cwd), family, trusted=True))
    return catalog


def load_catalog(cwd: Path, extra_paths: Iterable[Path] = ()) -> Catalog:
    """The shipped catalog plus the user's rule folders (each holding ``<family>/<slug>/rule.yaml``
    or ``<slug>/rule.yaml``)."""
    shipped = _shipped(str(cwd))
    catalog = Catalog(dict(shipped.rules))
    for root in extra_paths:
        if not root.is_dir():
            raise CatalogError(f"the rule folder '{display_name(root, cwd)}' named in the configuration does not "
                               "exist.")
        files = sorted(set(root.glob("*/rule.yaml")) | set(root.glob("*/*/rule.yaml")))
        if not files:
            raise CatalogError(f"the rule folder '{display_name(root, cwd)}' holds no <slug>/rule.yaml files.")
        for path in files:
            catalog.add(load_rule(path, cwd))
    return catalog


def format_message(template: str, args: Mapping[str, Any]) -> str:
    """Fill a message template; a missing argument shows as its placeholder instead of failing."""
    import string

    class _Safe(dict):  # type: ignore[type-arg]
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    try:
        return string.Formatter().vformat(template, (), _Safe(args))
    except (ValueError, IndexError, KeyError):
        return template
