"""``propose --allow-new-measures``: new components on catalog KPIs of under-weighted priorities,
appended in the plan's own style, never on a deprecated, unowned or out-of-sight KPI."""
from __future__ import annotations

import datetime as _dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("scipy.optimize", reason="propose needs scipy (pip install 'incentive-lint[propose]')")

from incentive_lint.base.findings import Severity, flatten  # noqa: E402
from incentive_lint.cli import main  # noqa: E402
from incentive_lint.engine.workspace import LintOptions, read_workspace  # noqa: E402
from incentive_lint.propose import ProposeOptions, Proposal, propose  # noqa: E402
from incentive_lint.propose.candidates import candidates, component_id, plain  # noqa: E402
from incentive_lint.propose.patch import addition_text, line_starts, offset  # noqa: E402
from incentive_lint.propose.problem import under_weighted  # noqa: E402
from incentive_lint.run import lint  # noqa: E402

from .test_propose import _apply  # noqa: E402

AS_OF = "2025-06-30"
DAY = _dt.date(2025, 6, 30)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "manufacturer"
HEAD = "kind: {kind}\nschema: incentive-lint/v1\n"

#: KPIs of the small workspace: (id, driver, extra fields). k0 pays on p0, kl on the legacy
#: driver; k1 is the one sound KPI of p1; p2's KPIs are each unsound in one way
KPIS = [
    ("k0", "d0", "owner: boss, data_source: erp, refresh: monthly, measurable_at: individual"),
    ("kl", "old", "owner: boss, data_source: erp, refresh: monthly, measurable_at: individual"),
    ("k1", "d1", "owner: boss, data_source: erp, refresh: monthly, measurable_at: individual"),
    ("k2-deprecated", "d2", "owner: boss, data_source: erp, refresh: monthly, measurable_at: individual, "
                            "status: deprecated, replaced_by: k1"),
    ("k2-unowned", "d2", "data_source: erp, refresh: monthly, measurable_at: individual"),
    ("k2-team", "d2", "owner: boss, data_source: erp, refresh: monthly, measurable_at: team"),
    ("k2-quarterly", "d2", "owner: boss, data_source: erp, refresh: quarterly, measurable_at: individual"),
    ("k2-nosource", "d2", "owner: boss, refresh: monthly, measurable_at: individual"),
]
UNSOUND = {"k2-deprecated", "k2-unowned", "k2-team", "k2-quarterly", "k2-nosource"}


def _workspace(tmp_path: Path, kpis: list[tuple[str, str, str]] = KPIS) -> Path:
    """Strategy p0/p1/p2 (50/30/20) moving away from 'old'; a block-style plan (ip0, with comments)
    and a flow-style plan (ip1), both paying individuals monthly on kl and k0 only."""
    repo = tmp_path / "ws"
    (repo / "plans").mkdir(parents=True)
    (repo / ".incentive-lint.yaml").write_text("{}\n", encoding="utf-8")
    prios = "".join(f"  - {{id: p{i}, title: P{i}, weight: {w}, change: grow, drivers: [d{i}], contributors: [f0]}}\n"
                    for i, w in enumerate((50, 30, 20)))
    (repo / "strategy.yaml").write_text(
        HEAD.format(kind="Strategy") + "id: s\ntitle: S\nstatus: approved\neffective: {from: 2025-01-01, to: 2027-12-31}\n"
        "shift: {from_drivers: [old], to_drivers: [d0]}\npriorities:\n" + prios, encoding="utf-8")
    rows = "".join(f"  - {{id: {k}, drivers: [{d}], {extra}}}\n" for k, d, extra in kpis)
    (repo / "kpis.yaml").write_text(HEAD.format(kind="KpiCatalog") + "id: kpis\nowner: boss\nkpis:\n" + rows,
                                    encoding="utf-8")
    (repo / "org.yaml").write_text(
        HEAD.format(kind="Org") + "id: org\nowner: boss\nfunctions:\n  - {id: f0, status: active}\nroles:\n"
        "  - {id: boss, function: f0, level: executive, headcount: 1}\n"
        "  - {id: r0, function: f0, level: individual, headcount: 4, plans: [ip0]}\n"
        "  - {id: r1, function: f0, level: individual, headcount: 2, plans: [ip1]}\n"
        "systems:\n  - {id: erp, status: active, capabilities: [ledger]}\n", encoding="utf-8")
    common = ("kind: IncentivePlan\nschema: incentive-lint/v1\nid: {id}\nowner: boss\nstatus: active\n"
              "eligible_roles: [{role}]\neffective: {{from: 2025-01-01, to: 2025-12-31}}\ncurrency: EUR\n"
              "target_incentive: 10000\npayout_frequency: monthly\ncomponents:\n")
    (repo / "plans" / "ip0.yaml").write_text(
        common.format(id="ip0", role="r0") + "  - id: legacy   # the old volume measure\n    kpi: kl\n"
        "    weight: 60    # keep this comment\n    cap: 150\n  - id: core\n    kpi: k0\n    weight: 40\n"
        "    target: {basis: last-year-actual, uplift_pct: 5}\n\n# a comment after the list\n"
        "x-note: the last key\n", encoding="utf-8")
    (repo / "plans" / "ip1.yaml").write_text(
        common.format(id="ip1", role="r1") + "  - {id: legacy, kpi: kl, weight: 60, cap: 150}\n"
        "  - {id: core, kpi: k0, weight: 40,\n     cap: 150}   # two lines\n", encoding="utf-8")
    return repo


