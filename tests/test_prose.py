"""``x-`` extension keys are validated and positioned like any value, then left out of the data a
run keeps (no rule reads them; on real plans they are most of the data)."""
from __future__ import annotations

from pathlib import Path

from incentive_lint.engine.workspace import without_prose
from incentive_lint.run import LintOptions, lint


def test_prose_keys_go_at_every_depth_and_untouched_values_are_kept_as_they_are() -> None:
    components = [{"id": "a", "weight": 60, "x-rationale": "why"}, {"id": "b", "weight": 40}]
    data = {"id": "p", "x-terms": {"long": "text"}, "components": components, "tags": ["x-not-a-key"]}
    out = without_prose(data)
    assert out == {"id": "p", "components": [{"id": "a", "weight": 60}, {"id": "b", "weight": 40}],
                   "tags": ["x-not-a-key"]}
    assert out["components"][1] is components[1] and out["tags"] is data["tags"]
    assert data["x-terms"] == {"long": "text"}  # the input is not changed
    plain = {"id": "q", "components": [{"id": "c"}]}
    assert without_prose(plain) is plain


def test_a_mistake_inside_prose_is_still_reported(tmp_path: Path) -> None:
    (tmp_path / "kpis.yaml").write_text(
        "kind: KpiCatalog\nschema: incentive-lint/v1\nid: kpis\nx-notes: {reviewed: yes}\nkpis:\n"
        "  - {id: nps, title: Net promoter score, owner: cfo, drivers: [retention], x-source: {since: 010}}\n",
        encoding="utf-8")
    result, ws = lint(LintOptions(paths=[tmp_path], cwd=tmp_path, use_config=False, select=["input"]))
    found = {(f.rule, f.span.start.line) for f in result.findings}
    assert ("ambiguous-value", 4) in found and ("ambiguous-value", 6) in found
    assert all(not k.startswith("x-") for data in ws.documents.values() for k in data)
