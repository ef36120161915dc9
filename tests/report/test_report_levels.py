"""Report and check are one computation: every level the report prints is a severity ``check`` reported.

For every example and for configurations that change what the divergence rule says (strict,
a severity override, the rule off, per-function scores off), each divergence score in the
report is an error/warning/info exactly when ``check`` has that finding with that severity,
and every finding of the rule is shown by a score of the same level.
"""
from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path

import pytest

from incentive_lint.base.findings import flatten
from incentive_lint.outputs.report import build
from incentive_lint.outputs.report.data import DIVERGENCE_RULE
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[2]
AS_OF = _dt.date(2025, 3, 1)
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir())
CONFIGS = {
    "default": None,
    "strict": "extends: strict\n",
    "severity-error": f"rules:\n  {DIVERGENCE_RULE}:\n    severity: error\n",
    "severity-info": f"rules:\n  {DIVERGENCE_RULE}:\n    severity: info\n",
    "off": f"rules:\n  {DIVERGENCE_RULE}: 'off'\n",
    "no-per-function": f"rules:\n  {DIVERGENCE_RULE}:\n    options: {{per_function: false}}\n",
    "low-thresholds": f"rules:\n  {DIVERGENCE_RULE}:\n    options: {{divergence_warn: 0.05, divergence_error: 0.1}}\n",
}
SEVERITIES = ("error", "warning", "info")


def _run(example: str, config: str | None, tmp_path: Path):
    repo = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, repo)
    if config is not None:
        (repo / ".incentive-lint.yaml").write_text(config)
    result, ws = lint(LintOptions(paths=[repo], as_of=AS_OF, cwd=repo))
    return result, build(result, ws)


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_report_level_is_a_check_severity(example: str, config: str, tmp_path: Path) -> None:
    result, report = _run(example, CONFIGS[config], tmp_path)
    strategy = report.strategy_id
    found = {f.entities: f.severity.label for f in flatten(result.findings) if f.rule == DIVERGENCE_RULE}
    shown: dict[tuple[str, ...], str] = {}
    for score in (report.overall, *report.scores):
        key = (strategy,) if score.scope == "overall" else (score.id, strategy)
        if score.level in SEVERITIES:
            shown[key] = score.level
            assert found.get(key) == score.level, (score.scope, score.id, score.level, found)
        else:
            assert key not in found or score.scope == "executive", (score.scope, score.id, score.level)
    assert shown == found, "every divergence finding of check appears in the report with its severity"
    assert report.counts == result.counts()
    assert report.findings == result.findings


def test_the_executive_score_is_not_labelled_by_a_rule(tmp_path: Path) -> None:
    _, report = _run("manufacturer", None, tmp_path)
    executive = [s for s in report.scores if s.scope == "executive"]
    assert executive and all(s.level in ("unchecked", "none") for s in executive)


def test_an_accepted_divergence_is_labelled_accepted(tmp_path: Path) -> None:
    """An exception that accepts the overall divergence makes the report say so, not 'error'."""
    result, report = _run("manufacturer", None, tmp_path)
    overall = next(f for f in result.findings if f.rule == DIVERGENCE_RULE and f.entities == (report.strategy_id,))
    path = tmp_path / "manufacturer" / overall.span.file
    lines = path.read_text().splitlines()
    lines[overall.span.start.line - 1] += (f'  # incentive-lint: ignore[{overall.code}] '
                                           f'reason="board accepted the transition" until=2099-01-01')
    path.write_text("\n".join(lines) + "\n")
    result2, ws2 = lint(LintOptions(paths=[tmp_path / "manufacturer"], as_of=AS_OF, cwd=tmp_path / "manufacturer"))
    assert any(f.rule == DIVERGENCE_RULE and f.entities == overall.entities for f in flatten(result2.suppressed))
    assert build(result2, ws2).overall.level == "accepted"
