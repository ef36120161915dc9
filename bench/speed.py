"""The speed cases of a corpus, each as seconds and as a ratio to the floor measured in the same
invocation: a fresh process that reads every YAML file of the corpus with
``yaml.load_all(..., Loader=yaml.CSafeLoader)`` (PyYAML's C parser, building plain Python data)
and nothing else.

    python bench/speed.py bench/corpus/medium
    python bench/speed.py bench/corpus/large --repeat 1

Cases (every run is a new process, as in CI and pre-commit):

* ``cold, default jobs`` and ``cold, -j 1``: an empty cache folder;
* ``no cache``: ``--no-cache``;
* ``warm re-run``: nothing changed since the run before;
* ``one plan edited``: one plan file changed (a comment appended), then restored;
* ``--only-files one plan, cold`` and ``..., warm``: the pre-commit hook on one plan, the second
  time on the same, unchanged file;
* ``--only-files one plan edited, warm``: the pre-commit hook as it really runs, on a plan just
  changed, with the cache of an earlier run;
* ``--version``.

Each case runs ``--repeat`` times (default 3) and its median is printed, with the peak RSS of the
largest process (``os.wait4``). Standard library only, apart from PyYAML for the floor.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from run import maxrss_mb, tool_command, tool_env  # bench/run.py: this folder is on the path when run as a script

FLOOR = """
import os, sys, yaml
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for name in sorted(files):
        if name.endswith((".yaml", ".yml")) and not name.startswith("."):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                list(yaml.load_all(fh.read(), Loader=yaml.CSafeLoader))
"""


def timed(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{err}")
    return seconds, maxrss_mb(usage.ru_maxrss), code


def first_plan(corpus: Path) -> Path:
    plans = sorted((corpus / "plans").rglob("*.yaml"))
    if not plans:
        raise SystemExit(f"{corpus} has no plans/ folder; generate a corpus with bench/generate.py")
    return plans[len(plans) // 2]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--as-of", default="2025-03-01",
                    help="the date plans are checked for (default: the corpus's year, as run.py; today would "
                         "leave most plans out of force and change the work from day to day)")
    args = ap.parse_args(argv)
    corpus = args.corpus.resolve()
    plan = first_plan(corpus)
    plan_name = plan.relative_to(corpus).as_posix()
    original = plan.read_bytes()
    cache = Path(tempfile.mkdtemp(prefix="il-bench-cache-"))
    out = Path(tempfile.mkdtemp(prefix="il-bench-out-")) / "report.json"
    env = {**tool_env(), "INCENTIVE_LINT_CACHE_DIR": str(cache)}
    env.pop("CI", None)
    check = tool_command() + ["check", "--format", "json", "--output", str(out), "--fail-on", "never",
                      "--no-respect-gitignore", "--as-of", args.as_of]

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()

    def edit() -> None:
        plan.write_bytes(original + f"# edited {time.perf_counter_ns()}\n".encode())

    def nothing() -> None:
        pass

    def warm_with(extra: Sequence[str]) -> Callable[[], None]:
        def prepare() -> None:
            plan.write_bytes(original)
            timed(check + list(extra), corpus, env)
        return prepare

    cases: list[tuple[str, list[str], Callable[[], None]]] = [
        ("floor: yaml.load_all (CSafeLoader)", [sys.executable, "-c", FLOOR, str(corpus)], nothing),
        ("cold, default jobs", check + ["."], empty_cache),
        ("cold, -j 1", check + ["-j", "1", "."], empty_cache),
        ("no cache", check + ["--no-cache", "."], nothing),
        ("warm re-run", check + ["."], warm_with(["."])),
        ("one plan edited", check + ["."], lambda: (warm_with(["."])(), edit())),
        ("--only-files one plan, cold", check + ["--only-files", plan_name], empty_cache),
        ("--only-files one plan, warm", check + ["--only-files", plan_name], warm_with(["--only-files", plan_name])),
        ("--only-files one plan edited, warm", check + ["--only-files", plan_name],
         lambda: (warm_with(["--only-files", plan_name])(), edit())),
        ("--version", tool_command() + ["--version"], nothing),
    ]
    timed(tool_command() + ["--version"], corpus, env)  # writes the bytecode of a checkout, once
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] / "incentive_lint")],
                   env=env, check=False, stdout=subprocess.DEVNULL)
    files = sum(1 for p in corpus.rglob("*.y*ml") if not p.name.startswith("."))
    print(f"corpus {corpus.name}: {files:,} YAML files; edited plan {plan_name}; median of {args.repeat}")
    print(f"{'case':<38} {'seconds':>8} {'x floor':>8} {'x cold':>7} {'peak MB':>8}")
    floor = cold = None
    try:
        for name, cmd, prepare in cases:
            runs = []
            for _ in range(args.repeat):
                prepare()
                runs.append(timed(cmd, corpus, env))
                plan.write_bytes(original)
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            floor = seconds if floor is None else floor
            if name == "cold, default jobs":
                cold = seconds
            ratio_cold = f"{seconds / cold:7.2f}" if cold and name != "cold, default jobs" else f"{'':>7}"
            print(f"{name:<38} {seconds:8.3f} {seconds / floor:8.2f} {ratio_cold} {peak:8.0f}")
    finally:
        plan.write_bytes(original)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
