"""The metadata of one rule, as read from its ``rule.yaml`` (see ``catalog``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Tuple

from incentive_lint.base.findings import Severity

DOCS_BASE = "https://github.com/incentive-lint/incentive-lint/blob/main/rules"


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

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}/{self.family}/{self.slug}/rule.yaml"
