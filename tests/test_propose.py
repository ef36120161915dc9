"""``propose``: the smallest weight change towards the strategy, as a diff that is checked
before it is shown (issue 15, point 5)."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("scipy.optimize", reason="propose needs scipy (pip install 'incentive-lint[propose]')")

from incentive_lint.base.errors import UsageError  # noqa: E402
from incentive_lint.base.findings import Severity, flatten  # noqa: E402
from incentive_lint.cli import main  # noqa: E402
from incentive_lint.engine.workspace import LintOptions, read_workspace  # noqa: E402
from incentive_lint.propose import ProposeOptions, limits_of, propose  # noqa: E402
from incentive_lint.propose.problem import Limits, build_problem, evaluate, score_of  # noqa: E402
from incentive_lint.propose.solver import Solution, solve  # noqa: E402
from incentive_lint.run import lint  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "manufacturer"
AS_OF = "2025-06-30"
DAY = _dt.date(2025, 6, 30)


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    return repo


def _apply(repo: Path, diff: str) -> None:
    """Apply the diff as a reviewer would, with ``git apply`` (paths are relative to the root)."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to apply the diff")
    (repo.parent / "change.diff").write_text(diff, encoding="utf-8", newline="")
    subprocess.run(["git", "apply", "--unsafe-paths", str(repo.parent / "change.diff")], cwd=repo, check=True,
                   capture_output=True)


def _errors(repo: Path) -> dict[str, Any]:
    result, ws = lint(LintOptions(paths=[repo], as_of=DAY))
    return {"errors": {f.fingerprint: f for f in flatten(result.findings) if f.severity >= Severity.ERROR},
            "d": ws.model.divergence().score, "findings": flatten(result.findings)}


def _propose_json(repo: Path, capsys: pytest.CaptureFixture[str], *more: str) -> dict[str, Any]:
    code, out, err = _cli(["propose", str(repo), "--as-of", AS_OF, "--format", "json", *more], capsys)
    assert code == 0, err
    return json.loads(out)


def _only_weights_and_removed(data: dict[str, Any]) -> None:
    """The diff touches only weight lines (each rewritten in place, nothing else on it changed) and
    the removed measures' lines (deleted whole: together they read as exactly those list items)."""
    deleted = {(c["file"], c["component"]) for c in data["changes"] if c["deleted"]}
    assert all(c["to"] == 0 for c in data["changes"] if c["deleted"])
    seen: set[tuple[str, str]] = set()
    file = ""
    minus: list[str] = []
    plus: list[str] = []
    rewritten = 0

    def flush() -> None:
        nonlocal rewritten
        # a block of '-' lines then '+' lines: the '+' lines rewrite the last of the '-' lines, one
        # for one; the '-' lines before them are deleted
        cut = len(minus) - len(plus)
        assert cut >= 0, (minus, plus)
        for old, new in zip(minus[cut:], plus):
            assert re.sub(r"weight: \d+", "weight: N", old) == re.sub(r"weight: \d+", "weight: N", new), (old, new)
            assert old != new
            rewritten += 1
        if cut:
            items = yaml.safe_load("".join(line + "\n" for line in minus[:cut]))
            assert isinstance(items, list) and all(isinstance(i, dict) for i in items), minus[:cut]
            for item in items:
                assert (file, item["id"]) in deleted, (file, item)
                seen.add((file, item["id"]))
        minus.clear()
        plus.clear()

    for line in data["diff"].splitlines():
        if line.startswith("+++ b/"):
            file = line[6:]
        elif line.startswith(("---", "+++")):
            continue
        elif line.startswith("-"):
            if plus:
                flush()
            minus.append(line[1:])
        elif line.startswith("+"):
            plus.append(line[1:])
        else:
            flush()
    flush()
    assert seen == deleted
    assert rewritten == sum(1 for c in data["changes"] if not c["removed"])
    assert rewritten + len(deleted) > 0


