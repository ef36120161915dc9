"""Baselines keyed on fingerprint and file: moved lines change nothing, new findings are reported."""
from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from ci_helpers import AS_OF, edit

from incentive_lint.gate.baseline import BASELINE_NAME, key, split
from incentive_lint.base.findings import Finding, Severity
from incentive_lint.base.source import Span

SALES = "plans/sales-2025.yaml"


def write_baseline(cli, repo: Path) -> Path:
    run = cli(["baseline", "--as-of", AS_OF], repo)
    assert run.code == 0, run.err
    assert "wrote" in run.err
    return repo / BASELINE_NAME


def check(cli, repo: Path, *extra: str):
    run = cli(["check", "--baseline", BASELINE_NAME, "--as-of", AS_OF, "--format", "json", *extra], repo)
    return run, json.loads(run.out)


def test_baseline_file_is_readable_yaml_without_lines(repo: Path, cli) -> None:
    path = write_baseline(cli, repo)
    text = path.read_text()
    assert text.startswith("# incentive-lint baseline")
    data = yaml.safe_load(text)
    assert data["version"] == 1 and data["findings"]
    entry = data["findings"][0]
    assert set(entry) == {"rule", "fingerprint", "path", "entities", "message"}
    assert all(set(e) == set(entry) for e in data["findings"])  # no line numbers anywhere
    assert not Path(entry["path"]).is_absolute()


def test_unchanged_repository_reports_nothing(repo: Path, cli) -> None:
    write_baseline(cli, repo)
    run, data = check(cli, repo)
    assert run.code == 0
    assert data["findings"] == [] and data["summary"]["suppressed"] > 0
    assert "no longer match" not in run.err


def test_moving_lines_of_a_plan_reports_nothing(repo: Path, cli) -> None:
    write_baseline(cli, repo)
    path = repo / SALES
    lines = path.read_text().split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("components:"))
    components = lines[start + 1:]
    units, rest = components[:2], components[2:]
    # a comment block at the top, the header keys reordered, and the volume component moved last
    header = lines[1:start]
    header = header[6:] + header[:6]
    moved = ["# Reviewed by Reward on 2025-02-10.", "", "# (layout only)", lines[0], *header, "components:",
             *[r for r in rest if r], *units, ""]
    path.write_text("\n".join(moved))
    run, data = check(cli, repo)
    assert data["findings"] == [], data["findings"]
    assert run.code == 0


def test_volume_component_in_another_plan_is_exactly_one_new_finding(repo: Path, cli) -> None:
    write_baseline(cli, repo)
    edit(repo / "plans" / "exec-2025.yaml", "  - {id: otif, kpi: otif, weight: 20, cap: 150}",
         "  - {id: volume, kpi: units-shipped, weight: 20, cap: 150}")
    run, data = check(cli, repo)
    assert [(f["rule"], f["file"], f["start_line"]) for f in data["findings"]] == [
        ("pays-on-deprioritized-driver", "plans/exec-2025.yaml", 17)]
    assert "ip-exec-2025" in data["findings"][0]["entities"]
    assert run.code == 1


def test_a_copied_plan_in_a_new_file_is_not_absorbed(repo: Path, cli) -> None:
    write_baseline(cli, repo)
    shutil.copy(repo / SALES, repo / "plans" / "sales-emea-2025.yaml")
    edit(repo / "plans" / "sales-emea-2025.yaml", "id: ip-sales-2025", "id: ip-sales-emea-2025")
    _, data = check(cli, repo)
    files = {f["file"] for f in data["findings"]}
    assert "plans/sales-emea-2025.yaml" in files
    assert SALES not in files


def _finding(file: str, fp: str = "f" * 32) -> Finding:
    return Finding(span=Span.at(file, 3), rule="r", code="X1", family="clarity", severity=Severity.ERROR,
                   message="m", fingerprint=fp)


def test_same_fingerprint_in_another_file_is_new() -> None:
    known = Counter([key(_finding("plans/a.yaml"))])
    new, accepted, stale = split([_finding("plans/b.yaml")], known, "n")
    assert [f.span.file for f in new] == ["plans/b.yaml"] and accepted == [] and stale == 1


def test_keys_are_counted() -> None:
    one = _finding("plans/a.yaml")
    new, accepted, _ = split([one, dataclasses.replace(one, span=Span.at("plans/a.yaml", 9))],
                             Counter([key(one)]), "accepted")
    assert len(new) == 1 and len(accepted) == 1 and accepted[0].note == "accepted"


def test_moved_line_keeps_the_key() -> None:
    assert key(_finding("p.yaml")) == key(dataclasses.replace(_finding("p.yaml"), span=Span.at("p.yaml", 40)))


@pytest.mark.parametrize("text,words", [
    ("findings: 3\n", "not an incentive-lint baseline"),
    ("version: 1\nfindings:\n  - {rule: x}\n", ":3:5: each baseline entry needs 'fingerprint' and 'path'"),
    ("version: 7\nfindings: []\n", "baseline version 7 is not supported"),
    ("version: 1\nfindings: [\n", "x.yaml:"),
])
def test_broken_baseline_is_exit_2_naming_the_file(repo: Path, cli, text: str, words: str) -> None:
    (repo / "x.yaml").write_text(text)
    run = cli(["check", "--baseline", "x.yaml"], repo)
    assert run.code == 2 and words in run.err and run.err.count("\n") == 1


def test_stale_entries_are_mentioned(repo: Path, cli) -> None:
    write_baseline(cli, repo)
    # 36 months: the lookback must cover the 36 months in which the booked value is realised.
    edit(repo / SALES, "clawback: none", "clawback: {triggers: [cancellation], lookback_months: 36}")
    run, data = check(cli, repo)
    assert data["findings"] == []
    assert "baseline entries in .incentive-lint-baseline.yaml no longer match a finding" in run.err
    assert "refresh it with 'incentive-lint baseline --output .incentive-lint-baseline.yaml'" in run.err


def test_missing_baseline_says_how_to_write_it(repo: Path, cli) -> None:
    run = cli(["check", "--baseline", "nope.yaml"], repo)
    assert run.code == 2 and "incentive-lint baseline --output nope.yaml" in run.err


def test_baseline_to_stdout(repo: Path, cli) -> None:
    run = cli(["baseline", "--output", "-", "--as-of", AS_OF], repo)
    assert run.code == 0 and yaml.safe_load(run.out)["findings"]
    assert not (repo / BASELINE_NAME).exists()
