#!/usr/bin/env python3
"""Time and peak memory of ``incentive-lint check`` on hostile inputs, one fresh process per case.

    python bench/hostile.py                 # every case
    python bench/hostile.py -k syntax       # cases whose name contains 'syntax'
    python bench/hostile.py --list

Each case is a named function that writes a small file tree into an empty folder and
returns the paths to check (relative to that folder). The table shows wall seconds, peak
RSS of the checking process in MB (``os.wait4``; KiB on Linux, bytes on macOS), the exit
code, the number of findings and the rules that spoke. The bound every case must stay
within is 1 s and 200 MB (``BOUND_SECONDS``, ``BOUND_MB``); a row over it is marked ``OVER``.

Other suites add cases with :func:`case` (``@case("name")`` on a ``(folder) -> paths``
function) in this file, or by appending a :class:`Case` to ``CASES`` from a module this file
imports (each case is built in a child process that runs this file with ``--build``, so that
building a large input does not count in the peak memory measured). Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from run import tool_env  # bench/run.py: this folder is on the path when the script runs

BOUND_SECONDS = 1.0
BOUND_MB = 200.0
#: the default size cap of a policy file (``incentive_lint.read.documents.MAX_FILE_BYTES``)
SIZE_CAP = 1024 * 1024

PLAN = "kind: IncentivePlan\nschema: incentive-lint/v1\nid: ip-test\n"


@dataclass(frozen=True)
class Case:
    """One hostile input: ``build(folder)`` writes it and returns the paths to check."""

    name: str
    build: Callable[[Path], Sequence[str]]
    note: str = ""


CASES: list[Case] = []


def case(name: str, note: str = "") -> Callable[[Callable[[Path], Sequence[str]]], Callable[[Path], Sequence[str]]]:
    """Register ``build`` as a case called ``name``."""
    def register(build: Callable[[Path], Sequence[str]]) -> Callable[[Path], Sequence[str]]:
        CASES.append(Case(name, build, note))
        return build
    return register


def write(folder: Path, name: str, text: str) -> list[str]:
    (folder / name).write_text(text, encoding="utf-8")
    return [name]


# --------------------------------------------------------------------------- reading cases


@case("baseline", "one valid tiny plan: the cost of starting the tool")
def _baseline(folder: Path) -> Sequence[str]:
    return write(folder, "plan.yaml", PLAN)


@case("syntax-errors-72kb", "a 72 KB file of documents that are each a YAML syntax error")
def _syntax_errors(folder: Path) -> Sequence[str]:
    unit = "---\nkey: [unclosed\n"
    return write(folder, "broken.yaml", unit * (72 * 1024 // len(unit)))


@case("syntax-errors-under-cap", "as above with the shortest broken document, just under the size cap")
def _syntax_errors_big(folder: Path) -> Sequence[str]:
    unit = "---\n[\n"
    return write(folder, "broken.yaml", unit * ((SIZE_CAP - 200) // len(unit)))


@case("unknown-keys-20k", "one plan with 20,000 fields the schema does not know")
def _unknown_keys(folder: Path) -> Sequence[str]:
    return write(folder, "plan.yaml", PLAN + "".join(f"field{i}: 1\n" for i in range(20_000)))


@case("octal-values-10k", "one plan with 10,000 values like 010 (octal or decimal?)")
def _octal(folder: Path) -> Sequence[str]:
    return write(folder, "plan.yaml", PLAN + "".join(f"code{i}: 010\n" for i in range(10_000)))


@case("exponent-values-10k", "one plan with 10,000 values like 1e6 (number or text?)")
def _exponent(folder: Path) -> Sequence[str]:
    return write(folder, "plan.yaml", PLAN + "".join(f"code{i}: 1e6\n" for i in range(10_000)))


@case("valid-19mb", "a valid plan padded to 19 MB (over the default size cap: refused)")
def _valid_huge(folder: Path) -> Sequence[str]:
    line = "  x-note-{i}: " + "padding " * 8 + "\n"
    body = "".join(line.format(i=i) for i in range(19 * 1024 * 1024 // len(line)))
    return write(folder, "plan.yaml", PLAN + "x-terms:\n" + body)


@case("flow-list-under-cap", "a flow list of single digits just under the default size cap")
def _flow_list(folder: Path) -> Sequence[str]:
    items = (SIZE_CAP - 200) // 2
    return write(folder, "plan.yaml", PLAN + "x-list: [" + "1," * items + "1]\n")


@case("mapping-under-cap", "short keys in one mapping, just under the default size cap")
def _mapping(folder: Path) -> Sequence[str]:
    lines, size, i = [PLAN, "x-map:\n"], 0, 0
    while size < SIZE_CAP - 200:
        line = f" k{i}: 1\n"
        lines.append(line)
        size += len(line)
        i += 1
    return write(folder, "plan.yaml", "".join(lines))


@case("docs-under-cap", "tiny documents filling a file just under the default size cap")
def _docs_under_cap(folder: Path) -> Sequence[str]:
    unit = "---\nx: 1\n"
    return write(folder, "many.yaml", unit * ((SIZE_CAP - 200) // len(unit)))


@case("million-docs", "1,000,000 tiny documents in one file (9 MB: refused by the size cap)")
def _million_docs(folder: Path) -> Sequence[str]:
    return write(folder, "many.yaml", "---\nx: 1\n" * 1_000_000)


@case("docs-over-cap-allowed", "1,000,000 tiny documents with the size cap raised to 16 MB in the configuration")
def _million_docs_allowed(folder: Path) -> Sequence[str]:
    write(folder, ".incentive-lint.yaml", "limits:\n  max_file_size: 16777216\n")
    return write(folder, "many.yaml", "---\nx: 1\n" * 1_000_000)


REAL_PLAN = """\
# Customer success plan {i}: in force from the strategy start, on uptime delivered and retention.
kind: IncentivePlan
schema: incentive-lint/v1
id: ip-cs-{i}
title: Customer Success Manager Plan {i}
owner: vp-customer-success
status: active
plan_type: sales-bonus
eligible_roles: [cs-manager]
effective: {{from: 2025-01-01, to: 2025-12-31}}
last_reviewed: 2024-12-05
currency: EUR
pay_mix: {{base: 75, variable: 25}}
target_incentive: 20000
payout_frequency: quarterly
clawback: none
windfall_review: none           # every component is capped
components:
  - {{id: uptime, kpi: fleet-uptime, weight: 50, type: bonus, measured_at: team,
     target: {{basis: strategy-target, value: 98.5}}, threshold: 75, excellence: 130, cap: 200,
     performance_period_months: 3}}
  - {{id: nrr, kpi: net-revenue-retention, weight: 50, type: bonus, measured_at: team,
     target: {{basis: strategy-target, value: 102}}, threshold: 75, excellence: 120, cap: 150,
     performance_period_months: 12}}
