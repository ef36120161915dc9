"""The model: references resolved, plans in force, and where pay flows (rules.md 3.0, 3.4)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from incentive_lint.engine.workspace import read_workspace
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def model():
    ws = read_workspace(LintOptions(paths=[ROOT / "examples" / "manufacturer"], as_of=AS_OF, cwd=ROOT))
    return ws.model


def test_plans_in_force_with_rollover(model) -> None:
    assert model.in_force() == {
        "ip-exec-2025": ("ceo", "cfo", "coo", "vp-sales", "vp-service"),
        "ip-sales-2025": ("account-manager",),
        "ip-service-2024": ("field-technician",),  # expired, still paid: nothing replaced it
    }
    assert model.rolled_over(model.plans["ip-service-2024"])
    assert "ip-cs-draft" not in model.in_force()


def test_target_incentive(model) -> None:
    assert model.target_incentive("ip-sales-2025") == 100 * 40_000
    assert model.target_incentive("ip-service-2024") == 55 * 8_000
    assert model.target_incentive("ip-exec-2025") == 5 * 150_000


def test_kpi_map(model) -> None:
    assert model.kpi_map("units-shipped") == {"legacy": 1.0}
    assert model.kpi_map("product-gross-margin") == {"p-margin": 1.0}  # named in p-margin's targets
    assert model.kpi_map("service-contract-attach") == {"p-uptime": 1.0}  # driver overlap
    assert model.kpi_map("cost-per-unit") == {"unaligned": 1.0}


def test_divergence_matches_the_documented_example(model) -> None:
    d = model.divergence()
    assert round(d.score, 2) == 0.71
    assert d.total_pay == 5_190_000
    assert {k: round(v * 100, 1) for k, v in d.q.items()} == {
        "legacy": 56.9, "p-installed-base": 1.7, "p-margin": 26.5, "p-uptime": 7.7, "unaligned": 7.2}
    sales = model.divergence(model.function_plans("sales"), function="sales")
    assert round(sales.score, 2) == 0.65


def test_references_and_definitions(model) -> None:
    assert model.references == ()  # every reference of the example resolves
    assert model.reference_count > 50
    assert model.definitions == ()  # no id is defined twice


def test_dangling_reference_suggests_nearest_id(workspace) -> None:
    repo = workspace({"org.yaml": "kind: Org\nschema: incentive-lint/v1\nid: acme\nfunctions:\n"
                                  "  - {id: sales, head: vp-sale}\nroles:\n  - {id: vp-sales, function: sales}\n"})
    result, _ = lint(LintOptions(paths=[repo], cwd=repo, use_config=False, select=["dangling-reference"]))
    [finding] = result.findings
    assert (finding.span.start.line, finding.span.start.column) == (5, 23)
    assert "did you mean 'vp-sales'" in finding.message


def test_duplicate_id_points_at_both(workspace) -> None:
    org = "kind: Org\nschema: incentive-lint/v1\nid: {id}\nfunctions:\n  - {{id: sales}}\n"
    repo = workspace({"a.yaml": org.format(id="acme"), "b.yaml": org.format(id="acme-2")})
    result, _ = lint(LintOptions(paths=[repo], cwd=repo, use_config=False, select=["duplicate-id"]))
    [finding] = result.findings
    assert finding.span.file == "b.yaml" and finding.related[0].span.file == "a.yaml"


def test_positions_survive_input_warnings_in_the_same_file(workspace) -> None:
    # An ambiguous value keeps the file's node trees; other findings must still sit right.
    repo = workspace({"org.yaml": "kind: Org\nschema: incentive-lint/v1\nid: acme\ntitle: NO\n"
                                  "functions:\n  - {id: sales, head: vp-sale}\n"})
    result, _ = lint(LintOptions(paths=[repo], cwd=repo, use_config=False,
                                 select=["dangling-reference", "ambiguous-value"]))
    assert [(f.rule, f.span.start.line) for f in result.findings] == [("ambiguous-value", 4),
                                                                       ("dangling-reference", 6)]


def test_line_numbers_count_newlines_only(workspace) -> None:
    repo = workspace({"org.yaml": "kind: Org\nschema: incentive-lint/v1\nid: acme\ntitle: \"A\u2028B\"\r\n"
                                  "jurisdiction: NO\n"})
    result, _ = lint(LintOptions(paths=[repo], cwd=repo, use_config=False, select=["ambiguous-value"]))
    assert [(f.span.start.line, f.span.start.column) for f in result.findings] == [(5, 15)]


def test_schema_messages_speak_plainly(workspace) -> None:
    repo = workspace({"plan.yaml": "kind: IncentivePlan\nschema: incentive-lint/v1\nid: ip-x\n"
                                   "components:\n  - {id: a, kpi: k, weight: \"65 %\"}\n  - {id: b, kpi: k, wieght: 35}\n"})
    result, _ = lint(LintOptions(paths=[repo], cwd=repo, use_config=False, select=["schema-violation"]))
    messages = {(f.span.start.line, f.message) for f in result.findings}
    assert (5, "'weight' must be a number from 0 to 100; got '65 %'") in messages
    assert any(line == 6 and "'wieght' is not a field here; did you mean 'weight'?" in m for line, m in messages)
    assert any(line == 6 and "missing the required field 'weight'" in m for line, m in messages)


def test_schema_validation_never_fetches(monkeypatch) -> None:
    from incentive_lint.read import schema

    with pytest.raises(Exception) as info:
        schema._refuse("http://example.com/evil.json")
    assert "example.com" in str(info.value) or info.type.__name__ == "NoSuchResource"


def test_a_typo_is_one_finding(workspace) -> None:
    # An unknown id is dangling-reference's finding alone; owner and function rules stay quiet.
    repo = workspace({"s.yaml": (
        "kind: Strategy\nschema: incentive-lint/v1\nid: s\nstatus: approved\neffective: {from: 2025-01-01}\n"
        "priorities:\n  - {id: p, title: P, weight: 100, change: new, accountable: vp-sale,\n"
        "     requires: {functions: [custmer-success]}}\n"
        "---\nkind: Org\nschema: incentive-lint/v1\nid: o\nfunctions: [{id: customer-success, head: vp-sales}]\n"
        "roles: [{id: vp-sales, function: customer-success, headcount: 1}]\n")})
    result, _ = lint(LintOptions(paths=[repo], cwd=repo, use_config=False, as_of=AS_OF))
    about_the_typos = sorted((f.span.start.line, f.rule) for f in result.findings
                             if f.rule != "objective-without-kpi")  # the priority has no target: another mistake
    assert about_the_typos == [(7, "dangling-reference"), (8, "dangling-reference")], about_the_typos


def test_a_build_memo_reuses_unchanged_plans_and_builds_changed_ones() -> None:
    import copy
    import dataclasses

    from incentive_lint.model.build import BuildMemo, build
    from incentive_lint.model.taxonomy import default_taxonomy

    ws = read_workspace(LintOptions(paths=[ROOT / "examples" / "manufacturer"], as_of=AS_OF, cwd=ROOT))
    docs = _documents(ws)
    memo = BuildMemo()
    first = build(docs, default_taxonomy(), AS_OF, memo=memo)
    again = build(docs, default_taxonomy(), AS_OF, memo=memo)
    assert again.plans["ip-sales-2025"] is first.plans["ip-sales-2025"]  # not built again
    assert again.references == first.references and again.in_force() == first.in_force()
    sales = next(d for d in docs if d.data.get("id") == "ip-sales-2025")
    edited = copy.deepcopy(sales.data)
    edited["components"][0]["weight"] = 64
    docs = [dataclasses.replace(d, data=edited) if d is sales else d for d in docs]
    changed = build(docs, default_taxonomy(), AS_OF, memo=memo)
    assert changed.plans["ip-sales-2025"] is not first.plans["ip-sales-2025"]
    assert changed.plans["ip-sales-2025"].components[0].weight == 64
    assert changed.plans["ip-exec-2025"] is first.plans["ip-exec-2025"]
    fresh = build(docs, default_taxonomy(), AS_OF)
    assert changed.references == fresh.references and changed.plans == fresh.plans
    without = [d for d in docs if d.data.get("id") != "ip-exec-2025"]
    assert "ip-exec-2025" not in build(without, default_taxonomy(), AS_OF, memo=memo).plans
    assert all(key[0] != next(d.file for d in docs if d.data.get("id") == "ip-exec-2025") for key in memo.plans)


def _documents(ws):
    """The workspace's valid documents, rebuilt from its (file, index) -> data mapping."""
    from incentive_lint.base.source import Span
    from incentive_lint.read.documents import Document

    return [Document(file, index, data, Span.at(file, 1), kind=data.get("kind"))
            for (file, index), data in ws.documents.items()]
