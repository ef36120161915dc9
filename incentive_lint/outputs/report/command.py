"""The ``report`` command: parses options and calls :func:`incentive_lint.outputs.report.run.run_report`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from incentive_lint.outputs.write import parse_as_of
from incentive_lint.outputs.report.formats import FORMATS


@click.command("report")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="html, markdown or text (default: from the --output suffix, else text).")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of the terminal.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Evaluate plans, offers and functions on this date (default today).")
@click.option("--config", metavar="FILE", help="Use this configuration file instead of discovering .incentive-lint.yaml.")
@click.option("--new-since", metavar="REF",
              help="Add a before-and-after section comparing with the merge-base of REF (e.g. origin/main).")
@click.option("--redact", is_flag=True,
              help="Leave document values (amounts, titles, names) out of the report; ids, locations, shares and "
                   "scores stay.")
@click.option("--stamp", is_flag=True,
              help="Add the generation time to the audit footer (SOURCE_DATE_EPOCH, when set, is used instead).")
def report_command(paths: tuple[str, ...], fmt: str | None, output: str | None, as_of: str | None,
                   config: str | None, new_since: str | None, redact: bool, stamp: bool) -> None:
    """Show where target variable pay points, set against the strategy's priorities."""
    from incentive_lint.outputs.report.run import ReportOptions, run_report

    options = ReportOptions(paths=[Path(p) for p in (paths or (".",))], format=fmt, output=output,
                            as_of=parse_as_of(as_of), config=Path(config) if config else None, new_since=new_since,
                            redact=redact, stamp=stamp)
    sys.exit(run_report(options))
