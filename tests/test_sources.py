"""Every source a rule cites is in the bibliography, ``docs/sources.md``, with the rules that cite it."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

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
