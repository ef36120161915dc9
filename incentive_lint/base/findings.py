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
or left out by ``--only-files`` never change the exit code. Consequences folded under a
cause count too, through their cause: a consequence is never more severe than its cause
(``engine.fold``), so deciding on the causes gives the code every finding would give.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Tuple

from incentive_lint.base.exit_codes import EXIT_FINDINGS, EXIT_OK
from incentive_lint.base.source import Span


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


#: links of a finding's chain that text, SARIF and the CI formats show; the rest are counted
#: ("and 7,410 more"). A divergence over a large repository has a link per plan; the JSON output
#: and ``Finding.files`` (what ``--only-files`` matches) keep every one.
RELATED_SHOWN = 20


def more_related(omitted: int) -> str:
    """The line that stands for the links not shown."""
    return f"and {omitted:,} more (every one is in the JSON output)"


@dataclass(frozen=True, order=True, slots=True)
class Related:
    """One link of the chain that proves a finding."""

    span: Span
    label: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a finding is about, for folding consequences under their cause (see
    ``engine.fold``). Derived from the finding's rule and place, so it takes no part in a
    finding's equality or order.

    * ``document``: the document the finding sits in (``file#index``);
    * ``node``: the list item of that document it sits in (``$.components[units]``), or empty;
    * ``subjects``: its entity ids with their kind (``("function", "sales")``);
    * ``explains``: what its rule explains, ``(rule, kind)`` pairs from the rule's
      ``explains`` (an empty kind: same document and node).
    """

    document: str = ""
    node: str = ""
    subjects: Tuple[Tuple[str, str], ...] = ()
    explains: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. Ordered by file, line, column, rule.

    ``consequences`` are the findings this one explains (same entity and node, see
    ``engine.fold``): each keeps its own rule, evidence and fingerprint, and is never more
    severe than its cause. ``summarized`` marks an item of a process-hygiene rule that the
    text output lists as one summary line per rule (the ``recommended`` profile)."""

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
    consequences: Tuple[Finding, ...] = ()
    summarized: bool = False
    anchor: Anchor | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple[Any, ...]:
        # The fingerprint breaks the last ties, so that the order never depends on set order.
        return (self.span.file, self.span.start.line, self.span.start.column, self.rule, self.message,
                self.fingerprint)

    def __lt__(self, other: Finding) -> bool:
        return self.sort_key() < other.sort_key()

    def shown_related(self, limit: int = RELATED_SHOWN) -> tuple[Tuple[Related, ...], int]:
        """The links of the chain to show, and how many more there are."""
        if len(self.related) <= limit:
            return self.related, 0
        return self.related[:limit], len(self.related) - limit

    @property
    def full_message(self) -> str:
        """The message with its note (why an exception no longer applies), for one-line formats."""
        return f"{self.message} [{self.note}]" if self.note else self.message

    @property
    def files(self) -> frozenset[str]:
        """Every file the finding's chain touches, and its consequences' chains."""
        return frozenset([self.span.file, *(r.span.file for r in self.related),
                          *(name for c in self.consequences for name in c.files)])

    def with_consequences(self) -> Tuple[Finding, ...]:
        """This finding (without its consequences) followed by each consequence."""
        own = dataclasses.replace(self, consequences=()) if self.consequences else self
        return (own, *self.consequences)


def flatten(findings: Iterable[Finding]) -> list[Finding]:
    """Every finding with its consequences as findings of their own, sorted (undoes folding)."""
    return sorted(item for f in findings for item in f.with_consequences())


def fingerprint(rule: str, entities: Iterable[str], semantic_path: str, file_hint: str = "") -> str:
    """A key that survives moved lines: rule, entity ids and the semantic node path."""
    text = "\x1f".join([rule, *entities, semantic_path, file_hint])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


#: Why a path found for a run was not read (the ``reason`` of a ``file-refused`` finding):
#: key -> (one, several), as the text summary counts them ("2 links outside the folder").
NOT_READ_REASONS: dict[str, tuple[str, str]] = {
    "outside": ("link outside the folder", "links outside the folder"),
    "outside-repository": ("path outside the repository", "paths outside the repository"),
    "loop": ("link loop", "link loops"),
    "broken-link": ("broken link", "broken links"),
    "special": ("pipe, device or socket", "pipes, devices or sockets"),
    "too-large": ("file over the size limit", "files over the size limit"),
    "permission": ("permission denied", "permission denied"),
    "vanished": ("file gone before it was read", "files gone before they were read"),
    "name": ("name not UTF-8", "names not UTF-8"),
    "too-long": ("path too long", "paths too long"),
    "error": ("read error", "read errors"),
}
#: The reason of a file that was read but holds no policy document (no ``kind:``).
NO_KIND = "no-kind"
#: The reason of a file read that holds only another tool's documents (``kind: Deployment``).
NOT_OURS = "not-ours"
#: The reason of the exceptions register (``exceptions.yaml``): read for its exceptions, not linted.
REGISTER = "exceptions-register"
_SKIP_LABELS = {NO_KIND: "no 'kind', not a policy file", NOT_OURS: "another tool's 'kind', not ours",
                REGISTER: "the exceptions register, read for its exceptions",
                **{k: v[0] for k, v in NOT_READ_REASONS.items()}}


def exit_code(worst: Severity | None, fail_on: str = "error", *, exit_zero: bool = False,
              warnings_exit_code: int | None = None) -> int:
    """The exit code of a run whose highest severity shown is ``worst`` (None: no finding); see
    :meth:`LintResult.exit_code`."""
    if exit_zero:
        return EXIT_OK
    if fail_on != "never" and worst is not None and worst >= Severity.parse(fail_on):
        return EXIT_FINDINGS  # fail_on is one of click's choices
    if warnings_exit_code is not None and worst is not None and worst >= Severity.WARNING:
        return warnings_exit_code
    return EXIT_OK


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
    #: exchange rates the sums of money used, '1 JPY = 0.00625 EUR (fx-2025, from 2025-01-01)'
    rates: Tuple[str, ...] = ()
    #: every file whose documents were checked (repository-relative, sorted)
    checked_files: Tuple[str, ...] = ()
    #: (path, reason) of every path found but not checked, sorted; reasons are the keys of
    #: ``NOT_READ_REASONS`` (not read at all), ``NO_KIND`` (read, no policy document),
    #: ``NOT_OURS`` (another tool's documents) or ``REGISTER`` (the exceptions register)
    skipped_files: Tuple[Tuple[str, str], ...] = ()

    def not_read_summary(self) -> str:
        """'3 files not read: 2 links outside the folder, 1 permission denied', or '' when all were read."""
        counts: dict[str, int] = {}
        for _, reason in self.skipped_files:
            if reason not in (NO_KIND, NOT_OURS, REGISTER):  # those were read
                counts[reason] = counts.get(reason, 0) + 1
        if not counts:
            return ""
        total = sum(counts.values())
        parts = [f"{n} {NOT_READ_REASONS.get(r, (r, r))[0 if n == 1 else 1]}"
                 for r, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        return f"{total} file{'s' if total != 1 else ''} not read: {', '.join(parts)}"

    def file_lines(self) -> list[str]:
        """``check --show-files``: one line per file checked or skipped (with its reason), by path."""
        rows = [(path, "checked", "") for path in self.checked_files]
        rows += [(path, "read   " if reason == REGISTER else "skipped", _SKIP_LABELS.get(reason, reason))
                 for path, reason in self.skipped_files]
        return [f"{state}  {path}" + (f"  ({why})" if why else "") for path, state, why in sorted(rows)]

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[f.severity.label] += 1
        return out

    def exit_code(self, fail_on: str = "error", *, exit_zero: bool = False,
                  warnings_exit_code: int | None = None) -> int:
        """0 if nothing reaches ``fail_on`` (error, warning, info or never), else 1; see the module
        docstring for ``warnings_exit_code`` and ``exit_zero``."""
        return exit_code(max((f.severity for f in self.findings), default=None), fail_on, exit_zero=exit_zero,
                         warnings_exit_code=warnings_exit_code)
