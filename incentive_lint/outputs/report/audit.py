"""The report's audit footer: which tool, which rules and which data it was made from.

The policy repository's commit comes from ``git`` (run with a timeout; no git, or not a
repository, says so rather than failing). The catalog is named by its number of rules and a
fingerprint of their definitions, so two reports made with different rules can be told
apart. A generation time is added only when ``SOURCE_DATE_EPOCH`` is set (reproducible
builds) or ``--stamp`` asks for one: otherwise the same data gives the same bytes.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import subprocess
from pathlib import Path
from typing import Mapping, Sequence

from incentive_lint.base.version import VERSION
from incentive_lint.outputs.report.data import Audit
from incentive_lint.settings.catalog import Catalog

NOT_A_REPOSITORY = "not a git repository"
GIT_TIMEOUT = 10.0  # seconds; a hung git (a network file system, a lock) must not hang the report


def catalog_version(catalog: Catalog) -> str:
    """'96 rules, fingerprint 1a2b3c4d5e6f': a digest of every rule's code, severity, options and texts."""
    digest = hashlib.sha256()
    for slug in sorted(catalog.rules):
        spec = catalog.rules[slug]
        for part in (slug, spec.code, spec.severity.label, repr(sorted(spec.options.items())), spec.summary,
                     spec.fix, spec.message):
            digest.update(part.encode("utf-8") + b"\x1f")
    n = len(catalog.rules)
    return f"{n} rule{'' if n == 1 else 's'}, fingerprint {digest.hexdigest()[:12]}"


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def repository_commit(paths: Sequence[Path], cwd: Path) -> tuple[str, bool]:
    """The commit of the repository holding ``paths`` and whether the files under them have uncommitted changes."""
    first = paths[0] if paths else Path(".")
    where = first if first.is_absolute() else cwd / first
    folder = where if where.is_dir() else where.parent
    if not folder.is_dir():
        return NOT_A_REPOSITORY, False
    head = _git(["rev-parse", "HEAD"], folder)
    if head is None or not head.strip():
        return NOT_A_REPOSITORY, False
    targets = [str(p if p.is_absolute() else cwd / p) for p in (paths or [Path(".")])]
    status = _git(["status", "--porcelain", "--untracked-files=normal", "--", *targets], folder)
    return head.strip(), bool(status and status.strip())


def generated_at(stamp: bool, environ: Mapping[str, str] | None = None) -> str:
    """The generation time, UTC: ``SOURCE_DATE_EPOCH`` when set, else now when ``stamp``, else empty."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            when = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            when = None
        if when is not None:
            return when.strftime("%Y-%m-%d %H:%M:%S UTC")
    if stamp:
        return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return ""


def audit(catalog: Catalog, paths: Sequence[Path], cwd: Path, stamp: bool = False) -> Audit:
    commit, dirty = repository_commit(paths, cwd)
    return Audit(VERSION, catalog_version(catalog), commit, dirty, generated_at(stamp))
