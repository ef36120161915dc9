"""The configuration file end to end, and check --show-config with the origin of every value."""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from ci_helpers import AS_OF

from incentive_lint.settings.catalog import load_catalog
from incentive_lint.base.findings import Severity
from incentive_lint.run import LintOptions, lint

RULE = "measure-weight-too-small"


def findings(repo: Path, config: str):
    (repo / ".incentive-lint.yaml").write_text(config)
    import datetime as _dt

    result, ws = lint(LintOptions(as_of=_dt.date.fromisoformat(AS_OF), cwd=repo))
    return result.findings, ws


def test_default_configuration(repo: Path) -> None:
    found, _ = findings(repo, "{}\n")
    small = [f for f in found if f.rule == RULE]
    assert small and all(f.severity == Severity.WARNING for f in small)


def test_extends_strict_turns_warnings_into_errors(repo: Path) -> None:
    found, ws = findings(repo, "extends: strict\n")
    assert not [f for f in found if f.severity == Severity.WARNING]
    assert [f for f in found if f.rule == RULE][0].severity == Severity.ERROR
    assert ws.settings[RULE].sources["severity"] == "extends: strict (.incentive-lint.yaml:1)"


def test_select_by_family_code_and_slug(repo: Path) -> None:
    code = load_catalog(repo).rules[RULE].code
    found, _ = findings(repo, "select: [engagement]\n")
    assert found and {f.family for f in found} == {"engagement"}
    found, _ = findings(repo, f"select: [{code}, duplicate-id]\n")
    assert found and {f.rule for f in found} == {RULE}


def test_ignore_by_family_and_code(repo: Path) -> None:
    code = load_catalog(repo).rules[RULE].code
    found, _ = findings(repo, f"ignore: [clarity, {code}]\n")
    assert found and not [f for f in found if f.family == "clarity" or f.rule == RULE]


def test_per_rule_severity_and_options(repo: Path) -> None:
    default, _ = findings(repo, "{}\n")
    found, ws = findings(repo, f"rules:\n  {RULE}:\n    severity: error\n    options: {{min_measure_weight: 30}}\n")
    small = [f for f in found if f.rule == RULE]
    assert len(small) > len([f for f in default if f.rule == RULE])
    assert {f.severity for f in small} == {Severity.ERROR}
    assert ws.settings[RULE].options["min_measure_weight"] == 30
    assert ws.settings[RULE].sources["options.min_measure_weight"] == f".incentive-lint.yaml:4 (rules: {RULE})"
    found, _ = findings(repo, f"rules:\n  {RULE}: 'off'\n")
    assert not [f for f in found if f.rule == RULE]


def test_per_path_ignores(repo: Path) -> None:
    default, _ = findings(repo, "{}\n")
    assert {"plans/sales-2025.yaml"} <= {f.span.file for f in default if f.rule == RULE}
    found, _ = findings(repo, f'per_path_ignores:\n  "plans/sales-*.yaml": [{RULE}, clarity]\n')
    in_sales = [f for f in found if f.span.file == "plans/sales-2025.yaml"]
    assert in_sales and not [f for f in in_sales if f.rule == RULE or f.family == "clarity"]
    assert [f for f in found if f.span.file != "plans/sales-2025.yaml" and f.family == "clarity"]


def test_show_config_prints_every_rule_with_sources_and_exits_0(repo: Path, cli) -> None:
    (repo / ".incentive-lint.yaml").write_text(
        f"extends: strict\nignore: [clarity]\nrules:\n  {RULE}:\n    options:\n      min_measure_weight: 20\n"
        f"per_path_ignores:\n  \"plans/*.yaml\": [duplicate-id]\n")
    run = cli(["check", "--show-config"], repo)
    assert run.code == 0
    data = yaml.safe_load(run.out)  # the text form is YAML, with sources as comments
    catalog = load_catalog(repo)
    assert set(data["rules"]) == set(catalog.rules)
    assert data["extends"] == "strict" and data["rules"][RULE]["options"]["min_measure_weight"] == 20
    lines = run.out.splitlines()

    def comment(prefix: str, after: str = "") -> str:
        start = next(i for i, line in enumerate(lines) if line.startswith(after)) if after else 0
        return next(line for line in lines[start:] if line.strip().startswith(prefix)).split("# ", 1)[1]

    assert comment("extends:") == ".incentive-lint.yaml:1"
    assert comment("min_measure_weight:", f"  {RULE}:") == f".incentive-lint.yaml:6 (rules: {RULE})"
    assert comment("severity:", f"  {RULE}:") == "extends: strict (.incentive-lint.yaml:1)"
    assert comment("enabled:", "  duplicate-id:") == ".incentive-lint.yaml:2 (ignore: clarity)"
    assert comment("ignore_paths:", "  duplicate-id:") == ".incentive-lint.yaml:8 (per_path_ignores)"
    assert comment("enabled:", f"  {RULE}:") == f".incentive-lint.yaml:4 (rules: {RULE})"
    assert comment("assume_rollover:") == "default"

    as_json = json.loads(cli(["check", "--show-config", "--format", "json"], repo).out)
    assert as_json["rules"][RULE]["severity"] == {"value": "error",
                                                  "source": "extends: strict (.incentive-lint.yaml:1)"}


def test_show_config_without_a_file(repo: Path, cli) -> None:
    run = cli(["check", "--show-config"], repo)
    assert run.code == 0 and "none found, built-in defaults" in run.out
    assert "# extends: strict" not in run.out


def test_show_config_reports_a_broken_config_as_exit_2(repo: Path, cli) -> None:
    (repo / ".incentive-lint.yaml").write_text("rules:\n  no-such-rule: 'off'\n")
    run = cli(["check", "--show-config"], repo)
    assert run.code == 2 and ".incentive-lint.yaml:2:3: unknown rule 'no-such-rule'" in run.err
