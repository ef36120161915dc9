"""Hostile file systems: link loops, links leading out, unreadable folders and files, deep
trees, files that vanish, pipes, huge files and file names that are not UTF-8.

Each case must give a finding on that path (``file-refused`` unless another input rule
fits), never a traceback, while every other file of the run is still reported, and exit 1.
Whole runs happen in a child process under a guard (a timeout and a memory limit: a hang
or a runaway is a failure, not a slow test). Permission problems cannot be built for real
when the tests run as root (root may open anything), so those tests make ``os.scandir``,
``os.lstat`` or ``os.open`` refuse one path in-process; the chmod variants run otherwise.
"""
from __future__ import annotations

import json
import os
import resource
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from incentive_lint.read import files as files_module
from incentive_lint.run import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
ORG = "kind: Org\nschema: incentive-lint/v1\nid: org-{name}\n"
BROKEN = "a: [\n"  # a YAML syntax error: the finding that proves the rest was still read
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
MEMORY_LIMIT = 1024 * 1024 * 1024


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(cwd: Path, *args: str, fmt: str = "json") -> tuple[int, Any, str]:
    """(exit code, parsed JSON or text output, stderr) of ``incentive-lint check`` in a guarded child."""
    argv = [sys.executable, "-m", "incentive_lint", "check", *(["--format", fmt] if fmt else []), *args]
    done = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=120, preexec_fn=_limit_memory)
    out = done.stdout.decode("utf-8")
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err and "internal error" not in err, err
    return done.returncode, (json.loads(out) if fmt == "json" and out.strip() else out), err


def found(report: Any, rule: str | None = None) -> set[tuple[str, str]]:
    """(rule, file) of every finding of a JSON report."""
    return {(f["rule"], f["file"]) for f in report["findings"] if rule is None or f["rule"] == rule}


def message(report: Any, file: str) -> str:
    return " ".join(f["message"] for f in report["findings"] if f["file"] == file)


def repo(tmp_path: Path) -> Path:
    """A repository with one good file and one broken file (a finding that must stay reported)."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "good.yaml").write_text(ORG.format(name="good"))
    (root / "broken.yaml").write_text(BROKEN)
    return root


def in_process(root: Path, **extra: Any) -> Any:
    result, _ = lint(LintOptions(paths=extra.pop("paths", [root]), cwd=root, use_config=False, select=["input"],
                                 **extra))
    return result


# --------------------------------------------------------------------------- link loops


def make_loops(root: Path) -> None:
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")
    (root / "self.yaml").symlink_to("self.yaml")
    (root / "exceptions.yaml").symlink_to("exceptions.yaml")


LOOPED = {("file-refused", name) for name in ("a.yaml", "b.yaml", "self.yaml", "exceptions.yaml")}


def test_link_loops_in_folder_mode(tmp_path: Path) -> None:
    root = repo(tmp_path)
    make_loops(root)
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == LOOPED | {("yaml-syntax", "broken.yaml")}
    assert "loop" in message(report, "a.yaml")


def test_link_loops_in_batch_mode(tmp_path: Path) -> None:
    root = repo(tmp_path)
    make_loops(root)
    code, report, _ = run_cli(root, "a.yaml", "self.yaml", "broken.yaml", "good.yaml")
    assert code == 1
    # the register beside the named files is a loop too: reported although it was not named
    assert found(report) == {("file-refused", "a.yaml"), ("file-refused", "self.yaml"),
                             ("file-refused", "exceptions.yaml"), ("yaml-syntax", "broken.yaml")}


def test_link_loops_in_pre_commit_mode(tmp_path: Path) -> None:
    root = repo(tmp_path)
    make_loops(root)
    code, report, _ = run_cli(root, "--only-files", "--", "a.yaml", "broken.yaml")
    assert code == 1
    assert found(report) == {("file-refused", "a.yaml"), ("yaml-syntax", "broken.yaml")}


def test_folder_links_are_followed_once_and_loops_refused(tmp_path: Path) -> None:
    """A link to a folder inside the repository is followed; a link back up is a loop (refused);
    a second name for a folder adds no file twice; a link to a folder outside is refused."""
    root = repo(tmp_path)
    (root / "plans").mkdir()
    (root / "plans" / "p.yaml").write_text(ORG.format(name="plans"))
    (root / "plans" / "up").symlink_to("..")
    (root / "a-plans").symlink_to("plans")  # walked before 'plans': its files are seen through the link
    (root / "itself").symlink_to(".")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(ORG.format(name="secret"))
    (root / "out").symlink_to(outside)
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == {("file-refused", "itself"), ("file-refused", "a-plans/up"), ("file-refused", "out"),
                             ("yaml-syntax", "broken.yaml")}
    assert "loop" in message(report, "itself") and "outside" in message(report, "out")
    _, text, _ = run_cli(root, "--show-files", fmt="")
    checked = [line.split()[1] for line in text.splitlines() if line.startswith("checked ")]
    assert checked == ["a-plans/p.yaml", "broken.yaml", "good.yaml"]  # plans/p.yaml once, by its first name
    assert "secret" not in text


# --------------------------------------------------------------------------- deep trees


def nest(root: Path, depth: int) -> Path:
    """``root/d/d/.../d`` made one level at a time (``mkdir(parents=True)`` itself recurses)."""
    folder = os.fspath(root)
    for _ in range(depth):
        folder += "/d"
        os.mkdir(folder)
    return Path(folder)


def unnest(root: Path, depth: int) -> None:
    """Remove what :func:`nest` made, deepest first (pytest's own clean-up recurses and would fail)."""
    folder = os.fspath(root) + "/d" * depth
    for _ in range(depth):
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)
        folder = os.path.dirname(folder)


