"""Exceptions: findings a company has accepted, each with a reason and an end date.

Two ways to write one:

* **Inline**, in a policy file, as a comment on the finding's line or on a comment line
  just above it (blank and comment lines in between are skipped)::

      weight: 60  # incentive-lint: ignore[volume-pay-under-outcome-shift] reason="Pilot agreed by the board" until=2025-12-31

  Keys: ``reason`` (required), ``until`` (required, ``YYYY-MM-DD``, the last day it
  applies), ``owner``, ``approved_by`` and ``ticket`` (optional). Values with spaces are
  quoted. ``ignore[a, b]`` names several rules (slug or code; families are refused: an
  exception accepts one specific problem). It applies to findings of those rules whose
  location starts on that line.

* **In the register**, for people who must not edit plan files: a YAML list in
  ``exceptions.yaml`` next to ``.incentive-lint.yaml`` (or in the folder being checked
  when there is no configuration file; another file with the ``exceptions:`` key)::

      - rule: volume-pay-under-outcome-shift   # slug or code
        target: ip-sales-2025                  # an entity id, a finding's fingerprint, or a file
        reason: Billing platform selection closes Q2
        owner: Head of Reward
        approved_by: Remuneration Committee 2025-01-14
        until: 2025-06-30
        ticket: REM-112                        # optional

  All keys but ``ticket`` are required. A ``target`` matches a finding that has that
  entity id, that fingerprint, or that file as its primary location. A default-named
  ``exceptions.yaml`` whose top level is a policy document (it has ``kind:``) is not a
  register and is left alone.

Fail closed: an exception that has expired (``until`` before ``--as-of``) or is malformed
suppresses nothing; the finding is reported with a ``note`` saying why, malformed
exceptions are findings of ``invalid-exception``, and exceptions that match no finding
(also when their rule is switched off) are findings of ``unused-exception``. Those two
rules cannot themselves be suppressed by exceptions (switch them off in the
configuration). Suppressed findings go to ``LintResult.suppressed`` with a note naming the
exception.
"""
from __future__ import annotations

import os
import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from incentive_lint.base.errors import ConfigError
from incentive_lint.base.findings import Finding
from incentive_lint.base.kinds import suggest
from incentive_lint.read.documents import Issue
from incentive_lint.read.files import (is_inside, outside_issue, read_text, relative_name, repository_root,
                                      root_name, unreadable)
from incentive_lint.read.parse import find_node, parse_text
from incentive_lint.base.source import Position, Span

if TYPE_CHECKING:
    from incentive_lint.settings.catalog import Catalog
    from incentive_lint.settings.config import Config
    from incentive_lint.engine.workspace import LintOptions, Workspace

REGISTER_NAME = "exceptions.yaml"
INVALID = "invalid-exception"
UNUSED = "unused-exception"
#: rules about exceptions themselves; an exception cannot silence them
OWN_RULES = frozenset({INVALID, UNUSED})

#: ``# incentive-lint: ...`` starting a YAML comment (at the line start or after a blank)
DIRECTIVE = re.compile(r"(?:^|(?<=\s))#\s*incentive-lint\s*:(?P<body>.*)$")
IGNORE = re.compile(r"\s*ignore\s*\[(?P<rules>[^\]]*)\](?P<rest>.*)$")
PAIR = re.compile(r"\s*(?P<key>[A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?P<value>\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s\"']+)")
BLANK = re.compile(r"\s*$")
#: problems reported per exception at most (a hostile comment could hold thousands)
MAX_PROBLEMS = 5
INLINE_KEYS = ("reason", "until", "owner", "approved_by", "ticket")
REGISTER_KEYS = ("rule", "target", "reason", "owner", "approved_by", "until", "ticket")
REGISTER_REQUIRED = ("rule", "target", "reason", "owner", "approved_by", "until")
TEMPLATE = ('# incentive-lint: ignore[RULE] reason="why it is accepted" until=YYYY-MM-DD')
#: reasons that are still a template's placeholder (this module's, the editor's code action):
#: an exception nobody explained is refused like one with no reason (fail closed)
PLACEHOLDER_REASONS = frozenset({"why it is accepted", "why this is accepted", "why", "…", "...", "todo", "tbd"})