def test_manufacturer_unbounded_proposal_applied_gives_reported_d_and_no_new_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _copy(tmp_path)
    before = _errors(repo)
    data = _propose_json(repo, capsys, "--max-change", "200")
    assert data["status"] == "proposed"
    assert data["after"]["overall"] < data["before"]["overall"] - 0.3
    _only_weights_and_removed(data)
    # the legacy measures are removed, and deleted from their files
    assert {(c["plan"], c["component"]) for c in data["changes"] if c["removed"]} == \
        {("ip-sales-2025", "units"), ("ip-service-2024", "hours")}
    _apply(repo, data["diff"])
    after = _errors(repo)
    assert after["d"] == pytest.approx(data["after"]["overall"], abs=1e-12)
    assert set(after["errors"]) <= set(before["errors"])
    assert not [f for f in after["errors"].values() if f.rule == "pays-on-deprioritized-driver"]
    assert not [f for f in after["findings"] if f.rule in ("measure-weight-too-small", "too-many-measures")
                and f.fingerprint not in {g.fingerprint for g in before["findings"]}]
    model = lint(LintOptions(paths=[repo], as_of=DAY))[1].model
    for change in data["changes"]:
        ids = [c.id for c in model.plans[change["plan"]].components]
        assert (change["component"] in ids) != change["removed"]
    changed_files = {c["file"] for c in data["changes"]}
    for path in EXAMPLE.rglob("*.yaml"):
        name = path.relative_to(EXAMPLE).as_posix()
        if name not in changed_files:
            assert (repo / name).read_bytes() == path.read_bytes()


