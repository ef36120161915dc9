"""Reports of the example repositories, built once per test session."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from incentive_lint.engine.workspace import Workspace
from incentive_lint.run import LintOptions, lint
from incentive_lint.base.findings import LintResult
from incentive_lint.outputs.report import Report, build

ROOT = Path(__file__).resolve().parents[2]
AS_OF = _dt.date(2025, 3, 1)


def lint_example(name: str) -> tuple[LintResult, Workspace]:
    return lint(LintOptions(paths=[Path("examples") / name], as_of=AS_OF, cwd=ROOT))


@pytest.fixture(scope="session")
def manufacturer() -> tuple[LintResult, Workspace, Report]:
    result, ws = lint_example("manufacturer")
    return result, ws, build(result, ws)


@pytest.fixture(scope="session")
def aligned() -> tuple[LintResult, Workspace, Report]:
    result, ws = lint_example("aligned")
    return result, ws, build(result, ws)
