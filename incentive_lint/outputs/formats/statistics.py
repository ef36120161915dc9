"""``check --statistics``: how many findings each rule produced, and nothing else.

One row per rule (follow-on findings counted for their own rule, as in the text summary),
most severe first, then most frequent; as text (``count  code  rule  severity``, the shape of
ruff's ``--statistics``) or as a JSON list for scripts.
"""
from __future__ import annotations

import json
from typing import Any

from incentive_lint.base.escape import json_safe, visible
from incentive_lint.base.findings import LintResult, Severity


def rows(result: LintResult) -> list[dict[str, Any]]:
    """``[{"count", "code", "rule", "severity"}]``, most severe first, then most frequent, then code."""
    counts: dict[tuple[str, str, Severity], int] = {}
    for f in result.findings:
        for item in f.with_consequences():
            key = (item.code, item.rule, item.severity)
            counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[0][2], -kv[1], kv[0][0], kv[0][1]))
    return [{"count": n, "code": code, "rule": rule, "severity": sev.label} for (code, rule, sev), n in ordered]


def render_text(result: LintResult) -> str:
    table = rows(result)
    if not table:
        return "0 findings\n"
    width = max(len(str(r["count"])) for r in table)
    code_width = max(len(r["code"]) for r in table)
    rule_width = max(len(r["rule"]) for r in table)
    lines = [visible(f"{r['count']:>{width}}  {r['code']:<{code_width}}  {r['rule']:<{rule_width}}  {r['severity']}")
             .rstrip() for r in table]
    total = sum(r["count"] for r in table)
    lines.append(f"{total} finding{'s' if total != 1 else ''} in {len(table)} rule{'s' if len(table) != 1 else ''}")
    return "\n".join(lines) + "\n"


def render_json(result: LintResult) -> str:
    return json_safe(json.dumps(rows(result), indent=2, ensure_ascii=False)) + "\n"