def test_deep_tree_is_walked_without_recursion(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (nest(root, 990) / "deep.yaml").write_text(BROKEN)
    try:
        code, report, _ = run_cli(root)
    finally:
        unnest(root, 990)
    assert code == 1
    assert found(report) == {("yaml-syntax", "broken.yaml"), ("yaml-syntax", "d/" * 990 + "deep.yaml")}


def test_walk_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    root = repo(tmp_path)
    depth = sys.getrecursionlimit() + 200
    (nest(root, depth) / "deep.yaml").write_text(BROKEN)
    try:
        candidates, issues = files_module.discover([root], root)
    finally:
        unnest(root, depth)
    assert not issues
    assert [c.display for c in candidates] == ["broken.yaml", "d/" * depth + "deep.yaml", "good.yaml"]


# --------------------------------------------------------------------------- permissions


def refuse(monkeypatch: pytest.MonkeyPatch, name: str, target: Path, error: OSError) -> None:
    """Make ``os.<name>`` raise ``error`` for ``target`` only (root ignores real permissions)."""
    real: Callable[..., Any] = getattr(os, name)

    def fake(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path) == os.fspath(target):
            raise error
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, name, fake)


def denied() -> PermissionError:
    return PermissionError(13, "Permission denied")


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path)
    (root / "secret").mkdir()
    (root / "secret" / "plan.yaml").write_text(ORG.format(name="secret"))
    refuse(monkeypatch, "scandir", root / "secret", denied())
    result = in_process(root)
    assert {(f.rule, f.span.file) for f in result.findings} == {("file-refused", "secret"),
                                                                ("yaml-syntax", "broken.yaml")}
    assert "permission denied" in next(f.message for f in result.findings if f.span.file == "secret")
    assert ("secret", "permission") in result.skipped_files
    assert result.exit_code() == 1