@dataclass
class ExceptionEntry:
    """One exception as written, plus what this run made of it."""

    source: str  # "inline" or "register"
    span: Span  # where it is written
    rule_text: str  # the rule names as written
    rules: tuple[str, ...] = ()  # resolved rule slugs
    target: str = ""  # register: entity id, fingerprint or file
    file: str = ""  # inline: the file it applies to
    line: int = 0  # inline: the line it applies to
    reason: str = ""
    owner: str = ""
    approved_by: str = ""
    until: _dt.date | None = None
    until_text: str = ""
    ticket: str = ""
    problems: list[str] = field(default_factory=list)
    #: findings this exception matched in the last run (suppressed or re-raised)
    matched: list[Finding] = field(default_factory=list)
    #: rules it names that did not run (switched off by the configuration)
    off: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.span.file}:{self.span.start.line}"

    def expired(self, as_of: _dt.date) -> bool:
        return self.until is not None and self.until < as_of

    def status(self, as_of: _dt.date) -> str:
        """``invalid``, ``expired``, ``unused`` or ``active`` (after :func:`apply_exceptions`)."""
        if self.problems:
            return "invalid"
        if self.expired(as_of):
            return "expired"
        return "active" if self.matched else "unused"

    def covers(self, finding: Finding) -> bool:
        if finding.rule not in self.rules:
            return False
        if self.source == "inline":
            return finding.span.file == self.file and finding.span.start.line == self.line
        target = self.target
        return bool(target) and (target == finding.fingerprint or target in finding.entities
                                 or target == finding.span.file)


# --------------------------------------------------------------------------- parsing


def _resolve_rules(names: Sequence[str], catalog: Catalog, problems: list[str]) -> tuple[str, ...]:
    slugs: list[str] = []
    for name in names:
        if name in OWN_RULES:
            problems.append(f"'{name}' cannot be accepted by an exception; switch it off in .incentive-lint.yaml "
                            "instead")
            continue
        if name in ("input", "clarity", "capability", "engagement", "all", "ALL", "*"):
            problems.append(f"'{name}' is a family of rules, not one rule; an exception names the rule it accepts "
                            "(slug or code, see 'incentive-lint rules')")
            continue
        found = catalog.resolve(name)
        if len(found) != 1:
            hint = suggest(name, sorted(catalog.names()))
            tip = f"; did you mean '{hint}'?" if hint else "; run 'incentive-lint rules' for the list"
            problems.append(f"there is no rule named '{name}'{tip}")
            continue
        slug = found[0].slug
        if slug in OWN_RULES:
            problems.append(f"'{name}' cannot be accepted by an exception; switch it off in .incentive-lint.yaml "
                            "instead")
            continue
        if slug not in slugs:
            slugs.append(slug)
    return tuple(slugs)


def _parse_until(value: Any, problems: list[str], prefix: str) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = str(value).strip() if value is not None else ""
    if not text:
        problems.append(f"{prefix}until is empty; write the last day the exception applies as YYYY-MM-DD")
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return _dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{prefix}until={text} is not a date written YYYY-MM-DD (for example until=2025-12-31)")
        return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def _next_content_lines(lines: list[str]) -> list[int]:
    """For each 0-based line, the 1-based number of the first later line that is neither blank
    nor a comment (0 if none); one backward pass, so stacked comments stay linear."""
    out = [0] * len(lines)
    following = 0
    for j in range(len(lines) - 1, -1, -1):
        out[j] = following
        stripped = lines[j].strip()
        if stripped and not stripped.startswith("#"):
            following = j + 1
    return out