def test_manufacturer_transition_limit_gives_a_smaller_change_that_still_lowers_d(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _copy(tmp_path)
    before = _errors(repo)
    wide = _propose_json(repo, capsys, "--max-change", "200")
    data = _propose_json(repo, capsys, "--max-change", "40")
    assert data["status"] == "proposed"
    assert data["moved"] < wide["moved"]
    per_plan: dict[str, float] = {}
    for c in data["changes"]:
        per_plan[c["plan"]] = per_plan.get(c["plan"], 0.0) + abs(c["to"] - c["from"])
    assert per_plan and max(per_plan.values()) <= 40
    assert data["after"]["overall"] < data["before"]["overall"]
    assert {t["plan"] for t in data["transition_limited"]} == {"ip-sales-2025", "ip-service-2024"}
    _only_weights_and_removed(data)
    _apply(repo, data["diff"])
    after = _errors(repo)
    assert after["d"] == pytest.approx(data["after"]["overall"], abs=1e-12)
    assert set(after["errors"]) <= set(before["errors"])


def test_text_and_markdown_name_what_weights_cannot_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(["propose", str(EXAMPLE), "--as-of", AS_OF, "--format", "markdown"], capsys)
    assert code == 0
    assert "```diff" in out and "| D overall" in out
    assert "capability gap" in out and "missing-required-function" in out
    assert "Resolved by the change" in out


def test_write_applies_exactly_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo, other = _copy(tmp_path), tmp_path / "other"
    shutil.copytree(EXAMPLE, other)
    data = _propose_json(repo, capsys)
    code, _, err = _cli(["propose", str(repo), "--as-of", AS_OF, "--write", "-o", str(tmp_path / "p.txt")], capsys)
    assert code == 0 and "wrote the proposed weights" in err
    _apply(other, data["diff"])
    for path in repo.rglob("*.yaml"):
        assert path.read_bytes() == (other / path.relative_to(repo)).read_bytes()


# --------------------------------------------------------------------------- small repositories

HEAD = "kind: {kind}\nschema: incentive-lint/v1\n"


def _repo(tmp_path: Path, plans: list[list[tuple[str, int]]], heads: list[int], weights: tuple[int, ...] = (50, 30, 20),
          newline: str = "\n", config: str | None = None) -> Path:
    """A strategy of three priorities (p0..p2) moving away from 'old', KPIs k0..k2 on them and
    a legacy KPI 'kl', one role and one plan per entry of ``plans`` ((kpi, weight) components)."""
    repo = tmp_path / "small"
    (repo / "plans").mkdir(parents=True)
    prios = "".join(f"  - {{id: p{i}, title: P{i}, weight: {w}, change: grow, drivers: [d{i}], contributors: [f{i % 2}]}}\n"
                    for i, w in enumerate(weights))
    (repo / "strategy.yaml").write_text(
        HEAD.format(kind="Strategy") + "id: s\ntitle: S\nstatus: approved\neffective: {from: 2025-01-01, to: 2027-12-31}\n"
        "shift: {from_drivers: [old], to_drivers: [d0]}\npriorities:\n" + prios, encoding="utf-8")
    kpis = "".join(f"  - {{id: k{i}, drivers: [d{i}], owner: o}}\n" for i in range(3)) + "  - {id: kl, drivers: [old], owner: o}\n"
    (repo / "kpis.yaml").write_text(HEAD.format(kind="KpiCatalog") + "id: kpis\nowner: o\nkpis:\n" + kpis, encoding="utf-8")
    roles = "".join(f"  - {{id: r{j}, function: f{j % 2}, level: individual, headcount: {heads[j]}, plans: [ip{j}]}}\n"
                    for j in range(len(plans)))
    (repo / "org.yaml").write_text(HEAD.format(kind="Org") + "id: org\nowner: o\nfunctions:\n  - {id: f0, status: active}\n"
                                   "  - {id: f1, status: active}\nroles:\n" + roles, encoding="utf-8")
    for j, comps in enumerate(plans):
        lines = ["kind: IncentivePlan", "schema: incentive-lint/v1", f"id: ip{j}", "owner: o", "status: active",
                 f"eligible_roles: [r{j}]", "effective: {from: 2025-01-01, to: 2025-12-31}", "currency: EUR",
                 "target_incentive: 10000", "components:"]
        for n, (kpi, w) in enumerate(comps):
            lines += [f"  - id: c{n}   # measure {n}", f"    kpi: {kpi}", f"    weight: {w}    # keep this comment"]
        (repo / "plans" / f"ip{j}.yaml").write_bytes((newline.join(lines) + newline).encode("utf-8"))
    if config is not None:
        (repo / ".incentive-lint.yaml").write_text(config, encoding="utf-8")
    return repo


def exhaustive(problem: Any) -> float:
    """The least D over every whole-percent weighting the limits allow (brute force)."""
    lim: Limits = problem.limits
    per_plan = []
    for block in problem.blocks:
        options = []
        n = len(block.variables)
        for ws in itertools.product(range(101), repeat=n - 1):
            last = 100 - sum(ws)
            if last < 0:
                continue
            full = (*ws, last)
            kept = [w for w in full if w > 0]
            if lim.min_weight is not None and any(w < lim.min_weight for w in kept):
                continue
            if lim.max_measures is not None and len(kept) > lim.max_measures:
                continue
            if any(w > v.upper for w, v in zip(full, block.variables)):
                continue
            if lim.max_change is not None and sum(abs(w - v.current) for w, v in zip(full, block.variables)) > lim.max_change:
                continue
            options.append({(v.plan, v.component.id): w for w, v in zip(full, block.variables)})
        per_plan.append(options)
    best = float("inf")
    for combo in itertools.product(*per_plan):
        merged: dict[tuple[str, str], float] = {}
        for part in combo:
            merged.update(part)
        if any(score_of(g.score, problem.blocks, merged) > g.limit for g in problem.guards):
            continue  # a score pushed into a higher tier of incentive-strategy-divergence
        best = min(best, sum(evaluate(problem, merged)))
    return best


def random_problem(tmp_path: Path, seed: int) -> Any:
    """A small random case (two plans, random limits and tiers) small enough for ``exhaustive``."""
    rng = random.Random(seed)
    kpis = ["k0", "k1", "k2", "kl"]
    plans = []
    for _ in range(2):
        chosen = rng.sample(kpis, rng.choice([2, 3]))
        cut = sorted(rng.sample(range(5, 96, 5), len(chosen) - 1))
        ws = [b - a for a, b in zip([0, *cut], [*cut, 100])]
        plans.append(list(zip(chosen, ws)))
    weights = tuple(rng.choice([10, 20, 30, 40, 50]) for _ in range(3))
    repo = _repo(tmp_path, plans, heads=[rng.randint(1, 9), rng.randint(1, 9)], weights=weights)
    ws = read_workspace(LintOptions(paths=[repo], as_of=DAY))
    limits = limits_of(ws, rng.choice([None, 30, 60]))
    warn = rng.choice([0.1, 0.25, 0.4])
    limits = dataclasses.replace(limits, max_measures=rng.choice([2, 3]), divergence_warn=warn,
                                 divergence_error=warn + rng.choice([0.1, 0.25]))
    problem = build_problem(ws.model, limits, per_function=bool(seed % 2))
    assert len(problem.blocks) == 2
    if not seed % 2:  # the score the solver starts from is the report's
        assert evaluate(problem, {})[0] == pytest.approx(ws.model.divergence().score, abs=1e-12)
    return problem


@pytest.mark.parametrize("seed", range(10))
def test_solver_optimum_matches_exhaustive_search(tmp_path: Path, seed: int) -> None:
    problem = random_problem(tmp_path, seed)
    solved = solve(problem)
    brute = exhaustive(problem)
    if brute == float("inf"):
        assert not isinstance(solved, Solution) or solved.transition
        return
    assert isinstance(solved, Solution) and not solved.transition
    assert sum(evaluate(problem, solved.weights)) == pytest.approx(brute, abs=1e-9)
    assert sum(solved.scores) == pytest.approx(brute, abs=1e-7)


def test_block_style_crlf_and_comments_are_kept_byte_for_byte(tmp_path: Path) -> None:
    repo = _repo(tmp_path, [[("kl", 60), ("k0", 40)]], heads=[3], newline="\r\n")
    original = (repo / "plans" / "ip0.yaml").read_bytes()
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed"
    new = p.patched["plans/ip0.yaml"].encode("utf-8")
    # the legacy measure's three lines are deleted, its comments with it; the other weight is
    # rewritten in place, its comment and the CRLF line ends kept
    removed = b"  - id: c0   # measure 0\r\n    kpi: kl\r\n    weight: 60    # keep this comment\r\n"
    assert removed in original
    assert new == original.replace(removed, b"").replace(b"weight: 40    #", b"weight: 100    #")
    assert [(e.component.id, e.new, e.cut is not None) for e in p.edits] == [("c0", 0, True), ("c1", 100, False)]


@pytest.mark.parametrize("layout", ["block", "flow-items", "between-comments", "last"])
def test_a_removed_measure_is_deleted_with_its_lines_only(tmp_path: Path, layout: str) -> None:
    """Only the removed item's lines go: its comments inside and on its lines, not the comment
    that introduces the next item, nor what follows the list; the diff applies with git."""
    repo = _repo(tmp_path, [[("k0", 50), ("k1", 50)]], heads=[3])
    plan = repo / "plans" / "ip0.yaml"
    head = plan.read_text(encoding="utf-8").split("components:\n")[0] + "components:\n"
    items = {
        "block": ("  - id: keep\n    kpi: k0\n    weight: 60\n",
                  "  - id: gone   # legacy\n    kpi: kl\n    # why it was there\n    weight: 20\n    x-note: |\n"
                  "      # a line of text, not a comment\n\n",
                  "  # the second measure\n  - id: also\n    kpi: k1\n    weight: 20\n"),
        "flow-items": ("  - {id: keep, kpi: k0, weight: 60}\n", "  - {id: gone, kpi: kl,\n     weight: 20}  # two lines\n",
                       "  - {id: also, kpi: k1, weight: 20}\n"),
        "between-comments": ("  - id: keep\n    kpi: k0\n    weight: 60\n\n", "  - id: gone\n    kpi: kl\n    weight: 20\n\n",
                             "# the second measure\n  - id: also\n    kpi: k1\n    weight: 20\n"),
        "last": ("  - id: keep\n    kpi: k0\n    weight: 60\n  - id: also\n    kpi: k1\n    weight: 20\n",
                 "  - id: gone\n    kpi: kl\n    weight: 20\n    x-note: the x- keys are its lines too\n",
                 "\n# after the list\nx-last: 1\n"),
    }[layout]
    plan.write_text(head + "".join(items), encoding="utf-8")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed"
    gone = [e for e in p.edits if e.new == 0]
    assert [e.component.id for e in gone] == ["gone"] and gone[0].cut is not None
    new = p.patched["plans/ip0.yaml"]
    assert re.sub(r"weight: \d+", "weight: N", new) == re.sub(r"weight: \d+", "weight: N", head + items[0] + items[2])
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    _apply(copy, p.diff)
    assert (copy / "plans" / "ip0.yaml").read_text(encoding="utf-8") == new


def test_a_flow_list_keeps_a_removed_measure_at_zero_and_says_so(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path, [[("k0", 50), ("k1", 50)]], heads=[3])
    plan = repo / "plans" / "ip0.yaml"
    text = plan.read_text(encoding="utf-8").split("components:\n")[0]
    plan.write_text(text + "components: [{id: legacy, kpi: kl, weight: 60}, {id: core, kpi: k0, weight: 40}]\n",
                    encoding="utf-8")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed"
    assert p.patched["plans/ip0.yaml"].endswith("components: [{id: legacy, kpi: kl, weight: 0}, "
                                                "{id: core, kpi: k0, weight: 100}]\n")
    assert [(e.component.id, e.cut, e.kept) for e in p.edits if e.new == 0] == [("legacy", None, "flow")]
    # the measure left at 0 is what measure-weight-too-small then reports: a true finding of this diff
    assert [f.rule for f in p.new_findings if f.severity >= Severity.WARNING] == ["measure-weight-too-small"]
    code, out, _ = _cli(["propose", str(repo), "--as-of", AS_OF], capsys)
    assert code == 0
    assert "Removed, but written as weight 0" in out and "'ip0.legacy' (plans/ip0.yaml:10)" in out
    assert "written as one list in brackets" in out
    data = _propose_json(repo, capsys)
    assert [(c["component"], c["removed"], c["deleted"]) for c in data["changes"]] == \
        [("legacy", True, False), ("core", False, False)]
    # with measure-weight-too-small an error, the weight left at 0 would be a new error: withheld
    (repo / ".incentive-lint.yaml").write_text("rules:\n  measure-weight-too-small: {severity: error}\n",
                                                 encoding="utf-8")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "withheld"
    assert [f.rule for f in p.new_findings if f.severity >= Severity.ERROR] == ["measure-weight-too-small"]


def test_infeasible_case_names_the_binding_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path, [[("kl", 100)], [("k0", 50), ("k1", 50)]], heads=[2, 2])
    code, out, _ = _cli(["propose", str(repo), "--as-of", AS_OF], capsys)
    assert code == 1
    assert "No proposal" in out and "'ip0'" in out and "legacy tier of pays-on-deprioritized-driver" in out
    code, out, _ = _cli(["propose", str(repo), "--as-of", AS_OF, "--format", "json"], capsys)
    data = json.loads(out)
    assert [(i["plan"], i["constraint"]) for i in data["infeasible"]] == [("ip0", "legacy")]


