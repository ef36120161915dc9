"""Page one, the audit footer and ``report --redact``."""
from __future__ import annotations

from incentive_lint.outputs.report.audit import NOT_A_REPOSITORY, generated_at, repository_commit
from incentive_lint.outputs.report.run import ReportOptions, build_report, render

from .conftest import AS_OF, ROOT


def test_page_one_lists_causes_by_pay_at_stake(manufacturer) -> None:
    causes = manufacturer[2].causes
    assert causes and all(c.finding.severity.label == "error" for c in causes)
    assert causes[0].finding.rule == "credit-excludes-strategic-offer" and causes[0].at_stake == 4_000_000
    amounts = [c.at_stake for c in causes]
    assert amounts == sorted(amounts, reverse=True)
    assert all(c.finding.rule != "incentive-strategy-divergence" for c in causes)


def test_timestamp_only_when_asked(monkeypatch) -> None:
    assert generated_at(False, {}) == ""
    assert generated_at(False, {"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01 00:00:00 UTC"
    assert generated_at(True, {}).endswith("UTC")


def test_commit_outside_git(tmp_path) -> None:
    assert repository_commit([tmp_path], tmp_path) == (NOT_A_REPOSITORY, False)


def test_footer_names_the_commit_and_redact_hides_amounts(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    options = ReportOptions(paths=[ROOT / "examples" / "manufacturer"], format="html", as_of=AS_OF, cwd=ROOT)
    report = build_report(options)
    assert report.audit is not None and len(report.audit.commit) in (40, len(NOT_A_REPOSITORY))
    plain = render(options)
    assert "Policy repository commit" in plain and "EUR 4,000,000" in plain and "Generated" not in plain
    for fmt in ("html", "markdown", "text"):
        hidden = render(ReportOptions(paths=options.paths, format=fmt, as_of=AS_OF, cwd=ROOT, redact=True))
        assert "4,000,000" not in hidden and "5,190,000" not in hidden, fmt
        assert "Account Manager Plan 2025" not in hidden and "p-uptime" in hidden, fmt
