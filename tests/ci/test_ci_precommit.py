"""End to end: the real pre-commit framework installs this repository's hooks and runs them.

``pre-commit try-repo`` clones the hook repository and pip-installs it into a fresh
virtualenv, which needs the build backend and the dependencies from PyPI (or the pip
cache). The hook repository is a committed copy of this project's package files, so the
test also works while the working tree has uncommitted or untracked changes.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ci_helpers import MANUFACTURER, ROOT, init_repo

PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "incentive_lint", "rules", "schemas")
STRATEGY = "strategy/servitization-2025.yaml"


def _pre_commit() -> list[str] | None:
    exe = shutil.which("pre-commit")
    if exe:
        return [exe]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pre_commit"]


def test_manifest_declares_both_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"incentive-lint", "incentive-lint-all"}
    one, every = hooks["incentive-lint"], hooks["incentive-lint-all"]
    assert one["entry"] == "incentive-lint check --only-files --" and one["types"] == ["yaml"]
    assert one.get("pass_filenames", True) and one["require_serial"]
    assert every["pass_filenames"] is False and every["always_run"] is True
    assert {one["language"], every["language"]} == {"python"}


def _sections(output: str) -> dict[str, str]:
    """pre-commit's output per hook id."""
    out: dict[str, str] = {}
    for part in re.split(r"^- hook id: ", output, flags=re.M)[1:]:
        hook, _, rest = part.partition("\n")
        out[hook.strip()] = rest
    return out


@pytest.mark.precommit
@pytest.mark.skipif(_pre_commit() is None, reason="pre-commit is not installed (pip install -e '.[test]')")
@pytest.mark.skipif(os.environ.get("INCENTIVE_LINT_SKIP_PRECOMMIT") == "1",
                    reason="INCENTIVE_LINT_SKIP_PRECOMMIT=1 (the pre-commit end-to-end test needs PyPI or a pip cache)")
def test_pre_commit_try_repo_runs_both_hooks(tmp_path: Path) -> None:
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, hook_repo / name)
    init_repo(hook_repo)
    policy = tmp_path / "policy"
    shutil.copytree(MANUFACTURER, policy)
    (policy / "notes.yaml").write_text("title: meeting notes, not a policy\n")
    init_repo(policy)

    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    env.pop("VIRTUAL_ENV", None)
    env.pop("INCENTIVE_LINT_CACHE_DIR", None)  # the hooks keep their cache where users' hooks do: at the root
    # no hook id: both hooks of the manifest run, sharing one installed environment
    command = [*_pre_commit(), "try-repo", str(hook_repo), "--files", STRATEGY, "notes.yaml", "--verbose"]
    done = subprocess.run(command, cwd=policy, env=env, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    if "An unexpected error has occurred" in output and re.search(
            r"(ConnectionError|NewConnectionError|Temporary failure in name resolution|No matching distribution)",
            output + _log(env)):
        pytest.skip("pre-commit could not install the hook's dependencies (no access to PyPI)")
    assert "An unexpected error" not in output, output + _log(env)
    assert done.returncode == 1, output  # findings at error level fail the commit
    sections = _sections(done.stdout)
    assert set(sections) == {"incentive-lint", "incentive-lint-all"}, done.stdout

    changed = sections["incentive-lint"]
    lines = [line for line in changed.splitlines() if re.match(r"^\S+\.yaml:\d+:\d+ ", line)]
    assert lines and any(line.startswith("plans/") for line in lines)  # untouched plans, via the strategy
    everything = [line for line in sections["incentive-lint-all"].splitlines() if re.match(r"^\S+\.yaml:\d+:\d+ ", line)]
    assert set(lines) < set(everything)
    assert all(line.startswith(("plans/", "strategy/", "kpis/", "budget/", "org/", "offers/")) for line in everything)

    # the cache is on: written at the root, ignored by git, and a second commit attempt reads it
    cache = policy / ".incentive-lint-cache"
    assert any(cache.rglob("*.pack")) and (cache / ".gitignore").is_file()
    again = subprocess.run(command, cwd=policy, env=env, capture_output=True, text=True, timeout=900)
    assert again.returncode == 1, again.stdout + again.stderr
    findings = {hook: [line for line in text.splitlines() if re.match(r"^\S+\.yaml:\d+:\d+ ", line)]
                for hook, text in sections.items()}
    assert {hook: [line for line in text.splitlines() if re.match(r"^\S+\.yaml:\d+:\d+ ", line)]
            for hook, text in _sections(again.stdout).items()} == findings


def _log(env: dict[str, str]) -> str:
    log = Path(env["PRE_COMMIT_HOME"]) / "pre-commit.log"
    return log.read_text(errors="replace") if log.is_file() else ""