def test_too_many_measures_is_named_when_it_binds(tmp_path: Path) -> None:
    # two legacy measures, each allowed up to 59%: 100 needs both, and only one measure is allowed
    repo = _repo(tmp_path, [[("kl", 50), ("kl", 50)]], heads=[1],
                 config="rules:\n  too-many-measures: {options: {max_measures: 1}}\n"
                        "  pays-on-deprioritized-driver: {options: {legacy_weight_warn: 60, legacy_weight_error: 70}}\n")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "infeasible"
    assert [i.plan for i in p.infeasible] == ["ip0"]
    assert "too-many-measures (max_measures)" in p.infeasible[0].detail


def test_thresholds_come_from_the_configuration(tmp_path: Path) -> None:
    repo = _repo(tmp_path, [[("kl", 60), ("k0", 40)]], heads=[3],
                 config="rules:\n  pays-on-deprioritized-driver: {options: {legacy_weight_warn: 30, legacy_weight_error: 40}}\n")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.limits.legacy_warn == 30
    legacy = [e for e in p.edits if e.component.kpi == "kl"]
    assert legacy and legacy[0].new <= 29


def test_unknown_plan_and_missing_solver_are_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="no plan with the id 'nope'"):
        propose(ProposeOptions(LintOptions(paths=[EXAMPLE], as_of=DAY), plans=["nope"]))
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    with pytest.raises(UsageError, match=r"pip install scipy \(or pip install '\.\[propose\]'"):
        propose(ProposeOptions(LintOptions(paths=[EXAMPLE], as_of=DAY)))


