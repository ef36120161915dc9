"""The rule catalog is complete and consistent: every rule folder is valid and documented,
has examples, names a registered function, and every function is used."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from incentive_lint.settings.catalog import FAMILIES, load_catalog
from incentive_lint.checks.registry import FUNCTIONS

ROOT = Path(__file__).resolve().parents[1]
RULE_FILES = sorted((ROOT / "rules").glob("*/*/rule.yaml"))
RULE_SCHEMA = json.loads((ROOT / "schemas" / "rule.schema.json").read_text())


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


def test_rule_schema_is_valid() -> None:
    jsonschema.Draft7Validator.check_schema(RULE_SCHEMA)


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.parent.name for p in RULE_FILES])
def test_rule_folder(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(RULE_SCHEMA).validate(raw)
    assert raw["slug"] == path.parent.name
    assert raw["family"] == path.parent.parent.name
    assert raw["check"]["function"] in FUNCTIONS
    for field in ("summary", "why", "fix", "message"):
        assert raw[field].strip(), f"{path}: empty {field}"
    options = raw["check"].get("options") or {}
    schema = raw.get("options_schema")
    assert schema is not None, f"{path}: options_schema missing"
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(options)
    for name in (schema.get("properties") or {}):
        assert schema["properties"][name].get("description"), f"{path}: option {name} has no description"
    examples = path.parent / "examples"
    bad = sorted(examples.glob("bad*.yaml"))
    good = sorted(examples.glob("good*.yaml"))
    from tests.test_rule_examples import NO_FILE_EXAMPLES

    if raw["slug"] not in NO_FILE_EXAMPLES:
        assert bad and good, f"{path.parent}: needs at least one bad and one good example"


def test_slugs_and_codes_unique(catalog) -> None:
    codes = [spec.code for spec in catalog.sorted()]
    assert len(codes) == len(set(codes))
    assert len(catalog.rules) == len(RULE_FILES)


def test_every_function_is_used(catalog) -> None:
    used = {spec.function for spec in catalog.sorted()}
    assert set(FUNCTIONS) - used == {"expression"} or set(FUNCTIONS) == used | {"expression"}
    assert used <= set(FUNCTIONS)


def test_catalog_size_and_families(catalog) -> None:
    families = {spec.family for spec in catalog.sorted()}
    assert families == set(FAMILIES)
    from_rules_md = [s for s in catalog.sorted() if s.family in ("clarity", "capability", "engagement")]
    assert len(from_rules_md) >= 30


REQUIRED = ["pays-on-deprioritized-driver", "pricing-model-mismatch", "missing-required-function",
            "strategic-priority-unrewarded", "incentive-strategy-divergence", "upside-asymmetry",
            "cross-function-conflict", "leadership-scorecard-misaligned", "plan-coverage-gap",
            "credit-excludes-strategic-offer", "diagnose-and-sell-conflict", "payout-before-value-realized",
            "measurement-cadence-mismatch", "cascade-gap", "priority-without-owner", "kpi-without-owner",
            "component-weights-sum", "priority-weights-sum"]


def test_required_slugs_present(catalog) -> None:
    assert set(REQUIRED) <= set(catalog.rules)


def test_explain_shows_examples(catalog) -> None:
    from incentive_lint.outputs.explain import explain_text

    text = explain_text(catalog.rules["pays-on-deprioritized-driver"])
    assert "Bad example" in text and "Good example" in text and "legacy_weight_error" in text


def test_catalog_page_is_current(catalog) -> None:
    from incentive_lint.outputs.explain import catalog_markdown

    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == catalog_markdown(catalog.sorted()), (
        "docs/rules.md is out of date: run 'incentive-lint rules --format markdown > docs/rules.md'")
