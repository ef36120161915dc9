"""The flags ruff, yamllint and Checkov users expect (issue 12, point 3)."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from incentive_lint.outputs.formats.terminal import use_color
from incentive_lint.settings.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "manufacturer"


def run(*args: str, cwd: Path = EXAMPLE, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    inherited = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full = {**inherited, **(env or {})}
    return subprocess.run([sys.executable, "-m", "incentive_lint", *args], cwd=cwd, capture_output=True,
                          text=True, env=full, timeout=120)


def codes_reported(*args: str) -> set[str]:
    out = run("check", "-f", "concise", *args)
    assert out.returncode in (0, 1), out.stderr
    return {line.split(": ", 1)[1].split(" ", 1)[0] for line in out.stdout.splitlines()}


def test_select_takes_codes_prefixes_and_families():
    assert codes_reported("--select", "EN01") == {"EN01"}
    assert codes_reported("--select", "EN01,CL06") == {"EN01", "CL06"}
    prefix = codes_reported("--select", "EN0")
    assert prefix and all(c.startswith("EN0") for c in prefix)
    assert all(c.startswith("CL") for c in codes_reported("--select", "clarity"))


def test_ignore_wins_and_extend_select_adds():
    everything = codes_reported()
    assert "EN01" in everything
    assert "EN01" not in codes_reported("--ignore", "EN01")
    assert codes_reported("--select", "EN01", "--extend-select", "CL06") == {"EN01", "CL06"}
    assert codes_reported("--select", "EN01,CL06", "--ignore", "CL") == {"EN01"}


def test_unknown_rule_on_the_command_line_is_named_with_its_option():
    out = run("check", "--select", "EN1")
    assert out.returncode in (0, 1)  # EN1 is a prefix: EN10 to EN19
    out = run("check", "--ignore", "EN99x")
    assert out.returncode == 2
    assert "--ignore: unknown rule 'EN99x'" in out.stderr and "Traceback" not in out.stderr


def test_concise_is_one_line_per_finding_in_editor_shape():
    out = run("check", "-f", "concise")
    lines = out.stdout.splitlines()
    assert lines and all(line.count(":") >= 3 for line in lines)
    first = lines[0]
    path, line, col, rest = first.split(":", 3)
    assert path.endswith(".yaml") and line.isdigit() and col.isdigit() and rest.startswith(" ")
    counted = json.loads(run("check", "-f", "json").stdout)
    total = sum(1 + len(f.get("consequences", [])) for f in counted["findings"])
    assert len(lines) == total
    also = [i for i, line in enumerate(lines) if " also: " in line]
    assert len(also) == total - len(counted["findings"])
    for i in also:  # a consequence follows its cause and names the cause's place
        cause = next(line for line in reversed(lines[:i]) if " also: " not in line)
        assert lines[i].endswith(f"(follows from {cause.split(': ', 1)[1].split()[0]} at {cause.split(': ', 1)[0]})")


def test_statistics_prints_counts_only():
    out = run("check", "--statistics")
    assert out.returncode == 1  # the exit code is the check's
    lines = out.stdout.splitlines()
    assert lines[-1].endswith("rules") and "findings in" in lines[-1]
    assert all(row.split()[0].isdigit() for row in lines[:-1])
    assert "<-" not in out.stdout and "file(s) checked" not in out.stdout
    rows = json.loads(run("check", "--statistics", "-f", "json").stdout)
    assert sum(r["count"] for r in rows) == int(lines[-1].split()[0])


@pytest.mark.parametrize("command", [["check", "--statistics"], ["rules"], ["explain", "EN01"],
                                     ["exceptions"], ["baseline", "-o", "-"]])
def test_debug_is_accepted_after_every_command(command):
    out = run(*command, "--debug")
    assert out.returncode in (0, 1), out.stderr
    assert "no such option" not in out.stderr


@pytest.mark.parametrize("command", [["rules", "-f", "json"], ["exceptions", "-f", "json"]])
def test_short_format_flag_everywhere(command):
    out = run(*command)
    assert out.returncode == 0, out.stderr
    json.loads(out.stdout)


def test_exceptions_csv():
    out = run("exceptions", "-f", "csv")
    assert out.stdout.splitlines()[0].startswith("status,until,")


@pytest.mark.parametrize(("flag", "tty", "env", "expected"), [
    (None, False, {}, False),
    (None, True, {}, True),
    (None, False, {"FORCE_COLOR": "1"}, True),
    (None, True, {"FORCE_COLOR": "0"}, False),
    (None, True, {"NO_COLOR": "1"}, False),
    (None, True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
    (None, False, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    (True, False, {"NO_COLOR": "1"}, True),
    (False, True, {"FORCE_COLOR": "1"}, False),
])
def test_color_decision(flag, tty, env, expected):
    assert use_color(flag, tty, env) is expected


def test_force_color_colours_the_text_output():
    out = run("check", "-q", "--select", "EN01", env={"FORCE_COLOR": "1"})
    assert "\033[31m" in out.stdout
    assert "\033[" not in run("check", "-q", "--select", "EN01").stdout


def test_junit_fails_only_at_or_above_fail_on(tmp_path):
    target = tmp_path / "out.xml"
    run("check", "-f", f"junit={target}", "--fail-on", "error")
    root = ET.parse(target).getroot()
    failures = root.iter("failure")
    assert all(f.get("type") == "error" for f in failures)
    outs = [c for c in root.iter("testcase") if c.find("system-out") is not None and c.find("failure") is None]
    assert outs, "warnings are listed in system-out, not failed"
    failed = int(root.find("testsuite").get("failures"))
    assert failed == sum(1 for c in root.iter("testcase") if c.find("failure") is not None)
    run("check", "-f", f"junit={target}", "--fail-on", "never")
    assert not list(ET.parse(target).getroot().iter("failure"))


def write_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".incentive-lint.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_warn_is_read_as_warning(tmp_path):
    repo = write_config(tmp_path, "rules:\n  EN01: warn\n  CL06: {severity: warn}\n")
    out = run("check", "--show-config", cwd=repo)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("text", ["rules:\n  EN01: warnng\n", "rules:\n  EN01: {severity: high}\n"])
def test_severity_errors_name_the_allowed_values(tmp_path, text):
    out = run("check", cwd=write_config(tmp_path, text))
    assert out.returncode == 2
    assert "info, warning, error" in out.stderr and ".incentive-lint.yaml:2:" in out.stderr
    assert "not valid under any of the given schemas" not in out.stderr


@pytest.mark.parametrize(("typed", "expected"), [("EN1", "EN01"), ("IN7", "IN07"), ("CL1", "CL01"),
                                                 ("EN33", "EN32"), ("dangling-referenc", "dangling-reference")])
def test_did_you_mean_ranks_codes_by_number(typed, expected):
    assert load_catalog(ROOT).suggest(typed) == expected


def test_explain_a_prefix_names_its_rules_and_the_padded_code():
    out = run("explain", "EN1")
    assert out.returncode == 2
    assert "EN10" in out.stderr and "EN19" in out.stderr and "Did you mean 'EN01'?" in out.stderr
    assert "EN31" not in out.stderr
