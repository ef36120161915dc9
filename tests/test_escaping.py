"""Nothing a policy file holds reaches a terminal or a CI log raw (issue 10, point 4).

A repository whose titles, ids, references, exception reasons and user-rule texts carry
YAML escapes for line breaks, ANSI/OSC sequences, bidi overrides, NUL, NEL, U+2028 and
lone C1 controls is checked in every output format (taken from the formats registry, so a
new format is covered automatically) and through every other command that prints text.
"""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from incentive_lint.base.escape import json_safe, visible
from incentive_lint.cli import cli
from incentive_lint.outputs.formats import REPORTERS
from incentive_lint.outputs.report.formats import FORMATS as REPORT_FORMATS

ROOT = Path(__file__).resolve().parents[1]

#: YAML double-quoted escapes: a forged GitHub annotation on a line of its own, CR, clear
#: screen, an OSC 8 hyperlink, a right-to-left override, NUL, NEL, U+2028/2029, DEL, the
#: 8-bit CSI and a tab. (PyYAML refuses a lone surrogate escape, so none can come from a file.)
HOSTILE = (r"\n::error file=x::forged\r\e[2J\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"
           r"\u202eRLO\0NUL\N\L\P\x7f\x9b\tend")

#: Every character that must never be printed raw (line breaks are judged separately).
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                 "\ud800-\udfff]")

USER_RULE = f"""slug: acme-hostile
code: ACME9
family: engagement
severity: warning
summary: "Every plan is reported {HOSTILE}"
why: "Because {HOSTILE}"
fix: "Nothing {HOSTILE}"
message: "plan '{{id}}' titled '{{title}}'"
check:
  function: expression
  options:
    given: plans
    assert: "false"
options_schema: {{type: object}}
"""


def _write(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("escaping") / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", root)
    # ids and references (schema findings quote them), a valid plan's title (the user rule's
    # message quotes it), the strategy's title (the report's heading), exception texts.
    _write(root / "plans" / "sales-2025.yaml", "kpi: product-gross-margin", f'kpi: "margin{HOSTILE}"')
    _write(root / "plans" / "sales-2025.yaml", "eligible_roles: [account-manager]",
           f'eligible_roles: [account-manager, "role{HOSTILE}"]')
    _write(root / "plans" / "exec-2025.yaml", "\nowner: ", f'\ntitle: "Exec {HOSTILE}"\nowner: ')
    _write(root / "strategy" / "servitization-2025.yaml", "title: From selling presses to selling guaranteed uptime",
           f'title: "Strategy {HOSTILE}"')
    _write(root / "exceptions.yaml", "reason: Billing platform selection closes Q2", f'reason: "Reason {HOSTILE}"')
    with (root / "exceptions.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f'- rule: kpi-unused\n  target: "nothing{HOSTILE}"\n  reason: "r{HOSTILE}"\n'
                 f'  owner: "o{HOSTILE}"\n  approved_by: cfo\n  until: 2025-12-31\n')
    (root / "policy-rules" / "acme-hostile").mkdir(parents=True)
    (root / "policy-rules" / "acme-hostile" / "rule.yaml").write_text(USER_RULE, encoding="utf-8")
    (root / ".incentive-lint.yaml").write_text(
        f'rule_paths: [policy-rules]\nrules:\n  acme-hostile:\n    options: {{label: "{HOSTILE}"}}\n',
        encoding="utf-8")
    return root


def invoke(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stdout_bytes.decode("utf-8")


def assert_clean(text: str, *, annotations: bool = False) -> None:
    raw = sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})
    assert not raw, f"raw control characters in the output: {raw}"
    for line in text.split("\n"):
        if annotations:
            # GitHub's own workflow commands, one per finding; a forged one would start a line
            # of its own (inside a message, GitHub's rules spell the line break as %0A).
            assert re.match(r"::(error|warning|notice) file=[^:]*,line=\d+", line) or not line, line
            assert not line.startswith("::error file=x::"), line
        else:
            assert not line.startswith("::"), line


def test_escape_functions() -> None:
    assert visible("a\nb\x1b[2J\u202ec\x85\u2028\x00") == "a\\nb\\x1b[2J\\u202ec\\x85\\u2028\\x00"
    assert visible("r\r\nn", keep="\r\n") == "r\r\nn"
    assert visible("plain ünïcödé and a\\backslash") == "plain ünïcödé and a\\backslash"
    value = "x\u202e\x7f\x85\u2028\ud800y"
    encoded = json_safe(json.dumps({"v": value}, ensure_ascii=False))
    assert not RAW.search(encoded)
    assert json.loads(encoded) == {"v": value}  # the value is kept, only its spelling changes


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_check_formats(repo: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    text = invoke(repo, monkeypatch, "check", ".", "--as-of", "2025-03-01", "--format", fmt)
    assert "forged" in text  # the hostile values did reach this output
    assert_clean(text, annotations=fmt == "github")
    if fmt == "junit":
        ET.fromstring(text.encode("utf-8"))  # well-formed XML
    if fmt in ("json", "sarif", "gitlab"):
        assert "::error file=x::forged" in json.dumps(json.loads(text))  # data kept, spelled as escapes


def test_text_with_colour_and_quiet(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for extra in ("--color", "-q"):
        text = invoke(repo, monkeypatch, "check", ".", "--as-of", "2025-03-01", extra)
        assert "forged" in text
        # Colour codes are the tool's own: ESC may only start one of its SGR sequences.
        assert_clean(re.sub(r"\x1b\[(?:\d+)m", "", text))


# The HTML report escapes with its own markup.esc (HTML entities; tab, CR and bidi controls
# are left to the browser), so only the report's text forms are judged here.
@pytest.mark.parametrize("fmt", [f for f in REPORT_FORMATS if f != "html"])
def test_report_formats(repo: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    text = invoke(repo, monkeypatch, "report", ".", "--as-of", "2025-03-01", "--format", fmt)
    assert "Strategy" in text
    assert_clean(text)


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_exceptions_listing(repo: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    text = invoke(repo, monkeypatch, "exceptions", ".", "--as-of", "2025-03-01", "--format", fmt)
    assert "Reason" in text
    assert_clean(text)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_config(repo: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    text = invoke(repo, monkeypatch, "check", ".", "--show-config", "--format", fmt)
    assert "acme-hostile" in text and "forged" in text
    assert_clean(text)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_rules_catalog(repo: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    text = invoke(repo, monkeypatch, "rules", "--format", fmt, "--config", ".incentive-lint.yaml")
    assert "acme-hostile" in text and "forged" in text
    assert_clean(text)


@pytest.mark.parametrize("rule", ["not-utf8", "yaml-syntax", "too-complex"])
def test_explain(repo: Path, monkeypatch: pytest.MonkeyPatch, rule: str) -> None:
    # Rules' own examples hold broken and hostile bytes on purpose; explain shows them visibly.
    text = invoke(repo, monkeypatch, "explain", rule)
    assert "Bad example" in text
    assert_clean(text)


def test_tool_error_messages_are_escaped(tmp_path: Path) -> None:
    """An error that quotes a document value (an unknown rule named in the config) is escaped
    line by line on stderr, like every other output."""
    import subprocess
    import sys

    (tmp_path / ".incentive-lint.yaml").write_text('rules:\n  "\\e[2J\\n::error file=x::forged": warning\n')
    done = subprocess.run([sys.executable, "-m", "incentive_lint", "check", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown rule" in done.stderr and "\\x1b[2J\\n::error" in done.stderr
    assert_clean(done.stderr)
