"""``propose`` phase timings (``--timings``) and the fast diff: the timings go to stderr only, and
the diff written without difflib applies as ``git apply`` reads it."""
from __future__ import annotations

import difflib
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("scipy.optimize", reason="propose needs scipy (pip install 'incentive-lint[propose]')")

from incentive_lint.propose.patch import unified_diff  # noqa: E402

from .test_propose import _cli  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "manufacturer"
BENCH = Path(__file__).resolve().parent.parent / "bench" / "propose.py"


def test_timings_go_to_stderr_and_leave_the_output_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["propose", str(EXAMPLE), "--as-of", "2025-06-30", "--no-cache"]
    code, plain, err = _cli(args, capsys)
    assert code == 0 and "timings" not in err
    code, timed, err = _cli([*args, "--timings"], capsys)
    assert code == 0 and timed == plain
    laps = [line.split()[0] for line in err.splitlines() if line.startswith("  ")]
    assert laps == ["lint", "build", "solve", "patch", "re-lint", "total"]
    total = float(err.splitlines()[-1].split()[1])
    assert total > 0


def test_the_bench_script_reads_the_phases_back() -> None:
    sys.path.insert(0, str(BENCH.parent))
    try:
        import propose as bench  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCH.parent))
    stderr = "timings:\n  lint        1.250 s\n  re-lint     0.500 s\n  total       1.750 s\n"
    assert bench.phases(stderr) == {"lint": 1.25, "re-lint": 0.5, "total": 1.75}


@pytest.mark.parametrize("seed", range(4))
def test_in_place_diff_applies_and_matches_difflib_where_lines_align(tmp_path: Path, seed: int) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is needed to apply the diff")
    rng = random.Random(seed)
    for case in range(15):
        lines = [f"line {rng.randint(0, 3)}: {rng.choice(['weight: 5', 'x', ''])}\n" for _ in range(rng.randint(1, 30))]
        if rng.random() < 0.3:
            lines[-1] = lines[-1].rstrip("\n")
        new = list(lines)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(new))
            new[i] = new[i].replace("weight: 5", f"weight: {rng.randint(6, 99)}").replace("x", "y")
        before, after = "".join(lines), "".join(new)
        diff = unified_diff({"f.yaml": before}, {"f.yaml": after})
        if before == after:
            assert diff == ""
            continue
        if len(set(lines)) == len(lines):  # every line unique: difflib aligns them the one way too
            reference = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                                for line in difflib.unified_diff(lines, new, fromfile="a/f.yaml", tofile="b/f.yaml"))
            assert diff == reference
        work = tmp_path / f"c{case}"
        work.mkdir()
        (work / "f.yaml").write_bytes(before.encode("utf-8"))
        (work / "p.diff").write_bytes(diff.encode("utf-8"))
        subprocess.run(["git", "apply", "p.diff"], cwd=work, check=True, capture_output=True)
        assert (work / "f.yaml").read_bytes() == after.encode("utf-8")


def test_patched_texts_read_in_worker_processes_give_the_same_outcome(tmp_path: Path) -> None:
    import dataclasses
    import datetime as _dt

    from incentive_lint.base.findings import flatten
    from incentive_lint.engine.workspace import LintOptions
    from incentive_lint.run import lint

    repo = tmp_path / "many"
    shutil.copytree(EXAMPLE, repo)
    for n in range(200):  # enough files for worker processes; each a plan the change rewrites
        text = (EXAMPLE / "plans" / "sales-2025.yaml").read_text(encoding="utf-8")
        (repo / "plans" / f"copy-{n:03}.yaml").write_text(text.replace("id: ip-sales-2025", f"id: ip-copy-{n:03}"),
                                                          encoding="utf-8")
    patched = {f"plans/copy-{n:03}.yaml": (repo / "plans" / f"copy-{n:03}.yaml").read_text(encoding="utf-8")
               .replace("weight: 65", "weight: 55").replace("weight: 10,", "weight: 20,") for n in range(200)}
    options = LintOptions(paths=[repo], as_of=_dt.date(2025, 6, 30), texts=patched)
    a, ws_a = lint(dataclasses.replace(options, jobs=2))  # the workers read the patched texts
    b, ws_b = lint(dataclasses.replace(options, jobs=1))  # this process reads them
    assert [f.fingerprint for f in flatten(a.findings)] == [f.fingerprint for f in flatten(b.findings)]
    assert [(f.span, f.message) for f in flatten(a.findings)] == [(f.span, f.message) for f in flatten(b.findings)]
    assert ws_a.model.plans["ip-copy-007"].components[0].weight == 55
    d_a, d_b = ws_a.model.divergence(), ws_b.model.divergence()
    assert d_a is not None and d_b is not None and d_a.score == d_b.score


