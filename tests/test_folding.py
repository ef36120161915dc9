"""One cause, one finding: consequences fold under their cause (rule.yaml ``explains``), every
finding stays in the machine formats and keeps its identity, exceptions and baselines still
match each one; process-hygiene infos are one summary line in the recommended profile."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from incentive_lint.base.errors import CatalogError
from incentive_lint.base.findings import Finding, LintResult, Severity, flatten
from incentive_lint.engine.engine import fold
from incentive_lint.gate import baseline
from incentive_lint.outputs.formats import REPORTERS, json_report, sarif, text
from incentive_lint.run import LintOptions, lint
from incentive_lint.settings.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2025, 3, 1)
SALES = "plans/sales-2025.yaml"
UNITS_FOLLOW_ON = {"unaligned-variable-pay", "upside-asymmetry", "cross-function-conflict",
                   "discount-authority-on-volume-pay", "legacy-baseline-target"}
#: Sales is paid by this one plan, so the sales function's divergence (on org.yaml) follows too.
FUNCTION_FOLLOW_ON = "incentive-strategy-divergence"
SARIF_SCHEMA = (ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json").resolve()


def run(folder: Path) -> tuple[LintResult, dict]:
    result, ws = lint(LintOptions(paths=[folder], as_of=AS_OF, cwd=folder))
    rules = {slug: ws.catalog.rules[slug] for slug in result.rules_run if slug in ws.catalog.rules}
    return result, rules


@pytest.fixture(scope="module")
def manufacturer(tmp_path_factory: pytest.TempPathFactory) -> tuple[LintResult, dict]:
    # A copy outside this git repository is its own root, so paths read 'plans/sales-2025.yaml'.
    target = tmp_path_factory.mktemp("folding") / "manufacturer"
    shutil.copytree(ROOT / "examples" / "manufacturer", target)
    return run(target)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", target)
    return target


def keys(findings: list[Finding]) -> Counter[tuple[str, str]]:
    return Counter((f.rule, f.fingerprint) for f in findings)


# --------------------------------------------------------------------------- the worked example


def test_fewer_problems_and_every_finding_still_there(manufacturer) -> None:
    result, _ = manufacturer
    every = flatten(result.findings)
    assert len(result.findings) < len(every)
    assert sum(len(f.consequences) for f in result.findings) == len(every) - len(result.findings)
    # nothing is lost or doubled: a consequence is never also a problem of its own
    assert len(keys(every)) == len(every)


def test_the_unit_volume_component_is_one_problem(manufacturer) -> None:
    result, _ = manufacturer
    on_units = [f for f in result.findings if f.span.file == SALES and f.span.start.line in (19, 20)]
    assert [f.rule for f in on_units] == ["pays-on-deprioritized-driver"]
    [cause] = on_units
    assert cause.severity is Severity.ERROR and "ip-sales-2025.units" in cause.entities
    assert {c.rule for c in cause.consequences} == UNITS_FOLLOW_ON | {FUNCTION_FOLLOW_ON}
    # the other target finding of the plan (on the new 'attach' measure) is a decision of its own
    attach = [f for f in result.findings if f.rule == "legacy-baseline-target"]
    assert [f.entities[0] for f in attach] == ["ip-sales-2025.attach"]


def test_a_consequence_keeps_its_identity_and_is_never_more_severe(manufacturer) -> None:
    result, _ = manufacturer
    for cause in result.findings:
        for c in cause.consequences:
            assert c.fingerprint and c.evidence and not c.consequences
            assert c.severity <= cause.severity


def test_one_function_to_staff_and_one_offer_to_price(manufacturer) -> None:
    result, _ = manufacturer
    [staff] = [f for f in result.findings if f.rule == "missing-required-function"]
    assert "p-uptime" in staff.entities
    assert {(c.rule, c.entities[0]) for c in staff.consequences} == {
        ("missing-required-function", "p-installed-base"), ("offer-delivery-gap", "uptime-guarantee")}
    [price] = [f for f in result.findings if f.rule == "pricing-model-mismatch"]
    assert [c.rule for c in price.consequences] == ["capability-lead-time"]


def test_folding_is_idempotent_and_ignores_input_order(manufacturer) -> None:
    result, _ = manufacturer
    assert fold(result.findings) == list(result.findings)
    assert fold(reversed(flatten(result.findings))) == list(result.findings)


def test_exit_code_is_unchanged_by_folding(manufacturer) -> None:
    result, _ = manufacturer
    flat = dataclasses.replace(result, findings=tuple(flatten(result.findings)))
    for fail_on in ("error", "warning", "info"):
        assert result.exit_code(fail_on) == flat.exit_code(fail_on)


def test_a_consequence_more_severe_than_its_cause_stays_a_problem(copy: Path) -> None:
    (copy / ".incentive-lint.yaml").write_text("rules:\n  pays-on-deprioritized-driver: warning\n")
    result, _ = run(copy)
    [cause] = [f for f in result.findings if f.rule == "pays-on-deprioritized-driver" and f.span.file == SALES]
    assert "upside-asymmetry" not in {c.rule for c in cause.consequences}
    assert any(f.rule == "upside-asymmetry" and f.span.file == SALES for f in result.findings)
    # the sales divergence (an error) no longer folds under a warning either
    assert {c.rule for c in cause.consequences} == UNITS_FOLLOW_ON - {"upside-asymmetry"}
    assert any(f.rule == FUNCTION_FOLLOW_ON and f.entities[0] == "sales" for f in result.findings)


# --------------------------------------------------------------------------- formats


def test_json_nests_consequences_and_keeps_every_finding(manufacturer) -> None:
    result, rules = manufacturer
    doc = json.loads(json_report.render(result, rules))
    listed = [(f["rule"], f["fingerprint"]) for f in doc["findings"]]
    listed += [(c["rule"], c["fingerprint"]) for f in doc["findings"] for c in f["consequences"]]
    assert Counter(listed) == keys(flatten(result.findings))
    assert doc["summary"]["findings"] == len(result.findings)
    assert doc["summary"]["consequences"] == len(listed) - len(result.findings)
    assert sum(doc["summary"]["by_rule"].values()) == len(listed)


def test_json_report_matches_its_schema(manufacturer) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    result, rules = manufacturer
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(json.loads(json_report.render(result, rules)))


def test_sarif_one_result_per_cause_with_its_consequences(manufacturer) -> None:
    result, rules = manufacturer
    doc = json.loads(sarif.render(result, rules))
    results = doc["runs"][0]["results"]
    assert len(results) == len(result.findings)
    listed = [(r["ruleId"], r["partialFingerprints"][sarif.FINGERPRINT_KEY]) for r in results]
    listed += [(c["rule"], c["fingerprint"]) for r in results for c in r["properties"].get("consequences", [])]
    assert Counter(listed) == keys(flatten(result.findings))
    [units] = [r for r in results if r["ruleId"] == "pays-on-deprioritized-driver"
               and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == SALES]
    also = [loc for loc in units["relatedLocations"] if loc["message"]["text"].startswith("also: ")]
    assert len(also) == len(units["properties"]["consequences"]) == len(UNITS_FOLLOW_ON) + 1
    ids = [loc["id"] for loc in units["relatedLocations"]]
    assert len(ids) == len(set(ids))


def test_sarif_with_consequences_is_valid(manufacturer) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    result, rules = manufacturer
    jsonschema.validators.validator_for(schema)(schema).validate(json.loads(sarif.render(result, rules)))


def test_text_shows_also_lines_and_counts_them_apart(manufacturer) -> None:
    result, rules = manufacturer
    out = text.render(result, rules)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{SALES}:20:45 error pays-on-deprioritized"))
    block = []
    for line in lines[at + 1:]:
        if not line.startswith("    "):
            break
        block.append(line)
    also = [line for line in block if line.startswith("    also: ")]
    assert len(also) == len(UNITS_FOLLOW_ON) + 1
    assert any(line.startswith("    also: EN08 'ip-sales-2025': 'attach' (strategic)") for line in also)
    folded = sum(len(f.consequences) for f in result.findings)
    c = result.counts()
    assert (f"{len(result.findings)} problem(s) ({c['error']} error(s), {c['warning']} warning(s), {c['info']} info), "
            f"{folded} follow-on finding(s) folded under them;") in out


@pytest.mark.parametrize("name", sorted(set(REPORTERS) - {"json", "sarif", "text"}))
def test_other_formats_have_one_entry_per_cause_naming_its_consequences(manufacturer, name: str) -> None:
    result, rules = manufacturer
    out = REPORTERS[name](result, rules)
    [units] = [f for f in result.findings if f.rule == "pays-on-deprioritized-driver" and f.span.file == SALES]
    assert "also:" in out
    for c in units.consequences:  # named inside the cause's entry (formats escape differently: a prefix)
        assert c.code in out
    if name == "github":
        assert len([line for line in out.splitlines() if line.startswith("::")]) == len(result.findings)


# --------------------------------------------------------------------------- exceptions and baselines


def test_an_exception_on_a_consequence_still_suppresses_it(copy: Path) -> None:
    with (copy / "exceptions.yaml").open("a") as fh:
        fh.write("- rule: upside-asymmetry\n  target: ip-sales-2025\n  reason: Accelerator agreed with the works "
                 "council for 2025\n  owner: cfo\n  approved_by: board-remco\n  until: 2025-12-31\n")
    result, _ = run(copy)
    assert [f.entities[0] for f in result.suppressed if f.rule == "upside-asymmetry"] == ["ip-sales-2025"]
    [cause] = [f for f in result.findings if f.rule == "pays-on-deprioritized-driver" and f.span.file == SALES]
    assert {c.rule for c in cause.consequences} == (UNITS_FOLLOW_ON | {FUNCTION_FOLLOW_ON}) - {"upside-asymmetry"}
    assert not [f for f in flatten(result.findings) if f.rule == "upside-asymmetry" and f.span.file == SALES]


def test_an_accepted_cause_does_not_hide_its_consequences(copy: Path) -> None:
    with (copy / "exceptions.yaml").open("a") as fh:
        fh.write("- rule: pays-on-deprioritized-driver\n  target: ip-sales-2025.units\n  reason: Harvesting the "
                 "press business in 2025\n  owner: cfo\n  approved_by: board-remco\n  until: 2025-12-31\n")
    result, _ = run(copy)
    assert any(f.rule == "pays-on-deprioritized-driver" and f.span.file == SALES for f in result.suppressed)
    promoted = {f.rule for f in result.findings if f.span.file == SALES and f.span.start.line in (19, 20)}
    assert UNITS_FOLLOW_ON <= promoted
    assert any(f.rule == FUNCTION_FOLLOW_ON and f.entities[0] == "sales" for f in result.findings)


def test_a_baseline_of_every_finding_matches_folded_findings(manufacturer) -> None:
    result, _ = manufacturer
    # What a baseline written before folding holds: one entry per finding, flat.
    before = Counter(baseline.key(f) for f in flatten(result.findings))
    filtered, stale = baseline.filter_result(result, before, "accepted in the baseline")
    assert filtered.findings == () and stale == 0
    assert len(filtered.suppressed) == len(result.suppressed) + len(before)
    # and the baseline written now lists consequences too
    written = baseline.render(result)
    assert all(f.fingerprint in written for f in flatten(result.findings))


def test_a_baseline_holding_only_the_cause_promotes_its_consequences(manufacturer) -> None:
    result, _ = manufacturer
    [cause] = [f for f in result.findings if f.rule == "pays-on-deprioritized-driver" and f.span.file == SALES]
    filtered, _ = baseline.filter_result(result, Counter([baseline.key(cause)]), "accepted")
    assert cause.fingerprint not in {f.fingerprint for f in flatten(filtered.findings)}
    promoted = {f.rule for f in filtered.findings if f.span.file == SALES and f.span.start.line in (19, 20)}
    assert UNITS_FOLLOW_ON <= promoted
    assert any(f.rule == FUNCTION_FOLLOW_ON and f.entities[0] == "sales" for f in filtered.findings)


# --------------------------------------------------------------------------- the relation is data


RULE = """slug: {slug}
code: {code}
family: engagement
severity: warning
summary: A test rule.
why: For the folding tests.
fix: Nothing.
message: "test"
check:
  function: expression
  options: {{given: plans, assert: "true"}}