def _lint(repo: Path) -> dict[str, Any]:
    result, ws = lint(LintOptions(paths=[repo], as_of=DAY))
    found = flatten(result.findings)
    d = ws.model.divergence()
    assert d is not None
    return {"errors": {f.fingerprint for f in found if f.severity >= Severity.ERROR}, "findings": found,
            "d": d.score, "model": ws.model}


def _run(repo: Path, **more: Any) -> Proposal:
    return propose(ProposeOptions(LintOptions(paths=[repo], as_of=DAY), **more))


def test_new_measure_on_an_under_weighted_priority_is_appended_and_checks_clean(tmp_path: Path) -> None:
    repo = _workspace(tmp_path)
    before = _lint(repo)
    p = _run(repo, allow_new_measures=True)
    assert p.status == "proposed"
    added = {(a.plan, a.kpi) for a in p.additions}
    # p1 is under-weighted (0 % of pay against 30 %) and k1 is its one sound KPI: both plans add it
    assert added == {("ip0", "k1"), ("ip1", "k1")}
    assert not {a.kpi for a in p.additions} & UNSOUND
    assert p.after is not None and p.after.overall is not None and p.before.overall is not None
    assert p.after.overall < p.before.overall
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    _apply(copy, p.diff)
    after = _lint(copy)
    assert after["d"] == pytest.approx(p.after.overall, abs=1e-12)
    assert after["errors"] <= before["errors"]
    known = {f.fingerprint for f in before["findings"]}
    assert not [f for f in after["findings"] if f.fingerprint not in known and f.rule in (
        "schema-violation", "line-of-sight-mismatch", "measurement-cadence-mismatch", "deprecated-kpi-in-use",
        "kpi-without-owner", "kpi-without-data-source")]
    for plan in ("ip0", "ip1"):
        comp = {c.id: c for c in after["model"].plans[plan].components}["k1"]
        assert comp.kpi == "k1" and comp.weight == next(a.weight for a in p.additions if a.plan == plan) >= 15
    for name, text in p.patched.items():  # --write writes exactly what git apply made of the diff
        assert (copy / name).read_text(encoding="utf-8") == text


def test_appended_components_follow_the_style_of_the_list(tmp_path: Path) -> None:
    repo = _workspace(tmp_path)
    p = _run(repo, allow_new_measures=True)
    weights = {a.plan: a.weight for a in p.additions}
    block = (repo / "plans" / "ip0.yaml").read_text(encoding="utf-8")
    flow = (repo / "plans" / "ip1.yaml").read_text(encoding="utf-8")
    new_block = p.patched["plans/ip0.yaml"]
    new_flow = p.patched["plans/ip1.yaml"]
    # block style: three lines at the items' indentation, right after the last item's last line
    inserted = f"  - id: k1\n    kpi: k1\n    weight: {weights['ip0']}\n"
    assert inserted in new_block
    assert "    target: {basis: last-year-actual, uplift_pct: 5}\n" + inserted + "\n# a comment after the list\n" in new_block
    # the legacy measure is removed: its lines (and the comments on them) are deleted
    legacy = "  - id: legacy   # the old volume measure\n    kpi: kl\n    weight: 60    # keep this comment\n    cap: 150\n"
    assert legacy in block and "id: legacy" not in new_block
    assert re.sub(r"weight: \d+", "weight: N", new_block.replace(inserted, "")) == \
        re.sub(r"weight: \d+", "weight: N", block.replace(legacy, ""))
    # flow style: one line after the item's closing brace, even when the item spans two lines
    line = f"  - {{id: k1, kpi: k1, weight: {weights['ip1']}}}\n"
    assert new_flow.endswith("     cap: 150}   # two lines\n" + line)
    legacy = "  - {id: legacy, kpi: kl, weight: 60, cap: 150}\n"
    assert legacy in flow and "id: legacy" not in new_flow
    assert re.sub(r"weight: \d+", "weight: N", new_flow.replace(line, "")) == \
        re.sub(r"weight: \d+", "weight: N", flow.replace(legacy, ""))


