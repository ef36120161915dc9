"""GitHub Actions workflow-command annotations, plus a Markdown job summary.

Contract (GitHub's workflow-commands documentation, https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions, and actions/toolkit ``command.ts``):

* ``::error file=F,line=L,endLine=EL,col=C,endColumn=EC,title=T::MESSAGE``; levels
  ``error``, ``warning`` and ``notice`` (our ``info``). Lines and columns start at 1.
* Message data escapes ``%`` -> ``%25``, ``\\r`` -> ``%0D``, ``\\n`` -> ``%0A``; property
  values additionally ``:`` -> ``%3A`` and ``,`` -> ``%2C``. ``%`` is escaped first.
  Because newlines are escaped, a document value can never start a workflow command of
  its own: every finding is exactly one line.
* Every value passes through ``base.escape.visible`` first (control characters other than
  CR/LF, U+2028 and bidi controls become ``\\x1b``-style escapes), then through the
  escapes above.
* ``col``/``endColumn`` are only written when the finding is on one line (the runner
  drops them otherwise), and ``endColumn`` only when it is not before ``col``.
* GitHub shows at most 10 error and 10 warning annotations per step; the rest are
  only in the log. Hence :func:`write_step_summary`, which the CLI calls when
  ``$GITHUB_STEP_SUMMARY`` is set, and the SARIF upload.
"""
from __future__ import annotations

import os
from typing import Mapping, MutableMapping

from incentive_lint.base.escape import visible
from incentive_lint.base.findings import Finding, LintResult, Severity, more_related
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.outputs.formats import markdown
from incentive_lint.outputs.formats.sarif import all_rules, normalise_span

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

#: GitHub rejects a step summary above 1 MiB; keep well below it.
SUMMARY_BUDGET = 900 * 1024


def escape_data(text: str) -> str:
    """Escape a message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``, ...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _visible(text: str) -> str:
    return visible(text, keep="\r\n")


def _message(finding: Finding) -> str:
    # Each value is made visible first (control characters, ANSI escapes and bidi controls
    # would restyle, hide or reorder text in the log); CR and LF are left to escape_data,
    # which turns them into GitHub's %0D/%0A (shown as line breaks inside the annotation).
    lines = [_visible(finding.full_message)]
    shown, omitted = finding.shown_related()
    for r in shown:
        where = _visible(f"{r.span.file}:{r.span.start.line}:{r.span.start.column}")
        lines.append(f"  -> {_visible(r.label)} ({where})" if r.label else f"  -> {where}")
    if omitted:
        lines.append(f"  -> {more_related(omitted)}")
    for c in finding.consequences:  # one annotation per cause; what follows from it, below
        where = _visible(f"{c.span.file}:{c.span.start.line}:{c.span.start.column}")
        lines.append(f"  also: {_visible(c.code)} {_visible(c.full_message)} ({where})")
    return "\n".join(lines)


def annotation(finding: Finding) -> str:
    """One workflow command for one finding."""
    sl, sc, el, ec = normalise_span(finding.span)
    props = [("file", _visible(finding.span.file)), ("line", str(sl)), ("endLine", str(el))]
    if sl == el:
        props.append(("col", str(sc)))
        if ec >= sc:
            props.append(("endColumn", str(ec)))
    title = _visible(f"{finding.code} {finding.rule}".strip())
    props.append(("title", title))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[finding.severity]} {head}::{escape_data(_message(finding))}"


def render(result: LintResult, rules: Mapping[str, RuleSpec]) -> str:
    """One annotation line per finding, in the result's (sorted) order."""
    return "".join(annotation(f) + "\n" for f in result.findings)


# --------------------------------------------------------------------------- step summary


def summary_markdown(result: LintResult, rules: Mapping[str, RuleSpec]) -> str:
    """A Markdown job summary: counts by severity, findings per rule, then the details
    (the full Markdown report) as long as they fit in GitHub's step-summary limit."""
    counts = result.counts()
    total = sum(counts.values())
    out = ["## incentive-lint", ""]
    if total == 0:
        out.append(f"No findings in {result.files_checked} files.")
        return "\n".join(out) + "\n"
    out.append(
        f"**{total}** finding{'s' if total != 1 else ''} in {result.files_checked} files: "
        + ", ".join(f"{n} {label}" for label, n in counts.items())
        + "."
    )
    out += ["", "| Rule | Code | Severity | Findings |", "| --- | --- | --- | ---: |"]
    per_rule: dict[str, list[Finding]] = {}
    for f in result.findings:
        per_rule.setdefault(f.rule, []).append(f)
    specs = all_rules(result, rules)
    order = sorted(per_rule, key=lambda slug: (-max(f.severity for f in per_rule[slug]), slug))
    for slug in order:
        spec = specs[slug]
        worst = max(f.severity for f in per_rule[slug]).label
        rule_cell = f"[{markdown.cell(slug)}]({spec.help_uri})"
        out.append(f"| {rule_cell} | {markdown.cell(spec.code)} | {worst} | {len(per_rule[slug])} |")
    short = "\n".join(out) + "\n"
    details = markdown.details(result)
    if len((short + "\n" + details).encode("utf-8")) <= SUMMARY_BUDGET:
        return short + "\n" + details
    return short + "\nThe full list is too long for a job summary; see the SARIF or JSON report.\n"


def write_step_summary(
    result: LintResult,
    rules: Mapping[str, RuleSpec],
    environ: Mapping[str, str] | MutableMapping[str, str] = os.environ,
) -> None:
    """Append :func:`summary_markdown` to the file named by ``$GITHUB_STEP_SUMMARY``, if set."""
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    with open(path, "a", encoding="utf-8", newline="\n") as fh:
        fh.write(summary_markdown(result, rules))
