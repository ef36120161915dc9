"""Output formats: one mapping from format name to a render function.

A reporter is a pure function ``render(result, rules) -> str`` of the whole result
and the rule metadata; the CLI decides where the text goes.
"""
from __future__ import annotations

from typing import Callable, Mapping

from incentive_lint.base.findings import LintResult
from incentive_lint.settings.rulespec import RuleSpec

Render = Callable[[LintResult, Mapping[str, RuleSpec]], str]


def _load() -> dict[str, Render]:
    from incentive_lint.outputs.formats import concise, github, gitlab, json_report, junit, markdown, sarif, text

    return {
        "text": text.render,
        "concise": concise.render,
        "json": json_report.render,
        "sarif": sarif.render,
        "github": github.render,
        "gitlab": gitlab.render,
        "junit": junit.render,
        "markdown": markdown.render,
    }


REPORTERS: dict[str, Render] = _load()
