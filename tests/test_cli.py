"""The command line: outputs, exit codes, and the broken-input examples."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from incentive_lint.cli import cli, main

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "examples" / "broken"

#: file -> (rule, line, column) of its one finding
BROKEN_EXPECT = {
    "ambiguous-value.yaml": ("ambiguous-value", 5, 15),
    "dangling-reference.yaml": ("dangling-reference", 6, 39),
    "duplicate-key.yaml": ("duplicate-key", 5, 1),
    "impossible-date.yaml": ("invalid-value", 5, 49),
    "not-utf8.yaml": ("not-utf8", 4, 15),
    "old-schema-version.yaml": ("schema-violation", 2, 9),
    "python-tag.yaml": ("unsupported-tag", 4, 8),
    "recursive-alias.yaml": ("too-complex", 5, 17),
    "syntax-error.yaml": ("yaml-syntax", 4, 8),
    "unknown-field.yaml": ("schema-violation", 6, 5),
    "unknown-kind.yaml": ("unknown-kind", 1, 7),
    "wrong-type.yaml": ("schema-violation", 5, 38),
}


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incentive_lint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def report(*args: str, cwd: Path = ROOT) -> tuple[int, dict]:
    proc = run("check", *args, "--format", "json", cwd=cwd)
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_broken_examples_one_finding_each() -> None:
    code, data = report("examples/broken", "--as-of", "2025-03-01")
    assert code == 1
    by_file: dict[str, list[tuple[str, int, int]]] = {}
    for f in data["findings"]:
        by_file.setdefault(Path(f["file"]).name, []).append((f["rule"], f["start_line"], f["start_column"]))
    assert by_file == {name: [expect] for name, expect in BROKEN_EXPECT.items()}
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(BROKEN_EXPECT)


def test_json_report_validates_against_its_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    for target in ("examples/broken", "examples/manufacturer"):
        _, data = report(target, "--as-of", "2025-03-01")
        jsonschema.Draft7Validator(schema).validate(data)
        assert data["as_of"] == "2025-03-01"
        assert data["summary"]["findings"] == len(data["findings"])


def test_text_lines_are_path_line_col_severity_rule_message() -> None:
    proc = run("check", "examples/broken/unknown-kind.yaml", "--as-of", "2025-03-01", "--no-color")
    first = proc.stdout.splitlines()[0]
    assert first.startswith("examples/broken/unknown-kind.yaml:1:7 error unknown-kind unknown document kind")
    assert "did you mean 'IncentivePlan'" in first
    assert "as of 2025-03-01" in proc.stdout


def test_quiet_prints_only_findings() -> None:
    proc = run("check", "examples/broken", "-q", "--as-of", "2025-03-01")
    lines = proc.stdout.splitlines()
    assert len(lines) == len(BROKEN_EXPECT)
    assert all(line.startswith("examples/broken/") for line in lines)


def test_output_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run("check", "examples", "--as-of", "2025-03-01", "--format", f"json={a}")
    run("check", "examples", "--as-of", "2025-03-01", "--format", "json", "--output", str(b))
    assert a.read_bytes() == b.read_bytes()
    assert str(ROOT) not in a.read_text()


def test_exit_0_when_nothing_reaches_fail_on(workspace) -> None:
    repo = workspace({"org.yaml": "kind: Org\nschema: incentive-lint/v1\nid: acme\n"})
    assert run("check", ".", cwd=repo).returncode == 0


def test_exit_1_and_fail_on_levels() -> None:
    target = "examples/broken/ambiguous-value.yaml"
    assert run("check", target, "--fail-on", "error").returncode == 0
    assert run("check", target, "--fail-on", "warning").returncode == 1
    assert run("check", target, "--fail-on", "info").returncode == 1
    assert run("check", "examples/broken", "--fail-on", "never").returncode == 0


@pytest.mark.parametrize("args,words", [
    (("check", "no/such/path"), "does not exist"),
    (("check", ".", "--fail-on", "sometimes"), "sometimes"),
    (("check", ".", "--bogus"), "--bogus"),
    (("check", ".", "--as-of", "2025-31-12"), "YYYY-MM-DD"),
    (("check", ".", "--format", "pdf"), "unknown format 'pdf'"),
    (("check", ".", "--config", "missing.yaml"), "does not exist"),
    (("explain", "no-such-rule"), "no rule named"),
])
def test_exit_2_with_one_line(args: tuple[str, ...], words: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], proc.stderr


def test_broken_config_names_file_line_and_key(workspace) -> None:
    repo = workspace({".incentive-lint.yaml": "rules:\n  EN01: error\nselekt: [clarity]\n",
                      "org.yaml": "kind: Org\nschema: incentive-lint/v1\nid: acme\n"})
    proc = run("check", ".", cwd=repo)
    assert proc.returncode == 2
    assert ".incentive-lint.yaml:3:1: unknown key 'selekt'; did you mean 'select'?" in proc.stderr


def test_unknown_rule_in_config_is_exit_2(workspace) -> None:
    repo = workspace({".incentive-lint.yaml": "ignore: [no-such-rule]\n"})
    proc = run("check", ".", cwd=repo)
    assert proc.returncode == 2 and "unknown rule 'no-such-rule'" in proc.stderr


def test_internal_error_is_one_line_and_debug_shows_traceback(monkeypatch, capsys) -> None:
    lint_module = sys.modules["incentive_lint.run"]  # the package re-exports lint(), shadowing the module

    def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(lint_module, "read_workspace", boom)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(ROOT / "examples" / "broken")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["--debug", "check", str(ROOT / "examples" / "broken")])
    assert "Traceback" in capsys.readouterr().err


def test_rules_and_explain_commands() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    rules = json.loads(result.output)
    assert {r["family"] for r in rules} >= {"input", "clarity"}
    result = CliRunner().invoke(cli, ["explain", "duplicate-key"])
    assert "duplicate-key (IN02" in result.output and "Why it matters" in result.output


def test_python_dash_m_and_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and "incentive-lint" in proc.stdout


def test_single_file_check_explains_unknown_references() -> None:
    proc = run("check", "examples/manufacturer/plans/sales-2025.yaml", "-q", "--as-of", "2025-03-01")
    assert "dangling-reference" in proc.stdout
    assert "only the named files were read" in proc.stderr and "--only-files" in proc.stderr
    whole = run("check", "examples/manufacturer", "-q", "--as-of", "2025-03-01")
    assert "only the named files" not in whole.stderr
