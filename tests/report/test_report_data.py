"""The report's figures: the model's computation, laid out; the worked example's numbers."""
from __future__ import annotations

import pytest

from incentive_lint.model.entities import LEGACY, UNALIGNED
from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import EXECUTIVE


def test_manufacturer_divergence_is_the_worked_example(manufacturer) -> None:
    _, ws, report = manufacturer
    assert fmt.score(report.overall.score) == "0.71"
    assert report.overall.level == "error"
    assert report.total_pay == pytest.approx(5_190_000)
    assert report.headline() == "71% of target variable pay would have to move to mirror the strategy."
    shares = {k: round(report.share(k) * 100, 1) for k in ("p-uptime", "p-installed-base", "p-margin", LEGACY,
                                                             UNALIGNED)}
    assert shares == {"p-uptime": 7.7, "p-installed-base": 1.7, "p-margin": 26.5, LEGACY: 56.9, UNALIGNED: 7.2}
    top = [c.bucket for c in report.overall.top(3)]
    assert top == [LEGACY, "p-uptime", "p-installed-base"]
    by_id = {s.id: s for s in report.scores}
    assert fmt.score(by_id["sales"].score) == "0.65"
    assert fmt.score(by_id["field-service"].score) == "0.80"
    assert by_id["customer-success"].score is None and by_id["customer-success"].pay == 0
    assert by_id[EXECUTIVE].plans == ("ip-exec-2025",)


def test_aligned_divergence_is_low(aligned) -> None:
    _, _, report = aligned
    assert report.overall.score is not None and report.overall.score < report.thresholds[0]
    assert fmt.score(report.overall.score) == "0.22"
    assert report.overall.level == "ok"
    assert all(s.score is None or s.score < 0.25 for s in report.scores)


@pytest.mark.parametrize("example", ["manufacturer", "aligned"])
def test_figures_are_the_models(example, request) -> None:
    """Every figure is the model's own: plan shares, function shares, D per scope."""
    _, ws, report = request.getfixturevalue(example)
    model = ws.model
    d = model.divergence()
    assert report.overall.score == d.score and report.overall.pay == d.total_pay
    assert {c.bucket: c.q for c in report.overall.contributors} == pytest.approx(
        {k: d.q.get(k, 0.0) for k in set(d.q) | set(d.pi)})
    rows = {(r.kind, r.id): r for r in report.rows}
    for plan in model.in_force_plans():
        assert rows[("plan", plan.id)].cells == model.plan_share(plan).fractions()
        assert rows[("plan", plan.id)].pay == pytest.approx(model.plan_share(plan).total)
    for s in report.scores:
        if s.scope == "function":
            fd = model.divergence(model.function_plans(s.id), s.id)
            assert s.score == (fd.score if fd else None)
            assert rows[("function", s.id)].cells == model.pay_share(model.function_plans(s.id)).fractions()
    assert rows[("strategy", "strategy")].cells == pytest.approx(
        {**{k: 0.0 for k in (LEGACY, UNALIGNED)}, **d.pi})


@pytest.mark.parametrize("example", ["manufacturer", "aligned"])
def test_flows_add_up_to_the_pay_behind_d(example, request) -> None:
    _, ws, report = request.getfixturevalue(example)
    assert sum(f.amount for f in report.flows) == pytest.approx(report.total_pay)
    assert sum(s.amount for s in report.sources) == pytest.approx(report.total_pay)
    for b in report.buckets:
        into = sum(f.amount for f in report.flows if f.bucket == b.key)
        assert into == pytest.approx(report.share(b.key) * report.total_pay)


def test_manufacturer_flows_by_function(manufacturer) -> None:
    _, _, report = manufacturer
    sources = {s.id: s.amount for s in report.sources}
    assert sources == pytest.approx({"sales": 4_000_000, "field-service": 440_000, EXECUTIVE: 750_000})
    flows = {(f.source, f.bucket): f.amount for f in report.flows}
    assert flows[("sales", LEGACY)] == pytest.approx(2_600_000)
    assert flows[("sales", "p-uptime")] == pytest.approx(400_000)
    assert ("field-service", "p-uptime") not in flows


def test_manufacturer_coverage(manufacturer) -> None:
    _, _, report = manufacturer
    cov = {c.priority: {k: v.status for k, v in c.checks.items()} for c in report.coverage}
    assert cov["p-uptime"] == {"owner": "yes", "kpis": "partial", "cascade": "partial", "funding": "yes",
                               "offer": "no", "function": "no", "systems": "no", "incentives": "partial"}
    assert cov["p-installed-base"]["funding"] == "no"
    assert cov["p-installed-base"]["cascade"] == "no"
    assert cov["p-margin"]["incentives"] == "yes"
    uptime = next(c for c in report.coverage if c.priority == "p-uptime")
    assert "uptime-guarantee is planned from 2026-04-01" in uptime.checks["offer"].detail
    assert "customer-success: proposed, headcount 0" in uptime.checks["function"].detail


def test_aligned_coverage_is_complete(aligned) -> None:
    _, _, report = aligned
    for row in report.coverage:
        assert {c.status for c in row.checks.values()} <= {"yes", "n/a"}, row


def test_findings_grouped_by_family_then_severity(manufacturer) -> None:
    result, _, report = manufacturer
    assert sum(len(g.findings) for g in report.groups) == len(result.findings)
    order = [(g.family, -int(g.severity)) for g in report.groups]
    assert len(order) == len(set(order))
    families = [g.family for g in report.groups]
    known = [f for f in ("input", "clarity", "capability", "engagement") if f in families]
    assert [f for f in dict.fromkeys(families) if f in known] == known


@pytest.mark.parametrize("value,text", [(0.65, "65%"), (0.0771, "7.7%"), (0.0, "0%"), (0.00001, "<0.1%"),
                                        (1.0, "100%"), (None, "–")])
def test_pct(value, text) -> None:
    assert fmt.pct(value) == text


def test_points_and_money() -> None:
    assert fmt.points(-0.423) == "\u221242.3 pts"
    assert fmt.points(0.065) == "+6.5 pts"
    assert fmt.points(0.0) == "±0 pts"
    assert fmt.money(5_190_000, "EUR") == "EUR 5,190,000"
