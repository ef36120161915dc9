"""Users' CEL rules fail closed (issue 10, point 7): an unknown name stops the run at load
time naming the file, line and column; an evaluation error or a non-boolean result is a
finding on the entity, never a pass; a comprehension that runs away is stopped by a step
budget with one finding.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from incentive_lint.checks.expression import _compile, instrument, static_problems

ROOT = Path(__file__).resolve().parents[1]

RULE = """slug: acme-check
code: ACME2
family: engagement
severity: warning
summary: An ACME policy.
why: Board policy.
fix: Follow the policy.
message: "plan '{{id}}' breaks the ACME policy"
check:
  function: expression
  options:
    given: {given}
    assert: {assert_}
{extra}options_schema: {{type: object}}
"""


def repo_with(tmp_path: Path, assert_: str, given: str = "plans", extra: str = "", config: str = "") -> Path:
    repo = tmp_path / "repo"
    if not repo.exists():
        shutil.copytree(ROOT / "examples" / "manufacturer", repo)
    folder = repo / "policy-rules" / "acme-check"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rule.yaml").write_text(RULE.format(given=given, assert_=assert_, extra=extra))
    (repo / ".incentive-lint.yaml").write_text("rule_paths: [policy-rules]\nselect: [ACME2]\n" + config)
    return repo


def run(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incentive_lint", "check", ".", "--as-of", "2025-03-01", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


def findings(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert proc.returncode in (0, 1), proc.stderr
    return list(json.loads(proc.stdout)["findings"])


# --------------------------------------------------------------------------- load time


@pytest.mark.parametrize("assert_, column, name", [
    ("plan.target_incentive > 0.0 && plna.status == 'active'", 45, "'plna' is not a variable"),
    ("'component' != '' && component.weight > 1.0", 35, "'component' is not a variable"),
    ("max(plan.components.map(c, c.weight)) < 90.0", 14, "'max()' is not a CEL function"),
])
def test_unknown_name_names_file_line_and_column(tmp_path: Path, assert_: str, column: int, name: str) -> None:
    # 'assert: "' puts the expression's first character at column 14 of line 13.
    proc = run(repo_with(tmp_path, json.dumps(assert_)))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    message = proc.stderr.strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1
    assert message.startswith(f"incentive-lint: policy-rules/acme-check/rule.yaml:13:{column}: the CEL expression "
                              "in 'assert' uses an unknown name at column"), message
    assert name in message


def test_names_bound_by_comprehensions_and_builtins_are_known() -> None:
    source = ("plan.components.filter(c, c.kpi != 'x').map(c, c.weight).exists(w, w >= 20.0) && "
              "type(plan.target_incentive) == double && '{unknown}' != 'plna' && size(plan.title) > 0")
    assert static_problems(source, "plans") == []
    assert static_problems("component.weight > plan.target_incentive", "components") == []
    assert [p[2].split("'")[1] for p in static_problems("plan.weight > 1.0", "kpis")] == ["plan"]


@pytest.mark.parametrize("options, key", [("given: people\n    assert: 'true'", "given"),
                                          ("given: plans\n    assert_missing: x", "assert")])
def test_missing_given_or_assert_is_a_load_error(tmp_path: Path, options: str, key: str) -> None:
    repo = repo_with(tmp_path, "'true'")
    rule = repo / "policy-rules" / "acme-check" / "rule.yaml"
    text = rule.read_text().replace("    given: plans\n    assert: 'true'\n", f"    {options}\n")
    rule.write_text(text)
    proc = run(repo)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"an expression rule needs 'check: options: {key}:'" in proc.stderr


# --------------------------------------------------------------------------- run time


@pytest.mark.parametrize("assert_, reason", [
    ("plan.no_such_field > 1.0", "it has no field 'no_such_field'"),
    ("plan.title > 3.0", "compare and add values of the same type"),
    ("plan.target_incentive > 1.0 && 1 / 0 == 1", "divides by zero"),
    ("plan.target_incentive", "gave 40000.0, not true or false"),
])
def test_evaluation_error_is_a_finding_not_a_pass(tmp_path: Path, assert_: str, reason: str) -> None:
    proc = run(repo_with(tmp_path, json.dumps(assert_)), "--format", "json")
    found = findings(proc)
    assert proc.returncode == 1
    sales = [f for f in found if f["entities"] == ["ip-sales-2025"]]
    assert len(sales) == 1, found
    assert sales[0]["file"] == "plans/sales-2025.yaml" and sales[0]["start_line"] == 2  # the plan itself
    assert sales[0]["severity"] == "error"  # fails the gate even though the rule is a warning
    assert sales[0]["message"].startswith("this rule could not be checked on plan 'ip-sales-2025': 'assert' failed")\
        or "gave" in sales[0]["message"]
    assert reason in sales[0]["message"]
    assert "Fix the expression in the rule's rule.yaml" in sales[0]["message"]
    assert proc.stderr == ""


def test_a_guarded_optional_field_is_silent(tmp_path: Path) -> None:
    proc = run(repo_with(tmp_path, json.dumps("!has(plan.no_such_field) || plan.no_such_field > 1.0")), "-q")
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_an_error_in_when_is_a_finding(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "'true'", extra="    when: plan.missing == 'x'\n")
    found = findings(run(repo, "--format", "json"))
    assert found and all("'when' failed: it has no field 'missing'" in f["message"] for f in found)


def test_a_broken_expression_set_in_the_configuration_is_a_finding(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "'true'", config="rules:\n  acme-check:\n    options: {assert: 'nosuch > 1.0'}\n")
    proc = run(repo, "--format", "json")
    found = findings(proc)
    assert len(found) == 1 and found[0]["severity"] == "error"
    assert "this rule cannot be checked: the expression in 'assert' uses an unknown name" in found[0]["message"]
    assert "'nosuch' is not a variable" in found[0]["message"]


# --------------------------------------------------------------------------- budget


def test_instrumented_expressions_give_the_same_values() -> None:
    import cel

    data = {"xs": [1.0, 2.0, 3.0], "m": {"a": 1.0, "b": 2.0}}
    for source in ["xs.all(x, x > 0.0)", "xs.exists(x, x > 2.0)", "xs.exists_one(x, x == 2.0)",
                   "xs.map(x, x * 2.0)", "xs.filter(x, x > 1.0)", "xs.map(x, x > 1.0, x * 10.0)",
                   "xs.all(a, xs.exists(b, a == b))", "m.all(k, m[k] > 0.0)", "'.all(x, y)' + r'\\'",
                   "xs.map(x, [x, x].filter(y, y == x).size())"]:
        expected = _compile(source).execute(data)
        ticks: list[int] = []
        ctx = cel.Context(variables=data, functions={"__incentive_lint_step": lambda: ticks.append(1) or True})
        assert _compile(instrument(source)).execute(ctx) == expected, source
        assert ticks or "." + "all(x, y)" in source


def test_max_steps_stops_the_rule_with_one_finding(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, json.dumps("plan.components.all(a, plan.components.all(b, a.id != b.id || "
                                          "a.weight == b.weight))"), extra="    max_steps: 5\n")
    found = findings(run(repo, "--format", "json"))
    assert len(found) == 1, found
    assert found[0]["severity"] == "error"
    assert found[0]["message"].startswith("this rule was stopped at plan ")
    assert "after 5 comprehension steps" in found[0]["message"] and "raise max_steps" in found[0]["message"]


def _huge_plan(n: int) -> str:
    weight = 100.0 / n
    lines = ["kind: IncentivePlan", "schema: incentive-lint/v1", "id: ip-huge", "title: Huge plan", "owner: vp-sales",
             "status: active", "plan_type: sales-commission", "eligible_roles: [account-manager]",
             "effective: {from: 2025-01-01, to: 2025-12-31}", "currency: EUR", "target_incentive: 40000",
             "payout_frequency: monthly", "components:"]
    lines += [f"  - {{id: c{i}, kpi: units-shipped, weight: {weight}}}" for i in range(n)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("given, assert_", [
    ("plans", "plan.components.all(a, plan.components.all(b, a.id != b.id || a.weight == b.weight))"),
    ("components", "plan.components.exists(o, o.id == component.id && o.weight == component.weight)"),
])
def test_a_runaway_comprehension_is_stopped(tmp_path: Path, given: str, assert_: str) -> None:
    # 2,000 x 2,000 iterations: without the budget this runs for minutes; the timeout only
    # guards the test suite, the assertion is on the finding.
    repo = repo_with(tmp_path, json.dumps(assert_), given=given)
    (repo / "plans" / "huge.yaml").write_text(_huge_plan(2000))
    found = findings(run(repo, "--format", "json", timeout=300))
    stopped = [f for f in found if "this rule was stopped at" in f["message"]]
    assert len(stopped) == 1, [f["message"] for f in found][:5]
    assert "after 1,000,000 comprehension steps" in stopped[0]["message"]
    assert stopped[0]["file"] == "plans/huge.yaml"
