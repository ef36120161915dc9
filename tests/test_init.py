"""``incentive-lint init``: a new policy repository that passes ``check`` and maps its schemas."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from incentive_lint.base.kinds import KIND_SCHEMAS


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incentive_lint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_init_then_check_is_clean(tmp_path: Path) -> None:
    proc = run("init", "repo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    repo = tmp_path / "repo"
    for as_of in (None, f"{__import__('datetime').date.today().year}-01-01"):
        check = run("check", "--format", "json", "--fail-on", "info", *(["--as-of", as_of] if as_of else []),
                    cwd=repo)
        assert check.returncode == 0, check.stdout + check.stderr
        data = json.loads(check.stdout)
        assert data["findings"] == []
    kinds = set()
    for path in repo.rglob("*.yaml"):
        if ".github" in path.parts or path.name.startswith("."):
            continue
        kinds.update(d["kind"] for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    assert kinds == set(KIND_SCHEMAS)  # one example of every kind


def test_init_writes_config_schemas_mapping_precommit_and_ci(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    settings = json.loads((tmp_path / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for schema_path in mapping:
        assert (tmp_path / schema_path).is_file()  # every mapped schema was written
    assert "plans/**/*.yaml" in mapping["./schemas/incentive-lint.schema.json"]
    precommit = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert precommit["repos"][0]["hooks"][0]["entry"].startswith("incentive-lint check")
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "incentive-lint.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    assert any("incentive-lint check" in step.get("run", "") for step in steps)
    installs = [step["run"] for step in steps if "pip install" in step.get("run", "")]
    assert installs and all("git+https://" in run for run in installs)  # not on PyPI: docs/install.md
    assert (tmp_path / ".incentive-lint.yaml").is_file()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "sales.yaml").write_text("mine\n", encoding="utf-8")
    proc = run("init", cwd=tmp_path)
    assert proc.returncode == 2
    assert "plans/sales.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "plans" / "sales.yaml").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]  # nothing else written
