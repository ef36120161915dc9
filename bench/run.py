#!/usr/bin/env python3
"""Time incentive-lint end to end, as a user runs it.

    python bench/run.py bench/corpus/medium [--repeat 3] [-- extra check args]
    python bench/run.py --single bench/corpus/small/plans/apac-anz/plan-apacanz-00033.yaml

Each run starts ``incentive-lint check PATH --format json --output <tmp> --fail-on never --no-respect-gitignore``
as a fresh process (the console script on PATH, else ``python -m incentive_lint``) and
prints one row per run and the median: files, MB (10^6 bytes) of YAML, wall seconds,
MB/s, CPU seconds (user + system), peak RSS in MB and the number of findings in the JSON
report (its top-level ``findings`` list).

Peak RSS comes from ``os.wait4`` on that run's pid, so it belongs to that run alone. It
is the largest single process of the run (the CLI, or a worker it waited for), not the
sum over ``--jobs`` workers. Reading: Linux reports ``ru_maxrss`` in KiB, macOS in bytes.

``--single FILE`` times the pre-commit case: ``check FILE`` run from the repository root
(found by walking up from FILE to a folder with ``.incentive-lint.yaml``, ``.git`` or
``strategy/``; or give ``--root``), so the tool sees a repo-relative path as it does under
pre-commit.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

YAML_SUFFIXES = (".yaml", ".yml")


def tool_command() -> list[str]:
    exe = shutil.which("incentive-lint")
    if exe:
        return [exe]
    return [sys.executable, "-m", "incentive_lint"]


def corpus_size(path: Path) -> tuple[int, int]:
    """(YAML files, bytes) under path, skipping hidden folders as a linter would."""
    if path.is_file():
        return 1, path.stat().st_size
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(YAML_SUFFIXES):
                files += 1
                size += os.stat(os.path.join(dirpath, name)).st_size
    return files, size


def find_root(file: Path) -> Path:
    for parent in file.resolve().parents:
        if (parent / ".incentive-lint.yaml").exists() or (parent / ".git").exists() \
                or (parent / "strategy").is_dir():
            return parent
    return file.resolve().parent


def tool_env() -> dict[str, str]:
    """The environment of a measured run. An installed package has its bytecode compiled by pip;
    with PYTHONDONTWRITEBYTECODE set, a checkout would compile every module on every run (about
    0.15 s) and the figures would measure that instead."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def maxrss_mb(ru_maxrss: int) -> float:
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def count_findings(report: Path) -> tuple[int | None, dict[str, int]]:
    """Findings in the JSON report, and a count by severity; None if there is no list."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, {}
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list):
        return None, {}
    by_sev: dict[str, int] = {}
    for f in findings:
        sev = f.get("severity", "?") if isinstance(f, dict) else "?"
        by_sev[str(sev)] = by_sev.get(str(sev), 0) + 1
    return len(findings), by_sev


def run_once(cmd: list[str], cwd: Path, timeout: float | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="il-bench-") as tmp:
        report = Path(tmp) / "report.json"
        full = cmd + ["--output", str(report)]
        out_path = Path(tmp) / "stdout+stderr.txt"
        killed = threading.Event()
        with open(out_path, "wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=tool_env())
            timer = None
            if timeout is not None:
                def kill() -> None:
                    killed.set()
                    proc.kill()
                timer = threading.Timer(timeout, kill)
                timer.start()
            _, status, ru = os.wait4(proc.pid, 0)        # blocking: wall time is not rounded
            wall = time.perf_counter() - t0
            if timer is not None:
                timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)   # keep Popen from waiting again
        n, by_sev = count_findings(report)
        output = out_path.read_text(encoding="utf-8", errors="replace")
    return dict(wall=wall, cpu=ru.ru_utime + ru.ru_stime, rss=maxrss_mb(ru.ru_maxrss),
                rc=proc.returncode, findings=n, by_severity=by_sev, output=output,
                timed_out=killed.is_set())


def fmt_row(cols: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) for c, w in zip(cols, widths))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 usage="%(prog)s (DIR | --single FILE) [options] [-- extra check args]")
    ap.add_argument("path", nargs="?", type=Path, help="policy repository (corpus) to check")
    ap.add_argument("--single", type=Path, metavar="FILE", help="time `check FILE` (pre-commit case)")
    ap.add_argument("--root", type=Path, help="with --single: the repository root to run from")
    ap.add_argument("--repeat", "-k", type=int, default=3, help="timed runs (default %(default)s)")
    ap.add_argument("--warmup", type=int, default=0, help="untimed runs first (default %(default)s)")
    ap.add_argument("--timeout", type=float, help="kill a run after this many seconds")
    ap.add_argument("--json", dest="json_out", type=Path, help="also write the results here as JSON")
    ap.add_argument("--show-output", action="store_true", help="print the tool's own output of the last run")
    args = ap.parse_args(argv)
    if (args.path is None) == (args.single is None):
        ap.error("give a corpus DIR or --single FILE (not both)")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    if args.single:
        target = args.single
        if not target.is_file():
            ap.error(f"{target} is not a file")
        cwd = (args.root or find_root(target)).resolve()
        try:
            arg = str(target.resolve().relative_to(cwd))
        except ValueError:
            arg = str(target.resolve())
        n_files, n_bytes = 1, target.stat().st_size
    else:
        target = args.path
        if not target.is_dir():
            ap.error(f"{target} is not a directory")
        cwd = Path.cwd()
        arg = str(target)
        n_files, n_bytes = corpus_size(target)

    # bench/corpus/ is in the project's .gitignore, which applies below the git root as in git
    cmd = tool_command() + ["check", arg, "--format", "json", "--fail-on", "never", "--no-respect-gitignore", *extra]
    print(f"# {' '.join(cmd)} --output <tmp>   (cwd {cwd})")
    print(f"# python {platform.python_version()}, {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs; {n_files} YAML files, {n_bytes / 1e6:.2f} MB")

    for _ in range(args.warmup):
        run_once(cmd, cwd, args.timeout)

    single = args.single is not None
    head = ["run", "files", "MB", "wall ms" if single else "wall s", "MB/s", "CPU s", "peak RSS MB", "findings"]
    widths = [6, 7, 7, 8, 7, 7, 11, 8]
    print(fmt_row(head, widths))
    runs = []
    for i in range(args.repeat):
        r = run_once(cmd, cwd, args.timeout)
        runs.append(r)
        wall = f"{r['wall'] * 1000:.0f}" if single else f"{r['wall']:.2f}"
        row = [str(i + 1), str(n_files), f"{n_bytes / 1e6:.2f}", wall, f"{n_bytes / 1e6 / r['wall']:.2f}",
               f"{r['cpu']:.2f}", f"{r['rss']:.1f}", "-" if r["findings"] is None else str(r["findings"])]
        note = ""
        if r["timed_out"]:
            note = "  TIMEOUT"
        elif r["rc"] not in (0, 1):
            note = f"  exit {r['rc']}"
        print(fmt_row(row, widths) + note, flush=True)

    med_wall = statistics.median(r["wall"] for r in runs)
    med = ["median", str(n_files), f"{n_bytes / 1e6:.2f}",
           f"{med_wall * 1000:.0f}" if single else f"{med_wall:.2f}", f"{n_bytes / 1e6 / med_wall:.2f}",
           f"{statistics.median(r['cpu'] for r in runs):.2f}", f"{statistics.median(r['rss'] for r in runs):.1f}",
           "-" if runs[-1]["findings"] is None else str(runs[-1]["findings"])]
    print(fmt_row(med, widths))
    last = runs[-1]
    if last["by_severity"]:
        print("# findings by severity (last run): " +
              ", ".join(f"{k} {v}" for k, v in sorted(last["by_severity"].items())))
    failed = [r for r in runs if r["rc"] not in (0, 1) or r["timed_out"]]
    if failed or args.show_output:
        shown = failed[-1] if failed else last
        tail = shown["output"].strip().splitlines()[-25:]
        if tail:
            print("# tool output (last 25 lines):")
            print("\n".join("  " + line for line in tail))
    if last["findings"] is None and not failed:
        print("# no 'findings' list in the JSON report")
    if args.json_out:
        args.json_out.write_text(json.dumps({
            "command": cmd, "cwd": str(cwd), "files": n_files, "bytes": n_bytes,
            "runs": [{k: v for k, v in r.items() if k != "output"} for r in runs],
            "median_wall_s": med_wall}, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
