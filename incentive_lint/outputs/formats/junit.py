"""JUnit XML for GitLab unit-test reports, Jenkins and any JUnit reader.

Shape: ``<testsuites><testsuite name="incentive-lint">`` with one ``<testcase>`` per
rule (``classname`` = family, ``name`` = slug, unique, so GitLab keeps every case).
A rule with findings fails with exactly **one** ``<failure>``: GitLab's parser
(``test_case_node.xpath('failure', ...).first``) and Jenkins read only the first
``<failure>`` of a case, so one element per finding would silently drop all but the
first. The failure's ``message`` is the first finding's message (prefixed with the count
when there are several), ``type`` the worst severity, and the body lists every finding
with its location and chain. Only findings at or above ``--fail-on`` fail (``render(...,
fail_on=...)``); the others are listed in the case's ``<system-out>``. ``tests``/``failures`` count test cases, as every reader
does. No timestamps; ``time`` is a constant ``0``. Characters XML 1.0 forbids are
replaced by ``#xNN`` (pytest's ``bin_xml_escape``), since ElementTree would write
them raw and produce a file no parser accepts. Before that, every document value passes
through ``base.escape.visible`` (control characters, U+2028 and bidi controls become
visible escapes such as ``\\x1b``), so only our own line breaks remain in a failure's body
and the XML is well-formed whatever a policy file holds.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Mapping

from incentive_lint.base.escape import visible
from incentive_lint.base.findings import Finding, LintResult, Severity, more_related
from incentive_lint.settings.rulespec import RuleSpec
from incentive_lint.outputs.formats.sarif import all_rules

SUITE_NAME = "incentive-lint"

_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Replace characters that XML 1.0 cannot hold (controls, lone surrogates, U+FFFE/F)."""
    return _ILLEGAL.sub(lambda m: "#x%02X" % ord(m.group()), text)


def _loc(file: str, line: int, column: int) -> str:
    return visible(f"{file}:{line}:{column}")


def _finding_text(finding: Finding) -> str:
    s = finding.span
    lines = [f"{_loc(s.file, s.start.line, s.start.column)}: {finding.severity.label} {visible(finding.code)} "
             f"{visible(finding.full_message)}"]
    if finding.path and finding.path != "$":
        lines.append(f"  at {visible(finding.path)}")
    shown, omitted = finding.shown_related()
    for r in shown:
        where = _loc(r.span.file, r.span.start.line, r.span.start.column)
        lines.append(f"  -> {visible(r.label)} ({where})" if r.label else f"  -> {where}")
    if omitted:
        lines.append(f"  -> {more_related(omitted)}")
    for c in finding.consequences:  # one entry per cause; what follows from it, below
        where = _loc(c.span.file, c.span.start.line, c.span.start.column)
        lines.append(f"  also: {visible(c.code)} {visible(c.full_message)} ({where})")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fails(finding: Finding, fail_on: str) -> bool:
    """Whether a finding fails its test case: at or above ``--fail-on`` (``never``: none does)."""
    return fail_on != "never" and finding.severity >= Severity.parse(fail_on)


def build(result: LintResult, rules: Mapping[str, RuleSpec], fail_on: str = "info") -> ET.Element:
    """The XML tree. Findings at or above ``fail_on`` fail their rule's case; the others are
    listed in the case's ``<system-out>`` (shown by GitLab and Jenkins) and the case passes,
    so a pipeline run with ``--fail-on error`` does not show warnings as failed tests."""
    by_rule: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule, []).append(f)
    specs = all_rules(result, rules)

    cases = []
    failures = 0
    for slug, spec in specs.items():
        attrs = {"classname": xml_safe(visible(spec.family or SUITE_NAME)), "name": xml_safe(visible(slug)),
                 "time": "0"}
        case = ET.Element("testcase", attrs)
        found = [f for f in by_rule.get(slug, []) if _fails(f, fail_on)]
        below = [f for f in by_rule.get(slug, []) if not _fails(f, fail_on)]
        if found:
            failures += 1
            worst = max(f.severity for f in found)
            message = _one_line(visible(found[0].message))
            if len(found) > 1:
                message = f"{len(found)} findings; first: {message}"
            failure = ET.SubElement(case, "failure", {"message": xml_safe(message), "type": worst.label})
            failure.text = xml_safe("\n\n".join(_finding_text(f) for f in found))
        if below:
            out = ET.SubElement(case, "system-out")
            out.text = xml_safe(f"{len(below)} finding(s) below --fail-on {fail_on}, not counted as failures:\n\n"
                                + "\n\n".join(_finding_text(f) for f in below))
        cases.append(case)

    tests = len(cases)
    counts = {"tests": str(tests), "failures": str(failures), "errors": "0", "skipped": "0", "time": "0"}
    totals = {k: counts[k] for k in ("tests", "failures", "errors", "time")}
    root = ET.Element("testsuites", {"name": SUITE_NAME, **totals})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts})
    suite.extend(cases)
    return root


def render(result: LintResult, rules: Mapping[str, RuleSpec], fail_on: str = "info") -> str:
    root = build(result, rules, fail_on)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
