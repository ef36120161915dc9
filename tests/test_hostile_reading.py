"""Hostile input on the reading side: many syntax errors, thousands of violations or ambiguous
values, huge and document-packed files, policy documents without a kind, YAML 1.1 gaps.

Each case writes its input into ``tmp_path`` and runs ``incentive-lint check`` in its own process
under a hang guard (a timeout) and an address-space limit (``RLIMIT_AS``): the guards only catch a
runaway (the quadratic and unbounded cases these tests were written for took 7-23 s or 1-2 GB);
the 1 s / 200 MB bound is measured by ``bench/hostile.py``, never asserted on here.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from incentive_lint.read.documents import MAX_DOCUMENTS, MAX_FILE_BYTES, MAX_FINDINGS, Limits
from incentive_lint.read.parse import parse_text
from incentive_lint.run import LintOptions, lint

PLAN = "kind: IncentivePlan\nschema: incentive-lint/v1\nid: ip-test\n"
HANG_GUARD_S = 30
MEMORY_GUARD = 1 << 30  # address space; a run of the tool needs well under half of it


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_GUARD, MEMORY_GUARD))


def check(folder: Path, *paths: str, config: str | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(exit code, findings) of ``check`` on ``paths`` in ``folder``, in a guarded child process."""
    (folder / ".git").mkdir(exist_ok=True)  # the configuration is not looked for above this folder
    if config is not None:
        (folder / ".incentive-lint.yaml").write_text(config)
    proc = subprocess.run([sys.executable, "-m", "incentive_lint", "check", *paths, "--format", "json"],
                          cwd=folder, capture_output=True, timeout=HANG_GUARD_S, preexec_fn=_limit_memory)
    err = proc.stderr.decode(errors="replace")
    assert "Traceback" not in err, err
    assert proc.returncode in (0, 1), err
    return proc.returncode, json.loads(proc.stdout)["findings"]


def rules_at(findings: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(f["rule"], f["start_line"]) for f in findings]


def assert_capped(findings: list[dict[str, Any]], rule: str, limit: int, hidden: int) -> None:
    """``limit`` findings of ``rule`` and one last ``too-complex`` finding counting the rest."""
    assert sum(f["rule"] == rule for f in findings) == limit
    more = [f for f in findings if f["rule"] == "too-complex"]
    assert len(more) == 1
    assert f"and {hidden:,} more finding(s) in this file were not shown" in more[0]["message"]


# --------------------------------------------------------------------------- many problems in one file


def test_many_syntax_errors_are_read_in_one_pass_and_capped(tmp_path: Path) -> None:
    unit = "---\nkey: [unclosed\n"
    count = 72 * 1024 // len(unit)
    (tmp_path / "broken.yaml").write_text(unit * count)
    code, findings = check(tmp_path, "broken.yaml")
    assert code == 1
    syntax = [f for f in findings if f["rule"] == "yaml-syntax"]
    # every broken document is reported once, in file order, where YAML sees the '[' is not closed
    # (the next '---')
    assert [f["start_line"] for f in syntax[:3]] == [3, 5, 7]
    assert_capped(findings, "yaml-syntax", MAX_FINDINGS, count - MAX_FINDINGS)


def test_a_document_after_a_broken_one_is_positioned_in_the_whole_file(tmp_path: Path) -> None:
    # the later documents are composed from their own slice of the text: positions must still
    # count from the start of the file
    (tmp_path / "plans.yaml").write_text("title: [\n---\n" + PLAN + "stauts: active\n---\n" + PLAN
                                         + "title: x\ntitle: y\n")
    _, findings = check(tmp_path, "plans.yaml")
    assert sorted(rules_at(findings)) == [("duplicate-key", 12), ("schema-violation", 6), ("yaml-syntax", 2)]


def test_many_unknown_fields_are_positioned_by_index_and_capped(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN + "".join(f"field{i}: 1\n" for i in range(20_000)))
    _, findings = check(tmp_path, "plan.yaml")
    violations = [f for f in findings if f["rule"] == "schema-violation"]
    assert violations[0]["start_line"] == 4 and "'field0' is not a field here" in violations[0]["message"]
    assert len({f["start_line"] for f in violations}) == MAX_FINDINGS  # each at its own line
    assert_capped(findings, "schema-violation", MAX_FINDINGS, 20_000 - MAX_FINDINGS)


