"""Start-up stays light: ``--version``, ``rules`` and ``explain`` do not load the engine, the
YAML reader, JSON Schema, CEL, the report or the optional solver and language server. Speed
itself is measured in bench/; this pins which modules are loaded, which is what makes it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("incentive_lint.run", "incentive_lint.engine", "incentive_lint.checks", "incentive_lint.model", "yaml",
         "jsonschema", "jsonschema_rs", "celpy", "cel", "scipy", "pygls", "pathspec", "incentive_lint.outputs.report.html")

PROBE = """
import json, sys
from incentive_lint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy))), file=sys.stderr)
"""


def loaded(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True,
                          timeout=60)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_importing_the_package_loads_nothing_heavy() -> None:
    proc = subprocess.run([sys.executable, "-c", "import sys, incentive_lint; print(incentive_lint.__version__); "
                           f"print([m for m in sys.modules if m.startswith({HEAVY!r})])"],
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.splitlines()[1] == "[]", proc.stdout


def test_the_public_api_is_still_there() -> None:
    import incentive_lint
    assert callable(incentive_lint.lint) and incentive_lint.LintOptions and incentive_lint.Severity.ERROR
    with pytest.raises(AttributeError):
        incentive_lint.no_such_name  # noqa: B018


def test_version_loads_nothing_heavy() -> None:
    assert loaded("--version") == []


@pytest.mark.parametrize("args", [("--help",), ("check", "--help")])
def test_help_loads_nothing_heavy(args: tuple[str, ...]) -> None:
    assert loaded(*args) == []


def test_a_new_repository_s_comment_only_exclude_file_does_not_load_pathspec(tmp_path: Path) -> None:
    """``git init`` writes ``.git/info/exclude`` with comments only: nothing to match, so the
    matching library (50 ms to import) is not loaded."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "manufacturer", repo)
    (repo / ".git" / "info").mkdir(parents=True)
    (repo / ".git" / "info" / "exclude").write_text("# git ls-files --others --exclude-from=.git/info/exclude\n"
                                                   "# Lines that start with '#' are comments.\n", encoding="utf-8")
    probe = ("import sys\nfrom incentive_lint.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
             "    pass\nprint('pathspec' in sys.modules, file=sys.stderr)\n")
    args = [sys.executable, "-c", probe, "check", str(repo), "--as-of", "2025-03-01", "--no-cache", "-q"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert proc.stderr.strip().splitlines()[-1] == "False", proc.stderr
    (repo / ".git" / "info" / "exclude").write_text("# comment\nplans/draft-*.yaml\n", encoding="utf-8")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert proc.stderr.strip().splitlines()[-1] == "True", proc.stderr


def test_an_unchanged_re_run_loads_neither_the_model_nor_the_rules(tmp_path: Path) -> None:
    """The second, unchanged run reads its outputs from the cache: the model, the engine, the
    checks and the reporters are not imported (they cost a cached run about 0.1 s)."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "manufacturer", repo)
    args = ("check", str(repo), "--as-of", "2025-03-01", "--cache-dir", str(tmp_path / "cache"), "-f", "json")
    first = loaded(*args)
    assert "incentive_lint.model.core" in first and "incentive_lint.engine.engine" in first
    again = loaded(*args)
    heavy = ("incentive_lint.model.core", "incentive_lint.model.entities", "incentive_lint.engine.engine",
             "incentive_lint.checks", "incentive_lint.outputs.formats.json_report", "jsonschema", "celpy")
    assert [m for m in again if m.startswith(heavy)] == []
