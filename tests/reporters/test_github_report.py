from __future__ import annotations

import re

from reporter_samples import make_finding, make_result, span

from incentive_lint.base.findings import Severity
from incentive_lint.outputs.formats import REPORTERS, github


def test_escape_property_and_data():
    raw = "100% a:b,c\r\nd"
    assert github.escape_property(raw) == "100%25 a%3Ab%2Cc%0D%0Ad"
    assert github.escape_data(raw) == "100%25 a:b,c%0D%0Ad"
    # '%' first, so an existing escape sequence is not decoded by the runner.
    assert github.escape_data("%0A") == "%250A"


def test_one_line_per_finding_with_levels(result, rules):
    text = github.render(result, rules)
    lines = text.splitlines()
    assert text.endswith("\n")
    assert len(lines) == len(result.findings)
    expected = {Severity.ERROR: "::error ", Severity.WARNING: "::warning ", Severity.INFO: "::notice "}
    for finding, line in zip(result.findings, lines):
        assert line.startswith(expected[finding.severity])
        assert "\n" not in line and "\r" not in line


def test_properties_are_escaped(result, rules):
    line = next(ln for ln in github.render(result, rules).splitlines() if "yaml-syntax" in ln)
    head, _, message = line.partition("::")[2].partition("::")
    props = dict(p.split("=", 1) for p in head.split(" ", 1)[1].split(","))
    assert props["file"] == "comp/odd%2C name%3A v2.yaml"
    assert props["title"] == "ISL001 yaml-syntax"
    # message data: % and CR/LF escaped; ':' and ',' are not.
    assert "100%25 broken, key: value%0D%0Anext line" in message
    assert "\x1b" not in message  # control characters do not reach the log


def test_document_text_cannot_inject_a_command(result, rules):
    for line in github.render(result, rules).splitlines():
        assert re.match(r"^::(error|warning|notice) file=", line)
    injected = next(ln for ln in github.render(result, rules).splitlines() if "injected" in ln)
    assert injected.count("\n") == 0


def test_columns_only_on_single_line_spans(result, rules):
    lines = github.render(result, rules).splitlines()
    multi = next(ln for ln in lines if "shift-pays-volume" in ln)
    assert "line=14,endLine=16," in multi
    assert "col=" not in multi.split("::")[1] and "endColumn=" not in multi.split("::")[1]
    single = next(ln for ln in lines if "weights-sum-to-100" in ln)
    assert "line=41,endLine=41,col=5,endColumn=17," in single


def test_end_column_never_before_col():
    f = make_finding("r", "X001", "fam", Severity.ERROR, "m", span("a.yaml", 3, 9, 3, 2))
    line = github.render(make_result([f]), {})
    cols = dict(re.findall(r"(col|endColumn)=(\d+)", line))
    assert int(cols["endColumn"]) >= int(cols["col"])


def test_chain_is_in_the_message(result, rules):
    line = next(ln for ln in github.render(result, rules).splitlines() if "weights-sum-to-100" in ln)
    assert "%0A  -> weight 50 (comp/sales-na.yaml:44:7)%0A  -> weight 40 (comp/sales-na.yaml:49:7)" in line


def test_empty_and_deterministic(result, empty_result, rules):
    assert github.render(empty_result, rules) == ""
    assert github.render(result, rules) == github.render(result, rules)


def test_summary_markdown(result, rules):
    md = github.summary_markdown(result, rules)
    assert "**8** findings" in md
    assert "3 error, 3 warning, 2 info" in md
    assert "| Rule | Code | Severity | Findings |" in md
    row = next(ln for ln in md.splitlines() if ln.startswith("| [objective-without-incentive]"))
    assert row.endswith("| ALN001 | warning | 2 |")
    assert "### Errors (3)" in md  # details follow when they fit


def test_summary_markdown_clean_run(empty_result, rules):
    assert "No findings" in github.summary_markdown(empty_result, rules)


def test_write_step_summary_appends(tmp_path, result, rules):
    target = tmp_path / "summary.md"
    target.write_text("# earlier step\n", encoding="utf-8")
    github.write_step_summary(result, rules, environ={"GITHUB_STEP_SUMMARY": str(target)})
    github.write_step_summary(result, rules, environ={"GITHUB_STEP_SUMMARY": str(target)})
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n")
    assert text.count("## incentive-lint") == 2


def test_write_step_summary_without_variable_does_nothing(tmp_path, result, rules, monkeypatch):
    monkeypatch.chdir(tmp_path)
    github.write_step_summary(result, rules, environ={})
    assert list(tmp_path.iterdir()) == []


def test_registered():
    assert REPORTERS["github"] is github.render
