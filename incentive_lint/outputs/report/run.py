"""Build the report of a repository (and of its merge-base with ``--new-since``) and write it."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from incentive_lint.base.errors import UsageError
from incentive_lint.gate.redact import redact
from incentive_lint.outputs.write import write_output
from incentive_lint.run import LintOptions, lint
from incentive_lint.outputs.report.comparison import with_comparison
from incentive_lint.outputs.report.data import Report
from incentive_lint.outputs.report.matrix import build
from incentive_lint.outputs.report.redaction import redact_report
from incentive_lint.outputs.report.audit import audit

from incentive_lint.outputs.report.formats import FORMATS
SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}


def _html(report: Report) -> str:
    from incentive_lint.outputs.report.html import render as html

    return html(report)


def _markdown(report: Report) -> str:
    from incentive_lint.outputs.report.markdown import render as markdown

    return markdown(report)


def _text(report: Report) -> str:
    from incentive_lint.outputs.report.text import render as text

    return text(report)


RENDERERS: dict[str, Callable[[Report], str]] = {"html": _html, "markdown": _markdown, "text": _text}


@dataclass(frozen=True)
class ReportOptions:
    """What to report on and how; every field has the CLI's default."""

    paths: Sequence[Path] = (Path("."),)
    format: str | None = None
    output: str | None = None
    as_of: _dt.date | None = None
    config: Path | None = None
    new_since: str | None = None
    #: leave document values (amounts, titles, names) out, as ``check --redact`` does
    redact: bool = False
    #: add the generation time to the audit footer (also added when SOURCE_DATE_EPOCH is set)
    stamp: bool = False
    cwd: Path | None = None

    def resolved_format(self) -> str:
        """The format asked for, else the one the output file's suffix names, else text."""
        if self.format:
            return self.format
        if self.output and self.output != "-":
            return SUFFIXES.get(Path(self.output).suffix.lower(), "text")
        return "text"


def render(options: ReportOptions) -> str:
    """The report as text in the requested format."""
    fmt = options.resolved_format()
    if fmt not in RENDERERS:
        raise UsageError(f"unknown report format '{fmt}'; choose from {', '.join(FORMATS)}.")
    return RENDERERS[fmt](build_report(options))


def build_report(options: ReportOptions) -> Report:
    """The report the options ask for: lint, build, compare, redact, and the audit footer."""
    cwd = options.cwd or Path.cwd()
    lint_options = LintOptions(paths=list(options.paths), as_of=options.as_of, config=options.config, cwd=cwd)
    try:
        result, ws = lint(lint_options)
    except FileNotFoundError as exc:
        raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
    if options.redact:
        result = redact(result)
    report = build(result, ws)
    if options.new_since:
        from incentive_lint.run import lint_at_ref

        before_result, before_ws = lint_at_ref(options.new_since, lint_options)
        if options.redact:
            before_result = redact(before_result)
        report = with_comparison(report, build(before_result, before_ws), options.new_since)
    if options.redact:
        report = redact_report(report)
    return replace(report, audit=audit(ws.catalog, list(options.paths), cwd, options.stamp))


def run_report(options: ReportOptions) -> int:
    """The ``report`` command: render and write; a report never fails on findings (exit 0)."""
    write_output(render(options), options.output)
    return 0
