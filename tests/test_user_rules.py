"""Users' own rules: folders named by the config, written in CEL, never Python."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RULE = """slug: sales-plan-needs-retention
code: ACME1
family: engagement
severity: error
summary: Sales plans must put at least 20% on retention.
why: Our board decided that every sales plan rewards keeping customers.
fix: Add a component on a retention KPI with at least 20% weight.
message: "plan '{id}' puts less than 20% of its pay on retention KPIs (board policy)"
check:
  function: expression
  options:
    given: plans
    when: entity.plan_type == 'sales-commission'
    assert: >-
      has(plan.share.p_none) ||
      plan.components.filter(c, c.kpi in ['net-revenue-retention', 'gross-revenue-retention'])
        .map(c, c.weight).exists(w, w >= 20.0)
    at: components
options_schema: {type: object}
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incentive_lint", "check", ".", "--as-of", "2025-03-01", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def repo_with_rule(tmp_path: Path, rule_text: str) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", repo)
    (repo / "policy-rules" / "sales-plan-needs-retention").mkdir(parents=True)
    (repo / "policy-rules" / "sales-plan-needs-retention" / "rule.yaml").write_text(rule_text)
    (repo / ".incentive-lint.yaml").write_text("rule_paths: [policy-rules]\nselect: [ACME1]\n")
    return repo


def test_cel_rule_runs(tmp_path: Path) -> None:
    repo = repo_with_rule(tmp_path, RULE)
    proc = run(repo, "-q")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0] == ("plans/sales-2025.yaml:20:3 error sales-plan-needs-retention plan 'ip-sales-2025' puts "
                        "less than 20% of its pay on retention KPIs (board policy)")


def test_cel_rule_passes_when_policy_met(tmp_path: Path) -> None:
    repo = repo_with_rule(tmp_path, RULE.replace("w >= 20.0", "w >= 5.0").replace(
        "'gross-revenue-retention'", "'gross-revenue-retention', 'service-contract-attach'"))
    proc = run(repo, "-q")
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_broken_cel_names_file_line_and_column(tmp_path: Path) -> None:
    broken = RULE.replace("    assert: >-\n      has(plan.share.p_none) ||", "    assert: plan.components.size( >")
    broken = broken.replace(
        "      plan.components.filter(c, c.kpi in ['net-revenue-retention', 'gross-revenue-retention'])\n"
        "        .map(c, c.weight).exists(w, w >= 20.0)\n", "")
    repo = repo_with_rule(tmp_path, broken)
    proc = run(repo)
    assert proc.returncode == 2
    message = proc.stderr.strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1
    # 'assert: plan.components.size( >' -- the expression starts at column 13, the '>' is its 23rd character
    assert message.startswith("incentive-lint: policy-rules/sales-plan-needs-retention/rule.yaml:14:35: the CEL "
                              "expression in 'assert' is broken at column 23 of the expression")


def test_user_rule_with_unknown_function_is_exit_2(tmp_path: Path) -> None:
    repo = repo_with_rule(tmp_path, RULE.replace("function: expression", "function: run-python"))
    proc = run(repo)
    assert proc.returncode == 2 and "unknown check function 'run-python'" in proc.stderr