"""


def _plans_file(folder: Path, size_limit: int) -> Sequence[str]:
    write(folder, ".incentive-lint.yaml", "select: [input]\n")  # reading is measured, not the cross-checks
    docs, size, i = [], 0, 0
    while True:
        doc = "---\n" + REAL_PLAN.format(i=i)
        if size + len(doc) > size_limit:
            break
        docs.append(doc)
        size += len(doc)
        i += 1
    return write(folder, "plans.yaml", "".join(docs))


@case("plans-500kb", "realistic, densely written plan documents: 500 KB of them in one file (input rules only)")
def _plans_half(folder: Path) -> Sequence[str]:
    return _plans_file(folder, 500 * 1024)


@case("plans-under-cap", "as above, just under the size cap: more values than one file may hold")
def _plans(folder: Path) -> Sequence[str]:
    return _plans_file(folder, SIZE_CAP - 200)


@case("header-without-kind", "our schema header, no kind, a misspelt kind, a list of documents")
def _headers(folder: Path) -> Sequence[str]:
    write(folder, "no-kind.yaml", "schema: incentive-lint/v1\nid: ip-a\n")
    write(folder, "knd.yaml", "knd: IncentivePlan\nschema: incentive-lint/v1\nid: ip-b\n")
    write(folder, "list.yaml", "- " + PLAN.replace("\n", "\n  ").rstrip() + "\n")
    return ["."]


@case("bad-tags", "explicit tags on garbage: !!timestamp next-monday, !!int abc, !!float x")
def _bad_tags(folder: Path) -> Sequence[str]:
    return write(folder, "plan.yaml", PLAN + "last_reviewed: !!timestamp next-monday\n"
                 "target_incentive: !!int abc\nx-a: !!float x\n")


# --------------------------------------------------------------------------- file-system cases
# (tests/test_hostile_files.py asserts their findings; here their cost is measured)


@case("link-loops-100", "100 links pointing at each other in pairs, and one plan")
def _link_loops(folder: Path) -> Sequence[str]:
    for i in range(50):
        os.symlink(f"b{i}.yaml", folder / f"a{i}.yaml")
        os.symlink(f"a{i}.yaml", folder / f"b{i}.yaml")
    write(folder, "plan.yaml", PLAN)
    return ["."]


@case("deep-tree-960", "a plan at the bottom of 960 nested folders (deeper ones: tests/test_hostile_files.py; "
      "the temp folder's clean-up, shutil.rmtree, recurses and fails near 990)")
def _deep_tree(folder: Path) -> Sequence[str]:
    here = os.fspath(folder)
    for _ in range(960):
        here += "/d"
        os.mkdir(here)  # one level at a time: os.makedirs itself recurses
    write(Path(here), "plan.yaml", PLAN)
    return ["."]


@case("wide-tree-5k", "5,000 empty folders beside one plan: the cost of walking")
def _wide_tree(folder: Path) -> Sequence[str]:
    for i in range(5000):
        os.mkdir(folder / f"f{i:04}")
    write(folder, "plan.yaml", PLAN)
    return ["."]


@case("links-out-dangling-200", "100 links to a file outside the repository, 100 broken links")
def _links_out(folder: Path) -> Sequence[str]:
    (folder.parent / "outside.yaml").write_text(PLAN, encoding="utf-8")
    for i in range(100):
        os.symlink(folder.parent / "outside.yaml", folder / f"out{i}.yaml")
        os.symlink(folder / f"missing{i}.yaml", folder / f"dangling{i}.yaml")
    write(folder, "plan.yaml", PLAN)
    return ["."]


@case("pipe-and-device", "a named pipe and a link to /dev/zero among the policy files (never opened)")
def _pipe_device(folder: Path) -> Sequence[str]:
    os.mkfifo(folder / "pipe.yaml")
    os.symlink("/dev/zero", folder / "zero.yaml")
    write(folder, "plan.yaml", PLAN)
    return ["."]


@case("non-utf8-names", "a file and a folder whose names are not UTF-8")
def _non_utf8(folder: Path) -> Sequence[str]:
    base = os.fsencode(folder)
    os.mkdir(base + b"/f\xe9")
    for name in (b"/caf\xe9.yaml", b"/f\xe9/plan.yaml"):
        with open(base + name, "w", encoding="utf-8") as handle:
            handle.write(PLAN)
    write(folder, "plan.yaml", PLAN)
    return ["."]


@case("register-linked-outside", "exceptions.yaml is a link to a register outside the repository (not read)")
def _register_outside(folder: Path) -> Sequence[str]:
    (folder.parent / "register.yaml").write_text(
        "- {rule: yaml-syntax, target: broken.yaml, reason: r, owner: o, approved_by: a, until: 2099-12-31}\n",
        encoding="utf-8")
    os.symlink(folder.parent / "register.yaml", folder / "exceptions.yaml")
    write(folder, "broken.yaml", "a: [\n")
    return ["."]


# --------------------------------------------------------------------------- running


def tool_command() -> list[str]:
    exe = shutil.which("incentive-lint")
    return [exe] if exe else [sys.executable, "-m", "incentive_lint"]


def maxrss_mb(ru_maxrss: int) -> float:
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


@dataclass(frozen=True)
class Measure:
    """What one run of one case cost and said."""

    name: str
    seconds: float
    #: user + system CPU seconds of the checking process (steadier than wall time on a busy machine)
    cpu: float
    peak_mb: float
    code: int | None
    findings: int | None
    rules: str
    timed_out: bool
    traceback: bool
    #: the last line the tool printed, shown when it failed
    last_line: str = ""

    @property
    def within(self) -> bool:
        return (not self.timed_out and not self.traceback and self.seconds < BOUND_SECONDS
                and self.peak_mb < BOUND_MB)


def measure(c: Case, timeout: float = 60.0) -> Measure:
    """Build ``c`` in a fresh temp folder and run ``check`` on it in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="il-hostile-") as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        (root / ".git").mkdir()  # the configuration is looked for up to here, no further
        # built in a child process: a large input built here would count in the peak RSS of the
        # checking process, which inherits this one's pages until it execs
        built = subprocess.run([sys.executable, __file__, "--build", c.name, str(root)], check=True,
                               capture_output=True, text=True)
        paths = built.stdout.split("\0")[:-1]
        report = Path(tmp) / "report.json"
        log = Path(tmp) / "log.txt"
        cmd = tool_command() + ["check", *paths, "--format", "json", "--output", str(report),
                                "--fail-on", "never"]
        killed = threading.Event()
        with open(log, "wb") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, env=tool_env())

            def kill() -> None:
                killed.set()
                proc.kill()
            timer = threading.Timer(timeout, kill)
            timer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        findings: int | None = None
        rules = ""
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
            found = data.get("findings", [])
            findings = len(found)
            counts = Counter(f.get("rule", "?") for f in found)
            rules = ", ".join(f"{r} {n}" for r, n in sorted(counts.items()))
        except (OSError, ValueError):
            pass
        text = log.read_text(encoding="utf-8", errors="replace")
    lines = text.strip().splitlines()
    return Measure(c.name, seconds, usage.ru_utime + usage.ru_stime, maxrss_mb(usage.ru_maxrss), proc.returncode, findings, rules,
                   killed.is_set(), "Traceback" in text, lines[-1] if lines else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="match", default="", help="run only cases whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--timeout", type=float, default=60.0, help="kill a run after this many seconds")
    parser.add_argument("--build", nargs=2, metavar=("CASE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        name, folder = args.build
        paths = next(c for c in CASES if c.name == name).build(Path(folder))
        sys.stdout.write("".join(f"{p}\0" for p in paths))
        return 0
    chosen = [c for c in CASES if args.match in c.name]
    if args.list:
        for c in chosen:
            print(f"{c.name:24}  {c.note}")
        return 0
    print(f"{'case':24} {'seconds':>8} {'cpu s':>6} {'peak MB':>8} {'exit':>4} {'findings':>8}  within  rules")
    over = 0
    for c in chosen:
        m = measure(c, args.timeout)
        verdict = "ok" if m.within else "OVER"
        over += not m.within
        extra = " TIMEOUT" if m.timed_out else (" TRACEBACK" if m.traceback else "")
        if m.code not in (0, None) or m.traceback:
            extra += f" ({m.last_line[:100]})"
        print(f"{m.name:24} {m.seconds:8.2f} {m.cpu:6.2f} {m.peak_mb:8.0f} {m.code!s:>4} {m.findings!s:>8}  {verdict:6}  "
              f"{m.rules}{extra}", flush=True)
    print(f"bound: {BOUND_SECONDS:g} s and {BOUND_MB:g} MB per case; {over} case(s) over")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
