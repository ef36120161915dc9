"""JSON Schemas of the document kinds, and the example policy repositories that must satisfy them."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from incentive_lint.base.kinds import KIND_SCHEMAS
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schemas"
EXAMPLES = [ROOT / "examples" / "manufacturer", ROOT / "examples" / "aligned"]
# Other schema files (lint config, report, rule catalog) are owned and tested elsewhere.
SKIP_PREFIXES = ("config", "report", "rule")

KIND_FILES = KIND_SCHEMAS  # the package's one mapping of kind -> schema file


def _document_schema_paths() -> list[Path]:
    return sorted(p for p in SCHEMA_DIR.glob("*.schema.json") if not p.name.startswith(SKIP_PREFIXES))


def _load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _isoify(value):
    """What the loader does: YAML dates (values and mapping keys) become ISO strings."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {_isoify(k): _isoify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_isoify(v) for v in value]
    return value


def _example_documents() -> list[tuple[str, int, dict]]:
    out = []
    for root in EXAMPLES:
        for path in sorted(root.rglob("*.yaml")):
            with path.open(encoding="utf-8") as fh:
                for n, doc in enumerate(yaml.safe_load_all(fh)):
                    if isinstance(doc, dict) and "kind" in doc:  # the exceptions register has no kind
                        out.append((str(path.relative_to(ROOT)), n, _isoify(doc)))
    return out


def _validator(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_load_schema(KIND_FILES[kind]), format_checker=jsonschema.FormatChecker())


def _walk(schema, path="$"):
    """Yield (path, schema) for every subschema reachable through the keywords we use."""
    if not isinstance(schema, dict):
        return
    yield path, schema
    for key in ("properties", "patternProperties", "definitions"):
        for name, sub in schema.get(key, {}).items():
            yield from _walk(sub, f"{path}.{key}.{name}")
    for key in ("items", "additionalProperties", "not", "propertyNames", "if", "then", "else"):
        if isinstance(schema.get(key), dict):
            yield from _walk(schema[key], f"{path}.{key}")
    for key in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            yield from _walk(sub, f"{path}.{key}[{i}]")


def _property_schemas(schema):
    """Yield (path, schema) for every named property (and pattern property) at every depth."""
    for path, sub in _walk(schema):
        for key in ("properties", "patternProperties"):
            for name, prop in sub.get(key, {}).items():
                yield f"{path}.{key}.{name}", prop


# --------------------------------------------------------------------------- schema files

def test_all_kinds_have_a_schema():
    names = {p.name for p in _document_schema_paths()}
    assert set(KIND_FILES.values()) <= names


