"""The hostile corpus: every case gives exactly its reading-stage findings, never a
traceback; in one batch run every other file is still reported; each case is decided
in its own process within bounded memory (a hang guard, not a timing assertion)."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from incentive_lint.lint import LintOptions, lint

from .hostile_corpus import CASES, Case

READING_RULES = {"yaml-syntax", "duplicate-key", "ambiguous-value", "not-utf8", "invalid-value", "unsupported-tag",
                 "too-complex", "file-refused", "unknown-kind"}


def write_corpus(folder: Path) -> None:
    for c in CASES:
        (folder / c.name).write_bytes(c.data)


def reading_findings(result, name: str) -> set[tuple[str, int]]:
    return {(f.rule, f.span.start.line) for f in result.findings
            if f.span.file.endswith("/" + name) or f.span.file == name
            if f.rule in READING_RULES}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


def test_batch_reports_every_case(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    result, _ = lint(LintOptions(paths=[tmp_path], cwd=tmp_path, use_config=False, select=["input"]))
    for c in CASES:
        assert reading_findings(result, c.name) == set(c.expect), c.name


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_case_in_own_process(tmp_path: Path, c: Case) -> None:
    path = tmp_path / c.name
    path.write_bytes(c.data)
    proc = subprocess.Popen([sys.executable, "-m", "incentive_lint", "check", c.name, "--format", "json",
                             "--fail-on", "never"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=20)  # a hang guard; speed is measured in bench/
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"{c.name} did not finish")
    assert proc.returncode == 0, err.decode()
    assert b"Traceback" not in err
    found = {(f["rule"], f["start_line"]) for f in json.loads(out)["findings"] if f["rule"] in READING_RULES}
    assert found == set(c.expect)
    # ru_maxrss of waited children is the largest child so far (KB on Linux).
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 200 * 1024


def test_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "ok.yaml").write_text("kind: Org\nschema: incentive-lint/v1\nid: o\n")
    result, _ = lint(LintOptions(paths=[tmp_path], cwd=tmp_path, use_config=False, select=["input"]))
    assert [(f.rule, f.span.file) for f in result.findings] == [("file-refused", "pipe.yaml")]


def test_link_outside_root_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: Org\nschema: incentive-lint/v1\nid: secret\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link.yaml").symlink_to(outside)
    (repo / "inner.yaml").write_text("kind: Org\nschema: incentive-lint/v1\nid: o\n")
    (repo / "inner-link.yaml").symlink_to(repo / "inner.yaml")
    result, ws = lint(LintOptions(paths=[repo], cwd=repo, use_config=False, select=["input"]))
    assert [(f.rule, f.span.file) for f in result.findings] == [("file-refused", "link.yaml")]
    assert "secret" not in ws.model.orgs


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: costs no disk
    result, _ = lint(LintOptions(paths=[tmp_path], cwd=tmp_path, use_config=False, select=["input"]))
    assert [(f.rule, f.span.file) for f in result.findings] == [("file-refused", "big.yaml")]
