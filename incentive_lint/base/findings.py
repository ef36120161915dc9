"""Findings and the result of a run, including the exit-code contract.

Exit codes (the one place they are defined):

* ``0`` -- no finding at or above ``--fail-on``.
* ``1`` -- at least one finding at or above ``--fail-on``.
* ``2`` -- the tool could not do its job: a bad option, an unreadable path, a broken
  configuration or an internal error. Broken policy data is a finding, never exit 2.
* ``N`` -- only with ``--warnings-exit-code N`` (3 to 125): no finding reaches ``--fail-on``,
  but at least one reported finding is a warning or an error (possible with
  ``--fail-on never``). Info findings never cause it. Meant for CI systems that show a
  third state, e.g. GitLab ``allow_failure: exit_codes: [N]``.

``--exit-zero`` turns 1 and N into 0 (it wins over ``--warnings-exit-code``); 2 stays 2.
Only reported findings count: those accepted by an exception, a baseline, ``--new-since``
or left out by ``--only-files`` never change the exit code.
"""
from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Tuple

from incentive_lint.base.source import Span

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_TOOL_ERROR = 2


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so that ``ERROR > WARNING > INFO``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


FrozenArgs = Tuple[Tuple[str, Any], ...]


def freeze(value: Any) -> Any:
    """Turn dicts and lists into tuples so that findings stay hashable."""
    if isinstance(value, Mapping):
        return tuple((str(k), freeze(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [freeze(v) for v in value]
        return tuple(sorted(items, key=repr)) if isinstance(value, (set, frozenset)) else tuple(items)
    return value


def thaw_pairs(pairs: FrozenArgs) -> dict[str, Any]:
    return {k: v for k, v in pairs}


@dataclass(frozen=True, order=True, slots=True)
class Related:
    """One link of the chain that proves a finding."""

    span: Span
    label: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. Ordered by file, line, column, rule."""

    span: Span
    rule: str
    code: str
    family: str
    severity: Severity
    message: str
    template: str = ""
    args: FrozenArgs = ()
    path: str = "$"
    entities: Tuple[str, ...] = ()
    evidence: FrozenArgs = ()
    related: Tuple[Related, ...] = ()
    fingerprint: str = ""
    note: str = ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.span.file, self.span.start.line, self.span.start.column, self.rule, self.message)

    def __lt__(self, other: Finding) -> bool:
        return self.sort_key() < other.sort_key()

    @property
    def full_message(self) -> str:
        """The message with its note (why an exception no longer applies), for one-line formats."""
        return f"{self.message} [{self.note}]" if self.note else self.message

    @property
    def files(self) -> frozenset[str]:
        """Every file the finding's chain touches."""
        return frozenset([self.span.file, *(r.span.file for r in self.related)])


def fingerprint(rule: str, entities: Iterable[str], semantic_path: str, file_hint: str = "") -> str:
    """A key that survives moved lines: rule, entity ids and the semantic node path."""
    text = "\x1f".join([rule, *entities, semantic_path, file_hint])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class LintResult:
    """Everything a reporter needs: sorted findings plus what was checked."""

    findings: Tuple[Finding, ...]
    files_checked: int = 0
    files_skipped: int = 0
    documents: int = 0
    as_of: str = ""
    rules_run: Tuple[str, ...] = ()
    root: str = "."
    suppressed: Tuple[Finding, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[f.severity.label] += 1
        return out

    def exit_code(self, fail_on: str = "error", *, exit_zero: bool = False,
                  warnings_exit_code: int | None = None) -> int:
        """0 if nothing reaches ``fail_on`` (error, warning, info or never), else 1; see the module
        docstring for ``warnings_exit_code`` and ``exit_zero``."""
        if exit_zero:
            return EXIT_OK
        if fail_on != "never":
            threshold = Severity.parse(fail_on)
            if any(f.severity >= threshold for f in self.findings):
                return EXIT_FINDINGS
        if warnings_exit_code is not None and any(f.severity >= Severity.WARNING for f in self.findings):
            return warnings_exit_code
        return EXIT_OK
