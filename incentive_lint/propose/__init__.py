"""``propose``: the smallest change to component weights that makes target pay follow the
strategy, within the limits a plan designer works by, as a reviewable diff.

``propose(ProposeOptions(...))`` lints the repository, builds the optimisation from the model's
own pay facts (``problem``; with ``allow_new_measures`` also from the catalog KPIs ``candidates``
offers), solves it with HiGHS (``solver``), rewrites only the weight values, deletes the measures
it removes and appends the new components (``patch``) and lints the patched files in memory: a
proposal that would create a new error is withheld, never shown as a fix. ``render`` writes it
for a person (text, Markdown) or a tool (JSON). ``Proposal.timings`` holds the seconds of each
phase. Nothing here imports the CLI or the output formats.
"""
from __future__ import annotations

import dataclasses
import functools
import gc
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from incentive_lint.base.errors import UsageError
from incentive_lint.base.findings import Finding, LintResult, Severity, flatten
from incentive_lint.base.source import NodePath
from incentive_lint.checks.engagement_design import SUBJECTIVE_TYPES
from incentive_lint.checks.engagement_gaming import GAMEABILITY
from incentive_lint.engine.cache import digest
from incentive_lint.engine.file_cache import FileCache
from incentive_lint.engine.workspace import LintOptions, Setup, Workspace, prepare, root_of
from incentive_lint.model.core import Model
from incentive_lint.propose.candidates import plain
from incentive_lint.propose.patch import (Addition, Edit, addition_text, cut_span, line_starts, offset, patch_files,
                                          read_texts, unified_diff)
