"""lint_at_ref and check --new-since: lint the merge-base, report only new fingerprints."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from ci_helpers import AS_OF, AS_OF_DATE, MANUFACTURER, commit_all, edit, git, init_repo

from incentive_lint.base.findings import flatten
from incentive_lint.gate.baseline import key
from incentive_lint.run import lint_at_ref
from incentive_lint.base.errors import UsageError
from incentive_lint.run import LintOptions, lint

STRATEGY = "strategy/servitization-2025.yaml"


def _keys(result) -> Counter:
    return Counter(key(f) for f in flatten(result.findings))  # consequences are findings of their own


def test_lint_at_ref_shows_the_same_names_and_fingerprints_as_the_working_tree(repo: Path) -> None:
    options = LintOptions(paths=[Path(".")], as_of=AS_OF_DATE, cwd=repo)
    now, _ = lint(options)
    before, ws = lint_at_ref("HEAD", options)
    assert now.findings and before.findings == now.findings
    assert all(not Path(f.span.file).is_absolute() and "\\" not in f.span.file for f in before.findings)
    assert ws.model is not None and ws.documents


def test_lint_at_ref_from_a_subfolder_keeps_relative_names(repo: Path) -> None:
    options = LintOptions(paths=[Path(".")], as_of=AS_OF_DATE, cwd=repo / "plans")
    now, _ = lint(options)
    before, _ = lint_at_ref("HEAD", options)
    assert now.findings and {f.span.file for f in before.findings} == {f.span.file for f in now.findings}
    assert all(f.span.file.startswith("plans/") for f in now.findings)  # relative to the root, not to plans/


def test_lint_at_ref_leaves_no_trace_in_the_repository(repo: Path) -> None:
    status = git(repo, "status", "--porcelain")
    worktrees = git(repo, "worktree", "list")
    lint_at_ref("HEAD", LintOptions(paths=[Path(".")], as_of=AS_OF_DATE, cwd=repo))
    assert git(repo, "status", "--porcelain") == status
    assert git(repo, "worktree", "list") == worktrees


def test_a_file_added_since_the_ref_is_simply_absent_before(repo: Path) -> None:
    shutil.copy(repo / "plans" / "exec-2025.yaml", repo / "plans" / "exec-copy.yaml")
    before, _ = lint_at_ref("HEAD", LintOptions(paths=[Path("plans/exec-copy.yaml")], as_of=AS_OF_DATE, cwd=repo))
    assert before.findings == () and before.files_checked == 0


@pytest.mark.parametrize("ref,words", [("no-such-branch", "unknown git reference 'no-such-branch'"),
                                       ("--output=x", "is not a git reference")])
def test_unknown_ref_is_a_one_line_usage_error(repo: Path, ref: str, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        lint_at_ref(ref, LintOptions(cwd=repo))


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copytree(MANUFACTURER, tmp_path / "plain")
    with pytest.raises(UsageError, match="not inside a git repository"):
        lint_at_ref("HEAD", LintOptions(cwd=tmp_path / "plain"))


def test_cli_reports_unknown_ref_with_exit_2(repo: Path, cli) -> None:
    run = cli(["check", "--new-since", "origin/nope", "--as-of", AS_OF], repo)
    assert run.code == 2
    assert run.err.count("\n") == 1 and "unknown git reference 'origin/nope'" in run.err


def test_strategy_edit_reports_new_findings_in_untouched_plans(repo: Path, cli) -> None:
    """A strategy-only commit makes plans that pay on margin pay on a driver the strategy now leaves."""
    before, _ = lint(LintOptions(as_of=AS_OF_DATE, cwd=repo))
    edit(repo / STRATEGY, "from_drivers: [unit-volume, service-volume]", "from_drivers: [unit-volume, service-volume, margin]")
    commit_all(repo, "strategy: stop rewarding margin")
    changed = git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split()
    assert changed == [STRATEGY]
    after, _ = lint(LintOptions(as_of=AS_OF_DATE, cwd=repo))
    expected = sorted((_keys(after) - _keys(before)).elements())
    assert expected, "the strategy edit should create findings"

    run = cli(["check", "--new-since", "HEAD~1", "--as-of", AS_OF, "--format", "json"], repo)
    data = json.loads(run.out)
    every = [*data["findings"], *(c for f in data["findings"] for c in f["consequences"])]
    reported = sorted((f["fingerprint"], f["file"]) for f in every)
    assert reported == expected
    untouched = {f["file"] for f in data["findings"]} - {STRATEGY}
    assert "plans/sales-2025.yaml" in untouched and "plans/exec-2025.yaml" in untouched
    assert data["summary"]["suppressed"] == len(flatten(after.findings)) - len(expected)
    assert run.code == 1  # pays-on-deprioritized-driver on a 25 % margin component is an error


def test_new_since_without_changes_reports_nothing(repo: Path, cli) -> None:
    run = cli(["check", "--new-since", "HEAD", "--as-of", AS_OF], repo)
    assert run.code == 0
    assert "0 error(s), 0 warning(s), 0 info" in run.out


def test_new_since_uses_the_merge_base_not_the_tip_of_the_branch(repo: Path, cli) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo / "plans" / "exec-2025.yaml", "  - {id: otif, kpi: otif, weight: 20, cap: 150}",
         "  - {id: volume, kpi: units-shipped, weight: 20, cap: 150}")
    commit_all(repo, "exec plan pays on volume")
    git(repo, "checkout", "-q", "main")
    # main moves on: the same volume component lands there by another route, after the branch point
    edit(repo / "plans" / "exec-2025.yaml", "  - {id: otif, kpi: otif, weight: 20, cap: 150}",
         "  - {id: volume, kpi: units-shipped, weight: 20, cap: 150}")
    commit_all(repo, "main: same change")
    git(repo, "checkout", "-q", "feature")
    run = cli(["check", "--new-since", "main", "--as-of", AS_OF, "-q"], repo)
    assert "plans/exec-2025.yaml" in run.out and "pays-on-deprioritized-driver" in run.out


def test_new_since_and_a_fresh_repository_in_a_subfolder(tmp_path: Path, cli) -> None:
    outer = tmp_path / "company"
    shutil.copytree(MANUFACTURER, outer / "policies")
    init_repo(outer)
    run = cli(["check", "policies", "--new-since", "HEAD", "--as-of", AS_OF], outer)
    assert run.code == 0, run.err


def test_a_broken_configuration_at_the_ref_names_the_version(repo: Path, cli) -> None:
    (repo / ".incentive-lint.yaml").write_text("rules:\n  no-such-rule: error\n")
    commit_all(repo, "broken config")
    (repo / ".incentive-lint.yaml").write_text("{}\n")
    run = cli(["check", "--new-since", "HEAD", "--as-of", AS_OF], repo)
    assert run.code == 2 and "in the version at HEAD (commit " in run.err and "unknown rule 'no-such-rule'" in run.err


def test_only_yaml_files_are_exported(repo: Path, tmp_path: Path) -> None:
    from incentive_lint.gate.changes import export_tree

    (repo / "board-pack.pdf").write_bytes(b"%PDF-1.4" + b"\0" * 1000)
    commit_all(repo, "add a pdf")
    dest = tmp_path / "export" / "tree"
    dest.mkdir(parents=True)
    export_tree(git(repo, "rev-parse", "HEAD").strip(), repo, dest)
    assert (dest / STRATEGY).is_file() and not (dest / "board-pack.pdf").exists()


def test_running_outside_the_repository_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(UsageError, match="outside it; cd into the repository"):
        lint_at_ref("HEAD", LintOptions(paths=[repo], cwd=elsewhere))