def test_deprecated_unowned_and_unseeable_kpis_are_never_added(tmp_path: Path) -> None:
    repo = _workspace(tmp_path)
    ws = read_workspace(LintOptions(paths=[repo], as_of=DAY))
    model = ws.model
    # p2 (20 %) gets nothing today: every k2-* KPI would move pay towards it, yet none is sound
    offered = [c.kpi.id for c in candidates(model, model.plans["ip0"], {"p1": 0.3, "p2": 0.2})]
    assert offered == ["k1"]
    p = _run(repo, allow_new_measures=True)
    assert p.after is not None
    assert dict((k, q) for k, q, _ in p.after.shares)["p2"] == 0.0
    assert not {a.kpi for a in p.additions} & UNSOUND


@pytest.mark.parametrize("fix", ["k2-deprecated", "k2-unowned", "k2-team", "k2-quarterly", "k2-nosource"])
def test_the_same_kpi_made_sound_is_added(tmp_path: Path, fix: str) -> None:
    # the exclusion above is about the KPI's soundness, not about p2: made sound, it is added
    sound = "owner: boss, data_source: erp, refresh: monthly, measurable_at: individual"
    kpis = [(k, d, sound if k == fix else extra) for k, d, extra in KPIS]
    p = _run(_workspace(tmp_path, kpis), allow_new_measures=True)
    assert p.status == "proposed"
    assert fix in {a.kpi for a in p.additions}


