"""An invalid document never causes findings elsewhere (issue 9).

The aligned example is clean on its as-of date. One mistake in one document must give
exactly that one error, at its line, and at most one info saying what was skipped for the
invalid document: no dangling references to its ids, no "did you mean" pointing elsewhere,
no pay that "maps to no priority" because the strategy or a KPI is missing.
"""
from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path

import pytest

from incentive_lint.base.findings import Finding, Severity
from incentive_lint.engine.invalid import DEPENDS_ON_ALL, INFO_RULE
from incentive_lint.engine.workspace import _read_chunk, _unpack
from incentive_lint.read.files import Candidate
from incentive_lint.run import LintOptions, lint
from incentive_lint.settings.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)

#: name -> (file, text replaced, replacement, the rule of the one error, its line, the invalid id)
MISTAKES = {
    "priority weight as text": ("strategy/servitization-2025.yaml", "    weight: 50\n", "    weight: 50%\n",
                                "schema-violation", 16, "servitization-2025"),
    "plan status not allowed": ("plans/sales-2025.yaml", "status: active\n", "status: in-force\n",
                                "schema-violation", 7, "ip-sales-2025"),
    "component cap as text": ("plans/sales-2025.yaml", "cap: 250,", "cap: 200%,", "schema-violation", 24,
                              "ip-sales-2025"),
    "unknown field in a KPI": ("kpis/kpis.yaml", "measurable_at: team, verification: system, gameability: low,\n",
                               "measurable_at: team, verification: system, gameability: low, colour: red,\n",
                               "schema-violation", 14, "kpis"),
    "misspelt kind": ("plans/sales-2025.yaml", "kind: IncentivePlan", "kind: IncentivPlan", "unknown-kind", 2,
                      "ip-sales-2025"),
}


def _aligned(tmp_path: Path, *edits: tuple[str, str, str]) -> Path:
    repo = tmp_path / "aligned"
    shutil.copytree(ROOT / "examples" / "aligned", repo)
    for file, old, new in edits:
        path = repo / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{file} no longer holds {old!r}: update the test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return repo


def _lint(repo: Path) -> list[Finding]:
    result, _ = lint(LintOptions(paths=[repo], as_of=AS_OF, cwd=repo))
    return list(result.findings)


def _show(findings: list[Finding]) -> list[str]:
    return [f"{f.span.file}:{f.span.start.line} {f.rule}: {f.message}" for f in findings]


def _key(f: Finding) -> tuple[str, str, int, str]:
    return (f.rule, f.span.file, f.span.start.line, f.message)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str, int, str]]:
    """The aligned example's own findings (no error; a warning or info may come and go as rules evolve)."""
    findings = _lint(_aligned(tmp_path_factory.mktemp("clean")))
    assert not [f for f in findings if f.severity is Severity.ERROR], _show(findings)
    assert not [f for f in findings if f.rule == INFO_RULE], _show(findings)
    return {_key(f) for f in findings}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_one_mistake_gives_one_error_and_at_most_one_info(tmp_path: Path, clean: set, name: str) -> None:
    file, old, new, rule, line, ident = MISTAKES[name]
    findings = _lint(_aligned(tmp_path, (file, old, new)))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    infos = [f for f in findings if f.rule == INFO_RULE]
    assert [(f.rule, f.span.file, f.span.start.line) for f in errors] == [(rule, file, line)], _show(findings)
    assert len(infos) <= 1, _show(infos)
    added = [f for f in findings if _key(f) not in clean and f not in errors and f not in infos]
    assert not added, _show(added)
    assert not [f for f in findings if f.rule == "dangling-reference"], _show(findings)
    assert not [f for f in findings if "did you mean" in f.message and f is not errors[0]], _show(findings)
    for info in infos:
        assert info.rule == INFO_RULE and info.span.file == file
        assert f"'{ident}' is invalid" in info.message and f"line {line}" in info.message, info.message


