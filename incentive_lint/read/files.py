"""Finding the candidate policy files and reading their text safely, refusing what must not be read."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from incentive_lint.base.source import Span
from incentive_lint.read.documents import Issue, ParsedFile
from incentive_lint.read.parse import parse_text

MAX_FILE_BYTES = 20 * 1024 * 1024
YAML_EXTENSIONS = (".yaml", ".yml")


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Candidate:
    """A file to lint: its real path and the name shown to users."""

    path: Path
    display: str


def display_name(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Sequence[Path], cwd: Path) -> tuple[list[Candidate], list[Issue]]:
    """Find ``*.yaml``/``*.yml`` under ``paths`` (hidden folders and files skipped).

    Raises ``FileNotFoundError`` for a path that does not exist (a usage error).
    """
    found: dict[str, Candidate] = {}
    issues: list[Issue] = []
    for given in paths:
        given_abs = (cwd / given) if not given.is_absolute() else given
        if not os.path.lexists(given_abs):
            raise FileNotFoundError(str(given))
        absolute = Path(os.path.abspath(given_abs))
        if absolute.is_dir():
            root = absolute.resolve()
            for dirpath, dirnames, filenames in os.walk(absolute):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or not name.endswith(YAML_EXTENSIONS):
                        continue
                    _add(Path(dirpath) / name, root, cwd, found, issues)
        else:
            _add(absolute, absolute.parent.resolve(), cwd, found, issues)
    ordered = sorted(found.values(), key=lambda c: c.display)
    return ordered, issues


def _add(path: Path, root: Path, cwd: Path, found: dict[str, Candidate], issues: list[Issue]) -> None:
    display = display_name(path, cwd)
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            issues.append(Issue("file-refused", Span.at(display, 1),
                                f"'{display}' is a link to a file outside the folder being checked; "
                                "it was not read. Copy the file into the repository instead."))
            return
    found.setdefault(display, Candidate(path, display))


# --------------------------------------------------------------------------- reading


def read_text(path: Path, display: str) -> tuple[str | None, Issue | None]:
    """Read a regular UTF-8 file, refusing FIFOs, devices and huge files before reading."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return None, Issue("file-refused", Span.at(display, 1), f"'{display}' could not be read: {exc.strerror}.")
    if not stat.S_ISREG(info.st_mode):
        return None, Issue("file-refused", Span.at(display, 1),
                           f"'{display}' is not a regular file (a pipe, device or socket); it was not read.")
    if info.st_size > MAX_FILE_BYTES:
        mb = info.st_size / 1_048_576
        return None, Issue("file-refused", Span.at(display, 1),
                           f"'{display}' is {mb:.0f} MB, larger than the {MAX_FILE_BYTES // 1_048_576} MB a policy "
                           "file may be; split it into several files.")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, Issue("file-refused", Span.at(display, 1), f"'{display}' could not be read: {exc.strerror}.")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start:exc.start + 1].hex()
        return None, Issue("not-utf8", Span.at(display, line, col),
                           f"'{display}' is not UTF-8 text (byte 0x{byte} at line {line}, column {col}); "
                           "save the file as UTF-8.")


def read_settings(path: Path, display: str, error: type[Exception], words_only: bool = False) -> ParsedFile:
    """Read one of the tool's own files (configuration, rule, baseline): any input mistake
    stops the run with ``error`` naming file, line and column. With ``words_only``, unquoted
    'off' or 'on' are taken as the words they are meant to be there."""
    text, issue = read_text(path, display)
    if text is None:
        raise error(issue.message if issue else f"{display} could not be read.")
    parsed = parse_text(text, display)
    problems = [i for i in parsed.issues if not (words_only and i.rule == "ambiguous-value")]
    if problems:
        first = problems[0]
        raise error(f"{display}:{first.span.start.line}:{first.span.start.column}: {first.message}")
    return parsed