def test_named_file_in_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path)
    (root / "secret").mkdir()
    hidden = root / "secret" / "plan.yaml"
    hidden.write_text(ORG.format(name="secret"))
    refuse(monkeypatch, "lstat", hidden, denied())
    result = in_process(root, paths=[Path("secret/plan.yaml"), Path("broken.yaml")])
    assert {(f.rule, f.span.file) for f in result.findings} == {("file-refused", "secret/plan.yaml"),
                                                                ("yaml-syntax", "broken.yaml")}


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path)
    (root / "locked.yaml").write_text(ORG.format(name="locked"))
    refuse(monkeypatch, "open", root / "locked.yaml", denied())
    result = in_process(root, jobs=1)
    assert {(f.rule, f.span.file) for f in result.findings} == {("file-refused", "locked.yaml"),
                                                                ("yaml-syntax", "broken.yaml")}
    assert result.exit_code() == 1


@pytest.mark.skipif(IS_ROOT, reason="root reads every file whatever its mode; the monkeypatched tests above "
                                    "cover the same code path")
def test_chmod_000_folder_and_file(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "secret").mkdir()
    (root / "secret" / "plan.yaml").write_text(ORG.format(name="secret"))
    (root / "locked.yaml").write_text(ORG.format(name="locked"))
    os.chmod(root / "locked.yaml", 0)
    os.chmod(root / "secret", 0)
    try:
        code, report, _ = run_cli(root)
    finally:
        os.chmod(root / "secret", 0o755)
    assert code == 1
    assert found(report) == {("file-refused", "secret"), ("file-refused", "locked.yaml"),
                             ("yaml-syntax", "broken.yaml")}


def test_file_that_vanishes_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path)
    gone = root / "gone.yaml"
    gone.write_text(ORG.format(name="gone"))
    real_discover = files_module.discover

    def discover_then_delete(*args: Any) -> Any:
        out = real_discover(*args)
        gone.unlink()  # deleted between listing and reading, as by a concurrent checkout
        return out

    import incentive_lint.engine.workspace as workspace

    monkeypatch.setattr(workspace, "discover", discover_then_delete)
    result = in_process(root, jobs=1)
    assert {(f.rule, f.span.file) for f in result.findings} == {("file-refused", "gone.yaml"),
                                                                ("yaml-syntax", "broken.yaml")}
    assert ("gone.yaml", "vanished") in result.skipped_files


# --------------------------------------------------------------------------- names


def test_non_utf8_names_are_reported_escaped(tmp_path: Path) -> None:
    root = repo(tmp_path)
    os.mkdir(os.fsencode(root) + b"/f\xe9")
    with open(os.fsencode(root) + b"/f\xe9/plan.yaml", "w") as handle:
        handle.write(ORG.format(name="in-folder"))
    with open(os.fsencode(root) + b"/caf\xe9.yaml", "w") as handle:
        handle.write(ORG.format(name="cafe"))
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == {("file-refused", "caf\\xe9.yaml"), ("file-refused", "f\\xe9"),
                             ("yaml-syntax", "broken.yaml")}
    code, text, _ = run_cli(root, "--show-files", fmt="text")
    assert code == 1
    assert "skipped  caf\\xe9.yaml  (name not UTF-8)" in text
    assert "2 files not read: 2 names not UTF-8." in text


# --------------------------------------------------------------------------- refused is an error


def _outside(root: Path) -> None:
    (root.parent / "outside.yaml").write_text(ORG.format(name="outside"))
    (root / "link.yaml").symlink_to(root.parent / "outside.yaml")


def _dangling(root: Path) -> None:
    (root / "link.yaml").symlink_to(root / "nothing.yaml")


def _fifo(root: Path) -> None:
    os.mkfifo(root / "link.yaml")


