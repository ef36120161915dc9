"""Exceptions: inline comments and the register, with a reason and an end date, failing closed."""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
from pathlib import Path

import pytest
from ci_helpers import AS_OF, edit

from incentive_lint.base.findings import flatten
from incentive_lint.run import LintOptions, lint

SALES = "plans/sales-2025.yaml"
RULE = "pays-on-deprioritized-driver"
UNITS = "  - {id: units, kpi: units-shipped, weight: 65,"
REASON = "Billing platform selection closes Q2"
COMMENT = f'  # incentive-lint: ignore[{RULE}] reason="{REASON}" until=2025-06-30 owner="Head of Reward"\n'


def run_lint(repo: Path, as_of: str = AS_OF, exceptions: bool = True):
    return lint(LintOptions(as_of=_dt.date.fromisoformat(as_of), cwd=repo, exceptions=exceptions))


def on_sales(findings, rule: str = RULE):
    return [f for f in findings if f.rule == rule and f.span.file == SALES]


def add_comment(repo: Path, comment: str = COMMENT) -> None:
    edit(repo / SALES, UNITS, comment + UNITS)


def write_register(repo: Path, text: str, name: str = "exceptions.yaml") -> None:
    (repo / name).write_text(text, encoding="utf-8")


REGISTER = f"""\
- rule: {RULE}
  target: ip-sales-2025
  reason: {REASON}
  owner: Head of Reward
  approved_by: Remuneration Committee 2025-01-14
  until: 2025-06-30
  ticket: REM-112
"""


# --------------------------------------------------------------------------- inline


def test_inline_exception_on_the_line_above_suppresses_with_a_note(repo: Path) -> None:
    before, _ = run_lint(repo)
    assert len(on_sales(before.findings)) == 1
    add_comment(repo)
    result, ws = run_lint(repo)
    assert on_sales(result.findings) == []
    [accepted] = on_sales(result.suppressed)
    assert accepted.note.startswith(f"accepted by the exception at {SALES}:20 until 2025-06-30, owner Head of Reward")
    assert REASON in accepted.note
    assert not [f for f in result.findings if f.rule in ("unused-exception", "invalid-exception")]
    # other rules on the same line are not accepted (the accepted cause's consequences are
    # reported as problems of their own: count every finding, folded or not)
    assert len(flatten(result.findings)) == len(flatten(before.findings)) - 1
    assert [e.status(_dt.date(2025, 3, 1)) for e in ws.exceptions] == ["active"]


def test_expired_exception_re_raises_the_finding_with_the_reason(repo: Path, cli) -> None:
    add_comment(repo)
    result, _ = run_lint(repo, as_of="2025-07-01")
    [finding] = on_sales(result.findings)
    assert finding.note.startswith(f"exception expired on 2025-06-30: {REASON} ({SALES}:20)")
    assert not on_sales(result.suppressed)
    run = cli(["check", "--as-of", "2025-07-01"], repo)
    assert f"    note: exception expired on 2025-06-30: {REASON}" in run.out
    assert run.code == 1


def test_until_is_the_last_day_the_exception_applies(repo: Path) -> None:
    add_comment(repo)
    result, _ = run_lint(repo, as_of="2025-06-30")
    assert on_sales(result.findings) == [] and on_sales(result.suppressed)


def test_trailing_comment_and_rule_code_work_too(repo: Path) -> None:
    edit(repo / SALES, "  - {id: units, kpi: units-shipped, weight: 65, target: {basis: last-year-actual, uplift_pct: 5}, threshold: 50,",
         "  - {id: units, kpi: units-shipped, weight: 65, target: {basis: last-year-actual, uplift_pct: 5}, threshold: 50,"
         '  # incentive-lint: ignore[EN01, upside-asymmetry] reason="Phase-out \\"agreed\\" in 2024" until=2025-12-31')
    result, ws = run_lint(repo)
    assert on_sales(result.findings) == [] and on_sales(result.findings, "upside-asymmetry") == []
    assert ws.exceptions[0].reason == 'Phase-out "agreed" in 2024'
    assert ws.exceptions[0].rules == (RULE, "upside-asymmetry")


