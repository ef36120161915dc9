"""The command line: parses options and calls one function per command; nothing imports it.

Exit codes are defined in :mod:`incentive_lint.base.findings`.
"""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any, Sequence

import click

from incentive_lint.base.version import VERSION as __version__
from incentive_lint.base.errors import IncentiveLintError, UsageError
from incentive_lint.base.findings import EXIT_TOOL_ERROR
from incentive_lint.outputs.write import parse_as_of, write_output

FAIL_ON = ("error", "warning", "info", "never")


def _outputs(formats: Sequence[str], output: str | None) -> list[tuple[str, str | None]]:
    """Pair formats with files: ``-f sarif=out.sarif -f text``; ``--output`` serves the first bare one."""
    from incentive_lint.outputs.formats import REPORTERS

    pairs: list[tuple[str, str | None]] = []
    for item in formats or ("text",):
        name, _, target = item.partition("=")
        if name not in REPORTERS:
            raise UsageError(f"unknown format '{name}'; choose from {', '.join(sorted(REPORTERS))}.")
        pairs.append((name, target or None))
    if output is not None:
        for i, (name, file) in enumerate(pairs):
            if file is None:
                pairs[i] = (name, output)
                break
        else:
            raise UsageError("--output names a file but every --format already has one (format=FILE).")
    stdout = [name for name, target in pairs if target is None]
    if len(stdout) > 1:
        raise UsageError(f"formats {', '.join(stdout)} would all print to the terminal; give all but one a file "
                         "with --format NAME=FILE.")
    return pairs


def _touching(result: Any, files: Sequence[str], ws: Any, cwd: Path) -> Any:
    """``--only-files``: keep findings whose chain (``Finding.files``) touches one of ``files``.

    A changed configuration file affects every finding, so then nothing is left out.
    """
    import dataclasses

    from incentive_lint.read.files import display_name

    wanted = {display_name(Path(os.path.abspath(cwd / f)), cwd) for f in files}
    config_path = ws.config.path
    if config_path is not None and display_name(Path(os.path.abspath(config_path)), cwd) in wanted:
        return result
    return dataclasses.replace(result, findings=tuple(f for f in result.findings if f.files & wanted),
                               suppressed=tuple(f for f in result.suppressed if f.files & wanted))


def run_check(paths: Sequence[str], formats: Sequence[str], output: str | None, fail_on: str, quiet: bool,
              as_of: str | None, config: str | None, color: bool, *, baseline: str | None = None,
              new_since: str | None = None, only_files: bool = False, exceptions: bool = True,
              show_config: bool = False, exit_zero: bool = False, warnings_exit_code: int | None = None,
              redact: bool = False, jobs: int | None = None, show_files: bool = False) -> int:
    """The ``check`` command: lint, drop accepted findings (exceptions, ``--new-since``, baseline,
    ``--only-files``), render every requested format, return the exit code."""
    from incentive_lint.run import LintOptions, lint
    from incentive_lint.outputs.formats import REPORTERS

    targets = _outputs(formats, output)
    from incentive_lint.read.parse import HAVE_LIBYAML

    if not HAVE_LIBYAML:
        click.echo("incentive-lint: note: PyYAML was built without libyaml; reading is about 9x slower "
                   "(reinstall PyYAML with libyaml to speed it up).", err=True)
    if only_files and not paths:
        raise UsageError("--only-files needs the files to report on, e.g. 'incentive-lint check --only-files "
                         "plans/sales.yaml' (pre-commit passes them).")
    cwd = Path.cwd()
    lint_paths = ["."] if only_files else list(paths or ["."])
    options = LintOptions(paths=[Path(p) for p in lint_paths], as_of=parse_as_of(as_of),
                          config=Path(config) if config else None, exceptions=exceptions, jobs=jobs)
    if show_config:
        from incentive_lint.outputs.showconfig import show_config as render_config

        write_output(render_config(options, "json" if targets[0][0] == "json" else "text"), targets[0][1])
        return 0
    known = None
    if baseline is not None:
        from incentive_lint.gate.baseline import load as load_baseline

        known = load_baseline(Path(baseline))
    try:
        result, ws = lint(options)
    except FileNotFoundError as exc:
        raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
    if new_since is not None:
        from incentive_lint.gate.baseline import filter_result, keys_of
        from incentive_lint.run import lint_at_ref

        before, _ = lint_at_ref(new_since, options)
        result, _ = filter_result(result, keys_of(before.findings), f"already reported at {new_since}")
    if known is not None:
        from incentive_lint.gate.baseline import filter_result

        result, stale = filter_result(result, known, f"accepted in the baseline {baseline}")
        if stale and not quiet:
            click.echo(f"incentive-lint: {stale} baseline entr{'y' if stale == 1 else 'ies'} in {baseline} no longer "
                       f"match{'es' if stale == 1 else ''} a finding (fixed or moved to another file); refresh it with 'incentive-lint baseline "
                       f"--output {baseline}'.", err=True)
    if only_files:
        result = _touching(result, paths, ws, cwd)
    if not only_files and any(f.rule == "dangling-reference" for f in result.findings) \
            and any(Path(p).is_file() for p in paths):
        click.echo("incentive-lint: note: only the named files were read, so references to KPIs, roles or plans "
                   "defined in other files look unknown; check the whole folder, or add --only-files to check it "
                   "and report just the findings that touch these files.", err=True)
    code = result.exit_code(fail_on, exit_zero=exit_zero, warnings_exit_code=warnings_exit_code)
    if redact:
        from incentive_lint.gate.redact import redact as redact_result

        result = redact_result(result)
    if show_files:
        from incentive_lint.base.escape import visible

        # on stderr when another format owns stdout, so that JSON or SARIF stays parseable
        text_only = all(name == "text" for name, target in targets if target is None)
        click.echo("".join(visible(line) + "\n" for line in result.file_lines()), nl=False, err=not text_only)
    rules = {slug: ws.catalog.rules[slug] for slug in result.rules_run if slug in ws.catalog.rules}
    del ws  # the reporters need only the findings: let the model's memory go before rendering
    for name, target in targets:
        render: Any = REPORTERS[name]
        if name == "text":
            text = render(result, rules, color=color and target is None, quiet=quiet)
        else:
            text = render(result, rules)
        write_output(text, target)
    if any(name == "github" for name, _ in targets) and os.environ.get("GITHUB_STEP_SUMMARY"):
        from incentive_lint.outputs.formats.github import write_step_summary

        try:
            write_step_summary(result, rules)
        except OSError as exc:
            raise UsageError(f"cannot write the GitHub step summary '{os.environ['GITHUB_STEP_SUMMARY']}': "
                             f"{exc.strerror}.") from None
    return code


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incentive-lint")
@click.option("--debug", is_flag=True, help="Show the full traceback of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Check that incentive plans, KPIs and capabilities pay for the announced strategy."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT[=FILE]",
              help="Output format (repeatable): text, json and more; FORMAT=FILE writes it to a file.")