def test_without_the_flag_nothing_is_appended(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _workspace(tmp_path)
    p = _run(repo)
    assert p.status == "proposed" and p.additions == ()
    assert {(e.component.key, e.cut is not None) for e in p.edits if e.new == 0} == {("ip0.legacy", True),
                                                                                   ("ip1.legacy", True)}
    for name, text in p.patched.items():
        original = (repo / name).read_text(encoding="utf-8")
        assert "id: k1" not in text
        # only the weights and the removed legacy measure's lines differ
        start = original.index("  - id: legacy") if "  - id: legacy" in original else original.index("  - {id: legacy")
        end = original.index("  - ", start + 1)
        kept = original[:start] + original[end:]
        assert re.sub(r"weight: \d+", "weight: N", text) == re.sub(r"weight: \d+", "weight: N", kept)
    with_flag = _run(repo, allow_new_measures=True)
    assert with_flag.after is not None and p.after is not None and with_flag.after.overall is not None
    assert p.after.overall is not None and with_flag.after.overall < p.after.overall - 0.1


def test_under_weighted_priorities_are_those_below_their_strategy_weight(tmp_path: Path) -> None:
    from incentive_lint.propose.problem import Limits, build_problem

    ws = read_workspace(LintOptions(paths=[_workspace(tmp_path)], as_of=DAY))
    problem = build_problem(ws.model, Limits())
    # today 40 % of pay is on p0 (50 %), nothing on p1 (30 %) or p2 (20 %)
    assert under_weighted(problem.blocks, problem.objectives[0]) == pytest.approx({"p0": 0.1, "p1": 0.3, "p2": 0.2})
    assert not [v for v in problem.variables() if v.added]
    with_new = build_problem(ws.model, Limits(), new_measures=True)
    assert sorted((v.plan, v.component.id, v.current) for v in with_new.variables() if v.added) == \
        [("ip0", "k1", 0.0), ("ip1", "k1", 0.0)]


def test_manufacturer_never_adds_a_deprecated_or_unowned_kpi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    before = _lint(repo)
    model = before["model"]
    try:
        main(["propose", str(repo), "--as-of", AS_OF, "--format", "json", "--allow-new-measures"])
    except SystemExit as exc:
        assert not exc.code
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "proposed"
    assert data["added"], "the executive plan can add a measure of an under-weighted priority"
    for a in data["added"]:
        kpi = model.kpis[a["kpi"]]
        assert kpi.status != "deprecated" and kpi.owner in model.roles
        priorities = set(model.kpi_map(kpi.id))
        assert priorities & {"p-uptime", "p-installed-base"}  # the two under-weighted priorities
    _apply(repo, data["diff"])
    after = _lint(repo)
    assert after["d"] == pytest.approx(data["after"]["overall"], abs=1e-12)
    assert after["errors"] <= before["errors"]


def _insert(text: str) -> str | None:
    """``text`` (one document with a ``components`` list) with a component on k9 appended, at the
    positions the workspace's locator gives, as in ``propose``."""
    from incentive_lint.read.locator import Locator
    from incentive_lint.read.parse import parse_text

    parsed = parse_text(text, "f.yaml")
    locator = Locator()
    locator.add(parsed)
    starts = line_starts(text)

    def span_of(where: tuple[Any, ...]) -> tuple[int, int]:
        s = locator.span("f.yaml", 0, ("components", *where))
        return offset(starts, s.start.line, s.start.column), offset(starts, s.end.line, s.end.column)

    items = parsed.documents[0].data["components"]
    found = addition_text(text, span_of, items, [("k9", "k9", 20)])
    return None if found is None else text[:found[0]] + found[1] + text[found[0]:]


def test_a_flow_list_and_unusual_layouts() -> None:
    assert _insert("components: [{id: a, kpi: k0, weight: 80}]\nx: 1\n") == \
        "components: [{id: a, kpi: k0, weight: 80}, {id: k9, kpi: k9, weight: 20}]\nx: 1\n"
    assert _insert("components:\n  - {id: a, kpi: k0, weight: 80}") == \
        "components:\n  - {id: a, kpi: k0, weight: 80}\n  - {id: k9, kpi: k9, weight: 20}\n"
    assert _insert("components:\r\n  - {id: a, kpi: k0, weight: 80}\r\nx: 1\r\n") == \
        "components:\r\n  - {id: a, kpi: k0, weight: 80}\r\n  - {id: k9, kpi: k9, weight: 20}\r\nx: 1\r\n"
    # a block item ending in a block scalar: the new item goes after the scalar (which YAML ends
    # after its trailing blank lines; the scalar's value is the same)
    text = "components:\n- id: a\n  kpi: k0\n  x-note: |\n    line one\n    line two\n\n# later\nx: 1\n"
    assert _insert(text) == ("components:\n- id: a\n  kpi: k0\n  x-note: |\n    line one\n    line two\n\n"
                             "- id: k9\n  kpi: k9\n  weight: 20\n# later\nx: 1\n")
    # a nested flow value spanning lines ends the item at its closing bracket's line
    text = "components:\n  - id: a\n    accelerators: [{from: 100,\n        multiplier: 2}]  # top\nx: 1\n"
    assert _insert(text) == ("components:\n  - id: a\n    accelerators: [{from: 100,\n        multiplier: 2}]  # top\n"
                             "  - id: k9\n    kpi: k9\n    weight: 20\nx: 1\n")
    # the x- keys of the last item are its lines too (though not in its data): the new item follows them
    text = "components:\n  - id: a\n    kpi: k0\n    x-note: a note\n    # its comment\n  # before the next key\nx: 1\n"
    assert _insert(text) == ("components:\n  - id: a\n    kpi: k0\n    x-note: a note\n    # its comment\n"
                             "  - id: k9\n    kpi: k9\n    weight: 20\n  # before the next key\nx: 1\n")
    assert offset(line_starts("a\nb\n"), 2, 2) == 3


def test_new_ids_are_unique_and_read_back_as_text() -> None:
    assert component_id("nrr", ["units", "nrr", "nrr-2"]) == "nrr-3"
    assert component_id("nrr", ["units"]) == "nrr"
    assert plain("nrr") == "nrr" and plain("true") == "'true'" and plain("1e3") == "'1e3'" and plain("0x1f") == "'0x1f'"


def test_the_headline_reads_as_a_sentence(tmp_path: Path) -> None:
    repo = tmp_path / "m"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "manufacturer", repo)
    out = subprocess.run([sys.executable, "-m", "incentive_lint", "propose", ".", "--as-of", "2025-03-01",
                           "--allow-new-measures", "--no-cache"], cwd=repo, capture_output=True, text=True,
                          timeout=300).stdout
    first = out.splitlines()[0]
    assert re.fullmatch(r"Proposal: \d+ weights change, \d+ measures are removed and 1 new measure is added in \d+ "
                        r"files, \d+ points moved "
                        r"in total; D overall 0\.706 -> 0\.\d{3}\.", first), first