def test_many_ambiguous_values_are_matched_to_violations_by_path(tmp_path: Path) -> None:
    # each '010' is an ambiguous value and (as text in an unknown field) a schema violation at the
    # same path: the violation is not reported twice, and matching them is not pairwise
    (tmp_path / "plan.yaml").write_text(PLAN + "".join(f"code{i}: 010\n" for i in range(10_000)))
    _, findings = check(tmp_path, "plan.yaml")
    assert not [f for f in findings if f["rule"] == "schema-violation"]
    assert rules_at(findings)[0] == ("ambiguous-value", 4)
    assert_capped(findings, "ambiguous-value", MAX_FINDINGS, 10_000 - MAX_FINDINGS)


def test_the_findings_cap_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN + "".join(f"code{i}: 010\n" for i in range(5)))
    _, findings = check(tmp_path, "plan.yaml", config="limits:\n  max_findings: 3\n")
    assert sorted(rules_at(findings)) == [("ambiguous-value", 4), ("ambiguous-value", 5), ("ambiguous-value", 6),
                                          ("too-complex", 6)]
    more = [f for f in findings if f["rule"] == "too-complex"]
    assert "and 2 more finding(s)" in more[0]["message"]


# --------------------------------------------------------------------------- large files


def test_a_file_over_the_size_cap_is_refused_naming_size_and_limit(tmp_path: Path) -> None:
    padding = "".join(f"  x-note-{i}: padding padding padding padding\n" for i in range(40_000))
    text = PLAN + "x-terms:\n" + padding
    assert MAX_FILE_BYTES < len(text) < 4 * MAX_FILE_BYTES
    (tmp_path / "plan.yaml").write_text(text)
    _, findings = check(tmp_path, "plan.yaml")
    assert rules_at(findings) == [("file-refused", 1)]
    message = findings[0]["message"]
    assert "is 1.8 MB, larger than the 1 MB" in message and "max_file_size" in message


def test_the_size_cap_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN + "x-terms:\n" + "".join(f"  x-{i}: padding\n" for i in range(100)))
    config = "select: [input]\nlimits:\n  max_file_size: 1000\n"
    _, findings = check(tmp_path, "plan.yaml", config=config)
    assert rules_at(findings) == [("file-refused", 1)]
    assert "larger than the 1 KB" in findings[0]["message"]
    _, findings = check(tmp_path, "plan.yaml", config="select: [input]\nlimits:\n  max_file_size: 100000\n")
    assert findings == []


def test_a_bad_limit_in_the_configuration_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".incentive-lint.yaml").write_text("limits:\n  max_file_size: lots\n")
    proc = subprocess.run([sys.executable, "-m", "incentive_lint", "check", "plan.yaml"], cwd=tmp_path,
                          capture_output=True, timeout=HANG_GUARD_S, preexec_fn=_limit_memory)
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert b"max_file_size" in proc.stderr + proc.stdout


def test_a_file_packed_with_tiny_values_is_not_composed(tmp_path: Path) -> None:
    items = (MAX_FILE_BYTES - 200) // 2
    (tmp_path / "plan.yaml").write_text(PLAN + "x-list: [" + "1," * items + "1]\n")
    _, findings = check(tmp_path, "plan.yaml")
    assert rules_at(findings) == [("too-complex", 1)]
    assert "values" in findings[0]["message"] and "split it" in findings[0]["message"]


def test_documents_past_the_cap_are_counted_not_read(tmp_path: Path) -> None:
    count = MAX_DOCUMENTS + 500
    (tmp_path / "many.yaml").write_text("---\nx: 1\n" * count)
    _, findings = check(tmp_path, "many.yaml")
    cut_line = 2 * MAX_DOCUMENTS + 1  # the '---' of the first document not read
    assert rules_at(findings) == [("too-complex", cut_line)]
    assert f"about {count:,}" in findings[0]["message"]


def test_the_document_cap_is_configurable_and_a_kept_document_is_still_checked(tmp_path: Path) -> None:
    docs = ["---\n" + PLAN.replace("ip-test", f"ip-{i}") + ("stauts: active\n" if i == 1 else "")
            for i in range(8)]
    (tmp_path / "plans.yaml").write_text("".join(docs))
    _, findings = check(tmp_path, "plans.yaml", config="select: [input]\nlimits:\n  max_documents: 5\n")
    assert rules_at(findings) == [("schema-violation", 9), ("too-complex", 22)]
    assert "about 8" in findings[1]["message"]


def test_a_million_tiny_documents_are_refused_by_size(tmp_path: Path) -> None:
    (tmp_path / "many.yaml").write_text("---\nx: 1\n" * 1_000_000)
    _, findings = check(tmp_path, "many.yaml")
    assert rules_at(findings) == [("file-refused", 1)]