@pytest.mark.parametrize("comment,problem", [
    (f"  # incentive-lint: ignore[{RULE}] until=2025-06-30\n", "it has no reason"),
    (f'  # incentive-lint: ignore[{RULE}] reason="x"\n', "it has no end date"),
    (f'  # incentive-lint: ignore[{RULE}] reason="x" until=30.06.2025\n', "until=30.06.2025 is not a date"),
    (f'  # incentive-lint: ignore[{RULE}] reason="x" until=2025-06-30 expires=2025-01-01\n', "unknown key 'expires'"),
    ('  # incentive-lint: ignore[engagement] reason="x" until=2025-06-30\n', "is a family of rules"),
    ('  # incentive-lint: ignore[pays-on-deprioritised-driver] reason="x" until=2025-06-30\n',
     f"did you mean '{RULE}'?"),
    ('  # incentive-lint: ignore[unused-exception] reason="x" until=2025-06-30\n', "cannot be accepted by an exception"),
    ('  # incentive-lint: ignore reason="x" until=2025-06-30\n', "is not an exception comment"),
    ('  # incentive-lint: ignore[] reason="x" until=2025-06-30\n', "names no rule"),
])
def test_malformed_exception_fails_closed_and_is_reported(repo: Path, comment: str, problem: str) -> None:
    add_comment(repo, comment)
    result, _ = run_lint(repo)
    invalid = [f for f in result.findings if f.rule == "invalid-exception"]
    assert len(invalid) == 1 and problem in invalid[0].message
    assert (invalid[0].span.file, invalid[0].span.start.line, invalid[0].span.start.column) == (SALES, 20, 3)
    [still] = on_sales(result.findings)  # nothing is suppressed
    if "[" + RULE + "]" in comment:
        assert still.note.startswith(f"the exception at {SALES}:20 does not apply because it is invalid")


def test_unused_inline_exception_is_reported(repo: Path) -> None:
    edit(repo / "plans" / "exec-2025.yaml", "  - {id: otif,",
         '  # incentive-lint: ignore[pays-on-deprioritized-driver] reason="x" until=2025-12-31\n  - {id: otif,')
    result, _ = run_lint(repo)
    [unused] = [f for f in result.findings if f.rule == "unused-exception"]
    assert unused.span.file == "plans/exec-2025.yaml" and unused.span.start.line == 17
    assert "matches no finding on line 18; remove the comment" in unused.message


def test_no_exceptions_shows_everything(repo: Path, cli) -> None:
    add_comment(repo)
    add_comment(repo, '  # incentive-lint: ignore[nonsense] until=2\n')
    plain, _ = run_lint(repo, exceptions=False)
    assert on_sales(plain.findings) and plain.suppressed == ()
    assert not [f for f in plain.findings if f.family == "input"]
    run = cli(["check", "--no-exceptions", "--as-of", AS_OF, "-q"], repo)
    assert f"{SALES}:22:45 error {RULE}" in run.out


# --------------------------------------------------------------------------- register


def test_register_entry_by_entity_suppresses(repo: Path) -> None:
    write_register(repo, REGISTER)
    result, ws = run_lint(repo)
    assert on_sales(result.findings) == []
    [accepted] = on_sales(result.suppressed)
    assert accepted.note.startswith("accepted by the exception at exceptions.yaml:1 until 2025-06-30")
    # the other plan paying on a deprioritised driver is not covered
    assert [f.span.file for f in result.findings if f.rule == RULE] == ["plans/service-2024.yaml"]
    assert ws.exceptions[0].approved_by == "Remuneration Committee 2025-01-14"


@pytest.mark.parametrize("target", ["fingerprint", SALES])
def test_register_entry_by_fingerprint_or_file(repo: Path, target: str) -> None:
    before, _ = run_lint(repo)
    value = on_sales(before.findings)[0].fingerprint if target == "fingerprint" else target
    write_register(repo, REGISTER.replace("target: ip-sales-2025", f"target: {value}"))
    result, _ = run_lint(repo)
    assert on_sales(result.findings) == [] and len(on_sales(result.suppressed)) == 1


def test_expired_register_entry_re_raises_with_reason(repo: Path) -> None:
    write_register(repo, REGISTER)
    result, _ = run_lint(repo, as_of="2025-07-01")
    [finding] = on_sales(result.findings)
    assert finding.note.startswith(f"exception expired on 2025-06-30: {REASON} (exceptions.yaml:1)")


