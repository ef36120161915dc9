"""The HTML report in a real browser: what a person sees, no console errors, a screenshot.

Drives headless Chromium over the DevTools protocol (see ``chromium.py``). The screenshots
and the rendered files are kept in ``test-artifacts/`` (git-ignored) for people to look at.
Skipped, with the reason, when no Chromium is installed.
"""
from __future__ import annotations

import re
import struct

import pytest

from incentive_lint.outputs.report.html import render

from .chromium import Chromium, find_chromium
from .conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"

LOOK = """(() => {
  const text = (sel) => { const e = document.querySelector(sel); return e ? e.innerText : null; };
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const matrix = document.querySelector('#alignment-matrix');
  const wrapper = matrix.parentElement;
  const flow = document.querySelector('#flow-chart');
  const vb = flow.viewBox.baseVal;
  const clipped = [...flow.querySelectorAll('text')].filter((t) => {
    const b = t.getBBox(); return b.x < -1 || b.x + b.width > vb.width + 1; }).map((t) => t.textContent);
  return {
    title: document.title,
    score: text('#divergence-score .d-value'),
    headline: text('#divergence-score .headline'),
    matrixHead: [...matrix.querySelectorAll('thead th')].map((th) => th.innerText.replace(/\\s+/g, ' ').trim()),
    totalRow: [...matrix.querySelectorAll('tr.total td.heat')].map((td) => td.innerText.split('\\n')[0]),
    coverage: [...document.querySelectorAll('#coverage-table tbody tr')].map((tr) => ({
      priority: tr.dataset.priority,
      statuses: [...tr.querySelectorAll('td[data-status]')].map((td) => td.dataset.status),
      visible: visible(tr)})),
    scores: [...document.querySelectorAll('#divergence-table tbody tr')].map((tr) => tr.innerText.replace(/\\s+/g, ' ')),
    findings: document.querySelectorAll('.finding').length,
    sectionsVisible: [...document.querySelectorAll('section.panel')].every(visible),
    matrixOverflows: wrapper.scrollWidth > wrapper.clientWidth + 1,
    pageOverflows: document.documentElement.scrollWidth > window.innerWidth + 1,
    flowSize: [flow.getBoundingClientRect().width, flow.getBoundingClientRect().height],
    bands: flow.querySelectorAll('path.band').length,
    clippedLabels: clipped,
  };
})()"""


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium; or set INCENTIVE_LINT_CHROMIUM): "
                    "the HTML report is only checked in a real browser when one is installed")
    with Chromium(executable) as b:
        yield b


def _show(browser, report, name: str) -> dict:
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / f"report-{name}.html"
    page.write_text(render(report), encoding="utf-8")
    browser.open(page)
    seen = browser.evaluate(LOOK)
    seen["errors"] = browser.console_errors()
    shot = ARTIFACTS / f"report-{name}.png"
    width, height = browser.screenshot(shot)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (width, height)
    seen["pdf"] = browser.print_pdf()
    return seen


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_manufacturer_report_in_the_browser(browser, manufacturer) -> None:
    seen = _show(browser, manufacturer[2], "manufacturer")
    assert seen["errors"] == []
    assert seen["title"].startswith("Where the money points")
    assert seen["score"] == "0.71"
    assert seen["headline"] == "71% of target variable pay would have to move to mirror the strategy."
    head = " | ".join(seen["matrixHead"])
    for label in ("p-uptime", "weight 50%", "p-installed-base", "weight 30%", "p-margin", "weight 20%",
                  "Moving away from", "Unaligned"):
        assert label in head
    assert seen["totalRow"] == ["7.7%", "1.7%", "26.5%", "56.9%", "7.2%"]
    assert [c["priority"] for c in seen["coverage"]] == ["p-uptime", "p-installed-base", "p-margin"]
    assert all(c["visible"] and len(c["statuses"]) == 8 for c in seen["coverage"])
    assert "no" in seen["coverage"][0]["statuses"]
    assert any(row.startswith("sales") and "0.65" in row for row in seen["scores"])
    assert seen["findings"] == len(manufacturer[0].findings)
    assert seen["sectionsVisible"]
    assert not seen["matrixOverflows"] and not seen["pageOverflows"]
    assert seen["flowSize"][0] > 900 and seen["flowSize"][1] > 300
    assert seen["bands"] == len(manufacturer[2].flows)
    assert seen["clippedLabels"] == []
    assert 1 <= _pages(seen["pdf"]) <= 20


def test_aligned_report_in_the_browser(browser, aligned) -> None:
    seen = _show(browser, aligned[2], "aligned")
    assert seen["errors"] == []
    assert seen["score"] == "0.22"
    assert seen["headline"] == "22% of target variable pay would have to move to mirror the strategy."
    assert all(set(c["statuses"]) <= {"yes", "n/a"} for c in seen["coverage"])
    assert not seen["matrixOverflows"] and not seen["pageOverflows"]
    assert seen["clippedLabels"] == []


def test_the_harness_sees_console_errors(browser, tmp_path) -> None:
    """The check above is only worth something if errors would be caught."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
                    "content=\"default-src 'none'\"></head><body><img src=\"https://example.invalid/x.png\">"
                    "</body></html>", encoding="utf-8")
    browser.open(page)
    assert any("Content Security Policy" in e for e in browser.console_errors())
