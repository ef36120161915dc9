"""Lint an earlier state of the repository: the merge-base of a git reference and HEAD.

Used by ``check --new-since REF`` (report only findings whose fingerprint is new) and by
the ``report`` command's comparison. The earlier tree is exported into a temporary folder
with a private index (``git read-tree`` + ``git checkout-index``, YAML files only): the user's index,
worktree list and hooks are not touched, nothing is fetched, and the folder is removed
before returning. Inside it the run uses the same relative working folder, paths and
configuration location as the current run, so file names in findings (and the
fingerprints built from them) are identical to the current run's.

The configuration used for the earlier tree is the one *in* that tree at the same place
(a rule switched on by the change is therefore new); a ``--config`` file outside the
repository is used as it is for both runs.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

from incentive_lint.settings.config import CONFIG_NAME
from incentive_lint.base.errors import UsageError
from incentive_lint.engine.workspace import LintOptions
from incentive_lint.read.files import YAML_EXTENSIONS


def _git(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    # never prompt, never page, never run a user's hooks or credential helpers against a remote
    full_env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    if env:
        full_env.update(env)
    try:
        return subprocess.run(["git", *args], cwd=str(cwd), env=full_env, capture_output=True, text=True,
                              check=False)
    except FileNotFoundError:
        raise UsageError("comparing with a git reference needs the 'git' program, which was not found; "
                         "install git or drop --new-since.") from None


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no details"


def repository_root(start: Path) -> Path:
    """The top folder of the git working tree containing ``start`` (UsageError if none)."""
    folder = start if start.is_dir() else start.parent
    done = _git(["rev-parse", "--show-toplevel"], folder)
    if done.returncode != 0 or not done.stdout.strip():
        raise UsageError(f"'{start}' is not inside a git repository, so there is no earlier version to compare "
                         "with; run from the repository's folder or drop --new-since.")
    return Path(done.stdout.strip()).resolve()


def merge_base(ref: str, root: Path) -> str:
    """The commit where HEAD's history meets REF's (UsageError with a remedy otherwise)."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"'{ref}' is not a git reference; give a branch, tag or commit such as origin/main.")
    target = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    if target.returncode != 0:
        raise UsageError(f"unknown git reference '{ref}' in {root}; check the branch or tag name (a CI checkout may "
                         "need 'git fetch origin <branch>' first).")
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
    if head.returncode != 0:
        raise UsageError(f"the repository {root} has no commit yet (HEAD is unborn); commit once before using "
                         "--new-since.")
    base = _git(["merge-base", target.stdout.strip(), head.stdout.strip()], root)
    if base.returncode != 0 or not base.stdout.strip():
        raise UsageError(f"'{ref}' and HEAD have no common commit in {root}; in a shallow CI checkout fetch the "
                         "whole history (actions/checkout with fetch-depth: 0, GitLab GIT_DEPTH: 0).")
    return base.stdout.strip()


def export_tree(commit: str, root: Path, dest: Path) -> None:
    """Write the YAML files of ``commit`` (all incentive-lint reads) into ``dest``, using a
    private, temporary index."""
    index = dest.parent / "index"
    env = {"GIT_INDEX_FILE": str(index)}
    read = _git(["read-tree", commit], root, env)
    if read.returncode != 0:
        raise UsageError(f"could not read commit {commit[:12]} of {root}: {_first_line(read.stderr)}")
    listed = _git(["ls-files", "-z"], root, env)
    if listed.returncode != 0:
        raise UsageError(f"could not list commit {commit[:12]} of {root}: {_first_line(listed.stderr)}")
    names = [n for n in listed.stdout.split("\0") if n.endswith(YAML_EXTENSIONS)]
    if not names:
        return
    full_env = dict(os.environ, GIT_INDEX_FILE=str(index), GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    out = subprocess.run(["git", "checkout-index", "--force", "-z", "--stdin", f"--prefix={dest.as_posix()}/"],
                         cwd=str(root), env=full_env, input="\0".join(names) + "\0", capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise UsageError(f"could not export commit {commit[:12]} of {root}: {_first_line(out.stderr)}")


def _inside(path: Path, root: Path) -> Path | None:
    """``path`` relative to ``root``, or None when it lies outside."""
    try:
        return path.relative_to(root)
    except ValueError:
        return None


def _absolute(path: Path, cwd: Path) -> Path:
    return Path(os.path.abspath(path if path.is_absolute() else cwd / path))


def _config_in(tree: Path, start: Path) -> Path | None:
    """``.incentive-lint.yaml`` from ``start`` upwards, stopping at the exported tree's top."""
    here = start if start.is_dir() else start.parent
    while True:
        candidate = here / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if here == tree or tree not in here.parents:
            return None
        here = here.parent


def _map_options(options: LintOptions, root: Path, tree: Path) -> LintOptions:
    """The same options, pointing at the exported tree instead of the working tree."""
    cwd = Path(os.path.abspath(options.cwd or Path.cwd()))
    real_cwd = cwd.resolve()
    rel_cwd = _inside(real_cwd, root)
    if rel_cwd is None:
        raise UsageError(f"--new-since compares git versions of the repository {root}, but the command runs from "
                         f"{cwd}, outside it; cd into the repository first.")
    new_cwd = tree / rel_cwd
    paths: list[Path] = []
    for given in options.paths:
        absolute = _absolute(given, cwd).resolve() if _absolute(given, cwd).exists() else _absolute(given, cwd)
        rel = _inside(absolute, root)
        if rel is None:
            raise UsageError(f"the path '{given}' is outside the git repository {root}; --new-since can only compare "
                             "files of that repository.")
        mapped = tree / rel
        if os.path.lexists(mapped):  # a file the change added did not exist before: nothing to lint there
            paths.append(mapped if given.is_absolute() else Path(os.path.relpath(mapped, new_cwd)))
    config = options.config
    if config is not None:
        absolute = _absolute(config, cwd).resolve()
        rel = _inside(absolute, root)
        if rel is not None and (tree / rel).is_file():
            config = tree / rel
        else:
            config = absolute  # outside the repository, or new in this change: same file for both runs
    elif options.use_config:
        start = new_cwd / options.paths[0] if options.paths else new_cwd
        if not start.exists():
            start = new_cwd
        config = _config_in(tree, start)
    return dataclasses.replace(options, cwd=new_cwd, paths=paths, config=config,
                               use_config=options.use_config and config is not None)


@contextlib.contextmanager
def tree_at_ref(ref: str, options: LintOptions) -> Iterator[tuple[LintOptions, str]]:
    """The merge-base of ``ref`` and HEAD exported into a temporary folder, with ``options``
    mapped into it (same relative working folder, paths and configuration location); yields
    (mapped options, commit) and deletes the folder afterwards.
    Raises :class:`UsageError` outside a git repository, for an unknown reference, for
    unrelated histories and when git is missing.
    """
    cwd = Path(os.path.abspath(options.cwd or Path.cwd()))
    start = _absolute(options.paths[0], cwd) if options.paths else cwd
    while not start.exists() and start != start.parent:
        start = start.parent
    root = repository_root(start)
    commit = merge_base(ref, root)
    scratch = Path(tempfile.mkdtemp(prefix="incentive-lint-base-")).resolve()
    try:
        tree = scratch / "tree"
        tree.mkdir()
        export_tree(commit, root, tree)
        mapped = _map_options(options, root, tree)
        (mapped.cwd or tree).mkdir(parents=True, exist_ok=True)
        yield mapped, commit
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
