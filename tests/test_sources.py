"""Every source a rule cites is in the bibliography, ``docs/sources.md``, with the rules that cite it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from incentive_lint.base.findings import LintResult, Severity
from incentive_lint.outputs.explain import explain_text
from incentive_lint.outputs.formats import sarif
from incentive_lint.settings.catalog import load_catalog
from incentive_lint.settings.rulespec import RuleSpec, source_uri

ROOT = Path(__file__).resolve().parents[1]


def _cited() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for path in sorted((ROOT / "rules").glob("*/*/rule.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in rule.get("sources") or []:
            cited.setdefault(str(key), set()).add(rule["slug"])
    return cited


def _entries() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    entries: dict[str, set[str]] = {}
    for key, rules in re.findall(r'<a id="[^"]+"></a>\*\*([^*]+)\*\*:.*?\n  Rules: ([^\n]+)\.', text, re.S):
        entries[key] = set(re.findall(r"`([^`]+)`", rules))
    return entries


def test_every_cited_source_has_an_entry_naming_its_rules() -> None:
    cited, entries = _cited(), _entries()
    assert cited, "the catalog cites no source at all"
    missing = sorted(set(cited) - set(entries))
    assert not missing, f"add these sources to docs/sources.md: {missing}"
    for key, rules in cited.items():
        assert entries[key] == rules, f"{key}: docs/sources.md lists {sorted(entries[key])}, rules cite it: {sorted(rules)}"


def test_no_rule_cites_a_design_document_outside_the_repository() -> None:
    for key in _cited():
        assert not key.endswith(".md") and ".md " not in key, key


def test_every_entry_has_the_anchor_the_links_point_to() -> None:
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    anchors = dict((key, anchor) for anchor, key in re.findall(r'<a id="([^"]+)"></a>\*\*([^*]+)\*\*', text))
    for key in _cited():
        assert anchors[key] == source_uri(key).rsplit("#", 1)[1], key


def test_explain_and_sarif_help_link_each_source_to_the_bibliography() -> None:
    catalog = load_catalog(ROOT)
    spec = catalog.rules["pays-on-deprioritized-driver"]
    assert spec.shipped and spec.sources
    page = explain_text(spec)
    rules = json.loads(sarif.render(LintResult(findings=()), catalog.rules))["runs"][0]["tool"]["driver"]["rules"]
    [descriptor] = [r for r in rules if r["id"] == spec.slug]
    for key in spec.sources:
        assert f"{key}: {source_uri(key)}" in page
        assert f"[{key}]({source_uri(key)})" in descriptor["help"]["markdown"]


def test_a_user_rule_links_no_source_it_does_not_have(tmp_path: Path) -> None:
    spec = RuleSpec(slug="own-rule", code="X01", family="engagement", severity=Severity.WARNING, summary="s",
                    sources=("OurMemo",), folder=str(tmp_path))
    assert not spec.shipped and spec.source_links() == ()
    assert "sources.md" not in explain_text(spec)
