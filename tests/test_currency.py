"""Money in several currencies: sums are taken in the reporting currency of a CurrencyRates
document at the rate in force on the as-of date, and an amount without a rate is reported
(missing-exchange-rate) and left out of the sums, never added unconverted.

The probe is the one a user found: the aligned example with the customer-success plan's
EUR 20,000 target restated as JPY 3,200,000.
"""
from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path

import pytest

from incentive_lint.base.findings import LintResult, Severity
from incentive_lint.engine.workspace import Workspace
from incentive_lint.outputs.formats import text as text_format
from incentive_lint.outputs.report import build
from incentive_lint.outputs.report import markdown as report_markdown
from incentive_lint.outputs.report import text as report_text
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)
PLAN = Path("plans") / "cs-2025.yaml"


def _rates(effective_from: str = "2025-01-01", rate: float = 0.00625, extra: str = "") -> str:
    return ("kind: CurrencyRates\nschema: incentive-lint/v1\nid: fx-2025\nowner: cfo\nstatus: approved\n"
            "reporting_currency: EUR\nrates:\n"
            f"  - {{currency: JPY, rate: {rate}, effective_from: {effective_from}}}\n{extra}")


def _repo(tmp_path: Path, yen: bool, rates: str | None = None) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "aligned", repo)
    if yen:
        plan = repo / PLAN
        text = plan.read_text(encoding="utf-8")
        assert "currency: EUR\n" in text and "target_incentive: 20000\n" in text
        plan.write_text(text.replace("currency: EUR\n", "currency: JPY\n")
                        .replace("target_incentive: 20000\n", "target_incentive: 3200000\n"), encoding="utf-8")
    if rates is not None:
        (repo / "finance").mkdir()
        (repo / "finance" / "fx-2025.yaml").write_text(rates, encoding="utf-8")
    return repo


def _lint(repo: Path) -> tuple[LintResult, Workspace]:
    return lint(LintOptions(paths=[repo], as_of=AS_OF, cwd=repo))


def _keys(result: LintResult) -> set[tuple[str, str, int]]:
    return {(f.rule, f.span.file, f.span.start.line) for f in result.findings}


def _currency_line(repo: Path) -> tuple[int, int]:
    lines = (repo / PLAN).read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines, start=1) if line.startswith("currency:"))
    return row, lines[row - 1].index("JPY") + 1


@pytest.fixture(scope="module")
def euro(tmp_path_factory: pytest.TempPathFactory) -> tuple[LintResult, Workspace]:
    return _lint(_repo(tmp_path_factory.mktemp("eur"), yen=False))


def test_single_currency_repository_is_unchanged(euro: tuple[LintResult, Workspace]) -> None:
    result, ws = euro
    assert ws.model.reporting_currency == "EUR"
    assert ws.model.currency_rates == {} and ws.model.rates_used() == ()
    assert not [f for f in result.findings if f.rule in ("missing-exchange-rate", "conflicting-exchange-rates")]
    assert "Exchange rates" not in text_format.render(result, ws.catalog.rules)
    report = build(result, ws)
    assert report.currency == "EUR" and report.rates == () and report.left_out == ()
    assert report.currency_notes() == []


def test_yen_plan_with_a_rate_gives_the_same_findings_and_divergence(
        tmp_path: Path, euro: tuple[LintResult, Workspace]) -> None:
    result, ws = _lint(_repo(tmp_path, yen=True, rates=_rates()))
    base_result, base_ws = euro
    assert _keys(result) == _keys(base_result)
    assert not [f for f in result.findings if f.rule == "strategic-priority-unrewarded"]
    d, base = ws.model.divergence(), base_ws.model.divergence()
    assert d is not None and base is not None
    assert d.score == pytest.approx(base.score, abs=1e-9)
    assert d.total_pay == pytest.approx(base.total_pay) and d.currency == "EUR" and d.left_out == ()
    heads = sum(ws.model.roles[r].headcount for r in ws.model.in_force()["ip-cs-2025"])
    assert ws.model.target_incentive("ip-cs-2025") == pytest.approx(3_200_000 * heads)  # its own currency
    assert ws.model.target_pay("ip-cs-2025") == pytest.approx(base_ws.model.target_pay("ip-cs-2025"))
    used = "1 JPY = 0.00625 EUR (fx-2025, from 2025-01-01)"
    assert ws.model.rates_used() == (used,)
    assert f"Exchange rates used: {used}." in text_format.render(result, ws.catalog.rules)
    report = build(result, ws)
    assert report.overall.score == pytest.approx(build(*euro).overall.score)
    for render in (report_text.render, report_markdown.render):
        assert used in render(report)