# --------------------------------------------------------------------------- divergence tiers

def _tier_case(tmp_path: Path, k1: int) -> Path:
    """ip0 (function f0, 9 people) pays all on k1 (p1, f1's priority); ip1 (f1, 1 person) pays
    k1/k0. Overall, p1 has far too much pay, so the least overall D moves ip1 off k1 onto k0:
    f1, judged against its one priority p1, would then diverge fully (D 1.0, an error)."""
    return _repo(tmp_path, [[("k1", 100)], [("k1", k1), ("k0", 100 - k1)]], heads=[9, 1])


@pytest.mark.parametrize("k1, tier", [(80, 0.25), (60, 0.50)])
def test_no_function_is_pushed_into_a_higher_divergence_tier(tmp_path: Path, k1: int, tier: float) -> None:
    repo = _tier_case(tmp_path, k1)
    ws = read_workspace(LintOptions(paths=[repo], as_of=DAY))
    problem = build_problem(ws.model, limits_of(ws, None))
    f1 = next(g for g in problem.guards if g.score.name == "function 'f1'")
    assert f1.current == pytest.approx(1 - k1 / 100) and f1.threshold == tier
    # without the tiers, the least overall D takes f1 over the error tier
    free = solve(dataclasses.replace(problem, guards=()))
    assert isinstance(free, Solution) and score_of(f1.score, problem.blocks, free.weights) >= 0.5
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed" and p.after is not None and p.after.overall is not None
    after = dict(p.after.functions)
    assert dict(p.before.functions)["f1"] < tier and after["f1"] < tier
    # as far towards k0 as the tier allows: the least whole percent on k1 that keeps f1 under it
    least = next(w for w in range(101) if 1 - w / 100 < tier - 1e-3)
    assert {(e.component.id, e.new) for e in p.edits if e.component.plan == "ip1"} == {("c0", least), ("c1", 100 - least)}
    assert p.before.overall is not None and p.after.overall < p.before.overall
    assert not [f for f in p.new_findings if f.rule == "incentive-strategy-divergence"]


