"""A large repository's proposal through the relaxation (``propose.relaxation``,
``solver._settled``): its bound is never above the least D possible, the plans it settles meet
every limit, and the proposal is within ``MIP_GAP_LARGE`` of the best or says how far it may be
(issue 15: the solve time on 2,000 and 20,000 files)."""
from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("scipy.optimize", reason="propose needs scipy (pip install 'incentive-lint[propose]')")

import incentive_lint.propose.solver as solver  # noqa: E402
from incentive_lint.engine.workspace import LintOptions, read_workspace  # noqa: E402
from incentive_lint.propose import limits_of  # noqa: E402
from incentive_lint.propose.problem import Problem, build_problem, evaluate, score_of  # noqa: E402
from incentive_lint.propose.programme import MIP_GAP_LARGE  # noqa: E402
from incentive_lint.propose.relaxation import relax  # noqa: E402
from incentive_lint.propose.solver import Solution, solve  # noqa: E402
from tests.test_propose import exhaustive, random_problem  # noqa: E402


def limits_met(problem: Problem, weights: dict[tuple[str, str], float]) -> None:
    """Every limit the exact programme holds, checked on the weights themselves."""
    lim = problem.limits
    for b in problem.blocks:
        mine = [(v, weights[(v.plan, v.component.id)]) for v in b.variables]
        assert sum(w for _, w in mine) == 100, b.plan.id
        for v, w in mine:
            assert w == int(w), (b.plan.id, v.component.id, w)
            if v.held:
                assert w == v.current
                continue
            assert w <= min(v.upper, v.gameable_upper), (b.plan.id, v.component.id, w)
            if w > 0 and lim.min_weight is not None:
                assert w >= lim.min_weight, (b.plan.id, v.component.id, w)
        if lim.max_measures is not None:
            assert sum(1 for _, w in mine if w > 0) <= lim.max_measures, b.plan.id
        if lim.max_change is not None:
            assert sum(abs(w - v.current) for v, w in mine) <= lim.max_change, b.plan.id
        if b.subjective_cap is not None:
            assert sum(w for v, w in mine if v.subjective) <= b.subjective_cap, b.plan.id
    for g in problem.guards:
        assert score_of(g.score, problem.blocks, weights) <= g.limit + 1e-9, g.score.name
    for m in problem.mixes:
        assert m.met(weights), m.name


def claimed_within(solved: Solution, best: float) -> None:
    """The proposal's D is the best, or within the gap it states (MIP_GAP_LARGE when it states none)."""
    d = sum(solved.scores)
    gap = solved.unproven_gap if solved.unproven_gap is not None else MIP_GAP_LARGE
    assert best - 1e-9 <= d <= best + gap * d + 1e-9


@pytest.mark.parametrize("seed", range(10))
def test_the_relaxation_bound_and_the_settled_proposal_against_exhaustive_search(
        tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_problem(tmp_path, seed)
    brute = exhaustive(problem)
    for soft in (False, True):  # with the legacy tier as a target too (a transition limit)
        relaxed = relax(problem, 60.0, soft=soft)
        if relaxed is not None:  # a bound: no whole-percent weighting within the limits is below it
            assert relaxed.bound <= brute + 1e-9
    monkeypatch.setattr(solver, "SETTLE", 0)  # as on a large repository
    solved = solve(problem)
    if brute == math.inf:
        assert not isinstance(solved, Solution) or solved.transition
        return
    assert isinstance(solved, Solution) and not solved.transition
    limits_met(problem, solved.weights)
    assert sum(evaluate(problem, solved.weights)) == pytest.approx(sum(solved.scores), abs=1e-7)
    claimed_within(solved, brute)


@pytest.fixture(scope="module")
def corpus_problem(bench_corpus: Path) -> Problem:
    ws = read_workspace(LintOptions(paths=[bench_corpus], as_of=_dt.date(2025, 3, 1), respect_gitignore=False))
    return build_problem(ws.model, limits_of(ws, None))


def test_a_large_repository_is_settled_by_the_relaxation_within_every_limit(
        corpus_problem: Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the generated corpus the relaxation settles most plans; the rest are solved exactly;
    the answer meets every limit and is as good as the whole programme's, within its stated gap."""
    problem = corpus_problem
    exact = solve(problem)  # this corpus is small enough to be solved as one programme
    assert isinstance(exact, Solution)
    rests: list[Problem] = []
    real = solver._without

    def spy(p: Problem, settled: Any) -> Problem:
        rests.append(real(p, settled))
        return rests[-1]

    monkeypatch.setattr(solver, "_without", spy)
    monkeypatch.setattr(solver, "SETTLE", 0)
    settled = solve(problem)
    assert isinstance(settled, Solution)
    assert len(rests) == 1 and len(rests[0].blocks) < len(problem.blocks) / 4  # most plans settled
    limits_met(problem, settled.weights)
    assert sum(evaluate(problem, settled.weights)) == pytest.approx(sum(settled.scores), abs=1e-7)
    relaxed = relax(problem, 60.0)
    assert relaxed is not None
    assert relaxed.bound <= sum(exact.scores) + 1e-9 and relaxed.bound <= sum(settled.scores) + 1e-9
    # the whole programme's answer is itself within MIP_GAP_LARGE of the best
    claimed_within(settled, sum(exact.scores) / (1 + MIP_GAP_LARGE))
    moved = sum(abs(settled.weights[(v.plan, v.component.id)] - v.current) for v in problem.variables())
    assert settled.moved == moved


def test_a_gap_the_relaxation_cannot_close_is_stated(corpus_problem: Problem,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """When the plans left to the exact programme cannot make up the relaxation's bound, the
    proposal says how far from the best it may be, and why."""
    import incentive_lint.propose.relaxation as relaxation

    real = relaxation.relax

    def optimistic(problem: Problem, time_limit: float) -> Any:
        found = real(problem, time_limit)
        return None if found is None else relaxation.Relaxed(found.weights, found.bound * 0.9)

    monkeypatch.setattr(solver, "relax", optimistic)
    monkeypatch.setattr(solver, "SETTLE", 0)
    settled = solve(corpus_problem)
    assert isinstance(settled, Solution)
    assert settled.unproven_reason == "relaxation"
    assert settled.unproven_gap == pytest.approx(1 - 0.9 * real(corpus_problem, 60.0).bound / sum(settled.scores))


def test_the_output_says_when_the_relaxation_leaves_a_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The text names the relaxation and the gap; the JSON says proven_best false and why."""
    import json
    import shutil

    import incentive_lint.propose.relaxation as relaxation
    from tests.test_propose import EXAMPLE, _cli

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    args = ["propose", str(repo), "--as-of", "2025-06-30", "--max-change", "200", "--no-cache"]
    monkeypatch.setattr(solver, "SETTLE", 0)
    _, exact, _ = _cli([*args, "--format", "json"], capsys)
    assert json.loads(exact)["proven_best"] is True and json.loads(exact)["unproven_because"] is None
    real = relaxation.relax
    monkeypatch.setattr(solver, "relax", lambda p, t: (lambda r: r and relaxation.Relaxed(r.weights, r.bound / 2))(
        real(p, t)))
    _, text, _ = _cli(args, capsys)
    assert "continuous relaxation" in text and "the least D possible is at most" in text
    assert "time limit" not in text
    _, out, _ = _cli([*args, "--format", "json"], capsys)
    data = json.loads(out)
    assert data["proven_best"] is False and data["unproven_because"] == "relaxation"
    assert data["unproven_gap"] == pytest.approx(0.5, abs=0.01)
