"""Every rule's examples run as tests: on a bad example exactly the lines marked
``# expect: <slug>`` fire (a marker on a comment-only line means the next line); a good
example is silent. Examples are whole workspaces in one multi-document YAML file; a
``# as-of: YYYY-MM-DD`` line sets the evaluation date (default 2025-03-01).
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

import pytest

from incentive_lint.base.findings import flatten
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
EXPECT = re.compile(r"#\s*expect:\s*([a-z0-9, -]+)")
AS_OF = re.compile(r"#\s*as-of:\s*([0-9]{4}-[0-9]{2}-[0-9]{2})")
# Input rules that cannot be shown in a plain example file (they need a pipe, a link or a
# non-UTF-8 byte) keep their examples as tests in test_loader.py instead.
NO_FILE_EXAMPLES = {"file-refused"}


def expected_lines(text: str, slug: str) -> set[int]:
    lines = text.split("\n")
    out: set[int] = set()
    for number, line in enumerate(lines, start=1):
        match = EXPECT.search(line)
        if not match or slug not in [s.strip() for s in match.group(1).split(",")]:
            continue
        out.add(number + 1 if line.strip().startswith("#") else number)
    return out


def example_cases() -> list[tuple[str, str, Path]]:
    cases = []
    for rule_file in sorted(RULES.glob("*/*/rule.yaml")):
        family, slug = rule_file.parent.parent.name, rule_file.parent.name
        for example in sorted((rule_file.parent / "examples").glob("*.yaml")):
            cases.append((family, slug, example))
    return cases


def run_example(slug: str, example: Path, family: str):
    text = example.read_bytes().decode("utf-8", errors="replace")
    match = AS_OF.search(text)
    as_of = _dt.date.fromisoformat(match.group(1)) if match else _dt.date(2025, 3, 1)
    select = [slug] if family == "input" else [slug, "input", "dangling-reference", "duplicate-id"]
    result, _ = lint(LintOptions(paths=[example], as_of=as_of, use_config=False, select=select, cwd=ROOT))
    return text, result


@pytest.mark.parametrize("family,slug,example", example_cases(),
                         ids=[f"{s}::{e.name}" for _, s, e in example_cases()])
def test_example(family: str, slug: str, example: Path) -> None:
    text, result = run_example(slug, example, family)
    every = flatten(result.findings)  # a finding folded under another of its rule still fires
    fired = {f.span.start.line for f in every if f.rule == slug}
    others = [f"{f.span.start.line}: {f.rule}: {f.message}" for f in every if f.rule != slug]
    assert not others, f"{example.name} should only trigger {slug}, but also gives {others}"
    if example.name.startswith("bad"):
        expected = expected_lines(text, slug)
        assert expected, f"{example} has no '# expect: {slug}' marker"
        assert fired == expected, f"{slug} fired on lines {sorted(fired)}, markers say {sorted(expected)}"
    else:
        assert not fired, f"good example {example.name} fired {slug} on lines {sorted(fired)}"
