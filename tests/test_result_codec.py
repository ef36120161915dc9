"""The whole-run cache entry (``engine/result_codec.py``) gives back exactly the result it was
given, and for ``--only-files`` exactly the findings that touch the files named."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from incentive_lint.base.findings import Finding, LintResult, Related, Severity
from incentive_lint.base.source import Span
from incentive_lint.engine.result_codec import NotEncodable, decode_run, encode_run
from incentive_lint.engine.workspace import LintOptions
from incentive_lint.run import lint

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.glob("examples/*/"), *ROOT.glob("tests/realistic/*/")])


def _same(a: Finding, b: Finding) -> None:
    assert a == b
    # the anchor takes no part in equality, yet folding after the gate reads it
    assert a.anchor == b.anchor
    assert type(a.severity) is Severity and type(b.severity) is Severity
    for x, y in zip(a.consequences, b.consequences):
        _same(x, y)


def _result(repo: Path) -> LintResult:
    import datetime

    result, _ = lint(LintOptions(paths=[repo], as_of=datetime.date(2025, 3, 1), root=repo, cwd=repo))
    return result


@pytest.fixture(scope="module")
def corpus(bench_corpus: Path) -> Path:
    return bench_corpus


@pytest.mark.parametrize("source", [*SOURCES, "bench"], ids=lambda p: p if isinstance(p, str) else p.name)
def test_a_result_comes_back_exactly(source: Path | str, corpus: Path) -> None:
    result = _result(corpus if source == "bench" else Path(source))
    assert result.findings
    back, extra = decode_run(encode_run(result, {"a.yaml": ["Deployment"]}))
    assert extra == {"a.yaml": ["Deployment"]}
    assert back == result
    for a, b in zip(back.findings, result.findings):
        _same(a, b)
    # --only-files: just what touches the file, chains and consequences included
    for name in sorted({f.span.file for f in result.findings})[:5]:
        part, _ = decode_run(encode_run(result, {}), only={name})
        assert part.findings == tuple(f for f in result.findings if name in f.files)
        assert part.suppressed == tuple(f for f in result.suppressed if name in f.files)
        assert part.files_checked == result.files_checked and part.checked_files == result.checked_files


def test_a_value_json_cannot_give_back_is_refused() -> None:
    import datetime

    span = Span.at("plans/a.yaml", 3)
    odd: Any = (("when", datetime.date(2025, 1, 1)),)
    finding = Finding(span=span, rule="r", code="X1", family="input", severity=Severity.ERROR, message="m",
                      args=odd, related=(Related(span, "here"),))
    with pytest.raises(NotEncodable):
        encode_run(LintResult(findings=(finding,)), {})
    nan = Finding(span=span, rule="r", code="X1", family="input", severity=Severity.ERROR, message="m",
                  evidence=(("share", float("nan")),))
    with pytest.raises(ValueError):
        encode_run(LintResult(findings=(nan,)), {})


def test_an_entry_of_another_layout_is_a_miss() -> None:
    payload = encode_run(LintResult(findings=()), {})
    head, _, rest = payload.partition(b"\n")
    with pytest.raises(ValueError):
        decode_run(head.replace(b'"layout":1', b'"layout":0') + b"\n" + rest)
