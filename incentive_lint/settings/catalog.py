"""The rule catalog: every ``rules/<family>/<slug>/rule.yaml``, validated and indexed.

Rules are data. The shipped catalog and the user's own rule folders (named in the config)
use the same format and the same schema (``schemas/rule.schema.json``). No Python is ever
loaded from a rule folder: a rule names a registered check function, or uses the
``expression`` function with a CEL expression.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from incentive_lint.base.errors import CatalogError
from incentive_lint.base.findings import Severity
from incentive_lint.read.documents import Issue
from incentive_lint.read.files import display_name, outside_issue, read_settings, repository_root
from incentive_lint.read.locator import Locator
from incentive_lint.base.resources import catalog_dir, load_schema
from incentive_lint.settings.rulespec import RuleSpec, validate_options

FAMILIES = ("input", "clarity", "capability", "engagement")
_CODE_PREFIX = re.compile(r"[A-Z]{2}[0-9]{0,3}")
_CODE_PARTS = re.compile(r"([A-Z]{2})([0-9]{1,4})")


@dataclass
class Catalog:
    """Rules by slug, with lookups by code, alias and family."""

    rules: dict[str, RuleSpec] = field(default_factory=dict)
    #: ``file-refused`` issues: rule files of the user's rule folders that lead outside the repository
    refused: list[Issue] = field(default_factory=list)

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
        """Rules matching a slug, code, alias, family name or code prefix (``EN0``: EN01 to
        EN09; ``EN``: the whole family), case-insensitive for codes and prefixes."""
        if name in self.rules:
            return [self.rules[name]]
        if name in FAMILIES:
            return [r for r in self.sorted() if r.family == name]
        upper = name.upper()
        exact = [r for r in self.sorted() if r.code.upper() == upper or name in r.aliases]
        if exact or not _CODE_PREFIX.fullmatch(upper):
            return exact
        return sorted((r for r in self.rules.values() if r.code.upper().startswith(upper)), key=lambda r: r.code)

    def suggest(self, name: str) -> str | None:
        """The rule name closest to a mistyped ``name``, for "did you mean".

        A code-like name is compared as letters and a number: ``EN1`` suggests ``EN01`` (the
        same number), else the nearest number of that family, never ``EN31`` (close in spelling,
        far in number). Anything else goes by spelling (``base.kinds.suggest``).
        """
        match = _CODE_PARTS.fullmatch(name.strip().upper())
        if match:
            letters, digits = match.group(1), match.group(2)
            numbered = [(int(m.group(2)), r.code) for r in self.rules.values()
                        for m in [_CODE_PARTS.fullmatch(r.code.upper())] if m and m.group(1) == letters]
            if numbered:
                number = int(digits)
                return min(numbered, key=lambda t: (abs(t[0] - number), t[0]))[1]
        from incentive_lint.base.kinds import suggest

        return suggest(name, sorted(self.names()))

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
        folder=display_name(path.parent, cwd), rule_file=display,
        explains=_explains(raw.get("explains") or ()), process_hygiene=bool(raw.get("process_hygiene", False)),
        scope=str(raw.get("scope") or "repository"))
    if family_hint is not None and spec.family != family_hint:
        raise CatalogError(f"{display}:1:1: the rule says family '{spec.family}' but sits in folder "
                           f"'{family_hint}'; move it or fix the family.")
    _check_function(spec, locator, doc.index, trusted, text.split("\n"))
    return spec


def _explains(raw: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    """``explains`` entries as (rule, kind) pairs; a bare slug has the empty kind."""
    out = []
    for item in raw:
        if isinstance(item, dict):
            out.append((str(item.get("rule", "")), str(item.get("same", ""))))
        else:
            out.append((str(item), ""))
    return tuple(out)


def check_relations(catalog: Catalog) -> None:
    """Every ``explains`` names a rule of the catalog, and no two rules explain each other
    (directly or through others): a cause must stay a cause. A rule may explain itself (two
    priorities needing the same missing function are one decision)."""
    for spec in catalog.sorted():
        for slug, _ in spec.explains:
            if slug not in catalog.rules:
                raise CatalogError(f"{spec.rule_file}: 'explains' names the rule '{slug}', which is not in the "
                                   f"catalog; use the slug of an existing rule or remove it.")
    edges = {spec.slug: sorted({s for s, _ in spec.explains} - {spec.slug}) for spec in catalog.sorted()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(slug: str, path: list[str]) -> None:
        state[slug] = 1
        for nxt in edges[slug]:
            if state.get(nxt) == 1:
                cycle = " -> ".join([*path[path.index(nxt):], nxt]) if nxt in path else f"{slug} -> {nxt}"
                raise CatalogError(f"{catalog.rules[nxt].rule_file}: 'explains' makes a cycle ({cycle}); a rule "
                                   f"cannot explain a rule that explains it. Remove one of the entries.")
            if state.get(nxt) is None:
                visit(nxt, [*path, nxt])
        state[slug] = 2

    for slug in sorted(edges):
        if slug not in state:
            visit(slug, [slug])


def _check_function(spec: RuleSpec, locator: Locator, doc_index: int, trusted: bool = False,
                    text_lines: list[str] | None = None) -> None:
    # the shipped rules' functions and options are pinned by tests/test_catalog.py: importing every
    # check to look theirs up cost a cached run 45 ms
    if not trusted:
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
        from incentive_lint.checks.expression import GIVEN, compile_error, static_problems

        given = spec.options.get("given")
        for name, ok in (("given", given in GIVEN), ("assert", isinstance(spec.options.get("assert"), str))):
            if not ok:
                span = locator.span(spec.rule_file, doc_index, ("check", "options", name))
                what = f"one of {', '.join(GIVEN)}" if name == "given" else "a CEL expression that must be true"
                raise CatalogError(f"{spec.rule_file}:{span.start.line}:{span.start.column}: an expression rule "
                                   f"needs 'check: options: {name}:', {what}.")
        for name in ("assert", "when"):
            source = spec.options.get(name)
            if not isinstance(source, str):
                continue
            error, broken = compile_error(source), "is broken at"
            if error is None:
                # Names the rule's 'given' does not provide, functions CEL does not have: fail closed now.
                problems = static_problems(source, str(given))
                error, broken = (problems[0] if problems else None), "uses an unknown name at"
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
                raise CatalogError(f"{spec.rule_file}:{where}: the CEL expression in '{name}' {broken} "
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
    check_relations(catalog)
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
        repository = repository_root(root)
        for path in files:
            # a rule.yaml that is a link leading out of the repository is not read
            outside = outside_issue(path, display_name(path, cwd), repository)
            if outside is not None:
                catalog.refused.append(outside)
                continue
            catalog.add(load_rule(path, cwd))
    check_relations(catalog)  # user rules may name shipped rules, and the other way round
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
