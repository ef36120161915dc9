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
    findings: document.querySelectorAll('.finding').length + document.querySelectorAll('tr.info-item').length,
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
    # 13 pages measured when the page one, the keep-together rules and the info list were added (18 before)
    assert 1 <= _pages(seen["pdf"]) <= 14


#: Text boxes in the divergence table and the matrix that overlap another (the ERROR pill over
#: "What it means" was one), and whether the matrix's first column stays in view when scrolled.
OVERLAPS = """(() => {
  const boxes = [];
  for (const cell of document.querySelectorAll('#divergence-table td, #divergence-table th, #alignment-matrix th,'
                                               + ' #causes-table td')) {
    for (const e of cell.querySelectorAll('span, strong, small, div, svg, code')) {
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && !e.querySelector('span, strong, small, div, svg, code'))
        boxes.push({r, cell, text: (e.textContent || e.tagName).slice(0, 40)});
    }
  }
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.cell === b.cell) continue;
    const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
    const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
    if (x > 1 && y > 1) hits.push(a.text + ' / ' + b.text);
  }
  const box = document.querySelector('#matrix-box');
  box.scrollLeft = box.scrollWidth;
  const first = document.querySelector('#alignment-matrix tbody tr.plan th').getBoundingClientRect();
  const outer = box.getBoundingClientRect();
  return {hits, firstVisible: first.left >= outer.left - 1 && first.right <= outer.right + 1};
})()"""


@pytest.mark.parametrize("width", [1024, 1400, 1920])
def test_no_text_overlaps_and_the_first_column_stays(browser, manufacturer, width) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "report-manufacturer.html"
    page.write_text(render(manufacturer[2]), encoding="utf-8")
    browser.open(page, width=width, height=900)
    seen = browser.evaluate(OVERLAPS)
    browser.screenshot(ARTIFACTS / f"report-manufacturer-{width}.png", width=width)
    assert seen["hits"] == []
    assert seen["firstVisible"]


def test_printed_report_keeps_headings_with_their_content(browser, manufacturer) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the printed pages (pip install pypdf)")
    import io

    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "report-manufacturer.html"
    page.write_text(render(manufacturer[2]), encoding="utf-8")
    browser.open(page)
    pdf = browser.print_pdf()
    (ARTIFACTS / "report-manufacturer.pdf").write_bytes(pdf)
    pages = [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert 1 <= len(pages) <= 14
    headings = ("Alignment matrix", "Where target variable pay flows", "Divergence score", "Coverage: clarity",
                "Findings", "Clarity", "Capability", "Engagement", "What is already right", "How to read")
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text  # numbered by the @page margin box
        lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("Page ")]
        assert not any(lines[-1].startswith(h) for h in headings), (number, lines[-1])
    first = pages[0]
    assert "What to change" in first and "What is already right" in first and "EUR 4,000,000" in first
    matrix = next(i for i, t in enumerate(pages) if "Alignment matrix" in t)
    assert "Strategy weights" in pages[matrix]  # the heading and its table on one page


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