def test_the_tiers_come_from_the_rule_and_lift_with_it(tmp_path: Path) -> None:
    repo = _tier_case(tmp_path, 80)
    (repo / ".incentive-lint.yaml").write_text(
        "rules:\n  incentive-strategy-divergence: {options: {divergence_warn: 0.1, divergence_error: 0.3}}\n",
        encoding="utf-8")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed" and p.after is not None
    assert (p.limits.divergence_warn, p.limits.divergence_error) == (0.1, 0.3)
    assert 0.1 <= dict(p.after.functions)["f1"] < 0.3  # it was in the warning tier (0.2): it stays there
    # the rule judging no function: only the overall score is held, and f1 may go where D is least
    (repo / ".incentive-lint.yaml").write_text(
        "rules:\n  incentive-strategy-divergence: {options: {per_function: false}}\n", encoding="utf-8")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed" and p.after is not None and not p.limits.divergence_per_function
    assert dict(p.after.functions)["f1"] == pytest.approx(1.0)


def test_a_warning_the_change_raises_to_an_error_withholds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the tiers switched off in the solver only: the re-lint still sees f1 go from a warning
    # (D 0.40) to an error (D 1.0), the same finding at a higher severity, and withholds the change
    import incentive_lint.propose.problem as problem_module

    monkeypatch.setattr(problem_module, "_guards", lambda *args: [])
    p = propose(ProposeOptions(LintOptions(paths=[_tier_case(tmp_path, 60)], as_of=DAY)))
    assert p.status == "withheld"
    raised = [f for f in p.new_findings if f.severity >= Severity.ERROR]
    assert [(f.rule, f.entities[0]) for f in raised] == [("incentive-strategy-divergence", "f1")]
    assert raised[0].fingerprint not in {f.fingerprint for f in p.remaining}


