"""The action's code-scanning detection (issue 12, point 5): ``upload-sarif: auto`` falls back
to annotations and the job summary with a notice, and never fails the job for that reason."""
from __future__ import annotations

from pathlib import Path

from test_ci_action import ACTION, run_action


def upload_step() -> dict:
    return next(s for s in ACTION["runs"]["steps"] if "upload-sarif" in str(s.get("uses", "")))


def test_auto_is_the_default_and_the_upload_cannot_redden_the_job() -> None:
    assert ACTION["inputs"]["upload-sarif"]["default"] == "auto"
    step = upload_step()
    assert "steps.scanning.outputs.upload == 'true'" in step["if"]
    assert step["continue-on-error"] is True


def test_without_code_scanning_a_notice_and_no_upload(repo: Path, tmp_path: Path, monkeypatch) -> None:
    # No API reachable here: exactly what a private repository without Advanced Security answers.
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    code, outputs, log, summary = run_action(repo, tmp_path, **{"upload-sarif": "auto"})
    assert outputs["scanning"]["upload"] == "false"
    assert "::notice title=incentive-lint::Code scanning is not available" in log
    assert outputs["check"]["exit-code"] == str(code)  # only the findings decide the job


def test_with_upload_forced_and_disabled(repo: Path, tmp_path: Path) -> None:
    _, outputs, log, _ = run_action(repo, tmp_path, **{"upload-sarif": "true"})
    assert outputs["scanning"]["upload"] == "true" and "Code scanning is not available" not in log
    _, outputs, log, _ = run_action(repo, tmp_path, **{"upload-sarif": "false"})
    assert outputs["scanning"]["upload"] == "false" and "Code scanning is not available" not in log


def test_docs_list_every_permission() -> None:
    root = Path(__file__).resolve().parents[2]
    for text in ((root / "action.yml").read_text(), (root / "docs" / "ci.md").read_text()):
        for permission in ("contents: read", "security-events: write", "actions: read"):
            assert permission in text, permission


def _gitlab_jobs() -> dict:
    import re

    import yaml

    root = Path(__file__).resolve().parents[2]
    blocks = re.findall(r"```yaml\n(.*?)```", (root / "docs" / "gitlab-ci.md").read_text(), re.S)
    jobs: dict = {}
    for block in blocks:
        data = yaml.safe_load(block)
        if isinstance(data, dict):
            jobs.update(data)
    return jobs


def test_gitlab_full_job_on_the_default_branch_new_findings_on_merge_requests() -> None:
    jobs = _gitlab_jobs()
    full, mr = jobs["incentive-lint"], jobs["incentive-lint-mr"]
    assert [r["if"] for r in full["rules"]] == ["$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]
    assert [r["if"] for r in mr["rules"]] == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    assert "--new-since" in " ".join(mr["script"])
    assert mr["extends"] == "incentive-lint"