def parse_inline(text: str, file: str, catalog: Catalog) -> list[ExceptionEntry]:
    """Every ``# incentive-lint:`` directive of one file."""
    out: list[ExceptionEntry] = []
    lines = text.split("\n")
    next_content: list[int] | None = None
    for index, line in enumerate(lines):
        if "incentive-lint" not in line:
            continue
        match = DIRECTIVE.search(line)
        if match is None:
            continue
        column = match.start() + 1
        span = Span(file, Position(index + 1, column), Position(index + 1, len(line.rstrip("\r")) + 1))
        body = match.group("body").rstrip("\r")
        problems: list[str] = []
        entry = ExceptionEntry("inline", span, rule_text="", file=file, problems=problems)
        ignore = IGNORE.match(body)
        if ignore is None:
            problems.append(f"'incentive-lint:{body.strip()[:60]}' is not an exception comment; write {TEMPLATE}")
            out.append(entry)
            continue
        names = [n.strip() for n in ignore.group("rules").split(",") if n.strip()]
        entry.rule_text = ", ".join(names)
        if not names:
            problems.append("ignore[] names no rule; write the rule it accepts, e.g. ignore[volume-pay-under-outcome-"
                            "shift] (blanket exceptions are not allowed)")
        entry.rules = _resolve_rules(names, catalog, problems)
        values: dict[str, str] = {}
        rest = ignore.group("rest")
        position = 0
        while position < len(rest):
            if BLANK.match(rest, position) or len(problems) >= MAX_PROBLEMS:
                break
            pair = PAIR.match(rest, position)
            if pair is None:
                problems.append(f"could not read '{rest[position:].strip()[:40]}'; write key=value pairs such as "
                                'reason="…" until=YYYY-MM-DD (quote values with spaces)')
                break
            key, value = pair.group("key"), _unquote(pair.group("value"))
            if key not in INLINE_KEYS:
                hint = suggest(key, list(INLINE_KEYS))
                tip = f"did you mean '{hint}'?" if hint else f"the keys are {', '.join(INLINE_KEYS)}"
                problems.append(f"unknown key '{key}'; {tip}")
            elif key in values:
                problems.append(f"'{key}' is given twice; keep one")
            values[key] = value
            position = pair.end()
        entry.reason = values.get("reason", "").strip()
        entry.owner = values.get("owner", "").strip()
        entry.approved_by = values.get("approved_by", "").strip()
        entry.ticket = values.get("ticket", "").strip()
        if not entry.reason:
            problems.append('it has no reason; add reason="why this is accepted" (a reason is required)')
        elif entry.reason.casefold() in PLACEHOLDER_REASONS:
            problems.append(f'its reason is still the placeholder "{entry.reason}"; write why the finding is '
                            'accepted (a reason is required)')
        if "until" in values:
            entry.until_text = values["until"]
            entry.until = _parse_until(values["until"], problems, "")
        else:
            problems.append("it has no end date; add until=YYYY-MM-DD (the last day it applies)")
        if line[:match.start()].strip():
            entry.line = index + 1
        else:
            if next_content is None:
                next_content = _next_content_lines(lines)
            entry.line = next_content[index]
        if entry.line == 0:
            problems.append("no line follows it; put the comment on the line of the finding or just above it")
        out.append(entry)
    return out


def _entry_span(parsed: Any, root: Any, path: tuple[Any, ...], key: bool = False) -> Span:
    node = find_node(root, path, key=key)
    return Span(parsed.file, parsed.table.position(node.start_mark.index), parsed.table.position(node.end_mark.index))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


def load_register(path: Path, display: str, catalog: Catalog, root: Path | None = None) -> list[ExceptionEntry]:
    """The entries of a register file; file-level problems become one invalid entry. With
    ``root``, a register whose real location is outside it is not read (one invalid entry)."""

    def broken(span: Span, message: str) -> list[ExceptionEntry]:
        return [ExceptionEntry("register", span, rule_text="", problems=[
            f"{message}; no exception of this register applies until it is fixed"])]

    text, issue = read_text(path, display, root)
    if text is None:
        return broken(Span.at(display, 1), issue.message.rstrip(".") if issue else f"'{display}' could not be read")
    parsed = parse_text(text, display)
    if parsed.issues:
        first = parsed.issues[0]
        return broken(first.span, f"the exceptions register cannot be read: {first.message.rstrip('.')}")
    docs = [d for d in parsed.documents if d.data is not None]
    if not docs:
        return []
    if len(docs) > 1 or not isinstance(docs[0].data, list):
        return broken(docs[0].span if docs else Span.at(display, 1),
                      "the exceptions register must be one YAML list of exceptions, each with rule, target, reason, "
                      "owner, approved_by and until")
    doc = docs[0]
    out: list[ExceptionEntry] = []
    for i, item in enumerate(doc.data):
        span = _entry_span(parsed, doc.root, (i,))
        problems: list[str] = []
        if not isinstance(item, dict):
            problems.append(f"entry {i + 1} is not a mapping; write rule:, target:, reason:, owner:, approved_by: and "
                            "until: keys")
            out.append(ExceptionEntry("register", span, rule_text="", problems=problems))
            continue
        for key in [k for k in item if k not in REGISTER_KEYS][:MAX_PROBLEMS]:
            if key not in REGISTER_KEYS:
                hint = suggest(str(key), list(REGISTER_KEYS))
                tip = f"did you mean '{hint}'?" if hint else f"the keys are {', '.join(REGISTER_KEYS)}"
                problems.append(f"unknown key '{key}'; {tip}")
        missing = [k for k in REGISTER_REQUIRED if not _text(item.get(k)) and k != "until"]
        if "until" not in item or item.get("until") in (None, ""):
            missing.append("until")
        for key in missing:
            what = {"reason": "why the finding is accepted", "owner": "who answers for it",
                    "approved_by": "who approved it", "until": "the last day it applies (YYYY-MM-DD)",
                    "target": "the entity id, fingerprint or file it accepts", "rule": "the rule (slug or code)"}[key]
            problems.append(f"'{key}' is missing or empty; add {key}: {what}")
        rule_text = _text(item.get("rule"))
        entry = ExceptionEntry("register", span, rule_text=rule_text, target=_text(item.get("target")),
                               reason=_text(item.get("reason")), owner=_text(item.get("owner")),
                               approved_by=_text(item.get("approved_by")), ticket=_text(item.get("ticket")),
                               problems=problems)
        if rule_text:
            entry.rules = _resolve_rules([rule_text], catalog, problems)
        if item.get("until") not in (None, ""):
            entry.until_text = str(item["until"])
            entry.until = _parse_until(item["until"], problems, "")
        out.append(entry)
    return out