def test_the_info_says_how_many_rules_were_skipped(tmp_path: Path) -> None:
    file, old, new, *_ = MISTAKES["priority weight as text"]
    [info] = [f for f in _lint(_aligned(tmp_path, (file, old, new))) if f.rule == INFO_RULE]
    assert info.message.startswith("strategy 'servitization-2025' is invalid (see the error at line 16); ")
    skipped = dict(info.args)["skipped"].split(", ")
    assert "unaligned-variable-pay" in skipped and "dangling-reference" not in skipped
    assert info.message.endswith(f"; {len(skipped)} rules skipped for it")


def test_rules_that_do_not_depend_on_the_invalid_document_still_report(tmp_path: Path) -> None:
    """An invalid sales plan holds back what needs every plan, not the other plans' own mistakes."""
    file, old, new, *_ = MISTAKES["plan status not allowed"]
    findings = _lint(_aligned(tmp_path, (file, old, new),
                              ("plans/cs-2025.yaml", "{id: csat, kpi: csat, weight: 20,", "{id: csat, kpi: csat, weight: 10,")))
    assert "component-weights-sum" in {f.rule for f in findings}, _show(findings)


def test_a_real_dangling_reference_is_still_reported(tmp_path: Path) -> None:
    """Next to a reference to the invalid plan, a misspelt one is still a dangling reference,
    and its suggestion names the invalid plan (its id is known)."""
    file, old, new, *_ = MISTAKES["plan status not allowed"]
    repo = _aligned(tmp_path, (file, old, new))
    org = (repo / "org" / "org.yaml").read_text(encoding="utf-8")
    assert "plans: [ip-sales-2025]" in org, "org.yaml changed: update the test"
    (repo / "org" / "org.yaml").write_text(org.replace("plans: [ip-sales-2025]", "plans: [ip-sales-2025, ip-sale-2025]"),
                                           encoding="utf-8")
    [dangling] = [f for f in _lint(repo) if f.rule == "dangling-reference"]
    assert dangling.message.endswith("unknown plan 'ip-sale-2025'; did you mean 'ip-sales-2025'?"), dangling.message


def test_an_unreferenced_invalid_document_needs_no_note(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "org.yaml").write_text("kind: Org\nschema: incentive-lint/v1\nid: acme\nlisted: maybe\n", encoding="utf-8")
    findings = _lint(repo)
    assert [f.rule for f in findings] == ["schema-violation"], _show(findings)


def test_invalid_documents_travel_back_from_worker_processes(tmp_path: Path) -> None:
    file, old, new, *_ = MISTAKES["misspelt kind"]
    repo = _aligned(tmp_path, (file, old, new))
    candidate = Candidate(repo / file, file)
    [(packed, _)] = _read_chunk([candidate])  # a worker gives each outcome with its cache entry (None here)
    invalid = _unpack(candidate, packed)[-1]
    assert [(d.kind, d.id, d.error_lines) for d in invalid] == [("IncentivePlan", "ip-sales-2025", (2,))]


def test_the_dependency_table_names_real_rules() -> None:
    catalog = load_catalog(ROOT)
    unknown = {slug for slugs in DEPENDS_ON_ALL.values() for slug in slugs} - set(catalog.rules)
    assert not unknown, f"engine/invalid.py names rules that do not exist: {sorted(unknown)}"
    assert INFO_RULE in catalog.rules and catalog.rules[INFO_RULE].severity is Severity.INFO


def test_a_misspelt_kpi_in_a_component_is_one_dangling_reference_and_nothing_else(tmp_path: Path,
                                                                                  clean: set) -> None:
    """The component's pay has no known destination: it is left out of the pay shares (and the
    divergence names it) instead of being counted as unaligned pay, which made one typo into
    divergence, unaligned-pay and unrewarded-priority findings."""
    file = "plans/sales-2025.yaml"
    findings = _lint(_aligned(tmp_path, (file, "kpi: uptime-contract-acv, weight: 50",
                                         "kpi: uptime-contract-avc, weight: 50")))
    added = [f for f in findings if _key(f) not in clean]
    assert [(f.rule, f.span.file, f.span.start.line) for f in added] == [("dangling-reference", file, 23)], \
        _show(added)
    assert "did you mean 'uptime-contract-acv'?" in added[0].message
    for f in findings:
        if f.rule == "incentive-strategy-divergence":
            assert "'ip-sales-2025.uptime-acv' (KPI 'uptime-contract-avc'): a KPI not in the catalog" in f.message
