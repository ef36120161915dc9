"""Scope: which files a run reads.

``include``/``exclude`` in the configuration and ``--exclude`` on the command line (globs in
``.gitignore`` syntax, relative to the root), ``.gitignore`` respected unless
``--no-respect-gitignore``; what is left out is never read. A document of another tool
(``kind: Deployment`` without our ``schema:`` header) is skipped and counted, not an error.
A check that finds no policy document at all exits 2 unless ``--allow-empty``.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from .cli_run import run_in_process
from incentive_lint.engine import workspace as workspace_module
from incentive_lint.run import LintOptions, lint

AS_OF = "2025-03-01"
#: a valid policy document; its one finding (a warning: no owner) is left out by ``checked``
KPIS = """kind: KpiCatalog
schema: incentive-lint/v1
id: kpis
kpis:
  - id: revenue
    name: Revenue
    unit: EUR
    direction: up
"""
KPIS_WARNING = "kpi-without-owner"
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  paused: yes
"""
BROKEN = "kind: [\n"  # a YAML syntax error: a finding whenever the file is read


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path,
        *args: str) -> tuple[int, str, str]:
    """``incentive-lint ARGS`` in-process from ``cwd``: (exit code, stdout, stderr)."""
    return run_in_process(capsys, monkeypatch, cwd, args)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    return write(top, {"policies/kpis.yaml": KPIS})


def checked(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, repo: Path,
            *args: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, monkeypatch, repo, "check", *args, "--as-of", AS_OF, "-f", "json")
    report = json.loads(out)
    report["findings"] = [f for f in report["findings"] if f["rule"] != KPIS_WARNING]
    return code, report


def files_of(report: dict[str, Any]) -> set[str]:
    return {f["file"] for f in report["findings"] if f["rule"] != KPIS_WARNING}


