"""check's CI options: exit codes, --only-files, the GitHub step summary, --redact, enabled rules only."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from ci_helpers import AS_OF

from incentive_lint.base.findings import LintResult

STRATEGY = "strategy/servitization-2025.yaml"
EXEC = "plans/exec-2025.yaml"


def only(repo: Path, rules: str) -> None:
    (repo / ".incentive-lint.yaml").write_text(f"select: [{rules}]\n")


# --------------------------------------------------------------------------- exit codes


def test_errors_exit_1_and_exit_zero_exits_0(repo: Path, cli) -> None:
    assert cli(["check", "--as-of", AS_OF, "-q"], repo).code == 1
    assert cli(["check", "--as-of", AS_OF, "-q", "--exit-zero"], repo).code == 0
    assert cli(["check", "--as-of", AS_OF, "-q", "--exit-zero", "--warnings-exit-code", "3"], repo).code == 0


def test_warnings_exit_code_only_when_nothing_reaches_fail_on(repo: Path, cli) -> None:
    only(repo, "measure-weight-too-small")  # one warning, no error
    assert cli(["check", "--as-of", AS_OF], repo).code == 0
    assert cli(["check", "--as-of", AS_OF, "--warnings-exit-code", "3"], repo).code == 3
    assert cli(["check", "--as-of", AS_OF, "--warnings-exit-code", "3", "--fail-on", "warning"], repo).code == 1
    only(repo, "pays-on-deprioritized-driver")  # errors
    assert cli(["check", "--as-of", AS_OF, "--warnings-exit-code", "3"], repo).code == 1
    assert cli(["check", "--as-of", AS_OF, "--warnings-exit-code", "3", "--fail-on", "never"], repo).code == 3


def test_info_findings_never_give_the_warnings_exit_code() -> None:
    from incentive_lint.base.findings import Finding, Severity
    from incentive_lint.base.source import Span

    info = Finding(span=Span.at("a.yaml", 1), rule="r", code="X", family="clarity", severity=Severity.INFO, message="m")
    assert LintResult(findings=(info,)).exit_code("error", warnings_exit_code=3) == 0
    assert LintResult(findings=(info,)).exit_code("info", warnings_exit_code=3) == 1


@pytest.mark.parametrize("args,words", [
    (["--warnings-exit-code", "2"], "--warnings-exit-code"),
    (["--exit-zero", "no/such/folder"], "the path 'no/such/folder' does not exist"),
    (["--only-files"], "--only-files needs the files"),
])
def test_tool_errors_stay_exit_2(repo: Path, cli, args: list[str], words: str) -> None:
    run = cli(["check", *args], repo)
    assert run.code == 2 and words in run.err


# --------------------------------------------------------------------------- --only-files


def test_only_files_reports_findings_whose_chain_touches_the_files(repo: Path, cli) -> None:
    everything = json.loads(cli(["check", "--as-of", AS_OF, "-f", "json"], repo).out)["findings"]
    run = cli(["check", "--only-files", STRATEGY, "--as-of", AS_OF, "-f", "json"], repo)
    data = json.loads(run.out)["findings"]
    touching = [f for f in everything if STRATEGY in {f["file"], *(r["file"] for r in f["related"])}]
    assert data == touching
    assert any(f["file"].startswith("plans/") for f in data)  # a strategy edit shows up in plan files
    assert len(data) < len(everything)


def test_only_files_with_a_plan(repo: Path, cli) -> None:
    data = json.loads(cli(["check", "--only-files", f"./{EXEC}", "--as-of", AS_OF, "-f", "json"], repo).out)
    assert data["findings"]
    assert all(EXEC in {f["file"], *(r["file"] for r in f["related"])} for f in data["findings"])


def test_only_files_with_the_configuration_reports_everything(repo: Path, cli) -> None:
    (repo / ".incentive-lint.yaml").write_text("{}\n")
    everything = json.loads(cli(["check", "--as-of", AS_OF, "-f", "json"], repo).out)["findings"]
    data = json.loads(cli(["check", "--only-files", ".incentive-lint.yaml", "--as-of", AS_OF, "-f", "json"],
                          repo).out)["findings"]
    assert data == everything


def test_only_files_with_an_untouched_file_reports_nothing(repo: Path, cli) -> None:
    (repo / "notes.yaml").write_text("title: not a policy\n")
    run = cli(["check", "--only-files", "notes.yaml", "--as-of", AS_OF], repo)
    assert run.code == 0 and "0 error(s), 0 warning(s), 0 info" in run.out


# --------------------------------------------------------------------------- reporters


def test_github_format_writes_the_step_summary(repo: Path, cli, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli(["check", "--as-of", AS_OF, "-f", "text"], repo)
    assert not summary.exists()
    run = cli(["check", "--as-of", AS_OF, "-f", "github", "-f", "sarif=out.sarif"], repo)
    assert run.out.startswith("::") and (repo / "out.sarif").is_file()
    text = summary.read_text()
    assert text.startswith("## incentive-lint") and "pays-on-deprioritized-driver" in text


def test_reporters_get_only_enabled_rules(repo: Path, cli) -> None:
    only(repo, "engagement")
    cli(["check", "--as-of", AS_OF, "-f", "sarif=out.sarif"], repo)
    sarif = json.loads((repo / "out.sarif").read_text())
    ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    families = json.loads(cli(["rules", "--format", "json"], repo).out)
    engagement = {r["slug"] for r in families if r["family"] == "engagement"}
    assert ids and ids <= engagement


def test_redact_leaves_values_out_of_every_format(repo: Path, cli, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    plain = cli(["check", "--as-of", AS_OF, "-f", "json"], repo).out
    assert "1850" in plain  # last year's units, a document value
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = cli(["check", "--as-of", AS_OF, "--redact", "-f", "json", "-f", "github=gh.txt", "-f", "sarif=o.sarif"],
              repo)
    assert run.code == 1
    for text in (run.out, (repo / "gh.txt").read_text(), (repo / "o.sarif").read_text(), summary.read_text()):
        assert "1850" not in text and "40000" not in text and "redacted" in text
