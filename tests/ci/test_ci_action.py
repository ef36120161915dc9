"""The GitHub Action: parse action.yml and run its shell steps the way the runner would.

The ``uses:`` steps (setup-python, upload-sarif) cannot run here; the test checks what they
are given. The install step is not run (the package is already installed in this
environment); its command is checked. The other ``run:`` steps are executed with bash, with
their ``env:`` expressions evaluated from the inputs, and ``$GITHUB_OUTPUT`` and
``$GITHUB_STEP_SUMMARY`` pointing at files, in a temporary policy repository.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ci_helpers import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def evaluate(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("inputs."):
            return inputs[name[len("inputs."):]]
        if name == "github.action_path":
            return str(ROOT)
        step, _, rest = name.removeprefix("steps.").partition(".outputs.")
        if name.startswith("steps.") and rest:
            return outputs.get(step, {}).get(rest, "")
        raise AssertionError(f"unsupported expression {name!r} in action.yml")

    return EXPR.sub(one, text)


def run_action(repo: Path, tmp_path: Path, **given: str) -> tuple[int, dict[str, dict[str, str]], str, Path]:
    """Run the shell steps; returns the final exit code, step outputs, the log and the summary file."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update(given)
    outputs: dict[str, dict[str, str]] = {}
    summary = tmp_path / "step-summary.md"
    log = []
    code = 0
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or step.get("id") == "install":
            continue
        output_file = tmp_path / f"output-{step.get('id', 'x')}"
        output_file.write_text("")
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true",
               "GITHUB_WORKSPACE": str(repo), "GITHUB_ACTION_PATH": str(ROOT)}
        env.update({k: evaluate(str(v), inputs, outputs) for k, v in (step.get("env") or {}).items()})
        assert step["shell"] == "bash" and "${{" not in step["run"], "expressions belong in env:, not in the script"
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=120)
        log.append(done.stdout + done.stderr)
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if line)
        code = done.returncode
        if code != 0:
            break
    return code, outputs, "".join(log), summary


def test_action_is_a_composite_with_setup_python_install_upload_and_summary() -> None:
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/setup-python", "github/codeql-action/upload-sarif"]
    install = next(s for s in steps if s.get("id") == "install")
    assert 'pip install' in install["run"] and '"$ACTION_PATH"' in install["run"]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}" and upload["if"].startswith("always()")
    names = [s.get("id") or s.get("uses", "").split("@")[0] for s in steps]
    assert names.index("check") < names.index("github/codeql-action/upload-sarif")
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}


def test_action_run_steps_on_a_policy_repository(repo: Path, tmp_path: Path) -> None:
    code, outputs, log, summary = run_action(repo, tmp_path, args="--as-of 2025-03-01")
    assert code == 1 and outputs["check"]["exit-code"] == "1"
    assert "incentive-lint exited with 1" in log
    assert re.search(r"^::error file=plans/sales-2025\.yaml,line=\d+", log, re.M)
    sarif = json.loads((repo / outputs["check"]["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert summary.read_text().startswith("## incentive-lint")


def test_action_inputs_reach_the_command(repo: Path, tmp_path: Path) -> None:
    code, outputs, log, _ = run_action(repo, tmp_path, paths="plans kpis", **{"fail-on": "never"},
                                       args="--as-of 2025-03-01 --redact", **{"sarif-file": "out/report.sarif"})
    assert code == 0 and outputs["check"]["exit-code"] == "0"
    assert (repo / "out" / "report.sarif").is_file()
    assert "file=plans/" in log and "file=strategy/" not in log
    assert "1850" not in log


def test_action_new_since_and_tool_errors(repo: Path, tmp_path: Path) -> None:
    code, outputs, log, _ = run_action(repo, tmp_path, **{"new-since": "HEAD"}, args="--as-of 2025-03-01")
    assert code == 0 and "::error" not in log
    code, outputs, log, _ = run_action(repo, tmp_path, **{"new-since": "no-such-branch"})
    assert code == 2 and outputs["check"]["exit-code"] == "2"
    assert "unknown git reference 'no-such-branch'" in log


@pytest.mark.parametrize("name", ["paths", "fail-on", "new-since", "baseline", "args", "sarif-file", "upload-sarif",
                                  "python-version"])
def test_every_input_is_described(name: str) -> None:
    assert ACTION["inputs"][name]["description"]
