"""The metadata of one rule, as read from its ``rule.yaml`` (see ``catalog``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Tuple

from incentive_lint.base.findings import Severity

DOCS_BASE = "https://github.com/incentive-lint/incentive-lint/blob/main/rules"
#: the bibliography of the shipped rules' source keys (``docs/sources.md``); each key has an
#: anchor of its own, the key in lower case (pinned by ``tests/test_sources.py``)
SOURCES_DOC = "https://github.com/incentive-lint/incentive-lint/blob/main/docs/sources.md"


def source_uri(key: str) -> str:
    """Where a source key of a shipped rule is explained (``Kerr75`` -> ``...sources.md#kerr75``)."""
    return f"{SOURCES_DOC}#{key.lower()}"


@dataclass(frozen=True)
class RuleSpec:
    """A rule: identity, default severity, documentation, message template and check."""

    slug: str
    code: str
    family: str
    severity: Severity
    summary: str
    why: str = ""
    fix: str = ""
    message: str = ""
    function: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    options_schema: Mapping[str, Any] = field(default_factory=dict)
    sources: Tuple[str, ...] = ()
    aliases: Tuple[str, ...] = ()
    folder: str = ""
    rule_file: str = ""
    #: the rules whose findings this rule's findings explain, as (rule, kind) pairs: with an
    #: empty kind on the same document and list item (one plan component, one KPI), else
    #: sharing an entity of that kind (one function, one offer); see ``engine.fold``
    explains: Tuple[Tuple[str, str], ...] = ()
    #: about process rather than pay (e.g. no participation record): in the recommended
    #: profile the text output shows one summary line for all its findings
    process_hygiene: bool = False
    #: ``plan``: looks at one plan at a time (see ``Model.focused``); ``repository``: across plans
    scope: str = "repository"

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}/{self.family}/{self.slug}/rule.yaml"

    @property
    def shipped(self) -> bool:
        """Whether the rule is one of incentive-lint's own (not a repository's user rule): only
        those have pages and sources on the project's site."""
        from incentive_lint.base.resources import catalog_dir

        if not self.folder:
            return True
        try:
            return Path(self.folder).resolve().is_relative_to(catalog_dir().resolve())
        except OSError:
            return False

    def source_links(self) -> tuple[tuple[str, str], ...]:
        """(key, address in the bibliography) of each source, for shipped rules; none for user rules."""
        return tuple((key, source_uri(key)) for key in self.sources) if self.shipped else ()


def validate_options(spec: RuleSpec, options: Mapping[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """Check options against the rule's ``options_schema``: (path, message) of the first problem."""
    if not options:
        return None  # nothing to check: an empty mapping is valid for every rule
    import jsonschema

    validator = jsonschema.Draft7Validator(dict(spec.options_schema))
    for error in sorted(validator.iter_errors(dict(options)), key=lambda e: list(map(str, e.path))):
        path = tuple(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = sorted((spec.options_schema.get("properties") or {}))
            extra = sorted(set(options) - set(allowed))
            name = extra[0] if extra else "?"
            return (name,), (f"rule '{spec.slug}' has no option '{name}'; its options are "
                             f"{', '.join(allowed) or 'none'}.")
        where = ".".join(path) or "options"
        return path, f"option '{where}' of rule '{spec.slug}': {error.message}"
    return None
