"""``python -m incentive_lint.dev new-rule`` writes a rule in three places and the rule loads."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incentive_lint.dev import new_rule, next_code

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(ROOT / "incentive_lint", tmp_path / "incentive_lint",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _run(copy: Path, code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_new_rule_writes_folder_examples_function_and_registry_line(copy: Path) -> None:
    before = {p.relative_to(copy) for p in copy.rglob("*") if p.is_file()}
    expected_code = next_code("CL", copy / "rules")
    written = new_rule("clarity", "priority-without-budget", root=copy)
    after = {p.relative_to(copy) for p in copy.rglob("*") if p.is_file()}
    assert after - before == {Path("rules/clarity/priority-without-budget/rule.yaml"),
                              Path("rules/clarity/priority-without-budget/examples/bad.yaml"),
                              Path("rules/clarity/priority-without-budget/examples/good.yaml")}
    assert set(written) - {copy / p for p in after - before} == {copy / "incentive_lint/checks/clarity.py"}
    module = (copy / "incentive_lint/checks/clarity.py").read_text()
    assert "def priority_without_budget(model: Model" in module
    assert '    "priority-without-budget": priority_without_budget,\n}' in module
    # The copy's package loads the new rule from its catalog, registered and valid, with the next code.
    out = _run(copy, "import json; from pathlib import Path\n"
                     "from incentive_lint.settings.catalog import load_catalog\n"
                     "c = load_catalog(Path('.'))\n"
                     "s = [r for r in c.rules.values() if r.slug == 'priority-without-budget'][0]\n"
                     "print(json.dumps([s.code, s.function, s.family]))")
    assert json.loads(out) == [expected_code, "priority-without-budget", "clarity"]
    # The stub finds nothing, so the bad example's marked line is not met yet: the suite fails until written.
    out = _run(copy, "from pathlib import Path\nfrom incentive_lint.run import LintOptions, lint\n"
                     "r, _ = lint(LintOptions(paths=[Path('rules/clarity/priority-without-budget/examples/bad.yaml')],"
                     " use_config=False, select=['priority-without-budget']))\n"
                     "print(sum(f.rule == 'priority-without-budget' for f in r.findings))")
    assert out.strip() == "0"


@pytest.mark.parametrize("family, slug, message", [
    ("finance", "x-y", "unknown family"),
    ("clarity", "Not_A_Slug", "is not a slug"),
    ("clarity", "cascade-gap", "already exists"),
])
def test_new_rule_refuses_bad_names(copy: Path, family: str, slug: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        new_rule(family, slug, root=copy)