# --------------------------------------------------------------------------- documents that would be skipped


@pytest.mark.parametrize("text,expected,words", [
    ("schema: incentive-lint/v1\nid: ip-a\n", [("schema-violation", 1)], "no 'kind'"),
    ("knd: IncentivePlan\nschema: incentive-lint/v1\nid: ip-a\n", [("schema-violation", 1)],
     "the key 'knd' looks like 'kind'"),
    ("schema: incentive-lint/v1\nid: ip-a\nKind: IncentivePlan\n", [("schema-violation", 3)],
     "the key 'Kind' looks like 'kind'"),
    ("schema: incentive-lint/v1\nkind: [IncentivePlan]\nid: ip-a\n", [("schema-violation", 2)],
     "'kind' must be the name of a document kind"),
    ("# plans\n- " + PLAN.replace("\n", "\n  ").rstrip() + "\n", [("schema-violation", 2)],
     "write each document as its own YAML document separated by '---'"),
], ids=["no-kind", "knd", "Kind", "kind-not-text", "list-of-documents"])
def test_a_policy_document_without_a_kind_is_an_error(tmp_path: Path, text: str, expected: list[tuple[str, int]],
                                                      words: str) -> None:
    (tmp_path / "plan.yaml").write_text(text)
    code, findings = check(tmp_path, "plan.yaml")
    assert code == 1
    assert rules_at(findings) == expected
    assert words in findings[0]["message"]


@pytest.mark.parametrize("text", [
    "- a\n- b\n",
    "stages: [test]\nid: build\n",
    "- {name: x, id: y}\n",
    "schema: https://json-schema.org/draft-07/schema\nid: other\n",
])
def test_yaml_that_is_not_ours_stays_silent(tmp_path: Path, text: str) -> None:
    (tmp_path / "other.yaml").write_text(text)
    result, ws = lint(LintOptions(paths=[tmp_path], cwd=tmp_path, use_config=False, select=["input"]))
    assert result.findings == ()
    assert ws.files_skipped == 1


# --------------------------------------------------------------------------- YAML 1.1 gaps


def test_exponents_without_a_dot_or_sign_are_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN + "target_incentive: 1e6\nx-a: 1.5e3\nx-b: 1.5e+3\nx-c: !!float 1e6\n"
                                        "x-d: '1e6'\n")
    _, findings = check(tmp_path, "plan.yaml")
    assert rules_at(findings) == [("ambiguous-value", 4), ("ambiguous-value", 5)]
    assert "1000000" in findings[0]["message"] and "1500" in findings[1]["message"]


def test_tags_on_values_they_do_not_fit_are_invalid_values(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN + "last_reviewed: !!timestamp next-monday\n"
                                        "target_incentive: !!int abc\nx-a: !!float x\nx-b: !!null x\n"
                                        "x-c: !!timestamp 2025-01-01T10:00:00Z\n")
    _, findings = check(tmp_path, "plan.yaml")
    assert rules_at(findings) == [("invalid-value", 4), ("invalid-value", 5), ("invalid-value", 6),
                                  ("invalid-value", 7)]
    assert "'next-monday' is tagged !!timestamp but is not a date" in findings[0]["message"]


# --------------------------------------------------------------------------- the reader's own bounds


def test_limits_from_the_configuration() -> None:
    assert Limits.from_config(None) == Limits()
    raised = Limits.from_config({"max_file_size": 4 * MAX_FILE_BYTES, "max_documents": 7})
    assert (raised.max_file_size, raised.max_documents, raised.max_findings) == (4 * MAX_FILE_BYTES, 7, MAX_FINDINGS)
    assert raised.max_values == 4 * Limits().max_values  # a larger file may hold proportionally more
    assert Limits.from_config({"max_file_size": 4 * MAX_FILE_BYTES, "max_values": 10}).max_values == 10


def test_comments_before_the_first_separator_do_not_count_as_a_document() -> None:
    limits = Limits(max_documents=2)
    assert not parse_text("# head\n---\na: 1\n---\nb: 2\n", "f.yaml", limits).issues
    cut = parse_text("a: 0\n---\na: 1\n---\nb: 2\n", "f.yaml", limits)
    assert [(i.rule, i.span.start.line) for i in cut.issues] == [("too-complex", 4)]
    assert [d.data for d in cut.documents] == [{"a": 0}, {"a": 1}]
