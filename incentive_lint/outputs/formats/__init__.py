"""Output formats: one mapping from format name to a render function.

A reporter is a pure function ``render(result, rules) -> str`` of the whole result
and the rule metadata; the CLI decides where the text goes.
"""
from __future__ import annotations

from typing import Callable, Iterator, Mapping

from incentive_lint.base.findings import LintResult
from incentive_lint.settings.rulespec import RuleSpec

Render = Callable[[LintResult, Mapping[str, RuleSpec]], str]


#: format name -> the module of ``incentive_lint.outputs.formats`` whose ``render`` writes it
_MODULES: dict[str, str] = {
    "text": "text",
    "concise": "concise",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
    "markdown": "markdown",
}


class _Reporters(Mapping[str, Render]):
    """The reporters by format name, each imported when it is first asked for: a run writes one
    or two formats, and the others (JUnit's XML, SARIF's tables) need not load."""

    def __getitem__(self, name: str) -> Render:
        import importlib

        module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
        render: Render = module.render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


REPORTERS: Mapping[str, Render] = _Reporters()
