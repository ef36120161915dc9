from __future__ import annotations

import re

from incentive_lint.outputs.formats import REPORTERS, markdown

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_rows(md: str) -> list[str]:
    return [ln for ln in md.splitlines() if ln.startswith("| ") and not ln.startswith("| ---")]


def test_cell_escaping():
    assert markdown.cell("a | b") == "a \\| b"
    assert markdown.cell("x\ny\r\nz\rw") == "x<br>y<br>z<br>w"
    assert markdown.cell("<script>&") == "&lt;script&gt;&amp;"
    assert markdown.cell("$.a[0]*b_c`d") == "$.a\\[0\\]\\*b\\_c\\`d"
    assert markdown.cell("esc\x1b[0m") == "esc\\\\x1b\\[0m"  # renders as esc\x1b[0m


def test_pipes_and_newlines_do_not_break_tables(result, rules):
    md = markdown.render(result, rules)
    rows = table_rows(md)
    assert len(rows) == 3 + len(result.findings)  # a header per severity + one row per finding
    for row in rows:
        assert len(UNESCAPED_PIPE.findall(row)) == 4, row  # exactly three cells
    shift = next(r for r in rows if "shift-pays-volume" in r)
    assert "Shift 'sell outcomes' \\| plan SALES-NA" in shift
    assert "units\\_shipped,<br>which is volume" in shift


def test_heading_counts_and_sections(result, rules):
    md = markdown.render(result, rules)
    assert md.startswith("## incentive-lint\n")
    assert "**8** findings (12 files, 15 documents): 3 error, 3 warning, 2 info." in md
    assert md.index("### Errors (3)") < md.index("### Warnings (3)") < md.index("### Info (2)")


def test_location_and_chain_under_the_finding(result, rules):
    rows = table_rows(markdown.render(result, rules))
    weights = next(r for r in rows if "weights-sum-to-100" in r)
    assert weights.startswith("| comp/sales-na.yaml:41:5 | WGT010 weights-sum-to-100 |")
    assert "<br>&nbsp;&nbsp;\u21b3 weight 50 (comp/sales-na.yaml:44:7)" in weights
    assert weights.index("weight 50") < weights.index("weight 40")


def test_clean_run(empty_result, rules):
    md = markdown.render(empty_result, rules)
    assert "No findings" in md and "###" not in md


def test_deterministic(result, rules):
    assert markdown.render(result, rules) == markdown.render(result, rules)


def test_registered():
    assert REPORTERS["markdown"] is markdown.render