def test_register_entry_missing_fields_is_invalid(repo: Path) -> None:
    write_register(repo, REGISTER.replace("  owner: Head of Reward\n", "").replace("  reason:", "  reasn:"))
    result, _ = run_lint(repo)
    [invalid] = [f for f in result.findings if f.rule == "invalid-exception"]
    assert invalid.span.file == "exceptions.yaml" and invalid.span.start.line == 1
    assert "unknown key 'reasn'; did you mean 'reason'?" in invalid.message
    assert "'owner' is missing or empty" in invalid.message
    assert on_sales(result.findings)  # fail closed


@pytest.mark.parametrize("text,words", [
    ("rule: x\n", "must be one YAML list"),
    ("- rule: x\n  target: [\n", "cannot be read"),
])
def test_broken_register_is_an_invalid_exception_finding(repo: Path, text: str, words: str) -> None:
    write_register(repo, text)
    result, _ = run_lint(repo)
    invalid = [f for f in result.findings if f.rule == "invalid-exception"]
    assert invalid and words in invalid[0].message and "no exception of this register applies" in invalid[0].message


def test_unused_register_entry_is_reported(repo: Path) -> None:
    write_register(repo, REGISTER.replace("target: ip-sales-2025", "target: ip-sales-2026"))
    result, _ = run_lint(repo)
    [unused] = [f for f in result.findings if f.rule == "unused-exception"]
    assert unused.span.file == "exceptions.yaml" and "'ip-sales-2026'" in unused.message


def test_configured_register_path(repo: Path, cli) -> None:
    (repo / "governance").mkdir()
    write_register(repo, REGISTER, "governance/accepted.yaml")
    (repo / ".incentive-lint.yaml").write_text("exceptions: governance/accepted.yaml\n")
    result, _ = run_lint(repo)
    assert on_sales(result.findings) == []
    (repo / ".incentive-lint.yaml").write_text("\nexceptions: governance/missing.yaml\n")
    run = cli(["check"], repo)
    assert run.code == 2 and ".incentive-lint.yaml:2:1" in run.err and "governance/missing.yaml" in run.err


def test_a_policy_document_named_exceptions_yaml_is_not_a_register(repo: Path) -> None:
    (repo / "exceptions.yaml").write_text((repo / "plans" / "exec-2025.yaml").read_text().replace(
        "ip-exec-2025", "ip-exec-2025-copy"))
    result, ws = run_lint(repo)
    assert ws.exceptions == [] and not [f for f in result.findings if f.rule == "invalid-exception"]


# --------------------------------------------------------------------------- the exceptions command


def test_exceptions_command_lists_owners_and_expiry(repo: Path, cli) -> None:
    write_register(repo, REGISTER)
    add_comment(repo, '  # incentive-lint: ignore[upside-asymmetry] reason="Phase-out agreed" until=2025-01-31\n')
    run = cli(["exceptions", "--as-of", AS_OF], repo)
    assert run.code == 0
    assert "Head of Reward" in run.out and "Remuneration Committee 2025-01-14" in run.out
    assert "2 exception(s) as of 2025-03-01: 1 active, 1 expired." in run.out
    assert run.out.index("expired") < run.out.index("active")

    data = json.loads(cli(["exceptions", "--as-of", AS_OF, "--format", "json"], repo).out)
    by_status = {row["status"]: row for row in data["exceptions"]}
    assert by_status["active"]["until"] == "2025-06-30" and by_status["active"]["days_left"] == 121
    assert by_status["active"]["findings_accepted"] == 1 and by_status["active"]["ticket"] == "REM-112"
    assert by_status["expired"]["applies_to"] == f"{SALES}:21" and by_status["expired"]["source"] == "inline"

    rows = list(csv.DictReader(io.StringIO(cli(["exceptions", "--as-of", AS_OF, "--format", "csv"], repo).out)))
    assert {r["owner"] for r in rows} == {"Head of Reward", ""} and rows[0]["status"] == "expired"


def test_exceptions_command_neutralises_spreadsheet_formulas(repo: Path, cli) -> None:
    write_register(repo, REGISTER.replace(f"reason: {REASON}", "reason: '=HYPERLINK(\"http://x\")'"))
    rows = list(csv.DictReader(io.StringIO(cli(["exceptions", "--format", "csv", "--as-of", AS_OF], repo).out)))
    assert rows[0]["reason"].startswith("'=")


def test_exceptions_command_without_exceptions(repo: Path, cli) -> None:
    run = cli(["exceptions", "--as-of", AS_OF], repo)
    assert run.code == 0 and run.out == "No exceptions (as of 2025-03-01).\n"
