"""The three renderers: content, escaping of document text, determinism, self-containment."""
from __future__ import annotations

import html.parser
import re
import shutil
from pathlib import Path

import pytest

from incentive_lint.run import LintOptions, lint
from incentive_lint.outputs.report import build
from incentive_lint.outputs.report.html import render as render_html
from incentive_lint.outputs.report.markdown import render as render_markdown
from incentive_lint.outputs.report.text import render as render_text

from .conftest import AS_OF, ROOT

HOSTILE_TITLE = '</style><script>alert("t")</script> | *bold* `code` [x](http://evil.example)'
HOSTILE_PRIORITY = "<img src=x onerror=alert(1)> & \x1b[31mred"


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.csp: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values.get("content")
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(name)
            if name in ("href", "src", "xlink:href", "action") and value and not value.startswith("#"):
                self.urls.append(value)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The aligned example with script and markup in its titles."""
    folder = tmp_path_factory.mktemp("hostile") / "policies"
    shutil.copytree(ROOT / "examples" / "aligned", folder)
    strategy = folder / "strategy" / "servitization-2025.yaml"
    text = strategy.read_text(encoding="utf-8")
    text = text.replace("title: From selling presses to selling guaranteed uptime", f"title: '{HOSTILE_TITLE}'")
    text = text.replace("title: Retain and grow the installed base", 'title: "<img src=x onerror=alert(1)> & \\e[31mred"')
    strategy.write_text(text, encoding="utf-8")
    result, ws = lint(LintOptions(paths=[folder], as_of=AS_OF, cwd=folder.parent))
    report = build(result, ws)
    assert report.strategy_title == HOSTILE_TITLE
    assert report.bucket("p-installed-base").title == HOSTILE_PRIORITY
    return report


def test_html_shows_the_sections(manufacturer) -> None:
    page = render_html(manufacturer[2])
    for needle in ('id="alignment-matrix"', 'id="flow-chart"', 'id="divergence-table"', 'id="coverage-table"',
                   'id="findings"', ">0.71<", "71% of target variable pay would have to move to mirror the strategy",
                   "Moving away from", "Unaligned", "p-uptime", "p-installed-base", "p-margin"):
        assert needle in page, needle


def test_html_is_self_contained(manufacturer) -> None:
    page = render_html(manufacturer[2])
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert "iframe" not in parser.tags and "object" not in parser.tags
    assert parser.urls == []
    assert not re.search(r"@import|url\(", page)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert parser.csp is not None and "default-src 'none'" in parser.csp  # the browser refuses any fetch
    assert "@media print" in page


def test_html_escapes_document_text(hostile) -> None:
    page = render_html(hostile)
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert parser.handlers == []
    assert parser.urls == []
    assert "&lt;/style&gt;&lt;script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp;" in page
    assert "\x1b" not in page


def test_markdown_escapes_document_text(hostile) -> None:
    text = render_markdown(hostile)
    assert "<script>" not in text and "<img" not in text and "\x1b" not in text
    assert "&lt;/style&gt;&lt;script&gt;" in text
    assert "\\| \\*bold\\*" in text  # a pipe cannot break the table, markdown stays literal
    for line in text.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) >= 3


def test_text_has_no_control_characters(hostile) -> None:
    text = render_text(hostile)
    assert "\x1b" not in text


def test_output_is_deterministic(manufacturer) -> None:
    import datetime as _dt

    _, ws, report = manufacturer
    today = _dt.date.today().isoformat()
    for render in (render_html, render_markdown, render_text):
        first, second = render(report), render(report)
        assert first == second
        assert today not in first or today == AS_OF.isoformat()
    # a fresh lint gives the same bytes
    again, ws2 = lint(LintOptions(paths=[Path("examples/manufacturer")], as_of=AS_OF, cwd=ROOT))
    assert render_html(build(again, ws2)) == render_html(report)


def test_markdown_has_the_tables(manufacturer, aligned) -> None:
    text = render_markdown(manufacturer[2])
    assert "**D = 0.71** (🛑 error)" in text
    assert "| **Strategy weights** |  |  | 50% | 30% | 20% | 0% | 0% |" in text
    assert "| **All in-force plans** | EUR 5,190,000 | 100% | 7.7% | 1.7% | 26.5% | 56.9% | 7.2% |" in text
    assert "### Coverage: clarity, capability, engagement" in text
    low = render_markdown(aligned[2])
    assert "**D = 0.22** (below threshold)" in low


def test_text_report(manufacturer) -> None:
    text = render_text(manufacturer[2])
    assert "D = 0.71: 71% of target variable pay would have to move to mirror the strategy." in text
    assert "Alignment matrix" in text and "Coverage by family" in text


@pytest.mark.parametrize("render", [render_html, render_markdown, render_text])
def test_an_empty_repository_still_reports(render, tmp_path) -> None:
    result, ws = lint(LintOptions(paths=[tmp_path], as_of=AS_OF, cwd=tmp_path))
    report = build(result, ws)
    assert report.overall.score is None and report.total_pay == 0
    text = render(report)
    assert "No target variable pay is in force" in text