def read_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display names of the policy files the run opens."""
    opened: list[str] = []
    original = workspace_module.read_text

    def spy(path: Path, display: str, *args: Any, **kwargs: Any) -> Any:
        opened.append(display)
        return original(path, display, *args, **kwargs)

    monkeypatch.setattr(workspace_module, "read_text", spy)
    return opened


# --------------------------------------------------------------------------- another tool's YAML


def test_a_kubernetes_file_is_skipped_and_counted(repo: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {"deploy/web.yaml": DEPLOYMENT})
    code, report = checked(capsys, monkeypatch, repo)
    assert code == 0 and report["findings"] == []  # neither unknown-kind nor the ambiguous 'yes'
    assert report["summary"]["files_checked"] == 1 and report["summary"]["files_skipped"] == 1
    code, out, _ = run(capsys, monkeypatch, repo, "check", "--as-of", AS_OF, "--no-color", "--show-files")
    assert code == 0
    assert "1 file not ours skipped" in out and "not read" not in out
    assert "skipped  deploy/web.yaml  (another tool's 'kind', not ours)" in out


@pytest.mark.parametrize("text", [
    "kind: IncentivPlan\nschema: incentive-lint/v1\nid: ip\n",  # misspelt, with our header
    "kind: IncentivPlan\nid: ip\n",  # misspelt, close to one of ours
    "kind: Deployment\nschema: incentive-lint/v1\nid: d\n",  # our header, another kind
])
def test_a_document_of_ours_with_a_wrong_kind_is_still_reported(text: str, repo: Path,
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {"policies/plan.yaml": text})
    code, report = checked(capsys, monkeypatch, repo)
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["unknown-kind"]


def test_a_file_mixing_ours_and_theirs_is_checked_for_ours(repo: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {"policies/kpis.yaml": DEPLOYMENT + "---\n" + KPIS})
    code, report = checked(capsys, monkeypatch, repo)
    assert code == 0 and report["summary"]["documents"] == 1 and report["summary"]["files_checked"] == 1


# --------------------------------------------------------------------------- exclude, include, .gitignore


def test_excluded_files_are_never_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {".incentive-lint.yaml": "exclude: ['deploy/', '**/generated/*.yaml']\n",
                 "deploy/broken.yaml": BROKEN, "policies/generated/broken.yaml": BROKEN,
                 "policies/generated/keep.yml": BROKEN})
    opened = read_names(monkeypatch)
    result, ws = lint(LintOptions(paths=[repo], cwd=repo, as_of=_dt.date(2025, 3, 1), jobs=1))
    assert sorted(opened) == ["policies/generated/keep.yml", "policies/kpis.yaml"]
    assert {f.span.file for f in result.findings if f.rule != KPIS_WARNING} == {"policies/generated/keep.yml"}
    assert "deploy" in ws.left_out and "policies/generated/broken.yaml" in ws.left_out


def test_a_named_file_in_an_excluded_folder_is_not_read(repo: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {"deploy/broken.yaml": BROKEN})
    code, report = checked(capsys, monkeypatch, repo, "policies", "deploy/broken.yaml", "--exclude", "deploy/")
    assert code == 0 and report["findings"] == []


def test_exclude_on_the_command_line_is_repeatable(repo: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {"a/broken.yaml": BROKEN, "b/broken.yaml": BROKEN, "c/broken.yaml": BROKEN})
    _, report = checked(capsys, monkeypatch, repo, "--exclude", "a/", "--exclude", "b/*.yaml")
    assert files_of(report) == {"c/broken.yaml"}
    # relative to the root, wherever the command runs
    code, out, _ = run(capsys, monkeypatch, repo / "policies", "check", "..", "--as-of", AS_OF, "-f", "json",
                       "--exclude", "a/", "--exclude", "b/*.yaml")
    assert files_of(json.loads(out)) == {"c/broken.yaml"}


def test_include_keeps_only_matching_files(repo: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {".incentive-lint.yaml": "include: ['policies/']\n", "ci/broken.yaml": BROKEN,
                 "policies/broken.yaml": BROKEN})
    _, report = checked(capsys, monkeypatch, repo)
    assert files_of(report) == {"policies/broken.yaml"}


def test_gitignore_is_respected_unless_told_otherwise(repo: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {".gitignore": "build/\n*.tmp.yaml\n", "build/broken.yaml": BROKEN,
                 "policies/draft.tmp.yaml": BROKEN,
                 "policies/.gitignore": "old/\n!keep.tmp.yaml\n", "policies/old/broken.yaml": BROKEN,
                 "policies/keep.tmp.yaml": BROKEN, "policies/other/broken.yaml": BROKEN})
    _, report = checked(capsys, monkeypatch, repo)
    assert files_of(report) == {"policies/keep.tmp.yaml", "policies/other/broken.yaml"}
    _, report = checked(capsys, monkeypatch, repo, "--no-respect-gitignore")
    assert files_of(report) == {"build/broken.yaml", "policies/draft.tmp.yaml", "policies/old/broken.yaml",
                                "policies/keep.tmp.yaml", "policies/other/broken.yaml"}


def test_a_gitignore_above_the_configuration_applies(repo: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {".gitignore": "policies/scratch/\n", "policies/.incentive-lint.yaml": "extends: recommended\n",
                 "policies/scratch/broken.yaml": BROKEN, "policies/broken.yaml": BROKEN})
    code, out, _ = run(capsys, monkeypatch, repo / "policies", "check", "--as-of", AS_OF, "-f", "json")
    assert files_of(json.loads(out)) == {"broken.yaml"}  # the configuration's folder is the root


def test_git_info_exclude_is_respected(repo: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {".git/info/exclude": "local/\n", "local/broken.yaml": BROKEN, "policies/broken.yaml": BROKEN})
    _, report = checked(capsys, monkeypatch, repo)
    assert files_of(report) == {"policies/broken.yaml"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_an_ignored_pipe_is_not_even_refused(repo: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(repo / "policies" / "pipe.yaml")
    code, report = checked(capsys, monkeypatch, repo)
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["file-refused"]
    code, report = checked(capsys, monkeypatch, repo, "--exclude", "pipe.yaml")
    assert code == 0 and report["findings"] == []


def test_the_configuration_rejects_a_non_list_exclude(repo: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {".incentive-lint.yaml": "exclude: deploy/\n"})
    code, _, err = run(capsys, monkeypatch, repo, "check", "--as-of", AS_OF)
    assert code == 2 and ".incentive-lint.yaml:1:" in err and "'exclude'" in err


# --------------------------------------------------------------------------- nothing to check


@pytest.mark.parametrize("files", [{}, {"notes.yaml": "title: minutes\n"}, {"deploy/web.yaml": DEPLOYMENT}],
                         ids=["empty folder", "no kind", "only another tool's files"])
def test_nothing_checked_exits_2_unless_allowed(files: dict[str, str], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, files)
    code, out, err = run(capsys, monkeypatch, tmp_path, "check", "--as-of", AS_OF)
    assert code == 2 and "nothing was checked" in err and "--allow-empty" in err and out == ""
    code, out, err = run(capsys, monkeypatch, tmp_path, "check", "--as-of", AS_OF, "--allow-empty", "--no-color")
    assert code == 0 and "0 file(s) checked" in out


def test_everything_excluded_says_so(repo: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, monkeypatch, repo, "check", "--as-of", AS_OF, "--exclude", "policies/")
    assert code == 2 and "nothing was checked" in err and "left out by 'exclude'" in err


def test_a_mistyped_path_exits_2(repo: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, monkeypatch, repo, "check", "polices", "--as-of", AS_OF)
    assert code == 2 and "'polices' does not exist" in err
