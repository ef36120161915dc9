"""``incentive-lint schemas --output DIR``: every schema, plus one that checks any document by its kind."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from incentive_lint.base.kinds import KIND_SCHEMAS
from incentive_lint.outputs.schemas import COMBINED

ROOT = Path(__file__).resolve().parents[1]


class _NoDates(yaml.SafeLoader):
    """Dates stay strings, as yaml-language-server sees them (the schemas say string + pattern)."""


_NoDates.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _write(tmp_path: Path) -> Path:
    out = tmp_path / "schemas"
    proc = subprocess.run([sys.executable, "-m", "incentive_lint", "schemas", "--output", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return out


def _documents() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted((ROOT / "examples" / "aligned").rglob("*.yaml")):
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_NoDates):
            if isinstance(doc, dict) and "kind" in doc:
                docs.append((path.name, doc))
    return docs


def test_writes_every_kind_schema_and_the_combined_one(tmp_path: Path) -> None:
    out = _write(tmp_path)
    names = {p.name for p in out.iterdir()}
    assert set(KIND_SCHEMAS.values()) | {COMBINED, "config.schema.json"} <= names
    for path in out.iterdir():
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator.check_schema(schema)
        assert schema["$id"] == path.name  # relative: resolves to wherever the file is


def test_output_is_stable(tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in _write(tmp_path / "a").iterdir()}
    second = {p.name: p.read_bytes() for p in _write(tmp_path / "b").iterdir()}
    assert first == second


def test_combined_schema_is_self_contained(tmp_path: Path) -> None:
    combined = json.loads((_write(tmp_path) / COMBINED).read_text(encoding="utf-8"))
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(combined)
    assert refs and all(r.startswith("#/definitions/") for r in refs)
    for ref in refs:  # every pointer lands on a definition
        node: object = combined
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, ref
            node = node[part]


def test_combined_schema_accepts_every_valid_document_of_every_kind(tmp_path: Path) -> None:
    combined = json.loads((_write(tmp_path) / COMBINED).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(combined)
    docs = _documents()
    assert {d["kind"] for _, d in docs} >= {"Strategy", "IncentivePlan", "KpiCatalog", "Org"}
    for name, doc in docs:
        assert [e.message for e in validator.iter_errors(doc)] == [], name


@pytest.mark.parametrize("kind", sorted(KIND_SCHEMAS))
def test_combined_schema_checks_each_document_by_its_kind(tmp_path: Path, kind: str) -> None:
    combined = json.loads((_write(tmp_path) / COMBINED).read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(combined).iter_errors(
        {"kind": kind, "schema": "incentive-lint/v1", "id": "x", "not_a_field": 1}))
    assert any("not_a_field" in e.message for e in errors)  # the kind's own schema rejected it
    assert list(jsonschema.Draft7Validator(combined).iter_errors({"kind": "Strateg"}))  # unknown kind
