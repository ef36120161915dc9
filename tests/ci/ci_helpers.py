"""Helpers for the CI-integration tests: throw-away git policy repositories and an in-process CLI."""
from __future__ import annotations

import datetime as _dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pytest

from tests.cli_run import run_in_process  # tests/ci is not a package: conftest puts the root on the path

ROOT = Path(__file__).resolve().parents[2]
MANUFACTURER = ROOT / "examples" / "manufacturer"
AS_OF = "2025-03-01"
AS_OF_DATE = _dt.date(2025, 3, 1)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True,
                          check=True)
    return done.stdout


def init_repo(path: Path) -> Path:
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial policies")
    return path


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The manufacturer example as a git repository with one commit (without its exceptions
    register, so that every finding of the example is visible to the tests)."""
    target = tmp_path / "policy"
    shutil.copytree(MANUFACTURER, target, ignore=shutil.ignore_patterns("exceptions.yaml"))
    return init_repo(target)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """``cli(args, cwd)`` runs the command line in this process (as ``main`` does) and returns code and output."""

    def run(args: Sequence[str], cwd: Path) -> Run:
        code, out, err = run_in_process(capsys, monkeypatch, cwd, args)
        return Run(code, out, err)

    return run


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