from incentive_lint.propose.problem import Limits, PlanBlock, Problem, build_problem
from incentive_lint.propose.solver import Infeasible, Solution, solve
from incentive_lint.run import lint_cached, lint_prepared


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
    #: --allow-new-measures: plans may add components on catalog KPIs (see ``candidates``)
    allow_new_measures: bool = False


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
    #: scores the limits leave no way to keep in their tier of incentive-strategy-divergence
    tiers: tuple[Infeasible, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    #: plans for which a limit that keeps a finding from arising is lifted (no weighting meets it)
    lifted: tuple[tuple[str, str], ...] = ()
    #: the real path of each file the diff touches (for --write)
    paths: dict[str, str] = field(default_factory=dict)
    moved: float = 0.0
    #: new components the change appends (``--allow-new-measures``)
    additions: tuple[Addition, ...] = ()
    #: seconds per phase (lint, build, solve, patch, re-lint), measured in this run
    timings: dict[str, float] = field(default_factory=dict)
    #: not proven the best: the least D possible may be at most this relative gap lower (None:
    #: proven the best); ``Solution.unproven_reason`` says why ("time" or "relaxation")
    unproven_gap: float | None = None
    unproven_reason: str = "time"


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
    divergence = ws.settings.get("incentive-strategy-divergence")
    gaming = ws.settings.get("high-powered-single-measure")
    gaming_options = gaming.options if gaming is not None else {}
    mbo = ws.settings.get("discretionary-only-link")
    mbo_types = mbo.options.get("subjective_types") if mbo is not None else None
    return Limits(min_weight=option("measure-weight-too-small", "min_measure_weight"),
                  max_measures=int(measures) if measures is not None else None,
                  legacy_warn=option("pays-on-deprioritized-driver", "legacy_weight_warn"),
                  max_change=max_change,
                  divergence_warn=option("incentive-strategy-divergence", "divergence_warn"),
                  divergence_error=option("incentive-strategy-divergence", "divergence_error"),
                  divergence_per_function=bool(divergence is not None and divergence.options.get("per_function", True)),
                  gameable_weight=option("high-powered-single-measure", "min_weight"),
                  gameable_mix=float(gaming_options.get("min_variable_pct", 40)),
                  gameable_level=GAMEABILITY.get(str(gaming_options.get("min_gameability", "medium")), 2),
                  subjective_max=option("discretionary-only-link", "max_subjective_weight"),
                  subjective_types=tuple(mbo_types) if isinstance(mbo_types, (list, tuple)) else SUBJECTIVE_TYPES,
                  scorecard=_scorecard(ws))


def _scorecard(ws: Workspace) -> tuple[float, float, tuple[str, ...]] | None:
    """leadership-scorecard-misaligned's options (None when it is off)."""
    setting = ws.settings.get("leadership-scorecard-misaligned")
    if setting is None or not setting.enabled:
        return None
    drivers = setting.options.get("efficiency_drivers", ("internal-efficiency",))
    return (float(setting.options.get("max_to_driver_share", 25)), float(setting.options.get("min_efficiency_share", 50)),
            tuple(drivers) if isinstance(drivers, (list, tuple)) else ("internal-efficiency",))


def _edits(ws: Workspace, problem: Problem, solution: Solution) -> list[Edit]:
    out = []
    for v in problem.variables():
        found = solution.weights[(v.plan, v.component.id)]
        if v.added or v.held or abs(found - v.current) < 1e-9:
            continue
        new = int(found)
        if "weight" not in v.component.raw:
            raise UsageError(f"'{v.component.key}' has no weight written in its file; give it one, then run propose again.")
        loc = v.component.loc.at("weight")
        span = ws.locator.span(loc.file, loc.doc, loc.path)
        out.append(Edit(loc.file, span, v.component, v.current, new))
    return out


def _cuts(ws: Workspace, edits: Sequence[Edit], texts: dict[str, str], starts: dict[str, list[int]]) -> list[Edit]:
    """Each edit of a measure the change removes, with the lines that delete it from its file, or
    (``kept``) why it is written as ``weight: 0`` instead; other edits as they are. ``starts``
    holds the line starts of each text split into lines (filled in here)."""
    out: list[Edit] = []
    plans: dict[str, Callable[[tuple[Any, ...]], tuple[int, int]]] = {}
    for e in edits:
        if e.new != 0:
            out.append(e)
            continue
        plan = ws.model.plans[e.component.plan]
        text = texts[e.file]
        mine = starts.get(e.file)
        if mine is None:
            mine = starts[e.file] = line_starts(text)
        span_of = plans.get(plan.id)
        if span_of is None:  # one per plan, remembering its spans: its removed items share the list's
            span_of = plans[plan.id] = functools.lru_cache(maxsize=None)(
                _span_of(ws, e.file, plan.loc.doc, plan.loc.at("components").path, mine))
        index = e.component.loc.path[-1]
        items = plan.raw.get("components")
        weight = (offset(mine, e.span.start.line, e.span.start.column), offset(mine, e.span.end.line, e.span.end.column))
        found = (cut_span(text, span_of, len(items), index, weight)
                 if isinstance(index, int) and isinstance(items, list) and index < len(items) else "layout")
        out.append(dataclasses.replace(e, cut=found) if isinstance(found, tuple) else dataclasses.replace(e, kept=found))
    return out


def _additions(ws: Workspace, problem: Problem, solution: Solution,
               texts: dict[str, str]) -> tuple[list[Addition], set[str]]:
    """The new components the solution keeps, placed in their files; and the plans whose list of
    components is written in a way ``addition_text`` cannot extend (nothing is added to those)."""
    by_plan: dict[str, list[tuple[str, str, int]]] = {}
    for v in problem.variables():
        weight = solution.weights[(v.plan, v.component.id)]
        if v.added and weight > 0:
            by_plan.setdefault(v.plan, []).append((v.component.id, v.component.kpi or "", int(weight)))
    out: list[Addition] = []
    refused: set[str] = set()
    for plan_id, new in sorted(by_plan.items()):
        plan = ws.model.plans[plan_id]
        file, doc, base = plan.loc.file, plan.loc.doc, plan.loc.at("components").path
        if file not in texts:
            texts.update(read_texts([file], lambda f: ws.sources[f]))
        text = texts[file]
        placed = addition_text(text, _span_of(ws, file, doc, base, line_starts(text)), plan.raw.get("components") or [],
                               [(plain(cid), plain(kpi), w) for cid, kpi, w in new])
        if placed is None:
            refused.add(plan_id)
            continue
        where, insert = placed
        # one insertion per plan: the first new component carries the text of all of them
        for n, (cid, kpi, w) in enumerate(new):
            out.append(Addition(file, plan_id, cid, kpi, w, where, insert if n == 0 else ""))
    return out, refused


def _span_of(ws: Workspace, file: str, doc: int, base: NodePath,
             starts: Sequence[int]) -> Callable[[tuple[Any, ...]], tuple[int, int]]:
    """Offsets (start, end) in ``file``'s text of the node at a path below ``base``."""
    def span_of(path: tuple[Any, ...]) -> tuple[int, int]:
        s = ws.locator.span(file, doc, (*base, *path))
        return offset(starts, s.start.line, s.start.column), offset(starts, s.end.line, s.end.column)
    return span_of


def _without_additions(problem: Problem, plans: set[str]) -> Problem:
    blocks = tuple(PlanBlock(b.plan, b.pay, tuple(v for v in b.variables if not v.added)) if b.plan.id in plans else b
                   for b in problem.blocks)
    return dataclasses.replace(problem, blocks=blocks)


def _check_written(after: Model, edits: Sequence[Edit], additions: Sequence[Addition]) -> None:
    """The patched files, read back, hold exactly the weights and components proposed."""
    def component(plan: str, cid: str) -> object:
        p = after.plans.get(plan)
        return next((c for c in p.components if c.id == cid), None) if p is not None else None

    for e in edits:
        c = component(e.component.plan, e.component.id)
        if e.cut is not None:
            if c is not None:
                raise UsageError(f"'{e.component.key}' is still in {e.file} after its lines were deleted; "
                                 "nothing is proposed. Please report this with the file.")
        elif c is None or getattr(c, "weight", None) != e.new:
            raise UsageError(f"the new weight of '{e.component.key}' did not read back from {e.file} as written; "
                             "nothing is proposed. Please report this with the file.")
    for a in additions:
        c = component(a.plan, a.component)
        if c is None or getattr(c, "kpi", None) != a.kpi or getattr(c, "weight", None) != a.weight:
            raise UsageError(f"the new component '{a.plan}.{a.component}' did not read back from {a.file} as "
                             "written; nothing is proposed. Run propose without --allow-new-measures.")


def _keys(result: LintResult) -> set[str]:
    return {f.fingerprint for f in flatten([*result.findings, *result.suppressed])}


#: a component's place in its plan's list, which deleting an earlier one shifts
_INDEX = re.compile(r"\.components\[\d+\]")


def _shortened(before: Sequence[Finding], after: Sequence[Finding], before_keys: set[str], after_keys: set[str],
               removed: set[str]) -> dict[str, Finding]:
    """The findings after the change that are one from before with the removed measures left out
    ("pays on bookings ('a', 'b')" becoming "pays on bookings ('a')" when 'b' is removed), by
    fingerprint, each with the finding it was. The fingerprint names the finding's entities, so it
    changes with them; the same rule on the same node of the same file, naming the same entities
    but the removed ones, is the same finding, still there."""
    def key(f: Finding) -> tuple[Any, ...]:
        return f.rule, f.span.file, tuple(x for x in f.entities if x not in removed), _INDEX.sub(".components[]", f.path)

    gone: dict[tuple[Any, ...], Finding] = {}
    for f in before:
        if f.fingerprint in after_keys or not removed.intersection(f.entities):
            continue
        k = key(f)
        if k[2]:  # a finding only about removed measures is resolved, not shortened
            gone.setdefault(k, f)
    out: dict[str, Finding] = {}
    for f in after:
        if f.fingerprint not in before_keys:
            found = gone.get(key(f))
            if found is not None:
                out[f.fingerprint] = found
    return out


def _severities(result: LintResult) -> dict[str, Severity]:
    """The highest severity of each fingerprint, shown or suppressed."""
    out: dict[str, Severity] = {}
    for f in flatten([*result.findings, *result.suppressed]):
        out[f.fingerprint] = max(out.get(f.fingerprint, f.severity), f.severity)
    return out


def propose(options: ProposeOptions) -> Proposal:
    """Lint, solve, patch, lint the patched files, compare (see the module docstring)."""
    # As in ``lint``: the run's large heap lives to its end and holds no cycles worth collecting;
    # with the cyclic GC on, building the problem, the positions and the diff between the two
    # lints spent a third of a 20,000-file run rescanning it.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _propose(options)
    finally:
        if gc_was_enabled:
            gc.enable()


def _propose(options: ProposeOptions) -> Proposal:
    clock = _Clock()
    # one root, configuration, catalog and list of files for both lints: the second reads only
    # what the change touches differently (the patched texts)
    lint_options = dataclasses.replace(options.lint, root=root_of(options.lint))
    setup = prepare(lint_options)
    before_result, ws = lint_cached(lint_options, setup)  # an unchanged repository: no rule runs
    clock.lap("lint")
    model = ws.model
    unknown = sorted(set(options.plans) - set(model.plans))
    if unknown:
        raise UsageError(f"no plan with the id {', '.join(repr(u) for u in unknown)}.")
    not_in_force = sorted(set(options.plans) - set(model.in_force()))
    if not_in_force:
        raise UsageError(f"plan {', '.join(repr(u) for u in not_in_force)} is not in force on {model.as_of}; "
                         "propose changes the plans that pay people on the --as-of date.")
    limits = limits_of(ws, options.max_change)
    problem = build_problem(model, limits, options.plans or None, options.per_function, options.allow_new_measures)
    objective = "the sum of the per-function scores" if options.per_function else "the overall score"
    before = scores(model)
    # every later Proposal shares this dict of laps, so the phases still to come appear in it too
    base = Proposal("unchanged", limits, objective, before, skipped=problem.skipped, lifted=problem.lifted,
                    timings=clock.laps)
    clock.lap("build")
    if model.strategy is None or not problem.objectives:
        raise UsageError("there is no strategy with weighted priorities (or no target pay) to propose weights for.")
    solved = solve(problem)
    clock.lap("solve")
    if isinstance(solved, list):
        return dataclasses.replace(base, status="infeasible", infeasible=tuple(solved))
    edits = _edits(ws, problem, solved)
    originals = read_texts(sorted({e.file for e in edits}), lambda f: ws.sources[f])
    additions, refused = _additions(ws, problem, solved, originals)
    if refused:  # lists written in a way that cannot be extended: solve again without their new measures
        problem = _without_additions(problem, refused)
        solved = solve(problem)
        if isinstance(solved, list):
            return dataclasses.replace(base, status="infeasible", infeasible=tuple(solved))
        edits = _edits(ws, problem, solved)
        originals.update(read_texts(sorted({e.file for e in edits} - set(originals)), lambda f: ws.sources[f]))
        additions, _ = _additions(ws, problem, solved, originals)
    if not edits and not additions:
        clock.lap("patch")
        return dataclasses.replace(base, after=before, transition=solved.transition, tiers=solved.tiers,
                                   unproven_gap=solved.unproven_gap, unproven_reason=solved.unproven_reason)
    starts: dict[str, list[int]] = {}
    edits = _cuts(ws, edits, originals, starts)
    files = sorted({e.file for e in edits} | {a.file for a in additions})
    patched, runs = patch_files(originals, edits, additions, starts)
    diff = unified_diff(originals, patched, runs)
    clock.lap("patch")
    # the patched texts stand for their files; the workspace's worker processes read them too
    after_result, after_ws = lint_prepared(dataclasses.replace(lint_options, texts={**lint_options.texts, **patched}),
                                             _patched_setup(setup, patched))
    _check_written(after_ws.model, edits, additions)
    new, resolved, remaining = _compare(before_result, after_result, {e.component.key for e in edits if e.new == 0})
    proposal = dataclasses.replace(
        base, status="proposed", after=scores(after_ws.model), edits=tuple(edits), diff=diff,
        patched=patched, resolved=resolved, remaining=remaining, new_findings=new, paths={f: str(ws.sources[f]) for f in files}, moved=solved.moved,
        transition=solved.transition, tiers=solved.tiers, additions=tuple(additions), unproven_gap=solved.unproven_gap,
        unproven_reason=solved.unproven_reason)
    clock.lap("re-lint")
    if any(f.severity >= Severity.ERROR for f in new):
        return dataclasses.replace(proposal, status="withheld")
    return proposal


def _compare(before: LintResult, after: LintResult,
             removed: set[str]) -> tuple[tuple[Finding, ...], tuple[Finding, ...], tuple[Finding, ...]]:
    """The findings the change creates, those it resolves and those it leaves, by fingerprint
    (suppressed ones count as there). A finding it raises to an error (a warning before) is a new
    error too, though its fingerprint, which leaves the severity out, is the same; one that only
    loses ``removed`` measures is still there (:func:`_shortened`)."""
    before_keys, after_keys = _keys(before), _keys(after)
    before_all, after_all = flatten(before.findings), flatten(after.findings)
    was = _severities(before)
    shorter = _shortened(before_all, after_all, before_keys, after_keys, removed)

    def earlier(f: Finding) -> Severity:
        return was[f.fingerprint if f.fingerprint in was else shorter[f.fingerprint].fingerprint]

    new = tuple(f for f in after_all if (f.fingerprint not in before_keys and f.fingerprint not in shorter)
                or (f.severity >= Severity.ERROR and earlier(f) < Severity.ERROR))
    raised = {f.fingerprint for f in new}
    kept = {g.fingerprint for g in shorter.values()}
    resolved = tuple(f for f in before_all if f.fingerprint not in after_keys and f.fingerprint not in kept)
    remaining = tuple(f for f in after_all if (f.fingerprint in before_keys or f.fingerprint in shorter)
                      and f.fingerprint not in raised)
    return new, resolved, remaining


def _patched_setup(setup: Setup, patched: dict[str, str]) -> Setup:
    """The first lint's setup for the lint of the patched texts. With the cache on, each patched
    text is keyed by its content, as the file holding it would be: its entry is stored once read,
    so the same proposal computed again, or ``check`` after ``--write``, reads it from the cache
    instead of parsing and validating it again (the entry is what reading that text gives)."""
    files = setup.files
    if files is None:
        return setup
    mine = FileCache(files.store, files.salt)
    mine.keys = {**files.keys, **{name: digest(files.salt, name, text) for name, text in patched.items()}}
    return dataclasses.replace(setup, files=mine)


class _Clock:
    """Wall time per phase of one proposal (``--timings``): laps are added to ``laps`` in order."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.laps[phase] = self.laps.get(phase, 0.0) + now - self._last
        self._last = now


def write_proposal(proposal: Proposal) -> list[str]:
    """``--write``: apply the patched texts to the files (bytes exactly as in the diff)."""
    written = []
    for file, text in sorted(proposal.patched.items()):
        with open(proposal.paths[file], "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        written.append(file)
    return written


__all__ = ["ProposeOptions", "Proposal", "Scores", "propose", "write_proposal", "scores", "limits_of"]