@click.option("-o", "--output", metavar="FILE", help="Write the (first) format to FILE instead of the terminal.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 when a finding at or above this severity is reported.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the findings, without chains and summary.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Evaluate plans, offers and functions on this date (default today).")
@click.option("--config", metavar="FILE", help="Use this configuration file instead of discovering .incentive-lint.yaml.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: only on a terminal).")
@click.option("--baseline", metavar="FILE",
              help="Report only findings not in this baseline file (written by 'incentive-lint baseline').")
@click.option("--new-since", metavar="REF",
              help="Report only findings that are new compared with the merge-base of REF and HEAD (e.g. origin/main).")
@click.option("--only-files", is_flag=True,
              help="Treat PATHS as changed files: check the whole repository (the current folder) but report only "
                   "findings whose chain touches one of them (for pre-commit).")
@click.option("--no-exceptions", is_flag=True,
              help="Ignore every exception (inline comments and the register) and show all findings.")
@click.option("--show-config", is_flag=True,
              help="Print the effective configuration of every rule and where each value comes from, then exit.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported (2 still means the tool failed).")
@click.option("--warnings-exit-code", type=click.IntRange(3, 125), metavar="N",
              help="Exit N when warnings (or errors below --fail-on) are reported but nothing reaches --fail-on.")
@click.option("--redact", is_flag=True,
              help="Leave document values (amounts, names, targets) out of every report; ids and locations stay.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), metavar="N",
              help="Worker processes for reading files (default: one per core on large repositories).")
@click.option("--show-files", is_flag=True,
              help="Also list every file checked and every file skipped, with the reason it was skipped.")
def check(paths: tuple[str, ...], formats: tuple[str, ...], output: str | None, fail_on: str, quiet: bool,
          as_of: str | None, config: str | None, color: bool | None, baseline: str | None, new_since: str | None,
          only_files: bool, no_exceptions: bool, show_config: bool, exit_zero: bool,
          warnings_exit_code: int | None, redact: bool, jobs: int | None, show_files: bool) -> None:
    """Check the policy files under PATHS (default: the current folder)."""
    use_color = sys.stdout.isatty() and "NO_COLOR" not in os.environ if color is None else color
    sys.exit(run_check(paths, formats, output, fail_on, quiet, as_of, config, use_color, baseline=baseline,
                       new_since=new_since, only_files=only_files, exceptions=not no_exceptions,
                       show_config=show_config, exit_zero=exit_zero, warnings_exit_code=warnings_exit_code,
                       redact=redact, jobs=jobs, show_files=show_files))


