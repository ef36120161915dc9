"""``propose``: the smallest change to component weights that makes target pay follow the
strategy, within the limits a plan designer works by, as a reviewable diff.

``propose(ProposeOptions(...))`` lints the repository, builds the optimisation from the model's
own pay facts (``problem``), solves it with HiGHS (``solver``), rewrites only the weight values
(``patch``) and lints the patched files in memory: a proposal that would create a new error is
withheld, never shown as a fix. ``render`` writes it for a person (text, Markdown) or a tool
(JSON). Nothing here imports the CLI or the output formats.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Sequence

from incentive_lint.base.errors import UsageError
from incentive_lint.base.findings import Finding, LintResult, Severity, flatten
from incentive_lint.engine.workspace import LintOptions, Workspace
from incentive_lint.model.core import Model
from incentive_lint.propose.patch import Edit, apply_edits, read_texts, unified_diff
from incentive_lint.propose.problem import Limits, Problem, build_problem
from incentive_lint.propose.solver import Infeasible, Solution, solve
from incentive_lint.run import lint


@dataclass
class ProposeOptions:
    """What to propose for, and within which limits."""

    lint: LintOptions = field(default_factory=LintOptions)
    #: only these plans (default: every plan in force)
    plans: Sequence[str] = ()
    #: minimise the sum of the per-function scores instead of the overall one
    per_function: bool = False
    #: --max-change: the most points one plan's weights may move in total
    max_change: float | None = None


@dataclass(frozen=True)
class Scores:
    """D overall and per function, and each bucket's share of pay against the strategy's weight."""

    overall: float | None
    functions: tuple[tuple[str, float], ...]
    #: bucket -> (share of pay, strategy weight), both fractions
    shares: tuple[tuple[str, float, float], ...]
    currency: str | None = None
    total_pay: float = 0.0


@dataclass
class Proposal:
    """The outcome: ``proposed`` (edits and diff), ``unchanged`` (the weights are already the
    best the limits allow), ``infeasible`` (why) or ``withheld`` (it would add errors)."""

    status: str
    limits: Limits
    objective: str
    before: Scores
    after: Scores | None = None
    edits: tuple[Edit, ...] = ()
    diff: str = ""
    patched: dict[str, str] = field(default_factory=dict)
    resolved: tuple[Finding, ...] = ()
    remaining: tuple[Finding, ...] = ()
    new_findings: tuple[Finding, ...] = ()
    infeasible: tuple[Infeasible, ...] = ()
    #: plans the transition limit keeps from meeting every limit this year (moved as far as it allows)
    transition: tuple[Infeasible, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    #: the real path of each file the diff touches (for --write)
    paths: dict[str, str] = field(default_factory=dict)
    moved: float = 0.0


def scores(model: Model) -> Scores:
    """The numbers the report and ``incentive-strategy-divergence`` show, from the same model calls."""
    overall = model.divergence()
    functions = []
    strategy = model.strategy
    for fid in sorted({f for p in (strategy.priorities if strategy else ()) for f in p.contributors}):
        plans = model.function_plans(fid)
        if fid not in model.functions or not plans:
            continue
        d = model.divergence(plans, function=fid)
        if d is not None:
            functions.append((fid, d.score))
    shares = tuple((k, q, pi) for k, q, pi in sorted(overall.contributors())) if overall else ()
    return Scores(overall.score if overall else None, tuple(functions), shares,
                  overall.currency if overall else None, overall.total_pay if overall else 0.0)


def limits_of(ws: Workspace, max_change: float | None) -> Limits:
    """The limits from the effective options of the rules that state them (off when the rule is)."""
    def option(rule: str, name: str) -> float | None:
        setting = ws.settings.get(rule)
        if setting is None or not setting.enabled or setting.options.get(name) is None:
            return None
        return float(setting.options[name])

    measures = option("too-many-measures", "max_measures")
    return Limits(min_weight=option("measure-weight-too-small", "min_measure_weight"),
                  max_measures=int(measures) if measures is not None else None,
                  legacy_warn=option("pays-on-deprioritized-driver", "legacy_weight_warn"),
                  max_change=max_change)


def _edits(ws: Workspace, problem: Problem, solution: Solution) -> list[Edit]:
    out = []
    for v in problem.variables():
        new = solution.weights[(v.plan, v.component.id)]
        if abs(new - v.current) < 1e-9:
            continue
        if "weight" not in v.component.raw:
            raise UsageError(f"'{v.component.key}' has no weight written in its file; give it one, then run propose again.")
        loc = v.component.loc.at("weight")
        span = ws.locator.span(loc.file, loc.doc, loc.path)
        out.append(Edit(loc.file, span, v.component, v.current, new))
    return out


def _keys(result: LintResult) -> set[str]:
    return {f.fingerprint for f in flatten([*result.findings, *result.suppressed])}


def propose(options: ProposeOptions) -> Proposal:
    """Lint, solve, patch, lint the patched files, compare (see the module docstring)."""
    before_result, ws = lint(options.lint)
    model = ws.model
    unknown = sorted(set(options.plans) - set(model.plans))
    if unknown:
        raise UsageError(f"no plan with the id {', '.join(repr(u) for u in unknown)}.")
    not_in_force = sorted(set(options.plans) - set(model.in_force()))
    if not_in_force:
        raise UsageError(f"plan {', '.join(repr(u) for u in not_in_force)} is not in force on {model.as_of}; "
                         "propose changes the plans that pay people on the --as-of date.")
    limits = limits_of(ws, options.max_change)
    problem = build_problem(model, limits, options.plans or None, options.per_function)
    objective = "the sum of the per-function scores" if options.per_function else "the overall score"
    before = scores(model)
    base = Proposal("unchanged", limits, objective, before, skipped=problem.skipped)
    if model.strategy is None or not problem.objectives:
        raise UsageError("there is no strategy with weighted priorities (or no target pay) to propose weights for.")
    solved = solve(problem)
    if isinstance(solved, list):
        return dataclasses.replace(base, status="infeasible", infeasible=tuple(solved))
    edits = _edits(ws, problem, solved)
    if not edits:
        return dataclasses.replace(base, after=before, transition=solved.transition)
    files = sorted({e.file for e in edits})
    originals = read_texts(files, lambda f: ws.sources[f])
    patched = apply_edits(originals, edits)
    after_result, after_ws = lint(dataclasses.replace(options.lint, texts={**options.lint.texts, **patched}))
    before_keys = _keys(before_result)
    after_keys = _keys(after_result)
    after_all = flatten(after_result.findings)
    new = tuple(f for f in after_all if f.fingerprint not in before_keys)
    resolved = tuple(f for f in flatten(before_result.findings) if f.fingerprint not in after_keys)
    proposal = dataclasses.replace(
        base, status="proposed", after=scores(after_ws.model), edits=tuple(edits), diff=unified_diff(originals, patched),
        patched=patched, resolved=resolved, remaining=tuple(f for f in after_all if f.fingerprint in before_keys),
        new_findings=new, paths={f: str(ws.sources[f]) for f in files}, moved=solved.moved,
        transition=solved.transition)
    if any(f.severity >= Severity.ERROR for f in new):
        return dataclasses.replace(proposal, status="withheld")
    return proposal


def write_proposal(proposal: Proposal) -> list[str]:
    """``--write``: apply the patched texts to the files (bytes exactly as in the diff)."""
    written = []
    for file, text in sorted(proposal.patched.items()):
        with open(proposal.paths[file], "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        written.append(file)
    return written


__all__ = ["ProposeOptions", "Proposal", "Scores", "propose", "write_proposal", "scores", "limits_of"]
