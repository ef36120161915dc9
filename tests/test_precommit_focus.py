"""A pre-commit run on plan files (``check --only-files``) runs the rules of ``scope: plan`` for
those plans only, and gives exactly the findings a full run filtered to the files would give."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from incentive_lint.base.findings import Finding
from incentive_lint.engine.workspace import LintOptions, Workspace
from incentive_lint.run import _lint, lint, plan_focus

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.glob("examples/*/"), *ROOT.glob("tests/realistic/*/")])
AS_OF = datetime.date(2025, 3, 1)


@pytest.fixture(scope="module")
def corpus(bench_corpus: Path) -> Path:
    return bench_corpus


def _options(repo: Path) -> LintOptions:
    return LintOptions(paths=[repo], as_of=AS_OF, root=repo, cwd=repo, respect_gitignore=False)


def _plan_files(ws: Workspace) -> list[str]:
    files: dict[str, set[object]] = {}
    for (file, _), data in ws.documents.items():
        files.setdefault(file, set()).add(data.get("kind"))
    return sorted(name for name, kinds in files.items() if kinds == {"IncentivePlan"})


def _repos(corpus: Path) -> list[Path]:
    return [*SOURCES, corpus]


@pytest.mark.parametrize("which", [*range(len(SOURCES)), "bench"], ids=lambda w: w if w == "bench" else SOURCES[w].name)
def test_a_focused_run_keeps_exactly_what_a_full_run_keeps(which: int | str, corpus: Path) -> None:
    repo = corpus if which == "bench" else SOURCES[int(which)]
    full, ws = lint(_options(repo))
    plan_files = _plan_files(ws)
    if not plan_files:
        pytest.skip("no file here holds only plans")
    step = max(1, len(plan_files) // 8)  # a spread of the plan files, not all 100 of the corpus
    focused = 0
    for name in plan_files[::step]:
        wanted = frozenset({name})
        part, part_ws = _lint(_options(repo), wanted=wanted)
        focus = plan_focus(part_ws, wanted)
        focused += focus is not None
        expected = tuple(f for f in full.findings if f.files & wanted)
        assert tuple(f for f in part.findings if f.files & wanted) == expected, name
        assert tuple(f for f in part.suppressed if f.files & wanted) == tuple(
            f for f in full.suppressed if f.files & wanted), name
        for a, b in zip((f for f in part.findings if f.files & wanted), expected):
            assert a.consequences == b.consequences and a.anchor == b.anchor
    if not ws.model.invalid_documents:
        assert focused, "no run was focused: the test proves nothing"


def _findings(findings: tuple[Finding, ...]) -> list[Finding]:
    return [item for f in findings for item in f.with_consequences()]


def test_rules_of_plan_scope_report_on_a_plan_only_in_its_own_file_or_files_that_are_not_plans(corpus: Path) -> None:
    seen = 0
    for repo in _repos(corpus):
        result, ws = lint(_options(repo))
        plan_files = {file for (file, _), data in ws.documents.items() if data.get("kind") == "IncentivePlan"}
        scoped = {slug for slug, spec in ws.catalog.rules.items() if spec.scope == "plan"}
        for f in _findings(result.findings):
            if f.rule not in scoped:
                continue
            seen += 1
            in_plans = f.files & plan_files
            assert len(in_plans) <= 1, (f.rule, sorted(in_plans))
            assert not in_plans or f.span.file in in_plans, (f.rule, f.span.file)
    assert seen > 50


def test_the_focus_is_only_taken_where_it_is_safe(corpus: Path) -> None:
    _, ws = lint(_options(corpus))
    plan = _plan_files(ws)[0]
    focus = plan_focus(ws, frozenset({plan}))
    assert focus is not None and focus == {str(d.get("id")) for (f, _), d in ws.documents.items() if f == plan}
    kpis = next(file for (file, _), data in ws.documents.items() if data.get("kind") == "KpiCatalog")
    assert plan_focus(ws, frozenset({plan, kpis})) is None  # a KPI edit can change any plan's findings
    assert plan_focus(ws, frozenset({"plans/not-there.yaml"})) is None


def test_a_plan_file_with_an_input_problem_is_not_focused(tmp_path: Path, corpus: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(corpus, repo)
    _, ws = lint(_options(repo))
    plan = _plan_files(ws)[0]
    path = repo / plan
    path.write_text(path.read_text(encoding="utf-8").replace("weight:", "weight: yes #", 1), encoding="utf-8")
    _, ws = lint(_options(repo))
    assert plan_focus(ws, frozenset({plan})) is None