def test_independent_functions_are_solved_apart_with_the_joint_optimum(tmp_path: Path) -> None:
    import datetime as _dt

    from incentive_lint.engine.workspace import LintOptions, read_workspace
    from incentive_lint.propose import limits_of
    from incentive_lint.propose.problem import build_problem, evaluate
    from incentive_lint.propose.solver import Infeasible, Solution, _solve_one, parts, solve
    from tests.test_propose import _repo

    # ip0 pays a role of f0, ip1 one of f1: per function, the two plans share no score
    repo = _repo(tmp_path, [[("k0", 50), ("k1", 50)], [("k1", 60), ("kl", 40)]], heads=[3, 2])
    ws = read_workspace(LintOptions(paths=[repo], as_of=_dt.date(2025, 6, 30)))
    problem = build_problem(ws.model, limits_of(ws, None), per_function=True)
    pieces = parts(problem)
    assert sorted(tuple(b.plan.id for b in p.blocks) for p in pieces) == [("ip0",), ("ip1",)]
    apart, joint = solve(problem), _solve_one(problem, 60.0)
    assert isinstance(apart, Solution) and isinstance(joint, Solution)
    assert sum(apart.scores) == pytest.approx(sum(joint.scores), abs=1e-9)
    assert sum(evaluate(problem, apart.weights)) == pytest.approx(sum(evaluate(problem, joint.weights)), abs=1e-9)
    assert apart.moved == joint.moved and len(apart.scores) == len(problem.objectives)
    # the overall score links every plan: one programme
    assert len(parts(build_problem(ws.model, limits_of(ws, None)))) == 1
    # a part without a solution: every plan's reason, as from one programme
    bad = _repo(tmp_path / "bad", [[("kl", 100)], [("k1", 60), ("kl", 40)]], heads=[3, 2])
    ws = read_workspace(LintOptions(paths=[bad], as_of=_dt.date(2025, 6, 30)))
    problem = build_problem(ws.model, limits_of(ws, None), per_function=True)
    found = solve(problem)
    assert isinstance(found, list) and all(isinstance(i, Infeasible) for i in found)
    assert [(i.plan, i.constraint) for i in found] == [("ip0", "legacy")]