explains: {explains}
"""


def test_an_unknown_slug_in_explains_is_a_catalog_error(tmp_path: Path) -> None:
    folder = tmp_path / "rules" / "my-rule"
    folder.mkdir(parents=True)
    (folder / "rule.yaml").write_text(RULE.format(slug="my-rule", code="MY1", explains="[no-such-rule]"))
    with pytest.raises(CatalogError, match="'no-such-rule'"):
        load_catalog(tmp_path, [tmp_path / "rules"])


def test_rules_that_explain_each_other_are_a_catalog_error(tmp_path: Path) -> None:
    for slug, code, other in (("rule-a", "MY1", "rule-b"), ("rule-b", "MY2", "rule-a")):
        folder = tmp_path / "rules" / slug
        folder.mkdir(parents=True)
        (folder / "rule.yaml").write_text(RULE.format(slug=slug, code=code, explains=f"[{other}]"))
    with pytest.raises(CatalogError, match="cycle"):
        load_catalog(tmp_path, [tmp_path / "rules"])


def test_the_shipped_relations_name_shipped_rules() -> None:
    catalog = load_catalog(ROOT)
    relations = {(s.slug, r) for s in catalog.sorted() for r, _ in s.explains}
    assert ("pays-on-deprioritized-driver", "unaligned-variable-pay") in relations
    assert all(r in catalog.rules for _, r in relations)


# --------------------------------------------------------------------------- process-hygiene infos


def test_process_infos_are_one_line_in_recommended_and_listed_in_strict(copy: Path) -> None:
    result, rules = run(copy)
    items = [f for f in result.findings if f.rule == "no-participation-record"]
    assert len(items) >= 2 and all(f.summarized for f in items)
    out = text.render(result, rules)
    assert " info no-participation-record " not in out  # no item listed one by one
    assert f"no-participation-record: {len(items)} findings not listed one by one" in out
    doc = json.loads(json_report.render(result, rules))
    marked = [f for f in doc["findings"] if f["rule"] == "no-participation-record"]
    assert len(marked) == len(items) and all(f["summarized"] for f in marked)

    (copy / ".incentive-lint.yaml").write_text("extends: strict\n")
    strict, strict_rules = run(copy)
    listed = [f for f in strict.findings if f.rule == "no-participation-record"]
    assert [f.fingerprint for f in listed] == [f.fingerprint for f in items]  # same identity, shown one by one
    assert not any(f.summarized for f in listed)
    strict_text = text.render(strict, strict_rules)
    assert strict_text.count(" info no-participation-record ") == len(items)
    assert "not listed one by one" not in strict_text


def test_summarized_items_still_take_exceptions(copy: Path) -> None:
    result, _ = run(copy)
    first = next(f for f in result.findings if f.rule == "no-participation-record")
    with (copy / "exceptions.yaml").open("a") as fh:
        fh.write(f"- rule: no-participation-record\n  target: {first.entities[0]}\n  reason: Catchball held in "
                 "the March workshop\n  owner: cfo\n  approved_by: board-remco\n  until: 2025-12-31\n")
    again, _ = run(copy)
    assert first.fingerprint in {f.fingerprint for f in again.suppressed}
    assert first.fingerprint not in {f.fingerprint for f in again.findings}