def test_missing_rate_is_one_error_at_the_plans_currency(tmp_path: Path, euro: tuple[LintResult, Workspace]) -> None:
    repo = _repo(tmp_path, yen=True)
    result, ws = _lint(repo)
    added = _keys(result) - _keys(euro[0])
    line, column = _currency_line(repo)
    heads = sum(ws.model.roles[r].headcount for r in ws.model.in_force()["ip-cs-2025"])
    yen = f"JPY {3_200_000 * heads:,}"
    assert added == {("missing-exchange-rate", str(PLAN.as_posix()), line)}
    assert _keys(euro[0]) <= _keys(result)
    [finding] = [f for f in result.findings if f.rule == "missing-exchange-rate"]
    assert finding.severity is Severity.ERROR and finding.span.start.column == column
    assert finding.message.startswith("no exchange rate from JPY to EUR in force on 2025-03-01; add it to a "
                                      "CurrencyRates document with reporting_currency EUR")
    assert f"its target pay of {yen} is left out of every total" in finding.message
    # Left out of the sums, never added as if yen were euros.
    d = ws.model.divergence()
    assert d is not None and [p.id for p in d.left_out] == ["ip-cs-2025"]
    assert d.total_pay == pytest.approx(euro[1].model.divergence().total_pay - heads * 20000)
    assert ws.model.target_pay("ip-cs-2025") == 0.0
    report = build(result, ws)
    assert report.left_out == (("ip-cs-2025", yen),)
    assert any("Not counted" in n and f"ip-cs-2025 ({yen})" in n for n in report.currency_notes())


def test_rate_not_yet_in_force_counts_as_missing(tmp_path: Path) -> None:
    repo = _repo(tmp_path, yen=True, rates=_rates(effective_from="2025-06-01"))
    result, ws = _lint(repo)
    found = [f for f in result.findings if f.rule == "missing-exchange-rate"]
    assert [(f.span.file, f.span.start.line) for f in found] == [(PLAN.as_posix(), _currency_line(repo)[0])]
    assert "add it to finance/fx-2025.yaml ('fx-2025', reporting in EUR)" in found[0].message
    assert "its JPY rate in 'fx-2025' applies only from 2025-06-01" in found[0].message
    assert ws.model.rate("JPY") is None and ws.model.rates_used() == ()
    # On a day the rate covers, it is used.
    later, later_ws = lint(LintOptions(paths=[repo], as_of=_dt.date(2025, 7, 1), cwd=repo))
    assert later_ws.model.rate("JPY") == pytest.approx(0.00625)
    assert not [f for f in later.findings if f.rule == "missing-exchange-rate"]


def test_divergence_message_names_what_was_left_out(tmp_path: Path) -> None:
    repo = _repo(tmp_path, yen=True)
    config = repo / ".incentive-lint.yaml"
    config.write_text("rules:\n  incentive-strategy-divergence: {options: {divergence_warn: 0.0}}\n",
                      encoding="utf-8")
    result, ws = lint(LintOptions(paths=[repo], as_of=AS_OF, cwd=repo, config=config))
    heads = sum(ws.model.roles[r].headcount for r in ws.model.in_force()["ip-cs-2025"])
    overall = [f for f in result.findings if f.rule == "incentive-strategy-divergence" and f.entities == ("servitization-2025",)]
    assert len(overall) == 1
    assert (f"(not counting 'ip-cs-2025' JPY {3_200_000 * heads:,}: no exchange rate to EUR in force)"
            in overall[0].message)
    assert overall[0].message.count("EUR ") >= 1


def test_conflicting_rates_are_reported_and_the_first_is_used(tmp_path: Path) -> None:
    other = _rates(rate=0.0061).replace("id: fx-2025", "id: fx-old")
    repo = _repo(tmp_path, yen=True, rates=_rates())
    (repo / "finance" / "fx-old.yaml").write_text(other, encoding="utf-8")
    result, ws = _lint(repo)
    found = [f for f in result.findings if f.rule == "conflicting-exchange-rates"]
    assert len(found) == 1 and found[0].span.file == "finance/fx-old.yaml"
    assert "gives 1 JPY = 0.0061 EUR where 'fx-2025' gives 0.00625" in found[0].message
    assert ws.model.rate("JPY") == pytest.approx(0.00625)


def test_invalid_rates_document_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    repo = _repo(tmp_path, yen=True, rates=_rates(rate=-1))
    result, ws = _lint(repo)
    [invalid] = [f for f in result.findings if f.span.file == "finance/fx-2025.yaml"]
    assert invalid.rule == "schema-violation" and "at least 0" in invalid.message
    assert any(f.rule == "missing-exchange-rate" for f in result.findings)  # the invalid document is not used
    assert ws.model.currency_rates == {}


def test_zero_rate_counts_as_no_rate(tmp_path: Path) -> None:
    result, ws = _lint(_repo(tmp_path, yen=True, rates=_rates(rate=0)))
    assert ws.model.rate("JPY") is None
    assert [f.span.file for f in result.findings if f.rule == "missing-exchange-rate"] == [PLAN.as_posix()]