@cli.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", default=".incentive-lint-baseline.yaml", show_default=True, metavar="FILE",
              help="Where to write the baseline ('-' prints it).")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Evaluate plans, offers and functions on this date (default today).")
@click.option("--config", metavar="FILE", help="Use this configuration file instead of discovering .incentive-lint.yaml.")
@click.option("--no-exceptions", is_flag=True, help="Also record findings that exceptions accept.")
def baseline_command(paths: tuple[str, ...], output: str, as_of: str | None, config: str | None,
                     no_exceptions: bool) -> None:
    """Write the current findings to a baseline file; 'check --baseline FILE' then reports only new ones."""
    from incentive_lint.base.version import VERSION as version
    from incentive_lint.gate.baseline import render
    from incentive_lint.run import LintOptions, lint

    options = LintOptions(paths=[Path(p) for p in (paths or ["."])], as_of=parse_as_of(as_of),
                          config=Path(config) if config else None, exceptions=not no_exceptions)
    try:
        result, _ = lint(options)
    except FileNotFoundError as exc:
        raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
    write_output(render(result, version), output)
    if output != "-":
        from incentive_lint.base.findings import flatten

        n = len(flatten(result.findings))  # consequences have entries of their own
        click.echo(f"wrote {n} finding{'s' if n != 1 else ''} to {output}; use 'incentive-lint check --baseline "
                   f"{output}' to report only new ones.", err=True)


@cli.command("exceptions")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the list to FILE instead of the terminal.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Judge expiry on this date (default today).")
@click.option("--config", metavar="FILE", help="Use this configuration file instead of discovering .incentive-lint.yaml.")
def exceptions_command(paths: tuple[str, ...], fmt: str, output: str | None, as_of: str | None,
                       config: str | None) -> None:
    """List every exception (register and inline) with owner, approval, end date and status."""
    from incentive_lint.run import LintOptions
    from incentive_lint.outputs.exceptions import listing

    options = LintOptions(paths=[Path(p) for p in (paths or ["."])], as_of=parse_as_of(as_of),
                          config=Path(config) if config else None)
    try:
        text = listing(options, fmt)
    except FileNotFoundError as exc:
        raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
    write_output(text, output)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--config", metavar="FILE", help="Include the rules of this configuration's rule folders.")
def rules_command(fmt: str, config: str | None) -> None:
    """List the rule catalog (markdown: the catalog page, as in docs/rules.md)."""
    from incentive_lint.settings.catalog import load_catalog
    from incentive_lint.settings.config import discover, load
    from incentive_lint.outputs.explain import CATALOG_FORMATS

    cwd = Path.cwd()
    cfg = load(Path(config) if config else discover(cwd), cwd)
    write_output(CATALOG_FORMATS[fmt](load_catalog(cwd, cfg.rule_paths()).sorted()), None)


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's documentation with its bad and good examples."""
    from incentive_lint.settings.catalog import load_catalog
    from incentive_lint.outputs.explain import explain_text

    catalog = load_catalog(Path.cwd())
    found = catalog.resolve(rule)
    if len(found) != 1:
        from incentive_lint.base.kinds import suggest

        hint = suggest(rule, sorted(catalog.names()))
        tip = f" Did you mean '{hint}'?" if hint else " Run 'incentive-lint rules' for the list."
        raise UsageError(f"no rule named '{rule}'.{tip}")
    click.echo(explain_text(found[0]), nl=False)


def _error(message: str) -> None:
    """One tool error on stderr, on one line: it may quote document values, so it is escaped
    whole (a value cannot forge a CI annotation or drive the terminal from an error message)."""
    from incentive_lint.base.escape import visible

    click.echo("incentive-lint: " + visible(message.rstrip("\n")), err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: turn every tool error into a one-line message and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="incentive-lint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _error(exc.format_message())
        sys.exit(EXIT_TOOL_ERROR)
    except click.exceptions.Abort:
        click.echo("incentive-lint: aborted.", err=True)
        sys.exit(EXIT_TOOL_ERROR)
    except IncentiveLintError as exc:
        _error(str(exc))
        sys.exit(EXIT_TOOL_ERROR)
    except SystemExit:
        raise
    except BaseException as exc:  # an internal error must still end in one line and exit 2
        if isinstance(exc, KeyboardInterrupt):
            sys.exit(130)
        if debug:
            traceback.print_exc()
        else:
            _error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback).")
        sys.exit(EXIT_TOOL_ERROR)


from incentive_lint.outputs.report.command import report_command  # noqa: E402  (the report package registers its own command)

cli.add_command(report_command)
