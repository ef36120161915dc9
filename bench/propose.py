#!/usr/bin/env python3
"""Time ``incentive-lint propose`` end to end, as a user runs it, with the time of each phase.

    python bench/propose.py bench/corpus/medium [--repeat 3] [--cold] [-- extra propose args]

Each run starts ``incentive-lint propose PATH --as-of 2025-03-01 --no-respect-gitignore
--format json --output <tmp> --timings`` as a fresh process (the console script on PATH, else
``python -m incentive_lint``) and prints one row per run and the median: wall seconds from start
to exit, and the seconds of each phase as the run measured them itself (``--timings`` on
stderr): lint, build (the optimisation problem), solve, patch (positions, edits, diff) and
re-lint (the patched files checked in memory). The wall time also holds starting Python,
importing and writing the output, which no phase counts. The last columns are the proposal's
status and how many weights it changes.

``propose`` uses the persistent cache as ``check`` does. By default the first run is an untimed
warm-up, so the rows are warm runs (the cache holds every unchanged file); ``--cold`` gives each
run an empty cache folder of its own instead (``--cache-dir``), as on a fresh checkout.

Standard library only, like ``run.py``.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PHASES = ("lint", "build", "solve", "patch", "re-lint")
_LAP = re.compile(r"^\s+(\S+)\s+([0-9.]+) s$")


def tool_command() -> list[str]:
    exe = shutil.which("incentive-lint")
    if exe:
        return [exe]
    return [sys.executable, "-m", "incentive_lint"]


def phases(stderr: str) -> dict[str, float]:
    """The laps ``--timings`` printed: phase -> seconds."""
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        match = _LAP.match(line)
        if match:
            out[match.group(1)] = float(match.group(2))
    return out


def one_run(path: Path, extra: list[str], timeout: float | None, cache_dir: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "proposal.json"
        cmd = [*tool_command(), "propose", str(path), "--as-of", "2025-03-01", "--no-respect-gitignore",
               "--format", "json", "--output", str(report), "--timings", *extra]
        if cache_dir is not None:
            cmd += ["--cache-dir", str(cache_dir)]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - start
        if done.returncode not in (0, 1):
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"propose exited {done.returncode}")
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
    return {"wall": wall, "phases": phases(done.stderr), "status": data.get("status", "-"),
            "changes": len(data.get("changes", [])), "added": len(data.get("added", []))}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path, help="policy repository (corpus) to propose for")
    ap.add_argument("--repeat", "-k", type=int, default=3, help="timed runs (default %(default)s)")
    ap.add_argument("--cold", action="store_true", help="every run with an empty cache (no warm-up run)")
    ap.add_argument("--timeout", type=float, help="kill a run after this many seconds")
    ap.add_argument("--json", dest="json_out", type=Path, help="also write the results here as JSON")
    opts = ap.parse_args(args)
    if not opts.path.exists():
        ap.error(f"{opts.path} does not exist; generate it with bench/generate.py")
    runs = []
    with tempfile.TemporaryDirectory() as caches:
        if not opts.cold:
            one_run(opts.path, extra, opts.timeout, None)  # warm-up: fills the cache
        for n in range(opts.repeat):
            cache = Path(caches) / f"run{n}" if opts.cold else None
            runs.append(one_run(opts.path, extra, opts.timeout, cache))
    header = ["run", "wall s", *PHASES, "status", "changes", "added"]
    print("  ".join(f"{h:>8}" for h in header))
    for n, r in enumerate(runs, 1):
        cells = [str(n), f"{r['wall']:.2f}", *(f"{r['phases'].get(p, 0.0):.2f}" for p in PHASES),
                 r["status"], str(r["changes"]), str(r["added"])]
        print("  ".join(f"{c:>8}" for c in cells))
    median = ["median", f"{statistics.median(r['wall'] for r in runs):.2f}",
              *(f"{statistics.median(r['phases'].get(p, 0.0) for r in runs):.2f}" for p in PHASES)]
    print("  ".join(f"{c:>8}" for c in median))
    if opts.json_out is not None:
        opts.json_out.write_text(json.dumps({"path": str(opts.path), "cold": opts.cold, "runs": runs}, indent=2) + "\n",
                                 encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
