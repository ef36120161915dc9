"""The plan-by-plan rules' findings kept per plan (``engine/plan_memo.py``): after a plan is edited
only that plan is checked again by them, and the result is byte for byte a run without cache."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from incentive_lint.cli import cli
from incentive_lint.engine import plan_memo

ROOT = Path(__file__).resolve().parents[1]


def _run(repo: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[str, str]:
    monkeypatch.chdir(repo)
    runner = CliRunner()
    a = runner.invoke(cli, ["check", "--as-of", "2025-03-01", "-f", "json", "--fail-on", "never",
                            "--no-respect-gitignore", *extra])
    b = runner.invoke(cli, ["check", "--as-of", "2025-03-01", "-f", "sarif", "--fail-on", "never",
                            "--no-respect-gitignore", *extra])
    assert a.exception is None or isinstance(a.exception, SystemExit), a.output
    return a.stdout, b.stdout


def _plans(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / "plans").rglob("*.yaml"))


@pytest.fixture
def memos(monkeypatch: pytest.MonkeyPatch) -> list[plan_memo.PlanMemo]:
    """Every memo a run opens, in order."""
    seen: list[plan_memo.PlanMemo] = []
    real = plan_memo.PlanMemo.__init__

    def spy(self: plan_memo.PlanMemo, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        seen.append(self)

    monkeypatch.setattr(plan_memo.PlanMemo, "__init__", spy)
    return seen


#: edits a plan designer makes: a weight, a date, a status, a role, a threshold, a clawback gone
EDITS = [
    (r"weight: (\d+)", lambda m: f"weight: {int(m.group(1)) + 5}"),
    (r"from: 20(\d\d)", lambda m: "from: 2026"),
    (r"status: \w+", lambda m: "status: draft"),
    (r"threshold: (\d+)", lambda m: "threshold: 95"),
    (r"clawback:", lambda m: "x-clawback:"),
    (r"measured_at: \w+", lambda m: "measured_at: individual"),
    (r"- id: ([a-z-]+)", lambda m: f"- id: {m.group(1)}-renamed"),
    (r"  - \{id: [^\n]*\n(     [^\n]*\n)?", lambda m: ""),  # a one-line (or two-line) measure dropped
]


@pytest.mark.parametrize("source", ["bench", "manufacturer"])
def test_edited_plans_give_the_bytes_of_a_run_without_cache(source: str, bench_corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            memos: list[plan_memo.PlanMemo]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(bench_corpus if source == "bench" else ROOT / "examples" / "manufacturer", repo)
    cache = tmp_path / "cache"
    seen = memos
    assert _run(repo, monkeypatch, "--cache-dir", str(cache)) == _run(repo, monkeypatch, "--no-cache")
    plans = _plans(repo)
    changed = used = 0
    for n, (pattern, repl) in enumerate(EDITS * 2):
        path = plans[(7 * n + 3) % len(plans)]
        text = path.read_text(encoding="utf-8")
        edited = re.sub(pattern, repl, text, count=1)
        if edited == text:
            continue
        path.write_text(edited, encoding="utf-8")
        seen.clear()
        assert _run(repo, monkeypatch, "--cache-dir", str(cache)) == _run(repo, monkeypatch, "--no-cache"), \
            (path.name, pattern)
        changed += 1
        used += bool(seen)  # not when the edit made a document invalid: then nothing is reused
    # the corpus's plans take every edit; the example's four plans fewer, and some make them invalid
    least_changed, least_used = (12, 12) if source == "bench" else (5, 3)
    assert changed >= least_changed and used >= least_used


def test_only_the_edited_plan_is_checked_again(bench_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               memos: list[plan_memo.PlanMemo]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(bench_corpus, repo)
    cache = tmp_path / "cache"
    seen = memos
    _run(repo, monkeypatch, "--cache-dir", str(cache))
    path = _plans(repo)[5]
    path.write_text(re.sub(r"weight: (\d+)", lambda m: f"weight: {int(m.group(1)) + 5}",
                           path.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    seen.clear()
    _run(repo, monkeypatch, "--cache-dir", str(cache))
    memo = seen[0]
    assert memo.clean and len(memo.dirty) == len(re.findall(r"^kind: IncentivePlan", path.read_text(), re.M))
    # a KPI catalog edit is a new context: every plan is checked
    kpis = sorted((repo / "kpis").glob("*.yaml"))[0]
    kpis.write_text(kpis.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    seen.clear()
    _run(repo, monkeypatch, "--cache-dir", str(cache))
    assert not seen[0].clean


def _plan(ident: str, year: int, frequency: str, components: str) -> str:
    return (f"kind: IncentivePlan\nschema: incentive-lint/v1\nid: {ident}\nstatus: active\n"
            f"eligible_roles: [field-technician]\neffective: {{from: {year}-01-01, to: {year}-12-31}}\n"
            f"target_incentive: 8000\npayout_frequency: {frequency}\ncomponents:\n{components}\n")


ROLLOVER = {
    "kpis.yaml": """kind: KpiCatalog
schema: incentive-lint/v1
id: kpis
kpis:
  - {id: csat, drivers: [customer-satisfaction], refresh: quarterly}
  - {id: first-time-fix, drivers: [quality], refresh: monthly}
""",
    "org.yaml": """kind: Org
schema: incentive-lint/v1
id: acme
roles:
  - {id: field-technician, level: individual, headcount: 55, plans: [ip-service-2025, ip-service-2024]}
""",
    "plans/service-2025.yaml": _plan("ip-service-2025", 2025, "quarterly", "  - {id: fix, kpi: first-time-fix, weight: 100}"),
    "plans/service-2024.yaml": _plan("ip-service-2024", 2024, "monthly", "  - {id: fix, kpi: first-time-fix, weight: 80}\n"
                                     "  - {id: csat, kpi: csat, weight: 20}"),
}


def test_an_edit_that_changes_which_plans_are_in_force_rechecks_the_others(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafting the 2025 plan puts the expired 2024 plan back in force (roll-over): the 2024 plan's
    file did not change, yet its monthly payout on a quarterly KPI is now a finding."""
    repo = tmp_path / "repo"
    for name, text in ROLLOVER.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    before, _ = _run(repo, monkeypatch, "--cache-dir", str(cache))
    assert "measurement-cadence-mismatch" not in before
    plan = repo / "plans/service-2025.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("status: active", "status: draft"), encoding="utf-8")
    after, _ = _run(repo, monkeypatch, "--cache-dir", str(cache))
    assert "measurement-cadence-mismatch" in after
    assert (after, _) == _run(repo, monkeypatch, "--no-cache")


def test_a_pre_commit_run_between_two_full_runs_leaves_nothing_stale(bench_corpus: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A pre-commit run checks some rules for its own plans only: it must not store them as known
    for every plan, or the next full run would miss the edited plan's findings."""
    repo = tmp_path / "repo"
    shutil.copytree(bench_corpus, repo)
    cache = tmp_path / "cache"
    _run(repo, monkeypatch, "--cache-dir", str(cache))
    path = _plans(repo)[8]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"weight: (\d+)", "weight: 5", text, count=1), encoding="utf-8")  # too small now
    name = path.relative_to(repo).as_posix()
    assert _run(repo, monkeypatch, "--cache-dir", str(cache), "--only-files", name) == \
        _run(repo, monkeypatch, "--no-cache", "--only-files", name)
    full = _run(repo, monkeypatch, "--cache-dir", str(cache))
    assert full == _run(repo, monkeypatch, "--no-cache")
    assert "measure-weight-too-small" in full[0]