def register_path(config: Config, options: LintOptions) -> tuple[Path | None, bool]:
    """The register file and whether the configuration names it (then it must exist)."""
    value = config.raw.get("exceptions") if config.raw else None
    if value:
        path = config.base_dir() / value
        if not os.path.lexists(path):  # a link loop or a pipe is reported when it is read
            raise ConfigError(f"{config.where('exceptions')}: the exceptions register '{value}' does not exist; "
                              "create it or correct the path.")
        return path, True
    path = _register_base(config, options) / REGISTER_NAME
    return (path, False) if os.path.lexists(path) else (None, False)


def _register_base(config: Config, options: LintOptions) -> Path:
    """Where the register is looked for: beside the configuration, else in the checked folder."""
    if config.path is not None:
        return Path(os.path.abspath(config.path)).parent
    cwd = options.cwd or Path.cwd()
    first = options.paths[0] if options.paths else Path(".")
    first = first if first.is_absolute() else cwd / first
    return first if os.path.isdir(first) else first.parent  # os.path: never raises for an unreadable path


def root_of(options: LintOptions) -> Path:
    """The root of the run (``engine.workspace.root_of``; imported late, as the workspace imports this stage's peers)."""
    from incentive_lint.engine.workspace import root_of as found

    return found(options)


def _register_display(path: Path, options: LintOptions) -> str:
    """The register's name as findings show it: relative to the root of the run, like every file."""
    cwd = options.cwd or Path.cwd()
    return root_name(Path(os.path.abspath(path if path.is_absolute() else cwd / path)), root_of(options))


def register_refusal(config: Config, options: LintOptions, issues: Sequence[Issue]) -> Issue | None:
    """The ``file-refused`` issue for a register whose real location is outside the
    repository of the file naming it (or of the folder it was found in); it is never read.
    ``None`` when it is inside, or already reported in ``issues`` (found in the checked folder)."""
    path, explicit = register_path(config, options)
    if path is None:
        return None
    display = _register_display(path, options)
    if any(i.rule == "file-refused" and i.span.file == display for i in issues):
        return None
    span = None
    what = f"the exceptions register '{display}'"
    if explicit and config.locator is not None:
        span = config.locator.span(config.display, 0, ("exceptions",))
        display = relative_name(path, root_of(options))
        what = f"the exceptions register '{config.raw['exceptions']}' named here"
    outside = outside_issue(path, display, repository_root(_register_base(config, options)), span=span, what=what)
    return outside or unreadable(path, display)  # a loop or a pipe: not read, like a policy file


def _is_policy_document(path: Path) -> bool:
    text, _ = read_text(path, path.name)
    if text is None:
        return False
    return bool(re.search(r"(?m)^kind\s*:", text))


def collect(ws: Workspace, options: LintOptions) -> list[ExceptionEntry]:
    """Every exception of the run: inline comments in the files read, then the register."""
    entries: list[ExceptionEntry] = []
    for display, text in sorted(ws.inline.items()):  # kept by the loader: no file is read twice
        entries.extend(parse_inline(text, display, ws.catalog))
    path, explicit = register_path(ws.config, options)
    if path is None:
        return entries
    display = _register_display(path, options)
    root = repository_root(_register_base(ws.config, options))
    # Never read a register from outside the repository (``register_refusal`` reported it),
    # nor one already reported as not read, not even to see whether it is one.
    if not is_inside(path, root) or any(i.rule == "file-refused" and i.span.file == display
                                        for i in ws.model.issues):
        return entries
    if explicit or not _is_policy_document(path):
        entries.extend(load_register(path, display, ws.catalog, root))
    return entries
