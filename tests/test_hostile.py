"""The hostile corpus: every case gives exactly its reading-stage findings, never a
traceback; in one batch run every other file is still reported; each case is decided
in its own process within bounded memory (a hang guard, not a timing assertion)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incentive_lint.run import LintOptions, lint

from .hostile_corpus import CASES, Case

READING_RULES = {"yaml-syntax", "duplicate-key", "ambiguous-value", "not-utf8", "invalid-value", "unsupported-tag",
                 "too-complex", "file-refused", "unknown-kind"}


#: Runs the command given after the result file's path and writes "exit code, peak KB" to that
#: file. On Linux a child's ru_maxrss starts from the memory of the process that forked it (the
#: old address space's high-water mark is kept across exec), so a child started straight from a
#: pytest process that has grown to 200 MB would be charged for it; this small launcher stands
#: between them, so the figure is the checking process's own.
LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run_measured(cmd: list[str], cwd: Path, stdout, stderr, timeout: float) -> tuple[int, int]:
    """(exit code, peak memory in KB) of ``cmd``; kills it after ``timeout`` seconds."""
    result = cwd / "rusage.txt"
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(result), *cmd], cwd=cwd, stdout=stdout,
                            stderr=stderr, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
        pytest.fail("did not finish")
    code, peak = result.read_text().split()
    return int(code), int(peak)


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
        assert c.accepts(reading_findings(result, c.name)), c.name


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_case_in_own_process(tmp_path: Path, c: Case) -> None:
    path = tmp_path / c.name
    path.write_bytes(c.data)
    out_path, err_path = tmp_path / "out.json", tmp_path / "err.txt"
    with open(out_path, "wb") as out_file, open(err_path, "wb") as err_file:
        code, peak = run_measured([sys.executable, "-m", "incentive_lint", "check", c.name, "--format", "json",
                                   "--fail-on", "never", "--allow-empty"],  # a case may hold no policy document
                                  tmp_path, out_file, err_file, timeout=20)  # a hang guard; speed is in bench/
    out, err = out_path.read_bytes(), err_path.read_bytes()
    assert code == 0, err.decode()
    assert b"Traceback" not in err
    found = {(f["rule"], f["start_line"]) for f in json.loads(out)["findings"] if f["rule"] in READING_RULES}
    assert c.accepts(found)
    assert peak < 200 * 1024, f"{c.name} used {peak // 1024} MB"


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