def test_a_tier_no_weighting_can_hold_is_missed_least_and_named(tmp_path: Path) -> None:
    from incentive_lint.propose.solver import _solve

    ws = read_workspace(LintOptions(paths=[_tier_case(tmp_path, 80)], as_of=DAY))
    problem = build_problem(ws.model, limits_of(ws, None))
    # f1's tier made out of reach (D below -0.1): no weights hold it, every plan's limits still can
    guards = tuple(dataclasses.replace(g, limit=-0.1) if g.score.name == "function 'f1'" else g for g in problem.guards)
    impossible = dataclasses.replace(problem, guards=guards)
    assert _solve(impossible, 60.0, soft=False) == []
    found = solve(impossible)
    assert isinstance(found, Solution)
    f1 = next(g for g in guards if g.score.name == "function 'f1'")
    # missed as little as the limits allow: all of ip1 on k1 (f1's D 0), and named
    assert found.weights[("ip1", "c0")] == 100 and score_of(f1.score, problem.blocks, found.weights) == 0.0
    assert [t.constraint for t in found.tiers] == ["divergence"]
    assert found.tiers[0].detail == ("no weights within the other limits keep the D of function 'f1' below the warning "
                                     "tier of incentive-strategy-divergence (0.25); this proposal takes it from 0.200 "
                                     "to 0.000")


# --------------------------------------------------------------------------- findings the change keeps away

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("kind", ["gameable", "mbo"])
def test_the_change_does_not_concentrate_pay_where_a_rule_would_report_it(tmp_path: Path, kind: str) -> None:
    """f0 mirrors p0/p2 (50/20, so 71/29) best with k0 at 71 %: that puts a gameable measure over
    the 70 % of high-powered-single-measure, or an MBO component over the 25 % of
    discretionary-only-link. Neither is there now, so the proposal keeps below both."""
    repo = _repo(tmp_path, [[("kl", 50), ("k0", 20), ("k2", 30)]], heads=[3])
    plan = repo / "plans" / "ip0.yaml"
    if kind == "gameable":
        _edit(repo / "kpis.yaml", "{id: k0, drivers: [d0], owner: o}", "{id: k0, drivers: [d0], owner: o, gameability: medium}")
        _edit(plan, "components:\n", "pay_mix: {base: 50, variable: 50}\ncomponents:\n")
    else:
        _edit(plan, "    kpi: k0\n", "    kpi: k0\n    type: mbo\n")
    options = ProposeOptions(LintOptions(paths=[repo], as_of=DAY), per_function=True)
    p = propose(options)
    assert p.status == "proposed"
    weights = {e.component.kpi: e.new for e in p.edits}
    rule = "high-powered-single-measure" if kind == "gameable" else "discretionary-only-link"
    assert weights == ({"kl": 0, "k0": 69, "k2": 31} if kind == "gameable" else {"kl": 0, "k0": 25, "k2": 75})
    assert not [f for f in p.new_findings if f.rule == rule]
    # with the rule off, nothing holds the weight back: the least D puts 71 % on k0
    (repo / ".incentive-lint.yaml").write_text(f"rules:\n  {rule}: off\n", encoding="utf-8")
    p = propose(options)
    assert {e.component.kpi: e.new for e in p.edits}["k0"] == 71


