"""The command line: parses options and calls one function per command; nothing imports it.

Exit codes are defined in :mod:`incentive_lint.base.exit_codes`.

It stays one module (over 500 lines) on purpose: it holds only click declarations and the
thin functions that turn options into one call each; split by command, the shared options and
the error handling around every command would have to be repeated or imported back.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import click

from incentive_lint.base.version import VERSION as __version__
from incentive_lint.base.errors import IncentiveLintError, UsageError
from incentive_lint.base.exit_codes import EXIT_TOOL_ERROR
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

    from incentive_lint.run import wanted_files

    wanted = wanted_files(files, ws.root or cwd, ws.config.path, cwd)
    if wanted is None:
        return result
    return dataclasses.replace(result, findings=tuple(f for f in result.findings if f.files & wanted),
                               suppressed=tuple(f for f in result.suppressed if f.files & wanted))


def _stdin_text(paths: Sequence[str], stdin_filename: str | None, cwd: Path
                ) -> tuple[dict[str, str], list[str]]:
    """``check -``: the text on standard input, keyed by the absolute path of ``--stdin-filename``,
    and the paths left to check (the rest of the repository is read from disk)."""
    if "-" not in paths:
        if stdin_filename is not None:
            raise UsageError("--stdin-filename names the file that standard input stands for; use it with "
                             "'check -', e.g. 'incentive-lint check - --stdin-filename plans/sales.yaml'.")
        return {}, list(paths)
    if stdin_filename is None:
        raise UsageError("'check -' reads a policy file from standard input and needs --stdin-filename PATH, the "
                         "repository file it stands for (e.g. --stdin-filename plans/sales.yaml).")
    raw = sys.stdin.buffer.read()
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"the text on standard input for '{stdin_filename}' is not UTF-8; save it as UTF-8.") from None
    return {os.path.abspath(cwd / stdin_filename): text}, [p for p in paths if p != "-"]


def _progress_wanted() -> bool:
    """Progress goes to stderr only on a terminal, never in CI logs or pipes."""
    try:
        return sys.stderr.isatty() and not os.environ.get("CI")
    except (AttributeError, ValueError):
        return False


def _refuse_empty(result: Any, ws: Any, paths: Sequence[str], allow_empty: bool) -> None:
    """An empty folder or a mistyped path must not pass CI as "0 findings" (unless --allow-empty)."""
    if not allow_empty:
        from incentive_lint.run import nothing_checked

        empty = nothing_checked(result, ws, list(paths) or ["."])
        if empty is not None:
            raise UsageError(empty)


def _note_partial(paths: Sequence[str]) -> None:
    """Say what reading only the named files does to references, when a file was named."""
    if any(Path(p).is_file() for p in paths):
        click.echo("incentive-lint: note: only the named files were read, so references to KPIs, roles or plans "
                   "defined in other files look unknown; check the whole folder, or add --only-files to check it "
                   "and report just the findings that touch these files.", err=True)


def _rules_of(result: Any, ws: Any) -> dict[str, Any]:
    """The catalog entries of the rules that ran (all a reporter reads of the workspace)."""
    return {slug: ws.catalog.rules[slug] for slug in result.rules_run if slug in ws.catalog.rules}


def _render(result: Any, rules: dict[str, Any], targets: Sequence[tuple[str, str | None]], *, color: bool,
            quiet: bool, fail_on: str, statistics: bool) -> list[str]:
    """The text of each requested output, in the order of ``targets``."""
    from incentive_lint.outputs.formats import REPORTERS

    texts = []
    for name, target in targets:
        render: Any = REPORTERS[name]
        if statistics and target is None:  # --statistics: the counts take the terminal's place
            from incentive_lint.outputs.formats import statistics as stats

            texts.append(stats.render_json(result) if name == "json" else stats.render_text(result))
        elif name == "text":
            texts.append(render(result, rules, color=color and target is None, quiet=quiet))
        elif name == "junit":
            texts.append(render(result, rules, fail_on=fail_on))
        else:
            texts.append(render(result, rules))
    return texts


def run_check(paths: Sequence[str], formats: Sequence[str], output: str | None, fail_on: str, quiet: bool,
              as_of: str | None, config: str | None, color: bool, *, baseline: str | None = None,
              new_since: str | None = None, only_files: bool = False, exceptions: bool = True,
              show_config: bool = False, exit_zero: bool = False, warnings_exit_code: int | None = None,
              redact: bool = False, jobs: int | None = None, show_files: bool = False,
              stdin_filename: str | None = None, selection: Any = None, statistics: bool = False,
              exclude: Sequence[str] = (), respect_gitignore: bool = True, allow_empty: bool = False,
              cache: bool = True, cache_dir: str | None = None, progress: bool = True) -> int:
    """The ``check`` command: lint, drop accepted findings (exceptions, ``--new-since``, baseline,
    ``--only-files``), render every requested format, return the exit code."""
    from incentive_lint.run import LintOptions, check as lint_with_cache

    targets = _outputs(formats, output)
    from incentive_lint.read.parse import HAVE_LIBYAML

    if not HAVE_LIBYAML:
        click.echo("incentive-lint: note: PyYAML was built without libyaml; reading is about 9x slower "
                   "(reinstall PyYAML with libyaml to speed it up).", err=True)
    if only_files and not paths:
        raise UsageError("--only-files needs the files to report on, e.g. 'incentive-lint check --only-files "
                         "plans/sales.yaml' (pre-commit passes them).")
    cwd = Path.cwd()
    texts, paths = _stdin_text(paths, stdin_filename, cwd)
    if only_files:  # the whole repository the files belong to, wherever the command runs
        from incentive_lint.read.files import find_root

        lint_paths = [str(find_root([Path(p) for p in paths], cwd))]
    else:
        lint_paths = list(paths or ["."])
    options = LintOptions(paths=[Path(p) for p in lint_paths], as_of=parse_as_of(as_of),
                          config=Path(config) if config else None, exceptions=exceptions, jobs=jobs, texts=texts,
                          selection=selection, exclude=tuple(exclude), respect_gitignore=respect_gitignore,
                          cache=cache, cache_dir=Path(cache_dir) if cache_dir else None,
                          progress=progress and _progress_wanted())
    if texts:  # the stdin text is named as the run names every file: relative to the root of the run
        from incentive_lint.engine.workspace import root_of
        from incentive_lint.read.files import root_name

        root = root_of(options)
        options.texts = {root_name(Path(path), root): text for path, text in texts.items()}
    if show_config:
        from incentive_lint.outputs.showconfig import show_config as render_config

        write_output(render_config(options, "json" if targets[0][0] == "json" else "text"), targets[0][1])
        return 0
    summary = any(name == "github" for name, _ in targets) and bool(os.environ.get("GITHUB_STEP_SUMMARY"))
    if cache and baseline is None and new_since is None and not only_files and stdin_filename is None \
            and not (redact or show_files or statistics or summary):
        # the plain run CI and a person repeat: the rendered outputs are kept with the run's result
        from incentive_lint.base.findings import exit_code
        from incentive_lint.run import check_outputs

        def render_checked(result: Any, ws: Any) -> Callable[[], list[str]]:
            _refuse_empty(result, ws, paths, allow_empty)
            rules = _rules_of(result, ws)  # the writer holds these, not the workspace
            return lambda: _render(result, rules, targets, color=color, quiet=quiet, fail_on=fail_on,
                                   statistics=False)

        spec = repr((targets, color, quiet, fail_on))
        try:
            outputs = check_outputs(options, spec, render_checked)
        except FileNotFoundError as exc:
            raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
        if outputs.dangling:
            _note_partial(paths)
        for (_, target), text in zip(targets, outputs.texts):
            write_output(text, target)
        return exit_code(outputs.worst, fail_on, exit_zero=exit_zero, warnings_exit_code=warnings_exit_code)
    known = None
    if baseline is not None:
        from incentive_lint.gate.baseline import load as load_baseline

        known = load_baseline(Path(baseline))
    try:  # a baseline and --new-since need every finding; --only-files alone, those it keeps
        result, ws = lint_with_cache(options, only=paths if only_files and baseline is None and new_since is None
                                     else None)
    except FileNotFoundError as exc:
        raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
    _refuse_empty(result, ws, paths, allow_empty)
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
    if stdin_filename is not None:  # like an editor: the findings that involve the file being edited
        result = _touching(result, [stdin_filename], ws, cwd)
    if not only_files and any(f.rule == "dangling-reference" for f in result.findings):
        _note_partial(paths)
    code = result.exit_code(fail_on, exit_zero=exit_zero, warnings_exit_code=warnings_exit_code)
    if redact:
        from incentive_lint.gate.redact import redact_result

        result = redact_result(result)
    if show_files:
        from incentive_lint.base.escape import visible

        # on stderr when another format owns stdout, so that JSON or SARIF stays parseable
        text_only = all(name == "text" for name, target in targets if target is None)
        click.echo("".join(visible(line) + "\n" for line in result.file_lines()), nl=False, err=not text_only)
    rules = _rules_of(result, ws)
    del ws  # the reporters need only the findings: let the model's memory go before rendering
    reports = _render(result, rules, targets, color=color, quiet=quiet, fail_on=fail_on, statistics=statistics)
    for (_, target), text in zip(targets, reports):
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
              help="Treat PATHS as changed files: check their whole repository (its root, from any folder) but report only "
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
@click.option("--stdin-filename", metavar="PATH",
              help="With 'check -': the repository file that the text on standard input stands for; the rest of "
                   "the repository is read from disk and the findings involving PATH are reported.")
@click.option("--select", "select", multiple=True, metavar="RULES",
              help="Run only these rules (repeatable or comma-separated): slugs, codes, code prefixes such as "
                   "EN0, or families; replaces the configuration's select and ignore.")
@click.option("--extend-select", "extend_select", multiple=True, metavar="RULES",
              help="Also run these rules, on top of the configuration (same names as --select).")
@click.option("--ignore", "ignore", multiple=True, metavar="RULES",
              help="Do not run these rules (same names as --select); wins over --select and the configuration.")
@click.option("--statistics", is_flag=True,
              help="Print only how many findings each rule produced, instead of the findings.")
@click.option("--exclude", "exclude", multiple=True, metavar="PATTERN",
              help="Never read files or folders matching PATTERN (repeatable; .gitignore syntax, relative to the "
                   "repository root, e.g. 'deploy/'); added to 'exclude' in the configuration.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=True, show_default=True,
              help="Leave out the files that .gitignore files ignore.")
@click.option("--allow-empty", is_flag=True,
              help="Exit 0 when no policy document is found (by default that is an error, exit 2).")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the cache (.incentive-lint-cache/ at the repository root).")
@click.option("--cache-dir", metavar="DIR", envvar="INCENTIVE_LINT_CACHE_DIR", show_envvar=True,
              help="Keep the cache in DIR instead of .incentive-lint-cache/ at the repository root.")
@click.option("--no-progress", is_flag=True,
              help="Never show progress on the terminal (it is shown only on a terminal, for runs over a second).")
def check(paths: tuple[str, ...], formats: tuple[str, ...], output: str | None, fail_on: str, quiet: bool,
          as_of: str | None, config: str | None, color: bool | None, baseline: str | None, new_since: str | None,
          only_files: bool, no_exceptions: bool, show_config: bool, exit_zero: bool,
          warnings_exit_code: int | None, redact: bool, jobs: int | None, show_files: bool,
          stdin_filename: str | None, select: tuple[str, ...], extend_select: tuple[str, ...],
          ignore: tuple[str, ...], statistics: bool, exclude: tuple[str, ...] = (), respect_gitignore: bool = True,
          allow_empty: bool = False, no_cache: bool = False, cache_dir: str | None = None,
          no_progress: bool = False) -> None:
    """Check the policy files under PATHS (default: the current folder)."""
    from incentive_lint.outputs.formats.terminal import use_color as color_wanted
    from incentive_lint.settings.config import RuleSelection

    use_color = color_wanted(color, sys.stdout.isatty(), os.environ)
    selection = RuleSelection(RuleSelection.split(select) if select else None, RuleSelection.split(ignore),
                              RuleSelection.split(extend_select)) if select or ignore or extend_select else None
    sys.exit(run_check(paths, formats, output, fail_on, quiet, as_of, config, use_color, baseline=baseline,
                       new_since=new_since, only_files=only_files, exceptions=not no_exceptions,
                       show_config=show_config, exit_zero=exit_zero, warnings_exit_code=warnings_exit_code,
                       redact=redact, jobs=jobs, show_files=show_files, stdin_filename=stdin_filename,
                       selection=selection, statistics=statistics, exclude=exclude,
                       respect_gitignore=respect_gitignore, allow_empty=allow_empty,
                       cache=not no_cache, cache_dir=cache_dir, progress=not no_progress))


@cli.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", default=".incentive-lint-baseline.yaml", show_default=True, metavar="FILE",
              help="Where to write the baseline ('-' prints it).")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Evaluate plans, offers and functions on this date (default today).")
@click.option("--config", metavar="FILE", help="Use this configuration file instead of discovering .incentive-lint.yaml.")
@click.option("--no-exceptions", is_flag=True, help="Also record findings that exceptions accept.")
@click.option("--redact", is_flag=True,
              help="Leave document values (amounts, names, targets) out of the messages written; ids, files and "
                   "fingerprints stay, so the baseline matches as before.")
def baseline_command(paths: tuple[str, ...], output: str, as_of: str | None, config: str | None,
                     no_exceptions: bool, redact: bool) -> None:
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
    if redact:
        from incentive_lint.gate.redact import redact_result

        result = redact_result(result)
    write_output(render(result, version), output)
    if output != "-":
        from incentive_lint.base.findings import flatten

        n = len(flatten(result.findings))  # consequences have entries of their own
        click.echo(f"wrote {n} finding{'s' if n != 1 else ''} to {output}; use 'incentive-lint check --baseline "
                   f"{output}' to report only new ones.", err=True)


@cli.command("propose")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--as-of", metavar="YYYY-MM-DD", help="Propose for the plans in force on this date (default today).")
@click.option("--config", metavar="FILE", help="Use this configuration file instead of discovering .incentive-lint.yaml.")
@click.option("--plan", "plans", multiple=True, metavar="ID", help="Change only this plan (repeatable; default: every plan in force).")
@click.option("--per-function", is_flag=True, help="Minimise each function's divergence (their sum) instead of the overall one.")
@click.option("--max-change", type=click.FloatRange(0), metavar="N",
              help="Move no plan's weights by more than N points in total (a transition limit).")
@click.option("--allow-new-measures", is_flag=True,
              help="Also add components on catalog KPIs of under-weighted priorities that the plan's roles can be "
                   "measured on (never a deprecated or unowned KPI).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the proposal to FILE instead of the terminal.")
@click.option("--write", "apply", is_flag=True, help="Apply the change to the files (otherwise only the diff is shown).")
@click.option("--respect-gitignore/--no-respect-gitignore", default=True, show_default=True,
              help="Leave out the files .gitignore ignores.")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the cache (.incentive-lint-cache/ at the repository root).")
@click.option("--cache-dir", metavar="DIR", envvar="INCENTIVE_LINT_CACHE_DIR", show_envvar=True,
              help="Keep the cache in DIR instead of .incentive-lint-cache/ at the repository root.")
@click.option("--timings", is_flag=True, help="Print the seconds each phase took on stderr (lint, build, solve, patch, re-lint).")
def propose_command(paths: tuple[str, ...], as_of: str | None, config: str | None, plans: tuple[str, ...],
                    per_function: bool, max_change: float | None, allow_new_measures: bool, fmt: str,
                    output: str | None, apply: bool, respect_gitignore: bool, no_cache: bool, cache_dir: str | None,
                    timings: bool) -> None:
    """Propose the smallest change to component weights that makes target pay follow the strategy,
    as a diff (exit 1 when no change can be offered). See docs/propose.md."""
    from incentive_lint.propose import ProposeOptions, propose, write_proposal
    from incentive_lint.propose.render import render, render_timings
    from incentive_lint.run import LintOptions

    options = LintOptions(paths=[Path(p) for p in (paths or ["."])], as_of=parse_as_of(as_of),
                          config=Path(config) if config else None, respect_gitignore=respect_gitignore,
                          cache=not no_cache, cache_dir=Path(cache_dir) if cache_dir else None)
    try:
        proposal = propose(ProposeOptions(options, plans=plans, per_function=per_function, max_change=max_change,
                                          allow_new_measures=allow_new_measures))
    except FileNotFoundError as exc:
        raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
    write_output(render(proposal, fmt), output)
    if timings:
        click.echo(render_timings(proposal), err=True, nl=False)
    if apply and proposal.status == "proposed":
        written = write_proposal(proposal)
        click.echo(f"wrote the proposed weights to {', '.join(written)}.", err=True)
    if proposal.status in ("infeasible", "withheld"):
        sys.exit(1)


@cli.command("exceptions")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the list to FILE instead of the terminal.")
@click.option("--redact", is_flag=True,
              help="Leave out what people wrote (reasons, owners, approvers, tickets); rules, ids and dates stay.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Judge expiry on this date (default today).")
@click.option("--config", metavar="FILE", help="Use this configuration file instead of discovering .incentive-lint.yaml.")
def exceptions_command(paths: tuple[str, ...], fmt: str, output: str | None, redact: bool, as_of: str | None,
                       config: str | None) -> None:
    """List every exception (register and inline) with owner, approval, end date and status."""
    from incentive_lint.run import LintOptions
    from incentive_lint.outputs.exceptions import listing

    options = LintOptions(paths=[Path(p) for p in (paths or ["."])], as_of=parse_as_of(as_of),
                          config=Path(config) if config else None)
    try:
        text = listing(options, fmt, redact=redact)
    except FileNotFoundError as exc:
        raise UsageError(f"the path '{exc.args[0]}' does not exist.") from None
    write_output(text, output)


@cli.command("rules")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
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
        hint = catalog.suggest(rule)
        tip = f" Did you mean '{hint}'?" if hint else " Run 'incentive-lint rules' for the list."
        if len(found) > 1:  # a family or a code prefix: name one of its rules
            codes = ", ".join(sorted(r.code for r in found)[:12]) + (", ..." if len(found) > 12 else "")
            tip = tip if any(ch.isdigit() for ch in rule) else ""  # 'EN1' may mean EN01; 'EN' is the family
            raise UsageError(f"'{rule}' names {len(found)} rules ({codes}); explain one of them.{tip}")
        raise UsageError(f"no rule named '{rule}'.{tip}")
    click.echo(explain_text(found[0]), nl=False)


def _error(message: str) -> None:
    """One tool error on stderr, on one line: it may quote document values, so it is escaped
    whole (a value cannot forge a CI annotation or drive the terminal from an error message)."""
    from incentive_lint.base.escape import visible

    click.echo("incentive-lint: " + visible(message.rstrip("\n")), err=True)


@cli.command("schemas")
@click.option("-o", "--output", "folder", default="schemas", show_default=True, metavar="DIR",
              help="The folder to write the schemas to (created if needed; files of the same name are replaced).")
def schemas_command(folder: str) -> None:
    """Write the JSON Schemas of every document kind, plus incentive-lint.schema.json, which checks
    any document by its kind, for editors (yaml-language-server) in a policy repository."""
    from incentive_lint.outputs.schemas import write_schemas

    written = write_schemas(Path(folder))
    click.echo(f"wrote {len(written)} schemas to {folder}; map {Path(folder).as_posix()}/incentive-lint.schema.json "
               "to your policy files (see the README's editor section).", err=True)


@cli.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False))
def init_command(folder: str) -> None:
    """Set up a new policy repository in FOLDER (default: here): configuration, schemas and their
    editor mapping, pre-commit, a CI workflow, and one example document of each kind."""
    from incentive_lint.outputs.init import init_repository

    written = init_repository(Path(folder))
    for path in written:
        click.echo(f"  {path}", err=True)
    click.echo(f"wrote {len(written)} files; run 'incentive-lint check {folder}' to check them.", err=True)


@cli.command("lsp")
def lsp_command() -> None:
    """Run the language server on standard input and output, for editors (see docs/editor.md)."""
    try:
        from incentive_lint.lsp.server import serve
    except ImportError as exc:  # pygls is the optional 'lsp' extra
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise
        raise UsageError(f"the language server needs the 'lsp' extra ({exc.name} is missing): "
                         "pip install 'pygls>=2,<3' (or pip install '.[lsp]' in a clone of incentive-lint).") from None
    serve()


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
            import traceback
            traceback.print_exc()
        else:
            _error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback).")
        sys.exit(EXIT_TOOL_ERROR)


from incentive_lint.outputs.report.command import report_command  # noqa: E402  (the report package registers its own command)

cli.add_command(report_command)


def _accept_debug_everywhere(group: click.Group) -> None:
    """``incentive-lint check --debug`` works as ``incentive-lint --debug check`` does.

    ``main`` looks for ``--debug`` anywhere in the arguments to decide on tracebacks; click
    must only not reject it after a command name. Runs last, so that it sees every command,
    including those registered by other modules above.
    """
    for command in group.commands.values():
        if not any(p.name == "debug" for p in command.params):
            command.params.append(click.Option(["--debug"], is_flag=True, expose_value=False,
                                               help="Show the full traceback of internal errors."))


_accept_debug_everywhere(cli)