@pytest.mark.parametrize("path", _document_schema_paths(), ids=lambda p: p.name)
def test_schema_is_valid_draft7(path: Path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    # relative: resolved against wherever the file is, so copies committed to a policy repository work
    assert schema["$id"] == path.name
    assert schema.get("title") and schema.get("description")


@pytest.mark.parametrize("path", _document_schema_paths(), ids=lambda p: p.name)
def test_schema_is_self_contained(path: Path):
    for where, sub in _walk(json.loads(path.read_text(encoding="utf-8"))):
        if "$ref" in sub:
            assert sub["$ref"].startswith("#/"), f"{where}: external $ref {sub['$ref']}"


@pytest.mark.parametrize("path", _document_schema_paths(), ids=lambda p: p.name)
def test_every_property_is_described(path: Path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    missing = [where for where, prop in _property_schemas(schema)
               if not (isinstance(prop.get("description"), str) and prop["description"].strip())]
    missing += [f"$.definitions.{name}" for name, sub in schema.get("definitions", {}).items()
                if not str(sub.get("description", "")).strip()]
    assert not missing, "properties without a description:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", _document_schema_paths(), ids=lambda p: p.name)
def test_every_enum_value_is_explained(path: Path):
    problems = []
    for where, sub in _walk(json.loads(path.read_text(encoding="utf-8"))):
        for value in sub.get("enum", []):
            if f"'{value}'" not in sub.get("description", ""):
                problems.append(f"{where}: '{value}' not explained in the description")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", _document_schema_paths(), ids=lambda p: p.name)
def test_objects_are_closed_but_allow_extensions(path: Path):
    problems = []
    for where, sub in _walk(json.loads(path.read_text(encoding="utf-8"))):
        if sub.get("type") == "object" and "properties" in sub:
            if sub.get("additionalProperties") is not False:
                problems.append(f"{where}: additionalProperties is not false")
            if "^x-" not in sub.get("patternProperties", {}):
                problems.append(f"{where}: no ^x- extension pattern")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", sorted(KIND_FILES))
def test_header_is_uniform(kind: str):
    schema = _load_schema(KIND_FILES[kind])
    assert {"kind", "schema", "id"} <= set(schema["required"])
    assert schema["properties"]["kind"]["const"] == kind
    assert schema["properties"]["schema"]["const"] == "incentive-lint/v1"
    assert {"title", "owner", "status", "effective"} <= set(schema["properties"])


# --------------------------------------------------------------------------- examples

EXAMPLE_DOCS = _example_documents()


#: Kinds a repository needs only in some situations: CurrencyRates only with several currencies
#: (the examples use one, and a test of the currency rules validates a CurrencyRates document).
OPTIONAL_KINDS = {"CurrencyRates"}


def test_examples_cover_every_kind():
    for root in EXAMPLES:
        kinds = {doc["kind"] for file, _, doc in EXAMPLE_DOCS if file.startswith(str(root.relative_to(ROOT)))}
        expected = set(KIND_FILES) - OPTIONAL_KINDS
        assert kinds - OPTIONAL_KINDS == expected, f"{root.name}: {sorted(expected - kinds)} missing"


def test_example_ids_are_unique_per_repo():
    for root in EXAMPLES:
        prefix = str(root.relative_to(ROOT))
        ids = [doc["id"] for file, _, doc in EXAMPLE_DOCS if file.startswith(prefix)]
        assert len(ids) == len(set(ids)), f"{root.name}: duplicate document ids"


@pytest.mark.parametrize("file,index,doc", EXAMPLE_DOCS, ids=[f"{f}#{i}" for f, i, _ in EXAMPLE_DOCS])
def test_example_document_is_valid(file: str, index: int, doc: dict):
    errors = sorted(_validator(doc["kind"]).iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{file}: $.{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


# --------------------------------------------------------------------------- negative cases

def _plan() -> dict:
    for file, _, doc in EXAMPLE_DOCS:
        if file.endswith("aligned/plans/sales-2025.yaml"):
            return copy.deepcopy(doc)
    raise AssertionError("aligned sales plan not found")


def _errors(doc: dict) -> list[jsonschema.ValidationError]:
    return list(_validator(doc["kind"]).iter_errors(doc))


def test_baseline_plan_is_valid():
    assert not _errors(_plan())


def test_weight_with_percent_sign_is_rejected():
    doc = _plan()
    doc["components"][0]["weight"] = "65 %"
    errors = _errors(doc)
    assert any(list(e.absolute_path) == ["components", 0, "weight"] and e.validator == "type" for e in errors)


def test_weight_above_100_is_rejected():
    doc = _plan()
    doc["components"][0]["weight"] = 165
    assert any(e.validator == "maximum" for e in _errors(doc))


def test_misspelt_key_is_rejected():
    doc = _plan()
    doc["components"][0]["wieght"] = doc["components"][0].pop("weight")
    messages = [e.message for e in _errors(doc)]
    assert any("wieght" in m for m in messages)          # additionalProperties: false
    assert any("'weight' is a required property" in m for m in messages)


def test_misspelt_top_level_key_is_rejected():
    doc = _plan()
    doc["payout_frequncy"] = doc.pop("payout_frequency")
    assert any("payout_frequncy" in e.message for e in _errors(doc))


def test_bad_id_is_rejected():
    doc = _plan()
    doc["id"] = "Sales Plan"
    errors = _errors(doc)
    assert any(list(e.absolute_path) == ["id"] and e.validator == "pattern" for e in errors)


def test_component_without_kpi_or_objective_is_rejected():
    doc = _plan()
    del doc["components"][0]["kpi"]
    errors = _errors(doc)
    assert any(list(e.absolute_path) == ["components", 0] and e.message == "'kpi' is a required property"
               for e in errors)


def test_component_with_both_kpi_and_objective_is_rejected():
    doc = _plan()
    doc["components"][0]["objective"] = "o-sales-uptime-contracts"
    assert any(list(e.absolute_path) == ["components", 0] and e.validator == "not" for e in _errors(doc))


def test_component_on_objective_is_accepted():
    doc = _plan()
    comp = doc["components"][0]
    del comp["kpi"]
    comp["objective"] = "o-sales-uptime-contracts"
    assert not _errors(doc)


def test_wrong_kind_constant_and_schema_version_are_rejected():
    doc = _plan()
    doc["schema"] = "align/v1"
    assert any(list(e.absolute_path) == ["schema"] for e in _errors(doc))


def test_missing_header_fields_are_rejected():
    doc = _plan()
    del doc["id"]
    assert any("'id' is a required property" in e.message for e in _errors(doc))


@pytest.mark.parametrize("value", ["none", 150, 0])
def test_cap_accepts_none_or_number(value):
    doc = _plan()
    doc["components"][0]["cap"] = value
    assert not _errors(doc)


@pytest.mark.parametrize("value", ["unlimited", -5, "150%"])
def test_cap_rejects_other_values(value):
    doc = _plan()
    doc["components"][0]["cap"] = value
    assert _errors(doc)


@pytest.mark.parametrize("value", ["none", {"triggers": ["restatement"], "lookback_months": 36}, {"triggers": ["misconduct"]}])
def test_clawback_forms(value):
    doc = _plan()
    doc["clawback"] = value
    assert not _errors(doc)


@pytest.mark.parametrize("value", ["no", {"lookback_months": 36}, {"triggers": [], "lookback_months": 36}])
def test_clawback_rejects_other_values(value):
    doc = _plan()
    doc["clawback"] = value
    assert _errors(doc)


@pytest.mark.parametrize("value", ["none", "Deals above EUR 2m reviewed by the CFO",
                                   {"deal_value_above": 2000000, "reviewed_by": "cfo"}])
def test_windfall_review_forms(value):
    doc = _plan()
    doc["windfall_review"] = value
    assert not _errors(doc)


@pytest.mark.parametrize("value", ["", {}, {"reviewer": "cfo"}, True])
def test_windfall_review_rejects_other_values(value):
    doc = _plan()
    doc["windfall_review"] = value
    assert _errors(doc)


@pytest.mark.parametrize("value", [40000, 0, {"pct_of_base": 60}])
def test_target_incentive_forms(value):
    doc = _plan()
    doc["target_incentive"] = value
    assert not _errors(doc)


@pytest.mark.parametrize("value", [-1, "40000 EUR", {"pct": 60}, {}])
def test_target_incentive_rejects_other_values(value):
    doc = _plan()
    doc["target_incentive"] = value
    assert _errors(doc)


def test_bad_date_and_currency_are_rejected():
    doc = _plan()
    doc["effective"]["from"] = "01/01/2025"
    doc["currency"] = "eur"
    paths = {tuple(e.absolute_path) for e in _errors(doc)}
    assert ("effective", "from") in paths and ("currency",) in paths


def test_vendor_extension_keys_are_allowed():
    doc = _plan()
    doc["x-icm-plan-code"] = "AM-25"
    doc["components"][0]["x-xactly-measure"] = 17
    assert not _errors(doc)


def test_headcount_plan_keys_must_be_dates():
    org = next(copy.deepcopy(d) for f, _, d in EXAMPLE_DOCS if f.endswith("aligned/org/org.yaml"))
    fn = next(f for f in org["functions"] if f["id"] == "customer-success")
    fn["headcount_plan"] = {"Q3 2025": 25}
    assert any(e.validator == "propertyNames" or "does not match" in e.message for e in _errors(org))
    fn["headcount_plan"] = {"2025-07-01": 25.5}
    assert _errors(org)


def test_entity_without_id_is_rejected():
    catalog = next(copy.deepcopy(d) for f, _, d in EXAMPLE_DOCS if f.endswith("aligned/kpis/kpis.yaml"))
    del catalog["kpis"][0]["id"]
    assert any("'id' is a required property" in e.message for e in _errors(catalog))


def test_budget_currency_must_be_iso_code():
    budget = next(copy.deepcopy(d) for f, _, d in EXAMPLE_DOCS if f.endswith("aligned/budget/budget-fy2025.yaml"))
    budget["currency"] = "Euro"
    assert _errors(budget)
    budget["currency"] = "EUR"
    budget["investments"][0]["amount"] = -1
    assert _errors(budget)