def test_executive_pay_keeps_its_share_on_the_strategy(tmp_path: Path) -> None:
    """ip1 pays an executive, 30 % on k0 (p0's driver d0, the strategy's to-driver) and 70 % on k1.
    Overall, p0 already has too much pay (ip0), so the least D moves ip1 off k0 entirely: then
    leadership-scorecard-misaligned would report it (no pay on the to-drivers, the top priority
    off the scorecard). Counting in no function's score, nothing else holds it back."""
    repo = _repo(tmp_path, [[("k0", 100)], [("k0", 30), ("k1", 70)]], heads=[5, 1], weights=(50, 20, 30))
    _edit(repo / "org.yaml", "{id: r1, function: f1, level: individual", "{id: r1, function: f1, level: executive")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed"
    assert not [f for f in p.new_findings if f.rule == "leadership-scorecard-misaligned"]
    weights = {(e.component.plan, e.component.kpi): e.new for e in p.edits}
    assert weights.get(("ip1", "k0"), 30) >= 25
    (repo / ".incentive-lint.yaml").write_text("rules:\n  leadership-scorecard-misaligned: off\n", encoding="utf-8")
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert {(e.component.plan, e.component.kpi): e.new for e in p.edits}[("ip1", "k0")] == 0


def test_a_finding_that_only_loses_a_removed_measure_is_still_there_not_new(tmp_path: Path) -> None:
    # windfall-provision-missing names every uncapped measure: 'ip0.c0', 'ip0.c1' before, 'ip0.c1'
    # once the legacy c0 is removed; the same finding (a fingerprint of its own), neither new nor resolved
    repo = _repo(tmp_path, [[("kl", 60), ("k0", 40)]], heads=[3])
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed" and [e.component.id for e in p.edits if e.cut is not None] == ["c0"]
    windfall = [f for f in p.remaining if f.rule == "windfall-provision-missing"]
    assert [f.entities for f in windfall] == [("ip0", "ip0.c1")]
    assert not [f for f in (*p.new_findings, *p.resolved) if f.rule == "windfall-provision-missing"]


def test_a_measure_on_a_kpi_not_in_the_catalog_keeps_its_weight(tmp_path: Path) -> None:
    # its pay flows nowhere the scores see: moving weight onto it would lower the programme's D
    # without lowering the report's; held at 20 %, the two agree
    repo = _repo(tmp_path, [[("k0-typo", 20), ("kl", 40), ("k1", 40)], [("k0", 50), ("k2", 50)]], heads=[3, 1])
    ws = read_workspace(LintOptions(paths=[repo], as_of=DAY))
    problem = build_problem(ws.model, limits_of(ws, None))
    assert [v.component.id for v in problem.variables() if v.held] == ["c0"]
    solved = solve(problem)
    assert isinstance(solved, Solution) and solved.weights[("ip0", "c0")] == 20
    assert evaluate(problem, solved.weights)[0] == pytest.approx(solved.scores[0], abs=1e-7)
    p = propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY)))
    assert p.status == "proposed" and "c0" not in {e.component.id for e in p.edits if e.component.plan == "ip0"}
    assert p.after is not None and p.after.overall == pytest.approx(solved.scores[0], abs=1e-7)


def test_the_headline_counts_read_as_an_analyst_writes_them() -> None:
    from incentive_lint.propose.render import _count, _points

    assert _count(2133, "weight changes", "weights change") == "2,133 weights change"
    assert _count(1, "weight changes", "weights change") == "1 weight changes"
    assert _points(2348640.0) == "2,348,640"  # never 2.34864e+06
    assert _points(12.5) == "12.5"


def test_a_solve_stopped_by_the_time_limit_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS out of time returns its best answer so far: the proposal is still shown, never as the
    proven best."""
    import incentive_lint.propose.solver as solver

    real = solver.run_milp

    def out_of_time(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        result.status, result.mip_gap = 1, 0.0125  # as HiGHS reports a time limit with a solution
        return result

    repo = _copy(tmp_path)
    args = ["propose", str(repo), "--as-of", "2025-06-30", "--max-change", "200", "--no-cache"]
    code, proven, _ = _cli([*args, "--format", "json"], capsys)
    assert json.loads(proven)["proven_best"] is True and json.loads(proven)["unproven_gap"] is None
    monkeypatch.setattr(solver, "run_milp", out_of_time)
    code, text, _ = _cli(args, capsys)
    assert "stopped at its time limit" in text and "at most 1.25% lower" in text
    code, out, _ = _cli([*args, "--format", "json"], capsys)
    data = json.loads(out)
    assert data["proven_best"] is False and data["unproven_gap"] == 0.0125 and data["status"] == "proposed"