@pytest.mark.parametrize("seed", range(4))
def test_diff_from_the_patch_runs_applies_with_git(tmp_path: Path, seed: int) -> None:
    """Lines deleted, rewritten in place and inserted (as removed, re-weighted and new measures
    are): the hunks written from the patch's own runs apply with ``git apply`` and give the
    patched text, with and without a final line break, CRLF, and a lone CR inside a line."""
    from incentive_lint.propose.patch import _offsets, _splice

    if shutil.which("git") is None:
        pytest.skip("git is needed to apply the diff")
    rng = random.Random(seed)
    for case in range(25):
        eol = rng.choice(["\n", "\r\n"])
        words = ["weight: 5", "x", "a\rb", ""]
        lines = [f"l{i} {rng.choice(words)}{eol}" for i in range(rng.randint(1, 25))]
        if rng.random() < 0.3:
            lines[-1] = lines[-1].rstrip("\r\n")
        text = "".join(lines)
        starts = _offsets(text)
        ops: list[tuple[int, int, str]] = []
        cursor = 0
        i = 0
        while i < len(lines):
            begin = sum(len(line) for line in lines[:i])
            roll = rng.random()
            if begin < cursor:
                pass
            elif roll < 0.2:  # delete whole lines
                n = rng.randint(1, 3)
                end = begin + sum(len(line) for line in lines[i:i + n])
                ops.append((begin, end, ""))
                cursor = end
                i += n
                continue
            elif roll < 0.35 and "weight: 5" in lines[i]:  # rewrite a number in place
                at = begin + lines[i].index("5")
                ops.append((at, at + 1, str(rng.randint(0, 99))))
                cursor = at + 1
            elif roll < 0.45:  # insert whole lines at a line start
                ops.append((begin, begin, f"new {rng.randint(0, 9)}{eol}" * rng.randint(1, 2)))
                cursor = begin
            elif roll < 0.5:  # insert inside a line
                at = begin + rng.randrange(max(1, len(lines[i].rstrip("\r\n"))))
                ops.append((at, at, ", {x}"))
                cursor = at
            elif roll < 0.55 and i + 1 < len(lines):  # join a line with the next (a run must widen)
                at = begin + rng.randrange(max(1, len(lines[i].rstrip("\r\n"))))
                ops.append((at, begin + len(lines[i]), " "))
                cursor = begin + len(lines[i])
            i += 1
        if rng.random() < 0.3:  # append at the very end (after a last line without its break, too)
            ops.append((len(text), len(text), ("" if text.endswith("\n") else eol) + f"tail{eol}"))
        new, runs = _splice(text, starts, ops)
        expected, at = [], 0
        for begin, end, piece in ops:
            expected += [text[at:begin], piece]
            at = end
        expected.append(text[at:])
        assert new == "".join(expected)
        diff = unified_diff({"f.yaml": text}, {"f.yaml": new}, {"f.yaml": runs})
        if new == text:
            assert diff == ""
            continue
        work = tmp_path / f"c{case}"
        work.mkdir()
        (work / "f.yaml").write_bytes(text.encode("utf-8"))
        (work / "p.diff").write_bytes(diff.encode("utf-8"))
        subprocess.run(["git", "apply", "p.diff"], cwd=work, check=True, capture_output=True)
        assert (work / "f.yaml").read_bytes() == new.encode("utf-8"), (text, ops, diff)


def test_the_json_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    # D was summed over a set of buckets, so its last digits followed PYTHONHASHSEED
    import os

    outputs = set()
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "incentive_lint", "propose", str(EXAMPLE), "--as-of", "2025-06-30",
                               "--format", "json", "--no-cache"], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_the_patched_plans_are_read_once_then_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-lint keys each patched text by its content: the same proposal computed again reads
    the patched plans from the cache, and gives the same outcome."""
    import datetime as _dt

    import incentive_lint.engine.workspace as workspace
    from incentive_lint.engine.workspace import LintOptions
    from incentive_lint.propose import ProposeOptions, propose

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    given: list[str] = []
    real = workspace.read_one

    def counting(candidate, limits=workspace.DEFAULT_LIMITS, text=None):  # type: ignore[no-untyped-def]
        if text is not None:
            given.append(candidate.display)
        return real(candidate, limits=limits, text=text)

    monkeypatch.setattr(workspace, "read_one", counting)
    options = ProposeOptions(LintOptions(paths=[repo], as_of=_dt.date(2025, 6, 30), cache=True,
                                         cache_dir=tmp_path / "cache", jobs=1))
    first = propose(options)
    assert first.status == "proposed" and sorted(given) == sorted(first.patched)
    given.clear()
    second = propose(options)
    assert given == []
    assert second.diff == first.diff
    assert [f.fingerprint for f in second.new_findings] == [f.fingerprint for f in first.new_findings]
    assert [f.fingerprint for f in second.remaining] == [f.fingerprint for f in first.remaining]