def _huge(root: Path) -> None:
    with open(root / "link.yaml", "wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: costs no disk


def _device(root: Path) -> None:
    (root / "link.yaml").symlink_to("/dev/zero")


@pytest.mark.parametrize("make", [_outside, _dangling, _fifo, _huge, _device], ids=lambda f: f.__name__[1:])
def test_refused_file_fails_the_run(tmp_path: Path, make: Callable[[Path], None]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "good.yaml").write_text(ORG.format(name="good"))
    make(root)
    code, report, _ = run_cli(root)
    assert found(report) == {("file-refused", "link.yaml")}
    assert code == 1


def test_refused_severity_is_configurable(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "good.yaml").write_text(ORG.format(name="good"))
    _dangling(root)
    (root / ".incentive-lint.yaml").write_text("rules:\n  file-refused: warning\n")
    code, report, _ = run_cli(root)
    assert [f["severity"] for f in report["findings"]] == ["warning"]
    assert code == 0


# --------------------------------------------------------------------------- nothing outside the root


REGISTER = """- rule: yaml-syntax
  target: broken.yaml
  reason: SECRET-FROM-OUTSIDE
  owner: Head of Reward
  approved_by: Remuneration Committee
  until: 2099-12-31
"""


def test_register_linked_outside_is_not_read(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (tmp_path / "register.yaml").write_text(REGISTER)
    (root / "exceptions.yaml").symlink_to(tmp_path / "register.yaml")
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == {("file-refused", "exceptions.yaml"), ("yaml-syntax", "broken.yaml")}
    assert "SECRET-FROM-OUTSIDE" not in json.dumps(report)
    # the control: the same register inside the repository accepts the finding
    (root / "exceptions.yaml").unlink()
    (root / "exceptions.yaml").write_text(REGISTER)
    code, report, _ = run_cli(root)
    assert (code, found(report)) == (0, set())


def test_register_named_outside_by_config_is_not_read(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (tmp_path / "register.yaml").write_text(REGISTER)
    (root / ".incentive-lint.yaml").write_text("exceptions: ../register.yaml\n")
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == {("file-refused", ".incentive-lint.yaml"), ("yaml-syntax", "broken.yaml")}
    assert "'../register.yaml'" in message(report, ".incentive-lint.yaml")
    assert "SECRET-FROM-OUTSIDE" not in json.dumps(report)


def test_register_found_beside_config_and_linked_outside(tmp_path: Path) -> None:
    """Checking a sub-folder: the register beside the config is not among the files checked."""
    root = repo(tmp_path)
    (root / "plans").mkdir()
    (root / "plans" / "broken.yaml").write_text(BROKEN)
    (root / ".incentive-lint.yaml").write_text("assume_rollover: true\n")
    (tmp_path / "register.yaml").write_text(REGISTER.replace("broken.yaml", "plans/broken.yaml"))
    (root / "exceptions.yaml").symlink_to(tmp_path / "register.yaml")
    code, report, _ = run_cli(root, "plans")
    assert code == 1
    assert found(report) == {("file-refused", "exceptions.yaml"), ("yaml-syntax", "plans/broken.yaml")}


def test_config_linked_outside_is_not_read(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (tmp_path / "shared.yaml").write_text("ignore: [yaml-syntax]\n")
    (root / ".incentive-lint.yaml").symlink_to(tmp_path / "shared.yaml")
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == {("file-refused", ".incentive-lint.yaml"), ("yaml-syntax", "broken.yaml")}
    # a configuration named on the command line may be anywhere
    code, report, _ = run_cli(root, "--config", str(tmp_path / "shared.yaml"))
    assert (code, found(report)) == (0, set())


def test_rule_folder_outside_is_not_read(tmp_path: Path) -> None:
    root = repo(tmp_path)
    shared = tmp_path / "shared-rules" / "my-rule"
    shared.mkdir(parents=True)
    (shared / "rule.yaml").write_text("not: a rule\n")  # would stop the run (exit 2) if it were read
    (root / ".incentive-lint.yaml").write_text("assume_rollover: true\nrule_paths:\n  - ../shared-rules\n")
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == {("file-refused", ".incentive-lint.yaml"), ("yaml-syntax", "broken.yaml")}
    assert [f["start_line"] for f in report["findings"] if f["rule"] == "file-refused"] == [3]


def test_rule_file_linked_outside_is_not_read(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "rule.yaml").write_text("not: a rule\n")
    (root / "rules" / "my-rule").mkdir(parents=True)
    (root / "rules" / "my-rule" / "rule.yaml").symlink_to(tmp_path / "elsewhere" / "rule.yaml")
    (root / ".incentive-lint.yaml").write_text("rule_paths: [rules]\n")
    code, report, _ = run_cli(root)
    assert code == 1
    assert found(report) == {("file-refused", "rules/my-rule/rule.yaml"), ("yaml-syntax", "broken.yaml")}


def test_baseline_given_on_command_line_may_be_outside(tmp_path: Path) -> None:
    root = repo(tmp_path)
    baseline = tmp_path / "baseline.yaml"
    done = subprocess.run([sys.executable, "-m", "incentive_lint", "baseline", "--output", str(baseline)], cwd=root,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code, report, _ = run_cli(root, "--baseline", str(baseline))
    assert (code, found(report)) == (0, set())


def test_baseline_that_is_a_pipe_does_not_hang(tmp_path: Path) -> None:
    root = repo(tmp_path)
    os.mkfifo(root / "baseline.yaml")
    code, _, err = run_cli(root, "--baseline", "baseline.yaml")
    assert code == 2 and "'baseline.yaml' is not a regular file" in err


# --------------------------------------------------------------------------- --show-files


def test_show_files_lists_and_counts(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "notes.yaml").write_text("title: not a policy file\n")
    (tmp_path / "o1.yaml").write_text(ORG.format(name="o1"))
    (root / "out1.yaml").symlink_to(tmp_path / "o1.yaml")
    (root / "out2.yaml").symlink_to(tmp_path / "o1.yaml")
    (root / "loop.yaml").symlink_to("loop.yaml")
    code, text, _ = run_cli(root, "--show-files", fmt="")
    assert code == 1
    lines = text.splitlines()
    assert lines[:6] == [
        "checked  broken.yaml",
        "checked  good.yaml",
        "skipped  loop.yaml  (link loop)",
        "skipped  notes.yaml  (no 'kind', not a policy file)",
        "skipped  out1.yaml  (link outside the folder)",
        "skipped  out2.yaml  (link outside the folder)",
    ]
    assert "3 files not read: 2 links outside the folder, 1 link loop." in lines
    # with JSON on stdout the listing goes to stderr, and stdout stays JSON
    code, report, err = run_cli(root, "--show-files")
    assert "checked  good.yaml" in err and report["findings"]


def test_show_files_off_by_default(tmp_path: Path) -> None:
    root = repo(tmp_path)
    _, text, _ = run_cli(root, fmt="")
    assert "checked  good.yaml" not in text


# --------------------------------------------------------------------------- pre-commit


@pytest.mark.parametrize("hook", ["incentive-lint", "incentive-lint-all"])
def test_pre_commit_entry_takes_a_dash_file_name(tmp_path: Path, hook: str) -> None:
    """Run the manifest's entry as pre-commit does: entry words, then the staged file names."""
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    entry = shlex.split(hooks[hook]["entry"])
    assert entry[0] == "incentive-lint" and entry[-1] == "--"
    root = repo(tmp_path)
    (root / "-x.yaml").write_text(BROKEN)
    staged = ["-x.yaml", "good.yaml"] if hooks[hook].get("pass_filenames", True) else []
    argv = [sys.executable, "-m", "incentive_lint", *entry[1:], *staged]
    done = subprocess.run(argv, cwd=root, capture_output=True, timeout=120, preexec_fn=_limit_memory)
    err = done.stderr.decode()
    assert "no such option" not in err.lower() and "Traceback" not in err
    assert done.returncode == 1, err
    assert "-x.yaml:2:1 error yaml-syntax" in done.stdout.decode()
